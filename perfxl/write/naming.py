"""Names every system accepts: file names for Windows, macOS and Linux, sheet names for Excel."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Callable, Iterable

from ..form.identity import INSTRUCTIONS_SHEET, LISTS_SHEET, META_SHEET

_RESERVED_SHEET_NAMES = {"history", META_SHEET.lower(), LISTS_SHEET.lower(), INSTRUCTIONS_SHEET}


_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


_RESERVED_FILE_NAMES = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\.|$)", re.IGNORECASE)
MAX_NAME_BYTES = 120  # of UTF-8: room for suffixes (.问题清单.xlsx, (2)) under the 255 bytes file systems allow


def safe_file_name(text: str) -> str:
    """A file name Windows, macOS and Linux all accept: no reserved characters, not a name
    Windows reserves (CON, NUL, COM1 …, with any extension), and at most :data:`MAX_NAME_BYTES`
    bytes, a long one shortened with a stable hash of the whole name so two long names that
    start alike stay apart."""
    name = _BAD_FILE_CHARS.sub("_", text).strip().strip(".") or "未命名"
    if _RESERVED_FILE_NAMES.match(name):
        name = "_" + name
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        while len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES - 9:
            name = name[:-1]
        name = f"{name.rstrip()}~{digest}"
    return name


def unique_file_names(names: Iterable[str], *, taken: Iterable[str] = (),
                      aliases: Callable[[str], Iterable[str]] = lambda name: ()) -> list[str]:
    """Each name, or the first free ``stem(2).suffix``, ``stem(3).suffix`` …: names compared
    ignoring case, as Windows and macOS compare them, in the order given, so the same names
    always give the same result.  ``taken``: names already in use; ``aliases(name)``: other
    names writing ``name`` may produce, kept free as well."""
    used = {name.lower() for name in taken}
    result = []
    for name in names:
        path, candidate, counter = Path(name), name, 2
        while _claims(candidate, aliases) & used:
            candidate = f"{path.stem}({counter}){path.suffix}"
            counter += 1
        used |= _claims(candidate, aliases)
        result.append(candidate)
    return result


def _claims(name: str, aliases: Callable[[str], Iterable[str]]) -> set[str]:
    return {name.lower(), *(alias.lower() for alias in aliases(name))}


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    while _utf16_len(text) > limit:
        text = text[:-1]
    return text


def safe_sheet_names(names: Iterable[str]) -> list[str]:
    """Excel-legal, unique sheet names: no []:*?/\\, no leading/trailing apostrophe, at most 31
    UTF-16 units (Excel counts an emoji as two), not the reserved ``History``, unique ignoring case."""
    result: list[str] = []
    seen: set[str] = set(_RESERVED_SHEET_NAMES)
    for raw in names:
        base = _BAD_SHEET_CHARS.sub("_", raw).strip().strip("'").strip() or "项目"
        candidate = _clip(base, 31)
        counter = 2
        while candidate.lower() in seen:
            suffix = f"({counter})"
            candidate = _clip(base, 31 - len(suffix)) + suffix
            counter += 1
        seen.add(candidate.lower())
        result.append(candidate)
    return result
