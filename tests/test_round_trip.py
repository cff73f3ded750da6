"""JSON → fill → read gives back exactly what went in."""

from __future__ import annotations

import json

import pytest
from conftest import example_paths
from hypothesis import HealthCheck, given, settings
from strategies import forms

from perfxl.api import check_file, load_json_forms
from perfxl.config import Settings
from perfxl.form.identity import form_id_for
from perfxl.form.layout import get_layout
from perfxl.read.workbook import read_workbook
from perfxl.write.naming import safe_sheet_names
from perfxl.write.workbook import FormSheet, write_workbook

LAYOUT = get_layout("pujiang-2023")


def fill_and_read(tmp_path, form_list):
    path = tmp_path / "out.xlsx"
    names = safe_sheet_names(f.get("project_name", "x") for f in form_list)
    write_workbook(path, [FormSheet(n, LAYOUT, f, form_id_for(LAYOUT, f)) for n, f in zip(names, form_list)])
    return read_workbook(path)


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_every_example_round_trips(tmp_path, path):
    form = load_json_forms(path)[0]
    result = fill_and_read(tmp_path, [form])
    assert result.all_issues == []
    assert [record.form for record in result.forms] == [form]
    # value for value, including key sets and amount strings to the last digit
    assert json.dumps(result.forms[0].form, sort_keys=True, ensure_ascii=False) == \
        json.dumps(form, sort_keys=True, ensure_ascii=False)


def test_all_examples_in_one_workbook_keep_their_order(tmp_path):
    all_forms = [load_json_forms(p)[0] for p in example_paths()]
    result = fill_and_read(tmp_path, all_forms)
    assert [r.form for r in result.forms] == all_forms


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(form=forms())
def test_generated_forms_round_trip(tmp_path, form):
    result = fill_and_read(tmp_path, [form])
    assert [issue.code for issue in result.all_issues] == []
    assert result.forms[0].form == form


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(form=forms())
def test_generated_forms_are_schema_valid_after_reading(tmp_path, form):
    path = tmp_path / "form.xlsx"
    write_workbook(path, [FormSheet("表", LAYOUT, form, "id")])
    checked = check_file(path, settings=Settings(review=None))
    assert checked.issues == []
    assert checked.forms[0].form == form
