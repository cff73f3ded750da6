"""The written workbook's structure, checked with openpyxl (an independent reader)."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from conftest import load_example

from perfxl.api import make_roster_templates, make_template
from perfxl.form.identity import form_id_for
from perfxl.form.layout import get_layout
from perfxl.write.naming import safe_sheet_names
from perfxl.write.workbook import FormSheet, write_workbook

LAYOUT = get_layout("pujiang-2023")
ROOT_EXAMPLES = __import__("conftest").ROOT / "examples"


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    path = tmp_path_factory.mktemp("blank") / "blank.xlsx"
    make_template(path, rows=3)
    return path


def test_sheet_and_workbook_protection(blank):
    wb = openpyxl.load_workbook(blank)
    ws = wb[LAYOUT.title]
    assert ws.protection.sheet is True
    assert wb.security is not None and wb.security.lockStructure
    assert wb["_perfxl"].sheet_state == "hidden"
    assert wb.sheetnames[-2:] == ["填表说明", "_perfxl"]


def test_labels_locked_inputs_unlocked(blank):
    ws = openpyxl.load_workbook(blank)[LAYOUT.title]
    for label in LAYOUT.all_fixed_labels():
        cell = ws[label.area.ref]
        assert cell.value == label.text, label
        assert cell.protection.locked is True, label.area.ref
    for slot in LAYOUT.slots:
        assert ws[slot.area.ref].protection.locked is False, slot.path
    block = LAYOUT.indicator_block(LAYOUT.blank_indicators(3))
    for row in block.rows:
        for part in ("name", "target"):
            assert ws[LAYOUT.indicator_cell(part, row.row)].protection.locked is False
        assert ws[LAYOUT.indicator_cell("level1", row.row)].protection.locked is True


def test_blank_template_prints_every_level2_with_rows(blank):
    ws = openpyxl.load_workbook(blank)[LAYOUT.title]
    merged = {str(r) for r in ws.merged_cells.ranges}
    block = LAYOUT.indicator_block(LAYOUT.blank_indicators(3))
    assert len(block.rows) == 3 * sum(len(v) for v in LAYOUT.framework.values())
    for area in block.level2_merges:
        assert area.range_ref in merged
        assert ws[area.ref].value in {l2 for l2s in LAYOUT.framework.values() for l2 in l2s}
    for area in block.level1_merges:
        assert area.range_ref in merged and ws[area.ref].value in LAYOUT.framework
    for slot in LAYOUT.slots:
        if slot.area.is_merged:
            assert slot.area.range_ref in merged


def test_data_validations(blank):
    ws = openpyxl.load_workbook(blank)[LAYOUT.title]
    by_cell = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            by_cell[rng.split(":")[0]] = dv
    category = by_cell[LAYOUT.slot_by_path["project_category"].area.ref]
    assert category.type == "list" and "经常性项目" in category.formula1
    total = by_cell[LAYOUT.slot_by_path["funding.total"].area.ref]
    assert (total.type, total.operator, total.formula1) == ("decimal", "greaterThanOrEqual", "0")
    start = by_cell[LAYOUT.slot_by_path["planned_start"].area.ref]
    assert start.type == "date"
    assert "万元" in total.prompt and total.error and total.showErrorMessage


def test_print_setup(blank):
    ws = openpyxl.load_workbook(blank)[LAYOUT.title]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # OOXML defaults fitToWidth and fitToHeight to 1, so xlsxwriter leaves them out
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight in (None, 1)
    assert ws.print_options.horizontalCentered
    assert ws.print_area is not None and "$A$1:$F$" in ws.print_area
    assert ws["A1"].font.name == "宋体"


def test_long_list_goes_to_hidden_list_sheet(tmp_path, monkeypatch):
    from perfxl.write import workbook as writer
    monkeypatch.setattr(writer, "INLINE_LIST_LIMIT", 10)
    path = tmp_path / "lists.xlsx"
    make_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb["_lists"].sheet_state == "hidden"
    dv = next(d for d in wb[LAYOUT.title].data_validations.dataValidation if d.type == "list")
    assert dv.formula1 == "_lists!$A$1:$A$3"
    assert [c.value for c in wb["_lists"]["A"]] == list(LAYOUT.slot_by_path["project_category"].choices)


def test_same_input_same_bytes(tmp_path):
    form = load_example("07")
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (a, b):
        write_workbook(path, [FormSheet("x", LAYOUT, form, form_id_for(LAYOUT, form))])
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2020-01-01T00:00:00Z" in z.read("docProps/core.xml").decode()


def test_fill_merges_exactly_the_forms_indicators(tmp_path):
    form = load_example("03")
    path = tmp_path / "f.xlsx"
    write_workbook(path, [FormSheet("x", LAYOUT, form, "id")])
    ws = openpyxl.load_workbook(path)["x"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    block = LAYOUT.indicator_block(form["indicators"])
    assert len(block.rows) == len(form["indicators"])
    assert {a.range_ref for a in block.level1_merges if a.is_merged} <= merged
    # 03: 产出 has 4 rows (数量 ×3, 时效 ×1), 效益 4, 满意度 2
    assert [a.last_row - a.first_row + 1 for a in block.level1_merges] == [4, 4, 2]
    assert ws.print_area.endswith(f"$F${block.last_row + 1}")


def test_long_goals_get_tall_rows(tmp_path):
    form = load_example("15")
    form["goals"]["overall"] = "很长的目标。" * 100
    path = tmp_path / "long.xlsx"
    write_workbook(path, [FormSheet("x", LAYOUT, form, "id")])
    ws = openpyxl.load_workbook(path)["x"]
    row = LAYOUT.slot_by_path["goals.overall"].area.first_row + 1
    assert ws.row_dimensions[row].height > 300


def test_password_protects_sheet_and_structure(tmp_path):
    path = tmp_path / "p.xlsx"
    make_template(path, password="secret")
    wb = openpyxl.load_workbook(path)
    assert wb[LAYOUT.title].protection.password
    assert wb.security.workbookPassword


def test_roster_templates_one_workbook_per_unit(tmp_path):
    paths = make_roster_templates(ROOT_EXAMPLES / "roster.csv", tmp_path)
    assert sorted(p.name for p in paths) == sorted(
        ["闵行区浦江镇平安建设办公室.xlsx", "浦江镇社区党群服务中心.xlsx", "浦江镇信访办.xlsx"])
    wb = openpyxl.load_workbook(tmp_path / "浦江镇信访办.xlsx")
    assert wb.sheetnames == ["劝导队经费", "信访代理员经费", "填表说明", "_perfxl"]
    ws = wb["劝导队经费"]
    slot = LAYOUT.slot_by_path
    assert ws[slot["project_name"].area.ref].value == "劝导队经费"
    assert ws[slot["implementing_unit"].area.ref].value == "浦江镇信访办"
    assert ws[slot["year"].area.ref].value == 2023
    assert ws[slot["funding.total"].area.ref].value == pytest.approx(4.0344)


@pytest.mark.parametrize("names,expected", [
    (["a/b", "c:d", "e[f]"], ["a_b", "c_d", "e_f_"]),
    (["History", "x"], ["History(2)", "x"]),
    (["同名", "同名", "同名"], ["同名", "同名(2)", "同名(3)"]),
    (["'quoted'"], ["quoted"]),
    (["长" * 40], ["长" * 31]),
    (["😀" * 20], ["😀" * 15]),  # Excel counts UTF-16 units: an emoji is two
    (["", "   "], ["项目", "项目(2)"]),
    (["填表说明"], ["填表说明(2)"]),
])
def test_safe_sheet_names(names, expected):
    assert safe_sheet_names(names) == expected


def test_roster_templates_same_bytes_with_workers(tmp_path):
    one = make_roster_templates(ROOT_EXAMPLES / "roster.csv", tmp_path / "one", workers=1)
    two = make_roster_templates(ROOT_EXAMPLES / "roster.csv", tmp_path / "two", workers=2)
    assert [p.name for p in one] == [p.name for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two))


def test_roster_as_workbook(tmp_path):
    roster = tmp_path / "名单.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["实施单位", "项目名称", "年度", "项目资金总额", "计划开始日期"])
    book.active.append(["浦江镇信访办", "劝导队经费", 2024, 4.0344, "2024.1.1"])
    book.save(roster)
    [path] = make_roster_templates(roster, tmp_path / "out")
    ws = openpyxl.load_workbook(path)["劝导队经费"]
    slot = LAYOUT.slot_by_path
    assert ws[slot["year"].area.ref].value == 2024
    assert ws[slot["funding.total"].area.ref].value == pytest.approx(4.0344)
    assert ws[slot["planned_start"].area.ref].value.date().isoformat() == "2024-01-01"


def test_text_inputs_have_text_format(blank):
    """Excel turns a typed 95% into 0.95 and 007 into 7 unless the cell is formatted as text."""
    ws = openpyxl.load_workbook(blank)[LAYOUT.title]
    block = LAYOUT.indicator_block(LAYOUT.blank_indicators(3))
    for part in ("name", "target"):
        assert ws[LAYOUT.indicator_cell(part, block.rows[0].row)].number_format == "@"
    assert ws[LAYOUT.slot_by_path["project_name"].area.ref].number_format == "@"
    assert ws[LAYOUT.slot_by_path["funding.total"].area.ref].number_format != "@"


def test_text_longer_than_an_excel_cell_is_refused_not_dropped(tmp_path):
    form = load_example("01")
    form["goals"]["overall"] = "长" * 40000
    with pytest.raises(ValueError, match="超过 Excel 单元格的上限"):
        write_workbook(tmp_path / "x.xlsx", [FormSheet("x", LAYOUT, form, "id")])
    assert not (tmp_path / "x.xlsx").exists()


def test_master_cuts_text_to_what_an_excel_cell_holds():
    from perfxl.collect.sheetxml import cell_text
    assert len(cell_text("长" * 40000)) == 32767 and cell_text("长" * 40000).endswith("…")
