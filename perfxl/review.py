"""绩效目标审核: rules that judge whether a schema-valid form's targets are acceptable.

Schema validation (:mod:`perfxl.validate`) says whether a form is well formed; review says whether
what it promises adds up and can be assessed: funding sums, dates against the year and the goal
period, a complete indicator table, measurable targets, finished text.

Each rule is a small check function registered with :func:`rule`: a stable ID, a default severity,
a Chinese message template, a rationale and parameters with defaults; a TOML file can turn a rule
off, change its severity or its parameters (:func:`load_config`).  Rules are variant-generic: the
framework (一级 → 二级) comes from the variant, amount fields from the schema, and a rule whose
fields or levels a variant lacks does not apply.  ``docs/rules.md`` is generated from this
catalogue (:func:`render_rules_markdown`; ``python -m perfxl.review --markdown``).
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
import sys
import tomllib
import weakref
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from .issues import ERROR, INFO, WARNING, Issue
from .layout import LONG_TEXT, TEXT, Layout, get_layout
from .reader import FormRecord
from .targets import ParsedTarget, Period, fold, parse_period, parse_target
from .values import canonical_decimal

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


# --- a form as the rules see it --------------------------------------------------------------
_AMOUNT = re.compile(r"\d+(\.\d+)?")
_NOT_AN_AMOUNT = object()


class _LayoutFacts:
    """What the rules ask of a layout, worked out once per layout instead of once per form:
    amount fields, required paths, text slots, the framework's order, titles of fields."""

    def __init__(self, layout: Layout):
        self.layout = layout
        variant = layout.variant
        self.amount_fields = self._amount_fields()
        self.required = variant.required_paths()
        self.slot_paths: dict[tuple[str, ...], tuple[str, ...]] = {}
        pairs = [(l1, l2) for l1, l2s in layout.framework.items() for l2 in l2s]
        self.pairs = pairs
        self.pair_order: dict[tuple[str, str], int] = {}
        for position, pair in enumerate(pairs):
            self.pair_order.setdefault(pair, position)  # as list.index: the first
        self.levels = {"level1": set(layout.framework), "level2": {l2 for l1, l2 in pairs}}
        self._has_field: dict[str, bool] = {}
        self._titles: dict[str, str] = {}

    def _amount_fields(self) -> dict[str, str]:
        """Dotted path → title of every amount field, found by the schema's x-perfxl-kind."""
        variant = self.layout.variant
        found: dict[str, str] = {}

        def walk(node: dict[str, Any], prefix: str) -> None:
            for key, sub in variant.resolve(node).get("properties", {}).items():
                sub = variant.resolve(sub)
                if sub.get("x-perfxl-kind") == "amount":
                    found[prefix + key] = sub.get("title", key)
                elif sub.get("type") == "object":
                    walk(sub, f"{prefix}{key}.")

        walk(variant.schema, "")
        return found

    def paths_of(self, kinds: tuple[str, ...]) -> tuple[str, ...]:
        """Dotted paths of the layout's slots of these kinds, in layout order."""
        if kinds not in self.slot_paths:
            self.slot_paths[kinds] = tuple(slot.path for slot in self.layout.slots if slot.kind in kinds)
        return self.slot_paths[kinds]

    def has_field(self, path: str) -> bool:
        if path not in self._has_field:
            try:
                self.layout.variant.field_schema(path)
            except KeyError:
                self._has_field[path] = False
            else:
                self._has_field[path] = True
        return self._has_field[path]

    def field_title(self, pointer: str) -> str:
        """The schema title of the field at a pointer such as ``funding/total`` (its last part
        when the schema has none)."""
        if pointer not in self._titles:
            parts = pointer.split("/")
            try:
                self._titles[pointer] = self.layout.variant.field_schema(".".join(parts)).get("title", parts[-1])
            except KeyError:
                self._titles[pointer] = parts[-1]
        return self._titles[pointer]


_FACTS: "weakref.WeakKeyDictionary[Layout, _LayoutFacts]" = weakref.WeakKeyDictionary()


def _facts(layout: Layout) -> _LayoutFacts:
    facts = _FACTS.get(layout)
    if facts is None:
        facts = _FACTS[layout] = _LayoutFacts(layout)
    return facts


@dataclass(slots=True)
class Indicator:
    """One row of the indicator table, read once per form: the rules share these values."""

    index: int
    item: dict[str, Any]
    name: str  # 三级指标, stripped; "" when blank or not text
    folded_name: str  # the name as compared: NFKC, no whitespace
    folded_target: str | None  # 年度指标值 as compared; None when it is not text
    target: ParsedTarget | None  # the 年度指标值 read; None when blank or not text

    @property
    def label(self) -> str:
        return _label(self.index, self.item)


class FormView:
    """One form: values by dotted path, the cell and title of each pointer, parsed targets.
    What several rules need (texts, amounts, the indicator rows with their names and targets
    read and folded) is worked out once per form and kept."""

    def __init__(self, record: FormRecord, layout: Layout):
        self.record = record
        self.layout = layout
        self.form: dict[str, Any] = record.form if isinstance(record.form, dict) else {}
        self.framework: dict[str, list[str]] = layout.framework
        self.unit: str = layout.amount_unit
        self.facts = _facts(layout)
        self._texts: dict[str, str] = {}
        self._chars: dict[str, int] = {}
        self._amounts: dict[str, Any] = {}
        self._present: dict[str, set[str]] = {}
        self._satisfaction: dict[tuple[Any, Any], list[Indicator]] = {}

    # --- values ---------------------------------------------------------------------------
    def get(self, path: str) -> Any:
        node: Any = self.form
        for part in path.split("."):
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def has_field(self, path: str) -> bool:
        return self.facts.has_field(path)

    def text(self, path: str) -> str:
        text = self._texts.get(path)
        if text is None:
            value = self.get(path)
            text = self._texts[path] = value.strip() if isinstance(value, str) else ""
        return text

    def chars(self, path: str) -> int:
        """Characters of the text at a path, whitespace not counted."""
        count = self._chars.get(path)
        if count is None:
            count = self._chars[path] = len("".join(self.text(path).split()))
        return count

    def date(self, path: str) -> dt.date | None:
        value = self.get(path)
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    @cached_property
    def planned(self) -> tuple[dt.date, dt.date] | None:
        """计划开始/完成日期 when both are dates in order (DATE-001 reports the rest)."""
        start, end = self.date("planned_start"), self.date("planned_end")
        return (start, end) if start and end and start <= end else None

    @cached_property
    def period(self) -> tuple[str, Period | None]:
        """项目总目标期间: its text and the years it covers (None when blank or unreadable)."""
        text = self.text("goals.overall_period")
        return text, (parse_period(text) if text else None)

    @property
    def amount_fields(self) -> dict[str, str]:
        """Dotted path → title of every amount field, found by the schema's x-perfxl-kind."""
        return self.facts.amount_fields

    def _amount(self, path: str) -> Any:
        """The amount at a path: a Decimal, None when blank, _NOT_AN_AMOUNT when the variant lacks
        the field or the value is not an amount."""
        if path not in self._amounts:
            value = self.get(path) if path in self.amount_fields else _NOT_AN_AMOUNT
            if isinstance(value, str):
                value = Decimal(value) if _AMOUNT.fullmatch(value) else _NOT_AN_AMOUNT
            elif value is not None:
                value = _NOT_AN_AMOUNT
            self._amounts[path] = value
        return self._amounts[path]

    def amounts(self, paths: Iterable[str]) -> dict[str, Decimal | None] | None:
        """The amounts at these paths (None where blank); None as a whole when the variant lacks
        one of the fields or a value is not an amount (schema validation reports that)."""
        result: dict[str, Decimal | None] = {}
        for path in paths:
            value = self._amount(path)
            if value is _NOT_AN_AMOUNT:
                return None
            result[path] = value
        return result

    @cached_property
    def indicators(self) -> list[Indicator]:
        items = self.form.get(self.layout.indicator_field)
        if not isinstance(items, list):
            return []
        return [_indicator(index, item) for index, item in enumerate(items) if isinstance(item, dict)]

    @cached_property
    def casefolded_text(self) -> str:
        """Every text and long-text field, 三级 name and 年度指标值, case-folded (str.casefold works
        character by character, so a word found in one field is found here) and joined."""
        texts = [self.text(path) for path in self.facts.paths_of((TEXT, LONG_TEXT))]
        texts += [value for row in self.indicators for part in ("name", "target")
                  if isinstance(value := row.item.get(part), str)]
        return "\n".join(texts).casefold()

    def present(self, level: str) -> set[str]:
        """The 一级 (level="level1") or 二级 (level="level2") names the indicators use."""
        names = self._present.get(level)
        if names is None:
            names = self._present[level] = {
                value for row in self.indicators if isinstance(value := row.item.get(level), str)}
        return names

    def satisfaction(self, levels: tuple[str, ...], keywords: tuple[str, ...]) -> list[Indicator]:
        """Indicators with a target that measure satisfaction: under a 一级 in ``levels`` or with a
        三级 name containing one of ``keywords``."""
        key = (levels, keywords)
        rows = self._satisfaction.get(key)
        if rows is None:
            rows = self._satisfaction[key] = [
                row for row in self.indicators if row.target is not None and (
                    row.item.get("level1") in levels or any(word in row.name for word in keywords))]
        return rows

    # --- where ----------------------------------------------------------------------------
    def pointer(self, index: int, part: str) -> str:
        return f"{self.layout.indicator_field}/{index}/{part}"

    def cell(self, pointer: str) -> str:
        return self.record.cells.get(pointer, "")

    def at(self, pointer: str) -> str:
        """``（C6）`` for a message that mentions a second cell; empty when the form came from JSON."""
        cell = self.cell(pointer)
        return f"（{cell}）" if cell else ""

    def title(self, pointer: str) -> str:
        parts = pointer.split("/")
        if not pointer:
            return "表单"
        if parts[0] == self.layout.indicator_field:
            if len(parts) >= 3:
                part = self.layout.indicator_titles.get(parts[2], parts[2])
                return f"第 {int(parts[1]) + 1} 条指标的{part}"
            return self.indicators_title
        return self.facts.field_title(pointer)

    @property
    def indicators_title(self) -> str:
        return self.layout.variant.field_schema(self.layout.indicator_field).get("title", "绩效指标")

    def first_indicator_pointer(self) -> str:
        """Where a finding about the indicator table as a whole points: its first 一级 cell."""
        return self.pointer(self.indicators[0].index, "level1") if self.indicators else ""


def _indicator(index: int, item: dict[str, Any]) -> Indicator:
    name, target = item.get("name"), item.get("target")
    name, folded_name = _read_name(name) if isinstance(name, str) else ("", "")
    if not isinstance(target, str):
        return Indicator(index, item, name, folded_name, None, None)
    return Indicator(index, item, name, folded_name, *_read_target(target))


# 三级 names and 年度指标值 are short and the same ones recur on form after form (满意度, ≥90%,
# 100%, 及时 …): each text is stripped, folded and parsed once, not once per form.
@lru_cache(maxsize=4096)
def _read_name(text: str) -> tuple[str, str]:
    """A 三级 name stripped, and folded for comparison."""
    name = text.strip()
    return name, _fold(name)


@lru_cache(maxsize=4096)
def _read_target(text: str) -> tuple[str, ParsedTarget | None]:
    """A 年度指标值 folded for comparison, and read (None when blank)."""
    return _fold(text), (parse_target(text) if text.strip() else None)


def _name(item: dict[str, Any]) -> str:
    name = item.get("name")
    return name.strip() if isinstance(name, str) else ""


def _label(index: int, item: dict[str, Any]) -> str:
    """``第 3 条指标“平安志愿者人数”`` or, without a name, ``第 6 条指标（可持续影响指标）``."""
    name = _name(item)
    return f"第 {index + 1} 条指标“{name}”" if name else f"第 {index + 1} 条指标（{item.get('level2', '')}）"


_fold = fold  # text compared the way a person reads it: NFKC, no whitespace (perfxl.targets)


def _number(value: Decimal) -> str:
    return canonical_decimal(value)


def _years(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


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
    in_framework = view.facts.levels[level]
    known = [name for name in names if name in in_framework]
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


# --- running the rules -------------------------------------------------------------------------
def review_record(record: FormRecord, config: ReviewConfig | None = None) -> list[Issue]:
    """Every review finding of one form, in catalogue order, as issues at their cells."""
    config = config or _default_config()
    view = FormView(record, get_layout(record.variant))
    issues = []
    for item, settings in config.enabled_rules():
        for finding in item.check(view, settings.params):
            issues.append(_issue(item, settings, finding, view))
    return issues


@lru_cache(maxsize=1)
def _default_config() -> ReviewConfig:
    return ReviewConfig()


def _issue(item: Rule, settings: RuleSettings, finding: Finding, view: FormView) -> Issue:
    title = finding.title or view.title(finding.pointer)
    shown = _show(finding.value)
    context = {**settings.params, "unit": view.unit, **finding.extra}
    message = item.template.format(field=title, value=shown, expected=finding.expected, **context)
    return Issue(code=item.id, severity=settings.severity, message=message, file=view.record.file,
                 sheet=view.record.sheet, cell=view.cell(finding.pointer), field=title, value=shown,
                 expected=str(finding.expected))


def _show(value: object, limit: int = 200) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --- configuration -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleSettings:
    enabled: bool
    severity: str
    params: Mapping[str, Any]


_SEVERITY_NAMES = {ERROR: ERROR, WARNING: WARNING, INFO: INFO, "error": ERROR, "warning": WARNING,
                   "info": INFO}


@dataclass(frozen=True)
class ReviewConfig:
    """Overrides per rule ID: ``enabled``, ``severity`` and parameters.  Checked when made, so a
    typo in a config file fails at once instead of silently doing nothing."""

    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", _checked_rules(self.rules))
        self._clear_caches()

    def _clear_caches(self) -> None:
        object.__setattr__(self, "_cache", {})  # settings per rule: asked once per form per rule
        object.__setattr__(self, "_enabled", ((), []))  # RULES as seen, the enabled ones

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self.rules}  # a copy sent to a worker process rebuilds its caches

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "rules", state["rules"])
        self._clear_caches()

    def enabled_rules(self) -> list[tuple[Rule, RuleSettings]]:
        """The rules that run, in catalogue order, with their settings (asked once per form)."""
        seen, enabled = self._enabled  # type: ignore[attr-defined]
        catalogue = tuple(RULES)
        if seen != catalogue:
            enabled = [(item, settings) for item in catalogue if (settings := self.settings(item)).enabled]
            object.__setattr__(self, "_enabled", (catalogue, enabled))
        return enabled

    def settings(self, item: Rule) -> RuleSettings:
        cache: dict[str, RuleSettings] = self._cache  # type: ignore[attr-defined]
        if item.id not in cache:
            cache[item.id] = self._settings(item)
        return cache[item.id]

    def _settings(self, item: Rule) -> RuleSettings:
        given = dict(self.rules.get(item.id, {}))
        enabled = given.pop("enabled", True)
        severity = given.pop("severity", item.severity)
        return RuleSettings(enabled, severity, {**item.defaults, **given})


def load_config(path: Path | str | None) -> ReviewConfig:
    """A review configuration from a TOML file (``[rules.TARGET-001]`` tables); defaults for None."""
    if path is None:
        return ReviewConfig()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"无法读取审核配置文件“{path}”：{exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"审核配置文件“{path}”不是 UTF-8 编码的文本。") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"审核配置文件“{path}”不是有效的 TOML：{exc}") from exc
    extra = sorted(set(data) - {"rules", "limits"})  # [limits] belongs to perfxl.config
    if extra:
        raise ValueError(f"配置中有未知的项“{'、'.join(extra)}”；只能写 [rules.规则编号] 和 [limits] 表。")
    return ReviewConfig(data.get("rules", {}))


def _checked_rules(rules: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(rules, Mapping):
        raise ValueError("审核配置的 rules 应为表，如 [rules.TARGET-001]。")
    known = rules_by_id()
    checked = {}
    for rule_id, settings in rules.items():
        if rule_id not in known:
            raise ValueError(f"审核配置中的规则“{rule_id}”不存在。可用的规则：{'、'.join(known)}。")
        if not isinstance(settings, Mapping):
            raise ValueError(f"审核配置中的规则 {rule_id} 应为表，如 [rules.{rule_id}]。")
        checked[rule_id] = {key: _checked_setting(known[rule_id], key, value) for key, value in settings.items()}
    return checked


def _checked_setting(item: Rule, key: str, value: Any) -> Any:
    if key == "enabled":
        if not isinstance(value, bool):
            raise ValueError(f"规则 {item.id} 的 enabled 应为 true 或 false，实际为 {value!r}。")
        return value
    if key == "severity":
        if value not in _SEVERITY_NAMES:
            raise ValueError(f"规则 {item.id} 的 severity 应为 {'、'.join(SEVERITIES)} 之一，实际为 {value!r}。")
        return _SEVERITY_NAMES[value]
    params = {param.name: param for param in item.params}
    if key not in params:
        names = "、".join(params) or "无"
        raise ValueError(f"规则 {item.id} 没有参数“{key}”。可用的参数：{names}（以及 enabled、severity）。")
    return _checked_param(item, params[key], value)


def _checked_param(item: Rule, param: Param, value: Any) -> Any:
    default = param.default
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value if isinstance(value, int) else Decimal(canonical_decimal(Decimal(str(value))))
        wanted = "数字"
    elif isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        wanted = "文字列表，如 [\"数量指标\"]"
    elif isinstance(value, type(default)):
        return value
    else:
        wanted = type(default).__name__
    raise ValueError(f"规则 {item.id} 的参数“{param.name}”应为{wanted}，实际为 {value!r}。")


# --- docs/rules.md -----------------------------------------------------------------------------
_DOC_INTRO = """\
# 绩效目标审核规则

<!-- Generated from perfxl/review.py by `python scripts/gen_rules_doc.py`; do not edit by hand. -->

Review (绩效目标审核) runs after schema validation, on forms that are well formed, and judges
whether their targets are acceptable. Each finding is an issue with the rule's ID as its code,
pointing at the cell involved (the main one when several are: the message names the others).

Severities: **错误** the form must be corrected; **警告** a reviewer should look and usually ask
for a correction; **提示** worth a second look.

Rules are variant-generic: the indicator framework (一级 → 二级) comes from the form variant,
amount fields from the schema (`x-perfxl-kind: amount`), and a rule whose fields or levels a
variant lacks does not apply. That a 二级 belongs to its 一级 is not a review rule: schema
validation reports it (VALUE-008), and so are required fields (VALUE-001).

## Configuration

A TOML file can turn a rule off, change its severity (错误, 警告, 提示) or its parameters.
Unknown rule IDs, parameters or values are an error, never ignored:

```toml
[rules.COVER-004]
enabled = false

[rules.TARGET-001]
severity = "错误"
min_satisfaction = 85
```

## How targets are read

{targets}

## Rules

| ID | 默认级别 | 检查 |
|---|---|---|
"""


def render_rules_markdown() -> str:
    """docs/rules.md: every rule with its severity, what it checks, message, parameters, rationale."""
    from . import targets

    reading = inspect.cleandoc(targets.__doc__ or "") + "\n\n" + _operators_markdown(targets)
    lines = [_DOC_INTRO.replace("{targets}", reading).rstrip("\n")]
    lines += [f"| [{item.id}](#{item.id.lower()}) | {item.severity} | {item.title} |" for item in RULES]
    for item in RULES:
        lines += ["", f"### {item.id}", "", f"**{item.title}** — 默认级别：{item.severity}", "",
                  item.description, "", f"消息：`{item.template}`", "", f"依据：{item.rationale}", ""]
        lines += _params_markdown(item)
    return "\n".join(lines).rstrip("\n") + "\n"


def _operators_markdown(targets: Any) -> str:
    rows = ["| 运算符 | 写在数值前 | 写在单位后 |", "|---|---|---|"]
    for operator in (targets.GE, targets.LE, targets.GT, targets.LT, targets.EQ):
        before = [w for w, op in targets.PREFIX_OPERATORS.items() if op == operator]
        after = [w for w, op in targets.SUFFIX_OPERATORS.items() if op == operator]
        rows.append(f"| {operator} | {' '.join(before)} | {' '.join(after)} |")
    return "\n".join(rows)


def _params_markdown(item: Rule) -> list[str]:
    if not item.params:
        return ["参数：无"]
    rows = ["| 参数 | 默认值 | 说明 |", "|---|---|---|"]
    for param in item.params:
        default = param.default
        shown = "[" + ", ".join(f'"{v}"' for v in default) + "]" if isinstance(default, tuple) else str(default)
        rows.append(f"| `{param.name}` | `{shown}` | {param.description} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["--markdown"]:
        print("usage: python -m perfxl.review --markdown   (prints docs/rules.md)", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(render_rules_markdown().encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
