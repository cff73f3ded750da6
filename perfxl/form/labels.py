"""Which label names which field: read from the layout's geometry, for the reader that finds a
form by its labels (:mod:`perfxl.read.anchored`).  A slot's label is the label cell ending just
left of it on its first row, else the one ending just above it in its first column; a cell of a
grid (项目资金's part rows: 其中：当年财政拨款 × 全年预算数) has neither and is named by its row's
label and its column's header together.  perfxl's own cells (layout ``outputs``: 执行率, 得分合计 …)
are named the same way.  So a new variant or kind needs no code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

from .layout import Area, Label, Layout, Output, Slot, label_key


@dataclass(frozen=True)
class Header:
    """A grid cell's column header: the label above it in its column, other cells between."""

    label: Label
    key: str
    occurrence: int


@dataclass(frozen=True)
class Binding:
    """A slot and the label that names it: the value is right of the label, or below it; or, with
    a ``header``, on the label's row in the header's column."""

    slot: Slot
    label: Label
    key: str
    below: bool
    occurrence: int  # which occurrence of this label text, in reading order (其他资金 is there twice)
    header: Header | None = None


@dataclass(frozen=True)
class OutputBinding:
    """One of perfxl's own cells and the label that names it, as a slot's (:class:`Binding`)."""

    output: Output
    label: Label
    key: str
    below: bool
    occurrence: int
    header: Header | None = None


@cache
def bindings(layout: Layout) -> tuple[Binding, ...]:
    """Each slot's label from the layout geometry: the label cell ending just left of the slot on
    its first row, else the label cell ending just above it in its first column, else its row's
    label with its column's header."""
    return tuple(Binding(slot, *found) for slot, found in zip(layout.slots, _named(layout)[0]) if found is not None)


@cache
def output_bindings(layout: Layout) -> tuple[OutputBinding, ...]:
    """Each output cell's label, found as a slot's is."""
    return tuple(OutputBinding(output, *found) for output, found in zip(layout.outputs, _named(layout)[1])
                 if found is not None)


_Found = tuple[Label, str, bool, int, "Header | None"]


@cache
def _named(layout: Layout) -> tuple[list[_Found | None], list[_Found | None]]:
    """The label (and header) of every slot and output.  A row that needs headers is a grid row:
    every cell on it under a header is read in its header's column, the one beside its row label
    too (a blank 年初预算数 must not pass its label on to the 全年预算数 after it)."""
    labels = sorted((label for label in layout.labels if label_key(label.text)),
                    key=lambda l: (l.area.first_row, l.area.first_col))
    areas = [slot.area for slot in layout.slots] + [output.area for output in layout.outputs]
    plain = [_label_of(area, labels) for area in areas]
    grid_rows = {_row_label(area, labels) for area, (label, _) in zip(areas, plain) if label is None} - {None}
    found: list[_Found | None] = []
    for area, (label, below) in zip(areas, plain):
        row_label = _row_label(area, labels)
        header = _column_header(area, labels) if row_label in grid_rows else None
        if header is not None:
            found.append((row_label, label_key(row_label.text), False, _occurrence(row_label, labels),
                          Header(header, label_key(header.text), _occurrence(header, labels))))
        elif label is not None:
            found.append((label, label_key(label.text), below, _occurrence(label, labels), None))
        else:
            found.append(None)
    return found[:len(layout.slots)], found[len(layout.slots):]


def _occurrence(label: Label, labels: list[Label]) -> int:
    key = label_key(label.text)
    return [l for l in labels if label_key(l.text) == key].index(label)


def _label_of(area: Area, labels: list[Label]) -> tuple[Label | None, bool]:
    for label in labels:
        if label.area.first_row == area.first_row and label.area.last_col == area.first_col - 1:
            return label, False
    for label in labels:
        if label.area.last_row == area.first_row - 1 and label.area.first_col == area.first_col:
            return label, True
    return None, False


def _row_label(area: Area, labels: list[Label]) -> Label | None:
    """The nearest label left of ``area`` on its first row."""
    left = [l for l in labels if l.area.first_row == area.first_row and l.area.last_col < area.first_col]
    return max(left, key=lambda l: l.area.last_col, default=None)


def _column_header(area: Area, labels: list[Label]) -> Label | None:
    """The nearest label above ``area`` starting in its first column."""
    above = [l for l in labels if l.area.first_col == area.first_col and l.area.last_row < area.first_row]
    return max(above, key=lambda l: l.area.last_row, default=None)


@cache
def label_counts(layout: Layout) -> Counter:
    """How often each label text is printed on the form (every fixed label, headers included)."""
    return Counter(label_key(label.text) for label in layout.all_fixed_labels() if label_key(label.text))


@cache
def known_labels(layout: Layout) -> tuple[str, ...]:
    """Every label key of the form, longest first (so a label is never taken for a shorter one)."""
    return tuple(sorted(label_counts(layout), key=len, reverse=True))


@cache
def slot_label_keys(layout: Layout) -> frozenset[str]:
    return frozenset(binding.key for binding in bindings(layout) if binding.header is None)


@cache
def level_names(layout: Layout) -> tuple[dict[str, str], dict[str, str]]:
    """一级 and 二级 names of the framework by their label key, so 服务对象 满意度指标 is found."""
    level1 = {label_key(name): name for name in layout.framework}
    level2 = {label_key(name): name for names in layout.framework.values() for name in names}
    return level1, level2
