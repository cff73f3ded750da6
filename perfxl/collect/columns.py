"""The master's columns, read from the schemas: what 项目汇总 shows and what 单位汇总 sums.

Shared by the master, the CSV export and the tally of the round (:mod:`perfxl.collect.tally`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Sequence

from ..check.monitoring import (
    GREEN,
    RED,
    YELLOW,
    indicator_statuses,
    monitoring_outputs,
)
from ..check.scoring import SelfEvaluationScore, score_self_evaluation
from ..check.selfeval import RATE
from ..config import (
    DEFAULT_MONITORING,
    DEFAULT_SCORING,
    MonitoringConfig,
    ScoringConfig,
)
from ..form.kinds import AMOUNT, DATE, INDEX, INTEGER, TEXT
from ..form.layout import Layout, get_layout
from ..form.marks import PROVENANCE_HEADERS
from ..form.values import get_field
from ..form.variant import DEFAULT_VARIANT, MONITORING_KIND, SELF_EVAL_KIND
from .consolidate import CollectedForm, Collection

LEADING_FIELDS = ("department", "implementing_unit", "year", "project_name")  # who and what, first


@dataclass(frozen=True)
class Column:
    """One master column: header, how to get its value from a collected form, and its kind."""

    header: str
    get: Callable[[CollectedForm], Any]
    kind: str = TEXT  # how its values are written: TEXT, AMOUNT, DATE, INTEGER or INDEX
    counts: Callable[[Any], bool] = lambda value: True  # may the value enter a total (a valid amount)
    path: str = ""  # the form field it shows (dotted), "" for the columns that are not a field
    unit: str = ""  # amounts: 万元 or 元
    title: str = ""  # the field's title, without the unit
    level1: str = ""  # an indicator count: the 一级指标 it counts
    # a field column: the variants that fill it (``get`` is the field's value for a form of one of
    # them, else None); lets a caller holding the record read the field without ``get``
    variants: frozenset[str] | None = None


def _only_for(variants: set[str], get: Callable[[CollectedForm], Any]) -> Callable[[CollectedForm], Any]:
    """Amounts in 元 and in 万元 must never share a column: each variant fills its own."""
    return lambda item: get(item) if item.record.variant in variants else None


def _field(path: str) -> Callable[[CollectedForm], Any]:
    return lambda item: get_field(item.record.form, path)


def collection_columns(collection: Collection) -> list[Column]:
    """项目汇总's columns for this collection (its variants, its scoring)."""
    return project_columns(layouts_of(collection), collection.scoring, collection.monitoring)


def layouts_of(collection: Collection) -> list[Layout]:
    """The variants present, in order of first appearance (the default variant when empty)."""
    names = collection.variants() or [DEFAULT_VARIANT]
    return [get_layout(name) for name in names]


class Scores:
    """A self-evaluation's score, computed once per collected form (its columns ask in turn)."""

    def __init__(self, scoring: ScoringConfig | None):
        self.scoring = scoring or DEFAULT_SCORING
        self.last: tuple[int, SelfEvaluationScore | None] | None = None

    def of(self, item: CollectedForm) -> SelfEvaluationScore | None:
        if self.last is None or self.last[0] != id(item):
            scored = (score_self_evaluation(item.record.form, self.scoring)
                      if get_layout(item.variant).kind == SELF_EVAL_KIND else None)
            self.last = (id(item), scored)
        return self.last[1]


def has_self_evaluations(layouts: Sequence[Layout]) -> bool:
    return any(layout.kind == SELF_EVAL_KIND for layout in layouts)


# --- a monitoring table's indicator columns: what the unit reported, and perfxl's 监控状态 --------
STATUS_HEADER = "监控状态"


def _monitoring_layout(layouts: Sequence[Layout]) -> Layout | None:
    return next((layout for layout in layouts if layout.kind == MONITORING_KIND), None)


def _reported_parts(layout: Layout) -> list[str]:
    return [column.part for column in layout.indicator_columns if column.part not in ("name", "target")]


def monitoring_indicator_columns(layouts: Sequence[Layout]) -> list[tuple[str, str]]:
    """(header, kind) of 绩效指标明细's columns for monitoring tables, after the others: the
    kind's further indicator columns (1–N月实际完成值 … 备注, by their schema titles) and 监控状态
    (绿/黄/红, :mod:`perfxl.check.monitoring`); none when the collection has no monitoring table."""
    layout = _monitoring_layout(layouts)
    if layout is None:
        return []
    return [(layout.indicator_titles[part], TEXT) for part in _reported_parts(layout)] + [(STATUS_HEADER, TEXT)]


def monitoring_indicator_values(item: CollectedForm, layouts: Sequence[Layout],
                                monitoring: MonitoringConfig | None = None) -> list[list[Any]]:
    """Per indicator of ``item`` the values of those columns (blank for a form of another kind),
    its 监控状态 by the numbers of ``monitoring`` (``[monitoring]``; the defaults for None)."""
    layout = _monitoring_layout(layouts)
    if layout is None:
        return []
    own = get_layout(item.variant)
    items = item.record.form.get(own.indicator_field) if isinstance(item.record.form, dict) else None
    count = len(items) if isinstance(items, list) else 0
    if own.kind != MONITORING_KIND:
        return [[None] * (len(_reported_parts(layout)) + 1) for _ in range(count)]
    statuses = {status.index: status.status
                for status in indicator_statuses(item.record.form, own, monitoring or DEFAULT_MONITORING)}
    return [[ind.get(part) if isinstance(ind, dict) else None for part in _reported_parts(layout)] + [statuses.get(index)]
            for index, ind in enumerate(items)]


def monitoring_columns(scoring: ScoringConfig | None, monitoring: MonitoringConfig | None = None) -> list[Column]:
    """项目汇总's columns for monitoring tables, as perfxl computes them: 1–N月执行率 and the
    number of indicators red, yellow and green (blank for a form of another kind)."""
    config = scoring or DEFAULT_SCORING
    last: list[Any] = [None, None]

    def statuses(item: CollectedForm) -> list[str | None] | None:
        if last[0] != id(item):
            layout = get_layout(item.variant)
            last[:] = [id(item), [s.status for s in indicator_statuses(item.record.form, layout,
                                                                       monitoring or DEFAULT_MONITORING)]
                       if layout.kind == MONITORING_KIND else None]
        return last[1]

    def rate(item: CollectedForm) -> Any:
        layout = get_layout(item.variant)
        if layout.kind != MONITORING_KIND or not isinstance(item.record.form, dict):
            return None
        return monitoring_outputs(item.record.form, layout, config).get(RATE)

    def count(status: str) -> Callable[[CollectedForm], Any]:
        def value(item: CollectedForm) -> Any:
            found = statuses(item)
            return None if found is None else found.count(status)
        return value

    return [Column("1–N月执行率（%）", rate, AMOUNT)] + [
        Column(f"{name}色指标数", count(status), INTEGER) for status, name in ((RED, "红"), (YELLOW, "黄"), (GREEN, "绿"))]


def score_columns(scoring: ScoringConfig | None) -> list[Column]:
    """项目汇总's score columns for self-evaluations, as perfxl computes them (never the workbook's
    formulas): 执行率, the funds row's 得分, the 总分 and the 自评等级 (blank where a row cannot be
    scored: the findings say why)."""
    scores = Scores(scoring)

    def get(what: Callable[[SelfEvaluationScore], Any]) -> Callable[[CollectedForm], Any]:
        def value(item: CollectedForm) -> Any:
            scored = scores.of(item)
            return None if scored is None else what(scored)
        return value

    return [Column("执行率（%）", get(lambda s: s.execution_rate), AMOUNT),
            Column("资金得分", get(lambda s: s.funds.score), AMOUNT),
            Column("总分", get(lambda s: s.total), AMOUNT),
            Column("自评等级", get(lambda s: s.grade))]


def project_columns(layouts: Sequence[Layout], scoring: ScoringConfig | None = None,
                    monitoring: MonitoringConfig | None = None) -> list[Column]:
    """项目汇总 columns from the schemas: identity first, then every field in schema order, then
    indicator counts per 一级, the scores of self-evaluations, problem counts and provenance.  A
    field a variant lacks stays empty."""
    slots: dict[str, Any] = {}
    variants_of: dict[str, set[str]] = {}
    for layout in layouts:
        order = _schema_paths(layout)
        for slot in sorted(layout.slots, key=lambda s: order.index(s.path) if s.path in order else 99):
            key = f"{slot.path}@{slot.unit}" if slot.kind == AMOUNT else slot.path
            slots.setdefault(key, slot)
            variants_of.setdefault(key, set()).add(layout.variant.name)
    keys = [k for k in LEADING_FIELDS if k in slots] + [k for k in slots if k not in LEADING_FIELDS]
    columns = [Column("序号", lambda item: None, INDEX)]
    for key in keys:
        slot = slots[key]
        header = f"{slot.title}（{slot.unit}）" if slot.kind == AMOUNT else slot.title
        kind = slot.kind if slot.kind in (AMOUNT, DATE, INTEGER) else TEXT
        columns.append(Column(header, _only_for(variants_of[key], _field(slot.path)), kind, slot.accepts,
                              slot.path, slot.unit if slot.kind == AMOUNT else "", slot.title,
                              variants=frozenset(variants_of[key])))
    level1s = list(dict.fromkeys(l1 for layout in layouts for l1 in layout.framework))
    for level1 in level1s:
        columns.append(Column(f"{level1}数", _count_level1(level1), INTEGER, level1=level1))
    if has_self_evaluations(layouts):
        columns += score_columns(scoring)
    if _monitoring_layout(layouts) is not None:
        columns += monitoring_columns(scoring, monitoring)
    source, sheet = PROVENANCE_HEADERS
    columns += [Column("错误数", lambda item: item.errors, INTEGER),
                Column("警告数", lambda item: item.warnings, INTEGER),
                Column(source, lambda item: item.file.path),
                Column(sheet, lambda item: item.record.sheet)]
    return columns


def amount_columns(collection: Collection) -> list[Column]:
    """The columns 单位汇总 sums: every amount field, per amount unit."""
    # the fields' amounts (a path), never the scores of self-evaluations, which are not summed
    return [column for column in project_columns(layouts_of(collection)) if column.kind == AMOUNT and column.path]


def _schema_paths(layout: Layout) -> list[str]:
    paths = []
    for key, sub in layout.variant.schema["properties"].items():
        props = layout.variant.resolve(sub).get("properties")
        paths += [f"{key}.{child}" for child in props] if props else [key]
    return paths


def _count_level1(level1: str) -> Callable[[CollectedForm], int]:
    def count(item: CollectedForm) -> int:
        return sum(1 for ind in item.record.indicator_items() if ind.get("level1") == level1)
    return count


def decimal_of(value: Any) -> Decimal:
    """An amount for sums; anything that is not a finite number (text, NaN, Infinity from JSON)
    counts 0 here and is reported by validation."""
    try:
        number = Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except ArithmeticError:
        return Decimal(0)
    return number if number.is_finite() else Decimal(0)
