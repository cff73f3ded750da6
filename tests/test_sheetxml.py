"""The master's streamed rows: whatever text a form holds comes back from the cell XML as written
(Excel's _xHHHH_ escapes decoded), numbers stay numbers, and nothing breaks the XML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from hypothesis import example, given, settings
from hypothesis import strategies as st

from perfxl.collect.sheetxml import SheetData
from perfxl.form.values import EXCEL_CELL_LIMIT

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
TRICKY = ["&", "<", ">", "\x01", "\x1f", "\r", "\t", "\n", " ", "\u3000", "_x0041_", "_x005F_", "\ufffe", "\uffff",
          "=SUM(A1)", "项目", "😀"]
XML_SPACE = tuple(" \t\n")  # \r is escaped as _x000D_
texts = st.lists(st.sampled_from(TRICKY) | st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
                 max_size=6).map("".join)


def _decoded(text: str) -> str:
    return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _cells(data: SheetData, preserved: set[str] | None = None) -> list[list[tuple[str, str, str]]]:
    """(reference, type, text) of every cell, row by row; the references whose text is marked
    xml:space="preserve" go into ``preserved``."""
    xml = b"".join(data.xml()).replace(b"<sheetData>", f'<sheetData xmlns="{NS[1:-1]}">'.encode(), 1)
    rows = []
    for row in ET.fromstring(xml):
        rows.append([(c.get("r"), c.get("t", "n"), _decoded("".join(c.itertext()))) for c in row])
        if preserved is not None:
            preserved |= {c.get("r") for c in row for t in c.iter(f"{NS}t")
                          if t.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"}
    return rows


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(texts, texts, st.one_of(st.none(), st.decimals(0, 10**9, places=6).map(str))),
                min_size=1, max_size=5))
def test_row_texts_come_back_from_the_xml(rows):
    data = SheetData(["text", "text", "amount"])
    for values in rows:
        data.add(list(values), [1, 2, 3])
    preserved: set[str] = set()
    for number, (values, cells) in enumerate(zip(rows, _cells(data, preserved)), start=1):
        expected = [(f"{col}{number}", "inlineStr", value) for col, value in zip("AB", values[:2]) if value]
        for col, value in zip("AB", values[:2]):  # else a reader may drop the spaces around a text
            if value[:1] in XML_SPACE or value[-1:] in XML_SPACE:
                assert f"{col}{number}" in preserved, value
        if values[2] is not None:
            expected.append((f"C{number}", "n", repr(float(values[2]))))
        assert cells == expected


def test_a_text_longer_than_a_cell_is_cut_and_its_neighbours_are_whole():
    data = SheetData(["text", "text"])
    data.add(["长" * (EXCEL_CELL_LIMIT + 10), "a&b"], [1, 1])
    (first, second), = _cells(data)
    assert len(first[2]) == EXCEL_CELL_LIMIT and first[2].endswith("…") and second[2] == "a&b"


KINDS = ["text", "amount", "integer", "index", "date"]
values = (st.none() | st.just("") | texts | st.sampled_from(["12.5", "-0", "0.000001", "1e5", "inf", "NaN", "１２",
                                                              "2023-01-01", "2023-13-01", " 7"])
          | st.integers(-10**20, 10**20) | st.floats() | st.decimals() | st.booleans()
          | st.lists(texts, max_size=2))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6).flatmap(
    lambda kinds: st.tuples(st.just(kinds), st.lists(st.lists(values, min_size=len(kinds), max_size=len(kinds)),
                                                     min_size=1, max_size=6),
                            st.booleans(), st.booleans(), st.none() | st.floats(1, 409.5))))
@example((["text", "text", "amount"], [["\t项目", "a", "1.5"], ["项目", "a\t", "x"], ["_x0041_", "&", None]], False, True, 15.0))
def test_row_templates_write_what_the_cell_by_cell_path_writes(case):
    """The rows of a common shape go through a template (one per shape): byte for byte what
    writing them cell by cell gives, whatever the values (texts to escape or cut, white space at
    an end, amounts that are not numbers, other types)."""
    kinds, rows, all_text, blanks, height = case
    fast, slow = SheetData(kinds), SheetData(kinds)
    styles = list(range(3, 3 + len(kinds)))
    for row in rows * 2:  # the second time through, each shape's template is known
        fast.add(row, styles, all_text=all_text, blanks=blanks, height=height)
        slow.rows += 1
        slow._add(row, styles, all_text=all_text, blanks=blanks, height=height)
    assert b"".join(fast.xml()) == b"".join(slow.xml())
