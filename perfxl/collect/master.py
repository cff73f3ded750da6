"""The master workbook for the 镇政府: one row per project, one per indicator, per-unit sums,
every problem and every input file.

Written with xlsxwriter in constant-memory mode, row by row.  Text from the forms always goes
through ``write_string``: a project named ``=HYPERLINK(…)`` stays text (formula injection).
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import signal
import tempfile
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import xlsxwriter

from ..check.targets import parse_target_cached
from ..form.kinds import AMOUNT, DATE, INDEX, INTEGER, TEXT
from ..form.layout import display_width, get_layout
from ..form.marks import MASTER_OUTPUT, OUTPUT_PROPERTY, PROVENANCE_HEADERS
from ..problems import SEVERITY_ORDER
from ..write.paper import set_a4, set_list_print
from ..write.workbook import FIXED_TIMESTAMP
from .columns import (
    Column,
    Scores,
    collection_columns,
    has_self_evaluations,
    layouts_of,
    monitoring_indicator_columns,
    monitoring_indicator_values,
)
from .consolidate import CollectedForm, Collection
from .distribution import Distribution, distributions
from .printview import FONT_SIZE, RowHeights, View, print_title, problem_view, project_view, unit_view
from .returns import MISSING, RETURNED, Returns
from .sheetxml import SheetData, swap_sheet_data
from .tally import RETURNS_SHEET, UNITS_SHEET, Tally, UnitTotal, gap_text, gaps, left_out_text, tally
from .xlsxinternals import has_xf_index, xf_index

PROJECTS, INDICATORS, UNITS, PROBLEMS, FILES = "项目汇总", "绩效指标明细", UNITS_SHEET, "问题清单", "文件清单"
RETURNS = RETURNS_SHEET
AMOUNT_FORMAT = "#,##0.00####"
MAX_SHEET_ROWS = 1_048_576  # Excel's rows per sheet, the header included


INDICATOR_HEADERS = ["实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "年度指标值",
                     "运算符", "数值", "单位", "定量/定性", *PROVENANCE_HEADERS, "单元格"]
INDICATOR_KINDS = [TEXT] * 7 + [AMOUNT] + [TEXT] * 5
PROBLEM_HEADERS = ["文件", "工作表", "单元格", "字段", "值", "代码", "级别", "说明"]
FILE_HEADERS = ["路径", "大小（字节）", "SHA-256", "状态", "表单数", "说明"]


# A self-evaluation's indicator rows go on with what the unit reported and how perfxl scored it.
SELF_EVAL_INDICATOR_HEADERS = ["实际完成值", "完成情况档次", "分值", "得分", "偏差原因分析及改进措施"]
SELF_EVAL_INDICATOR_KINDS = [TEXT, TEXT, AMOUNT, AMOUNT, TEXT]


def indicator_headers(collection: Collection) -> tuple[list[str], list[str]]:
    """绩效指标明细's headers and kinds: a self-evaluation's scores after the target table's."""
    monitored = monitoring_indicator_columns(layouts_of(collection))  # a monitoring table's, after the rest
    more = [header for header, _ in monitored], [kind for _, kind in monitored]
    if has_self_evaluations(layouts_of(collection)):
        return (INDICATOR_HEADERS + SELF_EVAL_INDICATOR_HEADERS + more[0],
                INDICATOR_KINDS + SELF_EVAL_INDICATOR_KINDS + more[1])
    return INDICATOR_HEADERS + more[0], INDICATOR_KINDS + more[1]


def indicator_rows(collection: Collection) -> Iterable[list[Any]]:
    rows_of = indicator_rows_of(collection)
    for item in collection.forms:
        yield from rows_of(item)


def indicator_rows_of(collection: Collection) -> Callable[[CollectedForm], list[list[Any]]]:
    """绩效指标明细's rows of one collected form (its record read back once for all of them)."""
    layouts = layouts_of(collection)
    scored = has_self_evaluations(layouts)
    scores = Scores(collection.scoring)
    monitoring = collection.monitoring
    has_monitoring = bool(monitoring_indicator_columns(layouts))

    def rows_of(item: CollectedForm) -> list[list[Any]]:
        record = item.record
        form = record.form
        monitored = monitoring_indicator_values(item, layouts, monitoring) if has_monitoring else []
        field = get_layout(item.variant).indicator_field
        items = form.get(field)
        if not isinstance(items, list) or not items:
            return []
        cells, path, sheet = record.cells, item.file.path, record.sheet
        unit, project = form.get("implementing_unit", ""), form.get("project_name", "")
        scored_rows = None
        if scored:
            result = scores.of(item)
            scored_rows = {r.pointer: r for r in result.indicators} if result is not None else {}
        rows = []
        for index, ind in enumerate(items):
            if not isinstance(ind, dict):
                continue  # a JSON form of the wrong shape: reported by validation, not a row
            target = ind.get("target", "")
            parsed = parse_target_cached(target) if isinstance(target, str) and target.strip() else None
            row = [unit, project, ind.get("level1", ""), ind.get("level2", ""), ind.get("name", ""), target,
                   *((parsed.operator, parsed.number, parsed.unit, parsed.kind) if parsed else _NO_READING),
                   path, sheet, cells.get(f"{field}/{index}/name", "")]
            if scored_rows is not None:
                score = scored_rows.get(f"{field}/{index}")
                row += [ind.get("actual"), ind.get("band"), score.weight if score else None,
                        score.score if score else None, ind.get("deviation_reason")]
            if monitored:
                row += monitored[index]
            rows.append(row)
        return rows
    return rows_of


_NO_READING = (None, None, None, None)


ProblemOrder = list[tuple[str, str, int, int, int]]


def problem_order(collection: Collection) -> ProblemOrder:
    """问题清单's order: by file, sheet and severity, otherwise as the collection lists them.
    Small keys (file, sheet, severity, chunk, index) are sorted, not the problems: those are read
    back one chunk at a time, so a city's problems are never all in memory at once."""
    return sorted((issue.file, issue.sheet, SEVERITY_ORDER.get(issue.severity, 9), chunk, index)
                  for chunk, issues in enumerate(collection.iter_problem_chunks())
                  for index, issue in enumerate(issues))


def problem_rows(collection: Collection, order: ProblemOrder | None = None) -> Iterable[list[Any]]:
    chunks = collection.problem_chunks
    current, issues = -1, []
    for *_, chunk, index in problem_order(collection) if order is None else order:
        if chunk != current:  # a form's problems come in one run: read back once
            item = chunks[chunk]
            current, issues = chunk, item if isinstance(item, list) else item.record.issues
        i = issues[index]
        yield [i.file, i.sheet, i.cell, i.field, i.value, i.code, i.severity, i.message]


def file_rows(collection: Collection) -> Iterable[list[Any]]:
    for entry in collection.files:
        note = entry.note
        if entry.foreign:
            note = ("外部表格（非 perfxl 模板）。" + note).strip()
        yield [entry.path, entry.size, entry.sha256, entry.status, entry.forms, note]


def project_rows(collection: Collection, columns: Sequence[Column]) -> Iterable[list[Any]]:
    for number, item in enumerate(collection.forms, start=1):
        yield [number if c.kind == INDEX else c.get(item) for c in columns]


_NUMBER, _FIELD, _COUNT, _GET = range(4)


def project_row_of(columns: Sequence[Column]) -> Callable[[int, CollectedForm], list[Any]]:
    """:func:`project_rows`' row of one form, the same values read more directly: a field column
    reads its field from the record, the 一级指标 counts are counted in one pass over the
    indicators, the other columns ask ``get``."""
    plan: list[tuple[int, Any, Any]] = []
    for c in columns:
        if c.kind == INDEX:
            plan.append((_NUMBER, None, None))
        elif c.variants is not None and c.path:
            plan.append((_FIELD, tuple(c.path.split(".")), c.variants))
        elif c.level1:
            plan.append((_COUNT, c.level1, None))
        else:
            plan.append((_GET, c.get, None))
    counted = any(how == _COUNT for how, _, _ in plan)

    def row(number: int, item: CollectedForm) -> list[Any]:
        record = item.record
        form, variant = record.form, record.variant
        if counted:
            counts: dict[str, int] = {}
            for ind in record.indicator_items():
                level1 = ind.get("level1")
                if isinstance(level1, str):  # what equals a 一级指标's name
                    counts[level1] = counts.get(level1, 0) + 1
        values: list[Any] = []
        for how, what, variants in plan:
            if how == _FIELD:
                if variant in variants:
                    node = form
                    for part in what:  # get_field
                        if not isinstance(node, dict):
                            node = None
                            break
                        node = node.get(part)
                    values.append(node)
                else:
                    values.append(None)
            elif how == _GET:
                values.append(what(item))
            elif how == _COUNT:
                values.append(counts.get(what, 0))
            else:
                values.append(number)
        return values
    return row


# --- writing -------------------------------------------------------------------------------
class _Sheet:
    """A master sheet: xlsxwriter sets it up (widths, frozen header, filter, print), its rows are
    streamed as XML by :mod:`perfxl.collect.sheetxml` and swapped in when the workbook is closed."""

    def __init__(self, book: "_Book", name: str, headers: Sequence[str], kinds: Sequence[str],
                 data: SheetData | None = None):
        """``data``: its rows already spooled, the header first (see :class:`_Spooler`)."""
        self.book, self.kinds = book, list(kinds)
        self.ws = book.workbook.add_worksheet(name)
        self.number = len(book.workbook.worksheets())
        self.headers = list(headers)
        self.widths = [display_width(h) + 2 for h in headers]
        self.styles = _styles(book, self.kinds)
        if data is None:
            data = SheetData(kinds)
            data.add(headers, [xf_index(book.header)] * len(headers), all_text=True)
        self.data = data
        _list_setup(self.ws)

    def set_widths(self, sample: Iterable[list[Any]]) -> None:
        # Measured on a sample: a district's 100,000 rows need not be measured one by one.
        for values in sample:
            for i, value in enumerate(values):
                if value is not None and self.kinds[i] in (TEXT,):
                    self.widths[i] = max(self.widths[i], min(display_width(str(value)[:80]) + 2, 60))
                elif value is not None:
                    self.widths[i] = max(self.widths[i], 12)
        for i, width in enumerate(self.widths):
            fmt = self.book.wrap if width >= 60 else None
            self.ws.set_column(i, i, width, fmt)

    def finish(self) -> None:
        self.ws.autofilter(0, 0, max(self.data.rows - 1, 0), len(self.headers) - 1)
        self.book.streamed[self.number] = self.data


class _XlsxSheet:
    """A small master sheet written cell by cell through xlsxwriter (单位汇总, with its chart)."""

    def __init__(self, book: "_Book", name: str, headers: Sequence[str], kinds: Sequence[str],
                 extra: Sequence[tuple[int, str, Any]] = ()):
        self.book, self.kinds = book, list(kinds)
        self.ws = book.workbook.add_worksheet(name)
        self.headers = list(headers)
        self.widths = [display_width(h) + 2 for h in headers]
        self.row = 0
        _list_setup(self.ws)
        self.write_row(headers, header=True, extra=extra)

    set_widths = _Sheet.set_widths

    def write_row(self, values: Sequence[Any], *, header: bool = False, bold: bool = False,
                  kinds: Sequence[str] | None = None, extra: Sequence[tuple[int, str, Any]] = ()) -> None:
        """One row (constant-memory: rows in order, each written whole).  ``kinds`` for a row of
        another shape than the header's; ``extra``: (column, kind, value) cells beyond the columns."""
        ws, r = self.ws, self.row
        kinds = self.kinds if kinds is None else kinds
        cells = [(c, TEXT if header else kinds[c], value) for c, value in enumerate(values)]
        for c, kind, value in [*cells, *extra]:
            if value is None or value == "":
                continue
            fmt = self.book.header if header else self.book.formats.get((kind, bold))
            number = _finite(value) if kind == AMOUNT else None
            if number is not None:
                ws.write_number(r, c, float(number), fmt)
            elif kind in (INTEGER, INDEX) and isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, c, value, fmt)
            else:
                ws.write_string(r, c, str(value), fmt)
        self.row += 1

    def finish(self) -> None:
        self.ws.autofilter(0, 0, max(self.row - 1, 0), len(self.headers) - 1)


def _finite(value: Any) -> Decimal | None:
    """An amount as a number for its cell, or None for text that is not one (written as text)."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return None
    return number if number.is_finite() and math.isfinite(float(number)) else None


def _list_setup(ws) -> None:
    """A list sheet: header frozen and repeated on every printed page, A4 landscape, one page wide."""
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    set_a4(ws, landscape=True)


class _Book:
    def __init__(self, path: Path):
        self.path = path
        self.streamed: dict[int, SheetData] = {}
        # xlsxwriter's constant-memory mode leaves the temporary row file of a sheet it wrote no row
        # to (the streamed ones): its temporary files go to a folder of ours, removed afterwards.
        self.scratch = tempfile.TemporaryDirectory(prefix="perfxl-master-")
        self.workbook = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "tmpdir": self.scratch.name})
        self.workbook.set_properties({"title": "绩效目标汇总", "author": "perfxl", "created": FIXED_TIMESTAMP,
                                      "comments": "perfxl 输出的汇总表，不是单位报送的表单"})
        # perfxl's mark (perfxl.form.marks): this master lying in next round's inbox is never read as forms
        self.workbook.set_custom_property(OUTPUT_PROPERTY, MASTER_OUTPUT)
        wb = self.workbook
        base = {"font_name": "宋体", "font_size": 10, "valign": "top"}
        self.header = wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.formats = {}
        for bold in (False, True):
            extra = {"bold": True, "top": 1} if bold else {}
            self.formats[(TEXT, bold)] = wb.add_format({**base, **extra})
            self.formats[(AMOUNT, bold)] = wb.add_format({**base, **extra, "num_format": AMOUNT_FORMAT})
            self.formats[(DATE, bold)] = wb.add_format({**base, **extra, "num_format": "yyyy-mm-dd"})
            self.formats[(INTEGER, bold)] = wb.add_format({**base, **extra, "num_format": "0"})
            self.formats[(INDEX, bold)] = self.formats[(INTEGER, bold)]
        # the print views': wrapped, ruled, at the size they print
        printed = {**base, "font_size": FONT_SIZE, "text_wrap": True, "border": 1, "valign": "vcenter"}
        self.print_formats = {}
        for bold in (False, True):
            extra = {"bold": True} if bold else {}
            self.print_formats[(TEXT, bold)] = wb.add_format({**printed, **extra})
            self.print_formats[(AMOUNT, bold)] = wb.add_format({**printed, **extra, "num_format": AMOUNT_FORMAT})
            self.print_formats[(INTEGER, bold)] = wb.add_format({**printed, **extra, "num_format": "0"})
            self.print_formats[(INDEX, bold)] = self.print_formats[(INTEGER, bold)]
        self.print_header = wb.add_format({**printed, "bold": True, "bg_color": "#DDEBF7", "align": "center",
                                           "valign": "vcenter"})


def _sample(rows: Iterable[list[Any]], n: int = 500) -> list[list[Any]]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) >= n:
            break
    return out


def _styles(book: _Book, kinds: Sequence[str]) -> list[int]:
    return [xf_index(book.formats[(k, False)]) for k in kinds]


def build_master(collection: Collection, path: str | Path, *, workers: int = 1) -> Path:
    """Write the master workbook of a collection.  With ``workers`` > 1 the rows of
    绩效指标明细 (most of the master) are spooled by a forked process while this one writes the
    other sheets; the file is the same byte for byte."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    summed = tally(collection)  # before 问题清单 is ordered: its findings are problems too
    book = _Book(path)
    spools = tempfile.TemporaryDirectory(prefix="perfxl-master-rows-")
    background: list[_Background] = []
    try:
        try:
            _write_sheets(book, collection, summed, background, Path(spools.name), workers > 1)
        finally:
            for work in background:
                work.cancel()
        try:
            book.workbook.close()
        finally:
            book.scratch.cleanup()
        swap_sheet_data(path, book.streamed)
    finally:
        for data in book.streamed.values():
            data.handle.close()
        spools.cleanup()
    return path


def _write_sheets(book: _Book, collection: Collection, summed: Tally, background: list[_Background],
                  spools: Path, parallel: bool) -> None:
    columns = collection_columns(collection)
    headers, kinds = indicator_headers(collection)
    departments = [unit.department for unit in summed.units]

    def title(what: str) -> str:
        return print_title(summed.years, departments, what)

    if summed.returns is not None:
        _write_returns(book, summed.returns)
    # Each print view right after its sheet, its rows taken from that sheet's as they are written.
    view, project_row = project_view(PROJECTS, title("汇总"), columns)
    printed = _PrintView(book, view)
    projects = _Parts(book, PROJECTS, [c.header for c in columns], [c.kind for c in columns])
    # 绩效指标明细's rows, once 项目汇总's styles are numbered (xlsxwriter numbers styles in the
    # order of first use, and the file must not depend on who spooled the rows): spooled by a
    # forked process beside this one, or here in the one pass over the records below; when its
    # styles are not among 项目汇总's, later, in their usual order.
    formats = [book.header, *(book.formats[(k, False)] for k in kinds)]
    numbered = all(has_xf_index(f) for f in formats)

    def spool_indicators() -> tuple[list[tuple[str, int]], list[list[Any]]]:
        spooler = _Spooler(headers, kinds, _styles(book, kinds), [xf_index(book.header)] * len(headers), spools)
        rows_of = indicator_rows_of(collection)
        for item in collection.forms:
            for values in rows_of(item):
                spooler.add(values)
        return spooler.close()

    inline: _Spooler | None = None
    if numbered and parallel:
        if collection.store is not None:
            collection.store.flush()  # the child reads the store; only this process writes it
        work = _Background(spool_indicators, parallel=True)
        if work.pid is not None:
            background.append(work)
    if not background and numbered:
        inline = _Spooler(headers, kinds, _styles(book, kinds), [xf_index(book.header)] * len(headers), spools)
    problems = _ProblemSpool(collection)
    # One pass over the records: 项目汇总 and its view, 绩效指标明细 (unless forked), the problems.
    rows_of = indicator_rows_of(collection) if inline is not None else None
    project_row_values = project_row_of(columns)
    for number, item in enumerate(collection.forms, start=1):
        record = item.record  # read back once here: every column below asks for it again
        values = project_row_values(number, item)
        projects.add(values)
        printed.add(project_row(item, values))
        if rows_of is not None:
            for row in rows_of(item):
                inline.add(row)
        if record.issues:
            problems.add(item, record.issues)
    projects.finish()
    printed.write()
    if background:
        parts, sample = background[0].join()
    elif inline is not None:
        parts, sample = inline.close()
    else:
        parts, sample = spool_indicators()
    for part, (spool, rows) in enumerate(parts, start=1):
        sheet = _Sheet(book, INDICATORS if part == 1 else f"{INDICATORS}（{part}）", headers, kinds,
                       SheetData.adopt(kinds, Path(spool), rows))
        sheet.set_widths(sample)
        sheet.finish()
    unit_rows = _write_units(book, summed)
    view, unit_row = unit_view(UNITS, title("单位汇总"), summed.columns)
    printed = _PrintView(book, view)
    for values, bold in unit_rows:
        printed.add(unit_row(values), bold)
    printed.write()
    for distribution in distributions(collection, [unit.unit for unit in summed.units]):  # the later rounds': 自评等级分布, 监控状态分布
        _write_distribution(book, distribution)
    order = problems.order()
    view, problem_row = problem_view(PROBLEMS, title("问题清单"))
    printed = _PrintView(book, view)
    _stream(book, PROBLEMS, PROBLEM_HEADERS, [TEXT] * len(PROBLEM_HEADERS), lambda: problems.rows(order),
            also=lambda values: printed.add(problem_row(values)))
    printed.write()
    problems.close()
    _stream(book, FILES, FILE_HEADERS, [TEXT, INTEGER, TEXT, TEXT, INTEGER, TEXT],
            lambda: file_rows(collection))


SAMPLE_ROWS = 500  # a sheet's column widths are measured on its first rows


class _Parts:
    """A big sheet written in one pass, its widths measured on its first :data:`SAMPLE_ROWS` rows;
    past Excel's row limit it goes on in 名称（2）, 名称（3）…, each with its header (as
    :func:`_stream` does)."""

    def __init__(self, book: _Book, name: str, headers: Sequence[str], kinds: Sequence[str]):
        self.book, self.name, self.headers, self.kinds = book, name, headers, kinds
        self.sheets = [_Sheet(book, name, headers, kinds)]
        self.sample: list[list[Any]] = []

    def add(self, values: list[Any]) -> None:
        sheet = self.sheets[-1]
        if sheet.data.rows >= MAX_SHEET_ROWS:
            sheet = _Sheet(self.book, f"{self.name}（{len(self.sheets) + 1}）", self.headers, self.kinds)
            self.sheets.append(sheet)
        sheet.data.add(values, sheet.styles)
        if len(self.sample) < SAMPLE_ROWS:
            self.sample.append(values)

    def finish(self) -> None:
        for sheet in self.sheets:
            sheet.set_widths(self.sample)  # columns are written when the workbook closes: any time before will do
            sheet.finish()


class _Spooler:
    """A big sheet's rows spooled into files of ``folder``, one per sheet part (past Excel's row
    limit the rows go on in a part of their own, headed again, as :func:`_stream` does); closed,
    each part's file and rows, and the sample its widths are measured on."""

    def __init__(self, headers: Sequence[str], kinds: Sequence[str], styles: Sequence[int],
                 header_styles: Sequence[int], folder: Path):
        self.headers, self.kinds, self.styles, self.header_styles = headers, kinds, styles, header_styles
        self.folder = folder
        self.parts: list[tuple[str, int]] = []
        self.sample: list[list[Any]] = []
        self.data = self._start()

    def _start(self) -> SheetData:
        spool = self.folder / f"part{len(self.parts) + 1}.xml"
        self.parts.append((str(spool), 0))
        data = SheetData(self.kinds, spool)
        data.add(self.headers, self.header_styles, all_text=True)
        return data

    def _close(self) -> None:
        self.data.handle.close()
        self.parts[-1] = (self.parts[-1][0], self.data.rows)

    def add(self, values: list[Any]) -> None:
        if self.data.rows >= MAX_SHEET_ROWS:
            self._close()
            self.data = self._start()
        self.data.add(values, self.styles)
        if len(self.sample) < SAMPLE_ROWS:
            self.sample.append(values)

    def close(self) -> tuple[list[tuple[str, int]], list[list[Any]]]:
        self._close()
        return self.parts, self.sample


class _ProblemSpool:
    """问题清单's rows of the collected forms, taken in the one pass over the records and kept in
    a temporary file (a city's problems would fill memory), each form's read back in one piece
    when its turn comes; in :func:`problem_order`'s order, the same rows :func:`problem_rows`
    gives."""

    def __init__(self, collection: Collection):
        self.collection = collection
        self.file = tempfile.TemporaryFile(prefix="perfxl-problems-")  # noqa: SIM115  (closed by close())
        self.end = 0
        # a collected form's record place → (its problems' sort keys, where its rows are).  Keyed by
        # the record's place, not the object: the collection's lists hand out a new object per
        # look-up, and holding every form object would grow the parent with N.
        self.forms: dict[tuple[str, int], tuple[list[tuple[str, str, int]], int, int]] = {}

    def add(self, item: CollectedForm, issues: Sequence[Any]) -> None:
        rows = [[i.file, i.sheet, i.cell, i.field, i.value, i.code, i.severity, i.message] for i in issues]
        blob = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        self.file.write(blob)
        keys = [(i.file, i.sheet, SEVERITY_ORDER.get(i.severity, 9)) for i in issues]
        self.forms[(item.form.spool, item.form.offset)] = (keys, self.end, len(blob))
        self.end += len(blob)

    def _spooled(self, chunk: Any) -> tuple[list[tuple[str, str, int]], int, int] | None:
        return self.forms.get((chunk.form.spool, chunk.form.offset))

    def order(self) -> ProblemOrder:
        """:func:`problem_order`, the spooled forms' keys taken from here."""
        keys = []
        for chunk, issues in enumerate(self.collection.problem_chunks):
            if isinstance(issues, list):
                keys += [(i.file, i.sheet, SEVERITY_ORDER.get(i.severity, 9), chunk, index)
                         for index, i in enumerate(issues)]
                continue
            spooled = self._spooled(issues)
            if spooled is not None:
                keys += [(*key, chunk, index) for index, key in enumerate(spooled[0])]
            else:  # a form not collected in the pass: its record, as problem_order reads it
                keys += [(i.file, i.sheet, SEVERITY_ORDER.get(i.severity, 9), chunk, index)
                         for index, i in enumerate(issues.record.issues)]
        keys.sort()
        return keys

    def rows(self, order: ProblemOrder) -> Iterable[list[Any]]:
        chunks = self.collection.problem_chunks
        current, rows = -1, []
        self.file.flush()
        for *_, chunk, index in order:
            if chunk != current:  # a form's problems come in one run: read back once
                item = chunks[chunk]
                current = chunk
                if isinstance(item, list):
                    rows = [[i.file, i.sheet, i.cell, i.field, i.value, i.code, i.severity, i.message] for i in item]
                elif (spooled := self._spooled(item)) is not None:
                    rows = pickle.loads(os.pread(self.file.fileno(), spooled[2], spooled[1]))  # our own file
                else:
                    rows = [[i.file, i.sheet, i.cell, i.field, i.value, i.code, i.severity, i.message]
                            for i in item.record.issues]
            yield rows[index]

    def close(self) -> None:
        self.file.close()


class _Background:
    """A piece of work done by a forked process while the caller goes on (where processes fork
    and ``parallel`` is asked for; otherwise here, when :meth:`join` asks for it); :meth:`join`
    gives its result or raises its error, :meth:`cancel` stops it.  The child reads the
    collection's record store by position (:class:`~perfxl.collect.store.RecordStore`) and leaves
    by ``os._exit``: nothing of the parent's (open files, temporary folders) is flushed or
    removed twice."""

    def __init__(self, work: Callable[[], Any], *, parallel: bool) -> None:
        self.pid: int | None = None
        self.work: Callable[[], Any] | None = None
        # Only a process with one thread forks: another thread (the progress bar's refresh) may hold
        # a lock at that instant, held for ever in the child.
        if not (parallel and hasattr(os, "fork") and threading.active_count() == 1):
            self.work = work
            return
        read, write = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # no process to spare (a process limit): the work is done here instead
            os.close(read)
            os.close(write)
            self.work = work
            return
        if pid == 0:  # the child
            code = 1
            try:
                os.close(read)
                try:
                    payload, code = (True, work()), 0
                except BaseException as exc:  # noqa: BLE001  (handed to the parent, raised there)
                    payload = (False, exc)
                try:
                    blob = pickle.dumps(payload)
                except Exception:  # noqa: BLE001  (an error that does not pickle: its text)
                    blob = pickle.dumps((False, RuntimeError(repr(payload[1]))))
                with open(write, "wb") as out:
                    out.write(blob)
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.pipe = pid, read

    def join(self) -> Any:
        if self.work is not None:
            work, self.work = self.work, None
            return work()
        with open(self.pipe, "rb") as handle:
            blob = handle.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if not blob:
            raise RuntimeError(f"写汇总表的子进程异常退出（状态 {status}）")
        done, value = pickle.loads(blob)  # from our own child
        if not done:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the child if it is still running (the caller failed before joining it)."""
        if self.pid is None:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        self.pid = None
        with contextlib.suppress(OSError):  # join may have closed it already
            os.close(self.pipe)


def _stream(book: _Book, name: str, headers: Sequence[str], kinds: Sequence[str], rows,
            also: Callable[[list[Any]], None] | None = None, started: Callable[[], None] | None = None) -> None:
    """A sheet's rows; past Excel's row limit they go on in 名称（2）, 名称（3）… (a city's
    indicators outgrow one sheet), each with its header.  ``also`` sees every row as it is
    written (a print view taking its rows); ``started`` is called once the sheet is set up."""
    sample = _sample(rows())
    sheet, part = _Sheet(book, name, headers, kinds), 1
    sheet.set_widths(sample)
    if started is not None:
        started()
    for values in rows():
        if sheet.data.rows >= MAX_SHEET_ROWS:
            sheet.finish()
            part += 1
            sheet = _Sheet(book, f"{name}（{part}）", headers, kinds)
            sheet.set_widths(sample)
        sheet.data.add(values, sheet.styles)
        if also is not None:
            also(values)
    sheet.finish()


class _PrintView:
    """A print view (:mod:`perfxl.collect.printview`), its rows spooled like a :class:`_Sheet`'s
    while its source sheet is written (one pass over the records for both), its sheets added
    after it: widths fixed to fit A4 landscape at 100 %, each row as tall as its wrapped text,
    printed with title, page numbers and print date."""

    def __init__(self, book: _Book, view: View):
        self.book, self.view = book, view
        self.kinds = [c.kind for c in view.columns]
        self.styles = {bold: [xf_index(book.print_formats[(k, bold)]) for k in self.kinds] for bold in (False, True)}
        self.heights = {bold: RowHeights(view.columns, view.widths, bold=bold) for bold in (False, True)}
        self.parts: list[SheetData] = []

    def add(self, values: Sequence[Any], bold: bool = False) -> None:
        if not self.parts or self.parts[-1].rows >= MAX_SHEET_ROWS:
            self._part()  # past Excel's row limit the view goes on in 名称（2）…, headed again
        self.parts[-1].add(values, self.styles[bold], height=self.heights[bold](values), blanks=True)

    def _part(self) -> None:
        headers = [c.header for c in self.view.columns]
        data = SheetData(self.kinds)
        data.add(headers, [xf_index(self.book.print_header)] * len(headers), all_text=True,
                 height=RowHeights(self.view.columns, self.view.widths, bold=True, all_text=True)(headers))
        self.parts.append(data)

    def write(self) -> None:
        """The view's sheets, each with its filter (filter one unit's rows, and print just those)."""
        if not self.parts:
            self._part()
        for part, data in enumerate(self.parts, start=1):
            ws = self.book.workbook.add_worksheet(self.view.name if part == 1 else f"{self.view.name}（{part}）")
            for i, width in enumerate(self.view.widths):
                ws.set_column(i, i, width)
            ws.freeze_panes(1, 0)
            set_list_print(ws, self.view.title)
            ws.autofilter(0, 0, max(data.rows - 1, 0), len(self.view.columns) - 1)
            self.book.streamed[len(self.book.workbook.worksheets())] = data


def _write_units(book: _Book, summed: Tally) -> list[tuple[list[Any], bool]]:
    """Per 主管部门 its units, each unit once, with the 小计 directly under them; then the 合计.
    Each row says how many amounts it left out (未计入) and whether its sums keep 总额 = 财政 + 其他
    and 年度 = 拨款 + 结转 + 其他 (核对).  The chart has one bar per unit: its data are the unit
    rows' in two hidden columns to the right (the unit rows are not contiguous)."""
    columns = summed.columns
    headers = ["主管部门", "实施单位", "项目数"] + [c.header for c in columns] + ["未计入", "核对"]
    kinds = [TEXT, TEXT, INTEGER] + [AMOUNT] * len(columns) + [TEXT, TEXT]
    rows: list[tuple[list[Any], bool]] = []
    departments: dict[str, list[UnitTotal]] = {}
    for unit in summed.units:
        departments.setdefault(unit.department, []).append(unit)
    for department, members in departments.items():
        rows += [(_total_row(columns, unit.department, unit.unit, [unit]), False) for unit in members]
        rows.append((_total_row(columns, department, "小计", members), True))
    rows.append((_total_row(columns, "合计", "", summed.units), True))
    charted = bool(summed.units and columns)
    at = len(headers) + 1  # the chart's data: a blank column, then unit and amount, hidden
    chart_headers = [(at, TEXT, "图表数据：实施单位"), (at + 1, TEXT, f"图表数据：{columns[0].header}")] if charted else []
    sheet = _XlsxSheet(book, UNITS, headers, kinds, extra=chart_headers)
    sheet.set_widths([values for values, _ in rows])
    for index, (values, bold) in enumerate(rows):
        extra = []
        if charted and index < len(summed.units):
            unit = summed.units[index]
            extra = [(at, TEXT, unit.unit), (at + 1, AMOUNT, unit.sums[0])]
        sheet.write_row(values, bold=bold, extra=extra)
    sheet.finish()
    if not charted:
        return rows
    sheet.ws.set_column(at, at + 1, None, None, {"hidden": True})
    count = len(summed.units)
    chart = book.workbook.add_chart({"type": "bar"})
    chart.add_series({
        "name": columns[0].header,
        "categories": [UNITS, 1, at, count, at],
        "values": [UNITS, 1, at + 1, count, at + 1],
        "data_labels": {"value": True, "num_format": "#,##0.00"},
    })
    chart.set_title({"name": f"各实施单位{columns[0].header}", "name_font": {"name": "宋体", "size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_font": {"name": "宋体"}})
    chart.set_y_axis({"reverse": True, "num_font": {"name": "宋体"}})
    chart.set_size({"width": 720, "height": max(240, 40 * count + 80)})
    chart.show_hidden_data()  # the data columns are hidden; Excel and LibreOffice skip hidden cells by default
    sheet.ws.insert_chart(sheet.row + 2, 0, chart)
    return rows


def _write_distribution(book: _Book, distribution: Distribution) -> None:
    """One row per 实施单位 (in order of first appearance), then the 合计; and a stacked column
    chart of the category counts per unit, its data the unit rows themselves (contiguous)."""
    scored = distribution.scored
    headers = ["实施单位", "项目数", *distribution.categories, "未评分" if scored else "未判定"]
    kinds = [TEXT, INTEGER, *[INTEGER] * len(distribution.categories), INTEGER]
    if scored:
        headers.append("平均总分")
        kinds.append(AMOUNT)

    def row(unit) -> list[Any]:
        values: list[Any] = [unit.unit, unit.projects, *unit.counts, unit.unjudged]
        return values + [unit.average()] if scored else values

    sheet = _XlsxSheet(book, distribution.sheet, headers, kinds)
    rows = [row(unit) for unit in distribution.units]
    sheet.set_widths(rows)
    for values in rows:
        sheet.write_row(values)
    sheet.write_row(row(distribution.overall()), bold=True)
    sheet.finish()
    count = len(distribution.units)
    what = "自评等级" if scored else "监控状态"
    chart = book.workbook.add_chart({"type": "column", "subtype": "stacked"})
    for offset, colour in enumerate(distribution.colours):
        column = 2 + offset
        chart.add_series({
            "name": [distribution.sheet, 0, column],
            "categories": [distribution.sheet, 1, 0, count, 0],
            "values": [distribution.sheet, 1, column, count, column],
            "fill": {"color": colour},
            "data_labels": {"value": True, "num_format": "0;-0;;"},  # a 0 has no label to overlap its neighbours
        })
    chart.set_title({"name": f"各实施单位{what}分布（{distribution.counted}数）", "name_font": {"name": "宋体", "size": 12}})
    chart.set_legend({"position": "bottom", "font": {"name": "宋体"}})
    chart.set_x_axis({"num_font": {"name": "宋体"}})
    chart.set_y_axis({"num_font": {"name": "宋体"}, "major_gridlines": {"visible": True}})
    chart.set_size({"width": max(480, 120 * count + 160), "height": 320})
    sheet.ws.insert_chart(sheet.row + 2, 0, chart)


def _total_row(columns: Sequence[Column], first: str, second: str, units: Sequence[UnitTotal]) -> list[Any]:
    sums = [sum((unit.sums[i] for unit in units), Decimal(0)) for i in range(len(columns))]
    left_out = [sum(unit.left_out[i] for unit in units) for i in range(len(columns))]
    return [first, second, sum(unit.projects for unit in units), *sums, left_out_text(list(columns), left_out),
            gap_text(list(columns), gaps(list(columns), sums))]


RETURN_UNIT_HEADERS = ["主管部门", "实施单位", "报送状态", "应交项目数", "已交项目数", "其中有错误", "未交项目数", "未交项目",
                       "名单外项目数", "名单外项目"]
RETURN_UNIT_KINDS = [TEXT, TEXT, TEXT, INTEGER, INTEGER, INTEGER, INTEGER, TEXT, INTEGER, TEXT]


def _write_returns(book: _Book, returns: Returns) -> None:
    """报送情况, the master's first sheet: per unit (who has sent nothing first), then per project —
    the roster's, each with its state and the roster's amounts beside the returned ones, and the
    returned projects the roster does not know."""
    amounts = [(path, title.removeprefix("其中：")) for path, title in returns.amount_fields]
    unit_rows = [[unit.department, unit.unit, unit.state, unit.expected, unit.returned, unit.with_errors,
                  len(unit.missing), "、".join(unit.missing), len(unit.unknown), "、".join(unit.unknown)]
                 for unit in returns.units]
    project_headers = ["实施单位", "项目名称", "状态", "名单行", "错误数"]
    project_kinds = [TEXT, TEXT, TEXT, INTEGER, INTEGER]
    for _, title in amounts:
        project_headers += [f"{title}（名单，{returns.amount_unit}）", f"{title}（报送，{returns.amount_unit}）"]
        project_kinds += [AMOUNT, AMOUNT]
    project_headers += ["金额核对", *PROVENANCE_HEADERS]
    project_kinds += [TEXT, TEXT, TEXT]
    project_rows = []
    for project in returns.projects:
        values: list[Any] = [project.unit, project.name, project.status, project.row or None,
                             project.errors if project.status != MISSING else None]
        for path, _ in amounts:
            values += [project.roster_amounts.get(path), project.form_amounts.get(path)]
        compared = project.status == RETURNED and any(
            path in project.roster_amounts and path in project.form_amounts for path, _ in amounts)
        check = ("不同：" + "、".join(project.differs)) if project.differs else ("一致" if compared else "")
        project_rows.append([*values, check, project.file, project.sheet])
    sheet = _XlsxSheet(book, RETURNS, RETURN_UNIT_HEADERS, RETURN_UNIT_KINDS)
    sheet.set_widths(unit_rows)
    widths = [display_width(h) + 2 for h in project_headers]  # the project block's columns widen the sheet
    for values in [project_headers, *project_rows[:500]]:
        for i, value in enumerate(values):
            if value is not None:
                widths[i] = max(widths[i], min(display_width(str(value)[:80]) + 2, 60))
    for i, width in enumerate(widths):
        if i >= len(sheet.widths) or width > sheet.widths[i]:
            sheet.ws.set_column(i, i, width, book.wrap if width >= 60 else None)
    for values in unit_rows:
        sheet.write_row(values)
    last_unit_row = sheet.row - 1
    expected = sum(unit.expected for unit in returns.units)
    returned = sum(unit.returned for unit in returns.units)
    units = sum(1 for unit in returns.units if unit.expected)
    sheet.write_row([f"名单“{returns.source}”：{units} 个单位、{expected} 个项目；已交 {returned} 个，"
                     f"未交 {expected - returned} 个，名单外 {returns.unknown_projects} 个。"], kinds=[TEXT])
    sheet.write_row([])
    sheet.write_row(project_headers, header=True)
    for values in project_rows:
        sheet.write_row(values, kinds=project_kinds)
    sheet.ws.autofilter(0, 0, max(last_unit_row, 0), len(RETURN_UNIT_HEADERS) - 1)
