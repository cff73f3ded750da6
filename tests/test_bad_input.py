"""Bad input to read/validate: every problem names file, sheet, cell and field; nothing crashes."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from conftest import load_example

from perfxl.api import check_file
from perfxl.form.layout import get_layout
from perfxl.problems import ERROR
from perfxl.write.workbook import FormSheet, write_workbook

LAYOUT = get_layout("pujiang-2023")
SLOT = LAYOUT.slot_by_path


def filled_then_edited(tmp_path, edits: dict[str, object], name="edited.xlsx"):
    """A perfxl workbook of example 01, then cells changed by hand (as a unit would)."""
    path = tmp_path / name
    write_workbook(path, [FormSheet("安保经费", LAYOUT, load_example("01"), "id-01")])
    wb = openpyxl.load_workbook(path)
    ws = wb["安保经费"]
    for ref, value in edits.items():
        ws[ref] = value
    wb.save(path)
    return path


def only(issues, code):
    found = [i for i in issues if i.code == code]
    assert len(found) == 1, [i.message for i in issues]
    return found[0]


# (cell edited, value typed, expected code, field title, value shown)
CASES = [
    (SLOT["funding.total"].area.ref, "三百万", "VALUE-002", "项目资金总额", "三百万"),
    (SLOT["funding.total"].area.ref, -5, "VALUE-002", "项目资金总额", "-5"),
    (SLOT["funding.annual_fiscal"].area.ref, "1.1234567", "VALUE-002", "其中：当年财政拨款", "1.1234567"),
    (SLOT["planned_start"].area.ref, "明年春天", "VALUE-003", "计划开始日期", "明年春天"),
    (SLOT["planned_end"].area.ref, "2023-02-30", "VALUE-003", "计划完成日期", "2023-02-30"),
    (SLOT["year"].area.ref, "今年", "VALUE-005", "年度", "今年"),
    (SLOT["project_category"].area.ref, "临时项目", "VALUE-004", "项目类别", "临时项目"),
    (SLOT["project_name"].area.ref, None, "VALUE-001", "项目名称", ""),
    (SLOT["goals.overall"].area.ref, "   ", "VALUE-001", "项目总目标", ""),
]


@pytest.mark.parametrize("ref,typed,code,field,shown", CASES, ids=[c[2] + "-" + c[3] for c in CASES])
def test_wrong_value_names_file_sheet_cell_field(tmp_path, ref, typed, code, field, shown):
    path = filled_then_edited(tmp_path, {ref: typed})
    checked = check_file(path)
    issue = only(checked.issues, code)
    assert (issue.file, issue.sheet, issue.cell, issue.field, issue.value) == (str(path), "安保经费", ref, field, shown)
    assert issue.severity == ERROR
    assert field in issue.message and (not shown or shown in issue.message)


@pytest.mark.parametrize("typed", ["2023.1.1", "2023. 1. 1", "2023/1/1", "2023年1月1日", "2023-01-01",
                                   "20230101", dt.datetime(2023, 1, 1)])
def test_dates_typed_many_ways_come_out_iso(tmp_path, typed):
    path = filled_then_edited(tmp_path, {SLOT["planned_start"].area.ref: typed})
    checked = check_file(path)
    assert checked.issues == []
    assert checked.forms[0].form["planned_start"] == "2023-01-01"


@pytest.mark.parametrize("typed,expected", [("374.9447", "374.9447"), (" 1,234.5 ", "1234.5"),
                                            ("１２３", "123"), ("435. 5435", "435.5435"), (41, "41")])
def test_amounts_typed_as_text_are_read_exactly(tmp_path, typed, expected):
    path = filled_then_edited(tmp_path, {SLOT["funding.total"].area.ref: typed})
    checked = check_file(path)
    assert checked.forms[0].form["funding"]["total"] == expected


def test_edited_label_is_reported_at_its_cell(tmp_path):
    path = filled_then_edited(tmp_path, {"A3": "项目"})
    issue = only(check_file(path).issues, "LAYOUT-001")
    assert (issue.cell, issue.value, issue.expected) == ("A3", "项目", "项目名称")


def test_level2_outside_its_level1_is_a_framework_error(tmp_path):
    first = LAYOUT.first_indicator_row
    path = filled_then_edited(tmp_path, {LAYOUT.indicator_cell("level2", first): "社会效益指标"})
    issue = only(check_file(path).issues, "VALUE-008")
    assert issue.cell == LAYOUT.indicator_cell("level2", first)
    assert "产出指标" in issue.message and "社会效益指标" in issue.message


def test_indicator_without_level2_points_at_its_row(tmp_path):
    # 01's 效益指标 block starts at the 6th indicator row; blank its 二级 label
    row = LAYOUT.first_indicator_row + 5
    path = filled_then_edited(tmp_path, {LAYOUT.indicator_cell("level2", row): None})
    issue = only(check_file(path).issues, "VALUE-001")
    assert issue.cell == LAYOUT.indicator_cell("name", row)


@pytest.mark.parametrize("content,reason", [
    (b"", "文件是空的"),
    (b"PK\x03\x04broken", "文件损坏或不完整"),
    (b"\x00\x01\x02" * 100, "不是 Excel 工作簿"),
    ("项目名称,安保经费\n".encode("utf-8"), "CSV"),
    (b"<html><body>x</body></html>", "HTML"),
])
def test_non_workbook_is_reported_not_raised(tmp_path, content, reason):
    path = tmp_path / "not-really.xlsx"
    path.write_bytes(content)
    checked = check_file(path)
    assert checked.forms == []
    issue = only(checked.issues, "FILE-005")
    assert issue.file == str(path) and reason in issue.message


def test_workbook_without_form_is_reported(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "会议签到表"
    wb.save(path)
    issue = only(check_file(path).issues, "FILE-002")
    assert "财政项目支出绩效目标表" in issue.message


def test_unknown_extension(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("x")
    assert only(check_file(path).issues, "FILE-004").value == ".txt"


def test_json_wrong_types_and_missing_values(tmp_path):
    form = load_example("01")
    form["year"] = "2023"
    form["funding"]["total"] = 374.9447
    del form["implementing_unit"]
    form["indicators"][0] = {"level1": "产出指标", "level2": "数量指标"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    issues = check_file(path).issues
    codes = {(i.code, i.field) for i in issues}
    assert ("VALUE-005", "年度") in codes
    assert ("VALUE-002", "项目资金总额") in codes
    assert ("VALUE-001", "实施单位") in codes
    neither = next(i for i in issues if i.code == "VALUE-007")
    assert neither.field == "第 1 条指标" and "三级指标和年度指标值至少填写一项" in neither.message
    assert all(i.file == str(path) for i in issues)


def test_broken_json(tmp_path):
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    assert only(check_file(path).issues, "FILE-003").file == str(path)
