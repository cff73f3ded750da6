"""Feedback copies: each unit's own workbook with its problem cells marked, to fix and resubmit.

The copy is made with openpyxl (the one library here that edits an existing workbook): problem
cells get a warning fill and a comment holding the Chinese message, and a 问题 sheet lists them
all.  Sheet and workbook protection are kept; the original file is never opened for writing.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterable

from ..problems import ERROR, Issue
from ..write.naming import unique_file_names
from .consolidate import DUPLICATE, Collection

ERROR_COLOUR, WARNING_COLOUR = "FFC7CE", "FFEB9C"  # cell fills of problem cells
PROBLEM_SHEET = "问题"
PROBLEM_LIST_SUFFIX = ".问题清单.xlsx"  # the feedback for a file that cannot be edited (.xls/.ods)
EDITABLE_SUFFIXES = (".xlsx", ".xlsm")


def write_feedback(source: str | Path, issues: Iterable[Issue], target: str | Path) -> Path:
    """Write a marked copy of ``source`` to ``target``; ``source`` is only read."""
    import openpyxl  # only a collect with --feedback pays for importing it
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    source, target = Path(source), Path(target)
    issues = list(issues)
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.suffix.lower() not in EDITABLE_SUFFIXES:
        # .xls/.ods cannot be edited faithfully here: the unit gets the problem list on its own.
        target = target.with_suffix(PROBLEM_LIST_SUFFIX)
        book = openpyxl.Workbook()
        book.active.title = PROBLEM_SHEET
        _problem_sheet(book[PROBLEM_SHEET], issues)
        book.save(target)
        return target
    book = openpyxl.load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm", rich_text=True)
    by_cell: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.sheet in book.sheetnames and issue.cell:
            by_cell[(issue.sheet, issue.cell)].append(issue)
    for (sheet, ref), found in by_cell.items():
        cell = book[sheet][ref]
        worst = ERROR if any(i.severity == ERROR for i in found) else "other"
        colour = ERROR_COLOUR if worst == ERROR else WARNING_COLOUR
        cell.fill = PatternFill("solid", start_color=colour, end_color=colour)
        text = "\n".join(f"【{i.severity}】{i.message}" for i in found)
        comment = Comment(text, "perfxl")
        comment.width, comment.height = 320, 40 + 18 * (len(text) // 18 + len(found))
        cell.comment = comment
    if PROBLEM_SHEET in book.sheetnames:
        del book[PROBLEM_SHEET]
    ws = book.create_sheet(PROBLEM_SHEET, 0)
    _problem_sheet(ws, issues)
    book.active = 0
    book.save(target)
    return target


def _problem_sheet(ws, issues: list[Issue]) -> None:
    from openpyxl.styles import Alignment, Font

    headers = ["工作表", "单元格", "字段", "值", "级别", "说明"]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for issue in issues:
        ws.append([issue.sheet, issue.cell, issue.field, issue.value, issue.severity, issue.message])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"  # text from the forms stays text here too
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEF", (18, 8, 18, 24, 6, 70)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"


def feedback_plan(collection: Collection, feedback_dir: str | Path,
                   outputs: dict[str, Path]) -> list[tuple[Path, list[Issue], Path]]:
    """(source, its issues, target) for each file to send back, names unique in the folder (and
    apart from the master or JSONL file there), checked before anything is written: a target never
    lands on an input file."""
    folder = Path(feedback_dir)
    by_file = collection.issues_by_file()
    entries = [entry for entry in collection.files if by_file.get(entry.path) and entry.status != DUPLICATE]
    taken = [place.name for place in outputs.values() if place.parent.resolve() == folder.resolve()]
    names = unique_file_names((Path(entry.path).name for entry in entries), taken=taken,
                              aliases=lambda name: [_problem_list_name(name)])
    sources = {Path(entry.path).resolve() for entry in collection.files}
    for target in (folder / written for name in names for written in (name, _problem_list_name(name))):
        if target.resolve() in sources:
            raise ValueError(f"退回件“{target}”会覆盖输入文件，请为 --feedback 换一个文件夹。")
    return [(Path(entry.path), by_file[entry.path], folder / name) for entry, name in zip(entries, names)]


def _problem_list_name(name: str) -> str:
    return Path(name).stem + PROBLEM_LIST_SUFFIX


def write_feedback_copies(plan: list[tuple[Path, list[Issue], Path]]) -> None:
    for source, issues, target in plan:
        try:
            write_feedback(source, issues, target)
        except Exception:  # an unreadable file gets its problems via the master; never crash
            write_feedback(source.with_suffix(".unreadable"), issues, target)
