"""The CLI through typer's CliRunner: output, files and exit codes."""

from __future__ import annotations

import json

from conftest import EXAMPLES, ROOT, load_example
from typer.testing import CliRunner

from perfxl.cli import app
from perfxl.docs import render_cli_reference

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_cli_reference_is_current():
    expected = render_cli_reference()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is stale: run `python -m perfxl.docs`"


def test_cli_reference_has_every_command():
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"\n## perfxl {name}\n" in actual


def test_help_explains_with_examples():
    result = invoke("--help")
    assert result.exit_code == 0 and "退出码" in result.output
    for command in ("template", "fill", "read", "validate", "demo"):
        assert "示例" in invoke(command, "--help").output


def test_template_fill_read_round_trip(tmp_path):
    out = tmp_path / "blank.xlsx"
    assert invoke("template", "--out", out).exit_code == 0 and out.is_file()
    result = invoke("fill", EXAMPLES / "04.json", EXAMPLES / "05.json", "--out", tmp_path / "f")
    assert result.exit_code == 0, result.output
    read = runner.invoke(app, ["read", str(tmp_path / "f" / "04.xlsx")])
    assert read.exit_code == 0
    assert json.loads(read.stdout) == [load_example("04")]


def test_template_from_roster(tmp_path):
    result = invoke("template", "--roster", ROOT / "examples" / "roster.csv", "--out", tmp_path, "--rows", 2)
    assert result.exit_code == 0
    assert len(list(tmp_path.glob("*.xlsx"))) == 3 and "共 3 个单位" in result.output


def test_bad_roster_is_a_usage_error_in_chinese(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("单位,项目\n甲,乙\n", encoding="utf-8")
    result = runner.invoke(app, ["template", "--roster", str(roster), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    # unknown columns are ignored now (issue 12); without 实施单位 and 项目名称 the roster is refused,
    # and the message says why the columns it has did not count
    assert "缺少必需的列：项目名称、实施单位" in result.output
    assert "“单位”（A 列）、“项目”（B 列）不是表单字段，已忽略" in result.output
    assert not (tmp_path / "o").exists()


def test_validate_exit_codes_and_json(tmp_path):
    good = invoke("validate", EXAMPLES / "01.json")
    assert good.exit_code == 0 and "0 个错误" in good.output
    bad = tmp_path / "bad.json"
    form = load_example("01")
    form["funding"]["total"] = "很多"
    bad.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad), "--json"])
    assert result.exit_code == 1
    issues = json.loads(result.stdout)
    assert [(i["code"], i["field"], i["value"]) for i in issues] == [("VALUE-002", "项目资金总额", "很多")]


def test_usage_errors_exit_2(tmp_path):
    assert runner.invoke(app, ["validate", str(tmp_path / "missing.xlsx")]).exit_code == 2
    assert runner.invoke(app, ["template", "--form", "nope"]).exit_code == 2
    assert runner.invoke(app, ["template", "--rows", "0"]).exit_code == 2


def test_validate_folder_skips_lock_and_hidden_files(tmp_path):
    invoke("fill", EXAMPLES / "01.json", "--out", tmp_path)
    (tmp_path / "~$01.xlsx").write_bytes(b"lock")
    (tmp_path / ".~lock.01.xlsx#").write_bytes(b"lock")
    (tmp_path / ".hidden.xlsx").write_bytes(b"x")
    result = invoke("validate", tmp_path)
    assert result.exit_code == 0 and "1 个文件" in result.output


def test_read_reports_to_stderr_and_exits_1(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"garbage")
    result = runner.invoke(app, ["read", str(path)])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert "FILE-005" in result.stderr and "不是 Excel 工作簿" in result.stderr


def test_schema_and_forms():
    schema = json.loads(invoke("schema").output)
    assert schema["$id"].endswith("pujiang-2023/v1")
    assert "pujiang-2023" in invoke("forms").output


def test_demo(tmp_path):
    result = invoke("demo", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert "汇总读回表单 18 张，其中 18 张与 JSON 原件完全一致" in result.output
    assert (tmp_path / "demo" / "汇总.xlsx").is_file() and (tmp_path / "demo" / "forms.jsonl").is_file()
    forms = json.loads((tmp_path / "demo" / "forms.json").read_text(encoding="utf-8"))
    originals = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]
    canon = lambda f: json.dumps(f, sort_keys=True)
    assert sorted(map(canon, forms)) == sorted(map(canon, originals))


def test_problem_code_catalogue_is_current():
    from perfxl.docs import render_problem_codes as render_catalogue_markdown
    actual = (ROOT / "docs" / "issues.md").read_text(encoding="utf-8")
    assert actual == render_catalogue_markdown(), "docs/issues.md is stale: run `python -m perfxl.docs`"


def test_validate_of_an_empty_folder_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2 and "没有找到输入文件" in result.output


def test_template_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("template").exit_code == 0 and (tmp_path / "绩效目标表.xlsx").is_file()
    assert invoke("template", "--roster", ROOT / "examples" / "roster.csv").exit_code == 0
    assert len(list((tmp_path / "下发模板").glob("*.xlsx"))) == 3
