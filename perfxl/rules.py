"""The review rule catalogue (绩效目标审核): one small function per rule, registered with
:func:`rule` under a stable ID with its severity, Chinese message template, rationale and
parameters.  Grouped as printed in docs/rules.md: 资金, 日期, 框架, 覆盖, 指标值, 文本."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Mapping

from .issues import ERROR, INFO, WARNING
from .layout import LONG_TEXT, TEXT
from .targets import ParsedTarget
from .formview import FormView, Indicator, _fold, _number, _years

SEVERITIES = (ERROR, WARNING, INFO)


# --- the catalogue -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """A rule's setting that a config file may change."""

    name: str
    default: Any
    description: str


@dataclass(frozen=True)
class Finding:
    """What a check found: where (a pointer such as ``funding/total`` or ``indicators/3/target``),
    the value shown, what was expected, and extra keys for the message template."""

    pointer: str
    value: object = ""
    expected: object = ""
    title: str = ""  # Chinese title of what is found; by default the title of the pointer's field
    extra: Mapping[str, object] = field(default_factory=dict)


Check = Callable[["FormView", Mapping[str, Any]], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str  # short Chinese name
    template: str  # str.format: {field} {value} {expected} {unit}, the parameters and extra keys
    rationale: str
    check: Check = field(repr=False)
    params: tuple[Param, ...] = ()

    @property
    def description(self) -> str:
        """What the rule checks, precisely: the check function's docstring."""
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def defaults(self) -> dict[str, Any]:
        return {param.name: param.default for param in self.params}


RULES: list[Rule] = []


def rule(rule_id: str, severity: str, title: str, template: str, rationale: str,
         *params: Param) -> Callable[[Check], Check]:
    """Register a check function as a rule of the catalogue (in definition order)."""
    def register(check: Check) -> Check:
        RULES.append(Rule(rule_id, severity, title, template, rationale, check, params))
        return check
    return register


def rules_by_id() -> dict[str, Rule]:
    return {item.id: item for item in RULES}


# --- 资金 ---------------------------------------------------------------------------------------
_TOTAL_PARTS = ("funding.total_fiscal", "funding.total_other")
_ANNUAL_PARTS = ("funding.annual_fiscal", "funding.annual_carryover", "funding.annual_other")


def _parts_text(view: FormView, values: Mapping[str, Decimal | None]) -> str:
    """``财政资金（C7）300 万元 + 其他资金（C9）未填`` for the message."""
    shown = []
    for path, value in values.items():
        title = view.amount_fields[path].removeprefix("其中：")
        amount = "未填" if value is None else f"{_number(value)} {view.unit}"
        shown.append(f"{title}{view.at(path.replace('.', '/')) or ' '}{amount}")
    return " + ".join(shown)


def _sum_check(view: FormView, total_path: str, part_paths: tuple[str, ...]) -> Iterator[Finding]:
    values = view.amounts((total_path, *part_paths))
    if values is None or values[total_path] is None:
        return
    total = values.pop(total_path)
    parts_sum = sum((v for v in values.values() if v is not None), Decimal(0))
    if parts_sum != total:
        yield Finding(total_path.replace(".", "/"), _number(total), _number(parts_sum),
                      extra={"parts": _parts_text(view, values)})


@rule("FUND-001", ERROR, "项目资金总额 = 财政资金 + 其他资金",
      "项目资金总额为 {value} {unit}，但{parts}，合计 {expected} {unit}，两者应相等。",
      "资金来源的分项之和必须等于总额；金额按十进制精确比较，误差为 0。")
def total_equals_parts(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`funding.total` equals `funding.total_fiscal` + `funding.total_other`, exactly (Decimal).
    A blank part counts as 0; nothing is checked when the total itself is blank. Points at the
    total; the message names the parts' cells. Does not apply to a variant lacking one of the
    three fields."""
    yield from _sum_check(view, "funding.total", _TOTAL_PARTS)


@rule("FUND-002", ERROR, "年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金",
      "年度资金申请总额为 {value} {unit}，但{parts}，合计 {expected} {unit}，两者应相等。",
      "年度申请额由当年拨款、上年结转和其他资金组成，分项之和必须等于总额（误差为 0）。")
def annual_equals_parts(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`funding.annual_total` equals `funding.annual_fiscal` + `funding.annual_carryover` +
    `funding.annual_other`, exactly. A blank part counts as 0; nothing is checked when the annual
    total is blank (FUND-004 covers that). Does not apply to a variant lacking one of the fields."""
    yield from _sum_check(view, "funding.annual_total", _ANNUAL_PARTS)


@rule("FUND-003", ERROR, "年度资金申请总额不超过项目资金总额",
      "年度资金申请总额 {value} {unit}超过了项目资金总额{total_at} {total} {unit}。",
      "一个年度申请的资金不能多于整个项目的资金。")
def annual_within_total(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`funding.annual_total` ≤ `funding.total`, when both are filled."""
    values = view.amounts(("funding.total", "funding.annual_total"))
    if not values or values["funding.total"] is None or values["funding.annual_total"] is None:
        return
    total, annual = values["funding.total"], values["funding.annual_total"]
    if annual > total:
        yield Finding("funding/annual_total", _number(annual), f"≤ {_number(total)}",
                      extra={"total": _number(total), "total_at": view.at("funding/total")})


@rule("FUND-004", ERROR, "分项已填时年度资金申请总额必须填写",
      "年度资金申请总额未填写，但已填写了{parts}，应填写合计 {expected} {unit}。",
      "年度资金申请总额是预算申报的核心数字；只有分项没有合计，无法核对，也无法汇总。")
def annual_total_present(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`funding.annual_total` is blank while at least one of `funding.annual_fiscal`,
    `funding.annual_carryover`, `funding.annual_other` is filled. Points at the empty annual
    total; the expected value is the sum of the filled parts."""
    values = view.amounts(("funding.annual_total", *_ANNUAL_PARTS))
    if values is None or values.pop("funding.annual_total") is not None:
        return
    filled = {path: value for path, value in values.items() if value is not None}
    if filled:
        yield Finding("funding/annual_total", "", _number(sum(filled.values(), Decimal(0))),
                      extra={"parts": _parts_text(view, filled)})


# --- 日期 ---------------------------------------------------------------------------------------
def _planned_extra(view: FormView) -> dict[str, object]:
    start, end = view.planned or (None, None)
    return {"start": start, "end": end, "start_at": view.at("planned_start"),
            "end_at": view.at("planned_end")}


@rule("DATE-001", ERROR, "计划开始日期不晚于计划完成日期",
      "计划开始日期 {value} 晚于计划完成日期{end_at} {end}。",
      "项目不能在开始之前完成；多半是两个日期填反或年份写错。")
def start_before_end(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`planned_start` ≤ `planned_end` (equal is allowed: a one-day project)."""
    start, end = view.date("planned_start"), view.date("planned_end")
    if start and end and start > end:
        yield Finding("planned_start", start, f"不晚于 {end}",
                      extra={"end": end, "end_at": view.at("planned_end")})


@rule("DATE-002", ERROR, "表头年度在计划实施期间内",
      "表头年度为 {value} 年，不在计划实施期间 {start}{start_at} 至 {end}{end_at} 的年份（{expected}）内。",
      "绩效目标表按预算年度申报，年度必须落在项目的计划实施期间内；不符多半是沿用了往年的表头。")
def year_in_planned_period(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """The heading's 年度 (`year`) lies between the year of `planned_start` and the year of
    `planned_end`, both included. Not checked when the dates are missing or reversed."""
    year = view.get("year")
    if view.planned is None or not isinstance(year, int) or isinstance(year, bool):
        return
    start, end = view.planned
    if not start.year <= year <= end.year:
        yield Finding("year", year, _years(start.year, end.year), extra=_planned_extra(view))


@rule("DATE-003", WARNING, "项目总目标期间覆盖计划实施期间",
      "项目总目标期间“{value}”没有覆盖计划实施期间 {start}{start_at} 至 {end}{end_at}，应为 {expected}。",
      "项目总目标是整个实施期的目标，其期间至少要包含计划实施的各个年份；不符多半是沿用了往年的期间。")
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


@rule("DATE-004", INFO, "项目总目标期间不长于计划实施期间",
      "项目总目标期间“{value}”长于计划实施期间 {start}{start_at} 至 {end}{end_at}：如项目跨年度实施，"
      "计划开始、完成日期应填写整个项目的起止日期；否则期间应为 {expected}。",
      "期间比计划日期长，说明计划日期只填了本年度，或期间写错；审核时应确认项目的真实起止时间。")
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


@rule("DATE-005", WARNING, "项目总目标期间可以识别",
      "项目总目标期间“{value}”无法识别，应写成如“2023年-2025年”或“2023年1月1日-2023年12月31日”，且开始不晚于结束。",
      "期间写不清楚，就无法与计划日期核对。")
def period_readable(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`goals.overall_period` is filled but is not a year or date range perfxl can read:
    `YYYY年`, `YYYY年M月`, `YYYY年M月D日` or `YYYY.M.D` at each end, joined by - – — ~ 至 or 到
    (spaces and full-width characters allowed, a single year allowed), a valid month and day,
    and an end not before the start."""
    text, period = view.period
    if text and period is None:
        yield Finding("goals/overall_period", text, "如 2023年-2025年")


_YEAR_IN_TEXT = re.compile(r"(?<!\d)(\d{4})年")


@rule("DATE-006", WARNING, "指标值中的年份在计划实施期间内",
      "{label}的年度指标值“{value}”写的是 {year} 年，不在计划实施期间 {expected} 年内。",
      "指标值的完成时间应在计划实施期间内；早于开始年份的竣工、完成时间多半是沿用了往年的指标。")
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
            yield Finding(view.pointer(row.index, "target"), row.item["target"], _years(start.year, end.year),
                          extra={"label": row.label, "year": outside[0]})


# --- 框架 ---------------------------------------------------------------------------------------
# That each 二级 belongs to its 一级 is the schema's job (VALUE-008); these rules look at what a
# schema cannot see: pairs of cells, duplicates across rows, and row order.
@rule("FRAME-001", ERROR, "有三级指标就要有年度指标值",
      "{label}没有年度指标值。",
      "没有指标值的指标无法考核。")
def name_has_target(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """An indicator with a 三级指标 (`name`) but no 年度指标值 (`target`). Points at the empty
    target cell."""
    for row in view.indicators:
        if row.name and row.target is None:
            yield Finding(view.pointer(row.index, "target"), "", "年度指标值", extra={"label": row.label})


@rule("FRAME-002", ERROR, "有年度指标值就要有三级指标",
      "{label}填写了年度指标值“{value}”，但没有三级指标名称。",
      "不知道考核什么，指标值就没有意义；常见于把指标名称填进了指标值一栏。")
def target_has_name(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """An indicator with a 年度指标值 but no 三级指标 name. Points at the empty name cell."""
    for row in view.indicators:
        if row.target is not None and not row.name:
            yield Finding(view.pointer(row.index, "name"), row.target.text, "三级指标名称",
                          extra={"label": row.label})


@rule("FRAME-003", WARNING, "三级指标名称不重复",
      "三级指标“{value}”与第 {first} 条指标{first_at}重复，同一项目的三级指标名称应各不相同。",
      "重复的指标会被重复考核，或说明复制后忘了修改。")
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


@rule("FRAME-004", INFO, "指标按指标体系顺序排列",
      "第 {n} 条指标（{value}）排在“{after}”之后；同一二级指标的指标应连续填写，并按指标体系的顺序排列：{expected}。",
      "表格按一级、二级指标合并单元格打印，顺序乱了就会出现重复的一级、二级指标块，难以阅读和汇总。")
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
    the names the variant's framework has count, and with none of them the rule does not apply."""
    known = view.facts.known_levels(level, tuple(names))
    if not known or not view.indicators:
        return
    present = view.present(level)
    if not any(name in present for name in known):
        yield Finding(view.first_indicator_pointer(), "无", "至少 1 条", title=view.indicators_title,
                      extra={"levels": "、".join(known)})


def _levels_param(default: tuple[str, ...], what: str) -> Param:
    return Param("levels", default, f"{what} names that count; names the framework lacks are ignored")


@rule("COVER-001", WARNING, "至少 1 条数量指标",
      "绩效指标中没有{levels}，应至少设置 1 条数量指标。",
      "产出数量是考核项目是否完成的基本依据（财政部项目支出绩效目标编报要求）。",
      _levels_param(("数量指标",), "二级"))
def has_quantity(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 二级 named in `levels` (default 数量指标). Does not apply
    when the framework has none of those 二级. Points at the first indicator's 一级 cell."""
    yield from _coverage(view, "level2", p["levels"])


@rule("COVER-002", WARNING, "至少 1 条质量或时效指标",
      "绩效指标中没有{levels}，应至少设置 1 条质量或时效指标。",
      "只写数量不写质量、时效，无法判断产出是否合格、及时。",
      _levels_param(("质量指标", "时效指标"), "二级"))
def has_quality_or_time(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 二级 named in `levels` (default 质量指标, 时效指标). Does not
    apply when the framework has none of those 二级."""
    yield from _coverage(view, "level2", p["levels"])


@rule("COVER-003", WARNING, "至少 1 条效益指标",
      "绩效指标中没有{levels}下的指标，应至少设置 1 条效益指标。",
      "绩效目标要说明花钱带来什么效果，而不只是做了什么。",
      _levels_param(("效益指标",), "一级"))
def has_benefit(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 一级 named in `levels` (default 效益指标), whatever its 二级.
    Does not apply when the framework has no such 一级."""
    yield from _coverage(view, "level1", p["levels"])


@rule("COVER-004", WARNING, "至少 1 条满意度指标",
      "绩效指标中没有{levels}下的指标，应至少设置 1 条满意度指标。",
      "服务对象满意度是绩效目标表的必备内容。",
      _levels_param(("满意度指标",), "一级"))
def has_satisfaction(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 一级 named in `levels` (default 满意度指标). Does not apply
    when the framework has no such 一级."""
    yield from _coverage(view, "level1", p["levels"])


@rule("COVER-005", WARNING, "成本指标为一级指标时至少 1 条成本指标",
      "绩效指标中没有{levels}下的指标，应至少设置 1 条成本指标。",
      "成本指标单列为一级指标的表式（如 2025 年起的新版表）要求写明成本控制目标。",
      _levels_param(("成本指标",), "一级"))
def has_cost(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """At least one indicator under a 一级 named in `levels` (default 成本指标). Applies only when
    成本指标 is a 一级 of the framework; where it is a 二级 under 产出指标 (pujiang-2023) it does
    not apply."""
    yield from _coverage(view, "level1", p["levels"])


# --- 指标值 -------------------------------------------------------------------------------------
_SATISFACTION_PARAMS = (
    Param("levels", ("满意度指标",), "一级 names whose indicators are satisfaction indicators"),
    Param("keywords", ("满意",), "a 三级 name containing one of these is a satisfaction indicator too"),
)


def _satisfaction(view: FormView, p: Mapping[str, Any]) -> Iterator[tuple[Indicator, ParsedTarget]]:
    for row in view.satisfaction(p["levels"], p["keywords"]):
        yield row, row.target


@rule("TARGET-001", WARNING, "满意度目标不低于下限",
      "{label}的满意度目标 {value} 低于 {min_satisfaction}%。",
      "满意度目标过低说明目标设定不积极；常见要求为不低于 90%。",
      Param("min_satisfaction", 90, "lowest acceptable satisfaction target, in %"),
      *_SATISFACTION_PARAMS)
def satisfaction_high_enough(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A satisfaction indicator (一级 in `levels`, or a 三级 name containing a `keywords` word)
    whose target is a percentage with a number below `min_satisfaction`, whatever its operator
    (≥85% and 85% both count as 85)."""
    for row, parsed in _satisfaction(view, p):
        if parsed.is_percentage and parsed.number < Decimal(str(p["min_satisfaction"])):
            yield Finding(view.pointer(row.index, "target"), parsed.text, f"≥{p['min_satisfaction']}%",
                          extra={"label": row.label})


@rule("TARGET-002", WARNING, "满意度目标是百分比",
      "{label}的年度指标值“{value}”不是百分比，满意度应写成如“≥90%”。",
      "满意度通过问卷测得，以百分比表示才能考核。",
      *_SATISFACTION_PARAMS)
def satisfaction_is_percentage(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A satisfaction indicator (as in TARGET-001) whose target is not a number with unit %."""
    for row, parsed in _satisfaction(view, p):
        if not parsed.is_percentage:
            yield Finding(view.pointer(row.index, "target"), parsed.text, "如 ≥90%",
                          extra={"label": row.label})


@rule("TARGET-003", WARNING, "不能全部是定性指标",
      "全部 {count} 条指标的年度指标值都是定性描述（如“{value}”），应至少有 1 条可计量的定量指标。",
      "绩效目标应当细化量化；全是“提高”“及时”之类的描述，年终无法判断是否达成。")
def some_quantitative(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """Every filled 年度指标值 of the form is 定性 (no single amount, see `perfxl.targets`).
    Points at the first target."""
    parsed = [(row.index, row.target) for row in view.indicators if row.target is not None]
    if parsed and not any(target.is_quantitative for _, target in parsed):
        first, target = parsed[0]
        yield Finding(view.pointer(first, "target"), target.text, "至少 1 条定量指标",
                      extra={"count": len(parsed)})


@rule("TARGET-004", WARNING, "数量指标要有数值",
      "{label}属于数量指标，但年度指标值“{value}”没有数值，应写明具体数量（如“360人”“≥500份”）。",
      "数量指标就是要回答“多少”。",
      Param("levels", ("数量指标",), "二级 names whose targets must be amounts"))
def quantity_has_number(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """An indicator under a 二级 named in `levels` (default 数量指标) whose target is 定性."""
    levels = p["levels"]
    for row in view.indicators:
        parsed = row.target
        if parsed is not None and row.item.get("level2") in levels and not parsed.is_quantitative:
            yield Finding(view.pointer(row.index, "target"), parsed.text, "数值和单位",
                          extra={"label": row.label})


@rule("TARGET-005", INFO, "定量指标值要有计量单位",
      "{label}的年度指标值“{value}”只有数字，没有计量单位（如 人、个、次、%）。",
      "没有单位的数字含义不清：109 是人、次还是元？")
def number_has_unit(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A 定量 target with nothing after its number (e.g. `109`)."""
    for row in view.indicators:
        parsed = row.target
        if parsed is not None and parsed.is_quantitative and not parsed.unit:
            yield Finding(view.pointer(row.index, "target"), parsed.text, "数值加单位",
                          extra={"label": row.label})


@rule("TARGET-006", INFO, "指标值不重复指标名称",
      "{label}的年度指标值“{value}”重复了指标名称，只需填写指标值（如“{expected}”）。",
      "指标值一栏只写目标值，便于汇总和比对。")
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


@rule("TEXT-001", WARNING, "必要文字已填写",
      "“{field}”未填写。",
      "这些内容是审核绩效目标的依据（如项目总目标期间用于与计划日期核对）。",
      Param("fields", ("project_name", "department", "implementing_unit", "goals.overall_period",
                       "goals.overall", "goals.annual"), "dotted paths of text that must be filled"))
def required_text(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """Each field of `fields` is filled. Fields the variant lacks are skipped, and so are fields
    its schema already requires (schema validation reports those as VALUE-001); for
    pujiang-2023 that leaves `goals.overall_period`. Points at the empty cell."""
    required = view.facts.required
    for path in p["fields"]:
        if view.has_field(path) and path not in required and not view.text(path):
            yield Finding(path.replace(".", "/"), "", "已填写")


@rule("TEXT-002", INFO, "长文字不过于简略",
      "“{field}”只有 {count} 个字，过于简略，建议不少于 {min_chars} 个字。",
      "目标只写一个短语，读者无法知道要做成什么样。",
      Param("min_chars", 10, "fewest characters (whitespace not counted) of a long text field"))
def long_text_not_too_short(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A filled long-text field (layout style long_text: 项目总目标, 年度总体目标) with fewer than
    `min_chars` characters, whitespace not counted."""
    for path in _text_slots(view, (LONG_TEXT,)):
        count = view.chars(path)
        if 0 < count < p["min_chars"]:
            yield Finding(path.replace(".", "/"), view.text(path), f"≥ {p['min_chars']} 字",
                          extra={"count": count})


@rule("TEXT-003", WARNING, "没有残留的模板占位文字",
      "“{field}”中有模板占位文字“{placeholder}”，请替换为实际内容。",
      "占位文字说明这一栏还没有真正填写。",
      Param("placeholders", ("请填写", "请输入", "此处填写", "待填写", "XXX", "ＸＸＸ", "×××", "……",
                             "...", "。。。", "***", "＊＊＊"),
            "texts that mark an unfilled template (compared ignoring case)"))
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


@rule("TEXT-004", WARNING, "长文字不过长",
      "“{field}”共 {count} 个字，超过 {max_chars} 个字，建议精炼。",
      "绩效目标应简明扼要，过长的目标打印时放不下，也难以考核。",
      Param("max_chars", 500, "most characters (whitespace not counted) of a long text field"))
def long_text_not_too_long(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """A long-text field (项目总目标, 年度总体目标) with more than `max_chars` characters,
    whitespace not counted."""
    for path in _text_slots(view, (LONG_TEXT,)):
        count = view.chars(path)
        if count > p["max_chars"]:
            yield Finding(path.replace(".", "/"), view.text(path), f"≤ {p['max_chars']} 字",
                          extra={"count": count})


@rule("TEXT-005", INFO, "跨年度项目的年度目标不照抄总目标",
      "年度总体目标与项目总目标{overall_at}完全相同，而项目计划实施期跨 {years} 个年度；年度总体目标应写本年度要完成的部分。",
      "跨年度项目的年度目标是总目标在本年度的分解；一年期项目两者相同是正常的。")
def annual_goal_differs(view: FormView, p: Mapping[str, Any]) -> Iterator[Finding]:
    """`goals.annual` equals `goals.overall` (after NFKC, whitespace ignored) while the planned
    dates span more than one calendar year. Points at the 年度总体目标."""
    overall, annual = view.text("goals.overall"), view.text("goals.annual")
    if view.planned is None or not annual:
        return
    start, end = view.planned
    if end.year > start.year and _fold(annual) == _fold(overall):
        yield Finding("goals/annual", annual, "本年度的目标",
                      extra={"years": end.year - start.year + 1, "overall_at": view.at("goals/overall")})
