"""Forms print like the official table (issue 13): 项目类别 as check boxes, （    年度） on blanks,
row heights from a wrap that follows Chinese line breaking, padded text, blank templates that fit
one page, filled forms without empty indicator rows, and the feedback copies' 问题 sheet.

How LibreOffice really prints them is in tests/test_libreoffice.py; these are the workbook facts
behind it, checked with openpyxl (an independent reader) and the reader itself.
"""

from __future__ import annotations

import json

import openpyxl
import pytest
from conftest import load_example
from test_tamper import insert_rows, tampered

from perfxl.api import check_file, collect_to_master, fill_forms, make_template
from perfxl.config import Settings
from perfxl.form.layout import (
    NO_LINE_END,
    NO_LINE_START,
    TEXT_INDENT,
    get_layout,
    wrap_lines,
    wrapped_height,
)
from perfxl.read.workbook import read_workbook
from perfxl.write.workbook import FormSheet, write_workbook

LAYOUT = get_layout("pujiang-2023")
CATEGORY = LAYOUT.slot_by_path["project_category"]
YEAR = LAYOUT.slot_by_path["year"]
SCHEMA_ONLY = Settings(review=None)
GOAL = ("通过特保力量的参与，确保全镇范围内各项执法、整治、维稳、巡管以及突发事件处置等工作顺利开展，"
        "维护好浦江的一方稳定。“平安浦江”建设（2023年）取得实效：群众满意度≥90%，案件数下降10%！")


# --- the wrap estimate -----------------------------------------------------------------------
def greedy_lines(text: str, width: float) -> list[str]:
    """Breaking at the first character that does not fit, as LibreOffice does in a cell."""
    lines, line = [], ""
    for ch in text:
        if line and _width(line + ch) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    return lines + [line]


def _width(text: str) -> float:
    from perfxl.form.layout import _print_width
    return sum(map(_print_width, text))


@pytest.mark.parametrize("width", [8.0, 10.0, 13.5, 14.0, 17.0, 21.5, 27.0, 40.0])
def test_wrap_never_starts_a_line_with_closing_punctuation_nor_ends_one_with_opening(width):
    lines = wrap_lines(GOAL, width)
    assert "".join(lines) == GOAL  # nothing lost, nothing added
    assert all(line[0] not in NO_LINE_START for line in lines[1:]), lines
    assert all(line[-1] not in NO_LINE_END for line in lines[:-1]), lines
    assert all(_width(line) <= width for line in lines), lines
    assert len(lines) >= len(greedy_lines(GOAL, width))  # enough rows for a client that breaks anywhere


def test_wrap_keeps_numbers_whole_and_breaks_at_newlines():
    assert wrap_lines("区域治安长效管理2023年度第一\n第二段", 8) == ["区域治", "安长效", "管理", "2023年", "度第一", "第二段"]
    # the greedy break would start a line with “，”; the character before it moves down with it
    assert wrap_lines("一二三四，五六", 8.6) == ["一二三", "四，五六"]
    assert wrap_lines("一二三“四五", 8.6) == ["一二三", "“四五"]


def test_goal_row_is_as_tall_as_the_chinese_wrap_needs(tmp_path):
    """A paragraph whose greedy break would start a line with “，” needs a line more; the row has it."""
    area = LAYOUT.slot_by_path["goals.overall"].area
    width = LAYOUT.text_width(area, indent=TEXT_INDENT)
    per_line = int(width // _width("甲"))
    paragraph = "甲" * per_line + "，" + "乙" * (per_line - 1)
    assert greedy_lines(paragraph, width)[1][0] == "，"
    assert (len(greedy_lines(paragraph, width)), len(wrap_lines(paragraph, width))) == (2, 3)
    form = load_example("01")
    form["goals"]["overall"] = "\n".join([paragraph] * 4)
    path = tmp_path / "f.xlsx"
    write_workbook(path, [FormSheet("x", LAYOUT, form, "id")])
    ws = openpyxl.load_workbook(path)["x"]
    assert ws.row_dimensions[area.first_row + 1].height >= 12 * 11 * 1.45
    assert read_workbook(path).forms[0].form == form


@pytest.mark.parametrize("period, lines", [("2023年1月1日-2023年12月31日", 3), ("2023-2025年", 2)])
def test_period_row_has_room_for_the_brackets_the_format_adds(tmp_path, period, lines):
    """The period prints through its format as （…）: the row is sized for that, not for the bare
    value (2023-2025年 fits one line, （2023-2025年） does not)."""
    slot = LAYOUT.slot_by_path["goals.overall_period"]
    assert LAYOUT.printed_text(slot, period) == f"（{period}）"
    assert len(wrap_lines(f"（{period}）", LAYOUT.text_width(slot.area, indent=TEXT_INDENT))) == lines
    form = load_example("17")
    form["goals"]["overall_period"] = period
    path = tmp_path / "f.xlsx"
    write_workbook(path, [FormSheet("x", LAYOUT, form, "id")])
    ws = openpyxl.load_workbook(path)["x"]
    assert ws.row_dimensions[slot.area.first_row + 1].height >= lines * 11 * 1.45


def test_text_sits_off_the_left_border(tmp_path):
    path = tmp_path / "f.xlsx"
    write_workbook(path, [FormSheet("x", LAYOUT, load_example("01"), "id")])
    ws = openpyxl.load_workbook(path)["x"]
    for path_ in ("project_name", "implementing_unit", "goals.overall", "goals.annual", "planned_start"):
        assert ws[LAYOUT.slot_by_path[path_].area.ref].alignment.indent == TEXT_INDENT, path_
    row = LAYOUT.first_indicator_row
    assert ws[LAYOUT.indicator_cell("name", row)].alignment.indent == TEXT_INDENT


# --- 项目类别 as check boxes, （    年度） on blanks -------------------------------------------------
def conditional_texts(ws, ref: str) -> dict[str, str]:
    """Each conditional format on ``ref``: its formula → the text its number format shows."""
    shown = {}
    for ranges, rules in ws.conditional_formatting._cf_rules.items():
        if ref in str(ranges.sqref).split(":")[0:1]:
            for rule in rules:
                code = rule.dxf.numFmt.formatCode
                assert code.startswith(';;;"') and code.endswith('"')
                shown[rule.formula[0]] = code[4:-1]
    return shown


def test_category_prints_as_the_official_check_boxes_and_keeps_its_value(tmp_path):
    form = load_example("01")
    path = tmp_path / "f.xlsx"
    write_workbook(path, [FormSheet("安保经费", LAYOUT, form, "id")])
    ws = openpyxl.load_workbook(path)["安保经费"]
    cell = CATEGORY.area.ref
    assert ws[cell].value == "经常性项目"  # the drop-down keeps the value
    assert conditional_texts(ws, cell) == {
        '$E$3="专项资金"': "专项资金 ☑ 经常性项目 □\n一次性项目 □",
        '$E$3="经常性项目"': "专项资金 □ 经常性项目 ☑\n一次性项目 □",
        '$E$3="一次性项目"': "专项资金 □ 经常性项目 □\n一次性项目 ☑"}
    assert read_workbook(path).forms[0].form == form


def test_blank_template_prints_the_year_line_and_empty_boxes_and_reads_blank(tmp_path):
    path = make_template(tmp_path / "blank.xlsx")
    ws = openpyxl.load_workbook(path)[LAYOUT.title]
    assert ws[YEAR.area.ref].value == "（    年度）"
    assert ws[CATEGORY.area.ref].value == "专项资金 □ 经常性项目 □\n一次性项目 □"
    result = read_workbook(path)
    assert result.all_issues == []
    assert "year" not in result.forms[0].form and "project_category" not in result.forms[0].form
    checked = check_file(path, settings=SCHEMA_ONLY)  # blank means missing (at its cell), never a wrong value
    found = {(i.code, i.cell) for i in checked.issues if i.field in ("年度", "项目类别")}
    assert ("VALUE-001", "A2") in found and found <= {("VALUE-001", "A2"), ("VALUE-001", "E3")}
    # a unit types the year into the line (or over it) and picks a category: both are read
    book = openpyxl.load_workbook(path)
    book[LAYOUT.title][YEAR.area.ref] = "（2024年度）"
    book[LAYOUT.title][CATEGORY.area.ref] = "一次性项目"
    book.save(path)
    form = read_workbook(path).forms[0].form
    assert (form["year"], form["project_category"]) == (2024, "一次性项目")


def test_blank_read_by_its_labels_is_blank_too(tmp_path):
    """A template whose rows were moved is read by its labels: the year line and the empty boxes
    are still no value and no unplaced text."""
    path = make_template(tmp_path / "blank.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book[LAYOUT.title]
    sheet.protection.sheet = False
    insert_rows(sheet, 4)
    book.save(path)
    result = read_workbook(path)
    assert [issue.code for issue in result.all_issues] == ["LAYOUT-003"]
    assert "year" not in result.forms[0].form and "project_category" not in result.forms[0].form


# --- blank rows and empty rows ---------------------------------------------------------------
@pytest.mark.parametrize("variant", ["pujiang-2023", "shanghai-2025"])
def test_blank_template_rows_are_the_variants_own(tmp_path, variant):
    layout = get_layout(variant)
    path = make_template(tmp_path / "blank.xlsx", variant=variant)
    ws = openpyxl.load_workbook(path)[layout.title]
    level2s = sum(len(v) for v in layout.framework.values())
    assert ws.max_row == layout.first_indicator_row + layout.blank_rows_per_level2 * level2s
    assert layout.blank_rows_per_level2 == {"pujiang-2023": 2, "shanghai-2025": 1}[variant]


def test_fill_leaves_out_indicator_rows_without_content(tmp_path):
    form = load_example("04")
    empty = {"level1": "产出指标", "level2": "质量指标", "name": " ", "target": None}
    source = tmp_path / "in.json"
    source.write_text(json.dumps({**form, "indicators": [*form["indicators"][:2], empty,
                                                          *form["indicators"][2:]]}, ensure_ascii=False),
                      encoding="utf-8")
    [path] = fill_forms([source], tmp_path / "out")
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.max_row == LAYOUT.first_indicator_row + len(form["indicators"])
    assert read_workbook(path).forms[0].form == form


# --- feedback copies: the 问题 sheet ------------------------------------------------------------
def test_problem_sheet_is_headed_by_the_unit_links_each_cell_and_prints_on_a4(tmp_path):
    def edit(book):
        book["安保经费"]["C6"] = "很多"
    path = tampered(tmp_path, edit, "01")
    collect_to_master([path], tmp_path / "m.xlsx", feedback_dir=tmp_path / "fb")
    copy = openpyxl.load_workbook(tmp_path / "fb" / path.name)
    ws = copy["问题"]
    assert ws["A1"].value == "闵行区浦江镇平安建设办公室 绩效目标表问题清单"
    assert ws["A2"].value.startswith("共 ")
    assert [c.value for c in ws[3]] == ["工作表", "单元格", "字段", "值", "级别", "说明"]
    row = next(r for r in ws.iter_rows(min_row=4) if r[1].value == "C6")
    assert row[1].hyperlink.location == "'安保经费'!C6" and row[1].hyperlink.target is None
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows == "$1:$3" or ws.print_title_rows == "1:3"
    assert ws.row_dimensions[row[0].row].height >= wrapped_height(row[5].value, 56)
