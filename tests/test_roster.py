"""Roster checks at the door (issue 12, item 8): a value the form would refuse or a project listed
twice refuses the whole roster, every problem named by row and column, before any template is
written; columns that are no form field (备注 …) are ignored, and said so."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT
from typer.testing import CliRunner

from perfxl.api import RosterError, make_roster_templates
from perfxl.cli import app
from perfxl.form.layout import get_layout
from perfxl.read.roster import read_roster

LAYOUT = get_layout("pujiang-2023")
HEAD = "主管部门,实施单位,年度,项目名称,项目类别,项目资金总额\n"
GOOD = "镇政府,平安办,2023,安保经费,经常性项目,374.9447\n"


def roster(tmp_path, text, name="名单.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path, text):
    """The roster's refusal from the API and the CLI, and that nothing was written."""
    path = roster(tmp_path, text)
    with pytest.raises(RosterError) as raised:
        make_roster_templates(path, tmp_path / "api")
    result = CliRunner().invoke(app, ["template", "--roster", str(path), "--out", str(tmp_path / "cli")])
    assert result.exit_code == 2, result.output
    shown = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", lambda m: f"\\x{ord(m.group()):02x}", str(raised.value))
    assert shown in result.output  # the same message; on the terminal control characters are escaped
    assert not (tmp_path / "api").exists() and not (tmp_path / "cli").exists()
    return str(raised.value)


# --- refused, with row and column ---------------------------------------------------------------
def test_a_category_outside_the_list_is_refused_with_row_and_column(tmp_path):
    message = refused(tmp_path, HEAD + GOOD + "镇政府,平安办,2023,社工点经费,临时项目,435.5435\n")
    assert "第 3 行 E 列“项目类别”：“临时项目”不是可选的值，应为 专项资金、经常性项目、一次性项目 之一。" in message


@pytest.mark.parametrize("amount", ["很多", "-5", "1.1234567", "12 元"])
def test_an_amount_that_is_not_a_decimal_is_refused_with_row_and_column(tmp_path, amount):
    message = refused(tmp_path, HEAD + GOOD + f"镇政府,平安办,2023,社工点经费,经常性项目,{amount}\n")
    assert f"第 3 行 F 列“项目资金总额”：“{amount}”无法识别，应为金额（单位万元，非负数，最多 6 位小数）。" in message


def test_a_year_out_of_range_is_refused(tmp_path):
    message = refused(tmp_path, HEAD + "镇政府,平安办,1999,安保经费,经常性项目,1\n")
    assert "第 2 行 C 列“年度”：“1999”超出范围" in message


def test_text_longer_than_the_form_allows_is_refused(tmp_path):
    message = refused(tmp_path, HEAD + f"镇政府,平安办,2023,{'长' * 201},经常性项目,1\n")
    assert "第 2 行 D 列“项目名称”：内容过长：最多 200 个字符，实际 201 个字符。" in message


def test_text_with_a_control_character_is_refused(tmp_path):
    message = refused(tmp_path, HEAD + "镇政府,平安办,2023,安保\x01经费,经常性项目,1\n")
    assert "第 2 行 D 列“项目名称”：“安保\x01经费”不符合要求" in message


def test_a_row_with_an_unreadable_identity_is_not_called_a_repetition(tmp_path):
    """A year that cannot be read is left out; that row then only seems to repeat one without a year."""
    message = refused(tmp_path, HEAD + "镇政府,平安办,今年,安保经费,经常性项目,1\n镇政府,平安办,,安保经费,经常性项目,1\n")
    assert "有 1 处问题" in message and "第 2 行 C 列“年度”" in message and "重复" not in message


def test_a_duplicate_project_is_refused_naming_both_rows(tmp_path):
    message = refused(tmp_path, HEAD + GOOD + "镇政府,平安办,2023,社工点经费,经常性项目,1\n" + GOOD)
    assert "第 2 行与第 4 行重复" in message


def test_every_problem_of_a_roster_is_named_at_once(tmp_path):
    message = refused(tmp_path, HEAD + "镇政府,平安办,2023,一,临时项目,1\n"
                                       "镇政府,,2023,二,经常性项目,abc\n"
                                       "镇政府,平安办,2023,三,经常性项目,1\n"
                                       "镇政府,平安办,2023,三,经常性项目,2\n")
    assert "有 4 处问题，没有生成任何模板" in message
    for problem in ("第 2 行 E 列“项目类别”", "第 3 行 B 列“实施单位”：不能为空", "第 3 行 F 列“项目资金总额”",
                    "第 4 行与第 5 行重复"):
        assert problem in message


def test_a_column_given_twice_is_refused(tmp_path):
    with pytest.raises(RosterError, match="列名“项目名称”出现了两次（D 列和 G 列）"):
        read_roster(roster(tmp_path, HEAD.strip() + ",项目名称\n" + GOOD.strip() + ",别名\n"), LAYOUT)


def test_the_bundled_roster_passes_the_door():
    assert len(read_roster(ROOT / "examples" / "roster.csv", LAYOUT)) == 18


# --- extra columns are ignored, with a note -----------------------------------------------------------
def test_extra_columns_are_ignored_and_named(tmp_path):
    path = roster(tmp_path, "备注," + HEAD.strip() + ",联系人\n首次申报," + GOOD.strip() + ",张三\n")
    entries = read_roster(path, LAYOUT)
    assert entries.ignored == ("“备注”（A 列）", "“联系人”（H 列）")
    assert entries.note == "名单中的“备注”（A 列）、“联系人”（H 列）不是表单字段，已忽略。"
    assert [entry.form for entry in entries] == [{
        "department": "镇政府", "implementing_unit": "平安办", "year": 2023, "project_name": "安保经费",
        "project_category": "经常性项目", "funding": {"total": "374.9447"}}]


def test_template_prints_a_note_naming_the_ignored_columns(tmp_path):
    path = roster(tmp_path, HEAD.strip() + ",备注\n" + GOOD.strip() + ",首次\n")
    result = CliRunner().invoke(app, ["template", "--roster", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "名单中的“备注”（G 列）不是表单字段，已忽略。" in result.output
    assert (tmp_path / "out" / "平安办.xlsx").is_file()


def test_a_roster_without_extra_columns_has_no_note(tmp_path):
    result = CliRunner().invoke(app, ["template", "--roster", str(roster(tmp_path, HEAD + GOOD)),
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 0 and "已忽略" not in result.output


def test_a_roster_made_for_another_form_says_which_form_first(tmp_path):
    """The bundled roster is in 万元 with the 2023 项目类别: for shanghai-2025 (元, other 类别) every
    row fails; the refusal first says that the roster fits pujiang-2023 and which --form to use."""
    out = tmp_path / "X"
    result = CliRunner().invoke(app, ["template", "--form", "shanghai-2025", "--roster",
                                      str(ROOT / "examples" / "roster.csv"), "--out", str(out)])
    assert result.exit_code == 2 and not out.exists()
    lines = result.output.splitlines()
    assert lines[0].startswith("名单文件“roster.csv”有 43 处问题，没有生成任何模板。")
    assert "符合另一种绩效目标表“pujiang-2023”" in lines[1] and "请改用 --form pujiang-2023" in lines[1]
    assert lines[2].startswith("  第 2 行 E 列“项目类别”")


def test_a_roster_no_form_takes_gets_no_hint(tmp_path):
    message = refused(tmp_path, HEAD + "镇政府,平安办,2023,安保经费,临时项目,374.9447\n")
    assert "符合另一种" not in message and "临时项目" in message
