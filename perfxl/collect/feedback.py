"""Feedback copies: each unit's own workbook with its problem cells marked, to fix and resubmit.

The copy is made with openpyxl (the one library here that edits an existing workbook): problem
cells get a warning fill and a comment holding the Chinese message, and a 问题 sheet lists them
all.  Sheet and workbook protection are kept; the original file is never opened for writing.
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
from ..form.marks import OUTPUT_PROPERTY, PROBLEM_LIST_OUTPUT
from ..isolation import Failure, run_isolated
from ..problems import ERROR, Issue
from ..write.atomic import replacing
from ..write.naming import unique_file_names
from .consolidate import Collection
from .files import DUPLICATE, IGNORED, UNREADABLE

ERROR_COLOUR, WARNING_COLOUR = "FFC7CE", "FFEB9C"  # cell fills of problem cells
PROBLEM_SHEET = "问题"
PROBLEM_LIST_SUFFIX = ".问题清单.xlsx"  # the feedback for a file that cannot be edited (.xls/.ods)
EDITABLE_SUFFIXES = (".xlsx", ".xlsm")


def write_feedback(source: str | Path, issues: Iterable[Issue], target: str | Path, *, editable: bool = True) -> Path:
    """Write a marked copy of ``source`` to ``target`` (``source`` is only read), or, for a file
    that cannot or must not be opened (``editable=False``, .xls, .ods), its problem list alone
    beside it; written aside and renamed into place."""
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
        _problem_sheet(book[PROBLEM_SHEET], issues)
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
    ws = book.create_sheet(PROBLEM_SHEET, 0)
    _problem_sheet(ws, issues)
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


FeedbackJob = tuple[str, list[Issue], str, bool]  # source, its problems, target, may it be opened


def feedback_plan(collection: Collection, feedback_dir: str | Path, outputs: dict[str, Path]) -> list[FeedbackJob]:
    """(source, its issues, target, editable) for each file to send back, names unique in the
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
    return [(entry.path, by_file[entry.path], str(folder / name), entry.status != UNREADABLE)
            for entry, name in zip(entries, names)]


def safe_name_of(path: str) -> str:
    """A file's name as it can be written anywhere (bytes that are not UTF-8 shown as \\xNN)."""
    return Path(path).name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _problem_list_name(name: str) -> str:
    return Path(name).stem + PROBLEM_LIST_SUFFIX


def feedback_job(job: FeedbackJob) -> Path:
    source, issues, target, editable = job
    return write_feedback(source, issues, target, editable=editable)


def write_feedback_copies(plan: list[FeedbackJob], *, limits: Limits, workers: int = 1) -> None:
    """Each copy made in a guarded worker; where that fails (a crash, the time or memory limit),
    the unit gets its problem list alone, written here without opening its file."""
    results = run_isolated(feedback_job, plan, workers=workers, seconds=limits.seconds,
                           memory_bytes=limits.memory_bytes)
    for (source, issues, target, _), result in zip(plan, results):
        if isinstance(result, Failure):
            write_feedback(source, issues, target, editable=False)
