"""The people at the keyboard read Chinese: no English sentence reaches them from a parser."""

from __future__ import annotations

import json
import zipfile

from perfxl.api import check_file
from perfxl.read.reasons import json_reason, library_reason


def test_parser_messages_come_in_chinese_with_the_detail_in_brackets(tmp_path):
    broken = tmp_path / "x.ods"  # a zip that is no spreadsheet calamine knows
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("mimetype", "application/octet-stream")
        archive.writestr("content.xml", "<a/>")
    [issue] = check_file(broken).issues
    assert issue.code == "FILE-001" and "无法识别的文件格式（Cannot detect file format）" in issue.message
    bad = tmp_path / "f.json"
    bad.write_text('{"year": 2023,, }', encoding="utf-8")
    [issue] = check_file(bad).issues
    assert issue.code == "FILE-003" and "第 1 行第 15 列" in issue.message and "属性名" in issue.message


def test_known_and_unknown_library_messages():
    assert library_reason(ValueError("Cannot detect file format")) == "无法识别的文件格式（Cannot detect file format）"
    assert library_reason(RuntimeError("something odd\nsecond line")) == "读取出错（something odd）"
    try:
        json.loads("[1, 2")
    except json.JSONDecodeError as exc:
        assert json_reason(exc).startswith("第 1 行第 6 列") and "（" in json_reason(exc)


ENGLISH_SENTENCE = r"[A-Za-z][A-Za-z']+(?:[ ,;:()-]+[A-Za-z][A-Za-z']+){3,}"  # four English words in a row


def test_no_english_sentence_in_any_help_or_message_template():
    """Every --help (as docs/cli.md renders it) and every message template of the catalogue is
    Chinese; command and option names, examples and code words may stay as they are."""
    import re

    from perfxl.docs import render_cli_reference
    from perfxl.problems import Problem, Unclear

    found = []
    for line in render_cli_reference().splitlines()[3:]:
        if line.strip().startswith("perfxl "):  # an example command line
            continue
        found += [(match, line) for match in re.findall(ENGLISH_SENTENCE, line)]
    for problem in Problem:
        found += [(match, problem.code) for match in re.findall(ENGLISH_SENTENCE, problem.template)]
    found += [(match, unclear.name) for unclear in Unclear for match in re.findall(ENGLISH_SENTENCE, unclear.text)]
    assert found == []


def test_a_usage_error_never_sends_control_characters_to_the_terminal(tmp_path):
    from typer.testing import CliRunner

    from perfxl.cli import app

    roster = tmp_path / "r.csv"
    roster.write_text("实施单位,项目名称\n甲\x1b[31m,乙\x07\n甲\x1b[31m,乙\x07\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["template", "--roster", str(roster), "--out", str(tmp_path / "t")])
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output and "\\x1b" in result.output
