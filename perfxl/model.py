"""The records every step passes on: a form read from one sheet, everything read from one file.

They live here, not in a reader, so that checking, collecting and writing out depend on what a
form *is*, never on how it was read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .form.layout import get_layout
from .problems import Issue


@dataclass
class FormRecord:
    """One form read from one sheet, with where each value came from."""

    file: str
    sheet: str
    variant: str
    form: dict[str, Any]
    cells: dict[str, str]  # JSON-pointer-ish path ("funding/total", "indicators/3/name") → "C6"
    form_id: str = ""
    issues: list[Issue] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)  # paths whose problems are already reported
    foreign: bool = False  # read from a workbook perfxl did not write (no identity sheet)
    # The saved values of the cells perfxl fills (a self-evaluation's 分值, 执行率, 得分, 总分 …),
    # by pointer: never part of the form, only compared with what perfxl computes.
    outputs: dict[str, Any] = field(default_factory=dict)

    # A form from JSON may have any shape; consumers of collected forms read it through these.
    def group(self, key: str) -> dict[str, Any]:
        value = self.form.get(key) if isinstance(self.form, dict) else None
        return value if isinstance(value, dict) else {}

    def indicator_items(self) -> list[dict[str, Any]]:
        key = get_layout(self.variant).indicator_field
        value = self.form.get(key) if isinstance(self.form, dict) else None
        return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


@dataclass
class WorkbookResult:
    """Everything read from one file: its forms and the problems that belong to no form."""

    file: str
    forms: list[FormRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    saved: str = ""  # when the workbook says it was last saved (ISO; "" unknown): evidence between versions
    output: str = ""  # which of perfxl's own outputs the file is (汇总表 …): then it holds no forms

    @property
    def all_issues(self) -> list[Issue]:
        return self.issues + [issue for form in self.forms for issue in form.issues]


@dataclass
class Checked:
    """One input file after reading and validation."""

    result: WorkbookResult

    @property
    def forms(self) -> list[FormRecord]:
        return self.result.forms

    @property
    def issues(self) -> list[Issue]:
        return self.result.all_issues
