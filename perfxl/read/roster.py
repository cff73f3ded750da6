"""The roster: which units fill which projects, and what is already known about them.

A roster is a CSV (UTF-8, with or without BOM, or GBK as a Chinese Excel saves it) or a workbook
whose first sheet has a header row.  Column headers are the Chinese titles of form fields in the
schema (主管部门, 实施单位, 年度, 项目名称, 项目类别, 项目资金总额 …), so a new field in the schema is a
new roster column with no code.  One row per project; a project listed twice is an error.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from ..config import DEFAULT_LIMITS
from ..form.identity import describe_identity, identity_values
from ..form.layout import Layout, Slot
from ..form.values import (
    ValueProblem,
    convert_cell,
    is_blank,
    set_field,
    text_from_cell,
)
from .gate import Refused, check_bytes_safety, read_input

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


def read_roster(path: str | Path, layout: Layout, *, year: int | None = None) -> list[RosterEntry]:
    """The roster's projects, each a partial form; ``year`` sets 年度 on every one (overriding
    the roster's).  :class:`RosterError` for anything that cannot be used, naming row and column."""
    path = Path(path)
    rows = _rows(path)
    if not rows:
        raise RosterError(f"名单文件“{path.name}”是空的。")
    columns = _columns(path, rows[0], layout)
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        if all(is_blank(c) for c in row):
            continue
        form = _form(path, number, row, columns, layout)
        if year is not None:
            form["year"] = year
        entries.append(RosterEntry(number, form))
    if not entries:
        raise RosterError(f"名单中没有项目：名单文件“{path.name}”只有表头，没有项目行。")
    _check_unique(path, entries, layout)
    return entries


def _columns(path: Path, header_row: list[Any], layout: Layout) -> dict[int, Slot]:
    header = [text_from_cell(c) for c in header_row]
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
    return columns


def _form(path: Path, number: int, row: list[Any], columns: dict[int, Slot], layout: Layout) -> dict[str, Any]:
    form: dict[str, Any] = {}
    for index, slot in columns.items():
        raw = row[index] if index < len(row) else ""
        if is_blank(raw):
            continue
        try:
            value = convert_cell(slot.kind, raw, decimals=slot.decimals, unit=slot.unit)
        except ValueProblem:
            raise RosterError(f"名单文件“{path.name}”第 {number} 行“{slot.title}”：无法识别的值“{raw}”。") from None
        set_field(form, slot.path, value)
    for required in REQUIRED_COLUMNS:
        if not form.get(required):
            title = layout.slot_by_path[required].title
            raise RosterError(f"名单文件“{path.name}”第 {number} 行：“{title}”不能为空。")
    return form


def _check_unique(path: Path, entries: list[RosterEntry], layout: Layout) -> None:
    """One project once: two rows with one identity (年度, 实施单位, 项目名称) would be one form."""
    seen: dict[tuple[str, ...], int] = {}
    for entry in entries:
        key = identity_values(layout, entry.form)
        if key in seen:
            raise RosterError(f"名单文件“{path.name}”第 {seen[key]} 行与第 {entry.row} 行重复："
                              f"{describe_identity(layout, entry.form)}都相同。同一项目只能列一次。")
        seen[key] = entry.row


def _rows(path: Path) -> list[list[Any]]:
    if path.suffix.lower() == ".csv":
        return list(csv.reader(io.StringIO(_csv_text(path), newline="")))
    try:  # a roster workbook passes the same gate as a returned one before calamine sees it
        data = read_input(path, DEFAULT_LIMITS)
        check_bytes_safety(data, DEFAULT_LIMITS)
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Refused as refused:
        raise RosterError(f"无法读取名单文件“{path.name}”：{refused.message}。") from None
    except Exception as exc:
        raise RosterError(f"无法读取名单文件“{path.name}”：{exc}") from None
    return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def _csv_text(path: Path) -> str:
    """A CSV as Excel saves it: UTF-8 (with or without BOM), or GBK/GB18030 from a Chinese Excel."""
    try:
        if path.stat().st_size > DEFAULT_LIMITS.max_file_bytes:
            raise RosterError(f"名单文件“{path.name}”过大（上限 {DEFAULT_LIMITS.max_file_bytes // 1024 // 1024} MB）。")
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"无法读取名单文件“{path.name}”：{exc.strerror or exc}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError(f"名单文件“{path.name}”的编码无法识别：应为 UTF-8 或 GBK（在 Excel 中另存为“CSV UTF-8”即可）。")



def group_by_unit(entries: list[RosterEntry]) -> dict[str, list[dict[str, Any]]]:
    """Each 实施单位's partial forms, in roster order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        groups.setdefault(entry.unit, []).append(dict(entry.form))
    return groups
