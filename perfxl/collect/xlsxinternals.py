"""Every use of xlsxwriter's private API, in one place.

The master's big sheets are streamed as XML (:mod:`.sheetxml`) beside xlsxwriter, which still
writes everything else; for that the rows need xlsxwriter's own style indexes and its escaping of
control characters.  Neither is public, so they are reached here only, and pyproject.toml pins
xlsxwriter to the range these were tested with; ``tests/test_layering.py`` fails if another module
reaches into xlsxwriter's private names.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.xmlwriter import XMLwriter


def xf_index(cell_format: Any) -> int:
    """The style index (``s="…"``) xlsxwriter gives a cell of this format."""
    return cell_format._get_xf_index()


def has_xf_index(cell_format: Any) -> bool:
    """Whether asking for this format's style index gives one already handed out (asking does
    not change the workbook): xlsxwriter numbers formats in the order they are first used."""
    return cell_format.xf_index is not None or cell_format._get_format_key() in cell_format.xf_format_indices


# "\x01" → _x0001_, as Excel stores a control character in a string
escape_control_characters = XMLwriter._escape_control_characters
