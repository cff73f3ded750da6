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
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Sequence

from xlsxwriter.utility import xl_col_to_name

from ..form.kinds import AMOUNT, DATE, INDEX, INTEGER, TEXT
from ..form.values import EXCEL_CELL_LIMIT, SHOW_BYTES
from ..write.atomic import replacing
from .xlsxinternals import escape_control_characters

_EPOCH = dt.date(1899, 12, 30)
_ESCAPES = re.compile(r"[&<>]")
_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,300}(?:\.[0-9]{1,300})?\Z")  # ASCII digits only; never inf, nan, 1e5


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


_FAST_TYPES = frozenset({str, int, float, Decimal, type(None)})  # bool is not: _number refuses it
_is_empty = "".__eq__  # True for "", False or NotImplemented for anything else: part of a row's shape
# Texts known to go into a row template as they are (units, names, paths, levels recur row after
# row): checked once each.  Short ones only, and a bounded number of them.
_FINE_TEXTS: set[str] = set()
_FINE_LENGTH, _FINE_COUNT = 200, 4096


def _fine(texts: Sequence[str]) -> bool:
    """Whether each of a row's texts goes into its template as it is: nothing to escape or cut
    (:func:`cell_text` leaves it as it is), no white space at either end (xml:space)."""
    for text in texts:
        if text in _FINE_TEXTS:
            continue
        if len(text) > EXCEL_CELL_LIMIT or _NEEDS_WORK.search(text) or (text and (text[0].isspace() or text[-1].isspace())):
            return False
        if len(text) <= _FINE_LENGTH:
            if len(_FINE_TEXTS) >= _FINE_COUNT:
                _FINE_TEXTS.clear()
            _FINE_TEXTS.add(text)
    return True


def _getter(indexes: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """``itemgetter`` that always gives a tuple."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda values: (values[only],)
    return itemgetter(*indexes) if indexes else (lambda values: ())


class _Shape:
    """Rows of one shape (which cells are empty, text, numbers, of which types): ``row(r, height
    attributes, *numbers, *values)`` gives a row's XML, ``numbers`` being each converted cell's
    column and converter (a whole number goes in as it is); ``texts`` picks the texts to check
    (the str ones: str() of a number has nothing to escape)."""

    __slots__ = ("numbers", "row", "texts")

    def __init__(self, row: Callable[..., str], texts: Sequence[int],
                 numbers: list[tuple[int, Callable[[Any], str | None]]]):
        self.row, self.numbers, self.texts = row, numbers, _getter(texts)

    def __bool__(self) -> bool:
        return True


_CONSTANT = re.compile(r"[^{}'\\\n]*")  # what the generated f-string may hold as it is


class _Plan:
    """A sheet's cells, column by column, and the templates of the row shapes met so far."""

    MAX_SHAPES = 1024  # a hostile mix of types and blanks cannot make it compile without bound

    def __init__(self, columns: Sequence[str], kinds: Sequence[str], styles: Sequence[int], blanks: bool):
        self.columns, self.kinds, self.styles, self.blanks = list(columns), list(kinds), styles, blanks
        self.shapes: dict[Any, _Shape | bool] = {}

    def shape(self, values: Sequence[Any]) -> _Shape | bool:
        """The template of ``values``' shape (False: none, write such rows cell by cell)."""
        types = tuple(map(type, values))
        key = types if "" not in values else (types, tuple(map(_is_empty, values)))
        if len(self.shapes) >= self.MAX_SHAPES:
            return False  # rows of yet another shape: cell by cell (no more templates to compile)
        if len(values) > min(len(self.columns), len(self.kinds), len(self.styles)) or \
                not all(kind in _FAST_TYPES for kind in types) or \
                not all(_CONSTANT.fullmatch(f"{column}{style}") for column, style in zip(self.columns, self.styles)):
            self.shapes[key] = False
            return False
        numbers = []  # where a number is worked out per row, and how
        for i, value in enumerate(values):
            if not (value is None or value == "") and self.kinds[i] != TEXT and not _as_it_is(self.kinds[i], types[i]):
                numbers.append((i, _converter(self.kinds[i], types[i])))
        converted = {at: n for n, (at, _) in enumerate(numbers)}
        # One f-string per shape, compiled once: the cells' fixed parts as they are, the row
        # number, the numbers and the values as its fields (str() of each, as written by hand).
        pieces, texts = ['<row r="{r}"{h}>'], []
        for i, value in enumerate(values):
            column, style = self.columns[i], self.styles[i]
            if value is None or value == "":
                if self.blanks:
                    pieces.append(f'<c r="{column}{{r}}" s="{style}"/>')
            elif self.kinds[i] != TEXT:
                field = f"n{converted[i]}" if i in converted else f"v{i}"
                pieces.append(f'<c r="{column}{{r}}" s="{style}"><v>{{{field}}}</v></c>')
            else:
                pieces.append(f'<c r="{column}{{r}}" s="{style}" t="inlineStr"><is><t>{{v{i}}}</t></is></c>')
                if types[i] is str:
                    texts.append(i)
        pieces.append("</row>")
        names = ["r", "h", *(f"n{n}" for n in range(len(numbers))), *(f"v{i}" for i in range(len(values)))]
        row = eval(f"lambda {', '.join(names)}: f'''{''.join(pieces)}'''", {"__builtins__": {}})  # our own constants
        shape = _Shape(row, texts, numbers)
        self.shapes[key] = shape
        return shape


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
        self._plans: dict[tuple[int, bool, bool], _Plan] = {}

    @classmethod
    def adopt(cls, kinds: Sequence[str], spool: Path, rows: int) -> SheetData:
        """The rows another process spooled to ``spool`` (closed there), to be swapped in here."""
        data = cls.__new__(cls)
        data.kinds, data._all_text = list(kinds), [TEXT] * len(kinds)
        data.columns = [xl_col_to_name(i) for i in range(len(kinds))]
        data.handle, data.rows = open(spool, encoding="utf-8"), rows  # noqa: SIM115  (closed by xml())
        data._plans = {}
        return data

    def add(self, values: Sequence[Any], styles: Sequence[int], *, all_text: bool = False,
            height: float | None = None, blanks: bool = False) -> None:
        """One row; ``styles`` are xlsxwriter xf indexes per column, ``height`` its height in points
        (None: the client's default); ``blanks``: empty cells are written too, with their style (a
        ruled table keeps its lines where a value is missing)."""
        self.rows += 1
        plan = self._plans.get((id(styles), all_text, blanks))
        if plan is None or plan.styles is not styles:
            plan = self._plans[(id(styles), all_text, blanks)] = _Plan(
                self.columns, self._all_text if all_text else self.kinds, styles, blanks)
        # The common row takes a template made for its shape (which cells are empty, text or
        # numbers, of which types): one compiled f-string instead of a dozen pieces per cell.
        # Anything unusual (a text to escape, to cut or with white space at an end, an amount that
        # is not a number, a value of another type) is written cell by cell below; same bytes.
        types = tuple(map(type, values))
        shape = plan.shapes.get(types if "" not in values else (types, tuple(map(_is_empty, values))))
        if shape is None:
            shape = plan.shape(values)
        if shape:
            numbers = [convert(values[i]) for i, convert in shape.numbers]
            texts = shape.texts(values)
            if None not in numbers and (_FINE_TEXTS.issuperset(texts) or _fine(texts)):
                self.handle.write(shape.row(str(self.rows), "" if height is None else f' ht="{height:g}" customHeight="1"',
                                            *numbers, *values))
                return
        self._add(values, styles, all_text=all_text, height=height, blanks=blanks)

    def _add(self, values: Sequence[Any], styles: Sequence[int], *, all_text: bool = False,
             height: float | None = None, blanks: bool = False) -> None:
        """One row, cell by cell (:meth:`add` has counted it)."""
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


def _as_it_is(kind: str, cls: type) -> bool:
    """Whether a value of this type goes into a cell of this kind as %s writes it: a whole number
    (its repr, what :func:`_number` gives)."""
    return cls is int and kind in (INTEGER, INDEX)


_AMOUNT_TEXTS: dict[str, str] = {}  # a form's amount text → its <v>: amounts repeat row after row


def _amount_text(value: str) -> str | None:
    number = _AMOUNT_TEXTS.get(value)
    if number is None:
        number = _number(AMOUNT, value)
        if number is not None:
            if len(_AMOUNT_TEXTS) >= 4096:
                _AMOUNT_TEXTS.clear()  # bounded at any N
            _AMOUNT_TEXTS[value] = number
    return number


def _amount_decimal(value: Decimal) -> str | None:
    """:func:`_number` of an amount that is a Decimal (a parsed 年度指标值's number)."""
    try:
        number = float(value)  # the Decimal's own str() read back is the same Decimal
    except ValueError:  # a signalling NaN
        return None
    return repr(number) if math.isfinite(number) else None


def _converter(kind: str, cls: type) -> Callable[[Any], str | None]:
    """How a value of this type becomes the ``<v>`` of a cell of this kind (None: written as text)."""
    if kind == AMOUNT and cls is str:
        return _amount_text
    if kind == AMOUNT and cls is Decimal:
        return _amount_decimal
    return partial(_number, kind)


def _number(kind: str, value: Any) -> str | None:
    """The ``<v>`` of a numeric cell, or None to write the value as text."""
    if isinstance(value, bool):
        return None
    if kind == AMOUNT:
        cls = value.__class__
        if cls is str and _PLAIN_DECIMAL.match(value):
            # a plain decimal (what a form's amounts are): float() rounds it exactly as float(Decimal()) does
            return repr(float(value))
        try:
            # a Decimal is its own str() read back: float() of it directly is the same number
            number = float(value if cls is Decimal else Decimal(str(value)))
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
