"""A second real client: Gnumeric re-saves what perfxl writes, and perfxl reads it back exactly.

Gnumeric's ``ssconvert`` (installed by tests/run.sh, Debian package ``gnumeric``) re-saves the
filled workbooks of the 18 example forms as .xlsx and as .ods.  Its .ods is one python-calamine
refuses (indented XML), so it is read by perfxl's own .ods reader; and it writes the printed text
of a text-formatted cell (“（2023年-2023年）”) instead of its value, which the reader takes off
again by the layout's format.  Fails, never skips, when ssconvert is missing.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import example_paths

from perfxl.api import Settings, check_file, fill_forms, load_json_forms

pytestmark = pytest.mark.libreoffice  # the real-client group: installed by tests/run.sh


@pytest.fixture(scope="module")
def resaved(tmp_path_factory):
    assert shutil.which("ssconvert"), "ssconvert (Gnumeric) is missing: tests/run.sh installs it with apt"
    folder = tmp_path_factory.mktemp("gnumeric")
    filled = fill_forms(example_paths(), folder / "filled", by_unit=True)
    out = {}
    for path in filled:
        for suffix in ("xlsx", "ods"):
            target = folder / suffix / f"{path.stem}.{suffix}"
            target.parent.mkdir(exist_ok=True)
            run = subprocess.run(["ssconvert", str(path), str(target)], capture_output=True, text=True, timeout=120)
            assert target.is_file(), run.stderr
            out.setdefault(suffix, []).append(target)
    return out


@pytest.mark.parametrize("suffix", ["xlsx", "ods"])
def test_gnumeric_resaves_read_back_exactly(resaved, suffix):
    originals = [form for path in example_paths() for form in load_json_forms(path)]
    read_back = []
    for path in resaved[suffix]:
        checked = check_file(path, settings=Settings(review=None))
        assert not [i for i in checked.issues if i.code.startswith(("FILE", "LAYOUT"))], [i.message for i in checked.issues]
        read_back += [record.form for record in checked.forms]
    assert len(read_back) == len(originals)
    assert sorted(read_back, key=str) == sorted(originals, key=str)


def test_the_second_ods_reader_is_bounded_and_keeps_hidden_sheets_hidden():
    """Repeated empty cells and rows (16,384 columns, a million rows) cost nothing; values keep
    their types; a sheet styled display=false is hidden, as calamine reports it."""
    import datetime as dt
    import io
    import zipfile

    from perfxl.read.ods import HIDDEN, VISIBLE, OdsBook

    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')
    content = f"""<?xml version="1.0"?>
<office:document-content {ns}>
  <office:automatic-styles><style:style style:name="hid" style:family="table">
    <style:table-properties table:display="false"/></style:style></office:automatic-styles>
  <office:body><office:spreadsheet>
    <table:table table:name="表">
      <table:table-row>
        <table:table-cell office:value-type="string"><text:p>项目<text:s text:c="2"/>名称</text:p></table:table-cell>
        <table:table-cell office:value-type="float" office:value="374.9447"><text:p>374.94</text:p></table:table-cell>
        <table:table-cell office:value-type="date" office:date-value="2023-01-01"><text:p>2023年1月1日</text:p></table:table-cell>
        <table:table-cell table:number-columns-repeated="16381"/>
      </table:table-row>
      <table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
    </table:table>
    <table:table table:name="_perfxl" table:style-name="hid"><table:table-row>
      <table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>
  </office:spreadsheet></office:body></office:document-content>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as ods:
        ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        ods.writestr("content.xml", content)
    book = OdsBook(buffer.getvalue())
    assert book.sheet_names == ["表", "_perfxl"]
    assert [(m.name, m.visible) for m in book.sheets_metadata] == [("表", VISIBLE), ("_perfxl", HIDDEN)]
    assert book.get_sheet_by_name("表").to_python() == [["项目  名称", 374.9447, dt.date(2023, 1, 1)]]
