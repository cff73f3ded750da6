"""What both readers share: one input cell into the form, the form completed in schema order."""

from __future__ import annotations

from typing import Any, Callable

from ..form.kinds import AMOUNT, DATE, INTEGER
from ..form.layout import Layout, Slot, expectation
from ..form.values import (
    ValueProblem,
    convert_cell,
    is_blank,
    set_field,
    text_from_cell,
)
from ..model import FormRecord
from ..problems import IssueSink, Problem

CellGetter = Callable[[int, int], Any]  # (row, col) → the cell's value, "" where there is none


_CODE_FOR_KIND = {AMOUNT: Problem.VALUE_002, DATE: Problem.VALUE_003, INTEGER: Problem.VALUE_005}


def read_slot(record: FormRecord, sink: IssueSink, slot: Slot, raw: Any, ref: str, *,
              formulas: dict[str, bool], date1904: bool = False) -> None:
    """Convert one input cell into the form, remembering its cell; a problem becomes an issue."""
    pointer = slot.path.replace(".", "/")
    record.cells[pointer] = ref
    if ref in formulas and not formulas[ref]:
        sink.add(Problem.CELL_001, cell=ref, field=slot.title, value="（公式）")
        record.reported.add(pointer)
        return
    if is_blank(raw) or slot.reads_as_blank(raw):  # （    年度） on a blank template is no year
        return
    if ref in formulas:
        sink.add(Problem.CELL_002, cell=ref, field=slot.title, value=text_from_cell(raw))
    affixes = slot.text_affixes
    if affixes and isinstance(raw, str):
        raw = _undecorated(raw.strip(), *affixes)
    try:
        value = convert_cell(slot.kind, raw, decimals=slot.decimals, date1904=date1904, unit=slot.unit)
    except ValueProblem:
        sink.add(_CODE_FOR_KIND[slot.kind], cell=ref, field=slot.title, value=text_from_cell(raw),
                 expected=expectation(slot))
        record.reported.add(pointer)
        return
    set_field(record.form, slot.path, value)


def complete_form(record: FormRecord, layout: Layout, indicators: list[dict[str, str]]) -> None:
    """The indicators in, required groups present (so a missing amount is reported at its own
    cell) and keys in the schema's order."""
    for parent in layout.required_parents:
        record.form.setdefault(parent, {})
    record.form[layout.indicator_field] = indicators
    record.form = _in_schema_order(record.form, layout)


def _in_schema_order(form: dict[str, Any], layout: Layout) -> dict[str, Any]:
    """Keys in the schema's order, so `perfxl read` prints forms the way the schema lists them."""
    order = layout.key_order
    ordered: dict[str, Any] = {}
    for key in order[""]:
        if key in form:
            value = form[key]
            if isinstance(value, dict) and key in order:
                value = {child: value[child] for child in order[key] if child in value}
            ordered[key] = value
    return ordered


def _undecorated(text: str, prefix: str, suffix: str) -> str:
    if len(text) > len(prefix) + len(suffix) and text.startswith(prefix) and text.endswith(suffix):
        return text[len(prefix):len(text) - len(suffix)]
    return text
