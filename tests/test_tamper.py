"""Tampered perfxl workbooks: protection removed, rows and columns inserted, labels edited, merges
changed, sheets added, renamed or deleted.  Whatever can still be read is read (by the labels when
the fixed positions no longer hold), with exactly one LAYOUT-003 “模板结构已被修改” warning per
sheet whose structure changed, and every value pointing at the cell it was read from.

openpyxl's insert_rows/insert_cols move values but not merged ranges; Excel moves (or stretches)
them.  The helpers below do what Excel does, so the files look like a unit's real edit.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from conftest import load_example
from openpyxl.worksheet.cell_range import CellRange

from perfxl.api import check_file, collect_to_master
from perfxl.config import Settings
from perfxl.form.identity import form_id_for
from perfxl.form.layout import get_layout
from perfxl.write.workbook import FormSheet, write_workbook

LAYOUT = get_layout("pujiang-2023")
SCHEMA_ONLY = Settings(review=None)
HEADER = LAYOUT.header_row + 1  # 1-based, as openpyxl counts


def perfxl_workbook(path: Path, *numbers: str) -> Path:
    forms = [load_example(n) for n in numbers]
    write_workbook(path, [FormSheet(f["project_name"], LAYOUT, f, form_id_for(LAYOUT, f)) for f in forms])
    return path


def tampered(tmp_path: Path, edit, *numbers: str, name: str = "tampered.xlsx") -> Path:
    """A filled perfxl workbook, protection removed (sheets and structure), then edited."""
    path = perfxl_workbook(tmp_path / name, *(numbers or ("01",)))
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        sheet.protection.sheet = False
    if book.security is not None:
        book.security.lockStructure = False
    edit(book)
    book.save(path)
    return path


def insert_rows(sheet, at: int, amount: int = 1) -> None:
    """Insert rows as Excel does: merged ranges below move down, ranges across stretch."""
    _insert(sheet, at, amount, rows=True)


def insert_cols(sheet, at: int, amount: int = 1) -> None:
    _insert(sheet, at, amount, rows=False)


def _insert(sheet, at: int, amount: int, *, rows: bool) -> None:
    merged = [CellRange(r.coord) for r in sheet.merged_cells.ranges]
    for area in merged:
        sheet.unmerge_cells(area.coord)
    (sheet.insert_rows if rows else sheet.insert_cols)(at, amount)
    for area in merged:
        first, last = (area.min_row, area.max_row) if rows else (area.min_col, area.max_col)
        if first >= at:
            area.shift(**({"row_shift": amount} if rows else {"col_shift": amount}))
        elif last >= at:
            area.expand(**({"down": amount} if rows else {"right": amount}))
        sheet.merge_cells(area.coord)


def check(path: Path):
    return check_file(path, settings=SCHEMA_ONLY)


def structure_warnings(checked, sheet: str) -> list:
    return [i for i in checked.issues if i.code == "LAYOUT-003" and i.sheet == sheet]


def assert_one_structure_warning(checked, sheet: str) -> str:
    [warning] = structure_warnings(checked, sheet)
    assert warning.severity == "警告" and "模板结构已被修改" in warning.message
    return warning.message


# --- edits the template allows: read by the fixed positions, no warning ----------------------------
def test_rows_inserted_inside_the_indicator_block(tmp_path):
    """The template lets units insert rows (insert_rows stays allowed under protection); rows
    inserted between the indicators carry the 一级/二级 merged over them, as printed."""
    def edit(book):
        sheet = book["安保经费"]
        insert_rows(sheet, HEADER + 2, 2)  # between 特勤安保人数 and 联动执法人数 (数量指标)
        sheet[f"D{HEADER + 2}"], sheet[f"F{HEADER + 2}"] = "巡逻车辆数", "6辆"
        sheet[f"D{HEADER + 3}"], sheet[f"F{HEADER + 3}"] = "培训次数", "≥4次"
    checked = check(tampered(tmp_path, edit))
    assert checked.issues == []
    source = load_example("01")
    added = [{"level1": "产出指标", "level2": "数量指标", "name": "巡逻车辆数", "target": "6辆"},
             {"level1": "产出指标", "level2": "数量指标", "name": "培训次数", "target": "≥4次"}]
    [record] = checked.forms
    assert record.form == source | {"indicators": source["indicators"][:1] + added + source["indicators"][1:]}
    assert record.cells["indicators/1/level1"] == f"B{HEADER + 1}"
    assert record.cells["indicators/2/name"] == f"D{HEADER + 3}"
    assert record.cells["indicators/3/name"] == f"D{HEADER + 4}"


def test_unmerged_level1_cells(tmp_path):
    """Unmerging leaves the 一级 name in the top cell only, as the merge showed it: still read."""
    def edit(book):
        sheet = book["安保经费"]
        for area in [r.coord for r in sheet.merged_cells.ranges if r.min_col == 2 and r.min_row > HEADER]:
            sheet.unmerge_cells(area)
    checked = check(tampered(tmp_path, edit))
    assert checked.issues == [] and checked.forms[0].form == load_example("01")


def test_extra_sheets_are_ignored(tmp_path):
    def edit(book):
        book.create_sheet("备注")["A1"] = "本表由办公室填写"
        book.create_sheet("Sheet2", 0)
    checked = check(tampered(tmp_path, edit, "01", "07"))
    assert checked.issues == []
    assert [r.form for r in checked.forms] == [load_example("01"), load_example("07")]


# --- structure changed: read by the labels, one warning ------------------------------------------
def test_rows_inserted_above_the_indicator_block(tmp_path):
    def edit(book):
        sheet = book["公安后勤及协管员经费"]
        insert_rows(sheet, 6, 2)  # inside the funding block
        sheet["B6"] = "（以下为本年度资金）"
    path = tampered(tmp_path, edit, "07")
    checked = check(path)
    [record] = checked.forms
    assert record.form == load_example("07") and record.form_id == form_id_for(LAYOUT, load_example("07"))
    message = assert_one_structure_warning(checked, "公安后勤及协管员经费")
    assert "“项目资金总额”在 B8（模板为 B6）" in message
    # the note typed into the inserted row is beside no label: shown, not read
    assert {(i.code, i.cell) for i in checked.issues} == {("LAYOUT-003", ""), ("LAYOUT-004", "B6")}
    assert record.cells["funding/total"] == "C8" and record.cells["goals/overall"] == "B13"
    assert record.cells["indicators/0/name"] == f"D{HEADER + 3}"
    assert not record.foreign


def test_column_inserted(tmp_path):
    path = tampered(tmp_path, lambda book: insert_cols(book["安保经费"], 3))  # before column C
    checked = check(path)
    [record] = checked.forms
    assert record.form == load_example("01")
    assert [i.code for i in checked.issues] == ["LAYOUT-003"]
    assert "“项目类别”在 E3（模板为 D3）" in assert_one_structure_warning(checked, "安保经费")
    assert (record.cells["project_name"], record.cells["project_category"]) == ("B3", "F3")
    assert record.cells["funding/total"] == "D6"
    assert [record.cells[f"indicators/0/{p}"] for p in ("level1", "level2", "name", "target")] == \
        [f"B{HEADER + 1}", f"D{HEADER + 1}", f"E{HEADER + 1}", f"G{HEADER + 1}"]


def test_column_inserted_and_merges_removed_together(tmp_path):
    def edit(book):
        sheet = book["安保经费"]
        for area in [r.coord for r in sheet.merged_cells.ranges]:
            sheet.unmerge_cells(area)
        sheet.insert_cols(1)  # before column A
    checked = check(tampered(tmp_path, edit))
    assert checked.forms[0].form == load_example("01")
    assert [i.code for i in checked.issues] == ["LAYOUT-003"]
    assert checked.forms[0].cells["year"] == "B2"


def test_label_with_a_colon(tmp_path):
    path = tampered(tmp_path, lambda book: book["安保经费"].__setitem__("A3", "项目名称："))
    checked = check(path)
    assert checked.forms[0].form == load_example("01")
    assert [i.code for i in checked.issues] == ["LAYOUT-003"]
    assert "A3“项目名称：”" in assert_one_structure_warning(checked, "安保经费")


def test_label_renamed_is_reported_not_guessed(tmp_path):
    """计划开始日期 → 开始日期: the date beside it is no longer known to be the planned start."""
    path = tampered(tmp_path, lambda book: book["安保经费"].__setitem__("A5", "开始日期"))
    checked = check(path)
    [record] = checked.forms
    expected = load_example("01")
    del expected["planned_start"]
    assert record.form == expected
    assert "没有找到标签：“计划开始日期”" in assert_one_structure_warning(checked, "安保经费")
    found = {(i.code, i.cell, i.severity) for i in checked.issues}
    assert found == {("LAYOUT-003", "", "警告"), ("LAYOUT-001", "A5", "错误"), ("LAYOUT-005", "", "错误"),
                     ("LAYOUT-004", "B5", "警告")}
    assert next(i for i in checked.issues if i.code == "LAYOUT-005").field == "计划开始日期"


# --- sheets renamed, deleted, copied ----------------------------------------------------------
def test_renamed_sheet_is_found_by_its_title(tmp_path):
    path = tampered(tmp_path, lambda book: setattr(book["安保经费"], "title", "Sheet1"), "01", "07")
    checked = check(path)
    assert [(r.sheet, r.form) for r in checked.forms] == [("Sheet1", load_example("01")),
                                                         ("公安后勤及协管员经费", load_example("07"))]
    assert checked.forms[0].form_id == form_id_for(LAYOUT, load_example("01"))
    assert "工作表“安保经费”已改名为“Sheet1”" in assert_one_structure_warning(checked, "Sheet1")
    assert [i.code for i in checked.issues] == ["LAYOUT-003"]


def test_renamed_sheet_with_a_column_inserted_has_one_warning(tmp_path):
    def edit(book):
        book["公安后勤及协管员经费"].title = "项目2"
        insert_cols(book["项目2"], 3)
    checked = check(tampered(tmp_path, edit, "01", "07"))
    assert [r.form for r in checked.forms] == [load_example("01"), load_example("07")]
    message = assert_one_structure_warning(checked, "项目2")
    assert "已改名为“项目2”" in message and "不在模板位置" in message
    assert [i.code for i in checked.issues] == ["LAYOUT-003"]


def test_deleted_sheet_is_reported(tmp_path):
    checked = check(tampered(tmp_path, lambda book: book.remove(book["安保经费"]), "01", "07"))
    assert [r.form for r in checked.forms] == [load_example("07")]
    [issue] = checked.issues
    assert (issue.code, issue.sheet) == ("FILE-002", "安保经费") and "已被删除" in issue.message


def test_copied_form_sheet_is_pointed_out_not_read(tmp_path):
    def edit(book):
        copy = book.copy_worksheet(book["安保经费"])
        copy.title = "安保经费（二）"
    checked = check(tampered(tmp_path, edit))
    assert [r.sheet for r in checked.forms] == ["安保经费"]
    [issue] = checked.issues
    assert (issue.code, issue.sheet, issue.severity) == ("LAYOUT-004", "安保经费（二）", "警告")


def test_tampered_workbooks_are_not_foreign_in_the_master(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    tampered(inbox, lambda book: insert_cols(book["安保经费"], 3), "01", name="a.xlsx")
    master = tmp_path / "m.xlsx"
    collect = collect_to_master([inbox], master, settings=SCHEMA_ONLY)
    [entry] = collect.files
    assert not entry.foreign and entry.status == "有问题"
    assert [f.record.form for f in collect.forms] == [load_example("01")]
