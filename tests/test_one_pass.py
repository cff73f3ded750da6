"""Every problem in one pass (issue 12, item 1): every schema error of a form, each at its cell,
and every review rule whose inputs are valid, for JSON and for workbook input; a rule skips what
failed validation instead of misfiring on it; ``fill`` of an incomplete form writes it and lists
what is still missing."""

from __future__ import annotations

import copy
import json

import openpyxl
import pytest
from conftest import DELETE, load_example, set_paths
from typer.testing import CliRunner

from perfxl.api import check_file, fill_forms, missing_fields
from perfxl.cli import app
from perfxl.form.layout import get_layout

LAYOUT = get_layout("pujiang-2023")
SLOT = LAYOUT.slot_by_path
BASE = load_example("01")  # no problem at all: every case below adds its own


def edited(form, *changes):
    """``form`` with dotted paths (``indicators.7.target``) set, or deleted with DELETE."""
    return set_paths(copy.deepcopy(form), changes)


def check(tmp_path, form, source):
    """The problems of one form given as JSON, or as the workbook ``fill`` writes from it."""
    path = tmp_path / "form.json"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    if source == "workbook":
        [path] = fill_forms([path], tmp_path / "filled")
    checked = check_file(path)
    assert len(checked.forms) == 1
    return checked.issues


def found(issues, source):
    """(code, field, cell) of each issue; a form from JSON has no cells."""
    return [(i.code, i.field, i.cell if source == "workbook" else "") for i in issues]


def indicator_cell(part, index):
    return LAYOUT.indicator_cell(part, LAYOUT.first_indicator_row + index)


# --- every missing required field, each at its cell --------------------------------------------
@pytest.mark.parametrize("source", ["json", "workbook"])
def test_every_missing_required_field_is_reported_at_its_cell(tmp_path, source):
    form = edited(BASE, *((key, DELETE) for key in ("department", "implementing_unit", "planned_start",
                                                    "planned_end")))
    issues = check(tmp_path, form, source)
    assert found(issues, source) == [
        ("VALUE-001", "主管部门", "B4" if source == "workbook" else ""),
        ("VALUE-001", "实施单位", "E4" if source == "workbook" else ""),
        ("VALUE-001", "计划开始日期", "B5" if source == "workbook" else ""),
        ("VALUE-001", "计划完成日期", "E5" if source == "workbook" else ""),
    ], [i.message for i in issues]


def test_a_missing_group_is_reported_as_its_required_fields():
    from perfxl.check.validate import validate_record
    from perfxl.model import FormRecord
    form = edited(BASE, ("goals", DELETE))
    record = FormRecord("x.json", "", "pujiang-2023", form, {})
    assert [(i.code, i.field) for i in validate_record(record)] == [
        ("VALUE-001", "项目总目标"), ("VALUE-001", "年度总体目标")]


# --- N independent defects, all in one run --------------------------------------------------------
# (change, code, field, cell): schema errors and review findings on one form, none hiding another
DEFECTS = [
    (("department", DELETE), "VALUE-001", "主管部门", "B4"),
    (("implementing_unit", DELETE), "VALUE-001", "实施单位", "E4"),
    (("project_category", DELETE), "VALUE-001", "项目类别", SLOT["project_category"].area.ref),
    (("goals.annual", DELETE), "VALUE-001", "年度总体目标", "D11"),
    (("funding.total_fiscal", "很多"), "VALUE-002", "其中：财政资金", "C7"),
    (("year", 2022), "DATE-002", "年度", "A2"),
    (("funding.annual_carryover", "10"), "FUND-002", "年度资金申请总额", "E6"),
    (("goals.overall_period", "今年"), "DATE-005", "项目总目标期间", "C10"),
    (("indicators.0.target", "360"), "TARGET-005", "第 1 条指标的年度指标值", indicator_cell("target", 0)),
    (("indicators.7.target", "≥85%"), "TARGET-001", "第 8 条指标的年度指标值", indicator_cell("target", 7)),
]


@pytest.mark.parametrize("source", ["json", "workbook"])
def test_a_form_with_n_independent_defects_reports_all_n_in_one_run(tmp_path, source):
    form = edited(BASE, *(change for change, *_ in DEFECTS))
    issues = check(tmp_path, form, source)
    expected = [(code, field, cell if source == "workbook" else "") for _, code, field, cell in DEFECTS]
    assert sorted(found(issues, source)) == sorted(expected), [i.message for i in issues]
    # FUND-001 cannot be judged with an invalid 财政资金: skipped, not reported as a wrong sum


# --- a rule skips what failed validation ------------------------------------------------------------
# (change, the schema problem it causes, the rule that would misfire on the invalid value)
SKIPS = [
    (("funding.total_fiscal", "300.0"), "VALUE-002", "FUND-001"),  # 300.0 ≠ 374.9447: not judged
    (("year", 1999), "VALUE-005", "DATE-002"),
    (("planned_start", "20240101"), "VALUE-003", "DATE-001"),  # Python reads it as 2024-01-01
    (("goals.overall_period", 2023), "VALUE-007", "TEXT-001"),  # not text, but not blank either
    (("indicators.0.target", "人" * 501), "VALUE-006", "FRAME-001"),  # too long, not missing
    (("indicators.0.target", "人" * 501), "VALUE-006", "TARGET-004"),
    (("indicators.0.name", "人" * 501), "VALUE-006", "FRAME-002"),
    (("indicators.0.level2", "数量"), "VALUE-004", "COVER-001"),  # with 1 and 2 below: the only 数量指标
]


def _without_other_quantity(form):
    for index in (1, 2):
        form["indicators"][index]["level2"] = "数量"
    return form


@pytest.mark.parametrize("change, code, rule", SKIPS, ids=[f"{c}-{r}" for _, c, r in SKIPS])
def test_a_rule_skips_a_value_that_failed_validation(tmp_path, change, code, rule):
    form = edited(BASE, change)
    if rule == "COVER-001":
        form = _without_other_quantity(form)
    codes = [i.code for i in check(tmp_path, form, "json")]
    assert code in codes and rule not in codes, codes


def test_all_qualitative_is_not_claimed_while_a_target_failed_validation(tmp_path):
    form = copy.deepcopy(BASE)
    for item, target in zip(form["indicators"], ("360人 ", "较多", "较多", "提高", "及时", "有效压降", "建立健全", "满意")):
        item["target"] = target
    codes = [i.code for i in check(tmp_path, form, "json")]
    assert "VALUE-010" in codes and "TARGET-003" not in codes, codes


def test_an_amount_the_reader_refused_is_not_taken_for_a_blank(tmp_path):
    """In a workbook an amount that cannot be read is left out of the form (VALUE-002 at its
    cell): the sums are not checked as if it were blank."""
    issues = check(tmp_path, edited(BASE, ("funding.total_fiscal", "三百")), "workbook")
    assert [(i.code, i.cell) for i in issues] == [("VALUE-002", "C7")], [i.message for i in issues]


def test_a_formula_without_its_value_in_the_indicator_table_is_not_a_missing_target(tmp_path):
    path = tmp_path / "form.json"
    path.write_text(json.dumps(BASE, ensure_ascii=False), encoding="utf-8")
    [book] = fill_forms([path], tmp_path / "filled")
    wb = openpyxl.load_workbook(book)
    wb[BASE["project_name"]][indicator_cell("target", 0)] = "=1+1"  # openpyxl saves no cached value
    wb.save(book)
    issues = check_file(book).issues
    assert [(i.code, i.cell) for i in issues] == [("CELL-001", indicator_cell("target", 0))], \
        [i.message for i in issues]


def test_review_still_runs_beside_schema_errors(tmp_path):
    """The rules whose inputs are valid are not held back by an error elsewhere."""
    codes = [i.code for i in check(tmp_path, edited(BASE, ("department", DELETE), ("year", 2022)), "json")]
    assert codes == ["VALUE-001", "DATE-002"]


# --- fill of an incomplete form ---------------------------------------------------------------------
def test_missing_fields_lists_blank_required_fields_with_their_cells():
    form = edited(BASE, ("department", ""), ("planned_end", None), ("funding", DELETE), ("indicators", []),
                  ("goals.overall", "  "), ("year", 2022))
    assert [(m.title, m.cell) for m in missing_fields(form, "pujiang-2023")] == [
        ("主管部门", "B4"), ("计划完成日期", "E5"), ("项目资金总额", "C6"), ("项目总目标", "B11"), ("绩效指标", "")]
    assert missing_fields(BASE, "pujiang-2023") == []


def test_fill_of_an_incomplete_form_writes_it_and_lists_what_is_missing(tmp_path):
    incomplete = tmp_path / "安保.json"
    form = edited(BASE, ("department", DELETE), ("implementing_unit", DELETE), ("planned_start", DELETE),
                  ("planned_end", DELETE))
    incomplete.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    complete = tmp_path / "完整.json"
    complete.write_text(json.dumps(load_example("02"), ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["fill", str(incomplete), str(complete), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "安保.xlsx").is_file() and (tmp_path / "out" / "完整.xlsx").is_file()
    assert "以下 1 张表单还有必填项未填写" in result.output
    assert f"{incomplete}（安保经费）：主管部门（B4）、实施单位（E4）、计划开始日期（B5）、计划完成日期（E5）" in result.output
    assert str(complete) not in result.output.split("以下")[1]


def test_fill_of_complete_forms_lists_nothing(tmp_path):
    source = tmp_path / "01.json"
    source.write_text(json.dumps(BASE, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["fill", str(source), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "必填项" not in result.output
