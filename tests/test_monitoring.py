"""The mid-year monitoring table (绩效运行监控表, issue 14 item 4): a third form kind as data
(schema/monitoring-2023.schema.json + templates/monitoring-2023.layout.json), its month N printed
into the headers from the form, read back exactly, and each indicator's 监控状态 (绿/黄/红)."""

from __future__ import annotations

import copy
import json

import openpyxl
import pytest
from conftest import example_paths, load_example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from perfxl.api import (
    Settings,
    check_file,
    collect_to_master,
    indicator_statuses,
    make_monitoring_templates,
    prefill_monitoring,
    with_prefilled,
    write_monitoring,
)
from perfxl.cli import app
from perfxl.config import DEFAULT_MONITORING, monitoring_config
from perfxl.demo import illustrative_monitoring
from perfxl.form.layout import get_layout
from perfxl.read.workbook import read_workbook

LAYOUT = get_layout("monitoring-2023")


def jsonl(tmp_path):
    path = tmp_path / "forms.jsonl"
    path.write_text("".join(json.dumps({"form": load_example(p.stem), "source": {"variant": "pujiang-2023"}},
                                       ensure_ascii=False) + "\n" for p in example_paths()), encoding="utf-8")
    return path


def made_up(month: int = 6) -> dict:
    """A monitoring table of example 01 with made-up progress (NOT real data)."""
    form = prefill_monitoring(load_example("01"), month)
    form["funding"]["executed"] = "180.5"
    form["goals"]["progress"] = "（示例，非真实数据）按计划推进。"
    for index, item in enumerate(form["indicators"]):
        item.update(progress="进行中", forecast=item["target"], likely="确定能")
    return form


def cell_text(path, sheet: str, ref: str):
    ws = openpyxl.load_workbook(path)[sheet]
    return ws[ref].value


# --- the month is data: printed into the headers, stored in the form ------------------------------
@pytest.mark.parametrize("month", [3, 6, 9])
def test_the_template_prints_the_month_chosen_into_its_headers_and_keeps_it(tmp_path, month):
    runner = CliRunner()
    out = tmp_path / "监控下发"
    result = runner.invoke(app, ["template", "--kind", "monitoring", "--month", str(month),
                                 "--from", str(jsonl(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    paths = sorted(out.glob("*.xlsx"))
    assert len(paths) == 3
    filled = LAYOUT.for_values({"month": month})
    executed_label = next(l for l in filled.labels if "执行数" in l.text)
    assert executed_label.text == f"1–{month}月执行数"
    assert filled.indicator_headers["progress"] == f"1–{month}月实际完成值"
    ws = openpyxl.load_workbook(paths[0]).worksheets[0]
    assert ws[executed_label.area.ref.split(":")[0]].value == f"1–{month}月执行数"
    assert ws[filled.indicator_cell("progress", filled.header_row)].value == f"1–{month}月实际完成值"
    assert ws[LAYOUT.slot_by_path["month"].area.ref.split(":")[0]].value == month
    first = LAYOUT.first_indicator_row
    assert ws[LAYOUT.indicator_cell("target", first)].protection.locked is True
    assert ws[LAYOUT.indicator_cell("progress", first)].protection.locked is False
    for path in paths:  # a blank template reads back as its pre-fill, month included
        for record in read_workbook(path).forms:
            assert record.form["month"] == month and "{month}" not in json.dumps(record.form, ensure_ascii=False)
            assert not [i for i in record.issues if i.code.startswith("LAYOUT")]


def test_the_formulas_keep_their_places_and_only_printed_texts_are_filled():
    filled = LAYOUT.for_values({"month": 7})
    assert [o.formula for o in filled.outputs] == [o.formula for o in LAYOUT.outputs]
    assert "{funding.executed}" in filled.outputs[0].formula
    assert all("{month}" not in label.text for label in filled.labels)
    assert any("{month}" in label.text for label in LAYOUT.labels)
    assert LAYOUT.for_values({"month": 7}) is filled  # once per month
    assert LAYOUT.for_values({}) is LAYOUT and LAYOUT.for_values({"month": "七"}) is LAYOUT


@pytest.mark.parametrize("args", [["--month", "6"], ["--kind", "monitoring"], ["--kind", "monitoring", "--month", "13"],
                                  ["--kind", "monitoring", "--month", "0"]])
def test_a_month_without_the_kind_or_the_kind_without_a_month_is_a_usage_error(tmp_path, args):
    result = CliRunner().invoke(app, ["template", *args, "--from", str(jsonl(tmp_path)), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert not (tmp_path / "o").exists()


# --- round trip ---------------------------------------------------------------------------------
@pytest.mark.parametrize("number", [p.stem for p in example_paths()][:6])
def test_every_filled_example_round_trips_with_its_rate(tmp_path, number):
    form = prefill_monitoring(load_example(number), 6)
    form.setdefault("funding", {}).update(budget_full="100", executed="45.5")
    for item in form["indicators"]:
        item.update(progress="进行中", forecast="按计划", likely="有可能", reason="其他", note="（示例）")
    [path] = write_monitoring([form], tmp_path)
    [record] = read_workbook(path).forms
    assert record.form == form and record.issues == []
    assert record.outputs["funding/rate"] == 45.5
    assert [i.code for i in check_file(path).issues] == ["MON-002"] * len(form["indicators"])


progress_texts = st.one_of(st.just("180人"), st.just("45%"), st.just("约一半"),
                           st.text(alphabet="0123456789.人%", min_size=1, max_size=6).filter(lambda t: t.strip() == t))


@st.composite
def monitoring_forms(draw):
    form = prefill_monitoring(load_example(draw(st.sampled_from([p.stem for p in example_paths()]))),
                              draw(st.integers(1, 12)))
    if draw(st.booleans()):
        form.setdefault("funding", {})["executed"] = format(draw(st.decimals(0, 9999, places=4)).normalize(), "f")
    for item in form["indicators"]:
        for part in ("progress", "forecast"):
            if draw(st.booleans()):
                item[part] = draw(progress_texts)
        if draw(st.booleans()):
            item["likely"] = draw(st.sampled_from(["确定能", "有可能", "完全不可能"]))
        if draw(st.booleans()):
            item["reason"] = draw(st.sampled_from(["经费保障", "制度保障", "人员保障", "硬件保障", "其他"]))
    return form


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=monitoring_forms())
def test_any_monitoring_table_round_trips(tmp_path, form):
    [path] = write_monitoring([form], tmp_path / str(abs(hash(json.dumps(form, ensure_ascii=False)))))
    assert [record.form for record in read_workbook(path).forms] == [form]
    assert not [i for i in check_file(path).issues if i.code == "SCORE-013"]  # the cached 执行率 is perfxl's


def test_a_saved_rate_that_differs_from_perfxls_is_reported_at_its_cell(tmp_path):
    [path] = write_monitoring([made_up()], tmp_path)
    book = openpyxl.load_workbook(path, data_only=True)
    rate = LAYOUT.outputs[0].area.ref.split(":")[0]
    book.worksheets[0][rate] = 99
    book.save(tmp_path / "changed.xlsx")
    found = [(i.code, i.cell) for i in check_file(tmp_path / "changed.xlsx").issues if i.code == "SCORE-013"]
    assert found == [("SCORE-013", rate)]


# --- 监控状态 ----------------------------------------------------------------------------------
def status_of(target: str, month: int = 6, **parts) -> tuple[str | None, str]:
    form = {"month": month, "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "x", "target": target,
                                            **parts}]}
    [status] = indicator_statuses(form, LAYOUT)
    return status.status, status.pointer.rsplit("/", 1)[1]


@pytest.mark.parametrize("target, month, parts, expected", [
    ("360人", 6, {"likely": "确定能", "progress": "180人"}, ("绿", "likely")),  # exactly on pace
    ("360人", 6, {"likely": "确定能", "progress": "179人"}, ("黄", "progress")),  # behind 360 × 6/12
    ("360人", 3, {"likely": "确定能", "progress": "90人"}, ("绿", "likely")),
    ("≥98%", 6, {"likely": "确定能", "progress": "97.5%"}, ("黄", "progress")),  # a rate: not pro rata
    ("≥98%", 6, {"likely": "确定能", "progress": "98%"}, ("绿", "likely")),
    ("360人", 6, {"likely": "有可能", "progress": "300人"}, ("黄", "likely")),
    ("360人", 6, {"likely": "完全不可能"}, ("红", "likely")),
    ("360人", 6, {"likely": "确定能", "forecast": "359人"}, ("红", "forecast")),  # the forecast misses
    ("≤5次", 6, {"likely": "确定能", "progress": "6次"}, ("红", "progress")),  # a limit already passed
    ("≤5次", 6, {"likely": "确定能", "progress": "5次", "forecast": "5次"}, ("绿", "likely")),
    ("360人", 6, {"likely": "确定能", "progress": "180个"}, ("绿", "likely")),  # another unit: not judged by number
    ("按时完成", 6, {"likely": "确定能", "progress": "未完成"}, ("绿", "likely")),  # 定性: the unit's word
    ("360人", 6, {"progress": "10人"}, ("黄", "progress")),  # no 完成目标可能性: the numbers still judge
    ("360人", 6, {"progress": "200人"}, (None, "likely")),  # but green needs 确定能 (the schema reports the blank)
])
def test_each_indicator_gets_green_yellow_or_red_by_the_rule(target, month, parts, expected):
    assert status_of(target, month, **parts) == expected


def test_collect_lists_red_and_yellow_at_their_cells_and_the_master_has_the_status_column(tmp_path):
    form = made_up()
    form["indicators"][0].update(forecast="300人")  # 360人: red
    form["indicators"][1].update(likely="有可能", reason="人员保障")  # yellow
    paths = write_monitoring([form], tmp_path / "in")
    collection = collect_to_master([tmp_path / "in"], tmp_path / "监控汇总.xlsx")
    found = [(i.code, i.cell) for i in collection.issues if i.code.startswith("MON")]
    assert found == [("MON-001", LAYOUT.indicator_cell("forecast", LAYOUT.first_indicator_row)),
                     ("MON-002", LAYOUT.indicator_cell("likely", LAYOUT.first_indicator_row + 1))]
    rows = CalamineWorkbook.from_path(str(tmp_path / "监控汇总.xlsx")).get_sheet_by_name("绩效指标明细").to_python()
    status = rows[0].index("监控状态")
    assert [row[status] for row in rows[1:]] == ["红", "黄"] + ["绿"] * (len(form["indicators"]) - 2)
    assert rows[0][status - 5:status] == ["1–N月实际完成值", "全年预计完成值", "偏差原因", "完成目标可能性", "备注"]
    projects = CalamineWorkbook.from_path(str(tmp_path / "监控汇总.xlsx")).get_sheet_by_name("项目汇总").to_python()
    shown = dict(zip(projects[0], projects[1]))
    assert shown["1–N月执行率（%）"] == round(180.5 / 374.9447 * 100, 2)  # 48.14
    assert (shown["红色指标数"], shown["黄色指标数"], shown["绿色指标数"]) == (1, 1, len(form["indicators"]) - 2)
    assert paths


def test_a_monitoring_table_is_not_reviewed_as_a_target_table(tmp_path):
    [path] = write_monitoring([made_up()], tmp_path)
    codes = {i.code for i in check_file(path).issues}
    assert not {code for code in codes if code[:4] in ("FUND", "DATE", "FRAM", "COVE", "TEXT", "TARG")}
    assert codes == set()


def test_the_pre_fill_copies_targets_goal_and_budget_and_nothing_else():
    target = load_example("01")
    form = prefill_monitoring(target, 6)
    assert form["month"] == 6 and form["funding"] == {"budget_full": target["funding"]["annual_total"]}
    assert form["goals"] == {"expected": target["goals"]["annual"]}
    assert [{k: i[k] for k in ("level1", "level2", "name", "target")} for i in target["indicators"]] == form["indicators"]
    with pytest.raises(ValueError):
        prefill_monitoring(target, 13)
    assert copy.deepcopy(form) == prefill_monitoring(target, 6)


def test_templates_from_the_workbooks_equal_templates_from_the_jsonl(tmp_path):
    from perfxl.api import fill_forms

    fill_forms(example_paths(), tmp_path / "targets", by_unit=True)
    a = make_monitoring_templates(jsonl(tmp_path), tmp_path / "a", 6)
    b = make_monitoring_templates(tmp_path / "targets", tmp_path / "b", 6)
    by_name = {p.name: p.read_bytes() for p in b}
    assert sorted(by_name) == sorted(p.name for p in a) and all(p.read_bytes() == by_name[p.name] for p in a)


def test_an_edited_monitoring_table_finds_its_month_by_its_label_and_reads_back_alike(tmp_path):
    """A row inserted above moves the month's cell too: the month is then found by its label
    (监控期间), the headers' places filled from it, and the form read as the unedited one."""
    from test_tamper import insert_rows

    [path] = write_monitoring([made_up(9)], tmp_path)
    plain = read_workbook(path).forms[0]
    book = openpyxl.load_workbook(path, data_only=True)
    insert_rows(book.worksheets[0], 3, 1)
    insert_rows(book.worksheets[0], LAYOUT.header_row + 2, 1)
    book.save(tmp_path / "edited.xlsx")
    result = read_workbook(tmp_path / "edited.xlsx")
    [record] = result.forms
    assert record.form == plain.form == made_up(9)
    assert record.outputs == plain.outputs
    assert [i.code for i in result.all_issues] == ["LAYOUT-003"]


def test_libreoffice_recalculates_every_rate_to_perfxls(tmp_path, soffice):
    """Monitoring workbooks of every example written WITHOUT the cached 执行率: the rate LibreOffice
    saves is its own recalculation of the layout's formula and must equal perfxl's Decimal one;
    its month headers come back as written."""
    from decimal import Decimal

    from test_self_eval import recalculated

    from perfxl.api import monitoring_outputs
    from perfxl.collect.rounds import self_eval_sheets
    from perfxl.form.values import canonical_decimal
    from perfxl.write.workbook import FormSheet, write_workbook

    forms = []
    for number, path in enumerate(example_paths()):
        form = prefill_monitoring(load_example(path.stem), 1 + number % 12)
        form["funding"].update(budget_full=form["funding"].get("budget_full", "100"),
                               executed=canonical_decimal((Decimal(number * 7 + 1) / 3).quantize(Decimal("0.0001"))))
        forms.append(form)
    blank = tmp_path / "blank"
    blank.mkdir()
    files = []
    for number, form in enumerate(forms):
        [sheet] = self_eval_sheets([form], layout=LAYOUT)
        files.append(blank / f"f{number}.xlsx")
        write_workbook(files[-1], [FormSheet(sheet.name, sheet.layout, form, sheet.form_id, None,
                                             {key: None for key in sheet.outputs}, sheet.params)])
    for form, path in zip(forms, recalculated(soffice, tmp_path, files)):
        [record] = read_workbook(path).forms
        assert record.form == form  # the headers' month was found: every label in place
        want = monitoring_outputs(form, LAYOUT)["funding/rate"]
        assert want is not None and Decimal(format(record.outputs["funding/rate"], ".15g")) == want


def test_the_made_up_progress_of_every_example_is_valid_and_judged_by_its_numbers(tmp_path):
    """illustrative_monitoring (the demo's made-up progress, NOT real data): every example's table
    passes its schema; the numbers, not only 完成目标可能性, make some indicators yellow (behind the
    pace) and some red (a ceiling forecast exceeded)."""
    forms = [illustrative_monitoring(prefill_monitoring(load_example(p.stem), 6), n)
             for n, p in enumerate(example_paths())]
    paths = write_monitoring(forms, tmp_path)
    issues = [issue for path in paths for issue in check_file(path).issues]
    assert not [i for i in issues if i.severity == "错误"]
    statuses = [s for form in forms for s in indicator_statuses(form, LAYOUT)]
    assert all(s.status is not None for s in statuses)
    assert any(s.status == "黄" and s.pointer.endswith("/progress") for s in statuses)
    assert {s.status for s in statuses} == {"红", "黄", "绿"}
    assert all("非真实数据" in form["goals"]["progress"] for form in forms)


# --- validate --from: the pre-filled targets compared (MON-003) -----------------------------------
def test_validate_from_reports_every_changed_prefilled_target_at_its_cell(tmp_path):
    source = jsonl(tmp_path)
    form = made_up()
    changed = copy.deepcopy(form)
    changed["indicators"][0]["target"] = "300人"  # the target lowered by the unit
    changed["indicators"][2]["name"] = "改过的指标"
    changed["goals"]["expected"] = "改过的年度目标"
    changed["funding"]["budget_full"] = "400"  # a budget adjusted during the year: the unit's to correct
    [kept] = write_monitoring([form], tmp_path / "kept")
    [path] = write_monitoring([changed], tmp_path / "changed")
    assert "MON-003" not in {i.code for i in check_file(path).issues}  # without --from nothing to compare with
    settings = with_prefilled(Settings(), source)
    assert not [i for i in check_file(kept, settings=settings).issues if i.code == "MON-003"]
    found = {(i.cell, i.severity) for i in check_file(path, settings=settings).issues if i.code == "MON-003"}
    first = LAYOUT.first_indicator_row
    assert found == {(LAYOUT.indicator_cell("target", first), "错误"), (LAYOUT.indicator_cell("name", first + 2), "错误"),
                     (LAYOUT.slot_by_path["goals.expected"].area.ref, "错误")}
    # the month is the template's: a table as of September is compared alike
    september = made_up(9)
    september["indicators"][1]["target"] = "1人"
    [path] = write_monitoring([september], tmp_path / "september")
    cells = [i.cell for i in check_file(path, settings=settings).issues if i.code == "MON-003"]
    assert cells == [LAYOUT.indicator_cell("target", first + 1)]


def test_the_cli_validate_from_takes_monitoring_tables(tmp_path):
    source = jsonl(tmp_path)
    runner = CliRunner()
    out = tmp_path / "监控下发"
    assert runner.invoke(app, ["template", "--kind", "monitoring", "--month", "6", "--from", str(source),
                               "--out", str(out)]).exit_code == 0
    checked = runner.invoke(app, ["validate", str(out), "--from", str(source), "--json"])
    codes = {issue["code"] for issue in json.loads(checked.stdout)}
    assert "MON-003" not in codes and codes  # blank templates: required inputs missing, targets unchanged
    forms = [record.form for p in sorted(out.glob("*.xlsx")) for record in read_workbook(p).forms]
    forms[0]["indicators"][0]["target"] = "0人"
    write_monitoring(forms, tmp_path / "回收")
    checked = runner.invoke(app, ["validate", str(tmp_path / "回收"), "--from", str(source), "--json"])
    changed = [issue for issue in json.loads(checked.stdout) if issue["code"] == "MON-003"]
    assert checked.exit_code == 1 and len(changed) == 1 and "0人" in changed[0]["message"]


# --- the traffic light's numbers are settings ([monitoring] of perfxl.toml) -----------------------
def status_with(config, target: str, month: int = 6, **parts) -> str | None:
    form = {"month": month, "indicators": [{"level1": "产出指标", "level2": "数量指标", "name": "x", "target": target,
                                            "likely": "确定能", **parts}]}
    [status] = indicator_statuses(form, LAYOUT, config)
    return status.status


@pytest.mark.parametrize("setting, target, parts, default, changed", [
    ({"behind": 10}, "360人", {"progress": "170人"}, "黄", "绿"),  # 170 < 180, but ≥ 90 % of it
    ({"behind": 10}, "360人", {"progress": "161人"}, "黄", "黄"),  # below 162 all the same
    ({"behind": 5}, "≥98%", {"progress": "95%"}, "黄", "绿"),  # a rate: 5 % below the target itself
    ({"schedule": [5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100]}, "360人", {"progress": "150人"}, "黄", "绿"),
    ({"schedule": [10, 20, 30, 40, 50, 70, 75, 80, 85, 90, 95, 100]}, "360人", {"progress": "200人"}, "绿", "黄"),
    ({"miss": 5}, "360人", {"forecast": "350人"}, "红", "绿"),  # within 5 % of the target
    ({"miss": 5}, "360人", {"forecast": "340人"}, "红", "红"),
    ({"miss": 20}, "≤5次", {"progress": "6次"}, "红", "绿"),  # a ceiling may be passed by 20 %
])
def test_a_changed_setting_changes_the_colour(setting, target, parts, default, changed):
    assert status_with(DEFAULT_MONITORING, target, **parts) == default
    assert status_with(monitoring_config(setting), target, **parts) == changed


def test_perfxl_toml_monitoring_reaches_validate_and_the_master(tmp_path):
    form = made_up()
    form["indicators"][0].update(progress="170人", forecast="360人")  # 360人 by June: 180 on pace
    write_monitoring([form], tmp_path / "in")
    toml = tmp_path / "perfxl.toml"
    toml.write_text("[monitoring]\nbehind = 10\n", encoding="utf-8")
    runner = CliRunner()

    def first_status(*options) -> tuple[str, set]:
        out = tmp_path / f"m{len(options)}.xlsx"
        assert runner.invoke(app, ["collect", str(tmp_path / "in"), "--out", str(out), "--quiet", *options]).exit_code == 0
        rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("绩效指标明细").to_python()
        checked = runner.invoke(app, ["validate", str(tmp_path / "in"), "--json", *options])
        return rows[1][rows[0].index("监控状态")], {issue["code"] for issue in json.loads(checked.stdout)}

    assert first_status() == ("黄", {"MON-002"})
    assert first_status("--rules", str(toml)) == ("绿", set())


@pytest.mark.parametrize("given, words", [
    ({"schedule": [50, 100]}, "12 个百分比"),
    ({"schedule": [10, 20, 30, 40, 50, 45, 70, 80, 90, 95, 100, 100]}, "逐月不减"),
    ({"behind": 100}, "小于 100"),
    ({"miss": -1}, "不小于 0"),
    ({"pace": 1}, "未知的项"),
])
def test_a_bad_monitoring_setting_is_refused_with_its_reason(given, words):
    with pytest.raises(ValueError, match=words):
        monitoring_config(given)


def test_the_documented_defaults_parse_back_to_the_defaults():
    import tomllib

    from perfxl.docs import monitoring_toml
    assert monitoring_config(tomllib.loads(monitoring_toml(DEFAULT_MONITORING))["monitoring"]) == DEFAULT_MONITORING


@pytest.mark.parametrize("month", ["六月", 13, None, 6.5])
def test_a_garbled_month_is_one_error_at_its_cell_and_the_table_is_read_by_its_printed_headers(tmp_path, month):
    """The month cell overwritten (text, 13, emptied, a fraction): the headers still print 1–6月,
    so the sheet is read by them; the month is the one error, at its cell, never a cascade of
    unread cells nor a message that shows a raw place ({month})."""
    [path] = write_monitoring([made_up(6)], tmp_path)
    plain = read_workbook(path).forms[0]
    book = openpyxl.load_workbook(path)
    ref = LAYOUT.slot_by_path["month"].area.ref
    book.worksheets[0][ref] = month
    book.save(tmp_path / "garbled.xlsx")
    result = read_workbook(tmp_path / "garbled.xlsx")
    [record] = result.forms
    found = check_file(tmp_path / "garbled.xlsx").issues
    assert [i.cell for i in found] == [ref], [(i.code, i.cell, i.message) for i in found]
    assert not any("{" in i.message for i in found)
    assert {k: v for k, v in record.form.items() if k != "month"} == \
        {k: v for k, v in plain.form.items() if k != "month"}


def test_a_mixed_inbox_collects_one_kind_and_lists_the_others_in_chinese(tmp_path):
    """Monitoring tables of every example and the self-evaluations of one unit in one inbox: the
    master is of one kind (the one with the most forms), never sums one kind's 全年预算数 with
    another's nor shows a 全年执行数 under 1–N月执行数; each form left out is a warning at its
    sheet, its file listed as not collected, saying why."""
    from perfxl.api import write_self_evaluations
    from perfxl.form.selfeval import prefill_self_evaluation

    inbox = tmp_path / "inbox"
    monitoring = [prefill_monitoring(load_example(p.stem), 6) for p in example_paths()]
    write_monitoring(monitoring, inbox / "监控")
    units = sorted({form["implementing_unit"] for form in monitoring})
    one_unit = [prefill_self_evaluation(load_example(p.stem)) for p in example_paths()]
    one_unit = [form for form in one_unit if form["implementing_unit"] == units[0]]
    [self_eval] = write_self_evaluations(one_unit, inbox / "自评")
    alone = collect_to_master([inbox / "监控"], tmp_path / "alone.xlsx")
    mixed = collect_to_master([inbox], tmp_path / "mixed.xlsx")
    assert len(mixed.forms) == len(alone.forms) == len(monitoring)
    assert {get_layout(item.form.variant).kind for item in mixed.forms} == {"monitoring"}
    left_out = [i for chunk in mixed.problem_chunks if isinstance(chunk, list) for i in chunk
                if i.code == "COLLECT-006"]
    assert len(left_out) == len(one_unit) and {i.file for i in left_out} == {str(self_eval)}
    assert all("项目支出绩效自评表" in i.message and "绩效运行监控表" in i.message for i in left_out)
    [entry] = [entry for entry in mixed.files if entry.path == str(self_eval)]
    assert entry.status == "已忽略" and "项目支出绩效自评表" in entry.note
    units_sheet = openpyxl.load_workbook(tmp_path / "mixed.xlsx")["单位汇总"]
    alone_sheet = openpyxl.load_workbook(tmp_path / "alone.xlsx")["单位汇总"]
    assert [[c.value for c in row] for row in units_sheet.iter_rows()] == \
        [[c.value for c in row] for row in alone_sheet.iter_rows()]
