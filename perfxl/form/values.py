"""Turning cell values into form values and back, exactly.

Amounts are canonical decimal strings (no trailing zeros, at most 6 decimals) so that
JSON → Excel → JSON gives back the same digits; Excel stores doubles, and every amount of
up to 15 significant digits survives a double unchanged (``repr`` gives the shortest form).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation, localcontext

from .kinds import AMOUNT, DATE, INTEGER

MAX_DECIMALS = 6
EXCEL_CELL_LIMIT = 32767  # characters in one cell: Excel "repairs" a longer one, xlsxwriter skips it

# patterns as text, compiled (and cached) by re on first use: validating a workbook needs none
_AMOUNT_NOISE = r"[\s_']"
_THOUSANDS = r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?"


class ValueProblem(ValueError):
    """A cell value that cannot be turned into the field's type (the message is not shown)."""


def canonical_decimal(value: Decimal) -> str:
    """``Decimal('5993.9670')`` → ``'5993.967'``; never exponent notation."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


# Units of money and their size in 元: an amount in one converts exactly to another (×/÷ 10ⁿ).
MONEY_UNITS: dict[str, int] = {"元": 1, "千元": 1_000, "万元": 10_000, "亿元": 100_000_000}


def convert_money(amount: Decimal, unit: str, to_unit: str) -> Decimal:
    """``amount`` in ``unit`` expressed in ``to_unit`` (both in :data:`MONEY_UNITS`), exactly:
    the factors are powers of ten, so the result is the same digits with the point moved (the
    precision is raised so that no digit is rounded off)."""
    if unit == to_unit:
        return amount
    with localcontext() as context:
        context.prec = max(28, len(amount.as_tuple().digits) + 20)
        return amount * MONEY_UNITS[unit] / MONEY_UNITS[to_unit]


def amount_from_cell(value: object, max_decimals: int = MAX_DECIMALS, unit: str = "") -> str:
    """A cell value (number or text) as a canonical amount string with at most ``max_decimals``."""
    if isinstance(value, bool):
        raise ValueProblem(value)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueProblem(value)
        number = Decimal(repr(value))
    elif isinstance(value, str):
        # Units type 1,234.5 or full-width １２３ or leave spaces: what they meant is clear.
        text = re.sub(_AMOUNT_NOISE, "", unicodedata.normalize("NFKC", value))
        # The form's own unit may be typed after the number; any other (元 in a 万元 form is
        # 10,000 times off) is refused, never silently taken.
        text = text.removesuffix(unit) if unit else text
        if text.endswith("元"):
            raise ValueProblem(value)
        if "," in text or "，" in text:
            # Only a real thousands separator may go: 1,234.5 yes, 1234,5 (a decimal comma?) no.
            text = text.replace("，", ",")
            if not re.fullmatch(_THOUSANDS, text):
                raise ValueProblem(value)
            text = text.replace(",", "")
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise ValueProblem(value)
        try:
            number = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid input
            raise ValueProblem(value) from exc
    else:
        raise ValueProblem(value)
    number = number.normalize()
    if number.as_tuple().exponent < -max_decimals and isinstance(value, float):
        # A formula such as =A1*0.3 leaves float dust (0.30000000000000004): keep 6 decimals
        # when that is what the number means, refuse it when real digits would be lost.
        rounded = number.quantize(Decimal(1).scaleb(-max_decimals)).normalize()
        if abs(rounded - number) <= Decimal("1e-9") * max(1, abs(number)):
            number = rounded
    if number < 0 or number.as_tuple().exponent < -max_decimals:
        raise ValueProblem(value)
    return canonical_decimal(number)


def amount_to_cell(amount: str) -> float:
    """The number Excel stores for an amount string."""
    return float(Decimal(amount))


_DATE_TEXT = r"(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?"  # text, as _AMOUNT_NOISE
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def date_from_cell(value: object, *, date1904: bool = False) -> str:
    """A date cell, a serial number or date text (2023.1.1, 2023. 1. 1, 2023/1/1, 2023年1月1日,
    2023-01-01) as an ISO date string."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise ValueProblem(value)
        epoch = dt.date(1904, 1, 1) if date1904 else _EXCEL_EPOCH
        return (epoch + dt.timedelta(days=int(value))).isoformat()
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        match = re.fullmatch(_DATE_TEXT, text)
        if match is None and re.fullmatch(r"\d{8}", text):
            match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
        if match is None:
            raise ValueProblem(value)
        try:
            return dt.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError as exc:
            raise ValueProblem(value) from exc
    raise ValueProblem(value)


def date_to_cell(iso: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(iso), dt.time())


def integer_from_cell(value: object) -> int:
    """A whole number from a number cell or from text such as ``2023`` or ``（2023年度）``."""
    if isinstance(value, bool):
        raise ValueProblem(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueProblem(value)
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value)
        digits = re.fullmatch(r"\s*[(（]?\s*(\d{1,9})\s*(年度?)?\s*[)）]?\s*", text)
        if digits:
            return int(digits.group(1))
    raise ValueProblem(value)


def text_from_cell(value: object) -> str:
    """Text as the form holds it: surrounding whitespace dropped, numbers shown as typed."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return str(value)
    return "" if value is None else str(value)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def convert_cell(kind: str, raw: object, *, decimals: int = MAX_DECIMALS, date1904: bool = False,
                 unit: str = "") -> object:
    """A raw cell value as the field kind (see :mod:`perfxl.form.kinds`) wants it."""
    if kind == AMOUNT:
        return amount_from_cell(raw, decimals, unit)
    if kind == DATE:
        return date_from_cell(raw, date1904=date1904)
    if kind == INTEGER:
        return integer_from_cell(raw)
    return text_from_cell(raw)  # text, long text and choices: the schema checks the choice


def get_field(form: object, path: str) -> object:
    """The value at a dotted field path (``funding.total``), or None where the form has none."""
    node = form
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def set_field(form: dict, path: str, value: object) -> None:
    """Set a dotted field path, creating the groups on the way."""
    *parents, last = path.split(".")
    node = form
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


# File names are bytes on Linux: one that is not UTF-8 comes to Python with lone surrogates
# (U+DC80–U+DCFF), which no UTF-8 file can hold.  Every text file perfxl writes uses this error
# handler, so such a name is written as the bytes it has (\xff) instead of failing the export.
SHOW_BYTES = "perfxl-show-bytes"


def _show_bytes(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start:error.end]
    shown = "".join(f"\\x{ord(ch) - 0xDC00:02x}" if 0xDC80 <= ord(ch) <= 0xDCFF else f"\\u{ord(ch):04x}"
                    for ch in bad)
    return shown, error.end


codecs.register_error(SHOW_BYTES, _show_bytes)


def shown_text(text: str) -> str:
    """``text`` as it can be written to any UTF-8 file (see :data:`SHOW_BYTES`)."""
    return text.encode("utf-8", SHOW_BYTES).decode("utf-8")
