"""The worker's shortcuts read exactly what the general paths read: calamine's stored copy of a
checked workbook, and the per-layout slot plan with its memo of converted values."""

from __future__ import annotations

import io
import zipfile

import openpyxl
from python_calamine import CalamineWorkbook

from perfxl.form.layout import get_layout
from perfxl.model import FormRecord
from perfxl.problems import IssueSink
from perfxl.read.cells import read_slot, read_slots
from perfxl.read.gate import check_bytes_safety
from perfxl.read.workbook import read_workbook
from tests.hostile.make_corpus import good_workbook

LAYOUT = get_layout("pujiang-2023")


def _sheets(data: bytes) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in book.sheet_names}
    finally:
        book.close()


def test_the_parser_gets_the_checked_parts_stored_and_reads_the_same(tmp_path):
    data = good_workbook(tmp_path / "good.xlsx").read_bytes()
    copy = check_bytes_safety(data).parser_bytes
    assert copy
    with zipfile.ZipFile(io.BytesIO(data)) as original, zipfile.ZipFile(io.BytesIO(copy)) as stored:
        assert stored.namelist() == original.namelist()
        assert stored.testzip() is None
        for info in stored.infolist():
            assert stored.read(info) == original.read(info.filename)
            parsed = info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml"
            assert (info.compress_type == zipfile.ZIP_STORED) >= parsed  # no parsed part deflated again
    assert _sheets(copy) == _sheets(data)


def test_an_unusual_zip_goes_to_the_parser_as_it_is(tmp_path):
    """A member with a data descriptor and a comment on the archive: zipfile reads the directory,
    and calamine gets the file itself."""
    source = good_workbook(tmp_path / "good.xlsx")
    with zipfile.ZipFile(source) as src:
        members = [(info.filename, src.read(info)) for info in src.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, content in members:
            dst.writestr(name, content)
        dst.comment = b"saved elsewhere"
    scan = check_bytes_safety(out.getvalue())
    assert scan.parser_bytes == b""
    path = tmp_path / "commented.xlsx"
    path.write_bytes(out.getvalue())
    assert len(read_workbook(path).forms) == 1


def _read_each(values: dict[str, object], date1904: bool = False) -> tuple[FormRecord, FormRecord]:
    """The slots of a form read by the plan and by read_slot one at a time, from the same cells."""
    cells = {(slot.area.first_row, slot.area.first_col): values.get(slot.path, "") for slot in LAYOUT.slots}

    def cell(row: int, col: int) -> object:
        return cells.get((row, col), "")

    planned = FormRecord("f", "s", LAYOUT.variant.name, {}, {})
    planned_sink = IssueSink(file="f", sheet="s")
    read_slots(planned, planned_sink, LAYOUT, cell, formulas={}, date1904=date1904)
    planned.issues = planned_sink.issues
    single = FormRecord("f", "s", LAYOUT.variant.name, {}, {})
    single_sink = IssueSink(file="f", sheet="s")
    for slot in LAYOUT.slots:
        read_slot(single, single_sink, slot, cell(slot.area.first_row, slot.area.first_col), slot.area.ref,
                  formulas={}, date1904=date1904)
    single.issues = single_sink.issues
    return planned, single


def test_values_equal_in_python_but_of_other_types_convert_apart():
    """1, 1.0 and True are one key to a dict: the memo keys the type too (True is no amount)."""
    for first, second in ((1, True), (True, 1), (1.0, True), (1, 1.0), (45000, 45000.0)):
        for value in (first, second):  # the second read finds the first one's value in the memo
            planned, single = _read_each({"funding.total": value, "year": value, "planned_start": value})
            assert (planned.form, planned.cells, planned.reported, planned.issues) == (
                single.form, single.cells, single.reported, single.issues), value


def test_the_date_system_is_part_of_what_a_date_converts_to():
    for date1904 in (False, True, False):
        planned, single = _read_each({"planned_start": 45000, "planned_end": "2023年1月1日"}, date1904)
        assert planned.form == single.form
    assert _read_each({"planned_start": 45000}, True)[0].form != _read_each({"planned_start": 45000})[0].form


def test_a_filled_workbook_reads_the_same_with_unusual_values(tmp_path):
    """Text amounts, blanks shown as the template prints them, full-width digits, bad dates: the
    plan reports each as read_slot does (the fixed-position read of a whole workbook)."""
    path = good_workbook(tmp_path / "good.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    values = ["1,234.5", "１２３", "12元", " ", "（    年度）", "2023.1.1", "20231301", -1, 0.1 + 0.2, None]
    for slot, value in zip(LAYOUT.slots, values * 2):
        if sheet.cell(slot.area.first_row + 1, slot.area.first_col + 1).coordinate not in sheet.merged_cells:
            sheet.cell(slot.area.first_row + 1, slot.area.first_col + 1).value = value
    book.save(path)
    form = read_workbook(path).forms[0]
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(form.sheet).to_python(skip_empty_area=False)
    planned, single = _read_each({slot.path: rows[slot.area.first_row][slot.area.first_col]
                                  if slot.area.first_row < len(rows) and slot.area.first_col < len(rows[slot.area.first_row])
                                  else "" for slot in LAYOUT.slots})
    assert (planned.form, planned.cells, planned.reported, planned.issues) == (
        single.form, single.cells, single.reported, single.issues)
    assert planned.issues  # the unusual values were reported, not silently taken
