"""Bad and awkward input never costs the input, never overwrites an output, never ends in a traceback.

Outputs inside the input folder, GBK rosters, names that collide on disk, odd JSON shapes, output
paths of the wrong kind, malformed JSONL for ``template --from``, and exit codes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, load_example
from typer.testing import CliRunner

from perfxl.api import check_file, collect_to_master, fill_forms, make_roster_templates
from perfxl.cli import app
from perfxl.form.layout import get_layout
from perfxl.form.variant import variant_names
from perfxl.read.inputs import discover_inputs
from perfxl.read.roster import RosterError, read_roster
from perfxl.read.workbook import read_workbook
from perfxl.write.carryover import carry_forward, make_carryover_templates, read_jsonl
from perfxl.write.naming import unique_file_names

runner = CliRunner()
LAYOUT = get_layout("pujiang-2023")
ROSTER = ROOT / "examples" / "roster.csv"


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_usage_error(result, *texts):
    """Exit code 2 with a message, not an exception escaping the command."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    for text in texts:
        assert text in result.output


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def filled(folder: Path, *names: str) -> Path:
    fill_forms([EXAMPLES / f"{name}.json" for name in names], folder)
    return folder


def write_json(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- 1. outputs inside the input folder --------------------------------------------------
def test_feedback_folder_on_the_input_folder_is_refused_and_inputs_untouched(tmp_path):
    inbox = filled(tmp_path / "ow", "02", "06")
    before = digests(inbox)
    result = run("collect", inbox, "--out", tmp_path / "ow.xlsx", "--feedback", inbox, "-q")
    assert_usage_error(result, "退回件文件夹")
    assert digests(inbox) == before


def test_an_input_file_named_as_the_master_is_refused(tmp_path):
    inbox = filled(tmp_path / "in", "01")
    before = digests(inbox)
    with pytest.raises(ValueError, match="汇总表"):
        collect_to_master([inbox / "01.xlsx"], inbox / "01.xlsx")
    assert digests(inbox) == before


def test_discovery_lists_what_it_does_not_read(tmp_path):
    for name in ("b.xlsx", "a.xlsx", "sub/c.xls", ".hidden.xlsx", "~$a.xlsx", "forms.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = discover_inputs([tmp_path])
    assert [Path(p).relative_to(tmp_path).as_posix() for p in found.files] == ["a.xlsx", "b.xlsx", "sub/c.xls"]
    assert [Path(s.path).name for s in found.skipped] == ["forms.json"]  # hidden and lock files: not even listed
    assert "--json-inputs" in found.skipped[0].reason
    assert [Path(p).name for p in discover_inputs([tmp_path], json_in_folders=True).files] == [
        "a.xlsx", "b.xlsx", "forms.json", "c.xls"]
    assert [Path(p).name for p in discover_inputs([tmp_path / "forms.json"]).files] == ["forms.json"]  # named: read


def test_feedback_never_writes_through_onto_an_input(tmp_path):
    inbox = filled(tmp_path / "in", "02")
    feedback = tmp_path / "fb"
    feedback.mkdir()
    (feedback / "02.xlsx").symlink_to(inbox / "02.xlsx")
    before = digests(inbox)
    with pytest.raises(ValueError, match="覆盖输入文件"):
        collect_to_master([inbox], tmp_path / "m.xlsx", feedback_dir=feedback)
    assert digests(inbox) == before


# --- 2. rosters --------------------------------------------------------------------------
def test_gbk_roster_from_excel_is_read(tmp_path):
    roster = tmp_path / "gbk.csv"
    roster.write_bytes("实施单位,项目名称,年度\n浦江镇信访办,信访代理员经费,2024\n".encode("gbk"))
    [entry] = read_roster(roster, LAYOUT)
    assert entry.form == {"implementing_unit": "浦江镇信访办", "project_name": "信访代理员经费", "year": 2024}
    result = run("template", "--roster", roster, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "浦江镇信访办.xlsx").is_file()


def test_roster_in_an_unknown_encoding_is_a_roster_error(tmp_path):
    roster = tmp_path / "bad.csv"
    roster.write_bytes(b"\xff\xfe\xff,\x80\n")
    with pytest.raises(RosterError, match="编码"):
        read_roster(roster, LAYOUT)


def test_roster_with_only_a_header_has_no_projects(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("实施单位,项目名称\n,\n", encoding="utf-8")
    with pytest.raises(RosterError, match="名单中没有项目"):
        read_roster(roster, LAYOUT)
    assert_usage_error(run("template", "--roster", roster, "--out", tmp_path / "o"), "名单中没有项目")


def test_duplicate_roster_rows_name_both_rows(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("实施单位,项目名称,年度\n甲,一,2023\n乙,一,2023\n甲,一,2023\n", encoding="utf-8")
    with pytest.raises(RosterError, match="第 2 行与第 4 行重复"):
        read_roster(roster, LAYOUT)


def test_year_override_can_make_roster_rows_duplicates(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("实施单位,项目名称,年度\n甲,一,2023\n甲,一,2024\n", encoding="utf-8")
    assert len(read_roster(roster, LAYOUT)) == 2
    with pytest.raises(RosterError, match="第 2 行与第 3 行重复"):
        read_roster(roster, LAYOUT, year=2025)


# --- 3. file-name collisions -------------------------------------------------------------
def test_unique_file_names_ignore_case_and_keep_order():
    assert unique_file_names(["A_B.xlsx", "A_B.xlsx", "a_b.xlsx", "c.xlsx"]) == [
        "A_B.xlsx", "A_B(2).xlsx", "a_b(3).xlsx", "c.xlsx"]
    assert unique_file_names(["m.xlsx"], taken=["M.XLSX"]) == ["m(2).xlsx"]
    assert unique_file_names(["a.xls", "a.ods"], aliases=lambda n: [Path(n).stem + ".list"]) == ["a.xls", "a(2).ods"]


def test_units_with_colliding_file_names_get_one_workbook_each(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("实施单位,项目名称\nA/B,一\nA_B,二\nA:B,三\na_b,四\n", encoding="utf-8")
    paths = make_roster_templates(roster, tmp_path / "out")
    assert [p.name for p in paths] == ["A_B.xlsx", "A_B(2).xlsx", "A_B(3).xlsx", "a_b(4).xlsx"]
    # the roster's manifest (名单.json, for collect --roster) lies beside the workbooks
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([*(p.name for p in paths), "名单.json"])
    units = [read_workbook(p).forms[0].form["implementing_unit"] for p in paths]
    assert units == ["A/B", "A_B", "A:B", "a_b"]
    again = make_roster_templates(roster, tmp_path / "again", workers=2)
    assert [p.name for p in again] == [p.name for p in paths]


def test_fill_json_files_with_the_same_name_from_two_folders(tmp_path):
    one = write_json(tmp_path / "s1" / "f.json", load_example("01"))
    two = write_json(tmp_path / "s2" / "f.json", load_example("02"))
    result = run("fill", one, two, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    names = {p.name: read_workbook(p).forms[0].form["project_name"] for p in (tmp_path / "out").iterdir()}
    assert names == {"f.xlsx": load_example("01")["project_name"], "f(2).xlsx": load_example("02")["project_name"]}


def test_feedback_copies_of_same_named_files_are_all_written(tmp_path):
    inbox = tmp_path / "fb"
    for folder, name in zip("abc", ("02", "06", "18")):
        filled(tmp_path / "tmp", name)
        (inbox / folder / "x").mkdir(parents=True)
        (tmp_path / "tmp" / f"{name}.xlsx").rename(inbox / folder / "x" / "u.xlsx")
    (inbox / "d").mkdir()
    (inbox / "d" / "v.xls").write_bytes(b"not a workbook")
    (inbox / "d" / "v.ods").write_bytes(b"not a spreadsheet")
    collect_to_master([inbox], tmp_path / "m.xlsx", feedback_dir=tmp_path / "back")
    assert sorted(p.name for p in (tmp_path / "back").iterdir()) == [
        "u(2).xlsx", "u(3).xlsx", "u.xlsx", "v(2).问题清单.xlsx", "v.问题清单.xlsx"]


# --- 4. odd JSON for fill, validate and collect ----------------------------------------
ODD_FORMS = [
    ([1, 2], "第 1 个表单"),
    (None, "null"),
    ([], "没有表单"),
    ({"indicators": "abc"}, "绩效指标"),
    ({"indicators": [1]}, "第 1 条"),
    ({"indicators": [{"name": {"a": 1}}]}, "三级指标"),
    ({"funding": "x"}, "项目资金"),
    ({"goals": [1]}, "项目绩效目标"),
    ({"funding": {"total": [1]}}, "项目资金总额"),
]


@pytest.mark.parametrize("data, field", ODD_FORMS)
def test_fill_refuses_odd_json_naming_file_and_field(tmp_path, data, field):
    path = write_json(tmp_path / "odd.json", data)
    assert_usage_error(run("fill", path, "--out", tmp_path / "out"), "odd.json", field)
    with pytest.raises(ValueError, match=field):
        fill_forms([path], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_fill_refuses_two_forms_with_one_identity(tmp_path):
    form = load_example("01")
    one = write_json(tmp_path / "a.json", form)
    two = write_json(tmp_path / "b.json", [load_example("02"), dict(form, goals={"overall": "另一个"})])
    with pytest.raises(ValueError, match="同一张表单") as caught:
        fill_forms([one, two], tmp_path / "out", by_unit=True)
    assert "a.json" in str(caught.value) and "b.json”第 2 个表单" in str(caught.value)
    assert_usage_error(run("fill", one, one, "--out", tmp_path / "out"), "同一张表单")


def test_fill_writes_numbers_in_indicators_as_text(tmp_path):
    form = load_example("01")
    form["indicators"][0] = dict(form["indicators"][0], target=95, name=None)
    [path] = fill_forms([write_json(tmp_path / "n.json", form)], tmp_path / "out")
    assert read_workbook(path).forms[0].form["indicators"][0]["target"] == "95"


def test_validate_reports_a_json_file_without_forms(tmp_path):
    checked = check_file(write_json(tmp_path / "empty.json", []))
    assert [i.code for i in checked.issues] == ["FILE-008"]
    assert "JSON 文件中没有表单" in checked.issues[0].message


def test_validate_and_collect_of_odd_json_report_instead_of_crashing(tmp_path):
    for number, (data, _) in enumerate(ODD_FORMS):
        write_json(tmp_path / "in" / f"{number}.json", data)
    assert run("validate", tmp_path / "in").exit_code == 1
    result = run("collect", tmp_path / "in", "--json-inputs", "--out", tmp_path / "m.xlsx", "--jsonl", tmp_path / "f.jsonl",
                 "--csv", tmp_path / "csv", "--feedback", tmp_path / "back")
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit) and (tmp_path / "m.xlsx").is_file()


# --- 5. output paths of the wrong kind ----------------------------------------------------
@pytest.mark.parametrize("args, message", [
    (["template", "--out", "{dir}"], "“{dir}”是一个已存在的文件夹"),
    (["template", "--roster", str(ROSTER), "--out", "{file}"], "“{file}”是一个已存在的文件"),
    (["fill", str(EXAMPLES / "01.json"), "--out", "{file}"], "“{file}”是一个已存在的文件"),
    (["collect", "{inbox}", "--out", "{dir}"], "--out 应为文件名"),
    (["collect", "{inbox}", "--out", "{tmp}/m.xlsx", "--csv", "{file}"], "--csv 应为文件夹"),
    (["collect", "{inbox}", "--out", "{tmp}/m.xlsx", "--jsonl", "{dir}"], "--jsonl 应为文件名"),
    (["collect", "{inbox}", "--out", "{tmp}/m.xlsx", "--feedback", "{file}"], "--feedback 应为文件夹"),
    (["collect", "{inbox}", "--out", "{file}/m.xlsx"], "汇总失败"),
    (["template", "--out", "{file}/t.xlsx"], "写入模板失败"),
    (["fill", str(EXAMPLES / "01.json"), "--out", "{file}/sub"], "写入工作簿失败"),
    (["demo", "{file}"], "OUT 应为文件夹"),
])
def test_output_path_errors_are_usage_errors(tmp_path, args, message):
    places = {"dir": tmp_path / "adir", "file": tmp_path / "afile", "inbox": tmp_path / "in", "tmp": tmp_path}
    places["dir"].mkdir()
    places["file"].write_text("keep", encoding="utf-8")
    filled(places["inbox"], "01")
    result = run(*[a.format(**places) for a in args])
    assert_usage_error(result, message.format(**places))
    assert "无法读取 JSON" not in result.output
    assert places["file"].read_text(encoding="utf-8") == "keep"


# --- 6. template --from ------------------------------------------------------------------
BAD_LINES = [
    ('{"form": "x"}', "第 2 行"),
    ('{"source": "x"}', "没有“form”"),
    ('{"form": {"implementing_unit": "u", "indicators": "x"}}', "绩效指标"),
    ('{"form": {"implementing_unit": "u", "indicators": [1]}}', "第 1 条"),
    ('[1]', "第 2 行"),
    ('{"form": {"implementing_unit": "u"}, "source": "s"}', "“source”"),
    ('{"form": {"implementing_unit": "u", "goals": "g"}}', "项目绩效目标"),
    ('{"form": {"implementing_unit": "u"}, "source": {"variant": "bogus"}}', "、".join(variant_names())),
]


@pytest.mark.parametrize("line, message", BAD_LINES)
def test_malformed_jsonl_lines_are_usage_errors_naming_the_line(tmp_path, line, message):
    jsonl = tmp_path / "f.jsonl"
    jsonl.write_text('{"form": {"implementing_unit": "甲"}}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 行"):
        read_jsonl(jsonl)
    result = run("template", "--from", jsonl, "--year", 2024, "--out", tmp_path / "out")
    assert_usage_error(result, "第 2 行", message)


def test_an_empty_jsonl_is_a_usage_error(tmp_path):
    jsonl = tmp_path / "f.jsonl"
    jsonl.write_text("\n", encoding="utf-8")
    assert_usage_error(run("template", "--from", jsonl, "--year", 2024, "--out", tmp_path / "o"), "没有表单")


def test_dates_move_by_the_year_of_planned_start():
    form = load_example("18")  # heading 2022年度, planned 2023-01-01 … 2023-12-31
    assert form["year"] == 2022 and form["planned_start"].startswith("2023")
    new = carry_forward(form, 2024, LAYOUT)
    assert (new["year"], new["planned_start"], new["planned_end"]) == (2024, "2024-01-01", "2024-12-31")
    old_period = form["goals"]["overall_period"]
    assert new["goals"]["overall_period"] == old_period.replace("2022", "2023")


def test_dates_move_by_the_form_year_without_a_valid_start():
    form = dict(load_example("17"), planned_start="不详")
    new = carry_forward(form, 2025, LAYOUT)
    assert new["planned_start"] == "不详" and new["planned_end"] == "2025-12-31"


def test_carried_units_with_colliding_names_get_one_workbook_each(tmp_path):
    jsonl = tmp_path / "f.jsonl"
    forms = [dict(load_example("01"), implementing_unit=unit) for unit in ("A/B", "A_B")]
    jsonl.write_text("".join(json.dumps({"form": f}, ensure_ascii=False) + "\n" for f in forms), encoding="utf-8")
    paths = make_carryover_templates(jsonl, tmp_path / "out", 2024)
    assert [p.name for p in paths] == ["A_B.xlsx", "A_B(2).xlsx"]


# --- 7. exit codes and empty input -------------------------------------------------------
def test_collect_exits_0_on_warnings_only_like_validate(tmp_path):
    inbox = filled(tmp_path / "in", "14")  # COVER-001 and COVER-003 warnings, no error
    assert run("validate", inbox).exit_code == 0
    result = run("collect", inbox, "--out", tmp_path / "m.xlsx")
    assert result.exit_code == 0, result.output
    assert "错误 0 个，警告 2 个" in result.output


def test_collect_exits_1_on_errors(tmp_path):
    inbox = filled(tmp_path / "in", "02")
    assert run("collect", inbox, "--out", tmp_path / "m.xlsx", "-q").exit_code == 1


def test_collect_of_an_empty_folder_is_a_usage_error(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "~$lock.xlsx").write_bytes(b"lock")
    result = run("collect", tmp_path / "empty", "--out", tmp_path / "m.xlsx")
    assert_usage_error(result, "没有找到输入文件")
    assert not (tmp_path / "m.xlsx").exists()


def test_collect_summary_prints_a_total_per_amount_unit(tmp_path):
    from perfxl.write.workbook import FormSheet, write_workbook

    inbox = filled(tmp_path / "in", "01")
    sample = json.loads((ROOT / "tests" / "fixtures" / "shanghai-2025-sample.json").read_text(encoding="utf-8"))
    write_workbook(inbox / "sh.xlsx", [FormSheet("样例", get_layout("shanghai-2025"), sample, "sh")])
    result = run("collect", inbox, "--out", tmp_path / "m.xlsx")
    assert "项目资金总额合计 374.9447 万元、2273740 元" in result.output


def test_walk_order_is_sorted_paths_part_by_part(tmp_path):
    # "a-b" sorts before "a/…" as a string but after it as parts ("a" < "a-b"): the walk, which
    # lists one folder at a time, must give the order of sorted Path objects, as it always did.
    names = ["a/b/1.xlsx", "a/2.xlsx", "a-b/3.xlsx", "a.b/4.xlsx", "a.xlsx", "B/5.xlsx", "b/6.xlsx",
             "a/b c/7.xlsx", "a/b-c/8.xlsx", "中/9.xlsx", "z/y/x/10.xlsx", ".hidden/11.xlsx", "~$12.xlsx"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    found = discover_inputs([tmp_path])
    expected = sorted(tmp_path / name for name in names if not name.startswith((".", "~$")))
    assert found.files == [str(path) for path in expected]
    assert found.files.index(str(tmp_path / "a/b/1.xlsx")) < found.files.index(str(tmp_path / "a-b/3.xlsx"))


def test_walk_of_a_deep_inbox_does_not_recurse(tmp_path):
    import os

    folders = [str(tmp_path)]
    for _ in range(1100):  # deeper than Python's default recursion limit (os.makedirs recurses)
        folders.append(os.path.join(folders[-1], "d"))
        os.mkdir(folders[-1])
    book = os.path.join(folders[-1], "f.xlsx")
    with open(book, "wb") as handle:
        handle.write(b"x")
    try:
        assert discover_inputs([tmp_path]).files == [book]
    finally:  # removed from the bottom up: shutil.rmtree would recurse too
        os.remove(book)
        for folder in reversed(folders[1:]):
            os.rmdir(folder)
