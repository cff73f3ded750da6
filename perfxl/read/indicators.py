"""The indicator table: rows under the header, 一级/二级 carried down over their merged cells.

Both readers read the table the way it prints: a 一级 or 二级 cell merged over several rows holds
its text in its top cell only, so a blank one carries down from the row above (:class:`CarryDown`,
shared by the fixed-position reader below and the label-anchored one in :mod:`.anchored`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..form.layout import COMPUTED, FORMULA, INPUT, LOCKED, Layout
from ..form.values import text_from_cell
from ..model import FormRecord
from ..problems import IssueSink, Problem

# The indicator block is read no further than this many rows below its header: a form holds at
# most a few hundred indicators, and a sheet whose used range was blown up to A1:XFD1048576 (a WPS
# and LibreOffice artefact) must not cost a million empty rows.
MAX_INDICATOR_ROWS = 1000


@dataclass
class CarryDown:
    """一级/二级 as printed over merged cells: they hold until the next one appears.  The refs are
    where the carried value really is: the merged cell's top."""

    field: str  # the form's indicator field (layout.indicator_field)
    level1: str = ""
    level2: str = ""
    level1_ref: str = ""
    level2_ref: str = ""

    def new_level1(self, text: str, ref: str) -> None:
        self.level1, self.level2 = text, ""
        self.level1_ref = self.level2_ref = ref

    def new_level2(self, text: str, ref: str) -> None:
        self.level2, self.level2_ref = text, ref

    def item(self, record: FormRecord, sink: IssueSink, index: int, row: int, name: str, target: str,
             name_ref: str, target_ref: str, level2_ref: str,
             others: tuple[tuple[str, str, str], ...] = ()) -> dict[str, str] | None:
        """The indicator of this row under the carried levels, its cells recorded in ``record``
        (``level2_ref``: the row's own 二级 cell, for an indicator without a 二级; ``others``: the
        row's further form columns as (part, text, cell)); None, with a LAYOUT-002 warning, when no
        一级 has been seen yet."""
        if not self.level1:
            sink.add(Problem.LAYOUT_002, cell=name_ref, value=row + 1)
            return None
        item = {"level1": self.level1, "level2": self.level2} if self.level2 else {"level1": self.level1}
        if name:
            item["name"] = name
        if target:
            item["target"] = target
        at = f"{self.field}/{index}/"
        cells = record.cells
        cells[at + "level1"] = self.level1_ref
        cells[at + "level2"] = self.level2_ref if self.level2 else level2_ref
        cells[at + "name"] = name_ref
        cells[at + "target"] = target_ref
        for part, text, ref in others:
            if text:
                item[part] = text
            cells[at + part] = ref
        return item


def read_indicators(rows: list[list[Any]], layout: Layout, record: FormRecord,
                    sink: IssueSink) -> list[dict[str, str]]:
    """Indicator rows under the header at the layout's columns: the levels, the 三级指标 and
    年度指标值, and any further column the layout data has (实际完成值, 得分 …):
    read into the form where the column is a form value on the row's class (input or pre-filled),
    into ``record.outputs`` where perfxl fills it (分值, a formula's saved 得分)."""
    areas = layout.indicator_areas
    col1, col2, col_name, col_target = columns = [areas[part].first_col for part in ("level1", "level2", "name", "target")]
    extra = [column for column in layout.indicator_columns if column.part not in ("name", "target")]
    extra_cols = [areas[column.part].first_col for column in extra]
    last = max(columns + extra_cols)
    indicators: list[dict[str, str]] = []
    carry = CarryDown(layout.indicator_field)
    first = layout.first_indicator_row
    refs = _row_refs(layout)
    cells = record.cells
    field = layout.indicator_field
    keys = _ITEM_KEYS.setdefault(field, [])
    for row, values in enumerate(rows[first:first + MAX_INDICATOR_ROWS], start=first):
        if len(values) <= last:
            values = values + [""] * (last + 1 - len(values))
        # the four cells as text; a str (nearly every cell) needs only its strip
        raw = values[col1]
        value1 = raw.strip() if type(raw) is str else text_from_cell(raw)
        raw = values[col2]
        value2 = raw.strip() if type(raw) is str else text_from_cell(raw)
        raw = values[col_name]
        name = raw.strip() if type(raw) is str else text_from_cell(raw)
        raw = values[col_target]
        target = raw.strip() if type(raw) is str else text_from_cell(raw)
        ref1, ref2, name_ref, target_ref = refs[row - first] if row - first < len(refs) else _refs(layout, refs, row - first)
        if value1:
            carry.level1, carry.level2 = value1, ""
            carry.level1_ref = carry.level2_ref = ref1
        if value2:
            carry.level2, carry.level2_ref = value2, ref2
        if extra:
            item = _with_columns(layout, record, sink, carry, extra, extra_cols, values, row, name, target,
                                 len(indicators))
        elif not name and not target:
            continue
        elif not carry.level1:  # as CarryDown.item, inline: the hottest loop of the reader
            sink.add(Problem.LAYOUT_002, cell=name_ref, value=row + 1)
            item = None
        else:
            level2 = carry.level2
            item = {"level1": carry.level1, "level2": level2} if level2 else {"level1": carry.level1}
            if name:
                item["name"] = name
            if target:
                item["target"] = target
            index = len(indicators)
            key1, key2, key_name, key_target = keys[index] if index < len(keys) else _keys(field, keys, index)
            cells[key1] = carry.level1_ref
            cells[key2] = carry.level2_ref if level2 else ref2
            cells[key_name] = name_ref
            cells[key_target] = target_ref
        if item is not None:
            indicators.append(item)
    return indicators


# per layout, per row under the header: the cells of its 一级, 二级, 三级指标 and 年度指标值
_ROW_REFS: dict[Layout, list[tuple[str, str, str, str]]] = {}


def _row_refs(layout: Layout) -> list[tuple[str, str, str, str]]:
    refs = _ROW_REFS.get(layout)
    if refs is None:
        refs = _ROW_REFS[layout] = []
        _refs(layout, refs, 63)  # most forms fit; a longer table extends the list as it is read
    return refs


# per indicator field, per indicator: the pointers of its 一级, 二级, 三级指标 and 年度指标值 in the cell map
_ITEM_KEYS: dict[str, list[tuple[str, str, str, str]]] = {}


def _keys(field: str, keys: list[tuple[str, str, str, str]], index: int) -> tuple[str, str, str, str]:
    while len(keys) <= index:
        at = f"{field}/{len(keys)}/"
        keys.append((at + "level1", at + "level2", at + "name", at + "target"))
    return keys[index]


def _refs(layout: Layout, refs: list[tuple[str, str, str, str]], index: int) -> tuple[str, str, str, str]:
    first = layout.first_indicator_row
    cell = layout.indicator_cell
    while len(refs) <= index:
        row = first + len(refs)
        refs.append((cell("level1", row), cell("level2", row), cell("name", row), cell("target", row)))
    return refs[index]


def _with_columns(layout: Layout, record: FormRecord, sink: IssueSink, carry: CarryDown, extra, extra_cols,
                  values: list[Any], row: int, name: str, target: str, index: int) -> dict[str, str] | None:
    row_class = layout.row_class({"target": target})
    others, outputs = [], []
    for column, col in zip(extra, extra_cols):
        raw = values[col]
        role = column.role(row_class)
        ref = layout.indicator_cell(column.part, row)
        if role in (INPUT, LOCKED):
            others.append((column.part, raw.strip() if type(raw) is str else text_from_cell(raw), ref))
        elif role in (COMPUTED, FORMULA):
            outputs.append((column.part, raw, ref))
    if not name and not target and not any(text for _, text, _ in others):
        return None
    item = carry.item(record, sink, index, row, name, target, layout.indicator_cell("name", row),
                      layout.indicator_cell("target", row), layout.indicator_cell("level2", row), tuple(others))
    if item is not None:
        at = f"{layout.indicator_field}/{index}/"
        for part, raw, ref in outputs:
            record.outputs[at + part] = raw
            record.cells[at + part] = ref
    return item
