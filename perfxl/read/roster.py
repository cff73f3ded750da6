"""The roster: which units fill which projects, and what is already known about them.

A roster is a CSV (UTF-8, with or without BOM, or GBK as a Chinese Excel saves it) or a workbook
whose first sheet has a header row.  Column headers are the Chinese titles of form fields in the
schema (主管部门, 实施单位, 年度, 项目名称, 项目类别, 项目资金总额 …), so a new field in the schema is a
new roster column with no code; any other column (备注 …) is ignored, and said so.  One row per
project.  Every value is checked at the door, as the form's schema wants it (a 项目类别 of the
list, an amount, a year in range, text not too long), and so is every project's identity (listed
once): a roster with any problem is refused, all its problems named by row and column, before any
template is written.
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
from ..form.kinds import AMOUNT, CHOICE, INTEGER
from ..form.layout import Layout, Slot, column_letters, expectation
from ..form.values import (
    ValueProblem,
    convert_cell,
    is_blank,
    set_field,
    text_from_cell,
)
from .gate import Refused, check_bytes_safety, read_input

REQUIRED_COLUMNS = ("implementing_unit", "project_name")
SHOWN_PROBLEMS = 20  # a roster's problems listed in one message; the rest are counted


class RosterError(ValueError):
    """A roster that cannot be used; the message is Chinese and names the row and column."""


class Roster(list):  # type: ignore[type-arg]
    """The roster's entries (a list of :class:`RosterEntry`), with the columns it ignored."""

    def __init__(self, entries: list[RosterEntry], ignored: list[str]):
        super().__init__(entries)
        self.ignored = tuple(ignored)  # “备注”（F 列）: the columns that are no form field

    @property
    def note(self) -> str:
        """A Chinese note naming the ignored columns ("" when none was)."""
        if not self.ignored:
            return ""
        return f"名单中的{'、'.join(self.ignored)}不是表单字段，已忽略。"


@dataclass(frozen=True)
class RosterEntry:
    row: int  # 1-based row in the roster file, for messages
    form: dict[str, Any]  # a partial form: only what the roster knows

    @property
    def unit(self) -> str:
        return self.form["implementing_unit"]


def read_roster(path: str | Path, layout: Layout, *, year: int | None = None) -> Roster:
    """The roster's projects, each a partial form; ``year`` sets 年度 on every one (overriding
    the roster's).  :class:`RosterError` for anything that cannot be used, naming every problem
    by row and column; columns that are no form field are ignored (:attr:`Roster.ignored`)."""
    path = Path(path)
    rows = _rows(path)
    if not rows:
        raise RosterError(f"名单文件“{path.name}”是空的。")
    columns, ignored = _columns(path, rows[0], layout)
    entries = []
    problems: list[str] = []
    whole: list[RosterEntry] = []  # rows without a problem: only they can be told repetitions
    for number, row in enumerate(rows[1:], start=2):
        if all(is_blank(c) for c in row):
            continue
        before = len(problems)
        form = _form(number, row, columns, layout, problems)
        if year is not None:
            form["year"] = year
        entries.append(RosterEntry(number, form))
        if len(problems) == before:
            whole.append(entries[-1])
    if not entries:
        raise RosterError(f"名单中没有项目：名单文件“{path.name}”只有表头，没有项目行。")
    problems += _repetitions(whole, layout)
    if problems:
        raise RosterError(_refusal(path, problems))
    return Roster(entries, ignored)


def _refusal(path: Path, problems: list[str]) -> str:
    shown = problems[:SHOWN_PROBLEMS]
    more = f"\n  ……另有 {len(problems) - len(shown)} 处问题" if len(problems) > len(shown) else ""
    return (f"名单文件“{path.name}”有 {len(problems)} 处问题，没有生成任何模板。请改正后重试：\n  "
            + "\n  ".join(shown) + more)


def _columns(path: Path, header_row: list[Any], layout: Layout) -> tuple[dict[int, Slot], list[str]]:
    """The form field of each roster column, and the columns ignored (no form field's title)."""
    header = [text_from_cell(c) for c in header_row]
    by_title: dict[str, Slot] = {slot.title: slot for slot in layout.slots}
    columns: dict[int, Slot] = {}
    ignored: list[str] = []
    for index, title in enumerate(header):
        if not title:
            continue
        if title not in by_title:
            ignored.append(f"“{title}”（{column_letters(index)} 列）")
            continue
        slot = by_title[title]
        twice = next((other for other, known in columns.items() if known is slot), None)
        if twice is not None:
            raise RosterError(f"名单文件“{path.name}”第 1 行：列名“{title}”出现了两次"
                              f"（{column_letters(twice)} 列和 {column_letters(index)} 列），应只有一列。")
        columns[index] = slot
    missing = [slot.title for slot in layout.slots if slot.path in REQUIRED_COLUMNS
               and slot not in columns.values()]
    if missing:
        known = "、".join(dict.fromkeys(by_title))
        why = f"{'、'.join(ignored)}不是表单字段，已忽略。" if ignored else ""
        raise RosterError(f"名单文件“{path.name}”缺少必需的列：{'、'.join(missing)}。{why}可用的列名：{known}。")
    return columns, ignored


def _form(number: int, row: list[Any], columns: dict[int, Slot], layout: Layout,
          problems: list[str]) -> dict[str, Any]:
    """One roster row as a partial form; each value that the form would not accept is a problem
    (named by row, column and field) and left out."""
    form: dict[str, Any] = {}
    for index, slot in columns.items():
        raw = row[index] if index < len(row) else ""
        if is_blank(raw):
            continue
        where = f"第 {number} 行 {column_letters(index)} 列“{slot.title}”"
        try:
            value = convert_cell(slot.kind, raw, decimals=slot.decimals, unit=slot.unit)
        except ValueProblem:
            problems.append(f"{where}：“{text_from_cell(raw)[:50]}”无法识别，应为{_wanted(slot)}。")
            continue
        wrong = _unacceptable(slot, value)
        if wrong:
            problems.append(f"{where}：{wrong}")
            continue
        set_field(form, slot.path, value)
    for required in REQUIRED_COLUMNS:
        index = next(i for i, slot in columns.items() if slot.path == required)
        if not form.get(required) and is_blank(row[index] if index < len(row) else ""):
            title = layout.slot_by_path[required].title
            problems.append(f"第 {number} 行 {column_letters(index)} 列“{title}”：不能为空。")
    return form


def _unacceptable(slot: Slot, value: Any) -> str:
    """Why the form would refuse this value at this field ("" when it would take it)."""
    if slot.kind == CHOICE and value not in slot.choices:
        return f"“{value}”不是可选的值，应为 {'、'.join(slot.choices)} 之一。"
    if slot.kind == INTEGER and not slot.minimum <= value <= slot.maximum:
        return f"“{value}”超出范围，应为{_wanted(slot)}。"
    if isinstance(value, str):
        if slot.max_length is not None and len(value) > slot.max_length:
            return f"内容过长：最多 {slot.max_length} 个字符，实际 {len(value)} 个字符。"
        if not slot.accepts(value):
            return f"“{value[:50]}”不符合要求，应为{_wanted(slot)}（不能含控制字符）。"
    return ""


def _wanted(slot: Slot) -> str:
    return f"金额（{expectation(slot)}）" if slot.kind == AMOUNT else expectation(slot)


def _repetitions(entries: list[RosterEntry], layout: Layout) -> list[str]:
    """One project once: two rows with one identity (年度, 实施单位, 项目名称) would be one form."""
    seen: dict[tuple[str, ...], int] = {}
    problems = []
    for entry in entries:
        key = identity_values(layout, entry.form)
        if key in seen:
            problems.append(f"第 {seen[key]} 行与第 {entry.row} 行重复：{describe_identity(layout, entry.form)}"
                            f"都相同。同一项目只能列一次。")
        else:
            seen[key] = entry.row
    return problems


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
