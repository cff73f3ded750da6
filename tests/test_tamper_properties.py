"""Property: whatever a unit types, a perfxl form whose sheet gained a column or rows above the
indicator table still reads back value for value, by its labels, with one LAYOUT-003 warning."""

from __future__ import annotations

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import forms
from test_tamper import insert_cols, insert_rows

from perfxl.api import check_file
from perfxl.config import Settings
from perfxl.form.layout import get_layout
from perfxl.write.workbook import FormSheet, write_workbook

LAYOUT = get_layout("pujiang-2023")


def _label_like(form) -> bool:
    """Text that is itself one of the form's labels cannot be told apart from a label by anyone
    reading the table; such forms are outside this property."""
    from perfxl.form.layout import label_key
    labels = {label_key(l.text) for l in LAYOUT.all_fixed_labels()} | {label_key(LAYOUT.title)}
    texts = [v for v in _strings(form)]
    return any(label_key(t) in labels for t in texts)


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
    elif isinstance(node, str):
        yield node


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(form=forms(), edit=st.sampled_from(["col-B", "col-D", "rows-above-table"]))
def test_structure_edits_keep_every_value(tmp_path, form, edit):
    if _label_like(form):
        return
    path = tmp_path / "t.xlsx"
    write_workbook(path, [FormSheet("表", LAYOUT, form, "id")])
    book = openpyxl.load_workbook(path)
    sheet = book["表"]
    sheet.protection.sheet = False
    book.security.lockStructure = False
    if edit == "col-B":
        insert_cols(sheet, 2)
    elif edit == "col-D":
        insert_cols(sheet, 4)
    else:
        insert_rows(sheet, LAYOUT.header_row + 1, 2)
    book.save(path)
    checked = check_file(path, settings=Settings(review=None))
    assert checked.forms[0].form == form
    assert [i.code for i in checked.issues].count("LAYOUT-003") == 1
