"""Fast rows for the master's big sheets: their ``<sheetData>`` written directly as XML.

xlsxwriter costs ~9 µs per cell through its per-cell API; a district master has over a million
cells.  xlsxwriter still writes everything else of these sheets (columns, freeze panes, filter,
print setup, styles); only the rows are streamed here, in the same inline-string form and with
xlsxwriter's own escaping, then swapped into the finished file.  Every text is an inline string:
nothing written here can become a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, Iterable, Sequence

from xlsxwriter.utility import xl_col_to_name

from ..form.kinds import AMOUNT, DATE, INDEX, INTEGER, TEXT
from ..form.values import EXCEL_CELL_LIMIT, SHOW_BYTES
from ..write.atomic import replacing
from .xlsxinternals import escape_control_characters

_EPOCH = dt.date(1899, 12, 30)
_ESCAPES = re.compile(r"[&<>]")


_NEEDS_WORK = re.compile("[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


def cell_text(value: str) -> str:
    """A text as an inline string holds it: cut to Excel's cell limit, escaped."""
    if len(value) > EXCEL_CELL_LIMIT:  # a 10 MB text cell is reported by validation; the master keeps its start
        value = value[:EXCEL_CELL_LIMIT - 1] + "…"
    if not _NEEDS_WORK.search(value):  # almost every text: nothing to escape
        return value
    value = escape_control_characters(value)
    if _ESCAPES.search(value):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


class SheetData:
    """Rows of one sheet, spooled to a temporary file as ``<row>`` elements."""

    def __init__(self, kinds: Sequence[str], spool: Path | None = None):
        """``spool``: a named file for the rows (one another process reads), else a temporary one."""
        self.kinds = list(kinds)
        self._all_text = [TEXT] * len(self.kinds)
        self.columns = [xl_col_to_name(i) for i in range(len(kinds))]
        self.handle: IO[str] = (tempfile.TemporaryFile("w+", encoding="utf-8", errors=SHOW_BYTES) if spool is None  # noqa: SIM115
                                else open(spool, "w+", encoding="utf-8", errors=SHOW_BYTES))  # noqa: SIM115  (closed by xml())
        self.rows = 0

    @classmethod
    def adopt(cls, kinds: Sequence[str], spool: Path, rows: int) -> SheetData:
        """The rows another process spooled to ``spool`` (closed there), to be swapped in here."""
        data = cls.__new__(cls)
        data.kinds, data._all_text = list(kinds), [TEXT] * len(kinds)
        data.columns = [xl_col_to_name(i) for i in range(len(kinds))]
        data.handle, data.rows = open(spool, encoding="utf-8"), rows  # noqa: SIM115  (closed by xml())
        return data

    def add(self, values: Sequence[Any], styles: Sequence[int], *, all_text: bool = False,
            height: float | None = None, blanks: bool = False) -> None:
        """One row; ``styles`` are xlsxwriter xf indexes per column, ``height`` its height in points
        (None: the client's default); ``blanks``: empty cells are written too, with their style (a
        ruled table keeps its lines where a value is missing)."""
        self.rows += 1
        r = str(self.rows)
        kinds, columns = (self._all_text if all_text else self.kinds), self.columns
        parts = [f'<row r="{r}">' if height is None else f'<row r="{r}" ht="{height:g}" customHeight="1">']
        text_at: list[int] = []  # where in parts each text sits, for escaping
        for col, value in enumerate(values):
            if value is None or value == "":
                if blanks:
                    parts.append(f'<c r="{columns[col]}{r}" s="{styles[col]}"/>')
                continue
            kind = kinds[col]
            if kind != TEXT:
                number = _number(kind, value)
                if number is not None:
                    parts.append(f'<c r="{columns[col]}{r}" s="{styles[col]}"><v>{number}</v></c>')
                    continue
            text = value if isinstance(value, str) else str(value)
            space = ' xml:space="preserve"' if text != text.strip() else ""
            parts.append(f'<c r="{columns[col]}{r}" s="{styles[col]}" t="inlineStr"><is><t{space}>')
            text_at.append(len(parts))
            parts.append(text)
            parts.append("</t></is></c>")
        parts.append("</row>")
        # One check for the whole row: most rows need no escaping and no cut (tab is allowed in XML).
        texts = "\t".join(parts[i] for i in text_at)
        if len(texts) > EXCEL_CELL_LIMIT or _NEEDS_WORK.search(texts):
            for i in text_at:
                parts[i] = cell_text(parts[i])
        self.handle.write("".join(parts))

    def xml(self) -> Iterable[bytes]:
        """The ``<sheetData>`` element as UTF-8, read back from the spool's bytes (no decoding)."""
        self.handle.flush()
        raw = self.handle.buffer
        raw.seek(0)
        yield b"<sheetData>"
        while chunk := raw.read(1 << 20):
            yield chunk
        yield b"</sheetData>"
        self.handle.close()


def _number(kind: str, value: Any) -> str | None:
    """The ``<v>`` of a numeric cell, or None to write the value as text."""
    if isinstance(value, bool):
        return None
    if kind == AMOUNT:
        try:
            number = float(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return None
        return repr(number) if math.isfinite(number) else None  # NaN/Infinity: text, never <v>nan</v>
    if kind in (INTEGER, INDEX) and isinstance(value, (int, float)):
        return repr(value) if math.isfinite(value) else None
    if kind == DATE and isinstance(value, str):
        try:
            return str((dt.date.fromisoformat(value) - _EPOCH).days)
        except ValueError:
            return None
    return None


_SHEET_DATA = re.compile(r"<sheetData/>|<sheetData>.*?</sheetData>", re.S)
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


def swap_sheet_data(path: Path, sheets: dict[int, SheetData]) -> None:
    """Replace the (empty) ``<sheetData>`` of worksheets ``sheetN.xml`` (1-based, in the order they
    were added) with the spooled rows, keeping every other part byte for byte."""
    with replacing(path) as rows_added:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(rows_added, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                number = _sheet_number(info.filename)
                if number not in sheets:
                    target.writestr(info, source.read(info))
                    continue
                _fast_deflate(info)
                data = sheets[number]
                head, tail = _SHEET_DATA.split(source.read(info).decode("utf-8"), maxsplit=1)
                last = f"{xl_col_to_name(max(len(data.kinds), 1) - 1)}{max(data.rows, 1)}"
                head = _DIMENSION.sub(f'<dimension ref="A1:{last}"/>', head)
                with target.open(info, "w") as stream:
                    stream.write(head.encode("utf-8"))
                    for chunk in data.xml():
                        stream.write(chunk)
                    stream.write(tail.encode("utf-8"))


def _fast_deflate(info: zipfile.ZipInfo) -> None:
    """Deflate at level 1 a big streamed sheet: at the default level 6 compressing the master of
    10,000 forms took a third of its writing time, for a file ~15 % smaller.  (zipfile takes
    the level from the ZipInfo: ``compress_level`` since Python 3.13, ``_compresslevel`` before.)"""
    setattr(info, "compress_level" if hasattr(info, "compress_level") else "_compresslevel", 1)


def _sheet_number(name: str) -> int | None:
    match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", name)
    return int(match.group(1)) if match else None
