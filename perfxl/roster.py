"""The roster: which units fill which projects, and what is already known about them.

A roster is a CSV (UTF-8, with or without BOM) or a workbook whose first sheet has a header row.
Column headers are the Chinese titles of form fields in the schema (主管部门, 实施单位, 年度, 项目名称,
项目类别, 项目资金总额 …), so a new field in the schema is a new roster column with no code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from .layout import Layout, Slot
from .values import ValueProblem, convert_cell, is_blank, text_from_cell

REQUIRED_COLUMNS = ("implementing_unit", "project_name")


class RosterError(ValueError):
    """A roster that cannot be used; the message is Chinese and names the row and column."""


@dataclass(frozen=True)
class RosterEntry:
    row: int  # 1-based row in the roster file, for messages
    form: dict[str, Any]  # a partial form: only what the roster knows

    @property
    def unit(self) -> str:
        return self.form["implementing_unit"]


def read_roster(path: str | Path, layout: Layout) -> list[RosterEntry]:
    path = Path(path)
    rows = _rows(path)
    if not rows:
        raise RosterError(f"名单文件“{path.name}”是空的。")
    header = [text_from_cell(c) for c in rows[0]]
    by_title: dict[str, Slot] = {slot.title: slot for slot in layout.slots}
    columns: dict[int, Slot] = {}
    for index, title in enumerate(header):
        if not title:
            continue
        if title not in by_title:
            known = "、".join(dict.fromkeys(by_title))
            raise RosterError(f"名单文件“{path.name}”第 1 行：列名“{title}”不是表单字段。可用的列名：{known}。")
        columns[index] = by_title[title]
    missing = [slot.title for slot in layout.slots if slot.path in REQUIRED_COLUMNS
               and slot not in columns.values()]
    if missing:
        raise RosterError(f"名单文件“{path.name}”缺少必需的列：{'、'.join(missing)}。")
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        if all(is_blank(c) for c in row):
            continue
        form: dict[str, Any] = {}
        for index, slot in columns.items():
            raw = row[index] if index < len(row) else ""
            if is_blank(raw):
                continue
            try:
                value = convert_cell(slot.kind, raw, decimals=slot.decimals)
            except ValueProblem:
                raise RosterError(f"名单文件“{path.name}”第 {number} 行“{slot.title}”：无法识别的值“{raw}”。") from None
            _set(form, slot.path, value)
        for required in REQUIRED_COLUMNS:
            if not form.get(required):
                title = layout.slot_by_path[required].title
                raise RosterError(f"名单文件“{path.name}”第 {number} 行：“{title}”不能为空。")
        entries.append(RosterEntry(number, form))
    return entries


def _rows(path: Path) -> list[list[Any]]:
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [row for row in csv.reader(handle)]
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise RosterError(f"无法读取名单文件“{path.name}”：{exc}") from None
    return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def _set(form: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = form
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def group_by_unit(entries: list[RosterEntry]) -> dict[str, list[RosterEntry]]:
    groups: dict[str, list[RosterEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.unit, []).append(entry)
    return groups
