"""The README's "How to add a field", done for real: schema + layout data, no code."""

from __future__ import annotations

import json
import re

import openpyxl
import pytest
from conftest import ROOT, load_example

from perfxl.form import variant as variant_module
from perfxl.form.layout import get_layout


def _shift(ref: str, from_row: int) -> str:
    return re.sub(r"([A-Z]+)(\d+)", lambda m: m.group(1) + str(int(m.group(2)) + (int(m.group(2)) >= from_row)), ref)


@pytest.fixture()
def lead_variant(tmp_path, monkeypatch):
    schema = json.loads((ROOT / "schema" / "pujiang-2023.schema.json").read_text(encoding="utf-8"))
    schema["$id"] = schema["$id"].replace("pujiang-2023", "pujiang-lead")
    schema["properties"]["project_lead"] = {"$ref": "#/$defs/short_text", "title": "项目负责人"}
    layout = json.loads((ROOT / "templates" / "pujiang-2023.layout.json").read_text(encoding="utf-8"))
    layout["name"], layout["schema"] = "pujiang-lead", "pujiang-lead.schema.json"
    for cell in layout["cells"]:
        cell["ref"] = _shift(cell["ref"], 5)
    layout["cells"] += [{"ref": "A5", "text": "项目负责人"}, {"ref": "B5:F5", "field": "project_lead"}]
    layout["indicators"]["header_row"] += 1
    (tmp_path / "schema").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "schema" / "pujiang-lead.schema.json").write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "templates" / "pujiang-lead.layout.json").write_text(json.dumps(layout, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(variant_module, "schema_dir", lambda: tmp_path / "schema")
    monkeypatch.setattr(variant_module, "templates_dir", lambda: tmp_path / "templates")
    variant_module.load_variant.cache_clear()
    get_layout.cache_clear()
    yield "pujiang-lead"
    variant_module.load_variant.cache_clear()
    get_layout.cache_clear()


def test_a_new_field_flows_through_template_read_and_master(lead_variant, tmp_path):
    from perfxl.api import check_file, collect_to_master, make_roster_templates
    from perfxl.config import Settings
    from perfxl.form.identity import form_id_for
    from perfxl.write.workbook import FormSheet, write_workbook

    layout = get_layout(lead_variant)
    form = load_example("01") | {"project_lead": "张三"}
    path = tmp_path / "in" / "lead.xlsx"
    write_workbook(path, [FormSheet("安保经费", layout, form, form_id_for(layout, form))])
    checked = check_file(path, settings=Settings(review=None))
    assert checked.issues == [] and checked.forms[0].form == form
    assert checked.forms[0].cells["project_lead"] == "B5"

    master = tmp_path / "m.xlsx"
    collect_to_master([path], master)
    header = [c.value for c in openpyxl.load_workbook(master)["项目汇总"][1]]
    assert "项目负责人" in header

    roster = tmp_path / "roster.csv"
    roster.write_text("实施单位,项目名称,项目负责人\n平安办,安保经费,李四\n", encoding="utf-8-sig")
    [unit_book] = make_roster_templates(roster, tmp_path / "out", variant=lead_variant)
    ws = openpyxl.load_workbook(unit_book)["安保经费"]
    assert ws["A5"].value == "项目负责人" and ws["B5"].value == "李四"
    assert ws["B5"].protection.locked is False
