"""Per 实施单位, how the later rounds came out: a self-evaluation master's 自评等级分布 (projects by
自评等级 优/良/中/差, and the average 总分) and a monitoring master's 监控状态分布 (indicators by
监控状态 红/黄/绿).  Counted here, written by :mod:`perfxl.collect.master` with a stacked chart.

Scores and statuses are perfxl's own (:mod:`perfxl.check.scoring`, :mod:`perfxl.check.monitoring`),
the same that 项目汇总 shows; never the workbook's formulas."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Sequence

from ..check.monitoring import GREEN, RED, YELLOW, indicator_statuses
from ..config import DEFAULT_MONITORING, DEFAULT_SCORING
from ..form.layout import get_layout
from ..form.variant import MONITORING_KIND, SELF_EVAL_KIND
from .columns import Scores
from .consolidate import Collection

GRADES_SHEET, STATUS_SHEET = "自评等级分布", "监控状态分布"
NO_UNIT = "（未填写实施单位）"


@dataclass
class UnitCounts:
    """One unit's row: its projects of the round, counts per category (in the order of
    :attr:`Distribution.categories`), the projects or indicators that have none (not scored, or
    no 完成目标可能性), and the exact sum of 总分 over its scored projects."""

    unit: str
    projects: int = 0
    counts: list[int] = field(default_factory=list)
    unjudged: int = 0
    total: Decimal = Decimal(0)

    def average(self) -> Decimal | None:
        """The mean 总分 of the scored projects, exact, rounded half up to 2 decimals for display."""
        scored = sum(self.counts)
        if not scored:
            return None
        return (self.total / scored).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Distribution:
    """A distribution sheet: its name, what it counts, the categories (and their chart colours),
    one row per unit in order of first appearance, and the sum over all units (合计)."""

    sheet: str
    counted: str  # 项目 or 指标: what the category columns count
    categories: list[str]
    colours: list[str]
    units: list[UnitCounts]
    scored: bool  # a self-evaluation's: with the average 总分

    def overall(self) -> UnitCounts:
        total = UnitCounts("合计", counts=[0] * len(self.categories))
        for unit in self.units:
            total.projects += unit.projects
            total.counts = [a + b for a, b in zip(total.counts, unit.counts)]
            total.unjudged += unit.unjudged
            total.total += unit.total
        return total


GRADE_COLOURS = ["#2E7D32", "#1565C0", "#F9A825", "#C62828"]  # 优 良 中 差
STATUS_COLOURS = ["#C62828", "#F9A825", "#2E7D32"]  # 红 黄 绿, as the lights


def distributions(collection: Collection, order: Sequence[str] = ()) -> list[Distribution]:
    """The distribution sheets this collection gets (none for target tables alone), counted in one
    pass over its forms; units in ``order`` (单位汇总's), any other after them as they appear."""
    config = collection.scoring or DEFAULT_SCORING
    grades = [name for name, _ in config.grades] + [config.lowest_grade]
    lights = [RED, YELLOW, GREEN]
    by_grade: dict[str, UnitCounts] = {}
    by_light: dict[str, UnitCounts] = {}
    scores = Scores(config)
    for item in collection.forms:
        layout = get_layout(item.variant)
        if layout.kind not in (SELF_EVAL_KIND, MONITORING_KIND):
            continue  # a target table counts in neither: its record is not read back
        form = item.record.form if isinstance(item.record.form, dict) else {}
        unit_name = form.get("implementing_unit")
        name = unit_name if isinstance(unit_name, str) and unit_name else NO_UNIT
        if layout.kind == SELF_EVAL_KIND:
            unit = by_grade.setdefault(name, UnitCounts(name, counts=[0] * len(grades)))
            unit.projects += 1
            scored = scores.of(item)
            if scored is not None and scored.grade in grades and scored.total is not None:
                unit.counts[grades.index(scored.grade)] += 1
                unit.total += scored.total
            else:
                unit.unjudged += 1
        elif layout.kind == MONITORING_KIND:
            unit = by_light.setdefault(name, UnitCounts(name, counts=[0] * len(lights)))
            unit.projects += 1
            for status in indicator_statuses(form, layout, collection.monitoring or DEFAULT_MONITORING):
                if status.status in lights:
                    unit.counts[lights.index(status.status)] += 1
                else:
                    unit.unjudged += 1
    rank = {name or NO_UNIT: index for index, name in enumerate(order)}

    def ordered(units: dict[str, UnitCounts]) -> list[UnitCounts]:
        return sorted(units.values(), key=lambda unit: rank.get(unit.unit, len(rank)))  # stable: appearance

    found = []
    if by_grade:
        found.append(Distribution(GRADES_SHEET, "项目", grades, GRADE_COLOURS,
                                  ordered(by_grade), True))
    if by_light:
        found.append(Distribution(STATUS_SHEET, "指标", [f"{light}色" for light in lights], STATUS_COLOURS,
                                  ordered(by_light), False))
    return found
