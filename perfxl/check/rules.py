"""The review rules' checks (绩效目标审核): one small function per rule of the catalogue, registered
with :func:`rule` under its :class:`~perfxl.problems.Problem` (where its severity, Chinese message
template, rationale and parameters are).  Its docstring says precisely what it checks (it is the
rule's description in docs/rules.md).  Grouped as printed there: 资金, 日期, 框架, 覆盖, 指标值, 文本."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Mapping

from ..form.kinds import LONG_TEXT, TEXT
from ..problems import Problem
from .formview import FormView, Indicator, number_text, years_text
from .targets import ParsedTarget, fold

Check = Callable[["FormView", Mapping[str, Any]], Iterable["Finding"]]


@dataclass(frozen=True)
class Finding:
    """What a check found: where (a pointer such as ``funding/total`` or ``indicators/3/target``),
    the value shown, what was expected, and extra keys for the message template."""

    pointer: str
    value: object = ""
    expected: object = ""
    title: str = ""  # Chinese title of what is found; by default the title of the pointer's field
    extra: Mapping[str, object] = field(default_factory=dict)


CHECKS: dict[Problem, Check] = {}  # each review rule of the catalogue → its check function


def rule(problem: Problem) -> Callable[[Check], Check]:
    """Register a check function for a review rule of the catalogue (:mod:`perfxl.problems`)."""
    def register(check: Check) -> Check:
        assert problem.is_rule and problem not in CHECKS, problem
        CHECKS[problem] = check
        return check
    return register


def description(problem: Problem) -> str:
    """What a rule checks, precisely: its check function's docstring."""
    return inspect.cleandoc(CHECKS[problem].__doc__ or "")


# --- 资金 ---------------------------------------------------------------------------------------
_TOTAL_PARTS = ("funding.total_fiscal", "funding.total_other")
_ANNUAL_PARTS = ("funding.annual_fiscal", "funding.annual_carryover", "funding.annual_other")


def _parts_text(view: FormView, values: Mapping[str, Decimal | None]) -> str:
    """``财政资金（C7）300 万元 + 其他资金（C9）未填`` for the message."""
    shown = []
    for path, value in values.items():
        title = view.amount_fields[path].removeprefix("其中：")
        amount = "未填" if value is None else f"{number_text(value)} {view.unit}"
        shown.append(f"{title}{view.at(path.replace('.', '/')) or ' '}{amount}")
    return " + ".join(shown)


def sum_check(view: FormView, total_path: str, part_paths: tuple[str, ...]) -> Iterator[Finding]:
    """A total that is not the sum of its parts (a blank part counts as 0), at the total, the parts'
    cells in ``parts``; nothing when the total is blank or an amount cannot be evaluated.  The
    funding rules here and the self-evaluation's parts (:mod:`perfxl.check.selfeval`) use it."""
    values = view.amounts((total_path, *part_paths))
    if values is None or values[total_path] is None:
        return
    total = values.pop(total_path)
    parts_sum = sum((v for v in values.values() if v is not None), Decimal(0))
    if parts_sum != total:
        yield Finding(total_path.replace(".", "/"), number_text(total), number_text(parts_sum),
                      extra={"parts": _parts_text(view, values)})


@rule(Problem.FUND_001)
def total_equals_parts(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`funding.total` equals `funding.total_fiscal` + `funding.total_other`, exactly (Decimal).
    A blank part counts as 0; nothing is checked when the total itself is blank. Points at the
    total; the message names the parts' cells. Does not apply to a variant lacking one of the
    three fields, and is not checked when one of them failed validation."""
    yield from sum_check(view, "funding.total", _TOTAL_PARTS)


@rule(Problem.FUND_002)
def annual_equals_parts(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`funding.annual_total` equals `funding.annual_fiscal` + `funding.annual_carryover` +
    `funding.annual_other`, exactly. A blank part counts as 0; nothing is checked when the annual
    total is blank (FUND-004 covers that). Does not apply to a variant lacking one of the fields,
    and is not checked when one of them failed validation."""
    yield from sum_check(view, "funding.annual_total", _ANNUAL_PARTS)


@rule(Problem.FUND_003)
def annual_within_total(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`funding.annual_total` ≤ `funding.total`, when both are filled and valid."""
    values = view.amounts(("funding.total", "funding.annual_total"))
    if not values or values["funding.total"] is None or values["funding.annual_total"] is None:
        return
    total, annual = values["funding.total"], values["funding.annual_total"]
    if annual > total:
        yield Finding("funding/annual_total", number_text(annual), f"≤ {number_text(total)}",
                      extra={"total": number_text(total), "total_at": view.at("funding/total")})


@rule(Problem.FUND_004)
def annual_total_present(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`funding.annual_total` is blank while at least one of `funding.annual_fiscal`,
    `funding.annual_carryover`, `funding.annual_other` is filled. Points at the empty annual
    total; the expected value is the sum of the filled parts. Not checked when one of the four
    failed validation."""
    values = view.amounts(("funding.annual_total", *_ANNUAL_PARTS))
    if values is None or values.pop("funding.annual_total") is not None:
        return
    filled = {path: value for path, value in values.items() if value is not None}
    if filled:
        yield Finding("funding/annual_total", "", number_text(sum(filled.values(), Decimal(0))),
                      extra={"parts": _parts_text(view, filled)})


# --- 日期 ---------------------------------------------------------------------------------------
def _planned_extra(view: FormView) -> dict[str, object]:
    start, end = view.planned or (None, None)
    return {"start": start, "end": end, "start_at": view.at("planned_start"),
            "end_at": view.at("planned_end")}


@rule(Problem.DATE_001)
def start_before_end(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`planned_start` ≤ `planned_end` (equal is allowed: a one-day project)."""
    start, end = view.date("planned_start"), view.date("planned_end")
    if start and end and start > end:
        yield Finding("planned_start", start, f"不晚于 {end}",
                      extra={"end": end, "end_at": view.at("planned_end")})


@rule(Problem.DATE_002)
def year_in_planned_period(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """The heading's 年度 (`year`) lies between the year of `planned_start` and the year of
    `planned_end`, both included. Not checked when the dates are missing or reversed, or the year
    or a date failed validation."""
    year = view.integer("year")
    if view.planned is None or year is None:
        return
    start, end = view.planned
    if not start.year <= year <= end.year:
        yield Finding("year", year, years_text(start.year, end.year), extra=_planned_extra(view))


@rule(Problem.DATE_003)
def period_covers_plan(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """The period after 项目总目标 (`goals.overall_period`) covers the planned dates, compared by
    year: its first year ≤ the year of `planned_start` and its last year ≥ the year of
    `planned_end`. Month and day in the period are read (and must be valid) but not compared,
    since most periods give years only. Not checked when the period is blank or unreadable
    (DATE-005) or the dates are missing or reversed."""
    text, period = view.period
    if period is None or view.planned is None:
        return
    start, end = view.planned
    if period.first_year > start.year or period.last_year < end.year:
        expected = f"{start.year}年-{end.year}年"
        yield Finding("goals/overall_period", text, expected, extra=_planned_extra(view))


@rule(Problem.DATE_004)
def period_within_plan(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A period that covers the planned dates (DATE-003 holds) but starts in an earlier year than
    `planned_start` or ends in a later year than `planned_end`. Together with DATE-003 this
    means: by year, the period should equal the planned dates."""
    text, period = view.period
    if period is None or view.planned is None:
        return
    start, end = view.planned
    covers = period.first_year <= start.year and period.last_year >= end.year
    if covers and (period.first_year < start.year or period.last_year > end.year):
        yield Finding("goals/overall_period", text, f"{start.year}年-{end.year}年",
                      extra=_planned_extra(view))


@rule(Problem.DATE_005)
def period_readable(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`goals.overall_period` is filled but is not a year or date range perfxl can read:
    `YYYY年`, `YYYY年M月`, `YYYY年M月D日` or `YYYY.M.D` at each end, joined by - – — ~ 至 or 到
    (spaces and full-width characters allowed, a single year allowed), a valid month and day,
    and an end not before the start."""
    text, period = view.period
    if text and period is None:
        yield Finding("goals/overall_period", text, "如 2023年-2025年")


_YEAR_IN_TEXT = re.compile(r"(?<!\d)(\d{4})年")


@rule(Problem.DATE_006)
def target_years_in_plan(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """Every year written as `YYYY年` in a 年度指标值 lies between the years of `planned_start`
    and `planned_end`. One finding per indicator (the first year outside)."""
    if view.planned is None:
        return
    start, end = view.planned
    for row in view.indicators:
        if row.folded_target is None or "年" not in row.folded_target:  # not text, or no year
            continue
        outside = [int(y) for y in _YEAR_IN_TEXT.findall(row.folded_target) if not start.year <= int(y) <= end.year]
        if outside:
            yield Finding(view.pointer(row.index, "target"), row.item["target"], years_text(start.year, end.year),
                          extra={"label": row.label, "year": outside[0]})


# --- 框架 ---------------------------------------------------------------------------------------
# That each 二级 belongs to its 一级 is the schema's job (VALUE-008); these rules look at what a
# schema cannot see: pairs of cells, duplicates across rows, and row order.
@rule(Problem.FRAME_001)
def name_has_target(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """An indicator with a 三级指标 (`name`) but no 年度指标值 (`target`). Points at the empty
    target cell. A target that failed validation is not missing: not reported here."""
    for row in view.indicators:
        if row.name and row.target is None and "target" not in row.unread:
            yield Finding(view.pointer(row.index, "target"), "", "年度指标值", extra={"label": row.label})


@rule(Problem.FRAME_002)
def target_has_name(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """An indicator with a 年度指标值 but no 三级指标 name. Points at the empty name cell. A name
    that failed validation is not missing: not reported here."""
    for row in view.indicators:
        if row.target is not None and not row.name and "name" not in row.unread:
            yield Finding(view.pointer(row.index, "name"), row.target.text, "三级指标名称",
                          extra={"label": row.label})


@rule(Problem.FRAME_003)
def names_unique(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """Two indicators of one form with the same 三级指标 name, compared after NFKC and without
    whitespace, under any 一级/二级. Points at each repetition; names the first occurrence."""
    seen: dict[str, int] = {}
    for row in view.indicators:
        key = row.folded_name
        if not key:
            continue
        if key in seen:
            first = seen[key]
            yield Finding(view.pointer(row.index, "name"), row.name, "不重复的名称",
                          extra={"first": first + 1, "first_at": view.at(view.pointer(first, "name"))})
        else:
            seen[key] = row.index


@rule(Problem.FRAME_004)
def framework_order(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """Indicators appear in the variant's framework order (一级 in order, and within each its 二级
    in order), each 二级's indicators together. Reports only the first indicator out of order;
    pairs outside the framework are left to the schema (VALUE-008)."""
    pairs, order = view.facts.pairs, view.facts.pair_order
    highest = -1
    for row in view.indicators:
        pair = (row.item.get("level1"), row.item.get("level2"))
        try:
            place = order.get(pair)
        except TypeError:  # a value that is not text (and cannot be hashed) is in no framework
            continue
        if place is None:
            continue
        if place < highest:
            yield Finding(view.pointer(row.index, "level2"), "/".join(pair), " → ".join(view.framework),
                          extra={"n": row.index + 1, "after": "/".join(pairs[highest])})
            return
        highest = place


# --- 覆盖 ---------------------------------------------------------------------------------------
def _coverage(view: FormView, level: str, names: Iterable[str]) -> Iterator[Finding]:
    """No indicator under any of these 一级 (level="level1") or 二级 (level="level2") names; only
    the names the variant's framework has count, and with none of them the rule does not apply.
    Not reported when an indicator's level failed validation: it may be the one missing."""
    known = view.facts.known_levels(level, tuple(names))
    if not known or not view.indicators:
        return
    present = view.present(level)
    if not any(name in present for name in known) and not view.unread(level):
        yield Finding(view.first_indicator_pointer(), "无", "至少 1 条", title=view.indicators_title,
                      extra={"levels": "、".join(known)})


@rule(Problem.COVER_001)
def has_quantity(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 二级 named in `levels` (default 数量指标). Does not apply
    when the framework has none of those 二级. Points at the first indicator's 一级 cell."""
    yield from _coverage(view, "level2", p["levels"])


@rule(Problem.COVER_002)
def has_quality_or_time(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 二级 named in `levels` (default 质量指标, 时效指标). Does not
    apply when the framework has none of those 二级."""
    yield from _coverage(view, "level2", p["levels"])


@rule(Problem.COVER_003)
def has_benefit(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 一级 named in `levels` (default 效益指标), whatever its 二级.
    Does not apply when the framework has no such 一级."""
    yield from _coverage(view, "level1", p["levels"])


@rule(Problem.COVER_004)
def has_satisfaction(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 一级 named in `levels` (default 满意度指标). Does not apply
    when the framework has no such 一级."""
    yield from _coverage(view, "level1", p["levels"])


@rule(Problem.COVER_005)
def has_cost(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 一级 named in `levels` (default 成本指标). Applies only when
    成本指标 is a 一级 of the framework; where it is a 二级 under 产出指标 (pujiang-2023) it does
    not apply."""
    yield from _coverage(view, "level1", p["levels"])


# --- 指标值 -------------------------------------------------------------------------------------
def _satisfaction(view: FormView, p: Mapping[str, Any]) -> Iterator[tuple[Indicator, ParsedTarget]]:
    for row in view.satisfaction(p["levels"], p["keywords"]):
        yield row, row.target


@rule(Problem.TARGET_001)
def satisfaction_high_enough(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A satisfaction indicator (一级 in `levels`, or a 三级 name containing a `keywords` word)
    whose target is a percentage with a number below `min_satisfaction`, whatever its operator
    (≥85% and 85% both count as 85)."""
    for row, parsed in _satisfaction(view, p):
        if parsed.is_percentage and parsed.number < Decimal(str(p["min_satisfaction"])):
            yield Finding(view.pointer(row.index, "target"), parsed.text, f"≥{p['min_satisfaction']}%",
                          extra={"label": row.label})


@rule(Problem.TARGET_002)
def satisfaction_is_percentage(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A satisfaction indicator (as in TARGET-001) whose target is not a number with unit %."""
    for row, parsed in _satisfaction(view, p):
        if not parsed.is_percentage:
            yield Finding(view.pointer(row.index, "target"), parsed.text, "如 ≥90%",
                          extra={"label": row.label})


@rule(Problem.TARGET_003)
def some_quantitative(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """Every filled 年度指标值 of the form is 定性 (no single amount, see `perfxl.check.targets`).
    Points at the first target. Not reported when a target failed validation: it may be 定量."""
    parsed = [(row.index, row.target) for row in view.indicators if row.target is not None]
    if parsed and not any(target.is_quantitative for _, target in parsed) and not view.unread("target"):
        first, target = parsed[0]
        yield Finding(view.pointer(first, "target"), target.text, "至少 1 条定量指标",
                      extra={"count": len(parsed)})


@rule(Problem.TARGET_004)
def quantity_hasnumber_text(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """An indicator under a 二级 named in `levels` (default 数量指标) whose target is 定性."""
    levels = p["levels"]
    for row in view.indicators:
        parsed = row.target
        if parsed is not None and row.item.get("level2") in levels and not parsed.is_quantitative:
            yield Finding(view.pointer(row.index, "target"), parsed.text, "数值和单位",
                          extra={"label": row.label})


@rule(Problem.TARGET_005)
def number_has_unit(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A 定量 target with nothing after its number (e.g. `109`)."""
    for row in view.indicators:
        parsed = row.target
        if parsed is not None and parsed.is_quantitative and not parsed.unit:
            yield Finding(view.pointer(row.index, "target"), parsed.text, "数值加单位",
                          extra={"label": row.label})


@rule(Problem.TARGET_006)
def target_not_repeating_name(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A target that begins with its own 三级 name and goes on (e.g. name 工程计划完成率, target
    工程计划完成率100%), compared after NFKC and without whitespace."""
    for row in view.indicators:
        name = row.folded_name
        folded = row.folded_target if row.target is not None else ""
        if name and folded.startswith(name) and len(folded) > len(name):
            yield Finding(view.pointer(row.index, "target"), row.target.text, folded[len(name):],
                          extra={"label": row.label})


# --- 文本 ---------------------------------------------------------------------------------------
def _text_slots(view: FormView, kinds: tuple[str, ...]) -> tuple[str, ...]:
    return view.facts.paths_of(kinds)


@rule(Problem.TEXT_001)
def required_text(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """Each field of `fields` is filled. Fields the variant lacks are skipped, and so are fields
    its schema already requires (schema validation reports those as VALUE-001); for
    pujiang-2023 that leaves `goals.overall_period`. Points at the empty cell. A value that failed
    reading or validation is not blank: not reported here."""
    required = view.facts.required
    for path in p["fields"]:
        if view.has_field(path) and path not in required and view.blank(path):
            yield Finding(path.replace(".", "/"), "", "已填写")


@rule(Problem.TEXT_002)
def long_text_not_too_short(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A filled long-text field (layout style long_text: 项目总目标, 年度总体目标) with fewer than
    `min_chars` characters, whitespace not counted."""
    for path in _text_slots(view, (LONG_TEXT,)):
        count = view.chars(path)
        if 0 < count < p["min_chars"]:
            yield Finding(path.replace(".", "/"), view.text(path), f"≥ {p['min_chars']} 字",
                          extra={"count": count})


@rule(Problem.TEXT_003)
def no_placeholders(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A text field (every text and long-text field of the layout, and every 三级 name and 年度
    指标值) containing one of `placeholders`, ignoring case. One finding per field (the first
    placeholder found)."""
    words, any_word = _casefolded(tuple(p["placeholders"]))
    # Most forms have none: look for all the words at once in all the text before field by field.
    if not any_word.search(view.casefolded_text):
        return
    texts = [(path.replace(".", "/"), view.text(path)) for path in _text_slots(view, (TEXT, LONG_TEXT))]
    texts += [(view.pointer(row.index, part), row.item[part].strip()) for row in view.indicators
              for part in ("name", "target") if isinstance(row.item.get(part), str)]
    for pointer, text in texts:
        folded = text.casefold()
        hit = next((word for word, folded_word in words if folded_word in folded), None)
        if hit:
            yield Finding(pointer, text, "实际内容", extra={"placeholder": hit})


@lru_cache(maxsize=64)
def _casefolded(words: tuple[str, ...]) -> tuple[tuple[tuple[str, str], ...], re.Pattern[str]]:
    """Each word with its case-folded form, and a pattern finding any of the folded forms."""
    folded = tuple((word, word.casefold()) for word in words)
    return folded, re.compile("|".join(re.escape(f) for _, f in folded) or "(?!)")


@rule(Problem.TEXT_004)
def long_text_not_too_long(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A long-text field (项目总目标, 年度总体目标) with more than `max_chars` characters,
    whitespace not counted."""
    for path in _text_slots(view, (LONG_TEXT,)):
        count = view.chars(path)
        if count > p["max_chars"]:
            yield Finding(path.replace(".", "/"), view.text(path), f"≤ {p['max_chars']} 字",
                          extra={"count": count})


@rule(Problem.TEXT_005)
def annual_goal_differs(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`goals.annual` equals `goals.overall` (after NFKC, whitespace ignored) while the planned
    dates span more than one calendar year. Points at the 年度总体目标."""
    overall, annual = view.text("goals.overall"), view.text("goals.annual")
    if view.planned is None or not annual:
        return
    start, end = view.planned
    if end.year > start.year and fold(annual) == fold(overall):
        yield Finding("goals/annual", annual, "本年度的目标",
                      extra={"years": end.year - start.year + 1, "overall_at": view.at("goals/overall")})
