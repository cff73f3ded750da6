"""A form as the review rules see it: values, amounts, dates, indicators and parsed targets,
each computed once per form (and what depends only on the variant, once per layout).

A value that failed reading or validation is one the rules cannot evaluate: the view leaves it
out (no text, no date, no amount, an indicator without that part), so that a rule skips what it
cannot judge instead of mistaking it for a blank, and every other rule still runs."""

from __future__ import annotations

import datetime as dt
import re
import weakref
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable

from ..form.kinds import LONG_TEXT, TEXT
from ..form.layout import INDICATOR_PARTS, Layout
from ..form.values import canonical_decimal
from ..model import FormRecord
from ..problems import ERROR
from .targets import ParsedTarget, Period, fold, parse_folded_target, parse_period

# --- a form as the rules see it --------------------------------------------------------------
_AMOUNT = re.compile(r"\d+(\.\d+)?")
_NOT_AN_AMOUNT = object()


class _LayoutFacts:
    """What the rules ask of a layout, worked out once per layout instead of once per form:
    amount fields, required paths, text slots, the framework's order, titles of fields."""

    def __init__(self, layout: Layout):
        self.layout = layout
        variant = layout.variant
        self.amount_fields = self._amount_fields()
        self.required = variant.required_paths()
        self.slot_paths: dict[tuple[str, ...], tuple[str, ...]] = {}
        pairs = [(l1, l2) for l1, l2s in layout.framework.items() for l2 in l2s]
        self.pairs = pairs
        self.pair_order: dict[tuple[str, str], int] = {}
        for position, pair in enumerate(pairs):
            self.pair_order.setdefault(pair, position)  # as list.index: the first
        self.levels = {"level1": set(layout.framework), "level2": {l2 for l1, l2 in pairs}}
        self._has_field: dict[str, bool] = {}
        self._known_levels: dict[tuple[str, tuple[str, ...]], list[str]] = {}

    def _amount_fields(self) -> dict[str, str]:
        """Dotted path → title of every amount field, found by the schema's x-perfxl-kind."""
        variant = self.layout.variant
        found: dict[str, str] = {}

        def walk(node: dict[str, Any], prefix: str) -> None:
            for key, sub in variant.resolve(node).get("properties", {}).items():
                sub = variant.resolve(sub)
                if sub.get("x-perfxl-kind") == "amount":
                    found[prefix + key] = sub.get("title", key)
                elif sub.get("type") == "object":
                    walk(sub, f"{prefix}{key}.")

        walk(variant.schema, "")
        return found

    def paths_of(self, kinds: tuple[str, ...]) -> tuple[str, ...]:
        """Dotted paths of the layout's slots of these kinds, in layout order."""
        if kinds not in self.slot_paths:
            self.slot_paths[kinds] = tuple(slot.path for slot in self.layout.slots if slot.kind in kinds)
        return self.slot_paths[kinds]

    def known_levels(self, level: str, names: tuple[str, ...]) -> list[str]:
        """Those of ``names`` that are 一级 (level="level1") or 二级 (level="level2") names of the
        framework, in the order given."""
        key = (level, names)
        known = self._known_levels.get(key)
        if known is None:
            in_framework = self.levels[level]
            known = self._known_levels[key] = [name for name in names if name in in_framework]
        return known

    def has_field(self, path: str) -> bool:
        if path not in self._has_field:
            try:
                self.layout.variant.field_schema(path)
            except KeyError:
                self._has_field[path] = False
            else:
                self._has_field[path] = True
        return self._has_field[path]


_FACTS: "weakref.WeakKeyDictionary[Layout, _LayoutFacts]" = weakref.WeakKeyDictionary()


_last: tuple[Layout | None, _LayoutFacts | None] = (None, None)


def _facts(layout: Layout) -> _LayoutFacts:
    global _last
    last_layout, facts = _last
    if layout is last_layout:  # forms come in runs of one variant; a weak-key look-up makes a weakref
        return facts  # type: ignore[return-value]
    facts = _FACTS.get(layout)
    if facts is None:
        facts = _FACTS[layout] = _LayoutFacts(layout)
    _last = (layout, facts)
    return facts


class _once:
    """Like functools.cached_property, computed on first access and then a plain attribute, but
    without the lock that cached_property takes on Python < 3.12 (a FormView is one thread's)."""

    def __init__(self, compute: Any):
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __get__(self, view: Any, owner: type | None = None) -> Any:
        if view is None:
            return self
        value = view.__dict__[self.name] = self.compute(view)
        return value


class _PathParts(dict):  # type: ignore[type-arg]
    """A dotted path split once, not on every look-up (rules ask the same few paths): a plain
    dict, so a hit is one look-up in C; emptied when full so it stays bounded."""

    def __missing__(self, path: str) -> tuple[str, ...]:
        if len(self) >= 1024:
            self.clear()
        parts = self[path] = tuple(path.split("."))
        return parts


_path_parts = _PathParts().__getitem__


@dataclass(slots=True)
class Indicator:
    """One row of the indicator table, read once per form: the rules share these values."""

    index: int
    item: dict[str, Any]
    name: str  # 三级指标, stripped; "" when blank or not text
    folded_name: str  # the name as compared: NFKC, no whitespace
    folded_target: str | None  # 年度指标值 as compared; None when it is not text
    target: ParsedTarget | None  # the 年度指标值 read; None when blank or not text
    unread: frozenset[str] = frozenset()  # parts that failed reading or validation (left out of item)

    @property
    def label(self) -> str:
        return _label(self.index, self.item)


class FormView:
    """One form: values by dotted path, the cell and title of each pointer, parsed targets.
    What several rules need (texts, amounts, the indicator rows with their names and targets
    read and folded) is worked out once per form and kept."""

    def __init__(self, record: FormRecord, layout: Layout):
        self.record = record
        self.layout = layout
        self.form: dict[str, Any] = record.form if isinstance(record.form, dict) else {}
        self.framework: dict[str, list[str]] = layout.framework
        self.unit: str = layout.amount_unit
        self.facts = _facts(layout)
        self._texts: dict[str, str] = {}
        self._chars: dict[str, int] = {}
        self._present: dict[str, set[str]] = {}
        self._satisfaction: dict[tuple[Any, Any], list[Indicator]] = {}
        self.unreadable: frozenset[str] = unreadable_pointers(record)

    # --- values ---------------------------------------------------------------------------
    def valid(self, path: str) -> bool:
        """Whether the value at a dotted path (or pointer) can be evaluated: neither it nor a group
        holding it failed reading or validation."""
        unreadable = self.unreadable
        return not unreadable or unreadable.isdisjoint(_prefixes(path))

    def get(self, path: str) -> Any:
        """The value at a dotted path as the form holds it, whether valid or not; rules read values
        through the accessors below, which leave out what failed."""
        node: Any = self.form
        for part in _path_parts(path):
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def has_field(self, path: str) -> bool:
        return self.facts.has_field(path)

    def text(self, path: str) -> str:
        """The text at a path, stripped; "" when blank, not text, or invalid (see :meth:`blank`)."""
        text = self._texts.get(path)
        if text is None:
            value = self.get(path) if self.valid(path) else None
            text = self._texts[path] = value.strip() if isinstance(value, str) else ""
        return text

    def blank(self, path: str) -> bool:
        """The field is known to be empty (not merely unreadable)."""
        return not self.text(path) and self.valid(path)

    def integer(self, path: str) -> int | None:
        """A whole number at a path; None when blank, not a whole number, or invalid."""
        value = self.get(path)
        if not isinstance(value, int) or isinstance(value, bool) or not self.valid(path):
            return None
        return value

    def chars(self, path: str) -> int:
        """Characters of the text at a path, whitespace not counted."""
        count = self._chars.get(path)
        if count is None:
            count = self._chars[path] = len("".join(self.text(path).split()))
        return count

    def date(self, path: str) -> dt.date | None:
        """The date at a path; None when blank, not a date, or invalid."""
        if not self.valid(path):
            return None
        value = self.get(path)
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    @_once
    def planned(self) -> tuple[dt.date, dt.date] | None:
        """计划开始/完成日期 when both are dates in order (DATE-001 reports the rest)."""
        start, end = self.date("planned_start"), self.date("planned_end")
        return (start, end) if start and end and start <= end else None

    @_once
    def period(self) -> tuple[str, Period | None]:
        """项目总目标期间: its text and the years it covers (None when blank or unreadable)."""
        text = self.text("goals.overall_period")
        return text, (_PERIODS[text] if text else None)

    @property
    def amount_fields(self) -> dict[str, str]:
        """Dotted path → title of every amount field, found by the schema's x-perfxl-kind."""
        return self.facts.amount_fields

    @_once
    def _amounts(self) -> dict[str, Any]:
        """Every amount field's value read at once (four rules ask for them): a Decimal, None
        when blank, _NOT_AN_AMOUNT when the value is not an amount or failed validation."""
        return {path: _as_amount(self.get(path)) if self.valid(path) else _NOT_AN_AMOUNT
                for path in self.facts.amount_fields}

    def amounts(self, paths: Iterable[str]) -> dict[str, Decimal | None] | None:
        """The amounts at these paths (None where blank); None as a whole when the variant lacks
        one of the fields or a value is not an amount (schema validation reports that): a sum
        cannot be checked without every one of its amounts."""
        known = self._amounts
        result: dict[str, Decimal | None] = {}
        for path in paths:
            value = known.get(path, _NOT_AN_AMOUNT)  # a field the variant lacks is not one either
            if value is _NOT_AN_AMOUNT:
                return None
            result[path] = value
        return result

    @_once
    def indicators(self) -> list[Indicator]:
        """The indicator rows; a part that failed reading or validation is left out of its row
        (its ``unread``), and with the table itself unreadable there are none to judge."""
        field = self.layout.indicator_field
        items = self.form.get(field)
        if not isinstance(items, list) or not self.valid(field):
            return []
        unreadable = self.unreadable
        rows = []
        for index, item in enumerate(items):  # one loop, no call per row: the hottest part of a view
            if not isinstance(item, dict):
                continue
            unread = _NOTHING
            if unreadable:
                unread = _unread_parts(unreadable, f"{field}/{index}", item)
                if unread:
                    item = {key: value for key, value in item.items() if key not in unread}
            name, target = item.get("name"), item.get("target")
            name, folded_name = _NAMES[name] if isinstance(name, str) else ("", "")
            folded_target, parsed = _TARGETS[target] if isinstance(target, str) else (None, None)
            rows.append(Indicator(index, item, name, folded_name, folded_target, parsed, unread))
        return rows

    def unread(self, part: str) -> bool:
        """Whether some indicator's ``part`` (level1, level2, name, target) could not be read: a
        rule about all indicators (none is 定量, none is a 数量指标) cannot then be sure."""
        return any(part in row.unread for row in self.indicators)

    @_once
    def casefolded_text(self) -> str:
        """Every text and long-text field, 三级 name and 年度指标值, case-folded (str.casefold works
        character by character, so a word found in one field is found here) and joined."""
        texts = [self.text(path) for path in self.facts.paths_of((TEXT, LONG_TEXT))]
        for row in self.indicators:
            item = row.item
            name, target = item.get("name"), item.get("target")
            if isinstance(name, str):
                texts.append(name)
            if isinstance(target, str):
                texts.append(target)
        return "\n".join(texts).casefold()

    def present(self, level: str) -> set[str]:
        """The 一级 (level="level1") or 二级 (level="level2") names the indicators use."""
        names = self._present.get(level)
        if names is None:
            names = self._present[level] = {
                value for row in self.indicators if isinstance(value := row.item.get(level), str)}
        return names

    def satisfaction(self, levels: tuple[str, ...], keywords: tuple[str, ...]) -> list[Indicator]:
        """Indicators with a target that measure satisfaction: under a 一级 in ``levels`` or with a
        三级 name containing one of ``keywords``."""
        key = (levels, keywords)
        rows = self._satisfaction.get(key)
        if rows is None:
            has_keyword = _any_of(keywords)
            rows = self._satisfaction[key] = [
                row for row in self.indicators if row.target is not None and (
                    row.item.get("level1") in levels or has_keyword(row.name))]
        return rows

    # --- where ----------------------------------------------------------------------------
    def pointer(self, index: int, part: str) -> str:
        return f"{self.layout.indicator_field}/{index}/{part}"

    def cell(self, pointer: str) -> str:
        return self.record.cells.get(pointer, "")

    def at(self, pointer: str) -> str:
        """``（C6）`` for a message that mentions a second cell; empty when the form came from JSON."""
        cell = self.cell(pointer)
        return f"（{cell}）" if cell else ""

    def title(self, pointer: str) -> str:
        parts = pointer.split("/") if pointer else []
        if len(parts) == 2 and parts[0] == self.layout.indicator_field:
            return self.indicators_title  # a finding about a whole indicator row names the table
        return self.layout.field_title(parts)

    @property
    def indicators_title(self) -> str:
        return self.layout.indicators_title

    def first_indicator_pointer(self) -> str:
        """Where a finding about the indicator table as a whole points: its first 一级 cell."""
        return self.pointer(self.indicators[0].index, "level1") if self.indicators else ""


def unreadable_pointers(record: FormRecord) -> frozenset[str]:
    """The pointers of the values of a form that failed reading or validation: those the reader
    and the schema validation reported (``record.reported``) and those read from a cell with an
    error (a formula without a saved value in the indicator table)."""
    error_cells = {issue.cell for issue in record.issues if issue.severity == ERROR and issue.cell}
    if not error_cells:
        return frozenset(record.reported) if record.reported else _NOTHING
    return frozenset(record.reported).union(
        pointer for pointer, cell in record.cells.items() if cell in error_cells)


_NOTHING: frozenset[str] = frozenset()


@lru_cache(maxsize=4096)
def _prefixes(path: str) -> frozenset[str]:
    """A pointer (a dotted path is written as one) and every group holding it, the form ("") too:
    ``funding/total`` → "", "funding", "funding/total"."""
    parts = path.replace(".", "/").split("/")
    return frozenset(["", *("/".join(parts[:n]) for n in range(1, len(parts) + 1))])


def _unread_parts(unreadable: frozenset[str], row: str, item: dict[str, Any]) -> frozenset[str]:
    if not unreadable.isdisjoint(_prefixes(row)):
        return frozenset(item) | frozenset(INDICATOR_PARTS)  # the whole row
    return frozenset(part for part in INDICATOR_PARTS if f"{row}/{part}" in unreadable)


def _as_amount(value: Any) -> Any:
    if isinstance(value, str):
        return Decimal(value) if _AMOUNT.fullmatch(value) else _NOT_AN_AMOUNT
    return None if value is None else _NOT_AN_AMOUNT


@lru_cache(maxsize=64)
def _any_of(words: tuple[str, ...]) -> Any:
    """Finds whether a text contains one of ``words`` (a match or None), as ``any(w in text for w
    in words)`` but one regex search in C (asked for every indicator)."""
    return re.compile("|".join(re.escape(word) for word in words) or "(?!)").search


class _Memo(dict):  # type: ignore[type-arg]
    """What is worked out from a text, kept per text: a plain dict, so a hit is one look-up
    (an lru_cache hit also reorders its list), emptied when full so it stays bounded."""

    def __init__(self, compute: Any, limit: int):
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, text: str) -> Any:
        if len(self) >= self.limit:
            self.clear()
        value = self[text] = self.compute(text)
        return value


# 三级 names and 年度指标值 are short and the same ones recur on form after form (满意度, ≥90%,
# 100%, 及时 …): each text is stripped, folded and parsed once, not once per form.
def _read_name(text: str) -> tuple[str, str]:
    """A 三级 name stripped, and folded for comparison."""
    name = text.strip()
    return name, fold(name)


def _read_target(text: str) -> tuple[str, ParsedTarget | None]:
    """A 年度指标值 folded for comparison, and read (None when blank)."""
    folded = fold(text)
    return folded, (parse_folded_target(text, folded) if text.strip() else None)


_NAMES = _Memo(_read_name, 8192)
_TARGETS = _Memo(_read_target, 8192)
_PERIODS = _Memo(parse_period, 1024)  # the same few periods (2023年-2025年); a Period is frozen


def _name(item: dict[str, Any]) -> str:
    name = item.get("name")
    return name.strip() if isinstance(name, str) else ""


def indicator_label(index: int, item: dict[str, Any]) -> str:
    """``第 3 条指标“平安志愿者人数”`` or, without a name, ``第 6 条指标（可持续影响指标）``."""
    name = _name(item)
    return f"第 {index + 1} 条指标“{name}”" if name else f"第 {index + 1} 条指标（{item.get('level2', '')}）"


_label = indicator_label




def number_text(value: Decimal) -> str:
    return canonical_decimal(value)


def years_text(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"
