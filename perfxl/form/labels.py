"""Which label names which field: read from the layout's geometry, for the reader that finds a
form by its labels (:mod:`perfxl.read.anchored`).  A slot's label is the label cell ending just
left of it on its first row, else the one ending just above it in its first column, so a new
variant needs no code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache

from .layout import Label, Layout, Slot, label_key


@dataclass(frozen=True)
class Binding:
    """A slot and the label that names it: the value is right of the label, or below it."""

    slot: Slot
    label: Label
    key: str
    below: bool
    occurrence: int  # which occurrence of this label text, in reading order (其他资金 is there twice)


@cache
def bindings(layout: Layout) -> tuple[Binding, ...]:
    """Each slot's label from the layout geometry: the label cell ending just left of the slot on
    its first row, else the label cell ending just above it in its first column."""
    labels = [label for label in layout.labels if label_key(label.text)]
    in_order = sorted(labels, key=lambda l: (l.area.first_row, l.area.first_col))
    result = []
    for slot in layout.slots:
        label, below = _label_of(slot, labels)
        if label is None:
            continue
        key = label_key(label.text)
        occurrence = [l for l in in_order if label_key(l.text) == key].index(label)
        result.append(Binding(slot, label, key, below, occurrence))
    return tuple(result)


def _label_of(slot: Slot, labels: list[Label]) -> tuple[Label | None, bool]:
    area = slot.area
    for label in labels:
        if label.area.first_row == area.first_row and label.area.last_col == area.first_col - 1:
            return label, False
    for label in labels:
        if label.area.last_row == area.first_row - 1 and label.area.first_col == area.first_col:
            return label, True
    return None, False


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
    return frozenset(binding.key for binding in bindings(layout))


@cache
def level_names(layout: Layout) -> tuple[dict[str, str], dict[str, str]]:
    """一级 and 二级 names of the framework by their label key, so 服务对象 满意度指标 is found."""
    level1 = {label_key(name): name for name in layout.framework}
    level2 = {label_key(name): name for names in layout.framework.values() for name in names}
    return level1, level2
