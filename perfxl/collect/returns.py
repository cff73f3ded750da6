"""报送情况: what the roster expected and what came back, per unit and per project.

The roster is the one given to ``template --roster`` (CSV or workbook) or the manifest that
command leaves beside the templates (名单.json).  A returned form is the roster's project when it
names the same 实施单位 and 项目名称 (the same 年度 first, when the roster has one; a form with last
year's heading is still the project the office asked for, and DATE-002 says what is wrong with it).
What the tally finds is filled in by :func:`perfxl.collect.tally.tally`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..form.layout import Layout, get_layout
from ..form.variant import DEFAULT_VARIANT
from ..read.manifest import read_manifest
from ..read.roster import RosterEntry, read_roster

RETURNED, MISSING, UNKNOWN = "已交", "未交", "名单外"
# A unit's state, in the order 报送情况 lists them: who has sent nothing comes first.
UNIT_MISSING, UNIT_INCOMPLETE, UNIT_COMPLETE, UNIT_UNKNOWN = "未交", "部分未交", "齐全", "名单外单位"
UNIT_ORDER = (UNIT_MISSING, UNIT_INCOMPLETE, UNIT_COMPLETE, UNIT_UNKNOWN)


@dataclass(frozen=True)
class Expected:
    """A roster loaded for collect: where it came from, the variant it was read for, its projects."""

    source: str
    layout: Layout
    entries: list[RosterEntry]


def load_expected(path: str | Path, variant: str | None = None) -> Expected:
    """The roster at ``path``: a manifest (.json, with its own variant) or a roster CSV/workbook
    (read for ``variant``, default the default variant).  :class:`~perfxl.read.roster.RosterError`
    (a ValueError, in Chinese) for anything that cannot be used."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        layout, entries = read_manifest(path)
    else:
        layout = get_layout(variant or DEFAULT_VARIANT)
        entries = read_roster(path, layout)
    return Expected(str(path), layout, entries)


@dataclass
class ProjectReturn:
    """One project of 报送情况: the roster's (with its row) or a returned one the roster lacks."""

    unit: str
    name: str
    status: str  # RETURNED, MISSING or UNKNOWN
    row: int = 0  # the roster's row, 0 for a project the roster lacks
    errors: int = 0
    file: str = ""
    sheet: str = ""
    roster_amounts: dict[str, str] = field(default_factory=dict)  # field path → the roster's amount
    form_amounts: dict[str, str] = field(default_factory=dict)  # field path → the returned form's
    differs: list[str] = field(default_factory=list)  # titles of the amounts that differ


@dataclass
class UnitReturn:
    department: str
    unit: str
    expected: int = 0
    returned: int = 0
    with_errors: int = 0
    missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    in_roster: bool = True
    any_form: bool = False  # any form of this unit collected (in the roster or not)

    @property
    def state(self) -> str:
        if not self.in_roster:
            return UNIT_UNKNOWN
        if not self.missing:
            return UNIT_COMPLETE
        return UNIT_INCOMPLETE if self.any_form else UNIT_MISSING


@dataclass
class Returns:
    """报送情况 of a round: units in the order they are listed, projects in roster order with the
    unknown ones after each unit's, the amount fields the roster knows (path, title)."""

    source: str
    units: list[UnitReturn]
    projects: list[ProjectReturn]
    amount_fields: list[tuple[str, str]]
    amount_unit: str

    @property
    def missing_units(self) -> list[UnitReturn]:
        return [unit for unit in self.units if unit.state == UNIT_MISSING]

    @property
    def incomplete_units(self) -> list[UnitReturn]:
        return [unit for unit in self.units if unit.state == UNIT_INCOMPLETE]

    @property
    def unknown_projects(self) -> int:
        return sum(len(unit.unknown) for unit in self.units)

    def summary(self) -> dict[str, object]:
        return {"roster": self.source,
                "units_expected": sum(1 for unit in self.units if unit.in_roster),
                "projects_expected": sum(unit.expected for unit in self.units),
                "projects_returned": sum(unit.returned for unit in self.units),
                "missing_units": [unit.unit for unit in self.missing_units],
                "missing_projects": {unit.unit: unit.missing for unit in self.units if unit.missing},
                "unknown_projects": self.unknown_projects}
