"""Issue 12: the collection round as the finance office lives it.

Who has not returned (``collect --roster``, 报送情况), a 单位汇总 the 镇 can trust (one row per unit,
each 小计 under its group, nothing silently left out), resubmissions decided by the time the
workbook records rather than the file time, and perfxl's own outputs in the inbox never read as
forms.  Driven through ``perfxl.api`` and the CLI; workbooks are perfxl's own or edited as units
and their programs edit them (openpyxl, or docProps rewritten as Excel writes them).
"""

from __future__ import annotations

import copy
import csv
import json
import os
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLES, load_example
from typer.testing import CliRunner

from perfxl.api import collect_to_master, fill_forms, make_roster_templates, read_workbook
from perfxl.cli import app
from perfxl.collect.consolidate import collect
from perfxl.form.identity import form_id_for
from perfxl.form.layout import get_layout
from perfxl.write.workbook import FIXED_TIMESTAMP, FormSheet, write_workbook

LAYOUT = get_layout("pujiang-2023")
UNIT_A = "闵行区浦江镇平安建设办公室"  # examples 01-11
UNIT_B = "浦江镇社区党群服务中心"  # 12-16
UNIT_C = "浦江镇信访办"  # 17, 18
CLEAN = ("03", "04", "12", "17")  # no review findings (README, worked example)


# --- helpers -----------------------------------------------------------------------------------
def rows(master: Path, sheet: str) -> list[list]:
    book = openpyxl.load_workbook(master)
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def table(master: Path, sheet: str) -> list[dict]:
    header, *body = rows(master, sheet)
    return [dict(zip(header, row)) for row in body]


def files(master: Path) -> dict[str, dict]:
    return {Path(row["路径"]).name: row for row in table(master, "文件清单")}


def problems(master: Path) -> list[dict]:
    return table(master, "问题清单")


def workbook(path: Path, forms: list[dict]) -> Path:
    write_workbook(path, [FormSheet(f["project_name"], LAYOUT, f, form_id_for(LAYOUT, f)) for f in forms])
    return path


def saved_at(path: Path, when: str) -> Path:
    """The workbook as if saved by Excel at ``when``: its docProps/core.xml dcterms:modified set."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w") as target:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data, count = re.subn(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when.encode(), data)
                assert count == 1
            target.writestr(info, data)
    return path


def file_time(path: Path, seconds: float) -> None:
    os.utime(path, (seconds, seconds))


def write_roster(path: Path, numbers, department: str | None = None, **amounts) -> Path:
    """A roster CSV of the example forms ``numbers`` (amounts overridden by project name, and
    every 主管部门 by ``department``)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["主管部门", "实施单位", "年度", "项目名称", "项目类别", "项目资金总额"])
        for number in numbers:
            form = load_example(number)
            total = amounts.get(form["project_name"], form["funding"]["total"])
            writer.writerow([department or form["department"], form["implementing_unit"], form["year"],
                             form["project_name"], form["project_category"], total])
    return path


def run(*args):
    return CliRunner().invoke(app, ["collect", *map(str, args), "--workers", "1"])


# --- 2. who has not returned -----------------------------------------------------------------
@pytest.fixture()
def returned(tmp_path):
    """Four clean forms of three units, returned one workbook per unit, and their roster."""
    inbox = tmp_path / "回收"
    fill_forms([EXAMPLES / f"{n}.json" for n in CLEAN], inbox, by_unit=True)
    return inbox, write_roster(tmp_path / "名单.csv", CLEAN)


def test_a_complete_round_is_said_to_be_complete(returned, tmp_path):
    inbox, roster = returned
    master = tmp_path / "汇总.xlsx"
    result = run(inbox, "--roster", roster, "--out", master)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("报送齐全：名单中 3 个单位的 4 个项目都已收到。")
    book = openpyxl.load_workbook(master)
    assert book.sheetnames[0] == "报送情况"
    units = table(master, "报送情况")[:3]
    assert {u["实施单位"]: (u["报送状态"], u["应交项目数"], u["已交项目数"], u["未交项目数"]) for u in units} == {
        UNIT_A: ("齐全", 2, 2, 0), UNIT_B: ("齐全", 1, 1, 0), UNIT_C: ("齐全", 1, 1, 0)}


def test_a_unit_that_sent_nothing_is_named_first_and_the_run_fails(returned, tmp_path):
    inbox, roster = returned
    (inbox / f"{UNIT_C}.xlsx").unlink()
    master = tmp_path / "汇总.xlsx"
    result = run(inbox, "--roster", roster, "--out", master)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[0] == f"未交的单位 1 个：{UNIT_C}。"
    first = table(master, "报送情况")[0]
    assert (first["实施单位"], first["报送状态"], first["未交项目"]) == (UNIT_C, "未交", "劝导队经费")
    [missing] = [p for p in problems(master) if p["代码"] == "ROSTER-001"]
    assert missing["级别"] == "错误" and UNIT_C in missing["说明"] and "劝导队经费" in missing["说明"]


def test_a_missing_project_of_a_unit_that_sent_others_is_an_error_with_its_roster_row(returned, tmp_path):
    inbox, roster = returned
    with roster.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["上海市闵行区浦江镇人民政府", UNIT_A, 2023, "新增项目", "经常性项目", "10"])
    master = tmp_path / "汇总.xlsx"
    result = run(inbox, "--roster", roster, "--out", master)
    assert result.exit_code == 1
    assert f"{UNIT_A} 未交 1 个项目：新增项目。" in result.output
    [missing] = [p for p in problems(master) if p["代码"] == "ROSTER-002"]
    assert missing["值"] == "新增项目" and "名单第 6 行" in missing["说明"]
    unit = next(u for u in table(master, "报送情况") if u["实施单位"] == UNIT_A)
    assert (unit["报送状态"], unit["已交项目数"], unit["未交项目"]) == ("部分未交", 2, "新增项目")


def test_amounts_beside_the_rosters_and_projects_it_does_not_know(returned, tmp_path):
    inbox, _ = returned
    roster = write_roster(tmp_path / "r.csv", CLEAN, **{"“两个实有”全覆盖“2+1”工作模式奖励费": "40"})
    fill_forms([EXAMPLES / "05.json"], inbox)  # 下发基层书报费: not on this roster
    master = tmp_path / "汇总.xlsx"
    collect_to_master([inbox], master, roster=roster)
    found = problems(master)
    [differs] = [p for p in found if p["代码"] == "ROSTER-004"]
    assert (differs["工作表"], differs["单元格"], differs["值"]) == ("“两个实有”全覆盖“2+1”工作模式奖励费", "C6", "41")
    assert "名单第 2 行为 40 万元" in differs["说明"]
    [unknown] = [p for p in found if p["代码"] == "ROSTER-003"]
    assert unknown["值"] == "下发基层书报费" and unknown["级别"] == "警告"
    header, *body = rows(master, "报送情况")
    start = next(i for i, row in enumerate(body) if row[0] == "实施单位")  # the project block's header
    projects = [dict(zip(body[start], row)) for row in body[start + 1:]]
    by_name = {p["项目名称"]: p for p in projects}
    project = by_name["“两个实有”全覆盖“2+1”工作模式奖励费"]
    assert (project["项目资金总额（名单，万元）"], project["项目资金总额（报送，万元）"]) == (40, 41)
    assert project["金额核对"] == "不同：项目资金总额"
    assert by_name["浦江镇实有人口信息采集租赁服务经费"]["金额核对"] == "一致"
    assert by_name["下发基层书报费"]["状态"] == "名单外"
    unit = next(dict(zip(header, row)) for row in body if row[1] == UNIT_A)
    assert (unit["名单外项目数"], unit["名单外项目"]) == (1, "下发基层书报费")


def test_the_manifest_beside_the_templates_serves_as_the_roster(returned, tmp_path):
    inbox, roster = returned
    make_roster_templates(roster, tmp_path / "下发模板")
    manifest = tmp_path / "下发模板" / "名单.json"
    again = tmp_path / "again"
    make_roster_templates(roster, again, workers=2)
    assert manifest.read_bytes() == (again / "名单.json").read_bytes()  # same roster, same bytes
    (inbox / f"{UNIT_B}.xlsx").unlink()
    by_csv, by_manifest = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    collect_to_master([inbox], by_csv, roster=roster)
    collect_to_master([inbox], by_manifest, roster=manifest)
    strip = lambda rs: [r for r in rs if not str(r[0]).startswith("名单“")]  # the note names the file
    assert strip(rows(by_manifest, "报送情况")) == strip(rows(by_csv, "报送情况"))
    assert table(by_manifest, "报送情况")[0]["报送状态"] == "未交"


def test_a_broken_manifest_is_refused_before_anything_is_read(returned, tmp_path):
    inbox, _ = returned
    bad = tmp_path / "名单.json"
    bad.write_text(json.dumps({"perfxl": "名单", "variant": "pujiang-2023",
                               "projects": [{"row": 2, "form": {"implementing_unit": "甲"}}]}, ensure_ascii=False),
                   encoding="utf-8")
    result = run(inbox, "--roster", bad, "--out", tmp_path / "m.xlsx")
    assert result.exit_code == 2 and "“项目名称”不能为空" in result.output
    assert not (tmp_path / "m.xlsx").exists()


def test_without_a_roster_the_summary_says_completeness_is_unknown(returned, tmp_path):
    inbox, _ = returned
    result = run(inbox, "--out", tmp_path / "m.xlsx")
    assert result.stdout.splitlines()[0] == "未提供名单（--roster），无法核对是否所有单位都已报送。"
    assert json.loads(run(inbox, "--out", tmp_path / "m.xlsx", "--json").stdout)["roster"] is None
    assert "报送情况" not in openpyxl.load_workbook(tmp_path / "m.xlsx").sheetnames


def test_the_roster_lying_in_the_inbox_is_not_a_form(returned, tmp_path):
    inbox, roster = returned
    inside = shutil.copy(roster, inbox / "名单.csv")
    master = tmp_path / "m.xlsx"
    result = run(inbox, "--roster", inside, "--out", master)
    assert result.exit_code == 0, result.output
    assert files(master)["名单.csv"]["状态"] == "已忽略"


# --- 3. a summary the 镇 can trust ---------------------------------------------------------------
def test_each_unit_once_under_one_department_with_its_subtotal_right_below(tmp_path):
    fill_forms(sorted(EXAMPLES.glob("*.json")), tmp_path / "in", by_unit=True)
    master = tmp_path / "m.xlsx"
    collect_to_master([tmp_path / "in"], master)
    shown = [(row["主管部门"], row["实施单位"]) for row in table(master, "单位汇总")]
    # 平安办's forms say 上海市闵行区浦江镇人民政府 7 times and 闵行区浦江镇人民政府 4 times
    assert shown == [("上海市闵行区浦江镇人民政府", UNIT_A), ("上海市闵行区浦江镇人民政府", "小计"),
                     ("浦江镇人民政府", UNIT_C), ("浦江镇人民政府", UNIT_B), ("浦江镇人民政府", "小计"), ("合计", None)]
    [spelling] = [p for p in problems(master) if p["代码"] == "COLLECT-004"]
    assert spelling["值"] == UNIT_A and "“闵行区浦江镇人民政府”（4 张）" in spelling["说明"]
    # the chart: one bar per unit, its data the unit rows' (in hidden columns)
    with zipfile.ZipFile(master) as z:
        chart = z.read("xl/charts/chart1.xml").decode("utf-8")
    categories, values = re.findall(r"<c:f>'?单位汇总'?!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)</c:f>", chart)
    assert "<c:plotVisOnly" not in chart  # absent: hidden cells are plotted (Excel's default is visible only)
    sheet = openpyxl.load_workbook(master)["单位汇总"]
    column, first, last = categories
    assert sheet.column_dimensions[column].hidden
    bars = [sheet[f"{column}{r}"].value for r in range(int(first), int(last) + 1)]
    amounts = [sheet[f"{values[0]}{r}"].value for r in range(int(first), int(last) + 1)]
    units = {row["实施单位"]: row["项目资金总额（万元）"] for row in table(master, "单位汇总")}
    assert bars == [UNIT_A, UNIT_C, UNIT_B] and amounts == [units[u] for u in bars]


def test_the_rosters_department_wins(tmp_path):
    fill_forms([EXAMPLES / f"{n}.json" for n in ("01", "08", "12")], tmp_path / "in", by_unit=True)
    master = tmp_path / "m.xlsx"
    collect_to_master([tmp_path / "in"], master)
    assert {row["主管部门"] for row in table(master, "单位汇总")} == {"闵行区浦江镇人民政府", "浦江镇人民政府", "合计"}
    # 01 and 08 say 闵行区浦江镇人民政府, 12 浦江镇人民政府: the roster puts both units under its own
    roster = write_roster(tmp_path / "r.csv", ("01", "08", "12"), department="上海市闵行区浦江镇人民政府")
    collect_to_master([tmp_path / "in"], master, roster=roster)
    shown = [(row["主管部门"], row["实施单位"]) for row in table(master, "单位汇总")]
    assert shown == [("上海市闵行区浦江镇人民政府", UNIT_B), ("上海市闵行区浦江镇人民政府", UNIT_A),
                     ("上海市闵行区浦江镇人民政府", "小计"), ("合计", None)]
    spellings = {p["值"]: p["说明"] for p in problems(master) if p["代码"] == "COLLECT-004"}
    assert "按名单归入“上海市闵行区浦江镇人民政府”" in spellings[UNIT_A] and "“闵行区浦江镇人民政府”（2 张）" in spellings[UNIT_A]


def test_every_total_says_what_it_left_out_and_whether_it_adds_up(tmp_path):
    inbox = tmp_path / "in"
    [path] = fill_forms([EXAMPLES / "17.json"], tmp_path / "made")
    book = openpyxl.load_workbook(path)
    book["劝导队经费"]["C6"] = "很多"  # 项目资金总额: invalid, never summed
    inbox.mkdir()
    book.save(inbox / "17.xlsx")
    fill_forms([EXAMPLES / "18.json"], inbox)
    master = tmp_path / "m.xlsx"
    collect_to_master([inbox], master)
    summed = table(master, "单位汇总")
    assert [row["实施单位"] for row in summed] == [UNIT_C, "小计", None]
    for row in summed:  # the unit, its 小计 and the 合计 all say so
        assert row["项目资金总额（万元）"] == pytest.approx(73.04)
        assert row["未计入"] == "1 个金额无效未计入（项目资金总额 1）"
        assert row["核对"] == "项目资金总额 73.04 ≠ 财政资金 + 其他资金 77.0744"
    [finding] = [p for p in problems(master) if p["代码"] == "COLLECT-005"]
    assert finding["值"] == UNIT_C and "有 1 个金额无效未计入" in finding["说明"]


def test_a_balanced_total_says_so(returned, tmp_path):
    inbox, _ = returned
    master = tmp_path / "m.xlsx"
    collect_to_master([inbox], master)
    assert {(row["未计入"], row["核对"]) for row in table(master, "单位汇总")} == {("无", "一致")}
    assert not [p for p in problems(master) if p["代码"] == "COLLECT-005"]


# --- 4. resubmissions by evidence -------------------------------------------------------------
@pytest.fixture()
def resubmitted(tmp_path):
    """终稿 and the corrected 终稿(1), both saved in Excel (the corrected one a day later), then
    copied into the inbox: the copy gave the old one the newer file time."""
    old = load_example("03")
    new = copy.deepcopy(old)
    new["project_category"] = "一次性项目"
    new["goals"]["annual"] = old["goals"]["annual"] + "（修订）"
    inbox = tmp_path / "回收3"
    inbox.mkdir()
    first = saved_at(workbook(inbox / "终稿.xlsx", [old]), "2024-03-01T08:00:00Z")
    second = saved_at(workbook(inbox / "终稿(1).xlsx", [new]), "2024-03-02T09:30:00Z")
    file_time(second, 1_700_000_000)
    file_time(first, 1_700_000_100)
    return inbox, old, new


def test_the_time_the_workbook_records_decides_not_the_file_time(resubmitted):
    inbox, old, new = resubmitted
    collection = collect([inbox])
    [chosen] = collection.forms
    assert chosen.record.form == new and chosen.file.path.endswith("终稿(1).xlsx")
    entries = {Path(e.path).name: e for e in collection.files}
    assert entries["终稿.xlsx"].status == "冲突"
    assert "按工作簿记录的保存时间（2024-03-02 09:30:00 UTC 晚于 2024-03-01 08:00:00 UTC）采用了后者" in entries["终稿.xlsx"].note
    assert "取代了" in entries["终稿(1).xlsx"].note and "保存时间" in entries["终稿(1).xlsx"].note
    differ = [i for i in collection.issues if i.code == "COLLECT-003"]
    assert {(i.file.endswith("终稿.xlsx"), i.cell, i.field, i.value) for i in differ} == {
        (True, "E3", "项目类别", "经常性项目 → 一次性项目"),
        (True, "D11", "年度总体目标", f"{old['goals']['annual']} → {new['goals']['annual']}")}


@pytest.mark.parametrize("prefer, evidence", [("mtime", "文件修改时间"), ("path", "路径排序")])
def test_an_office_may_prefer_its_own_rule(resubmitted, prefer, evidence):
    inbox, old, _ = resubmitted
    collection = collect([inbox], prefer=prefer)
    assert [item.record.form for item in collection.forms] == [old]
    note = next(e.note for e in collection.files if e.path.endswith("终稿(1).xlsx"))
    assert f"按{evidence}" in note


def test_without_a_recorded_save_time_the_file_time_decides(tmp_path):
    """perfxl's own workbooks carry a fixed stamp, not a save time: the file time decides, and
    文件清单 says the save times could not."""
    old, new = load_example("03"), dict(load_example("03"), project_category="一次性项目")
    inbox = tmp_path / "in"
    inbox.mkdir()
    first, second = workbook(inbox / "a.xlsx", [new]), workbook(inbox / "b.xlsx", [old])
    file_time(first, 1_700_000_100)
    file_time(second, 1_700_000_000)
    assert read_workbook(first).saved == ""
    collection = collect([inbox])
    assert [item.record.form for item in collection.forms] == [new]
    note = next(e.note for e in collection.files if e.path.endswith("b.xlsx"))
    assert "按文件修改时间" in note and "并非每个版本都记录了可比较的保存时间" in note


def test_the_recorded_save_time_is_read_in_utc(tmp_path):
    path = saved_at(workbook(tmp_path / "x.xlsx", [load_example("03")]), "2024-03-02T09:30:00+08:00")
    assert read_workbook(path).saved == "2024-03-02T01:30:00Z"
    assert FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ") == "2020-01-01T00:00:00Z"  # the stamp read as no time


def test_an_unknown_preference_is_a_usage_error(tmp_path):
    fill_forms([EXAMPLES / "03.json"], tmp_path / "in")
    result = run(tmp_path / "in", "--prefer", "newest", "--out", tmp_path / "m.xlsx")
    assert result.exit_code == 2 and "--prefer 应为 saved、mtime、path 之一" in result.output


# --- 5. perfxl's own outputs in the inbox --------------------------------------------------------
def test_last_rounds_outputs_in_the_inbox_are_listed_and_never_read(tmp_path):
    inbox = tmp_path / "in"
    fill_forms([EXAMPLES / "03.json", EXAMPLES / "17.json"], inbox)
    (inbox / "坏.xlsx").write_bytes(b"PK\x03\x04 not a workbook")  # refused: its unit gets a problem list
    out = tmp_path / "out"
    collect_to_master([inbox], out / "汇总.xlsx", jsonl=out / "forms.jsonl", csv_dir=out / "csv",
                      feedback_dir=out / "退回")
    make_roster_templates(write_roster(tmp_path / "r.csv", ("03", "17")), out / "下发模板")
    outputs = [out / "汇总.xlsx", out / "forms.jsonl", out / "csv" / "项目汇总.csv", out / "csv" / "绩效指标明细.csv",
               out / "退回" / "坏.问题清单.xlsx"]
    for output in outputs:
        shutil.copy(output, inbox)
    master = tmp_path / "m.xlsx"
    collection = collect_to_master([inbox, out / "下发模板" / "名单.json"], master)
    assert sorted(item.record.form["project_name"] for item in collection.forms) == ["“两个实有”全覆盖“2+1”工作模式奖励费", "劝导队经费"]
    listed = files(master)
    for name in [*(output.name for output in outputs), "名单.json"]:
        assert listed[name]["状态"] == "已忽略", name
        assert listed[name]["说明"].startswith("perfxl 输出（"), name
    assert listed["坏.xlsx"]["状态"] == "无法读取"
    assert sum(p["代码"] == "FILE-010" for p in problems(master)) == 6
    assert not [p for p in problems(master) if p["代码"] in ("FILE-002", "FILE-004")]


def test_a_csv_perfxl_did_not_write_is_still_not_a_form(tmp_path):
    inbox = tmp_path / "in"
    fill_forms([EXAMPLES / "03.json"], inbox)
    (inbox / "清单.csv").write_text("序号,项目名称,金额\n1,甲,2\n", encoding="utf-8")
    master = tmp_path / "m.xlsx"
    collect_to_master([inbox], master)
    assert files(master)["清单.csv"]["状态"] == "无法读取"


def test_a_marked_copy_fixed_by_the_unit_is_a_resubmission(tmp_path):
    inbox = tmp_path / "in"
    fill_forms([EXAMPLES / "02.json"], inbox)  # 社工点经费: 年度资金申请总额 left blank (FUND-004)
    collect_to_master([inbox], tmp_path / "m1.xlsx", feedback_dir=tmp_path / "退回")
    book = openpyxl.load_workbook(tmp_path / "退回" / "02.xlsx")
    book["社工点经费"]["E6"] = 435.5435  # the unit fills it in, saves and sends the marked copy back
    book.save(inbox / "02(改).xlsx")
    file_time(inbox / "02.xlsx", 1_700_000_000)
    master = tmp_path / "m2.xlsx"
    collection = collect_to_master([inbox], master)
    assert files(master)["02(改).xlsx"]["状态"] != "已忽略"
    [chosen] = collection.forms
    assert chosen.file.path.endswith("02(改).xlsx") and chosen.record.form["funding"]["annual_total"] == "435.5435"
    assert files(master)["02.xlsx"]["状态"] == "冲突"


# --- the demo shows it ---------------------------------------------------------------------------
def test_the_demo_collects_against_the_bundled_roster(tmp_path):
    result = CliRunner().invoke(app, ["demo", str(tmp_path / "demo")])
    assert result.exit_code == 0, result.output
    assert "报送齐全：名单中 3 个单位的 18 个项目都已收到。" in result.output
    master = tmp_path / "demo" / "汇总.xlsx"
    assert openpyxl.load_workbook(master).sheetnames[0] == "报送情况"
    units = table(master, "报送情况")[:3]
    assert sorted((u["实施单位"], u["报送状态"]) for u in units) == sorted(
        [(UNIT_A, "齐全"), (UNIT_B, "齐全"), (UNIT_C, "齐全")])
    summed = [(row["主管部门"], row["实施单位"]) for row in table(master, "单位汇总")]
    roster_department = "上海市闵行区浦江镇人民政府"
    assert summed == [(roster_department, UNIT_C), (roster_department, UNIT_B), (roster_department, UNIT_A),
                      (roster_department, "小计"), ("合计", None)]
    total = table(master, "单位汇总")[-1]["项目资金总额（万元）"]
    expected = sum(Decimal(json.loads(p.read_text(encoding="utf-8"))["funding"]["total"])
                   for p in EXAMPLES.glob("*.json"))
    assert Decimal(repr(total)) == expected


def test_the_demo_shows_the_whole_year_in_its_order(tmp_path):
    """Issue 14 item 5: targets → booklet → monitoring (June, made-up progress, its master with the
    traffic lights) → self-evaluation → its master, in that order on the console."""
    out = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    order = [next(i for i, line in enumerate(lines) if line.startswith(start))
             for start in ("汇总表：", "绩效目标表汇编：", "年中运行监控表", "监控汇总表：", "年终自评表", "自评汇总表：")]
    assert order == sorted(order)
    assert "虚构" in lines[order[2]] and "虚构" in lines[order[3]]
    assert len(list((out / "监控下发").glob("*.xlsx"))) == 3 and len(list((out / "监控填写").glob("*.xlsx"))) == 3
    # the pre-filled ones are blank where the unit reports; the filled ones carry progress
    for folder, filled in (("监控下发", False), ("监控填写", True)):
        forms = [record.form for path in sorted((out / folder).glob("*.xlsx")) for record in read_workbook(path).forms]
        assert len(forms) == 18 and {form["month"] for form in forms} == {6}
        assert all(("progress" in item) == filled for form in forms for item in form["indicators"])
    # the console's counts are the master's 监控状态 column, and every indicator has one
    master = out / "监控汇总.xlsx"
    states = [row["监控状态"] for row in table(master, "绩效指标明细")]
    assert None not in states and len(states) == sum(
        len(json.loads(p.read_text(encoding="utf-8"))["indicators"]) for p in EXAMPLES.glob("*.json"))
    shown = re.search(r"红色指标 (\d+) 个、黄色指标 (\d+) 个、绿色指标 (\d+) 个", lines[order[3]])
    assert shown and [int(n) for n in shown.groups()] == [states.count(c) for c in ("红", "黄", "绿")]
    assert all(states.count(c) for c in ("红", "黄", "绿"))  # the made-up set shows every colour
    reds = [p for p in problems(master) if p["代码"] == "MON-001"]
    assert len(reds) == states.count("红") and not [p for p in problems(master) if p["级别"] == "错误"]
