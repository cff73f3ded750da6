"""A second, real variant (shanghai-2025) through the same code: no variant names in Python."""

from __future__ import annotations

import ast
import json
import re
import subprocess

import openpyxl
import pytest
from conftest import FIXTURES, ROOT, load_example
from hypothesis import HealthCheck, given, settings
from strategies import forms

from perfxl.api import check_file, collect_to_master, make_template
from perfxl.form.identity import form_id_for
from perfxl.form.layout import get_layout
from perfxl.form.variant import variant_names
from perfxl.read.workbook import read_workbook
from perfxl.write.workbook import FormSheet, write_workbook

SH = get_layout("shanghai-2025")
PJ = get_layout("pujiang-2023")
SAMPLE = json.loads((FIXTURES / "shanghai-2025-sample.json").read_text(encoding="utf-8"))


def _string_literals(source: str) -> list[str]:
    """String constants in code, docstrings excluded (a comment may name a variant; code may not)."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_variant_name_in_python_code():
    for path in (ROOT / "perfxl").glob("*.py"):
        literals = _string_literals(path.read_text(encoding="utf-8"))
        for name in variant_names():
            hits = [text for text in literals if name in text]
            if path.name == "variant.py" and hits == ["pujiang-2023"]:
                continue  # DEFAULT_VARIANT, the one place that names a variant
            assert not hits, f"{path.name} has {name!r} in code: no `if variant == ...`"


def test_framework_and_fields_come_from_the_schema():
    assert list(SH.framework) == ["成本指标", "产出指标", "效益指标", "满意度指标"]
    assert SH.framework["成本指标"] == ["经济成本指标", "社会成本指标", "生态环境成本指标"]
    assert SH.slot_by_path["project_nature"].choices == ("一次性", "经常性", "阶段性")
    assert {s.unit for s in SH.slots if s.kind == "amount"} == {"元"}
    assert {s.decimals for s in SH.slots if s.kind == "amount"} == {2}


def test_sample_round_trips_and_is_recognised(tmp_path):
    path = tmp_path / "sh.xlsx"
    write_workbook(path, [FormSheet("样例", SH, SAMPLE, form_id_for(SH, SAMPLE))])
    checked = check_file(path)
    assert [i.code for i in checked.issues if i.severity == "错误"] == []
    assert checked.forms[0].variant == "shanghai-2025"
    assert checked.forms[0].form == SAMPLE


def test_yuan_amounts_allow_only_fen(tmp_path):
    form = dict(SAMPLE, funding={**SAMPLE["funding"], "total": "12.345"})
    path = tmp_path / "sh.json"
    path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    issue = next(i for i in check_file(path, variant="shanghai-2025").issues if i.code == "VALUE-002")
    assert "单位元" in issue.message and "最多 2 位小数" in issue.message


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(form=forms("shanghai-2025"))
def test_generated_shanghai_forms_round_trip(tmp_path, form):
    path = tmp_path / "x.xlsx"
    write_workbook(path, [FormSheet("x", SH, form, "id")])
    result = read_workbook(path)
    assert result.all_issues == []
    assert result.forms[0].variant == "shanghai-2025" and result.forms[0].form == form


def test_blank_shanghai_template(tmp_path):
    path = tmp_path / "t.xlsx"
    make_template(path, variant="shanghai-2025", rows=1)
    ws = openpyxl.load_workbook(path)[SH.title]
    assert ws["A1"].value == "财政项目支出绩效目标申报表" and ws["D4"].value == "项目性质"
    first = SH.first_indicator_row + 1
    assert ws[f"B{first}"].value == "成本指标"
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"list", "decimal", "date", "whole"} <= kinds


def test_foreign_variant_is_recognised_by_its_labels(tmp_path):
    """A shanghai workbook without perfxl's identity sheet is still read as shanghai-2025."""
    path = tmp_path / "sh.xlsx"
    write_workbook(path, [FormSheet("样例", SH, SAMPLE, "")])
    wb = openpyxl.load_workbook(path)
    del wb["_perfxl"]
    wb.save(path)
    result = read_workbook(path)
    assert [r.variant for r in result.forms] == ["shanghai-2025"]
    assert result.forms[0].form == SAMPLE


def test_mixed_variants_collect_into_one_master(tmp_path):
    inbox = tmp_path / "in"
    write_workbook(inbox / "sh.xlsx", [FormSheet("样例", SH, SAMPLE, form_id_for(SH, SAMPLE))])
    pj = load_example("01")
    write_workbook(inbox / "pj.xlsx", [FormSheet("安保经费", PJ, pj, form_id_for(PJ, pj))])
    master = tmp_path / "m.xlsx"
    collect_to_master([inbox], master)
    ws = openpyxl.load_workbook(master)["项目汇总"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("项目名称")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert "项目性质" in header and "成本指标数" in header
    wan, yuan = header.index("项目资金总额（万元）"), header.index("项目资金总额（元）")
    assert rows["安保经费"][wan] == pytest.approx(374.9447) and rows["安保经费"][yuan] is None
    assert rows["社区平安志愿服务"][yuan] == 2273740 and rows["社区平安志愿服务"][wan] is None
    assert rows["安保经费"][header.index("项目性质")] is None
    assert rows["社区平安志愿服务"][header.index("成本指标数")] == 1


@pytest.mark.libreoffice
def test_shanghai_prints_one_page_per_form(tmp_path, soffice):
    path = tmp_path / "sh.xlsx"
    other = dict(SAMPLE, project_name="第二个项目")
    write_workbook(path, [FormSheet(f["project_name"], SH, f, form_id_for(SH, f)) for f in (SAMPLE, other)])
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    info = subprocess.run(["pdfinfo", str(tmp_path / "sh.pdf")], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == 2 + 1  # two forms and 填表说明
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "sh.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "财政项目支出绩效目标申报表" in text and "人均志愿者装备成本" in text


def test_review_finds_a_missing_cost_indicator_in_shanghai(tmp_path):
    without_cost = dict(SAMPLE, indicators=[i for i in SAMPLE["indicators"] if i["level1"] != "成本指标"])
    path = tmp_path / "sh.xlsx"
    write_workbook(path, [FormSheet("有成本", SH, SAMPLE, "a"), FormSheet("无成本", SH, without_cost, "b")])
    with_cost, missing = check_file(path).forms
    assert "COVER-005" not in {i.code for i in with_cost.issues}
    issue = next(i for i in missing.issues if i.code == "COVER-005")
    assert issue.severity == "警告" and issue.sheet == "无成本" and issue.cell == "B14"
    assert "成本指标" in issue.message
