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


def read_slots(record: FormRecord, sink: IssueSink, layout: Layout, cell: CellGetter, *,
               formulas: dict[str, bool], date1904: bool = False) -> None:
    """Every input cell of the layout into the form, as :func:`read_slot` reads each (the same
    steps, the same order): what depends only on the slot is worked out once per layout, and a
    value seen before is not converted again (the same amounts, dates and years recur)."""
    cells, form = record.cells, record.form
    memo = _CONVERTED
    for slot, row, col, pointer, ref, blank_text, affixes, convert, parents, last in _slot_plan(layout):
        raw = cell(row, col)
        if ref in formulas:  # a formula cell: the general path
            read_slot(record, sink, slot, raw, ref, formulas=formulas, date1904=date1904)
            continue
        cells[pointer] = ref
        if raw is None:
            continue
        if type(raw) is str:
            if not raw.strip() or (blank_text and slot.reads_as_blank(raw)):
                continue
            if affixes:
                raw = _undecorated(raw.strip(), *affixes)
        elif isinstance(raw, str):  # a str of another type: the general path
            del cells[pointer]
            read_slot(record, sink, slot, raw, ref, formulas=formulas, date1904=date1904)
            continue
        if convert is None:
            value = text_from_cell(raw)
        else:
            key = (convert, date1904, type(raw), raw)
            try:
                value = memo.get(key, _UNSEEN)
            except TypeError:  # not hashable: converted every time
                key, value = None, _UNSEEN
            if value is _UNSEEN:
                try:
                    value = convert_cell(slot.kind, raw, decimals=slot.decimals, date1904=date1904, unit=slot.unit)
                except ValueProblem:
                    value = _REFUSED
                if key is not None:
                    if len(memo) >= 8192:
                        memo.clear()
                    memo[key] = value
            if value is _REFUSED:
                sink.add(_CODE_FOR_KIND[slot.kind], cell=ref, field=slot.title, value=text_from_cell(raw),
                         expected=expectation(slot))
                record.reported.add(pointer)
                continue
        node = form
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value


_UNSEEN, _REFUSED = object(), object()
# (the slot's conversion, the date system, the raw value's type and value) → the converted value
# or _REFUSED; the type is part of the key since 1 == 1.0 == True and each converts differently.
_CONVERTED: dict[tuple[Any, ...], Any] = {}
_SLOT_PLANS: dict[Layout, tuple[tuple[Any, ...], ...]] = {}


def _slot_plan(layout: Layout) -> tuple[tuple[Any, ...], ...]:
    """Per slot, once per layout: its cell, pointer, address, blank print, text affixes, what its
    conversion depends on (None for text, converted as itself) and its path split."""
    plan = _SLOT_PLANS.get(layout)
    if plan is None:
        rows = []
        for slot in layout.slots:
            *parents, last = slot.path.split(".")
            convert = (slot.kind, slot.decimals, slot.unit) if slot.kind in _CODE_FOR_KIND else None
            rows.append((slot, slot.area.first_row, slot.area.first_col, slot.path.replace(".", "/"), slot.area.ref,
                         bool(slot.blank_text or slot.checkboxes), slot.text_affixes, convert, tuple(parents), last))
        plan = _SLOT_PLANS[layout] = tuple(rows)
    return plan


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
