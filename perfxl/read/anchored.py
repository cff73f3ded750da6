"""Reading a form by its labels, the way a person reads the table.

The fixed-position reader (:func:`perfxl.read.workbook.read_sheet`) trusts the template: every label
and value sits where :mod:`perfxl.form.layout` puts it.  Rows or columns inserted into a template, an
edited label, or a form that never came from perfxl (typed from scratch, converted from a PDF)
break that trust.  This reader finds each label anywhere on the sheet instead and reads:

- the value beside it: the first non-empty cell to its right (cells emptied by merging are
  skipped), or below it where the layout puts the value below (项目总目标, 年度总体目标, the
  年度 heading under the title); a label may also carry its value in its own cell
  (``项目总目标 (2023年-2023年)``, ``项目名称：安保经费``);
- the indicator rows under the row holding the indicator headers, columns found by header text,
  一级/二级 carried down over blank cells as merged cells print.

Which label names which field is not written here: it comes from the layout geometry (a slot's
label is the label cell left of it on the same row, else the one just above it), so a new variant
needs no code.  Where the text is truly ambiguous (a value beside no label, a shifted indicator
row, a choice ticked twice or not at all, a label found more often than the layout has it) the
reader warns at that cell (LAYOUT-004) rather than guess silently.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from ..form.kinds import CHOICE
from ..form.labels import (
    Binding,
    Header,
    bindings,
    known_labels,
    label_counts,
    level_names,
    output_bindings,
    slot_label_keys,
)
from ..form.layout import (
    COMPUTED,
    FORMULA,
    INPUT,
    LOCKED,
    Label,
    Layout,
    Slot,
    cell_ref,
    label_key,
    normalise_label,
)
from ..form.values import is_blank, text_from_cell
from ..model import FormRecord
from ..problems import WARNING, Issue, IssueSink, Problem, Unclear, make_issue
from .cells import CellGetter, complete_form, read_slot
from .gate import Scan
from .indicators import CarryDown

# A form is a few columns wide; a sheet whose used range was blown up to XFD must not cost 16384
# columns a row.
MAX_COLUMNS = 100
_LISTED = 5  # labels named one by one in the LAYOUT-003 message; the rest are counted


# --- what the sheet holds --------------------------------------------------------------------
@dataclass(frozen=True)
class Spot:
    """A non-empty cell."""

    row: int
    col: int
    value: Any

    @property
    def ref(self) -> str:
        return cell_ref(self.row, self.col)

    @property
    def text(self) -> str:
        return text_from_cell(self.value)


class SheetText:
    """The non-empty cells of a sheet, by row, with their label keys."""

    def __init__(self, cell: CellGetter, height: int, width: int):
        self.height = height
        self.width = min(width, MAX_COLUMNS)
        self.rows: dict[int, list[Spot]] = {}
        for row in range(height):
            spots = [Spot(row, col, value) for col in range(self.width)
                     if not is_blank(value := cell(row, col))]
            if spots:
                self.rows[row] = spots
        self._keys: dict[tuple[int, int], str] = {}

    def row(self, row: int) -> list[Spot]:
        return self.rows.get(row, [])

    def at(self, row: int, col: int) -> Spot | None:
        return next((spot for spot in self.row(row) if spot.col == col), None)

    def key(self, spot: Spot) -> str:
        where = (spot.row, spot.col)
        if where not in self._keys:
            self._keys[where] = label_key(spot.value) if isinstance(spot.value, str) else ""
        return self._keys[where]

    def spots(self, rows: Iterable[int]) -> Iterable[Spot]:
        for row in rows:
            yield from self.row(row)


# --- finding the labels ----------------------------------------------------------------------
@dataclass
class Located:
    """Where this layout's labels are on a sheet."""

    text: SheetText
    header_row: int | None  # the row of the indicator headers
    columns: dict[str, range]  # indicator part → its columns, from the header cells
    occurrences: dict[str, list[Spot]]  # label key → cells holding it, in reading order
    found: int  # labels found, counted as the layout prints them
    total: int

    @property
    def label_rows_end(self) -> int:
        """Rows above this one hold the labelled fields."""
        return self.header_row if self.header_row is not None else self.text.height

    def has_title(self, layout: Layout) -> bool:
        return bool(self.occurrences.get(label_key(layout.title)))

    def recognised(self, layout: Layout) -> bool:
        """A sheet is this form when most of its labels are there, or its title and indicator table."""
        return self.found * 2 > self.total or (self.has_title(layout) and self.header_row is not None)


def locate(cell: CellGetter, height: int, width: int, layout: Layout) -> Located:
    """Find the indicator header row and every label of ``layout`` on the sheet."""
    text = SheetText(cell, height, width)
    header_row, columns = _find_header(text, layout)
    counts = label_counts(layout)
    limit = header_row if header_row is not None else text.height - 1
    occurrences: dict[str, list[Spot]] = {}
    for spot in text.spots(range(limit + 1)):
        label = _match_label(text.key(spot), known_labels(layout))
        if label is not None:
            occurrences.setdefault(label, []).append(spot)
    found = sum(min(n, len(occurrences.get(key, ()))) for key, n in counts.items())
    return Located(text, header_row, columns, occurrences, found, sum(counts.values()))


def _match_label(key: str, known: tuple[str, ...]) -> str | None:
    """The label a cell holds: exactly, or followed by its value in brackets or after a colon
    (``项目总目标（2023年-2023年``); ``known`` is longest first."""
    if not key:
        return None
    if key in known:
        return key
    for label in known:
        if key.startswith(label) and key[len(label):len(label) + 1] in ("（", "："):
            return label
    return None


def _find_header(text: SheetText, layout: Layout) -> tuple[int | None, dict[str, range]]:
    """The first row holding every indicator header; each part's columns run to the next header."""
    wanted = {label_key(layout.indicator_headers[part]): part for part in layout.indicator_parts}
    for row, spots in sorted(text.rows.items()):
        found = {wanted[text.key(s)]: s.col for s in spots if text.key(s) in wanted}
        if len(found) == len(wanted):
            starts = sorted(found.items(), key=lambda item: item[1])
            ends = [col for _, col in starts[1:]] + [text.width]
            return row, {part: range(col, end) for (part, col), end in zip(starts, ends)}
    return None, {}


# --- reading ---------------------------------------------------------------------------------
@dataclass
class _Reading:
    """One sheet being read: where things are, what has been used, what was found wrong."""

    layout: Layout
    located: Located
    record: FormRecord
    sink: IssueSink
    formulas: dict[str, bool]
    date1904: bool
    used: set[tuple[int, int]] = field(default_factory=set)
    missing: list[Binding] = field(default_factory=list)

    @property
    def text(self) -> SheetText:
        return self.located.text

    def warn(self, spot: Spot, unclear: Unclear, value: object | None = None, **details: object) -> None:
        """LAYOUT-004 at the spot: what was unclear (and whether it was read anyway), never a guess."""
        self.sink.add(Problem.LAYOUT_004, cell=spot.ref, value=spot.text if value is None else value,
                      expected=unclear.say(**details))


def read_by_labels(cell: CellGetter, height: int, width: int, layout: Layout, file: str, sheet: str, *,
                   form_id: str = "", scan: Scan | None = None,
                   template_changes: Sequence[str] | None = None,
                   located: Located | None = None) -> FormRecord | None:
    """Read one form from a sheet by finding its labels; None when the sheet is not this form.

    ``template_changes`` is given when the sheet is a perfxl template that failed the fixed-position
    check: the record then carries ONE LAYOUT-003 warning (those changes plus the labels found away
    from their template cells), and a label found nowhere is also reported at its template cell
    (LAYOUT-001).  For a foreign sheet it is None.  ``located`` saves finding the labels again."""
    located = located or locate(cell, height, width, layout)
    if not located.recognised(layout):
        return None
    scan = scan or Scan("zip")
    record = FormRecord(file=file, sheet=sheet, variant=layout.variant.name, form={}, cells={},
                        form_id=form_id)
    reading = _Reading(layout, located, record, IssueSink(file=file, sheet=sheet),
                       scan.formulas.get(sheet, {}), scan.date1904)
    _warn_repeated_labels(reading)
    for binding in bindings(layout):
        _read_field(reading, binding)
    for slot in _unbound_slots(layout):
        _report_missing(reading, slot, slot.title)
    _read_outputs(reading)
    indicators = _read_indicators(reading)
    lost = _labels_lost(reading, cell) if template_changes is not None else []
    _warn_unplaced(reading)
    complete_form(record, layout, indicators)
    record.issues = reading.sink.issues
    if template_changes is not None:
        changes = [*template_changes, *_label_changes(reading)]
        record.issues[:0] = [structure_warning(file, sheet, changes, by_labels=True), *lost]
    return record


def structure_warning(file: str, sheet: str, changes: Sequence[str], *, by_labels: bool) -> Issue:
    """The one LAYOUT-003 warning of a perfxl sheet whose structure was changed."""
    return make_issue(Problem.LAYOUT_003, file=file, sheet=sheet, expected="；".join(changes) or "表格结构与模板不同",
                      how="按标签文字找到并" if by_labels else "按模板位置")


def _unbound_slots(layout: Layout) -> list[Slot]:
    bound = {binding.slot.path for binding in bindings(layout)}
    return [slot for slot in layout.slots if slot.path not in bound]


def _label_spot(reading: _Reading, binding: Binding) -> Spot | None:
    spots = reading.located.occurrences.get(binding.key, [])
    if len(spots) != label_counts(reading.layout)[binding.key]:
        return None  # not there, or there more or fewer times than the form prints it: see _warn_repeated_labels
    return spots[binding.occurrence]


def _warn_repeated_labels(reading: _Reading) -> None:
    counts = label_counts(reading.layout)
    for key in slot_label_keys(reading.layout):
        spots = reading.located.occurrences.get(key, [])
        if spots and len(spots) != counts[key]:
            for spot in spots:
                reading.used.add((spot.row, spot.col))
                reading.warn(spot, Unclear.REPEATED_LABEL, label=spot.text, found=len(spots), wanted=counts[key])


def _header_spot(reading: _Reading, header: Header) -> Spot | None:
    spots = reading.located.occurrences.get(header.key, [])
    return spots[header.occurrence] if len(spots) == label_counts(reading.layout)[header.key] else None


def _read_field(reading: _Reading, binding: Binding) -> None:
    spot = _label_spot(reading, binding)
    if spot is None:
        if binding.key not in reading.located.occurrences:
            reading.missing.append(binding)
            _report_missing(reading, binding.slot, binding.label.text)
        return
    reading.used.add((spot.row, spot.col))
    if binding.header is not None:
        _read_grid_cell(reading, binding, spot)
        return
    inline = _inline_value(spot, binding, reading)
    # A value beside its label may share the label's cell; a value under its label is looked for
    # under it first (a title edited to 财政项目支出绩效目标表（修改） still has its year below).
    value = None if inline is not None and not binding.below else _value_near(reading, spot, binding)
    if value is not None:
        reading.used.add((value.row, value.col))
        _store(reading, binding.slot, value.value, value)
    elif inline is not None:
        _store(reading, binding.slot, inline, spot)
    else:
        where = (spot.row + 1, spot.col) if binding.below else (spot.row, spot.col + 1)
        reading.record.cells[binding.slot.path.replace(".", "/")] = cell_ref(*where)


def _read_grid_cell(reading: _Reading, binding: Binding, row_label: Spot) -> None:
    """A cell of a grid (项目资金's part rows): on its row label's row, in its header's column."""
    header = _header_spot(reading, binding.header)
    if header is None:
        if binding.header.key not in reading.located.occurrences:
            _report_missing(reading, binding.slot, binding.header.label.text)
        return
    reading.used.add((header.row, header.col))
    value = reading.text.at(row_label.row, header.col)
    if value is not None:
        reading.used.add((value.row, value.col))
        _store(reading, binding.slot, value.value, value)
    else:
        reading.record.cells[binding.slot.path.replace(".", "/")] = cell_ref(row_label.row, header.col)


def _read_outputs(reading: _Reading) -> None:
    """perfxl's own cells (执行率, 得分合计 …), at the same distance from their label (and in their
    header's column) as in the layout: their saved values, only to compare with perfxl's; a
    formula saved without its result (openpyxl) shows nothing to compare."""
    for binding in output_bindings(reading.layout):
        label = _label_spot(reading, binding)
        if label is None:
            continue
        area = binding.output.area
        row = label.row + area.first_row - binding.label.area.first_row
        col = label.col + area.first_col - binding.label.area.first_col
        if binding.header is not None:
            header = _header_spot(reading, binding.header)
            if header is None:
                continue
            row, col = label.row, header.col
        ref = cell_ref(row, col)
        if ref in reading.formulas and not reading.formulas[ref]:
            continue
        spot = reading.text.at(row, col)
        reading.used.add((row, col))
        reading.record.outputs[binding.output.pointer] = spot.value if spot is not None else None
        reading.record.cells[binding.output.pointer] = ref


def _report_missing(reading: _Reading, slot: Slot, label: str) -> None:
    reading.sink.add(Problem.LAYOUT_005, field=slot.title, expected=normalise_label(label),
                     severity=None if slot.required else WARNING)
    reading.record.reported.add(slot.path.replace(".", "/"))


def _inline_value(spot: Spot, binding: Binding, reading: _Reading) -> str | None:
    """The value a label carries in its own cell, for the label's right-hand field (or its only
    one): ``项目总目标 (2023 年-2023 年)`` → ``2023年-2023年``."""
    if reading.text.key(spot) == binding.key:
        return None
    if binding.below and any(b.label == binding.label and not b.below for b in bindings(reading.layout)):
        return None  # the bracketed text belongs to the field beside the label
    rest = _after_label(spot.text, binding.key)
    if normalise_label(rest[:1]) == "（":
        return re.sub(r"\s+", "", rest[1:].rstrip(")）")) or None  # an annotation in brackets: spaces are noise
    return rest[1:].strip() or None  # after a colon


def _after_label(text: str, key: str) -> str:
    """The original text after the shortest start of it that reads as the label ``key``."""
    for end in range(1, len(text) + 1):
        if label_key(text[:end]) == key:
            return text[end:].strip()
    return ""


def _is_label(reading: _Reading, spot: Spot) -> bool:
    return _match_label(reading.text.key(spot), known_labels(reading.layout)) is not None


def _value_near(reading: _Reading, label: Spot, binding: Binding) -> Spot | None:
    return _value_below(reading, label) if binding.below else _value_right(reading, label)


def _value_right(reading: _Reading, label: Spot) -> Spot | None:
    """The first non-empty cell right of a label on its row, unless that is the next label."""
    for spot in reading.text.row(label.row):
        if spot.col > label.col:
            return None if _is_label(reading, spot) else spot
    return None


def _value_below(reading: _Reading, label: Spot) -> Spot | None:
    """The first non-empty cell below a label in its column (above the indicator table)."""
    for row in range(label.row + 1, reading.located.label_rows_end):
        spot = reading.text.at(row, label.col)
        if spot is not None:
            return None if _is_label(reading, spot) else spot
    return None


def _store(reading: _Reading, slot: Slot, raw: Any, spot: Spot) -> None:
    if slot.kind == CHOICE and isinstance(raw, str) and not slot.reads_as_blank(raw):
        raw = _ticked_choice(raw, slot, reading, spot)
        if raw is None:
            reading.record.cells[slot.path.replace(".", "/")] = spot.ref
            return
    read_slot(reading.record, reading.sink, slot, raw, spot.ref, formulas=reading.formulas,
              date1904=reading.date1904)


# --- check boxes -----------------------------------------------------------------------------
_TICKED = re.compile(r"checked|[☑☒✓✔√■▣⊠●◉]", re.IGNORECASE)
_UNTICKED = re.compile(r"checkbox|[□☐○◯]", re.IGNORECASE)


def _ticked_choice(text: str, slot: Slot, reading: _Reading, spot: Spot) -> str | None:
    """A choice cell as printed: one choice, or every choice with a box and one box ticked
    (``专项资金 <input type="checkbox"/> 经常性项目 <input checked="" type="checkbox"/> …``,
    ``□专项资金 ☑经常性项目``).  None, with a warning, when the tick is unclear."""
    by_key = {normalise_label(choice): choice for choice in slot.choices}
    if normalise_label(text) in by_key:
        return by_key[normalise_label(text)]
    places = _choice_places(text, slot.choices)
    if len(places) < 2:
        return text  # not a check-box list: the schema judges the text
    gaps = [text[:places[0][0]]] + [text[a[1]:b[0]] for a, b in zip(places, places[1:])] + [text[places[-1][1]:]]
    before = _mark(gaps[0]) is not None  # boxes printed before their choice (□专项资金) or after it
    marks = [_mark(gaps[i] if before else gaps[i + 1]) for i in range(len(places))]
    ticked = [choice for (_, _, choice), mark in zip(places, marks) if mark]
    if len(ticked) == 1:
        return ticked[0]
    reading.warn(spot, Unclear.TICKED_TWICE, field=slot.title, ticked=len(ticked))
    return None


def _choice_places(text: str, choices: Sequence[str]) -> list[tuple[int, int, str]]:
    """Where each choice is named in the text, longest names first so none hides in another."""
    taken: list[tuple[int, int, str]] = []
    for choice in sorted(choices, key=len, reverse=True):
        for match in re.finditer(r"\s*".join(map(re.escape, choice)), text):  # 经常性 项目 too
            if all(match.end() <= a or match.start() >= b for a, b, _ in taken):
                taken.append((match.start(), match.end(), choice))
    return sorted(taken)


def _mark(text: str) -> bool | None:
    """True for a ticked box, False for an empty one, None where there is no box."""
    if _TICKED.search(text):
        return True
    return False if _UNTICKED.search(text) else None


# --- the indicator table ---------------------------------------------------------------------
def _read_indicators(reading: _Reading) -> list[dict[str, str]]:
    located, layout = reading.located, reading.layout
    if located.header_row is None:
        reading.sink.add(Problem.LAYOUT_005, field=layout.indicators_title,
                         expected="、".join(layout.indicator_headers[p] for p in layout.indicator_parts))
        reading.record.reported.add(layout.indicator_field)
        return []
    carry = CarryDown(layout.indicator_field)
    indicators: list[dict[str, str]] = []
    for row in range(located.header_row + 1, reading.text.height):
        spots = reading.text.row(row)
        if not spots:
            continue
        if _starts_another_form(reading, spots):
            break
        parts = _row_parts(reading, spots)
        if parts is None:
            continue
        item = _indicator(reading, row, parts, carry, len(indicators))
        if item is not None:
            indicators.append(item)
    return indicators


def _starts_another_form(reading: _Reading, spots: list[Spot]) -> bool:
    keys = slot_label_keys(reading.layout) | {label_key(reading.layout.title)}
    return any(reading.text.key(spot) in keys for spot in spots)


def _part_of(reading: _Reading, col: int) -> str | None:
    return next((part for part, cols in reading.located.columns.items() if col in cols), None)


def _kind_of(reading: _Reading, spot: Spot) -> str:
    """What a cell holds by its content: a 一级 name, a 二级 name, or other text."""
    level1, level2 = level_names(reading.layout)
    key = reading.text.key(spot)
    return "level1" if key in level1 else "level2" if key in level2 else "text"


def _row_parts(reading: _Reading, spots: list[Spot]) -> dict[str, Spot] | None:
    """The cells of one indicator row by part.  A row whose cells sit in their columns is read by
    column; a shifted row is read by content, with a warning at its first misplaced cell."""
    if not any(label_key(spot.text) for spot in spots):
        reading.warn(spots[0], Unclear.SYMBOLS_ONLY, _row_text(spots))
        return None
    placed = {spot: _part_of(reading, spot.col) for spot in spots}
    kinds = {spot: _kind_of(reading, spot) for spot in spots}
    # A kind whose schema lists no framework (it copies its target table's levels) knows no level
    # names: any text fits a level column there.
    open_levels = not reading.layout.framework
    fits = [spot for spot in spots if _fits(placed[spot], kinds[spot], open_levels)]
    by_column = len(set(placed.values())) == len(spots) and None not in placed.values()
    if len(fits) == len(spots) and by_column:
        return {placed[spot]: spot for spot in spots}
    odd = next(spot for spot in spots if spot not in fits or list(placed.values()).count(placed[spot]) > 1)
    parts = _parts_by_content(spots, kinds, placed)
    if parts is None and by_column:
        reading.warn(odd, Unclear.ROW_BY_COLUMN, _row_text(spots))
        return {placed[spot]: spot for spot in spots}
    if parts is None:
        reading.warn(odd, Unclear.ROW_SHIFTED, _row_text(spots))
        return None
    reading.warn(odd, Unclear.ROW_BY_CONTENT, _row_text(spots))
    return parts


def _fits(part: str | None, kind: str, open_levels: bool = False) -> bool:
    if kind != "text":
        return part == kind
    return part is not None and (open_levels or part not in ("level1", "level2"))


def _parts_by_content(spots: list[Spot], kinds: dict[Spot, str], placed: dict[Spot, str | None]) -> dict[str, Spot] | None:
    """Level names go to their level; the other texts, in reading order, are the 三级指标 and the
    年度指标值 (a lone text in the target column is the target)."""
    parts: dict[str, Spot] = {}
    for level in ("level1", "level2"):
        found = [spot for spot in spots if kinds[spot] == level]
        if len(found) > 1:
            return None
        if found:
            parts[level] = found[0]
    texts = [spot for spot in spots if kinds[spot] == "text"]
    if len(texts) > 2:
        return None
    if len(texts) == 2:
        parts["name"], parts["target"] = texts
    elif texts:
        parts["target" if placed[texts[0]] == "target" else "name"] = texts[0]
    return parts


def _row_text(spots: list[Spot]) -> str:
    return " | ".join(spot.text for spot in spots)


_SPACED_DECIMAL = re.compile(r"(?<=\d\.)\s+(?=\d)")


def _indicator(reading: _Reading, row: int, parts: dict[str, Spot], carry: CarryDown,
               index: int) -> dict[str, str] | None:
    layout = reading.layout
    level1_names, level2_names = level_names(layout)
    if "level1" in parts:
        spot = parts["level1"]
        carry.new_level1(level1_names.get(reading.text.key(spot), spot.text), spot.ref)
    if "level2" in parts:
        spot = parts["level2"]
        carry.new_level2(level2_names.get(reading.text.key(spot), spot.text), spot.ref)
        if "level1" in parts and carry.level2 not in layout.framework.get(carry.level1, [carry.level2]):
            reading.warn(parts["level1"], Unclear.LEVELS_MISMATCH, _row_text(list(parts.values())),
                         level1=carry.level1, level2=carry.level2)
    for spot in parts.values():
        reading.used.add((spot.row, spot.col))
        _formula_check(reading, spot)
    others, outputs = _other_columns(reading, row, parts)
    if "name" not in parts and "target" not in parts and not any(text for _, text, _ in others):
        return None
    where = {part: parts[part].ref if part in parts else _cell_in(reading, part, row) for part in ("name", "target")}
    name = parts["name"].text if "name" in parts else ""
    target = _SPACED_DECIMAL.sub("", parts["target"].text) if "target" in parts else ""
    item = carry.item(reading.record, reading.sink, index, row, name, target, where["name"], where["target"],
                      _cell_in(reading, "level2", row), others)
    if item is not None:
        at = f"{layout.indicator_field}/{index}/"
        for part, value, ref in outputs:
            reading.record.outputs[at + part] = value
            reading.record.cells[at + part] = ref
    return item


def _other_columns(reading: _Reading, row: int, parts: dict[str, Spot]):
    """The row's columns beyond the levels, 三级指标 and 年度指标值 (the layout data's): form values
    as (part, text, cell), and the saved values of perfxl's own cells as (part, value, cell)."""
    layout = reading.layout
    target = parts["target"].text if "target" in parts else ""
    row_class = layout.row_class({"target": _SPACED_DECIMAL.sub("", target)})
    others, outputs = [], []
    for column in layout.indicator_columns:
        if column.part in ("name", "target"):
            continue
        role = column.role(row_class)
        spot = parts.get(column.part)
        ref = spot.ref if spot is not None else _cell_in(reading, column.part, row)
        if role in (INPUT, LOCKED):
            others.append((column.part, spot.text if spot is not None else "", ref))
        elif role in (COMPUTED, FORMULA) and spot is not None:
            outputs.append((column.part, spot.value, ref))
    return tuple(others), outputs


def _cell_in(reading: _Reading, part: str, row: int) -> str:
    return cell_ref(row, reading.located.columns[part].start)


def _formula_check(reading: _Reading, spot: Spot) -> None:
    if spot.ref in reading.formulas and not reading.formulas[spot.ref]:
        reading.sink.add(Problem.CELL_001, cell=spot.ref, field=reading.layout.indicators_title, value="（公式）")


# --- what is left over -----------------------------------------------------------------------
def _warn_unplaced(reading: _Reading) -> None:
    """Text among the labelled fields that no label claims is shown, never dropped silently."""
    labels = [spot for spots in reading.located.occurrences.values() for spot in spots]
    title = reading.located.occurrences.get(label_key(reading.layout.title), [])
    if not labels:
        return
    first = (title[0].row + 1) if title else min(spot.row for spot in labels)
    for spot in reading.text.spots(range(first, reading.located.label_rows_end)):
        if (spot.row, spot.col) in reading.used or _is_label(reading, spot):
            continue
        reading.warn(spot, Unclear.BESIDE_NO_LABEL)


# --- comparing with the template (perfxl workbooks only) --------------------------------------
def _label_changes(reading: _Reading) -> list[str]:
    """What differs from the template: labels found elsewhere, labels whose text was edited,
    labels not found at all."""
    moved, edited, missing = [], [], []
    for label, spot in _fixed_label_spots(reading):
        if spot is None:
            if label_key(label.text) not in reading.located.occurrences:
                missing.append(f"“{normalise_label(label.text)}”")
            continue
        if (spot.row, spot.col) != (label.area.first_row, label.area.first_col):
            moved.append(f"“{normalise_label(label.text)}”在 {spot.ref}（模板为 {label.area.ref}）")
        elif normalise_label(spot.value) != normalise_label(label.text):
            edited.append(f"{spot.ref}“{spot.text}”")
    changes = []
    if moved:
        changes.append(f"{len(moved)} 个标签不在模板位置：" + "、".join(moved[:_LISTED]) + ("等" if len(moved) > _LISTED else ""))
    if edited:
        changes.append("标签文字被修改：" + "、".join(edited))
    if missing:
        changes.append("没有找到标签：" + "、".join(missing))
    return changes


def _fixed_label_spots(reading: _Reading) -> Iterable[tuple[Label, Spot | None]]:
    """Each fixed label of the template with the cell it was found in (None: not found)."""
    seen: Counter = Counter()
    counts = label_counts(reading.layout)
    for label in sorted(reading.layout.all_fixed_labels(), key=lambda l: (l.area.first_row, l.area.first_col)):
        key = label_key(label.text)
        if not key:
            continue
        spots = reading.located.occurrences.get(key, [])
        index = seen[key]
        seen[key] += 1
        yield label, spots[index] if len(spots) == counts[key] else None


def _labels_lost(reading: _Reading, cell: CellGetter) -> list[Issue]:
    """A field label found nowhere is also reported at its template cell, with what is there now
    (that cell then needs no warning of its own); an error only where the field is required."""
    issues = []
    for binding in reading.missing:
        area = binding.label.area
        there = cell(area.first_row, area.first_col)
        reading.used.add((area.first_row, area.first_col))
        if normalise_label(there) != normalise_label(binding.label.text):
            issues.append(make_issue(Problem.LAYOUT_001, file=reading.record.file, sheet=reading.record.sheet,
                                     cell=area.ref, field=binding.label.text, value=text_from_cell(there),
                                     expected=binding.label.text,
                                     severity=None if binding.slot.required else WARNING))
    return issues
