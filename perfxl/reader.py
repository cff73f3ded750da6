"""Reading form workbooks back into form dicts, with python-calamine.

The reader finds every form sheet (through the hidden identity sheet perfxl writes, or by the
variant's title and labels), checks that the labels are where the layout says, and converts each
input cell to the field's type.  What cannot be converted becomes an :class:`Issue` at its cell,
never an exception.  Every value read remembers its cell, so later steps can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_cell_to_rowcol

from .issues import Issue, IssueSink
from .layout import AMOUNT, DATE, INTEGER, Layout, expectation, get_layout, normalise_label
from .values import ValueProblem, convert_cell, is_blank, text_from_cell
from .safety import DEFAULT_LIMITS, Limits, Refused, Scan, check_file_safety
from .variant import all_variants
from .writer import META_HEADER, META_SHEET

# The indicator block is read no further than this many rows below its header: a form holds at
# most a few hundred indicators, and a sheet whose used range was blown up to A1:XFD1048576 (a WPS
# and LibreOffice artefact) must not cost a million empty rows.
MAX_INDICATOR_ROWS = 1000


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


@dataclass
class WorkbookResult:
    """Everything read from one file: its forms and the problems that belong to no form."""

    file: str
    forms: list[FormRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def all_issues(self) -> list[Issue]:
        return self.issues + [issue for form in self.forms for issue in form.issues]


class _Grid:
    """Cell access by (row, col) over calamine's rows, blank outside them."""

    def __init__(self, rows: list[list[Any]]):
        self.rows = rows

    def get(self, row: int, col: int) -> Any:
        if row < len(self.rows):
            cells = self.rows[row]
            if col < len(cells):
                return cells[col]
        return ""

    @property
    def height(self) -> int:
        return len(self.rows)


def read_workbook(path: str | Path, *, variant: str | None = None, display_name: str | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> WorkbookResult:
    """Read every form in a workbook.  Never raises for a bad file: problems come back as issues.
    The file passes :func:`perfxl.safety.check_file_safety` before calamine sees it."""
    name = display_name or str(path)
    result = WorkbookResult(name)
    sink = IssueSink(file=name)
    try:
        scan = check_file_safety(path, limits)
    except Refused as refused:
        sink.add("FILE-005", expected=refused.message)
        result.issues = sink.issues
        return result
    except OSError as exc:
        sink.add("FILE-001", expected=exc.strerror or str(exc))
        result.issues = sink.issues
        return result
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several unrelated types for unreadable files
        sink.add("FILE-001", expected=_reason(exc))
        result.issues = sink.issues
        return result
    if scan.has_macros:
        sink.add("FILE-007")
    try:
        result.forms = _read_forms(book, name, variant, sink, scan)
    except Exception as exc:  # a sheet calamine cannot parse: report, never crash the run
        sink.add("FILE-001", expected=_reason(exc))
    finally:
        book.close()
    if not result.forms and not sink.issues:
        known = "、".join(v.title for v in all_variants())
        sink.add("FILE-002", expected=known)
    result.issues = sink.issues
    return result


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]


def _read_forms(book: CalamineWorkbook, name: str, variant: str | None, sink: IssueSink,
                scan: Scan) -> list[FormRecord]:
    sheets = book.sheet_names
    listed = _meta_rows(book) if META_SHEET in sheets else []
    forms: list[FormRecord] = []
    if listed:
        for sheet_name, form_id, variant_name in listed:
            if sheet_name not in sheets:
                sink.add("FILE-002", sheet=sheet_name, expected=f"工作表“{sheet_name}”已被删除")
                continue
            layout = get_layout(variant or variant_name)
            grid = _load(book, sheet_name, layout)
            forms.append(read_sheet(grid.get, name, sheet_name, layout, grid.height, form_id=form_id,
                                    scan=scan))
        return forms
    # A workbook perfxl did not write: a sheet is a form when its title and labels match a variant.
    candidates = [get_layout(variant)] if variant else [get_layout(v.name) for v in all_variants()]
    for meta in book.sheets_metadata:
        if str(meta.visible) != "SheetVisibleEnum.Visible" or meta.name.startswith("_"):
            continue
        for layout in candidates:
            grid = _load(book, meta.name, layout)
            if _looks_like(grid, layout):
                forms.append(read_sheet(grid.get, name, meta.name, layout, grid.height, scan=scan))
                break
    return forms


def _meta_rows(book: CalamineWorkbook) -> list[tuple[str, str, str]]:
    rows = book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False, nrows=10_000)
    if not rows or tuple(str(c) for c in rows[0][:len(META_HEADER)]) != META_HEADER:
        return []
    return [(str(r[0]), str(r[1]), str(r[2])) for r in rows[1:] if len(r) >= 3 and r[0] and r[2]]


def _load(book: CalamineWorkbook, sheet_name: str, layout: Layout) -> _Grid:
    sheet = book.get_sheet_by_name(sheet_name)
    limit = layout.first_indicator_row + MAX_INDICATOR_ROWS
    return _Grid(sheet.to_python(skip_empty_area=False, nrows=limit))


def _looks_like(grid: _Grid, layout: Layout) -> bool:
    labels = layout.all_fixed_labels()
    hits = sum(normalise_label(grid.get(l.area.first_row, l.area.first_col)) == normalise_label(l.text)
               for l in labels)
    return hits * 2 > len(labels)


CellGetter = Callable[[int, int], Any]


def read_sheet(cell: CellGetter, file: str, sheet: str, layout: Layout, height: int, *,
               form_id: str = "", scan: Scan | None = None) -> FormRecord:
    """Read one form from a sheet laid out as ``layout`` says."""
    scan = scan or Scan("zip")
    formulas = scan.formulas.get(sheet, {})
    sink = IssueSink(file=file, sheet=sheet)
    record = FormRecord(file=file, sheet=sheet, variant=layout.variant.name, form={}, cells={},
                        form_id=form_id)
    for label in layout.all_fixed_labels():
        found = cell(label.area.first_row, label.area.first_col)
        if normalise_label(found) != normalise_label(label.text):
            sink.add("LAYOUT-001", cell=label.area.ref, field=label.text, value=text_from_cell(found),
                     expected=label.text)
    for slot in layout.slots:
        pointer = slot.path.replace(".", "/")
        record.cells[pointer] = slot.area.ref
        raw = cell(slot.area.first_row, slot.area.first_col)
        if slot.area.ref in formulas and not formulas[slot.area.ref]:
            sink.add("CELL-001", cell=slot.area.ref, field=slot.title, value="（公式）")
            record.reported.add(pointer)
            continue
        if is_blank(raw):
            continue
        if slot.area.ref in formulas:
            sink.add("CELL-002", cell=slot.area.ref, field=slot.title, value=text_from_cell(raw))
        try:
            value = convert_cell(slot.kind, raw, decimals=slot.decimals, date1904=scan.date1904)
        except ValueProblem:
            sink.add(_CODE_FOR_KIND[slot.kind], cell=slot.area.ref, field=slot.title,
                     value=text_from_cell(raw), expected=expectation(slot))
            record.reported.add(pointer)
            continue
        _put(record.form, slot.path, value)
    for parent in layout.required_parents:
        record.form.setdefault(parent, {})  # so a missing amount is reported at its own cell
    record.form[layout.indicator_field] = _read_indicators(cell, layout, height, record, sink)
    _indicator_formulas(formulas, layout, sink)
    record.form = _in_schema_order(record.form, layout.variant.schema["properties"], layout)
    record.issues = sink.issues
    return record


def _indicator_formulas(formulas: dict[str, bool], layout: Layout, sink: IssueSink) -> None:
    """A formula without a saved value in the indicator table is reported, never read as empty."""
    columns = {area.first_col: part for part, area in layout.indicator_areas.items()}
    for ref, cached in formulas.items():
        row, col = xl_cell_to_rowcol(ref)
        if row >= layout.first_indicator_row and col in columns:
            part = columns[col]
            if not cached:
                sink.add("CELL-001", cell=ref, field=layout.indicator_titles[part], value="（公式）")


def _in_schema_order(form: dict[str, Any], properties: dict[str, Any], layout: Layout) -> dict[str, Any]:
    """Keys in the schema's order, so `perfxl read` prints forms the way the schema lists them."""
    ordered: dict[str, Any] = {}
    for key, sub in properties.items():
        if key in form:
            value = form[key]
            if isinstance(value, dict):
                value = _in_schema_order(value, layout.variant.resolve(sub).get("properties", {}), layout)
            ordered[key] = value
    return ordered


_CODE_FOR_KIND = {AMOUNT: "VALUE-002", DATE: "VALUE-003", INTEGER: "VALUE-005"}


def _put(form: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = form
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _read_indicators(cell: CellGetter, layout: Layout, height: int, record: FormRecord,
                     sink: IssueSink) -> list[dict[str, str]]:
    """Indicator rows under the header; 一级/二级 are merged over their rows, so a blank one
    carries down from the row above, exactly as the printed table reads."""
    areas = layout.indicator_areas
    indicators: list[dict[str, str]] = []
    level1 = level2 = ""
    level1_cell = level2_cell = ""  # where the carried value really is: the merged cell's top
    for row in range(layout.first_indicator_row, min(height, layout.first_indicator_row + MAX_INDICATOR_ROWS)):
        values = {part: text_from_cell(cell(row, area.first_col)) for part, area in areas.items()}
        if values["level1"]:
            level1, level2 = values["level1"], ""
            level1_cell = level2_cell = layout.indicator_cell("level1", row)
        if values["level2"]:
            level2, level2_cell = values["level2"], layout.indicator_cell("level2", row)
        if not values["name"] and not values["target"]:
            continue
        if not level1:
            sink.add("LAYOUT-002", cell=layout.indicator_cell("name", row), value=row + 1)
            continue
        index = len(indicators)
        item = {"level1": level1, "level2": level2}
        for part in ("name", "target"):
            if values[part]:
                item[part] = values[part]
        prefix = f"{layout.indicator_field}/{index}"
        record.cells[f"{prefix}/level1"] = level1_cell
        record.cells[f"{prefix}/level2"] = level2_cell if level2 else layout.indicator_cell("level2", row)
        for part in ("name", "target"):
            record.cells[f"{prefix}/{part}"] = layout.indicator_cell(part, row)
        if not level2:
            del item["level2"]
        indicators.append(item)
    return indicators
