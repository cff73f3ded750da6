"""A worksheet may spell SpreadsheetML with a namespace prefix (<x:c>, <x:f>): calamine reads it
all the same, so the gate must find its formulas the same way (a formula without a saved value
must never be taken as an empty cell)."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from python_calamine import CalamineWorkbook

from perfxl.read.gate import check_bytes_safety

MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _prefixed(cached: bool) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["B1"], sheet["A2"] = "x", "=1+1", 5
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert MAIN in data
                data = data.replace(MAIN, MAIN.replace(b"xmlns=", b"xmlns:x="))
                data = re.sub(rb"<(/?)(?![?!])([A-Za-z])", rb"<\1x:\2", data)
                assert b"<x:f>" in data and b"<f" not in data
                if cached:
                    data = data.replace(b"<x:v />", b"<x:v>2</x:v>").replace(b"<x:v/>", b"<x:v>2</x:v>")
            target.writestr(info, data)
    return out.getvalue()


def test_prefixed_formula_without_a_saved_value_is_found():
    data = _prefixed(cached=False)
    # calamine reads the prefixed sheet, the formula cell as nothing: only the gate can tell
    assert CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python() == [["x"], [5.0]]
    assert check_bytes_safety(data).formulas == {"Sheet": {"B1": False}}


def test_prefixed_formula_with_a_saved_value_is_found():
    assert check_bytes_safety(_prefixed(cached=True)).formulas == {"Sheet": {"B1": True}}
