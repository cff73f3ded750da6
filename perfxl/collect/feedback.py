"""Feedback copies: each unit's own workbook with its problem cells marked, to fix and resubmit.

The copy is made with openpyxl (the one library here that edits an existing workbook): problem
cells get a warning fill and a comment holding the Chinese message, and a 问题 sheet lists them
all under the unit's name, each linked to its cell, printing whole on A4.  Sheet and workbook protection are kept; the original file is never opened for writing.
Only a file the reader accepted is copied, and in a guarded worker with the same time and memory
limits as reading (openpyxl has none of calamine's defences); the copy loses what could reach
outside it (external links, DDE and external-reference formulas, hyperlinks other than web and
mail).  A file the reader refused, or one that cannot be copied, gets the problem list alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Iterable

from ..config import Limits
from ..form.layout import cell_ref, wrapped_height
from ..form.marks import OUTPUT_PROPERTY, PROBLEM_LIST_OUTPUT
from ..isolation import Failure, run_isolated
from ..problems import ERROR, WARNING, Issue
from ..write.atomic import replacing
from ..write.paper import set_openpyxl_list_print
from ..write.naming import unique_file_names
from .consolidate import Collection
from .files import DUPLICATE, IGNORED, UNREADABLE

ERROR_COLOUR, WARNING_COLOUR = "FFC7CE", "FFEB9C"  # cell fills of problem cells
PROBLEM_SHEET = "问题"
PROBLEM_LIST_SUFFIX = ".问题清单.xlsx"  # the feedback for a file that cannot be edited (.xls/.ods)
EDITABLE_SUFFIXES = (".xlsx", ".xlsm")


def write_feedback(source: str | Path, issues: Iterable[Issue], target: str | Path, *, editable: bool = True,
                   unit: str = "") -> Path:
    """Write a marked copy of ``source`` to ``target`` (``source`` is only read), or, for a file
    that cannot or must not be opened (``editable=False``, .xls, .ods), its problem list alone
    beside it; written aside and renamed into place.  ``unit``: the 实施单位 the problem list is
    headed with (the file's name when not known)."""
    import openpyxl  # only a collect with --feedback pays for importing it
    from openpyxl.comments import Comment
    from openpyxl.packaging.custom import StringProperty
    from openpyxl.styles import PatternFill

    source, target = Path(source), Path(target)
    issues = list(issues)
    if not editable or source.suffix.lower() not in EDITABLE_SUFFIXES:
        target = target.with_suffix(PROBLEM_LIST_SUFFIX)
        book = openpyxl.Workbook()
        # perfxl's mark (perfxl.form.marks): a problem list saved into the next inbox is not a form.  A
        # marked copy (below) carries none: it is the unit's workbook, a resubmission once fixed.
        book.custom_doc_props.append(StringProperty(name=OUTPUT_PROPERTY, value=PROBLEM_LIST_OUTPUT))
        book.active.title = PROBLEM_SHEET
        _problem_sheet(book[PROBLEM_SHEET], issues, unit or safe_name_of(str(source)), linked=())
        with replacing(target) as temporary:
            book.save(temporary)
        return target
    book = openpyxl.load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm", rich_text=True,
                                  keep_links=False)
    _disarm(book)
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
    linked = [name for name in book.sheetnames]
    ws = book.create_sheet(PROBLEM_SHEET, 0)
    _problem_sheet(ws, issues, unit or safe_name_of(str(source)), linked=linked)
    book.active = 0
    with replacing(target) as temporary:
        book.save(temporary)
    return target


_REACHES_OUT = re.compile(r"\||\[|\bDDE\b|\bDDEAUTO\b", re.IGNORECASE)  # DDE (cmd|'/c …'!A0), [book.xlsx]
_SAFE_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


def _disarm(book) -> None:
    """Nothing in a copy we send out may reach outside it: formulas naming another program (DDE)
    or another workbook are removed, and so are hyperlinks other than web and mail."""
    for ws in book.worksheets:
        # the cells that exist (iter_rows would create every empty cell of the used range)
        for cell in list(getattr(ws, "_cells", {}).values()):
            if cell.data_type == "f" and _REACHES_OUT.search(str(cell.value)):
                cell.value = None
            if cell.hyperlink is not None and not (cell.hyperlink.target and _SAFE_LINK.match(cell.hyperlink.target)):
                cell.hyperlink = None


_COLUMNS = (("工作表", 16), ("单元格", 7), ("字段", 16), ("值", 20), ("级别", 5), ("说明", 56))
_TITLE_ROWS = 3  # the unit's name, the counts, the column headers; repeated on every printed page
_LINK_FONT = {"color": "0563C1", "underline": "single"}


def _problem_sheet(ws, issues: list[Issue], unit: str, *, linked: Iterable[str]) -> None:
    """The problem list as the unit prints it: headed with its name, one row per problem, each
    problem's cell a link to it (on sheets in ``linked``, the sheets of this workbook), the
    columns on one A4 landscape page wide, the headings repeated on every page."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    sheets = set(linked)
    errors = sum(issue.severity == ERROR for issue in issues)
    warnings = sum(issue.severity == WARNING for issue in issues)
    others = len(issues) - errors - warnings
    count = f"共 {len(issues)} 个问题：错误 {errors} 个，警告 {warnings} 个" + (f"，提示 {others} 个" if others else "")
    last = len(_COLUMNS)
    ws.append([f"{unit} 绩效目标表问题清单"])
    ws.append([count + ("。点击“单元格”一列的地址可转到该单元格。" if sheets else "。")])
    ws.append([title for title, _ in _COLUMNS])
    for row in (1, 2):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    ws.cell(1, 1).font = Font(name="宋体", size=14, bold=True)
    ws["A2"].font = Font(name="宋体", size=11)
    ws.row_dimensions[1].height, ws.row_dimensions[2].height = 26, 20
    for cell in ws[_TITLE_ROWS]:
        cell.font = Font(name="宋体", size=11, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center")
    text_font, link_font = Font(name="宋体", size=11), Font(name="宋体", size=11, **_LINK_FONT)
    for issue in issues:
        values = [issue.sheet, issue.cell, issue.field, issue.value, issue.severity, issue.message]
        ws.append(values)
        row = ws.max_row
        for cell in ws[row]:
            cell.data_type = "s"  # text from the forms stays text here too
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.font = text_font
        if issue.sheet in sheets and issue.cell:
            target = ws.cell(row, 2)
            target.hyperlink = Hyperlink(ref=target.coordinate, location=_location(issue.sheet, issue.cell))
            target.font = link_font
        ws.row_dimensions[row].height = _row_height(values)
    for (_, width), column in zip(_COLUMNS, "ABCDEF"):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = cell_ref(_TITLE_ROWS, 0)  # below the title rows
    set_openpyxl_list_print(ws, _TITLE_ROWS)
    ws.print_area = f"{cell_ref(0, 0)}:{cell_ref(max(ws.max_row, _TITLE_ROWS) - 1, len(_COLUMNS) - 1)}"


def _location(sheet: str, cell: str) -> str:
    """An internal link target: ``'sheet'!cell`` (quotes in the name doubled)."""
    return "'" + sheet.replace("'", "''") + "'!" + cell


def _row_height(values: list[str]) -> float:
    """Points a problem's row needs to show every cell whole (rows of wrapped text do not grow by
    themselves in every client)."""
    return max(wrapped_height(str(value or ""), width) for value, (_, width) in zip(values, _COLUMNS))


# source, its problems, target, may it be opened, the 实施单位 its problem list is headed with
FeedbackJob = tuple[str, list[Issue], str, bool, str]


def feedback_plan(collection: Collection, feedback_dir: str | Path, outputs: dict[str, Path]) -> list[FeedbackJob]:
    """(source, its issues, target, editable, unit) for each file to send back, names unique in the
    folder (and apart from the master or JSONL file there), checked before anything is written: a
    target never lands on an input file.  A file the reader refused is not editable: its unit gets
    the problem list alone."""
    folder = Path(feedback_dir)
    by_file = collection.issues_by_file()
    entries = [entry for entry in collection.files
               if by_file.get(entry.path) and entry.status not in (DUPLICATE, IGNORED)]
    taken = [place.name for place in outputs.values() if place.parent.resolve() == folder.resolve()]
    names = unique_file_names((safe_name_of(entry.path) for entry in entries), taken=taken,
                              aliases=lambda name: [_problem_list_name(name)])
    sources = {Path(entry.path).resolve() for entry in collection.files}
    for target in (folder / written for name in names for written in (name, _problem_list_name(name))):
        if target.resolve() in sources:
            raise ValueError(f"退回件“{target}”会覆盖输入文件，请为 --feedback 换一个文件夹。")
    units = _units_of(collection, {entry.path for entry in entries})
    return [(entry.path, by_file[entry.path], str(folder / name), entry.status != UNREADABLE,
             "、".join(units.get(entry.path, ())))
            for entry, name in zip(entries, names)]


def _units_of(collection: Collection, paths: set[str]) -> dict[str, list[str]]:
    """The 实施单位 named by the collected forms of each file in ``paths``, in form order."""
    units: dict[str, list[str]] = {}
    for item in collection.forms:
        if item.file.path in paths:
            unit = str(item.record.form.get("implementing_unit") or "").strip()
            names = units.setdefault(item.file.path, [])
            if unit and unit not in names:
                names.append(unit)
    return units


def safe_name_of(path: str) -> str:
    """A file's name as it can be written anywhere (bytes that are not UTF-8 shown as \\xNN)."""
    return Path(path).name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _problem_list_name(name: str) -> str:
    return Path(name).stem + PROBLEM_LIST_SUFFIX


def feedback_job(job: FeedbackJob) -> Path:
    source, issues, target, editable, unit = job
    return write_feedback(source, issues, target, editable=editable, unit=unit)


def write_feedback_copies(plan: list[FeedbackJob], *, limits: Limits, workers: int = 1) -> None:
    """Each copy made in a guarded worker; where that fails (a crash, the time or memory limit),
    the unit gets its problem list alone, written here without opening its file."""
    results = run_isolated(feedback_job, plan, workers=workers, seconds=limits.seconds,
                           memory_bytes=limits.memory_bytes)
    for (source, issues, target, _, unit), result in zip(plan, results):
        if isinstance(result, Failure):
            write_feedback(source, issues, target, editable=False, unit=unit)
