"""A second way to read an .ods, for what python-calamine refuses.

Spreadsheet programs write OpenDocument differently: Gnumeric indents its ``content.xml``, and
calamine stops at the first whitespace text between cells ("Expecting 'table-cell', found Text").
Such a file passed the safety gate already (container, sizes, DTD-free XML, cell bounds), so its
``content.xml`` is parsed here (with defusedxml) into the same rows calamine gives: values by
type (number, date, boolean, text), merged-away cells blank, repeated rows and columns expanded
up to the last non-empty cell and never past the gate's bounds.  :class:`OdsBook` offers the few
calls the reader makes of a calamine workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from defusedxml.ElementTree import fromstring

from ..config import DEFAULT_LIMITS, Limits

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


VISIBLE, HIDDEN = "SheetVisibleEnum.Visible", "SheetVisibleEnum.Hidden"  # as calamine names them


@dataclass(frozen=True)
class SheetMeta:
    name: str
    visible: str


class OdsSheet:
    def __init__(self, rows: list[list[Any]]):
        self.rows = rows

    def to_python(self, skip_empty_area: bool = False, nrows: int | None = None) -> list[list[Any]]:
        return self.rows if nrows is None else self.rows[:nrows]


class OdsBook:
    """An .ods's sheets as rows, with the calls the reader makes of a calamine workbook."""

    def __init__(self, data: bytes, limits: Limits = DEFAULT_LIMITS):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = fromstring(archive.read("content.xml"))
        hidden = {style.get(_q(_STYLE, "name")) for style in root.iter(_q(_STYLE, "style"))
                  if any(props.get(_q(_TABLE, "display")) == "false"
                         for props in style.iter(_q(_STYLE, "table-properties")))}
        self._sheets: dict[str, OdsSheet] = {}
        self.sheets_metadata: list[SheetMeta] = []
        for table in root.iter(_q(_TABLE, "table")):
            name = table.get(_q(_TABLE, "name"), "")
            self._sheets[name] = OdsSheet(_rows(table, limits))
            self.sheets_metadata.append(SheetMeta(name, HIDDEN if table.get(_q(_TABLE, "style-name")) in hidden
                                                  else VISIBLE))
        self.sheet_names = list(self._sheets)

    def get_sheet_by_name(self, name: str) -> OdsSheet:
        return self._sheets[name]

    def close(self) -> None:
        self._sheets.clear()


def _rows(table, limits: Limits) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for row in table.iter(_q(_TABLE, "table-row")):
        cells: list[Any] = []
        for cell in row:
            if cell.tag not in (_q(_TABLE, "table-cell"), _q(_TABLE, "covered-table-cell")):
                continue
            repeat = min(int(cell.get(_q(_TABLE, "number-columns-repeated"), "1")), limits.max_cols)
            value = _value(cell) if cell.tag == _q(_TABLE, "table-cell") else ""
            if value == "" and repeat > 1:
                cells.extend([""] * min(repeat, max(0, limits.max_cols - len(cells))))
            else:
                cells.extend([value] * repeat)
            if len(cells) >= limits.max_cols:
                break
        while cells and cells[-1] == "":
            cells.pop()
        repeat = int(row.get(_q(_TABLE, "number-rows-repeated"), "1"))
        for _ in range(min(repeat, max(0, limits.max_rows - len(rows))) if cells else min(repeat, 1)):
            rows.append(list(cells))
        if len(rows) >= limits.max_rows:
            break
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _value(cell) -> Any:
    kind = cell.get(_q(_OFFICE, "value-type"))
    if kind in ("float", "percentage", "currency"):
        return float(cell.get(_q(_OFFICE, "value"), "0"))
    if kind == "date":
        text = cell.get(_q(_OFFICE, "date-value"), "")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return text
        return moment.date() if "T" not in text else moment
    if kind == "boolean":
        return cell.get(_q(_OFFICE, "boolean-value")) == "true"
    return "\n".join(_text(p) for p in cell.iter(_q(_TEXT, "p")))


def _text(element) -> str:
    """A paragraph's text as shown: <text:s text:c="n"/> is n spaces, tabs and line breaks kept."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == _q(_TEXT, "s"):
            parts.append(" " * int(child.get(_q(_TEXT, "c"), "1")))
        elif child.tag == _q(_TEXT, "tab"):
            parts.append("\t")
        elif child.tag == _q(_TEXT, "line-break"):
            parts.append("\n")
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
