"""The master workbook for the 镇政府: one row per project, one per indicator, per-unit sums,
every problem and every input file.

Written with xlsxwriter in constant-memory mode, row by row.  Text from the forms always goes
through ``write_string``: a project named ``=HYPERLINK(…)`` stays text (formula injection).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import xlsxwriter

from ..check.targets import parse_target_cached
from ..form.kinds import AMOUNT, DATE, INDEX, INTEGER, TEXT
from ..form.layout import Layout, display_width, get_layout
from ..form.values import get_field
from ..form.variant import DEFAULT_VARIANT
from ..problems import SEVERITY_ORDER
from ..write.paper import set_a4
from ..write.workbook import FIXED_TIMESTAMP
from .consolidate import CollectedForm, Collection
from .sheetxml import SheetData, swap_sheet_data
from .xlsxinternals import xf_index

PROJECTS, INDICATORS, UNITS, PROBLEMS, FILES = "项目汇总", "绩效指标明细", "单位汇总", "问题清单", "文件清单"
AMOUNT_FORMAT = "#,##0.00####"
MAX_SHEET_ROWS = 1_048_576  # Excel's rows per sheet, the header included
LEADING_FIELDS = ("department", "implementing_unit", "year", "project_name")  # who and what, first


@dataclass(frozen=True)
class Column:
    """One master column: header, how to get its value from a collected form, and its kind."""

    header: str
    get: Callable[[CollectedForm], Any]
    kind: str = TEXT  # how its values are written: TEXT, AMOUNT, DATE, INTEGER or INDEX
    counts: Callable[[Any], bool] = lambda value: True  # may the value enter a total (a valid amount)


def _only_for(variants: set[str], get: Callable[[CollectedForm], Any]) -> Callable[[CollectedForm], Any]:
    """Amounts in 元 and in 万元 must never share a column: each variant fills its own."""
    return lambda item: get(item) if item.record.variant in variants else None


def _field(path: str) -> Callable[[CollectedForm], Any]:
    return lambda item: get_field(item.record.form, path)


def layouts_of(collection: Collection) -> list[Layout]:
    """The variants present, in order of first appearance (the default variant when empty)."""
    names = list(dict.fromkeys(item.variant for item in collection.forms)) or [DEFAULT_VARIANT]
    return [get_layout(name) for name in names]


def project_columns(layouts: Sequence[Layout]) -> list[Column]:
    """项目汇总 columns from the schemas: identity first, then every field in schema order, then
    indicator counts per 一级, problem counts and provenance.  A field a variant lacks stays empty."""
    slots: dict[str, Any] = {}
    variants_of: dict[str, set[str]] = {}
    for layout in layouts:
        order = _schema_paths(layout)
        for slot in sorted(layout.slots, key=lambda s: order.index(s.path) if s.path in order else 99):
            key = f"{slot.path}@{slot.unit}" if slot.kind == AMOUNT else slot.path
            slots.setdefault(key, slot)
            variants_of.setdefault(key, set()).add(layout.variant.name)
    keys = [k for k in LEADING_FIELDS if k in slots] + [k for k in slots if k not in LEADING_FIELDS]
    columns = [Column("序号", lambda item: None, INDEX)]
    for key in keys:
        slot = slots[key]
        header = f"{slot.title}（{slot.unit}）" if slot.kind == AMOUNT else slot.title
        kind = slot.kind if slot.kind in (AMOUNT, DATE, INTEGER) else TEXT
        columns.append(Column(header, _only_for(variants_of[key], _field(slot.path)), kind, slot.accepts))
    level1s = list(dict.fromkeys(l1 for layout in layouts for l1 in layout.framework))
    for level1 in level1s:
        columns.append(Column(f"{level1}数", _count_level1(level1), INTEGER))
    columns += [Column("错误数", lambda item: item.errors, INTEGER),
                Column("警告数", lambda item: item.warnings, INTEGER),
                Column("来源文件", lambda item: item.file.path),
                Column("工作表", lambda item: item.record.sheet)]
    return columns


def _schema_paths(layout: Layout) -> list[str]:
    paths = []
    for key, sub in layout.variant.schema["properties"].items():
        props = layout.variant.resolve(sub).get("properties")
        paths += [f"{key}.{child}" for child in props] if props else [key]
    return paths


def _count_level1(level1: str) -> Callable[[CollectedForm], int]:
    def count(item: CollectedForm) -> int:
        return sum(1 for ind in item.record.indicator_items() if ind.get("level1") == level1)
    return count


INDICATOR_HEADERS = ["实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "年度指标值",
                     "运算符", "数值", "单位", "定量/定性", "来源文件", "工作表", "单元格"]
INDICATOR_KINDS = [TEXT] * 7 + [AMOUNT] + [TEXT] * 5
PROBLEM_HEADERS = ["文件", "工作表", "单元格", "字段", "值", "代码", "级别", "说明"]
FILE_HEADERS = ["路径", "大小（字节）", "SHA-256", "状态", "表单数", "说明"]


def indicator_rows(collection: Collection) -> Iterable[list[Any]]:
    for item in collection.forms:
        form = item.record.form
        field = get_layout(item.variant).indicator_field
        items = form.get(field)
        for index, ind in enumerate(items if isinstance(items, list) else []):
            if not isinstance(ind, dict):
                continue  # a JSON form of the wrong shape: reported by validation, not a row
            cell = item.record.cells.get(f"{field}/{index}/name", "")
            target = ind.get("target", "")
            parsed = parse_target_cached(target) if isinstance(target, str) and target.strip() else None
            reading = ([parsed.operator, parsed.number, parsed.unit, parsed.kind] if parsed else [None] * 4)
            yield [form.get("implementing_unit", ""), form.get("project_name", ""), ind.get("level1", ""),
                   ind.get("level2", ""), ind.get("name", ""), target, *reading, item.file.path,
                   item.record.sheet, cell]


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


# --- unit totals ---------------------------------------------------------------------------
@dataclass
class UnitTotal:
    department: str
    unit: str
    projects: int
    sums: list[Decimal]


def unit_totals(collection: Collection, amount_columns: Sequence[Column]) -> list[UnitTotal]:
    """Exact (Decimal) sums per (主管部门, 实施单位), sorted by department then unit."""
    totals: dict[tuple[str, str], UnitTotal] = {}
    for item in collection.forms:
        form = item.record.form
        key = (str(form.get("department", "")), str(form.get("implementing_unit", "")))
        total = totals.setdefault(key, UnitTotal(key[0], key[1], 0, [Decimal(0)] * len(amount_columns)))
        total.projects += 1
        for i, column in enumerate(amount_columns):
            value = column.get(item)
            if column.counts(value):  # an amount reported invalid never enters a total
                total.sums[i] += _decimal(value)
    return [totals[k] for k in sorted(totals)]


def _decimal(value: Any) -> Decimal:
    """An amount for sums; anything that is not a finite number (text, NaN, Infinity from JSON)
    counts 0 here and is reported by validation."""
    try:
        number = Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except ArithmeticError:
        return Decimal(0)
    return number if number.is_finite() else Decimal(0)


# --- writing -------------------------------------------------------------------------------
class _Sheet:
    """A master sheet: xlsxwriter sets it up (widths, frozen header, filter, print), its rows are
    streamed as XML by :mod:`perfxl.collect.sheetxml` and swapped in when the workbook is closed."""

    def __init__(self, book: "_Book", name: str, headers: Sequence[str], kinds: Sequence[str]):
        self.book, self.kinds = book, list(kinds)
        self.ws = book.workbook.add_worksheet(name)
        self.number = len(book.workbook.worksheets())
        self.headers = list(headers)
        self.widths = [display_width(h) + 2 for h in headers]
        self.data = SheetData(kinds)
        self.styles = [xf_index(book.formats[(k, False)]) for k in self.kinds]
        self.data.add(headers, [xf_index(book.header)] * len(headers), all_text=True)
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

    def __init__(self, book: "_Book", name: str, headers: Sequence[str], kinds: Sequence[str]):
        self.book, self.kinds = book, list(kinds)
        self.ws = book.workbook.add_worksheet(name)
        self.headers = list(headers)
        self.widths = [display_width(h) + 2 for h in headers]
        self.row = 0
        _list_setup(self.ws)
        self.write_row(headers, header=True)

    set_widths = _Sheet.set_widths

    def write_row(self, values: Sequence[Any], *, header: bool = False, bold: bool = False) -> None:
        ws, r = self.ws, self.row
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            kind = TEXT if header else self.kinds[c]
            fmt = self.book.header if header else self.book.formats.get((kind, bold))
            if kind == AMOUNT and math.isfinite(float(_decimal(value))):
                ws.write_number(r, c, float(_decimal(value)), fmt)
            elif kind in (INTEGER, INDEX) and isinstance(value, (int, float)) and not isinstance(value, bool):
                ws.write_number(r, c, value, fmt)
            else:
                ws.write_string(r, c, str(value), fmt)
        self.row += 1

    def finish(self) -> None:
        self.ws.autofilter(0, 0, max(self.row - 1, 0), len(self.headers) - 1)


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
        self.workbook.set_properties({"title": "绩效目标汇总", "author": "perfxl", "created": FIXED_TIMESTAMP})
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


def _sample(rows: Iterable[list[Any]], n: int = 500) -> list[list[Any]]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) >= n:
            break
    return out


def build_master(collection: Collection, path: str | Path) -> Path:
    """Write the master workbook of a collection."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = _Book(path)
    layouts = layouts_of(collection)
    columns = project_columns(layouts)

    _stream(book, PROJECTS, [c.header for c in columns], [c.kind for c in columns],
            lambda: project_rows(collection, columns))
    _stream(book, INDICATORS, INDICATOR_HEADERS, INDICATOR_KINDS, lambda: indicator_rows(collection))
    _write_units(book, collection, [c for c in columns if c.kind == AMOUNT])
    order = problem_order(collection)
    _stream(book, PROBLEMS, PROBLEM_HEADERS, [TEXT] * len(PROBLEM_HEADERS), lambda: problem_rows(collection, order))
    _stream(book, FILES, FILE_HEADERS, [TEXT, INTEGER, TEXT, TEXT, INTEGER, TEXT],
            lambda: file_rows(collection))
    try:
        book.workbook.close()
    finally:
        book.scratch.cleanup()
    swap_sheet_data(path, book.streamed)
    return path


def _stream(book: _Book, name: str, headers: Sequence[str], kinds: Sequence[str], rows) -> None:
    """A sheet's rows; past Excel's row limit they go on in 名称（2）, 名称（3）… (a city's
    indicators outgrow one sheet), each with its header."""
    sample = _sample(rows())
    sheet, part = _Sheet(book, name, headers, kinds), 1
    sheet.set_widths(sample)
    for values in rows():
        if sheet.data.rows >= MAX_SHEET_ROWS:
            sheet.finish()
            part += 1
            sheet = _Sheet(book, f"{name}（{part}）", headers, kinds)
            sheet.set_widths(sample)
        sheet.data.add(values, sheet.styles)
    sheet.finish()


def _write_units(book: _Book, collection: Collection, amount_columns: Sequence[Column]) -> None:
    """Per unit, then a subtotal per 主管部门, then the grand total; unit rows are contiguous so
    the bar chart can use them as one range."""
    totals = unit_totals(collection, amount_columns)
    headers = ["主管部门", "实施单位", "项目数"] + [c.header for c in amount_columns]
    kinds = [TEXT, TEXT, INTEGER] + [AMOUNT] * len(amount_columns)
    sheet = _XlsxSheet(book, UNITS, headers, kinds)
    sheet.set_widths([[t.department, t.unit, t.projects, *t.sums] for t in totals])
    for t in totals:
        sheet.write_row([t.department, t.unit, t.projects, *t.sums])
    first_unit_row, last_unit_row = 1, len(totals)
    departments: dict[str, list[UnitTotal]] = {}
    for t in totals:
        departments.setdefault(t.department, []).append(t)
    for department, members in departments.items():
        sums = [sum((m.sums[i] for m in members), Decimal(0)) for i in range(len(amount_columns))]
        sheet.write_row([department, "小计", sum(m.projects for m in members), *sums], bold=True)
    grand = [sum((t.sums[i] for t in totals), Decimal(0)) for i in range(len(amount_columns))]
    sheet.write_row(["合计", "", sum(t.projects for t in totals), *grand], bold=True)
    sheet.finish()
    if totals and amount_columns:
        chart = book.workbook.add_chart({"type": "bar"})
        name = UNITS
        chart.add_series({
            "name": amount_columns[0].header,
            "categories": [name, first_unit_row, 1, last_unit_row, 1],
            "values": [name, first_unit_row, 3, last_unit_row, 3],
            "data_labels": {"value": True, "num_format": "#,##0.00"},
        })
        chart.set_title({"name": f"各实施单位{amount_columns[0].header}", "name_font": {"name": "宋体", "size": 12}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"num_font": {"name": "宋体"}})
        chart.set_y_axis({"reverse": True, "num_font": {"name": "宋体"}})
        chart.set_size({"width": 720, "height": max(240, 40 * len(totals) + 80)})
        sheet.ws.insert_chart(sheet.row + 2, 0, chart)
