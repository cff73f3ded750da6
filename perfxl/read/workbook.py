"""Reading form workbooks back into form dicts, with python-calamine.

The reader finds every form sheet (through the hidden identity sheet perfxl writes, or by the
variant's title and labels), checks that the labels are where the layout says, and converts each
input cell to the field's type.  What cannot be converted becomes an :class:`Issue` at its cell,
never an exception.  Every value read remembers its cell, so later steps can point at it.

When the labels are not where the layout says (a perfxl template whose rows or columns were
moved, a renamed sheet, a workbook perfxl did not write), the sheet is read by its labels instead
(:mod:`perfxl.read.anchored`): with one LAYOUT-003 warning for a perfxl workbook, and the form marked
``foreign`` for a workbook without perfxl's identity sheet.  A perfxl sheet with every label in
place takes the fixed-position path only.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from ..config import DEFAULT_LIMITS, Limits
from ..form.identity import INSTRUCTIONS_SHEET, META_HEADER, META_SHEET, form_id_for
from ..form.layout import Label, Layout, get_layout, normalise_label, parse_cell
from ..form.values import text_from_cell
from ..form.variant import all_variants, variant_names
from ..model import FormRecord, WorkbookResult
from ..problems import IssueSink, Problem, Unclear
from .anchored import locate, read_by_labels, structure_warning
from .cells import CellGetter, complete_form, read_slots
from .gate import Refused, Scan, check_bytes_safety, read_input
from .indicators import MAX_INDICATOR_ROWS, read_indicators
from .ods import OdsBook
from .reasons import library_reason


class _Grid:
    """Cell access by (row, col) over calamine's rows, blank outside them."""

    def __init__(self, rows: list[list[Any]]):
        self.rows = rows

    def get(self, row: int, col: int) -> Any:
        try:  # inside the rows nearly always
            return self.rows[row][col]
        except IndexError:
            if row < len(self.rows):  # an index below 0 counts from the end, and may not exist
                cells = self.rows[row]
                if col < len(cells):
                    return cells[col]
            return ""

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max(map(len, self.rows), default=0)


def read_workbook(path: str | Path, *, variant: str | None = None, display_name: str | None = None,
                  limits: Limits = DEFAULT_LIMITS, data: bytes | None = None) -> WorkbookResult:
    """Read every form in a workbook.  Never raises for a bad file: problems come back as issues.
    The file passes :func:`perfxl.read.gate.check_bytes_safety` before calamine sees it.  ``data``:
    the file's bytes when the caller has read them already (:func:`perfxl.read.gate.read_input`)."""
    name = display_name or str(path)
    result = WorkbookResult(name)
    sink = IssueSink(file=name)
    try:
        data = read_input(path, limits) if data is None else data
        scan = check_bytes_safety(data, limits)
    except Refused as refused:
        sink.add(Problem.FILE_005, expected=refused.message)
        result.issues = sink.issues
        return result
    except OSError as exc:
        sink.add(Problem.FILE_001, expected=exc.strerror or str(exc))
        result.issues = sink.issues
        return result
    result.saved = scan.saved
    if scan.output:  # last round's master in the inbox: perfxl's own output, never read as forms
        result.output = scan.output
        sink.add(Problem.FILE_010, expected=scan.output)
        result.issues = sink.issues
        return result
    ods = _is_ods(data)
    try:
        # the bytes checked, the parts inflated by the check stored (Scan.parser_bytes)
        book: CalamineWorkbook | OdsBook = CalamineWorkbook.from_filelike(io.BytesIO(scan.parser_bytes or data))
    except Exception as exc:  # calamine raises several unrelated types for unreadable files
        book = _second_reader(data, limits) if ods else None
        if book is None:
            sink.add(Problem.FILE_001, expected=library_reason(exc))
            result.issues = sink.issues
            return result
    if scan.has_macros:
        sink.add(Problem.FILE_007)
    found = len(sink.issues)
    try:
        result.forms = _read_forms(book, name, variant, sink, scan)
    except Exception as exc:  # a sheet calamine cannot parse: report, never crash the run
        book.close()
        del sink.issues[found:]
        book = _second_reader(data, limits) if ods and not isinstance(book, OdsBook) else None
        try:
            if book is None:
                raise exc
            result.forms = _read_forms(book, name, variant, sink, scan)
        except Exception as again:
            del sink.issues[found:]
            sink.add(Problem.FILE_001, expected=library_reason(again))
    finally:
        if book is not None:
            book.close()
    if not result.forms and not sink.issues:
        known = "、".join(v.title for v in all_variants())
        sink.add(Problem.FILE_002, expected=known)
    result.issues = sink.issues
    return result


def _is_ods(data: bytes) -> bool:
    return b"application/vnd.oasis.opendocument.spreadsheet" in data[:256]  # the stored mimetype, first


def _second_reader(data: bytes, limits: Limits) -> OdsBook | None:
    """The .ods as perfxl parses it itself (:mod:`perfxl.read.ods`), for what calamine refuses."""
    try:
        return OdsBook(data, limits)
    except Exception:
        return None


def _read_forms(book: CalamineWorkbook, name: str, variant: str | None, sink: IssueSink,
                scan: Scan) -> list[FormRecord]:
    listed = _meta_rows(book) if META_SHEET in book.sheet_names else []
    if listed:
        return _read_perfxl_forms(book, name, variant, listed, sink, scan)
    # A workbook perfxl did not write: a sheet is a form when its title and labels match a variant.
    candidates = [get_layout(variant)] if variant else [get_layout(v.name) for v in all_variants()]
    forms = []
    for sheet_name in _visible_sheets(book):
        record = _read_foreign_sheet(book, name, sheet_name, candidates, scan)
        if record is not None:
            record.foreign = True
            forms.append(record)
    return forms


def _visible_sheets(book: CalamineWorkbook) -> list[str]:
    return [meta.name for meta in book.sheets_metadata
            if str(meta.visible) == "SheetVisibleEnum.Visible" and not meta.name.startswith("_")]


# --- perfxl workbooks ------------------------------------------------------------------------
def _read_perfxl_forms(book: CalamineWorkbook, name: str, variant: str | None,
                       listed: list[tuple[str, str, str]], sink: IssueSink, scan: Scan) -> list[FormRecord]:
    """The sheets the identity sheet lists.  A listed sheet that is gone may have been renamed: an
    unlisted sheet holding that form is read in its place, with a warning; otherwise the sheet is
    reported deleted."""
    present = set(book.sheet_names)
    names = {sheet_name for sheet_name, _, _ in listed}
    spare = [s for s in _visible_sheets(book) if s not in names and s != INSTRUCTIONS_SHEET]
    forms: list[FormRecord] = []
    for sheet_name, form_id, variant_name in listed:
        layout = get_layout(variant or variant_name)
        if sheet_name in present:
            forms.append(_read_template_sheet(book, name, sheet_name, layout, form_id, scan))
            continue
        record = _renamed_sheet(book, name, sheet_name, spare, layout, form_id, scan)
        if record is None:
            sink.add(Problem.FILE_002, sheet=sheet_name, expected=f"工作表“{sheet_name}”已被删除")
            continue
        spare.remove(record.sheet)
        forms.append(record)
    for sheet_name in spare:
        if any(_read_template_sheet(book, name, sheet_name, get_layout(variant or v), "", scan, must_be_form=True)
               for v in dict.fromkeys(v for _, _, v in listed)):
            sink.add(Problem.LAYOUT_004, sheet=sheet_name, value=sheet_name, expected=Unclear.EXTRA_SHEET.say())
    return forms


def _renamed_sheet(book: CalamineWorkbook, name: str, old_name: str, spare: list[str], layout: Layout,
                   form_id: str, scan: Scan) -> FormRecord | None:
    """The unlisted sheet that holds the form a missing sheet held: the one whose form has that
    form id, else the first unlisted sheet that is this form at all."""
    found = []
    for sheet_name in spare:
        change = f"工作表“{old_name}”已改名为“{sheet_name}”"
        record = _read_template_sheet(book, name, sheet_name, layout, form_id, scan, [change], must_be_form=True)
        if record is not None:
            found.append(record)
    same = [r for r in found if form_id and form_id_for(layout, r.form) == form_id]
    return (same or found or [None])[0]


def _read_template_sheet(book: CalamineWorkbook, name: str, sheet_name: str, layout: Layout, form_id: str,
                         scan: Scan, changes: list[str] | None = None, *,
                         must_be_form: bool = False) -> FormRecord | None:
    """A sheet of a perfxl workbook: by the fixed positions when every label is in place (the fast
    path), else by its labels when that finds at least as many of them, with one LAYOUT-003
    warning.  ``changes`` are already known changes (a renamed sheet) for that warning.  With
    ``must_be_form``, None when the sheet is not this form at all."""
    changes = changes or []
    grid = _load(book, sheet_name, layout)
    base, layout = layout, layout.for_sheet(grid.get)  # the texts' places filled from the sheet's own cells
    misplaced = misplaced_labels(grid.get, layout)
    if misplaced and base.text_params:  # rows moved the places' cells too: find them by their labels
        found = read_by_labels(grid.get, grid.height, grid.width, base, name, sheet_name, scan=scan)
        if found is not None and base.for_values(found.form) is not layout:
            layout = base.for_values(found.form)
            misplaced = misplaced_labels(grid.get, layout)
    if misplaced:
        located = locate(grid.get, grid.height, grid.width, layout)
        in_place = len(layout.all_fixed_labels()) - len(misplaced)
        if located.recognised(layout) and located.found >= in_place:
            return read_by_labels(grid.get, grid.height, grid.width, layout, name, sheet_name, form_id=form_id,
                                  scan=scan, template_changes=changes, located=located)
        if must_be_form and not _looks_like(grid, layout):
            return None
    record = read_sheet(grid, name, sheet_name, layout, form_id=form_id, scan=scan,
                        misplaced=misplaced)
    if changes:
        record.issues.insert(0, structure_warning(name, sheet_name, changes, by_labels=False))
    return record


# --- workbooks perfxl did not write ----------------------------------------------------------
def _read_foreign_sheet(book: CalamineWorkbook, name: str, sheet_name: str, candidates: list[Layout],
                        scan: Scan) -> FormRecord | None:
    """A sheet with every label of a variant in place is read by the fixed positions; otherwise by
    the labels of the variant it matches best (its title, then the share of its labels found);
    failing that, as before, when most labels are in place."""
    grids = {layout.variant.name: _load(book, sheet_name, layout) for layout in candidates}
    candidates = [layout.for_sheet(grids[layout.variant.name].get) for layout in candidates]
    best = None
    for layout in candidates:
        grid = grids[layout.variant.name]
        if not misplaced_labels(grid.get, layout):
            return read_sheet(grid, name, sheet_name, layout, scan=scan)
        located = locate(grid.get, grid.height, grid.width, layout)
        score = (located.has_title(layout), located.found / max(located.total, 1))
        if located.recognised(layout) and (best is None or score > best[0]):
            best = (score, layout, located)
    if best is not None:
        _, layout, located = best
        grid = grids[layout.variant.name]
        return read_by_labels(grid.get, grid.height, grid.width, layout, name, sheet_name, scan=scan,
                              located=located)
    for layout in candidates:
        grid = grids[layout.variant.name]
        if _looks_like(grid, layout):
            return read_sheet(grid, name, sheet_name, layout, scan=scan)
    return None


def _meta_rows(book: CalamineWorkbook) -> list[tuple[str, str, str]]:
    rows = book.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False, nrows=10_000)
    if not rows or tuple(str(c) for c in rows[0][:len(META_HEADER)]) != META_HEADER:
        return []
    known = set(variant_names(None))  # a workbook of any kind of form
    listed: dict[str, tuple[str, str, str]] = {}
    for r in rows[1:]:
        # A sheet counts once however often it is listed, and only an installed variant is looked
        # up: the identity sheet is as editable as any other, so it is a hint, never an instruction.
        if len(r) >= 3 and r[0] and r[2] and str(r[2]) in known:
            listed.setdefault(str(r[0]), (str(r[0]), str(r[1]), str(r[2])))
    return list(listed.values())


def _load(book: CalamineWorkbook, sheet_name: str, layout: Layout) -> _Grid:
    sheet = book.get_sheet_by_name(sheet_name)
    limit = layout.first_indicator_row + MAX_INDICATOR_ROWS
    return _Grid(sheet.to_python(skip_empty_area=False, nrows=limit))


def _looks_like(grid: _Grid, layout: Layout) -> bool:
    labels = layout.all_fixed_labels()
    hits = sum(normalise_label(grid.get(l.area.first_row, l.area.first_col)) == normalise_label(l.text)
               for l in labels)
    return hits * 2 > len(labels)


def read_sheet(grid: _Grid, file: str, sheet: str, layout: Layout, *,
               form_id: str = "", scan: Scan | None = None, misplaced: list[Label] | None = None) -> FormRecord:
    """Read one form from a sheet laid out as ``layout`` says (``misplaced``: the
    :func:`misplaced_labels` of this sheet, when the caller has them already)."""
    scan = scan or Scan("zip")
    cell = grid.get
    formulas = scan.formulas.get(sheet, {})
    sink = IssueSink(file=file, sheet=sheet)
    record = FormRecord(file=file, sheet=sheet, variant=layout.variant.name, form={}, cells={},
                        form_id=form_id)
    for label in misplaced_labels(cell, layout) if misplaced is None else misplaced:
        found = cell(label.area.first_row, label.area.first_col)
        sink.add(Problem.LAYOUT_001, cell=label.area.ref, field=label.text, value=text_from_cell(found),
                 expected=label.text)
    read_slots(record, sink, layout, cell, formulas=formulas, date1904=scan.date1904)
    for output in layout.outputs:  # perfxl's cells: their saved values, only to compare
        record.outputs[output.pointer] = cell(output.area.first_row, output.area.first_col)
        record.cells[output.pointer] = output.area.ref
    indicators = read_indicators(grid.rows, layout, record, sink)
    own = {record.cells[pointer]: pointer for pointer in record.outputs}
    _indicator_formulas(formulas, layout, sink, set(own))
    for ref, pointer in own.items():  # a formula saved without its result (openpyxl) shows nothing to compare
        if ref in formulas and not formulas[ref]:
            del record.outputs[pointer]
    complete_form(record, layout, indicators)
    record.issues = sink.issues
    return record


def misplaced_labels(cell: CellGetter, layout: Layout) -> list[Label]:
    """The fixed labels that are not where the layout puts them (the fast path's check)."""
    misplaced = []
    for label, row, col, text, normalised in _label_places(layout):
        found = cell(row, col)
        # the exact text is the usual case; only a difference needs the normalised comparison
        if found != text and normalise_label(found) != normalised:
            misplaced.append(label)
    return misplaced


_LABEL_PLACES: dict[Layout, tuple[tuple[Label, int, int, str, str], ...]] = {}


def _label_places(layout: Layout) -> tuple[tuple[Label, int, int, str, str], ...]:
    """Each fixed label with its cell and normalised text, worked out once per layout (layouts
    live as long as the process: :func:`~perfxl.form.layout.get_layout` keeps them)."""
    places = _LABEL_PLACES.get(layout)
    if places is None:
        places = _LABEL_PLACES[layout] = tuple(
            (label, label.area.first_row, label.area.first_col, label.text, normalise_label(label.text))
            for label in layout.fixed_labels)
    return places


def _indicator_formulas(formulas: dict[str, bool], layout: Layout, sink: IssueSink,
                        own: set[str] | None = None) -> None:
    """A formula without a saved value in the indicator table is reported, never read as empty
    (perfxl's own formula cells, ``own``, are compared with its computation instead)."""
    columns = {area.first_col: part for part, area in layout.indicator_areas.items()}
    for ref, cached in formulas.items():
        if own and ref in own:
            continue
        row, col = parse_cell(ref)
        if row >= layout.first_indicator_row and col in columns:
            part = columns[col]
            if not cached:
                sink.add(Problem.CELL_001, cell=ref, field=layout.indicator_titles[part], value="（公式）")
