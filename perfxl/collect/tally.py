"""The round summed up, in one pass over the collected forms: the sums per 实施单位 (each unit under
one 主管部门, with the amounts left out counted), what the roster expected and what came back, and
the findings on both.

Every record is read back from the store once, in input order; what is kept per unit and per
roster project is small, so memory does not grow with the forms.  The findings go into the
collection's problems (问题清单, the exit code), the sums and the roster's state to the master
(单位汇总, 报送情况) and the console summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..form.kinds import AMOUNT
from ..form.layout import get_layout
from ..form.values import canonical_decimal, get_field
from ..problems import Issue, Problem, make_issue
from .columns import Column, amount_columns, decimal_of
from .consolidate import CollectedForm, Collection
from .returns import (
    MISSING,
    RETURNED,
    UNIT_ORDER,
    UNKNOWN,
    Expected,
    ProjectReturn,
    Returns,
    UnitReturn,
)

UNITS_SHEET, RETURNS_SHEET = "单位汇总", "报送情况"
# The identities FUND-001 and FUND-002 check on each form (perfxl/check/rules.py), checked on the
# sums too: a sum that breaks one means some amount was left out or some form does not add up.
IDENTITIES = (("funding.total", ("funding.total_fiscal", "funding.total_other")),
              ("funding.annual_total", ("funding.annual_fiscal", "funding.annual_carryover", "funding.annual_other")))
MAX_NAMES = 20  # project names listed in one message


@dataclass
class UnitTotal:
    """One row of 单位汇总: a unit's sums, and per column how many amounts were not added (invalid)."""

    department: str
    unit: str
    projects: int
    sums: list[Decimal]
    left_out: list[int]


@dataclass
class Tally:
    columns: list[Column]  # the amount columns, in 项目汇总's order
    units: list[UnitTotal]  # by 主管部门, then 实施单位
    returns: Returns | None
    unit_count: int  # named units (a blank 实施单位 is not one)
    years: list[int] = field(default_factory=list)  # the 年度 the forms state, each once, ascending

    def funding_totals(self) -> dict[str, Decimal]:
        """项目资金总额 per amount unit (元 and 万元 are never added together)."""
        totals: dict[str, Decimal] = {}
        if not self.units:
            return totals
        for i, column in enumerate(self.columns):
            if column.path == "funding.total":
                totals[column.unit] = sum((unit.sums[i] for unit in self.units), Decimal(0))
        return totals


# --- per row: what was left out, what does not add up ------------------------------------------
def left_out_text(columns: list[Column], left_out: list[int]) -> str:
    """``2 个金额无效未计入（项目资金总额 1、其他资金 1）``, or ``无`` when every amount was added."""
    counted = [(column.title, count) for column, count in zip(columns, left_out) if count]
    if not counted:
        return "无"
    detail = "、".join(f"{title.removeprefix('其中：')} {count}" for title, count in counted)
    return f"{sum(count for _, count in counted)} 个金额无效未计入（{detail}）"


@dataclass(frozen=True)
class Gap:
    total: int  # column index of the total
    parts: tuple[int, ...]
    total_sum: Decimal
    parts_sum: Decimal


def gaps(columns: list[Column], sums: list[Decimal]) -> list[Gap]:
    """The :data:`IDENTITIES` a row of sums breaks, per amount unit."""
    index = {(column.path, column.unit): i for i, column in enumerate(columns)}
    found = []
    for unit in dict.fromkeys(column.unit for column in columns):
        for total_path, part_paths in IDENTITIES:
            wanted = [index.get((path, unit)) for path in (total_path, *part_paths)]
            if None in wanted:
                continue
            total, *parts = wanted
            parts_sum = sum((sums[i] for i in parts), Decimal(0))
            if sums[total] != parts_sum:
                found.append(Gap(total, tuple(parts), sums[total], parts_sum))
    return found


def gap_text(columns: list[Column], row_gaps: list[Gap]) -> str:
    """For the 核对 column: ``项目资金总额 4.0344 ≠ 财政资金 + 其他资金 77.0744``, or ``一致``."""
    if not row_gaps:
        return "一致"
    return "；".join(f"{columns[gap.total].title} {_number(gap.total_sum)} ≠ {_parts(columns, gap)} "
                    f"{_number(gap.parts_sum)}" for gap in row_gaps)


def _parts(columns: list[Column], gap: Gap) -> str:
    return " + ".join(columns[i].title.removeprefix("其中：").removesuffix("（年度）") for i in gap.parts)


def _number(value: Decimal) -> str:
    return canonical_decimal(value)


# --- the pass --------------------------------------------------------------------------------
@dataclass
class _Unit:
    projects: int = 0
    departments: dict[str, int] = field(default_factory=dict)  # spelling → forms, in order of appearance
    sums: list[Decimal] = field(default_factory=list)
    left_out: list[int] = field(default_factory=list)


def tally(collection: Collection, expected: Expected | None = None) -> Tally:
    """Sum the collection up (once: the result is kept on it) and add the findings to its problems."""
    if collection.tally is not None:
        return collection.tally
    columns = amount_columns(collection)
    units: dict[str, _Unit] = {}
    matcher = _Matcher(expected) if expected is not None else None
    plans: dict[str, list[tuple[int, str, str, Any]]] = {}  # variant → the columns it fills
    years: set[int] = set()
    for item in collection.forms:
        record = item.record  # read back once per form: a city's records are never all in memory
        form = record.form
        name = _text(form.get("implementing_unit"))
        unit = units.get(name)
        if unit is None:
            unit = units[name] = _Unit(sums=[Decimal(0)] * len(columns), left_out=[0] * len(columns))
        unit.projects += 1
        department = _text(form.get("department"))
        year = form.get("year")
        if isinstance(year, int) and not isinstance(year, bool):
            years.add(year)
        unit.departments[department] = unit.departments.get(department, 0) + 1
        plan = plans.get(record.variant)
        if plan is None:
            plan = plans[record.variant] = _plan(columns, record.variant)
        for i, path, pointer, counts in plan:
            value = get_field(form, path)
            if value is None or value == "":
                # a cell the reader could not take as an amount is reported, and not in the form
                unit.left_out[i] += pointer in record.reported
            elif counts(value):  # an amount reported invalid never enters a total: it is counted
                unit.sums[i] += decimal_of(value)
            else:
                unit.left_out[i] += 1
        if matcher is not None:
            matcher.see(item, name)
    findings: list[Issue] = []
    rows = _unit_rows(units, expected, findings)
    for row in rows:
        findings += _gap_findings(columns, row)
    returns = matcher.finish(rows, units, findings) if matcher is not None else None
    result = Tally(columns, rows, returns, len(set(units) - {""}), sorted(years))
    if findings:
        collection.problem_chunks.append(findings)
    collection.tally = result
    return result


def _plan(columns: list[Column], variant: str) -> list[tuple[int, str, str, Any]]:
    """The amount columns a variant fills (元 and 万元 never share one): index, field path, its
    pointer in the record's cells, and whether a value may enter the sum."""
    layout = get_layout(variant)
    plan = []
    for i, column in enumerate(columns):
        slot = layout.slot_by_path.get(column.path)
        if slot is not None and slot.kind == AMOUNT and slot.unit == column.unit:
            plan.append((i, column.path, column.path.replace(".", "/"), column.counts))
    return plan


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _most_frequent(counts: dict[str, int]) -> str:
    """The spelling most forms use (the first seen among equals); a blank one only when all are."""
    named = {spelling: count for spelling, count in counts.items() if spelling}
    return max(named, key=named.__getitem__) if named else ""


def _unit_rows(units: dict[str, _Unit], expected: Expected | None, findings: list[Issue]) -> list[UnitTotal]:
    """Each unit under one 主管部门: the roster's when it lists the unit, else its forms' most frequent
    spelling; other spellings among its forms are a finding (COLLECT-004)."""
    listed: dict[str, dict[str, int]] = {}
    for entry in expected.entries if expected is not None else []:
        spellings = listed.setdefault(entry.unit, {})
        department = _text(entry.form.get("department"))
        spellings[department] = spellings.get(department, 0) + 1
    rows = []
    for name, unit in units.items():
        from_roster = _most_frequent(listed.get(name, {}))
        department = from_roster or _most_frequent(unit.departments)
        others = {spelling: count for spelling, count in unit.departments.items() if spelling and spelling != department}
        if others:
            basis = "按名单" if from_roster else "按多数表单的写法"
            shown = "、".join(f"“{spelling}”（{count} 张）" for spelling, count in others.items())
            findings.append(make_issue(Problem.COLLECT_004, sheet=UNITS_SHEET, field="主管部门", value=name,
                                       expected=department, basis=basis, others=shown))
        rows.append(UnitTotal(department, name, unit.projects, unit.sums, unit.left_out))
    return sorted(rows, key=lambda row: (row.department, row.unit))


def _gap_findings(columns: list[Column], row: UnitTotal) -> list[Issue]:
    """A unit whose sums break an identity (COLLECT-005): the 小计 and 合计 above it break it only
    through such a unit, sums of balanced rows being balanced."""
    issues = []
    for gap in gaps(columns, row.sums):
        involved = (gap.total, *gap.parts)
        left_out = sum(row.left_out[i] for i in involved)
        why = (f"有 {left_out} 个金额无效未计入" if left_out
               else "所含表单中有总额未填或分项之和与总额不等的，见问题清单中的 FUND 规则")
        issues.append(make_issue(Problem.COLLECT_005, sheet=UNITS_SHEET, field=columns[gap.total].title,
                                 value=row.unit, total=_number(gap.total_sum), parts=_parts(columns, gap),
                                 expected=_number(gap.parts_sum), unit=columns[gap.total].unit, why=why))
    return issues


# --- the roster ------------------------------------------------------------------------------
class _Matcher:
    """Returned forms matched to the roster's projects as they pass (the roster is in memory anyway)."""

    def __init__(self, expected: Expected) -> None:
        self.expected = expected
        layout = expected.layout
        self.amounts = [(slot.path, slot.title) for slot in layout.slots if slot.kind == AMOUNT
                        and any(get_field(entry.form, slot.path) is not None for entry in expected.entries)]
        self.projects = [ProjectReturn(entry.unit, _text(entry.form.get("project_name")), MISSING, entry.row,
                                       roster_amounts={path: str(get_field(entry.form, path))
                                                       for path, _ in self.amounts
                                                       if get_field(entry.form, path) is not None})
                         for entry in expected.entries]
        self.exact: dict[tuple[str, str, str], int] = {}
        self.loose: dict[tuple[str, str], list[int]] = {}
        for index, (entry, project) in enumerate(zip(expected.entries, self.projects)):
            self.exact.setdefault((_text(entry.form.get("year")), project.unit, project.name), index)
            self.loose.setdefault((project.unit, project.name), []).append(index)
        self.unknown: list[ProjectReturn] = []
        self.findings: list[Issue] = []

    def _match(self, year: str, unit: str, name: str) -> int | None:
        index = self.exact.get((year, unit, name))
        if index is not None and self.projects[index].status == MISSING:
            return index
        return next((i for i in self.loose.get((unit, name), []) if self.projects[i].status == MISSING), None)

    def see(self, item: CollectedForm, unit: str) -> None:
        record = item.record
        form = record.form
        name = _text(form.get("project_name"))
        index = self._match(_text(form.get("year")), unit, name)
        if index is None:
            self.unknown.append(ProjectReturn(unit, name, UNKNOWN, errors=item.errors, file=item.file.path,
                                              sheet=record.sheet))
            self.findings.append(make_issue(Problem.ROSTER_003, file=item.file.path, sheet=record.sheet,
                                            cell=record.cells.get("project_name", ""), field="项目名称",
                                            value=name, unit=unit, roster=self.expected.source))
            return
        project = self.projects[index]
        project.status, project.errors, project.file, project.sheet = RETURNED, item.errors, item.file.path, record.sheet
        layout = get_layout(record.variant)
        for path, title in self.amounts:
            value = get_field(form, path)
            if value is None:
                continue
            project.form_amounts[path] = str(value)
            listed = project.roster_amounts.get(path)
            slot = layout.slot_by_path.get(path)
            if (listed is None or slot is None or not slot.accepts(value)
                    or layout.amount_unit != self.expected.layout.amount_unit):
                continue  # nothing to compare with, or an invalid amount (reported already), or 元 against 万元
            if Decimal(value) != Decimal(listed):
                project.differs.append(title)
                self.findings.append(make_issue(Problem.ROSTER_004, file=item.file.path, sheet=record.sheet,
                                                cell=record.cells.get(path.replace(".", "/"), ""), field=title,
                                                value=value, expected=listed, unit=layout.amount_unit,
                                                row=project.row))

    def finish(self, rows: list[UnitTotal], units: dict[str, _Unit], findings: list[Issue]) -> Returns:
        department_of = {row.unit: row.department for row in rows}
        by_unit: dict[str, UnitReturn] = {}
        for entry, project in zip(self.expected.entries, self.projects):
            unit = by_unit.get(project.unit)
            if unit is None:
                department = department_of.get(project.unit) or _text(entry.form.get("department"))
                unit = by_unit[project.unit] = UnitReturn(department, project.unit, any_form=project.unit in units)
            unit.expected += 1
            if project.status == RETURNED:
                unit.returned += 1
                unit.with_errors += project.errors > 0
            else:
                unit.missing.append(project.name)
        for project in self.unknown:
            unit = by_unit.get(project.unit)
            if unit is None:
                unit = by_unit[project.unit] = UnitReturn(department_of.get(project.unit, ""), project.unit,
                                                          in_roster=False, any_form=True)
            unit.unknown.append(project.name)
        ordered = sorted(by_unit.values(), key=lambda unit: UNIT_ORDER.index(unit.state))  # stable: roster order
        projects_of: dict[str, list[ProjectReturn]] = {}
        for project in self.projects + self.unknown:  # each unit's roster projects, then its unknown ones
            projects_of.setdefault(project.unit, []).append(project)
        for unit in ordered:
            findings += self._missing_findings(unit, projects_of[unit.unit])
        findings += self.findings
        projects = [project for unit in ordered for project in projects_of[unit.unit]]
        return Returns(self.expected.source, ordered, projects, self.amounts, self.expected.layout.amount_unit)

    def _missing_findings(self, unit: UnitReturn, projects: list[ProjectReturn]) -> list[Issue]:
        """未交 is an error: one for a unit that sent nothing (ROSTER-001), else one per project (ROSTER-002)."""
        source = self.expected.source
        if not unit.missing:
            return []
        if not unit.any_form:
            more = f" 等 {len(unit.missing)} 个" if len(unit.missing) > MAX_NAMES else ""
            return [make_issue(Problem.ROSTER_001, file=source, sheet=RETURNS_SHEET, field="实施单位", value=unit.unit,
                               expected="、".join(unit.missing[:MAX_NAMES]) + more, count=len(unit.missing))]
        return [make_issue(Problem.ROSTER_002, file=source, sheet=RETURNS_SHEET, field="项目名称", value=project.name,
                           unit=unit.unit, row=project.row)
                for project in projects if project.status == MISSING]
