"""What perfxl works out for a mid-year monitoring table (绩效运行监控表): its 执行率 (a live formula
in the workbook, recomputed here with Decimal and compared, SCORE-013) and each indicator's
监控状态, green / yellow / red, by :data:`STATUS_RULE`:

- red (MON-001, a warning): 完成目标可能性 is 完全不可能; or the 全年预计完成值 of a 定量 target, in
  the target's unit, misses it (正向 and 等于: below it; 反向: above it); or a 反向 target (≤, <) is
  already exceeded by the 1–N月实际完成值;
- yellow (MON-002, a notice): otherwise, 完成目标可能性 is 有可能; or the 1–N月实际完成值 of a 正向 or
  等于 定量 target is behind the pace: below 年度指标值 × N/12 for a count or an amount (what
  accumulates over the year), below the 年度指标值 itself for a percentage (a rate, which does not);
- green: otherwise, with 完成目标可能性 确定能;
- none: otherwise (完成目标可能性 blank: the schema reports it, it is required; the numbers above
  still make an indicator red or yellow without it).

The numbers are settings of ``[monitoring]`` in perfxl.toml (:class:`perfxl.config.MonitoringConfig`):
``schedule`` replaces the even pace N/12 by a share of the 年度指标值 per month, ``behind`` lets the
1–N月实际完成值 fall that many % below the pace (or below a percentage target) before yellow, and
``miss`` lets a 全年预计完成值 miss the 年度指标值 (or a 反向 target be exceeded) by that many % of it
before red.  The defaults (even pace, 0, 0) are the rule as stated above.

A value that is not one number in the target's unit (a 定性 target, 约一半) is not judged by
number; the unit's 完成目标可能性 then decides alone.  The statuses are perfxl's, never typed by
the unit; ``collect`` lists the red and yellow ones in 问题清单 at their cells.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..config import (
    DEFAULT_MONITORING,
    DEFAULT_SCORING,
    MonitoringConfig,
    ScoringConfig,
)
from ..form.identity import collection_key
from ..form.layout import Layout, get_layout
from ..form.values import canonical_decimal
from ..model import FormRecord
from ..problems import Issue, Problem, make_issue
from .scoring import in_target_unit, round_half_up
from .selfeval import RATE, formula_findings, prefill_findings
from .targets import (
    EQUAL,
    FORWARD,
    QUALITATIVE,
    REVERSE,
    direction,
    parse_amount,
    parse_target_cached,
)

GREEN, YELLOW, RED = "绿", "黄", "红"
SURE, POSSIBLE, IMPOSSIBLE = "确定能", "有可能", "完全不可能"
MONTHS = 12
STATUS_RULE = __doc__


@dataclass(frozen=True)
class IndicatorStatus:
    """One indicator's 监控状态 and why, at the cell that says it (a pointer of the form)."""

    index: int
    status: str | None  # GREEN, YELLOW, RED, or None (完成目标可能性 blank)
    why: str = ""
    pointer: str = ""


def monitoring_outputs(form: dict[str, Any], layout: Layout, config: ScoringConfig = DEFAULT_SCORING) -> dict[str, Any]:
    """Pointer → value of the layout's outputs as perfxl computes them: 执行率 = 1–N月执行数 ÷
    全年预算数 × 100, rounded half up to ``decimals`` (None when either is blank or not an
    amount, or 全年预算数 is 0, as the formula gives a blank)."""
    funding = form.get("funding") if isinstance(form, dict) else None
    funding = funding if isinstance(funding, dict) else {}
    budget, executed = _amount(funding.get("budget_full")), _amount(funding.get("executed"))
    rate = None
    if budget is not None and executed is not None and budget != 0:
        rate = round_half_up(Fraction(executed) / Fraction(budget) * 100, config.decimals)
    return {output.pointer: rate for output in layout.outputs if output.pointer == RATE}


def _amount(value: object) -> Decimal | None:
    if not isinstance(value, str):
        return None
    try:
        return Decimal(value)
    except ArithmeticError:
        return None


def indicator_statuses(form: dict[str, Any], layout: Layout,
                       config: MonitoringConfig = DEFAULT_MONITORING) -> list[IndicatorStatus]:
    """Every indicator's 监控状态 by :data:`STATUS_RULE` with the numbers of ``config``
    (``[monitoring]`` of perfxl.toml), in form order."""
    month = form.get("month") if isinstance(form, dict) else None
    month = month if isinstance(month, int) and not isinstance(month, bool) and 1 <= month <= MONTHS else None
    items = form.get(layout.indicator_field) if isinstance(form, dict) else None
    items = items if isinstance(items, list) else []
    return [_status(index, item, month, layout.indicator_field, config) for index, item in enumerate(items)
            if isinstance(item, dict)]


def _status(index: int, item: dict[str, Any], month: int | None, field: str, config: MonitoringConfig) -> IndicatorStatus:
    at = f"{field}/{index}/"
    likely = item.get("likely")
    target = parse_target_cached(item["target"]) if isinstance(item.get("target"), str) else None
    method = direction(target) if target is not None else QUALITATIVE
    progress = _in_target_unit(item.get("progress"), target) if method != QUALITATIVE else None
    forecast = _in_target_unit(item.get("forecast"), target) if method != QUALITATIVE else None
    goal = Fraction(target.number) if method != QUALITATIVE and target is not None and target.number is not None else None
    if likely == IMPOSSIBLE:
        return IndicatorStatus(index, RED, f"完成目标可能性为“{IMPOSSIBLE}”", at + "likely")
    slack = Fraction(config.miss) / 100  # how far a forecast may miss before it is red
    ceiling, floor = (goal * (1 + slack), goal * (1 - slack)) if goal is not None else (None, None)
    if goal is not None and forecast is not None:
        missed = forecast > ceiling if method == REVERSE else forecast < floor
        if missed:
            return IndicatorStatus(index, RED, f"全年预计完成值“{item['forecast']}”达不到年度指标值“{item['target']}”",
                                   at + "forecast")
    if goal is not None and progress is not None and method == REVERSE and progress > ceiling:
        return IndicatorStatus(index, RED, f"1–{month or 'N'}月实际完成值“{item['progress']}”已超过年度指标值“{item['target']}”",
                               at + "progress")
    if likely == POSSIBLE:
        return IndicatorStatus(index, YELLOW, f"完成目标可能性为“{POSSIBLE}”", at + "likely")
    if goal is not None and progress is not None and method in (FORWARD, EQUAL) and target is not None:
        percent = target.unit == "%"
        if month is not None or percent:
            share = Fraction(config.schedule[month - 1]) / 100 if config.schedule and month else None
            pace = goal if percent else goal * share if share is not None else goal * month / MONTHS
            if progress < pace * (1 - Fraction(config.behind) / 100):
                shown = canonical_decimal(round_half_up(pace, 2)) + target.unit
                how = f"{canonical_decimal(config.schedule[month - 1])}%" if share is not None else f"{month}/12"
                expected = f"年度指标值“{item['target']}”" if percent else f"按时间进度应达到 {shown}（年度指标值 × {how}）"
                return IndicatorStatus(index, YELLOW, f"1–{month or 'N'}月实际完成值“{item['progress']}”低于{expected}",
                                       at + "progress")
    if likely == SURE:
        return IndicatorStatus(index, GREEN, "", at + "likely")
    return IndicatorStatus(index, None, "", at + "likely")


def _in_target_unit(value: object, target) -> Fraction | None:
    """A value as one number in the target's unit, exactly (money converts); None otherwise."""
    if not isinstance(value, str) or target is None:
        return None
    read = parse_amount(value)
    if read is None:
        return None
    return in_target_unit(*read, target.unit)  # the self-evaluation's rule for units: one for both kinds


PREFILLED_KEY = "monitoring|"  # settings.prefilled's keys of monitoring tables (beside self-evaluations')
# pre-filled from the target table, but the unit's to correct (a budget adjusted during the year);
# the month is the template's, not the target table's
NOT_COMPARED = frozenset({"funding/budget_full", "month"})


def prefilled_key(layout: Layout, form: dict[str, Any]) -> str:
    """The key of a monitoring table's pre-filled original in ``Settings.prefilled``."""
    return PREFILLED_KEY + collection_key(layout, form)


def check_monitoring(record: FormRecord, config: ScoringConfig = DEFAULT_SCORING,
                     prefilled: dict[str, Any] | None = None,
                     monitoring: MonitoringConfig = DEFAULT_MONITORING) -> list[Issue]:
    """A monitoring table read: its saved 执行率 compared with perfxl's (SCORE-013), each red or
    yellow indicator (MON-001, MON-002) at the cell that makes it so, and with ``prefilled``
    (``validate --from``) every value pre-filled from the target table compared (MON-003)."""
    layout = get_layout(record.variant)
    form = record.form if isinstance(record.form, dict) else {}
    issues: list[Issue] = []
    if record.outputs:
        issues += formula_findings(record, layout, monitoring_outputs(form, layout, config))
    original = (prefilled or {}).get(prefilled_key(layout, form)) if form else None
    if original is not None:
        issues += prefill_findings(record, layout, original, Problem.MON_003, NOT_COMPARED)
    items = form.get(layout.indicator_field, [])
    for status in indicator_statuses(form, layout, monitoring):
        if status.status not in (RED, YELLOW):
            continue
        item = items[status.index]
        name = item.get("name") or item.get("target") or f"第 {status.index + 1} 条指标"
        issues.append(make_issue(Problem.MON_001 if status.status == RED else Problem.MON_002, file=record.file,
                                 sheet=record.sheet, cell=record.cells.get(status.pointer, ""), field=name,
                                 value=status.why))
    return issues
