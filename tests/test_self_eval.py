"""The year-end self-evaluation (项目支出绩效自评表) as a form kind: pre-filled templates with live
formulas, read back exactly, scored with every finding at its cell, and a new kind as data."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import example_paths, load_example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from perfxl.api import check_file
from perfxl.check.selfeval import formula_params, sheet_outputs
from perfxl.collect.rounds import (
    make_self_eval_templates,
    prefilled_self_evaluations,
    self_eval_sheets,
    with_prefilled,
    write_self_evaluations,
)
from perfxl.config import Settings
from perfxl.demo import illustrative_self_evaluation
from perfxl.form.identity import form_id_for
from perfxl.form.layout import (
    COMPUTED,
    FORMULA,
    INPUT,
    LOCKED,
    NONE,
    Layout,
    get_layout,
)
from perfxl.form.selfeval import prefill_self_evaluation
from perfxl.form.targets import parse_target
from perfxl.form.variant import Variant, load_variant
from perfxl.read.workbook import _Grid, read_sheet, read_workbook
from perfxl.write.workbook import FormSheet, write_workbook

ROOT = Path(__file__).resolve().parent.parent
LAYOUT = get_layout("self-eval-2023")


def example_forms() -> list[dict]:
    return [prefill_self_evaluation(load_example(path.stem)) for path in example_paths()]


def filled_examples() -> list[dict]:
    """Every bundled example with made-up actuals (see demo.illustrative_self_evaluation)."""
    return [illustrative_self_evaluation(form, number) for number, form in enumerate(example_forms())]


def write_one(path: Path, form: dict, outputs: dict | None = None) -> Path:
    outputs = sheet_outputs(form, LAYOUT) if outputs is None else outputs
    write_workbook(path, [FormSheet("自评", LAYOUT, form, form_id_for(LAYOUT, form), None, outputs, formula_params())])
    return path


def sheet_rows(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def at(rows: list[list], ref: str):
    match = re.fullmatch(r"([A-Z])(\d+)", ref)
    return rows[int(match.group(2)) - 1][ord(match.group(1)) - 65]


# --- the kind is data ----------------------------------------------------------------------------
def test_the_layout_data_says_which_columns_are_inputs_locked_computed_or_formulas():
    roles = {column.part: column.roles for column in LAYOUT.indicator_columns}
    assert roles["name"] == roles["target"] == (("*", LOCKED),)
    assert roles["actual"] == roles["deviation_reason"] == (("*", INPUT),)
    assert dict(roles["band"]) == {"定性": INPUT, "*": NONE}
    assert dict(roles["score"]) == {"定性": INPUT, "*": FORMULA}
    assert roles["weight"] == (("*", COMPUTED),)
    assert [output.pointer for output in LAYOUT.outputs] == ["funding/weight", "funding/rate", "funding/score",
                                                             "total", "grade"]
    target_table = get_layout("pujiang-2023")
    assert [column.part for column in target_table.indicator_columns] == ["name", "target"]
    assert all(column.roles == (("*", INPUT),) for column in target_table.indicator_columns)


def test_writer_and_reader_have_no_kind_specific_code():
    """What the self-evaluation adds lives in its layout data; the writer and the reader name none
    of its columns, outputs or kind (the scoring and the pre-fill, which are code, live in check/
    and form/selfeval.py)."""
    words = re.compile(r"self-eval|自评|\"actual\"|\"band\"|\"score\"|\"weight\"|deviation_reason|funding/|\"total\"|\"grade\"")
    for folder in ("write", "read"):
        for path in sorted((ROOT / "perfxl" / folder).glob("*.py")):
            found = words.findall(path.read_text(encoding="utf-8"))
            assert found == [], f"{path.name} names {found}"


def monitoring_variant() -> Variant:
    """A mid-year monitoring table sketched as data only: per indicator the 年度指标值 (locked),
    1–N月实际完成值 and 全年预计完成值 (inputs), 偏差原因 and 完成目标可能性 (drop-downs), 备注."""
    base = load_variant("self-eval-2023")
    schema = copy.deepcopy(base.schema)
    schema["$id"] = "https://perfxl.example/schema/monitor-test/v1"
    schema["title"] = "绩效运行监控表"
    text = {"type": "string", "minLength": 1, "maxLength": 200}
    schema["$defs"]["indicator"]["properties"] = {
        **{key: schema["$defs"]["indicator"]["properties"][key] for key in ("level1", "level2", "name", "target")},
        "progress": {**text, "title": "1–N月实际完成值"}, "forecast": {**text, "title": "全年预计完成值"},
        "reason": {"title": "偏差原因", "enum": ["经费保障", "制度保障", "人员保障", "硬件保障", "其他"]},
        "likely": {"title": "完成目标可能性", "enum": ["确定能", "有可能", "完全不可能"]},
        "note": {**text, "title": "备注"}}
    schema["properties"]["funding"]["properties"] = {"budget_full": {"$ref": "#/$defs/amount", "title": "全年预算数"}}
    schema["properties"]["funding"]["required"] = []
    schema["properties"]["goals"]["required"] = []
    layout = copy.deepcopy(base.layout_data)
    layout.update(name="monitor-test", kind="monitor", title="绩效运行监控表", outputs=[])
    layout["cells"] = [cell for cell in layout["cells"]
                       if "field" not in cell or cell["field"] in
                       ("year", "project_name", "department", "implementing_unit", "funding.budget_full")]
    columns = {"level1": "B", "level2": "C", "name": "D", "target": "E", "progress": "F", "forecast": "G",
               "reason": "H", "likely": "I", "note": "J"}
    layout["indicators"] = {**layout["indicators"], "columns": columns, "row_class": None, "formulas": {},
                            "headers": {"level1": "一级指标", "level2": "二级指标", "name": "三级指标",
                                        "target": "年度指标值", "progress": "1–N月实际完成值",
                                        "forecast": "全年预计完成值", "reason": "偏差原因",
                                        "likely": "完成目标可能性", "note": "备注"},
                            "roles": {"name": "locked", "target": "locked"}}
    return Variant("monitor-test", "", schema, layout)


def test_a_new_kind_is_data_written_and_read_back_by_the_same_code(tmp_path):
    layout = Layout(monitoring_variant())
    form = {"year": 2023, "project_name": "安保经费", "department": "镇政府", "implementing_unit": "平安办",
            "funding": {"budget_full": "374.9447"},
            "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "特勤安保人数", "target": "360人",
                            "progress": "180人", "forecast": "350人", "reason": "人员保障", "likely": "有可能"},
                           {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度",
                            "target": "≥90%", "note": "年底测评"}]}
    path = tmp_path / "monitor.xlsx"
    write_workbook(path, [FormSheet("安保经费", layout, form)])
    book = CalamineWorkbook.from_path(str(path))
    grid = _Grid(book.get_sheet_by_name("安保经费").to_python(skip_empty_area=False))
    record = read_sheet(grid, "monitor.xlsx", "安保经费", layout)
    assert record.issues == []
    assert record.form == form
    ws = openpyxl.load_workbook(path)["安保经费"]
    first = layout.first_indicator_row
    assert ws[layout.indicator_cell("target", first)].protection.locked is True
    assert ws[layout.indicator_cell("forecast", first)].protection.locked is False
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert lists[f"{layout.indicator_cell('reason', first)}:{layout.indicator_cell('reason', first + 1)}"] == \
        '"经费保障,制度保障,人员保障,硬件保障,其他"'
    assert '"确定能,有可能,完全不可能"' in lists.values()


# --- templates --------------------------------------------------------------------------------
def test_templates_pre_fill_and_lock_every_target_and_leave_the_inputs_open(tmp_path):
    forms = example_forms()
    paths = write_self_evaluations(forms, tmp_path)
    assert len(paths) == 3
    wb = openpyxl.load_workbook(paths[0])
    ws = wb.worksheets[0]
    form = next(f for f in forms if f["project_name"] == ws.title)
    first = LAYOUT.first_indicator_row
    for index, item in enumerate(form["indicators"]):
        row = first + index
        assert ws[LAYOUT.indicator_cell("target", row)].value == item["target"]
        assert ws[LAYOUT.indicator_cell("target", row)].protection.locked is True
        assert ws[LAYOUT.indicator_cell("name", row)].protection.locked is True
        assert ws[LAYOUT.indicator_cell("actual", row)].protection.locked is False
        assert ws[LAYOUT.indicator_cell("deviation_reason", row)].protection.locked is False
        score = ws[LAYOUT.indicator_cell("score", row)]
        qualitative = LAYOUT.row_class(item) == "定性"
        assert score.protection.locked is not qualitative  # a 定性 得分 is typed, a 定量 one computed
        assert (isinstance(score.value, str) and score.value.startswith("=")) is not qualitative
    slots = LAYOUT.slot_by_path
    assert ws[slots["funding.budget_initial"].area.ref].protection.locked is True
    assert ws[slots["funding.budget_full"].area.ref].protection.locked is False
    assert ws[slots["goals.expected"].area.ref].value == form["goals"]["expected"]
    assert ws[slots["goals.expected"].area.ref].protection.locked is True
    assert ws.protection.sheet is True
    rate = next(o for o in LAYOUT.outputs if o.pointer == "funding/rate")
    assert ws[rate.area.ref].value.startswith("=IF(")


def test_a_blank_template_reads_back_as_its_pre_fill_and_scores_nothing_yet(tmp_path):
    forms = example_forms()
    for path in write_self_evaluations(forms, tmp_path):
        result = read_workbook(path)
        assert [r.variant for r in result.forms] == ["self-eval-2023"] * len(result.forms)
        for record in result.forms:
            assert record.form == next(f for f in forms if f["project_name"] == record.form["project_name"])
            assert not any(i.code == "SCORE-013" for i in check_file(path).issues)


def test_template_sources_jsonl_and_inbox_give_the_same_bytes(tmp_path):
    targets = tmp_path / "targets"
    targets.mkdir()
    from perfxl.write.units import fill_forms

    fill_forms(example_paths(), targets, by_unit=True)
    jsonl = tmp_path / "forms.jsonl"
    jsonl.write_text("".join(json.dumps({"form": load_example(p.stem), "source": {"variant": "pujiang-2023"}},
                                        ensure_ascii=False) + "\n" for p in example_paths()), encoding="utf-8")
    a = make_self_eval_templates(jsonl, tmp_path / "a")
    b = make_self_eval_templates(targets, tmp_path / "b")
    assert sorted(p.name for p in a) == sorted(p.name for p in b)
    by_name = {p.name: p for p in b}
    assert all(p.read_bytes() == by_name[p.name].read_bytes() for p in a)


# --- reading back: exactly, every finding at its cell ------------------------------------------
@pytest.mark.parametrize("number", range(18))
def test_every_filled_example_round_trips_and_scores_as_perfxl_does(tmp_path, number):
    form = filled_examples()[number]
    path = write_one(tmp_path / "one.xlsx", form)
    result = read_workbook(path)
    assert result.all_issues == []
    assert result.forms[0].form == form
    issues = check_file(path).issues
    assert not [i for i in issues if i.code in ("SCORE-013", "SCORE-014")]
    assert all(i.cell for i in issues if i.code != "SCORE-008")  # every finding has its cell


actual_texts = st.one_of(st.just("350人"), st.just("98.5%"), st.just("约三百"),
                         st.text(alphabet="0123456789.人%个", min_size=1, max_size=8).filter(lambda t: t.strip() == t))
reasons = st.text(alphabet="偏差原因改进措施，。abc 12", min_size=1, max_size=30).map(str.strip).filter(bool)
points = st.decimals(min_value=0, max_value=20, places=2).map(lambda d: format(d.normalize(), "f"))


@st.composite
def self_evaluations(draw):
    form = copy.deepcopy(draw(st.sampled_from(example_forms())))
    funding = form.setdefault("funding", {})
    for key in ("budget_full", "executed", "fiscal_full", "fiscal_executed", "other_executed"):
        if draw(st.booleans()):
            funding[key] = format(draw(st.decimals(min_value=0, max_value=99999, places=4)).normalize(), "f")
    if draw(st.booleans()):
        form.setdefault("goals", {})["actual"] = draw(reasons)
    for item in form["indicators"]:
        if draw(st.booleans()):
            item["actual"] = draw(actual_texts)
        if LAYOUT.row_class(item) == "定性":
            if draw(st.booleans()):
                item["band"] = draw(st.sampled_from(["达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差"]))
            if draw(st.booleans()):
                item["score"] = draw(points)
        if draw(st.booleans()):
            item["deviation_reason"] = draw(reasons)
    return form


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=self_evaluations())
def test_any_self_evaluation_round_trips(tmp_path, form):
    path = write_one(tmp_path / "prop.xlsx", form)
    result = read_workbook(path)
    assert [record.form for record in result.forms] == [form]
    assert not [i for i in check_file(path).issues if i.code == "SCORE-013"]  # the cached results are perfxl's


def test_bad_actuals_are_all_reported_at_their_cells_in_one_pass(tmp_path):
    form = filled_examples()[0]  # 01 安保经费: targets 360人 …, two 定性
    path = write_one(tmp_path / "ok.xlsx", form)
    wb = openpyxl.load_workbook(path)
    ws = wb["自评"]
    first = LAYOUT.first_indicator_row
    qualitative = next(i for i, item in enumerate(form["indicators"]) if LAYOUT.row_class(item) == "定性")
    slots = LAYOUT.slot_by_path
    edits = {slots["funding.executed"].area.ref: "三百六十",  # text in a number
             LAYOUT.indicator_cell("actual", first): "350个",  # wrong unit (target 360人)
             LAYOUT.indicator_cell("actual", first + 1): "约12人",  # not one number
             LAYOUT.indicator_cell("score", first + qualitative): 99}  # outside its band
    for ref, value in edits.items():
        ws[ref] = value
    wb.save(tmp_path / "bad.xlsx")
    found = {(i.cell, i.code) for i in check_file(tmp_path / "bad.xlsx").issues}
    assert {(slots["funding.executed"].area.ref, "VALUE-002"),
            (LAYOUT.indicator_cell("actual", first), "SCORE-004"),
            (LAYOUT.indicator_cell("actual", first + 1), "SCORE-003"),
            (LAYOUT.indicator_cell("score", first + qualitative), "SCORE-009")} <= found


def test_a_saved_formula_result_that_differs_from_perfxl_is_reported_at_its_cell(tmp_path):
    form = filled_examples()[0]
    outputs = sheet_outputs(form, LAYOUT)
    assert outputs["total"] is not None and outputs["indicators/0/score"] is not None
    outputs["indicators/0/score"] = Decimal("99")  # as if the unit had changed the formula
    outputs["total"] = outputs["total"] + 1
    path = write_one(tmp_path / "tampered.xlsx", form, outputs)
    found = [(i.cell, i.code, i.severity) for i in check_file(path).issues]
    total = next(o for o in LAYOUT.outputs if o.pointer == "total").area.ref
    assert (LAYOUT.indicator_cell("score", LAYOUT.first_indicator_row), "SCORE-013", "警告") in found
    assert (total, "SCORE-013", "警告") in found


def test_a_changed_target_is_an_error_when_the_target_tables_are_given(tmp_path):
    jsonl = tmp_path / "forms.jsonl"
    jsonl.write_text(json.dumps(load_example("01"), ensure_ascii=False) + "\n", encoding="utf-8")
    form = illustrative_self_evaluation(prefilled_self_evaluations(jsonl)[0])
    changed = copy.deepcopy(form)
    changed["indicators"][0]["target"] = "300人"
    changed["funding"]["budget_initial"] = "1"
    path = write_one(tmp_path / "changed.xlsx", changed)
    plain = {i.code for i in check_file(path).issues}
    assert "SCORE-014" not in plain  # without --from nothing to compare with
    issues = check_file(path, settings=with_prefilled(Settings(), jsonl)).issues
    cells = {i.cell for i in issues if i.code == "SCORE-014"}
    assert cells == {LAYOUT.indicator_cell("target", LAYOUT.first_indicator_row),
                     LAYOUT.slot_by_path["funding.budget_initial"].area.ref}


# --- a real client recalculates the formulas -----------------------------------------------------
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def recalculated(soffice: str, tmp_path: Path, files: list[Path]) -> list[Path]:
    """``files`` opened by LibreOffice set to recalculate every formula on load, saved as xlsx."""
    from test_libreoffice import convert

    profile = tmp_path / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    return convert(soffice, profile, "xlsx", files, tmp_path / "out")


@pytest.mark.libreoffice
def test_libreoffice_recalculates_every_example_to_perfxls_scores(tmp_path, soffice):
    """The workbooks are written WITHOUT cached results (blank), so every number LibreOffice saves
    is its own recalculation of the layout's formulas; each must equal perfxl's Decimal score."""
    forms = filled_examples()
    blank = tmp_path / "blank"
    blank.mkdir()
    expected = {}
    for form in forms:
        expected[form["project_name"]] = sheet_outputs(form, LAYOUT)
    groups: dict[str, list[dict]] = {}
    for form in forms:
        groups.setdefault(form["implementing_unit"], []).append(form)
    files = []
    for number, unit_forms in enumerate(groups.values()):
        sheets = self_eval_sheets(unit_forms)
        sheets = [FormSheet(s.name, s.layout, s.form, s.form_id, None,
                            {k: (v if k.endswith("weight") else None) for k, v in s.outputs.items()}, s.params)
                  for s in sheets]
        path = blank / f"unit{number}.xlsx"
        write_workbook(path, sheets)
        files.append(path)
    saved = recalculated(soffice, tmp_path, files)
    compared = 0
    for path in saved:
        result = read_workbook(path)
        for record in result.forms:
            want = expected[record.form["project_name"]]
            for pointer, value in want.items():
                if value is None:
                    continue
                got = record.outputs[pointer]
                if isinstance(value, Decimal):
                    assert Decimal(format(got, ".15g")) == value, (record.sheet, pointer, got, value)
                else:
                    assert got == value, (record.sheet, pointer, got, value)
                compared += 1
            assert want["total"] is not None and want["grade"] is not None
        assert not [i for i in check_file(path).issues if i.code == "SCORE-013"]
    assert compared > 18 * 5  # every example's 执行率, funds 得分, indicator 得分, 总分 and 等级


# --- the commands and the scored master ----------------------------------------------------------
def test_cli_template_kind_self_eval_from_jsonl_and_validate_from(tmp_path):
    from typer.testing import CliRunner

    from perfxl.cli import app

    jsonl = tmp_path / "forms.jsonl"
    jsonl.write_text("".join(json.dumps(load_example(p.stem), ensure_ascii=False) + "\n" for p in example_paths()),
                     encoding="utf-8")
    runner = CliRunner()
    done = runner.invoke(app, ["template", "--kind", "self-eval", "--from", str(jsonl), "--out", str(tmp_path / "se")])
    assert done.exit_code == 0, done.output
    assert len(list((tmp_path / "se").glob("*.xlsx"))) == 3
    assert runner.invoke(app, ["template", "--kind", "self-eval", "--out", str(tmp_path / "x")]).exit_code == 2
    assert runner.invoke(app, ["template", "--kind", "monitor"]).exit_code == 2
    checked = runner.invoke(app, ["validate", str(tmp_path / "se"), "--from", str(jsonl), "--json"])
    codes = {issue["code"] for issue in json.loads(checked.stdout)}
    assert checked.exit_code == 1 and "SCORE-001" in codes and "SCORE-014" not in codes  # blank, unchanged


def test_collect_of_self_evaluations_gives_a_scored_master(tmp_path):
    from perfxl.api import collect_to_master
    from perfxl.check.scoring import score_self_evaluation

    forms = filled_examples()
    write_self_evaluations(forms, tmp_path / "in")
    collection = collect_to_master([tmp_path / "in"], tmp_path / "master.xlsx")
    book = CalamineWorkbook.from_path(str(tmp_path / "master.xlsx"))
    projects = book.get_sheet_by_name("项目汇总").to_python()
    header = projects[0]
    by_name = {row[header.index("项目名称")]: row for row in projects[1:]}
    assert len(by_name) == len(forms)
    for form in forms:
        scored = score_self_evaluation(form)
        row = by_name[form["project_name"]]
        assert Decimal(format(row[header.index("总分")], ".15g")) == scored.total
        assert row[header.index("自评等级")] == scored.grade
        assert Decimal(format(row[header.index("执行率（%）")], ".15g")) == scored.execution_rate
    indicators = book.get_sheet_by_name("绩效指标明细").to_python()
    assert indicators[0][-5:] == ["实际完成值", "完成情况档次", "分值", "得分", "偏差原因分析及改进措施"]
    assert len(indicators) - 1 == sum(len(form["indicators"]) for form in forms)
    units = book.get_sheet_by_name("单位汇总").to_python()
    assert "总分" not in units[0]  # scores are not summed as amounts
    collection.close()


# --- an edited self-evaluation read by its labels ------------------------------------------------
def _with_parts(form: dict) -> dict:
    """A made-up self-evaluation with every part row of 项目资金 filled (they add up)."""
    form = copy.deepcopy(form)
    funding = form["funding"]
    funding.update(fiscal_initial="80", carryover_initial="15", other_initial="5", budget_initial="100",
                   budget_full="120", fiscal_full="100", carryover_full="15", other_full="5",
                   executed="110", fiscal_executed="95", carryover_executed="12", other_executed="3")
    return form


def _edited_like_a_unit(path: Path, out: Path, *, total: float | None = None) -> Path:
    """Rows inserted as Excel inserts them: two above the indicator table, one between 年度总体目标's
    headings and their texts (the texts move down a row), one under the heading and a blank one
    inside the indicator table.  The formulas' results are kept as Excel saves them (openpyxl
    keeps no cached results, so they are loaded as values)."""
    from test_tamper import insert_rows

    book = openpyxl.load_workbook(path, data_only=True)
    sheet = book["自评"]
    header = LAYOUT.header_row + 1
    insert_rows(sheet, header + 3, 1)  # a blank row between indicators
    insert_rows(sheet, header, 2)
    insert_rows(sheet, 11, 1)
    insert_rows(sheet, 3, 1)
    if total is not None:
        sheet["E14"] = total  # 得分合计, moved from E12 by two rows
    book.save(out)
    return out


@pytest.mark.parametrize("number", [0, 5, 11])
def test_an_edited_self_evaluation_reads_back_like_the_unedited_one(tmp_path, number):
    form = _with_parts(filled_examples()[number])
    path = write_one(tmp_path / "one.xlsx", form)
    plain = read_workbook(path)
    edited = read_workbook(_edited_like_a_unit(path, tmp_path / "edited.xlsx"))
    [record] = edited.forms
    assert record.form == plain.forms[0].form == form
    assert record.outputs == plain.forms[0].outputs  # 执行率, 得分, 得分合计, 自评等级, 分值 all found
    assert set(record.outputs) == {o.pointer for o in LAYOUT.outputs} | {
        p for p in plain.forms[0].outputs if p.startswith("indicators/")}
    assert [i.code for i in edited.all_issues] == ["LAYOUT-003"]
    assert record.cells["funding/fiscal_full"] == "E8" and record.cells["total"] == "E14"
    checked = [i for i in check_file(tmp_path / "edited.xlsx").issues if i.code != "LAYOUT-003"]
    assert [(i.code, i.message) for i in checked] == [(i.code, i.message) for i in check_file(path).issues]


def test_a_changed_result_in_an_edited_self_evaluation_is_reported_at_its_moved_cell(tmp_path):
    path = write_one(tmp_path / "one.xlsx", _with_parts(filled_examples()[0]))
    edited = _edited_like_a_unit(path, tmp_path / "edited.xlsx", total=100)
    found = [i for i in check_file(edited).issues if i.code == "SCORE-013"]
    assert [i.cell for i in found] == ["E14"]


# --- the parts of 项目资金 add up (SCORE-015) ---------------------------------------------------
def test_parts_that_do_not_add_up_are_an_error_at_the_total_in_each_column(tmp_path):
    form = _with_parts(filled_examples()[0])
    form["funding"].update(other_full="6", carryover_executed="12.5")  # 121 ≠ 120; 110.5 ≠ 110
    found = [i for i in check_file(write_one(tmp_path / "sum.xlsx", form)).issues if i.code == "SCORE-015"]
    slots = {slot.path: slot.area.ref for slot in LAYOUT.slots}
    assert [(i.cell, i.severity, i.expected) for i in found] == [
        (slots["funding.budget_full"], "错误", "121"), (slots["funding.executed"], "错误", "110.5")]
    assert f"其他资金全年预算数（{slots['funding.other_full']}）6 万元" in found[0].message


@pytest.mark.parametrize("parts", [
    {},  # no part filled: the parts are optional, nothing to add up
    {"fiscal_full": "120", "fiscal_executed": "110"},  # the others blank count as 0
    {"fiscal_full": "100", "carryover_full": "20", "fiscal_executed": "100", "other_executed": "10"},
])
def test_parts_that_add_up_or_are_blank_are_no_finding(parts):
    form = copy.deepcopy(filled_examples()[0])
    funding = form["funding"]
    for key in [k for k in funding if k.endswith(("_full", "_executed"))]:
        del funding[key]
    funding.update(budget_full="120", executed="110", **parts)
    checked = check_file_json(form)
    assert [i for i in checked if i.code == "SCORE-015"] == []


def test_parts_that_do_not_add_up_in_a_json_form_are_found_too():
    form = copy.deepcopy(filled_examples()[0])
    form["funding"].update(budget_full="120", fiscal_full="100")
    assert [(i.code, i.cell) for i in check_file_json(form) if i.code == "SCORE-015"] == [("SCORE-015", "")]


def check_file_json(form: dict) -> list:
    from perfxl.check.selfeval import check_self_evaluation
    from perfxl.model import FormRecord

    return check_self_evaluation(FormRecord(file="f.json", sheet="", variant="self-eval-2023", form=form, cells={}))


# --- hostile targets in live formulas ------------------------------------------------------------
HOSTILE_TARGETS = ['≥5"),WEBSERVICE("http://x")&("个', '≥5个"&HYPERLINK("http://evil","x")&"', '≥5=1;2',
                   '≥5' + '个' * 300, '≥5' + '"' * 200, '≤5\x01个', '≥5个}{params.x}', '≥' + '9' * 400 + '个',
                   '≤5' + '米' * 260]
_LITERAL = re.compile(r'"((?:[^"]|"")*)"')


def hostile_form() -> dict:
    form = copy.deepcopy(max(filled_examples(), key=lambda f: len(f["indicators"])))
    assert len(form["indicators"]) >= len(HOSTILE_TARGETS)
    for index, target in enumerate(HOSTILE_TARGETS):
        form["indicators"][index]["target"] = target
        form["indicators"][index]["actual"] = "3" + parse_target(target).unit  # comparable: a score
    return form


def test_hostile_targets_never_break_or_inject_into_the_live_formulas(tmp_path):
    """A 年度指标值's unit or number goes into the 得分 formula: quotes doubled, no control character
    (invalid XML), no string literal over Excel's 255 characters, no number Excel cannot read
    exactly, no formula over 8,192 characters; such a row keeps perfxl's value without a formula."""
    form = hostile_form()
    path = write_one(tmp_path / "hostile.xlsx", form)
    sheet = openpyxl.load_workbook(path).worksheets[0]  # well-formed XML
    formulas = [cell.value for row in sheet.iter_rows() for cell in row
                if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert formulas
    for formula in formulas:
        assert len(formula) <= 8192
        assert not re.search(r"[\x00-\x1f]", formula)
        outside = _LITERAL.sub("", formula)
        assert not re.search(r"WEBSERVICE|HYPERLINK|;|\{", outside), formula
        assert all(len(text.replace('""', '"')) <= 255 for text in _LITERAL.findall(formula)), formula
        assert not re.search(r"\d{16,}", outside), formula
    assert not [i for i in check_file(path).issues if i.code == "SCORE-013"]


@pytest.mark.libreoffice
def test_libreoffice_recalculates_hostile_targets_to_perfxls_scores(tmp_path, soffice):
    form = hostile_form()
    expected = sheet_outputs(form, LAYOUT)
    live = {f"indicators/{index}/score" for index, target in enumerate(HOSTILE_TARGETS)
            if "\x01" not in target and "9" * 16 not in target}  # the others have no formula
    blank = {k: (None if k in live or not k.startswith("indicators/") else v) for k, v in expected.items()}
    path = write_one(tmp_path / "hostile.xlsx", form, blank)
    [saved] = recalculated(soffice, tmp_path, [path])
    record = read_workbook(saved).forms[0]
    compared = [index for index in range(len(HOSTILE_TARGETS)) if f"indicators/{index}/score" in record.outputs]
    assert len(compared) >= len(HOSTILE_TARGETS) - 1  # ≥5=1;2 is 定性: its score is the unit's
    for index in compared:
        pointer = f"indicators/{index}/score"
        got = record.outputs[pointer]
        assert isinstance(got, float) and Decimal(format(got, ".15g")) == expected[pointer], (index, got)
