"""Writing form workbooks with xlsxwriter: the official table, locked, print-ready, byte-stable.

Every value is written with a type-specific call (``write_string``, ``write_number`` …), never
the generic ``write()``, so text such as ``=HYPERLINK(…)`` stays text.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping, Sequence

import xlsxwriter

from .. import __version__
from ..form.identity import INSTRUCTIONS_SHEET, LISTS_SHEET, META_HEADER, META_SHEET
from ..form.kinds import AMOUNT, CHOICE, DATE, INTEGER, LONG_TEXT, POINTS, TEXT
from ..form.layout import (
    COMPUTED,
    FORMULA,
    INPUT,
    LOCKED,
    TEXT_INDENT,
    Area,
    IndicatorColumn,
    Layout,
    Slot,
    absolute_ref,
    cell_ref,
    display_width,
    expectation,
)
from ..form.values import EXCEL_CELL_LIMIT, amount_to_cell, date_to_cell, get_field
from .atomic import replacing
from ..form.marks import OUTPUT_PROPERTY
from .paper import BOOKLET_FOOTER, FORM_MARGINS, set_a4

# Fixed document timestamp: the same input must give the same bytes.
FIXED_TIMESTAMP = dt.datetime(2020, 1, 1, 0, 0, 0)
TEXT_FORMAT = "@"  # what units type into text cells stays text (95% is not 0.95, 007 not 7)
INLINE_LIST_LIMIT = 255  # Excel refuses longer inline data-validation lists
DATE_RANGE = (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


@dataclass(frozen=True)
class FormSheet:
    """One form sheet to write.

    ``form`` may be partial (a roster pre-fill).  With ``blank_rows`` set, the indicator block is
    the blank framework with that many empty rows under each 二级 (a template); otherwise exactly
    one row per indicator in ``form`` (a filled form).
    """

    name: str
    layout: Layout
    form: dict[str, Any]
    form_id: str = ""
    blank_rows: int | None = None
    # What perfxl works out for the layout's outputs and computed or formula columns, by pointer
    # (the layout's output pointers and "<indicators>/N/<part>"): a computed cell's value, a formula's cached result
    # (None: blank).  ``params``: the numbers a layout formula asks for ({params.funds}).
    outputs: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    first_page: int | None = None  # printed with page numbers from this one (a booklet's form)


@dataclass(frozen=True)
class PageRow:
    """One printed row of a :class:`PageSheet`: one text per column ("" for none), or a single text
    spanning every column; ``style`` is one of :data:`PAGE_STYLES`; ``height`` in points."""

    cells: tuple[str, ...]
    style: str
    height: float
    cell_styles: tuple[str, ...] = ()  # per column, where it differs from ``style`` ("" keeps it)


@dataclass(frozen=True)
class PageSheet:
    """A plain printed sheet before the forms (a booklet's cover, its contents): A4 portrait at
    100 %, a page break before each row index in ``breaks``, so its page count is what the caller
    planned; numbered from ``first_page`` (None: no page number); the row ``repeated`` (an index)
    printed again at the top of every page after the first (the caller plans for its height)."""

    name: str
    widths: tuple[float, ...]
    rows: tuple[PageRow, ...]
    breaks: tuple[int, ...] = ()
    first_page: int | None = None
    repeated: int | None = None


# --- formats -------------------------------------------------------------------------------
class _Formats:
    """xlsxwriter formats, made once per workbook and shared by style."""

    def __init__(self, workbook: xlsxwriter.Workbook, layout: Layout):
        self.workbook = workbook
        self.font = {"font_name": layout.font, "font_size": layout.font_size}
        self.cache: dict[tuple[str, str | None], Any] = {}

    def get(self, style: str, num_format: str | None = None, locked: bool = False,
            font_size: float | None = None) -> Any:
        """``style``'s format; ``font_size`` overrides its size (a long text shrunk to fit)."""
        key = (style, num_format, locked, font_size)
        if key not in self.cache:
            props: dict[str, Any] = {**self.font, **_STYLES[style]}
            if num_format:
                props["num_format"] = num_format
            if locked:
                props["locked"] = True
            if font_size is not None:
                props["font_size"] = font_size
            self.cache[key] = self.workbook.add_format(props)
        return self.cache[key]

    def page(self, style: str) -> Any:
        key = ("page", style)
        if key not in self.cache:
            self.cache[key] = self.workbook.add_format({**self.font, **PAGE_STYLES[style]})
        return self.cache[key]

    def shown_as(self, text: str) -> Any:
        """A conditional format that shows any text value of its cell as ``text``."""
        key = ("shown_as", text)
        if key not in self.cache:
            literal = '"' + text.replace('"', '"\\""') + '"'
            self.cache[key] = self.workbook.add_format({"num_format": f";;;{literal}"})
        return self.cache[key]


_BOXED = {"border": 1, "text_wrap": True, "valign": "vcenter"}
_PADDED = {**_BOXED, "align": "left", "indent": TEXT_INDENT, "locked": False}  # text off the left border
_STYLES: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 18, "align": "center", "valign": "vcenter"},
    "heading": {"font_size": 12, "align": "center", "valign": "vcenter", "locked": False},
    "label": {**_BOXED, "align": "center"},
    "input": _PADDED,
    "amount": {**_BOXED, "align": "right", "indent": 1, "locked": False},
    "date": _PADDED,
    "long_text": {**_PADDED, "valign": "top"},
    "points": {**_BOXED, "align": "center", "locked": False},
    "output": {**_BOXED, "align": "center"},  # perfxl's: computed values and formulas, locked
    "note": {"text_wrap": True, "valign": "top"},
    "note_title": {"bold": True, "font_size": 14},
}
# The styles of a PageSheet's rows (font sizes in points; the layout's font).
PAGE_STYLES: dict[str, dict[str, Any]] = {
    "cover_title": {"bold": True, "font_size": 26, "align": "center", "valign": "vcenter", "text_wrap": True},
    "cover_line": {"font_size": 16, "align": "center", "valign": "vcenter", "text_wrap": True},
    "page_title": {"bold": True, "font_size": 18, "align": "center", "valign": "vcenter"},
    "paragraph": {"font_size": 12, "align": "left", "valign": "top", "text_wrap": True},
    "contents_head": {"bold": True, "font_size": 11, "valign": "vcenter", "bottom": 1},
    "contents_unit": {"bold": True, "font_size": 11, "valign": "vcenter", "text_wrap": True},
    "contents_item": {"font_size": 11, "valign": "vcenter", "text_wrap": True, "indent": 2},
    "contents_page": {"font_size": 11, "valign": "vcenter", "align": "right"},
    "contents_head_page": {"bold": True, "font_size": 11, "valign": "vcenter", "bottom": 1, "align": "right"},
}


# --- the workbook --------------------------------------------------------------------------
def write_workbook(target: str | Path | BinaryIO, sheets: Sequence[FormSheet], *,
                   password: str | None = None, instructions: bool = True,
                   front: Sequence[PageSheet] = (), output: str | None = None) -> None:
    """Write form sheets (plus 填表说明 and the hidden identity sheet) as one locked workbook;
    ``front``: plain sheets printed before the forms (a booklet's cover and contents); ``output``:
    perfxl's mark (:mod:`perfxl.form.marks`) for a workbook that is an output, never forms to read."""
    if not sheets:
        raise ValueError("a workbook needs at least one form sheet")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False, "strings_to_numbers": False})
    layout = sheets[0].layout
    workbook.set_properties({"title": layout.title, "author": "perfxl", "company": "",
                             "comments": f"perfxl {__version__}; {layout.variant.schema_id}",
                             "created": FIXED_TIMESTAMP})
    if output:
        workbook.set_custom_property(OUTPUT_PROPERTY, output)
    formats = _Formats(workbook, layout)
    lists = _ListSheet(workbook)
    for page in front:
        _write_page_sheet(workbook, formats, page, password)
    for sheet in sheets:
        _write_form_sheet(workbook, formats, lists, sheet, password)
    if instructions:
        _write_instructions(workbook, formats, sheets[0].layout.for_values(sheets[0].form), password)
    _write_meta(workbook, sheets)
    lists.finish()
    workbook.worksheets()[0].activate()
    workbook.close()
    data = _protect_structure(buffer.getvalue(), password)
    if isinstance(target, (str, Path)):
        with replacing(target) as temporary:  # whole file or nothing: a unit never receives half a workbook
            temporary.write_bytes(data)
    else:
        target.write(data)


class _ListSheet:
    """Drop-down lists longer than Excel's 255-character inline limit live on a hidden sheet."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        self.columns: dict[tuple[str, ...], str] = {}
        self.sheet = None

    def source(self, choices: tuple[str, ...]) -> list[str] | str:
        if len(",".join(choices)) <= INLINE_LIST_LIMIT and not any("," in c for c in choices):
            return list(choices)
        if choices not in self.columns:
            if self.sheet is None:
                self.sheet = self.workbook.add_worksheet(LISTS_SHEET)
            col = len(self.columns)
            for row, choice in enumerate(choices):
                self.sheet.write_string(row, col, choice)
            first, last = absolute_ref(0, col), absolute_ref(len(choices) - 1, col)
            self.columns[choices] = f"={LISTS_SHEET}!{first}:{last}"
        return self.columns[choices]

    def finish(self) -> None:
        if self.sheet is not None:
            self.sheet.hide()
            self.sheet.protect()


def _write_form_sheet(workbook: xlsxwriter.Workbook, formats: _Formats, lists: _ListSheet,
                      sheet: FormSheet, password: str | None) -> None:
    form = sheet.form
    layout = sheet.layout.for_values(form)  # the texts' places filled from the form (1–{month}月)
    ws = workbook.add_worksheet(sheet.name)
    for col, width in layout.column_widths.items():
        ws.set_column(col, col, width)
    heights: dict[int, float] = dict(layout.row_heights)

    def need(area: Area, text: str, style: str = "label", size: float | None = None) -> None:
        if area.first_row == area.last_row and area.first_row not in layout.row_heights:
            size, indent = size or _STYLES[style].get("font_size"), _STYLES[style].get("indent", 0)
            heights[area.first_row] = max(heights.get(area.first_row, layout.default_row_height),
                                          layout.text_height(area, text, size, indent))

    for label in layout.labels:
        _put_string(ws, label.area, label.text, formats.get(label.style))
        need(label.area, label.text, label.style)
    for slot in layout.slots:
        value = get_field(form, slot.path)
        printed = layout.printed_text(slot, value)
        size = _shrunk_size(layout, slot, printed)
        style = _put_slot(ws, formats, slot, value, layout.blank_print(slot), size)
        if not slot.locked:  # a pre-filled cell needs no input help
            _validate_slot(ws, lists, slot)
        if slot.checkboxes:
            _show_checkboxes(ws, formats, layout, slot)
        if printed:
            need(slot.area, printed, style, size)
        if slot.kind == LONG_TEXT and not printed:  # room to write the goals in
            heights[slot.area.first_row] = max(heights.get(slot.area.first_row, 0), layout.long_text_height)

    indicators = (layout.blank_indicators(sheet.blank_rows) if sheet.blank_rows is not None
                  else form.get(layout.indicator_field, []))
    block = layout.indicator_block(indicators)
    label_fmt = formats.get("label")
    for label in layout.header_labels():
        _put_string(ws, label.area, label.text, label_fmt)
        need(label.area, label.text)
    _put_string(ws, block.side_label, layout.side_label_text, label_fmt)
    for area in block.level1_merges:
        _put_string(ws, area, _row_at(block, area.first_row).level1, label_fmt)
    for area in block.level2_merges:
        text = _row_at(block, area.first_row).level2
        _put_string(ws, area, text, label_fmt)
        if not area.is_merged:
            need(area, text)
    _put_indicator_cells(ws, formats, sheet, block, need)
    if block.rows:
        for column in layout.indicator_columns:
            _validate_column(ws, lists, layout, column, block)
    _put_outputs(ws, formats, sheet, len(block.rows))

    for row in range(block.last_row + 1):
        ws.set_row(row, heights.get(row, layout.default_row_height))
    _print_setup(ws, layout, block.last_row)
    if sheet.first_page is not None:
        ws.set_start_page(sheet.first_page)
        ws.set_footer(BOOKLET_FOOTER)
    ws.protect(password or "", {"format_rows": True, "insert_rows": layout.insert_rows,
                                "select_locked_cells": True, "select_unlocked_cells": True})
    first_input = layout.slots[0].area
    ws.set_selection(first_input.first_row, first_input.first_col,
                     first_input.first_row, first_input.first_col)


def _put_indicator_cells(ws, formats: _Formats, sheet: FormSheet, block, need: Callable[..., None]) -> None:
    """Every indicator row's cells, each by its column's role on the row's class (an input, a
    locked pre-filled value, perfxl's computed value or a formula); ``need`` grows a row's height
    for the text written."""
    layout = sheet.layout
    # Text format (@) on name and target: Excel would store a typed 95% as the number 0.95.
    input_fmt = formats.get("input", TEXT_FORMAT)
    for index, row in enumerate(block.rows):
        for column in layout.indicator_columns:
            area = layout.indicator_area(column.part, row.row)
            pointer = f"{layout.indicator_field}/{index}/{column.part}"
            role = column.role(row.row_class)
            value = row.value(column.part)
            if role == INPUT and column.kind == POINTS:
                _put_points(ws, area, value, formats.get("points"))
            elif role == INPUT:
                _put_string(ws, area, value or "", input_fmt)
            elif role == LOCKED:
                _put_string(ws, area, value or "", formats.get("input", TEXT_FORMAT, locked=True))
            elif role == COMPUTED:
                _put_points(ws, area, sheet.outputs.get(pointer), formats.get("output", column.num_format))
            elif role == FORMULA:
                text = layout.formula_text(column.formula(row.row_class) or '""', row.row, dict(row.values),
                                           len(block.rows), dict(sheet.params))
                if text is None:  # a target no formula can hold: perfxl's value, as for a computed cell
                    _put_points(ws, area, sheet.outputs.get(pointer), formats.get("output", column.num_format))
                else:
                    _put_formula(ws, area, text, sheet.outputs.get(pointer),
                                 formats.get("output", column.num_format))
            else:
                _put_string(ws, area, "", formats.get("output"))
            if role in (INPUT, LOCKED) and value and column.kind == TEXT:
                need(area, value, "input")


def _put_outputs(ws, formats: _Formats, sheet: FormSheet, rows: int) -> None:
    """The layout's outputs (totals, grade …): a formula with perfxl's result cached, or the value."""
    layout = sheet.layout
    for output in layout.outputs:
        fmt = formats.get(output.style, output.num_format)
        value = sheet.outputs.get(output.pointer)
        if output.formula is not None:
            text = layout.formula_text(output.formula, rows=rows, params=dict(sheet.params))
            if text is None:
                raise ValueError(f"layout formula of {output.pointer} too long for a spreadsheet")
            _put_formula(ws, output.area, text, value, fmt)
        elif isinstance(value, str) and not _is_decimal(value):
            _put_string(ws, output.area, value, fmt)
        else:
            _put_points(ws, output.area, value, fmt)


def _validate_column(ws, lists: _ListSheet, layout: Layout, column: IndicatorColumn, block) -> None:
    """Input help and a check on each run of rows where the column is an input."""
    runs: list[list[int]] = []
    for row in block.rows:
        if column.role(row.row_class) != INPUT:
            continue
        if runs and runs[-1][1] == row.row - 1:
            runs[-1][1] = row.row
        else:
            runs.append([row.row, row.row])
    col = layout.indicator_areas[column.part].first_col
    title, help_text = column.title, column.help
    if column.kind == CHOICE:
        options = {"validate": "list", "source": lists.source(column.choices),
                   **_help(title, help_text, "请从下拉列表中选择：" + "、".join(column.choices))}
    elif column.kind == POINTS:
        options = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                   **_help(title, help_text, "请输入 0–100 之间的分数，最多 2 位小数。")}
    else:
        limit = column.max_length
        options = {"validate": "length", "criteria": "<=", "value": limit or 500,
                   **_help(title, help_text, f"不能超过 {limit or 500} 个字符。")}
    if not options.get("input_message"):
        options.pop("input_message")
        options.pop("input_title")
    for first, last in runs:
        ws.data_validation(first, col, last, col, options)


def _is_decimal(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{1,15}(\.\d{1,15})?", value) is not None


def _number(value: Any) -> float | None:
    """A computed value as a cell number: a Decimal or a decimal string; None for anything else."""
    if isinstance(value, Decimal):
        return float(value)
    if _is_decimal(value):
        return float(value)
    return None


def _put_points(ws, area: Area, value: Any, fmt) -> None:
    """A number of points (a 分值, a typed 得分) or, when it is no number, the text as it is."""
    number = _number(value)
    if area.is_merged:
        ws.merge_range(area.first_row, area.first_col, area.last_row, area.last_col, "", fmt)
    if number is not None:
        ws.write_number(area.first_row, area.first_col, number, fmt)
    elif value is not None and value != "":
        _write_text(ws, area.first_row, area.first_col, str(value), fmt)
    elif not area.is_merged:
        ws.write_blank(area.first_row, area.first_col, None, fmt)


def _put_formula(ws, area: Area, formula: str, cached: Any, fmt) -> None:
    """A live formula with perfxl's own result cached, so a reader that does not recalculate shows
    it too (None: blank, as the formula gives for blank inputs)."""
    if area.is_merged:
        ws.merge_range(area.first_row, area.first_col, area.last_row, area.last_col, "", fmt)
    number = _number(cached)
    value: Any = number if number is not None else ("" if cached is None else str(cached))
    ws.write_formula(area.first_row, area.first_col, "=" + formula, fmt, value)


def _row_at(block, row: int):
    return block.rows[row - block.rows[0].row]



def _write_text(ws, row: int, col: int, text: str, fmt) -> None:
    """Text into a cell, refusing what Excel cannot hold instead of losing it."""
    if len(text) > EXCEL_CELL_LIMIT:
        ref = cell_ref(row, col)
        raise ValueError(f"单元格 {ref} 的文字有 {len(text)} 个字符，超过 Excel 单元格的上限 {EXCEL_CELL_LIMIT}。")
    ws.write_string(row, col, text, fmt)


def _put_string(ws, area: Area, text: str, fmt) -> None:
    if area.is_merged:
        ws.merge_range(area.first_row, area.first_col, area.last_row, area.last_col, "", fmt)
    if text:
        _write_text(ws, area.first_row, area.first_col, text, fmt)
    elif not area.is_merged:
        ws.write_blank(area.first_row, area.first_col, None, fmt)


def _shrunk_size(layout: Layout, slot: Slot, printed: str) -> float | None:
    """A long text's smaller font size where one row cannot show it whole at the form's; None
    for every other input (the style's size)."""
    if slot.kind != LONG_TEXT or not printed or slot.area.first_row != slot.area.last_row:
        return None
    style = _STYLES.get(slot.style, _STYLES["long_text"])
    own = style.get("font_size") or layout.font_size
    size = layout.fitting_font_size(slot.area, printed, own, style.get("indent", 0))
    return size if size != own else None


def _put_slot(ws, formats: _Formats, slot: Slot, value: Any, blank: str, font_size: float | None = None) -> str:
    """Write one input (at ``font_size`` when given); an empty one gets ``blank`` (what it prints
    empty, read back as blank).  Returns the style used."""
    style = slot.style if slot.style != "input" else {AMOUNT: "amount", DATE: "date"}.get(slot.kind, "input")
    text_kind = slot.kind in (TEXT, LONG_TEXT)
    fmt = formats.get(style, slot.num_format or (TEXT_FORMAT if text_kind else None), locked=slot.locked,
                      font_size=font_size)
    area = slot.area
    if area.is_merged:
        ws.merge_range(area.first_row, area.first_col, area.last_row, area.last_col, "", fmt)
    r, c = area.first_row, area.first_col
    if (value is None or value == "") and blank:
        ws.write_string(r, c, blank, fmt)
    elif value is None or value == "":
        if not area.is_merged:
            ws.write_blank(r, c, None, fmt)
    elif slot.kind == AMOUNT and _is_amount(value):
        ws.write_number(r, c, amount_to_cell(value), fmt)
    elif slot.kind == DATE and _is_iso_date(value):
        ws.write_datetime(r, c, date_to_cell(value), fmt)
    elif slot.kind == INTEGER and isinstance(value, int) and not isinstance(value, bool):
        ws.write_number(r, c, value, fmt)
    else:
        # A value of the wrong type (only possible from unvalidated JSON) is kept as text, so the
        # reader reports it at its cell instead of the writer failing.
        _write_text(ws, r, c, str(value), fmt)
    return style


def _show_checkboxes(ws, formats: _Formats, layout: Layout, slot: Slot) -> None:
    """The choice prints as the official row, every option with its box and the chosen one ticked
    (专项资金 □  经常性项目 ☑  一次性项目 □): one conditional number format per option, so the cell
    keeps its value and its drop-down, and any other text shows as it is."""
    area = slot.area
    cell = absolute_ref(area.first_row, area.first_col)
    for choice in slot.choices:
        criteria = f'={cell}="' + choice.replace('"', '""') + '"'
        ws.conditional_format(area.first_row, area.first_col, area.last_row, area.last_col,
                              {"type": "formula", "criteria": criteria,
                               "format": formats.shown_as(layout.checkbox_text(slot, choice))})


def _is_amount(value: Any) -> bool:
    return isinstance(value, str) and re.fullmatch(r"\d{1,15}(\.\d{1,6})?", value) is not None


def _is_iso_date(value: Any) -> bool:
    try:
        dt.date.fromisoformat(value)
        return isinstance(value, str)
    except (TypeError, ValueError):
        return False


def _help(title: str, message: str, error: str) -> dict[str, Any]:
    return {"input_title": title[:32], "input_message": message[:255], "error_title": "输入有误",
            "error_message": f"{title}：{error}"[:255], "ignore_blank": True}


def _validate_slot(ws, lists: _ListSheet, slot: Slot) -> None:
    area = slot.area
    if slot.kind == AMOUNT:
        options = {"validate": "decimal", "criteria": ">=", "value": 0,
                   **_help(slot.title, slot.help, f"请输入不小于 0 的数字（{expectation(slot)}）。")}
    elif slot.kind == DATE:
        options = {"validate": "date", "criteria": "between", "minimum": DATE_RANGE[0],
                   "maximum": DATE_RANGE[1],
                   **_help(slot.title, slot.help, "请输入日期，如 2023-01-01。")}
    elif slot.kind == INTEGER:
        low, high = slot.minimum, slot.maximum
        options = {"validate": "integer", "criteria": "between", "minimum": low, "maximum": high,
                   **_help(slot.title, slot.help, f"请输入 {low}–{high} 之间的整数。")}
    elif slot.kind == CHOICE:
        options = {"validate": "list", "source": lists.source(slot.choices),
                   **_help(slot.title, slot.help, "请从下拉列表中选择：" + "、".join(slot.choices))}
    else:
        limit = slot.max_length or 255
        options = {"validate": "length", "criteria": "<=", "value": limit,
                   **_help(slot.title, slot.help, f"不能超过 {limit} 个字符。")}
    if not options.get("input_message"):
        options.pop("input_message")
        options.pop("input_title")
    ws.data_validation(area.first_row, area.first_col, area.last_row, area.last_col, options)


def _print_setup(ws, layout: Layout, last_row: int) -> None:
    set_a4(ws, landscape=layout.landscape, margins=FORM_MARGINS, pages_tall=1)  # the official table is one page per project
    ws.center_horizontally()
    first_col, last_col = layout.print_columns
    ws.print_area(0, first_col, last_row, last_col)
    ws.hide_gridlines(2)


def _write_page_sheet(workbook, formats: _Formats, page: PageSheet, password: str | None) -> None:
    ws = workbook.add_worksheet(page.name)
    for col, width in enumerate(page.widths):
        ws.set_column(col, col, width)
    last_col = len(page.widths) - 1
    for row, line in enumerate(page.rows):
        fmt = formats.page(line.style)
        ws.set_row(row, line.height)
        if len(line.cells) == 1 and last_col > 0:
            ws.merge_range(row, 0, row, last_col, "", fmt)
        for col, text in enumerate(line.cells):
            own = line.cell_styles[col] if col < len(line.cell_styles) else ""
            if text:
                _write_text(ws, row, col, text, formats.page(own) if own else fmt)
    set_a4(ws, margins=FORM_MARGINS, fit=False)
    ws.center_horizontally()
    ws.print_area(0, 0, max(len(page.rows) - 1, 0), last_col)
    ws.hide_gridlines(2)
    if page.breaks:
        ws.set_h_pagebreaks(list(page.breaks))
    if page.repeated is not None:
        ws.repeat_rows(page.repeated)
    if page.first_page is not None:
        ws.set_start_page(page.first_page)
        ws.set_footer(BOOKLET_FOOTER)
    ws.protect(password or "")


def _write_instructions(workbook, formats: _Formats, layout: Layout, password: str | None) -> None:
    ws = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 80)  # wider than A4 portrait once a fallback font is used: text got cut
    set_a4(ws, margins=FORM_MARGINS)
    title_fmt, text_fmt = formats.get("note_title"), formats.get("note")
    ws.write_string(0, 0, f"{layout.title} 填表说明", title_fmt)
    framework = "；".join(f"{l1}：{'、'.join(l2s)}" for l1, l2s in layout.framework.items())
    lines = list(layout.instructions) if layout.instructions is not None else [
        "1. 每个项目一张工作表，工作表名称即项目名称。请勿重命名、删除或新增工作表。",
        "2. 只有空白输入单元格可以填写，标签单元格已锁定；鼠标停在单元格上可查看填写提示。",
        f"3. 金额单位为{layout.amount_unit}，直接填写数字，最多 {_amount_decimals(layout)} 位小数，不要填写单位或逗号。",
        f"4. {_blank_lines(layout)}日期请按 2023-01-01 的格式填写；项目类别请从下拉列表中选择。",
        "5. 绩效指标：每行填写一个三级指标及其年度指标值。一级、二级指标已预先列出，"
        "不需要的行留空即可；行数不够时，在该二级指标的行内右键“插入”整行。",
        f"6. 指标体系：{framework}。",
        "7. 文字较多时可拖动行高以完整显示；打印时每个项目为一页 A4。",
        "8. 填写完毕后保存为 .xlsx 格式，按原文件名提交。请勿另存为 PDF 或图片。",
    ]
    for row, line in enumerate(lines, start=2):
        ws.write_string(row, 0, line, text_fmt)
        ws.set_row(row, 18 * (1 + int(display_width(line) // 75)) + 4)
    ws.protect(password or "")


def _blank_lines(layout: Layout) -> str:
    """Where to write a number that a blank form prints as a line to fill (年度 in （    年度）)."""
    return "".join(f"{slot.title}填在标题下一行的括号内，只填数字；"
                   for slot in layout.slots if slot.blank_text and slot.kind == INTEGER)


def _amount_decimals(layout: Layout) -> int:
    return max((s.decimals for s in layout.slots if s.kind == AMOUNT), default=0)


def _write_meta(workbook, sheets: Sequence[FormSheet]) -> None:
    """The hidden identity sheet: which sheets are forms, of which variant, with which id."""
    ws = workbook.add_worksheet(META_SHEET)
    for col, text in enumerate(META_HEADER):
        ws.write_string(0, col, text)
    for row, sheet in enumerate(sheets, start=1):
        for col, text in enumerate((sheet.name, sheet.form_id, sheet.layout.variant.name,
                                    sheet.layout.variant.schema_id)):
            ws.write_string(row, col, text)
    ws.write_string(len(sheets) + 2, 0, f"perfxl {__version__}")
    ws.hide()
    ws.protect()


def _legacy_password_hash(password: str) -> str:
    """Excel's legacy 16-bit protection hash (the same one xlsxwriter uses for sheets)."""
    digest = 0
    for i, ch in enumerate(password):
        value = ord(ch) << (i + 1)
        digest ^= (value & 0x7FFF) | (value >> 15)
    digest ^= len(password) ^ 0xCE4B
    return f"{digest:X}"


def _protect_structure(data: bytes, password: str | None) -> bytes:
    """Add workbook structure protection, which xlsxwriter does not write: units must not add,
    delete, rename or unhide sheets."""
    attrs = 'lockStructure="1"'
    if password:
        attrs += f' workbookPassword="{_legacy_password_hash(password)}"'
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<workbookPr[^>]*/>)", rf"\1<workbookProtection {attrs}/>", text, count=1)
                content = text.encode("utf-8")
            dest.writestr(info, content)
    return out.getvalue()
