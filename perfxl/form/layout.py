"""Where every field sits on the sheet: the one module that knows cell addresses.

Built from a variant's schema (field kinds, titles, allowed values) and its layout data in
``templates/`` (positions, labels, widths).  The writer places cells through it and the reader
finds them through it; neither has a cell address of its own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property, lru_cache
from typing import Any, Callable, Iterable, Sequence

from .kinds import AMOUNT, CHOICE, DATE, INTEGER, LONG_TEXT, POINTS, TEXT
from .targets import parse_target_cached, target_class
from .variant import Variant, load_variant

# The parts every indicator table has: its two levels, merged over their rows, and the 三级指标
# with its 年度指标值.  A kind's other columns (实际完成值, 得分 …) come from its layout data.
LEVEL_PARTS = ("level1", "level2")
INDICATOR_PARTS = ("level1", "level2", "name", "target")
# What an indicator column is on one row (layout data "roles", by the row's class):
INPUT = "input"  # the unit types it: unlocked, read into the form
LOCKED = "locked"  # pre-filled by the office: locked, read into the form (a change is the unit's)
COMPUTED = "computed"  # a value perfxl works out when writing (分值): locked, not a form field
FORMULA = "formula"  # a live formula from the layout data with perfxl's result cached: not a form field
NONE = "none"  # nothing on this row (a 定性 choice on a 定量 row): locked and blank
ROLES = (INPUT, LOCKED, COMPUTED, FORMULA, NONE)
ANY_CLASS = "*"
# Empty indicator rows under each 二级 of a template (perfxl template --rows); None: the variant's
# own (layout data blank_rows_per_level2), as many as keep a blank template on one A4 page at
# 90 % or more.  More rows come by inserting.
DEFAULT_ROWS: int | None = None

# --- print geometry: what a cell needs to show its text whole ---------------------------------
TICKED, UNTICKED = "☑", "□"  # the boxes of a choice printed as check boxes (专项资金 □  经常性项目 ☑ …)
TEXT_INDENT = 1  # indent level of left-aligned text: the small padding between border and text
_INDENT_WIDTH = 1.5  # width units one indent level takes (LibreOffice 3 spaces, Excel about 9 px)
_CELL_MARGINS = 1.5  # width units a cell's margins and borders take from its text
_LINE_HEIGHT = 1.45  # a line of wrapped text, as a multiple of the font size (Noto/SimSun CJK)
_VERTICAL_PADDING = 6.0  # points above and below the text
MAX_ROW_HEIGHT = 409.5  # Excel's limit for one row, in points
SMALLEST_FONT = 6.0  # points: a text too long for one row at the form's size prints down to this
# Chinese line breaking (避头尾): no line starts with closing punctuation, none ends with opening.
NO_LINE_START = frozenset("，。、；：？！”’）》」』】〕〗〙〛〉］｝…‥·・ー,.;:?!)]}%‰")
NO_LINE_END = frozenset("“‘（《「『【〔〖〘〚〈［｛([{")


@cache  # compiled on first use, not at import: only writing a form wraps text
def _word() -> re.Pattern[str]:
    return re.compile(r"[A-Za-z0-9][A-Za-z0-9.,%‰/:+\-]*")  # Latin words and numbers are not split


_A1 = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")


@lru_cache(maxsize=65536)
def parse_cell(ref: str) -> tuple[int, int]:
    """``"C6"`` (or ``"$C$6"``) → (row, col), 0-based."""
    match = _A1.fullmatch(ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for letter in match.group(1):
        col = col * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, col - 1


def column_letters(col: int) -> str:
    """0 → ``"A"``, 26 → ``"AA"``."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=65536)
def cell_ref(row: int, col: int) -> str:
    """(row, col), 0-based → ``"C6"``: the one place cell addresses are spelled."""
    return f"{column_letters(col)}{row + 1}"


def absolute_ref(row: int, col: int) -> str:
    """(row, col), 0-based → ``"$C$6"``, for a formula or a list source that must not move."""
    return f"${column_letters(col)}${row + 1}"


@dataclass(frozen=True)
class Area:
    """A cell or a merged range, 0-based and inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    @classmethod
    def parse(cls, ref: str) -> "Area":
        first, _, last = ref.partition(":")
        r1, c1 = parse_cell(first)
        r2, c2 = parse_cell(last) if last else (r1, c1)
        return cls(r1, c1, r2, c2)

    @cached_property
    def ref(self) -> str:
        """A1 address of the top-left cell, the one that holds the value."""
        return cell_ref(self.first_row, self.first_col)

    @cached_property
    def range_ref(self) -> str:
        last = cell_ref(self.last_row, self.last_col)
        return self.ref if last == self.ref else f"{self.ref}:{last}"

    @property
    def is_merged(self) -> bool:
        return (self.first_row, self.first_col) != (self.last_row, self.last_col)

    @property
    def columns(self) -> range:
        return range(self.first_col, self.last_col + 1)


@dataclass(frozen=True)
class Label:
    area: Area
    text: str
    style: str = "label"


_TEXT_FORMAT = re.compile(r'"([^"]*)"@"([^"]*)"')


@dataclass(frozen=True)
class Slot:
    """An input cell bound to one form field."""

    path: str  # dotted path into the form, e.g. "funding.total"
    area: Area
    kind: str
    title: str  # the schema's Chinese title, used in messages
    required: bool
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: int = 0
    maximum: int = 2**31 - 1
    decimals: int = 6  # amounts: at most this many decimals (schema x-perfxl-decimals)
    unit: str = ""  # amounts: 万元 or 元 (the variant's amount_unit)
    num_format: str | None = None
    style: str = "input"
    help: str = ""
    pattern: str | None = None  # the schema's pattern for the value (amounts: the canonical form)
    blank_text: str = ""  # what the input shows while it is blank (layout data "blank": （    年度）)
    checkboxes: bool = False  # a choice printed as every option with its box (layout data "print")
    locked: bool = False  # pre-filled by the office and locked (layout data "locked": a self-evaluation's targets)

    def reads_as_blank(self, raw: object) -> bool:
        """Whether a cell holds what an empty input prints (:meth:`Layout.blank_print`), spaces
        and line breaks aside: that is a blank input, never a value."""
        if not isinstance(raw, str) or not (self.blank_text or self.checkboxes):
            return False
        blank = self.blank_text or "".join(f"{choice}{UNTICKED}" for choice in self.choices)
        return normalise_label(raw) == normalise_label(blank)

    @cached_property
    def text_affixes(self) -> tuple[str, str] | None:
        """The literal text a text format prints around the value (``"（"@"）"`` → （, ）): some
        programs save the printed text instead of the value (Gnumeric's .ods), and the reader
        takes the decoration off again."""
        match = _TEXT_FORMAT.fullmatch(self.num_format or "")
        return (match.group(1), match.group(2)) if match else None

    def accepts(self, value: object) -> bool:
        """Whether ``value`` is what the schema allows here by its pattern (an amount that may enter
        a total); without a pattern, any string."""
        return isinstance(value, str) and (self.pattern is None or _matches(self.pattern, value))


def expectation(slot: Slot) -> str:
    """What a slot accepts, in the words of the people who fill the form."""
    if slot.kind == AMOUNT:
        return f"单位{slot.unit}，非负数，最多 {slot.decimals} 位小数"
    if slot.kind == INTEGER:
        return f"{slot.minimum}–{slot.maximum} 之间的整数"
    if slot.kind == DATE:
        return "日期，如 2023-01-01"
    if slot.kind == CHOICE:
        return "、".join(slot.choices)
    return f"文字，最多 {slot.max_length} 个字符" if slot.max_length else "文字"


@dataclass(frozen=True)
class IndicatorColumn:
    """One column of the indicator table beyond its two levels, as the layout data states it: where
    it sits, its header, its kind (from the schema) and its role on each class of row."""

    part: str
    area: Area  # on the header row
    header: str
    title: str  # the schema's title, used in messages
    kind: str  # TEXT, CHOICE or POINTS
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    help: str = ""
    roles: tuple[tuple[str, str], ...] = ((ANY_CLASS, INPUT),)  # (row class, role), "*" for any other
    formulas: tuple[tuple[str, str], ...] = ()  # (row class, formula template), "*" for any other
    num_format: str | None = None

    def role(self, row_class: str) -> str:
        roles = dict(self.roles)
        return roles.get(row_class, roles.get(ANY_CLASS, INPUT))

    def formula(self, row_class: str) -> str | None:
        formulas = dict(self.formulas)
        return formulas.get(row_class, formulas.get(ANY_CLASS))

    @property
    def form_value(self) -> bool:
        """Whether the column ever holds a form field (input or pre-filled), on any row."""
        return any(role in (INPUT, LOCKED) for _, role in self.roles)


@dataclass(frozen=True)
class IndicatorRow:
    """One printed indicator row: its sheet row and what it shows."""

    row: int
    level1: str
    level2: str
    name: str | None = None
    target: str | None = None
    values: tuple[tuple[str, Any], ...] = ()  # every part of the item (the columns beyond the levels)
    row_class: str = ANY_CLASS

    def value(self, part: str) -> Any:
        return dict(self.values).get(part)


@dataclass(frozen=True)
class IndicatorBlock:
    """The 绩效指标 table for one sheet: header, rows and the merges printed over them."""

    header_row: int
    rows: tuple[IndicatorRow, ...]
    level1_merges: tuple[Area, ...]
    level2_merges: tuple[Area, ...]
    side_label: Area

    @property
    def last_row(self) -> int:
        return self.rows[-1].row if self.rows else self.header_row


_INVISIBLE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff]+")
_COLONS = str.maketrans({":": "：", "\u2236": "：", "(": "（", ")": "）"})


def normalise_label(text: object) -> str:
    """Labels compare the way a person reads them: NFKC (full/half width), no whitespace (nor
    zero-width characters), one kind of colon and of bracket."""
    return _normalised(text if isinstance(text, str) else str(text or ""))


@lru_cache(maxsize=8192)  # the same few dozen label texts are compared on every sheet
def _normalised(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return _INVISIBLE.sub("", folded).translate(_COLONS)


def label_key(text: object) -> str:
    """A label as a reader finds it anywhere on a sheet: :func:`normalise_label` without the
    punctuation around it, so ``项目名称：``, ``*项目名称`` and ``# 财政项目支出绩效目标表`` are the
    labels they mean.  Punctuation inside (``其中：财政资金``) stays."""
    text = normalise_label(text)
    start, end = 0, len(text)
    while start < end and not _is_word(text[start]):
        start += 1
    while end > start and not _is_word(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_word(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


WIDE, NARROW = 2.15, 1.1  # a character's width in column units: CJK and full-width, the others


def display_width(text: str) -> float:
    """Width in Excel column units: CJK and full-width characters are about two digits wide."""
    # the same floats summed in the same order as one per character, each looked up once
    return sum(map(_display_widths, text))


class _DisplayWidths(dict):
    """A character's :func:`display_width`, computed on first sight (a master measures the same
    few thousand characters hundreds of thousands of times)."""

    def __missing__(self, ch: str) -> float:
        if len(self) >= 65536:
            self.clear()  # bounded, whatever characters a hostile text brings
        width = self[ch] = WIDE if unicodedata.east_asian_width(ch) in "WF" else NARROW
        return width


_display_widths = _DisplayWidths().__getitem__


class _PrintWidths(dict):
    """A character's width in column units as a CJK font prints it: ambiguous ones (“ ” □ ≥ …)
    and symbols (☑) come out full width there, so they count as wide.  Computed on first sight."""

    def __missing__(self, ch: str) -> float:
        if len(self) >= 65536:
            self.clear()  # bounded, whatever characters a hostile text brings
        wide = unicodedata.east_asian_width(ch) in "WFA" or unicodedata.category(ch) == "So"
        width = self[ch] = WIDE if wide else NARROW
        return width


_print_width = _PrintWidths().__getitem__


def wrap_lines(text: str, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` column units, as a careful Chinese typesetter
    breaks it: anywhere between CJK characters, never inside a Latin word or number, no line
    starting with closing punctuation (，。、”）…) nor ending with opening punctuation (“（《…):
    the character before such a break moves down with it.  Breaking that way never gives fewer
    lines than breaking at the first character that does not fit, so the count is enough for
    either kind of spreadsheet client."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for token in _tokens(paragraph, width):
            # one character's width as it is: the same float as summing it alone (0 + w)
            size = _print_width(token) if len(token) == 1 else sum(map(_print_width, token))
            if line and used + size > width:
                moved = [token]
                while len(line) > 1 and (moved[0][0] in NO_LINE_START or line[-1][-1] in NO_LINE_END):
                    moved.insert(0, line.pop())
                lines.append("".join(line).rstrip())
                while moved and moved[0].isspace():  # a line does not start with the space it broke at
                    moved.pop(0)
                line = moved
                used = sum(_print_width(ch) for t in line for ch in t)
            else:
                line.append(token)
                used += size
        lines.append("".join(line))
    return lines


def fits_one_line(text: str, width: float) -> bool:
    """True only where :func:`wrap_lines` gives ``text`` one line: no line break, and its width
    (with room for the rounding of summing it in other groupings) within ``width``.  Cheaper
    than wrapping for the many short texts of a master's print views."""
    return "\n" not in text and sum(map(_print_width, text)) + 1e-6 * (len(text) + 1) <= width


def text_width(columns: float, font_size: float = 11, indent: int = 0, unit_size: float = 11) -> float:
    """Column units of text one line of a cell ``columns`` units wide holds at ``font_size``
    (:func:`wrap_lines` measures at ``unit_size``), less its margins and ``indent`` levels."""
    return max(columns - _CELL_MARGINS - indent * _INDENT_WIDTH, 1) * unit_size / font_size


def wrapped_height(text: str, columns: float, font_size: float = 11, indent: int = 0, unit_size: float = 11) -> float:
    """Points a cell ``columns`` units wide needs to show ``text`` whole, wrapped by
    :func:`wrap_lines`, with a little padding above and below; at most :data:`MAX_ROW_HEIGHT`,
    what one row can be."""
    lines = len(wrap_lines(text, text_width(columns, font_size, indent, unit_size)))
    return min(lines * font_size * _LINE_HEIGHT + _VERTICAL_PADDING, MAX_ROW_HEIGHT)


def _tokens(text: str, width: float) -> list[str]:
    """Unbreakable pieces: a Latin word or number (split by character when wider than the line),
    else one character."""
    tokens: list[str] = []
    for found in _word_or_character().finditer(text):
        token = found.group()
        if len(token) == 1 or sum(map(_print_width, token)) <= width:
            tokens.append(token)
        else:  # a word wider than the line: one character, then what is left of it, and so on
            tokens += _split_word(token, width)
    return tokens


def _split_word(word: str, width: float) -> list[str]:
    """:func:`_split_tokens` of one whole word wider than ``width``: at each place where a word can
    start, the rest of the word is one (it ends where the word ends); that rest is a token when
    it fits, else one character is.  A rest is measured only when it may fit: every character is
    at least :data:`NARROW` wide (so no quadratic cost for a long path or number)."""
    tokens: list[str] = []
    size = len(word)
    for at, ch in enumerate(word):
        if ch.isascii() and ch.isalnum() and (size - at) * NARROW <= width * 1.001 + 1 \
                and sum(map(_print_width, word[at:])) <= width:
            tokens.append(word[at:])
            return tokens
        tokens.append(ch)
    return tokens


@cache
def _word_or_character() -> re.Pattern[str]:
    """A whole Latin word or number (as :func:`_word` matches it at its start), else one character."""
    return re.compile(f"{_word().pattern}|.", re.DOTALL)


def _split_tokens(text: str, width: float) -> list[str]:
    """:func:`_tokens` one position at a time: a word that fits, else one character."""
    tokens: list[str] = []
    at = 0
    while at < len(text):
        word = _word().match(text, at)
        if word is not None and sum(map(_print_width, word.group())) <= width:
            tokens.append(word.group())
            at = word.end()
        else:
            tokens.append(text[at])
            at += 1
    return tokens


class Layout:
    """The sheet geometry of one variant."""

    def __init__(self, variant: Variant):
        self.variant = variant
        data = variant.layout_data
        self.title: str = data["title"]
        self.amount_unit: str = data.get("amount_unit", "万元")
        self.font: str = data.get("font", "宋体")
        self.font_size: int = data.get("font_size", 11)
        self.column_widths: dict[int, float] = {
            parse_cell(f"{col}1")[1]: width for col, width in data["columns"].items()}
        self.last_col = max(self.column_widths)
        heights = data.get("row_heights", {})
        self.default_row_height: float = heights.get("default", 24)
        self.long_text_height: float = heights.get("long_text", 110)  # a goal row, at least (room to write)
        self.row_heights: dict[int, float] = {int(k) - 1: v for k, v in heights.items() if k.isdigit()}
        required = variant.required_paths()
        help_texts: dict[str, str] = data.get("help", {})
        self.labels: list[Label] = []
        self.slots: list[Slot] = []
        for cell in data["cells"]:
            area = Area.parse(cell["ref"])
            if "field" in cell:
                self.slots.append(self._slot(cell, area, required, help_texts))
            else:
                self.labels.append(Label(area, cell["text"], cell.get("style", "label")))
        block = data["indicators"]
        self.indicator_field: str = block["field"]
        self.header_row: int = block["header_row"] - 1
        self.side_label_text: str = block["side_label"]["text"]
        self.side_label_col: int = parse_cell(block["side_label"]["column"] + "1")[1]
        self.indicator_parts: tuple[str, ...] = tuple(block["columns"])  # print order
        self.indicator_areas: dict[str, Area] = {
            part: Area.parse(_column_range(block["columns"][part], self.header_row))
            for part in self.indicator_parts}
        self.indicator_headers: dict[str, str] = block["headers"]
        self.blank_rows_per_level2: int = block.get("blank_rows_per_level2", 2)
        self.row_classes: str | None = block.get("row_class")  # "target": a row's class is its target's direction
        indicator = variant.indicator_schema()
        self.indicator_titles = {part: self.variant.resolve(indicator["properties"][part]).get("title", part)
                                 if part in indicator["properties"] else self.indicator_headers[part]
                                 for part in self.indicator_parts}
        self.indicator_help = {part: help_texts.get(f"indicator.{part}", "")
                               for part in self.indicator_parts if part not in LEVEL_PARTS}
        self.indicator_max_length = {part: self.variant.resolve(indicator["properties"][part]).get("maxLength")
                                     for part in self.indicator_parts
                                     if part not in LEVEL_PARTS and part in indicator["properties"]}
        self.indicator_columns: tuple[IndicatorColumn, ...] = tuple(
            self._indicator_column(part, block, indicator) for part in self.indicator_parts if part not in LEVEL_PARTS)
        self.outputs: list[Output] = [Output(cell["output"], Area.parse(cell["ref"]), cell.get("formula"),
                                             cell.get("format"), cell.get("style", "output"))
                                      for cell in data.get("outputs", [])]
        self.landscape: bool = data.get("orientation") == "landscape"
        self.insert_rows: bool = data.get("insert_rows", True)  # units may insert indicator rows
        self.instructions: tuple[str, ...] | None = tuple(data["instructions"]) if "instructions" in data else None
        self.kind: str = variant.kind
        self.framework = variant.framework()
        self.slot_by_path = {slot.path: slot for slot in self.slots}
        self._cell_refs: dict[tuple[str, int], str] = {}
        self._titles: dict[tuple[str, ...], str] = {}
        self.required_parents = [p for p in dict.fromkeys(s.path.rpartition(".")[0] for s in self.slots)
                                 if p and p in required]
        # Fields whose value is printed into the layout's texts (layout data "text_params":
        # "1–{month}月执行数" with the form's month): see for_values.
        self.text_params: tuple[str, ...] = tuple(data.get("text_params", ()))
        self._specialised: dict[tuple[tuple[str, str], ...], Layout] = {}

    def _indicator_column(self, part: str, block: dict[str, Any], indicator: dict[str, Any]) -> IndicatorColumn:
        schema = self.variant.resolve(indicator["properties"].get(part, {}))
        kind = POINTS if schema.get("x-perfxl-kind") == POINTS else CHOICE if "enum" in schema else TEXT
        role = block.get("roles", {}).get(part, INPUT)
        roles = tuple(role.items()) if isinstance(role, dict) else ((ANY_CLASS, role),)
        for _, name in roles:
            if name not in ROLES:
                raise ValueError(f"layout {self.variant.name}: role {name!r} of indicator column {part!r} "
                                 f"is not one of {', '.join(ROLES)}")
        formula = block.get("formulas", {}).get(part, {})
        formulas = tuple(formula.items()) if isinstance(formula, dict) else ((ANY_CLASS, formula),)
        return IndicatorColumn(part=part, area=self.indicator_areas[part], header=self.indicator_headers[part],
                               title=self.indicator_titles[part], kind=kind, choices=tuple(schema.get("enum", ())),
                               max_length=schema.get("maxLength"), help=self.indicator_help.get(part, ""),
                               roles=roles, formulas=formulas, num_format=block.get("formats", {}).get(part))

    def indicator_column(self, part: str) -> IndicatorColumn:
        return next(column for column in self.indicator_columns if column.part == part)

    def row_class(self, item: dict[str, Any]) -> str:
        """The class of an indicator row, which picks each column's role and formula: the
        direction of its 年度指标值 (正向, 等于, 反向, 定性) when the layout data says
        ``"row_class": "target"``, else one class for every row."""
        if self.row_classes == "target":
            return target_class(item.get("target"))
        return ANY_CLASS

    @cached_property
    def form_parts(self) -> tuple[str, ...]:
        """The indicator columns that can hold a form value (beyond the levels), in print order."""
        return tuple(column.part for column in self.indicator_columns if column.form_value)

    @cached_property
    def key_parts(self) -> tuple[str, ...]:
        """The columns that make a row an indicator: a row with all of them blank is skipped (the
        三级指标 and 年度指标值)."""
        return tuple(part for part in ("name", "target") if part in self.indicator_parts)

    def _slot(self, cell: dict[str, Any], area: Area, required: set[str],
              help_texts: dict[str, str]) -> Slot:
        path = cell["field"]
        schema = self.variant.field_schema(path)
        kind = _kind_of(schema, cell.get("style"))
        help_text = help_texts.get(path) or help_texts.get(kind, "")
        return Slot(path=path, area=area, kind=kind, title=schema.get("title", path),
                    required=path in required, choices=tuple(schema.get("enum", ())),
                    max_length=schema.get("maxLength"), minimum=schema.get("minimum", 0),
                    maximum=schema.get("maximum", 2**31 - 1),
                    decimals=schema.get("x-perfxl-decimals", 6),
                    unit=self.amount_unit if kind == AMOUNT else "", num_format=cell.get("format"),
                    style=cell.get("style", "input"), help=help_text, pattern=schema.get("pattern"),
                    blank_text=cell.get("blank", ""), checkboxes=cell.get("print") == "checkboxes" and kind == CHOICE,
                    locked=bool(cell.get("locked", False)))

    # --- the indicator block ------------------------------------------------------------
    @property
    def first_indicator_row(self) -> int:
        return self.header_row + 1

    def blank_rows(self, rows_per_level2: int | None = None) -> int:
        """Empty rows under each 二级 of a template: ``rows_per_level2``, else the variant's own."""
        return self.blank_rows_per_level2 if rows_per_level2 is None else rows_per_level2

    def blank_indicators(self, rows_per_level2: int | None = None) -> list[dict[str, str]]:
        """The empty rows of a blank template: every 二级 of the framework, n rows each."""
        n = self.blank_rows(rows_per_level2)
        return [{"level1": level1, "level2": level2}
                for level1, level2s in self.framework.items() for level2 in level2s for _ in range(n)]

    def indicator_block(self, indicators: Iterable[dict[str, Any]]) -> IndicatorBlock:
        """Rows and merges for these indicators, in the order given (exactly one row each)."""
        rows = tuple(IndicatorRow(self.first_indicator_row + i, item.get("level1", ""),
                                  item.get("level2", ""), item.get("name"), item.get("target"),
                                  tuple((part, item.get(part)) for part in self.indicator_parts
                                        if part not in LEVEL_PARTS),
                                  self.row_class(item))
                     for i, item in enumerate(indicators))
        col1 = self.indicator_areas["level1"]
        col2 = self.indicator_areas["level2"]
        level1_merges = tuple(_runs(rows, lambda r: r.level1, col1))
        level2_merges = tuple(_runs(rows, lambda r: (r.level1, r.level2), col2))
        last = rows[-1].row if rows else self.header_row
        side = Area(self.header_row, self.side_label_col, last, self.side_label_col)
        return IndicatorBlock(self.header_row, rows, level1_merges, level2_merges, side)

    def indicator_area(self, part: str, row: int) -> Area:
        area = self.indicator_areas[part]
        return Area(row, area.first_col, row, area.last_col)

    def indicator_cell(self, part: str, row: int) -> str:
        key = (part, row)
        if key not in self._cell_refs:  # asked for every indicator of every form read
            self._cell_refs[key] = self.indicator_area(part, row).ref
        return self._cell_refs[key]

    def header_labels(self) -> list[Label]:
        return [Label(self.indicator_area(part, self.header_row), self.indicator_headers[part])
                for part in self.indicator_parts]

    def indicator_column_range(self, part: str, rows: int) -> str:
        """The cells of one indicator column over ``rows`` rows (at least one), for a formula."""
        col = self.indicator_areas[part].first_col
        first = self.first_indicator_row
        last = first + max(rows, 1) - 1
        return f"{cell_ref(first, col)}:{cell_ref(last, col)}"

    def formula_text(self, template: str, row: int | None = None, item: dict[str, Any] | None = None,
                     rows: int = 0, params: dict[str, Any] | None = None) -> str | None:
        """A formula of the layout data with its places filled in: ``{funding.executed}`` the cell
        of a field or an output, ``{actual}`` the cell of an indicator column on ``row``,
        ``{column.score}`` an indicator column over the ``rows`` rows, ``{rows}``,
        ``{target.number}``/``{target.unit}`` the row's parsed 年度指标值 and ``{params.X}`` a
        value the caller gives (a 分值 from perfxl.toml).  Text from a form only ever goes inside a
        string literal, its quotes doubled: no formula injection.  None when the form's values
        cannot make a formula every client opens and computes as perfxl does (a control character,
        a number of more than 15 digits, a formula over Excel's length): the cell then keeps
        perfxl's value without a formula."""
        names: dict[str, Any] = {}
        for path, ref in [(slot.path, slot.area.ref) for slot in self.slots] + \
                [(out.pointer.replace("/", "."), out.area.ref) for out in self.outputs]:
            node = names
            *parents, last = path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = ref
        names["column"] = {part: self.indicator_column_range(part, rows) for part in self.indicator_parts}
        names["rows"] = rows
        names["params"] = {key: _formula_literal(value) for key, value in (params or {}).items()}
        if row is not None:
            names.update({part: self.indicator_cell(part, row) for part in self.indicator_parts})
        target = (item or {}).get("target")
        if isinstance(target, str):
            parsed = parse_target_cached(target)
            number, unit = parsed.number, _string_literal(parsed.unit)
            if unit is None or (number is not None and not _excel_number(number)):
                return None
            names["target"] = {"number": _formula_literal(number) if number is not None else "0", "unit": unit}
        text = template.format_map(_Names(names))
        return text if len(text) < EXCEL_FORMULA_CHARS else None

    # --- titles -------------------------------------------------------------------------
    @cached_property
    def indicators_title(self) -> str:
        """The title of the indicator table as a whole (绩效指标)."""
        return self.variant.field_schema(self.indicator_field).get("title", "绩效指标")

    def field_title(self, path: Sequence[str | int]) -> str:
        """The Chinese title of a field path such as ``["funding", "total"]`` or
        ``["indicators", 3, "target"]`` (第 4 条指标的年度指标值), from the schema: the one place
        messages get their field names.  A path the schema does not know gives its last part."""
        key = tuple(str(part) for part in path)
        if key not in self._titles:  # asked for every problem reported
            self._titles[key] = self._field_title(key)
        return self._titles[key]

    def _field_title(self, path: tuple[str, ...]) -> str:
        if not path:
            return "表单"
        if path[0] == self.indicator_field and len(path) >= 3:
            return f"第 {int(path[1]) + 1} 条指标的{self.indicator_titles.get(path[2], path[2])}"
        if path[0] == self.indicator_field and len(path) == 2:
            return f"第 {int(path[1]) + 1} 条指标"
        if path[0] == self.indicator_field:
            return self.indicators_title
        try:
            return self.variant.field_schema(".".join(path)).get("title", path[-1])
        except (KeyError, TypeError):
            return path[-1]

    # --- texts with places (a month chosen at template time) -----------------------------
    def for_values(self, values: Any) -> "Layout":
        """This layout with the places of its texts (``{month}``, layout data ``text_params``)
        filled from the form's top-level fields of those names: labels, indicator headers, the
        side label, the title and the instructions, never formulas.  The form carries the values
        (a locked cell), so the reader fills them in the same way before it compares labels.  A
        place whose value is missing or not a whole number stays as it is (the labels then do
        not match, and the sheet is read by its labels or reported)."""
        if not self.text_params:
            return self
        filled = tuple((name, _param_text(values.get(name) if isinstance(values, dict) else None))
                       for name in self.text_params)
        if all(text is None for _, text in filled):
            return self
        key = tuple((name, text) for name, text in filled if text is not None)
        if key not in self._specialised:
            data = _fill_places(self.variant.layout_data, dict(key))
            layout = Layout(type(self.variant)(self.variant.name, self.variant.description, self.variant.schema, data))
            self._specialised[key] = layout
        return self._specialised[key]

    def for_sheet(self, cell: Callable[[int, int], Any]) -> "Layout":
        """This layout for a sheet: its text places filled from the sheet's own cells of those
        fields (where the layout puts them)."""
        if not self.text_params:
            return self
        values = {name: cell(self.slot_by_path[name].area.first_row, self.slot_by_path[name].area.first_col)
                  for name in self.text_params if name in self.slot_by_path}
        layout = self.for_values(values)
        if layout._prints_places(self, cell):
            return layout
        # The place's cell overwritten (六月, 13, emptied): the headers still print the month the
        # template was made for, so read by them; the cell itself is reported by the reader.
        printed = self._printed_values(cell)
        by_print = self.for_values(printed) if printed else layout
        return by_print if by_print._prints_places(self, cell) else layout

    @cached_property
    def _place_labels(self) -> tuple[int, ...]:
        """The indexes in :attr:`fixed_labels` of the labels with a text place."""
        places = tuple(f"{{{name}}}" for name in self.text_params)
        return tuple(i for i, label in enumerate(self.fixed_labels) if any(p in label.text for p in places))

    def _prints_places(self, base: "Layout", cell: Callable[[int, int], Any]) -> bool:
        """Whether the sheet shows this layout's filled texts where ``base`` has its places."""
        return all(normalise_label(cell(label.area.first_row, label.area.first_col)) == normalise_label(label.text)
                   for label in (self.fixed_labels[i] for i in base._place_labels))

    def _printed_values(self, cell: Callable[[int, int], Any]) -> dict[str, str]:
        """The places' values as the sheet prints them in its labels (1–6月执行数 → month 6), when
        every label that shows one agrees."""
        found: dict[str, set[str]] = {}
        for label in (self.fixed_labels[i] for i in self._place_labels):
            pieces = re.split(r"\{(\w+)\}", label.text)
            pattern = "".join(re.escape(normalise_label(piece)) if i % 2 == 0 else r"(\d{1,2})"
                              for i, piece in enumerate(pieces))
            match = re.fullmatch(pattern, normalise_label(cell(label.area.first_row, label.area.first_col)))
            for name, value in zip(pieces[1::2], match.groups() if match else ()):
                found.setdefault(name, set()).add(value)
        return {name: values.pop() for name, values in found.items() if len(values) == 1}

    # --- checks and measures ------------------------------------------------------------
    def all_fixed_labels(self) -> list[Label]:
        """Labels whose position does not depend on the number of indicators."""
        return list(self.fixed_labels)

    @cached_property
    def fixed_labels(self) -> tuple[Label, ...]:
        """Every label whose position is fixed: the cells' labels, the indicator headers and the
        side label (of a self-evaluation too, its outputs' places are not labels)."""
        return tuple([label for label in self.labels if label.text] + self.header_labels() + [
            Label(Area(self.header_row, self.side_label_col, self.header_row, self.side_label_col),
                  self.side_label_text)])

    @cached_property
    def key_order(self) -> dict[str, tuple[str, ...]]:
        """The schema's key order: top level under "", each object property under its name."""
        schema = self.variant.schema
        order = {"": tuple(schema["properties"])}
        for key, sub in schema["properties"].items():
            props = self.variant.resolve(sub).get("properties")
            if props:
                order[key] = tuple(props)
        return order

    def width_of(self, area: Area) -> float:
        return sum(self.column_widths.get(col, 8.43) for col in area.columns)

    def text_width(self, area: Area, font_size: float | None = None, indent: int = 0) -> float:
        """Column units of text one line of ``area`` holds at ``font_size`` (units are measured
        at the layout's font size), less margins and ``indent`` levels."""
        return text_width(self.width_of(area), font_size or self.font_size, indent, self.font_size)

    def text_height(self, area: Area, text: str, font_size: float | None = None, indent: int = 0) -> float:
        """Points needed to show ``text`` wrapped in ``area`` (:func:`wrapped_height`): Excel and
        LibreOffice do not grow merged cells by themselves, so long goals would be cut off in
        print."""
        return wrapped_height(text, self.width_of(area), font_size or self.font_size, indent, self.font_size)

    def fitting_font_size(self, area: Area, text: str, font_size: float | None = None, indent: int = 0) -> float:
        """The font size ``text`` prints whole at in one-row ``area``: ``font_size`` (the layout's
        by default), or where one row's :data:`MAX_ROW_HEIGHT` cannot hold it, the largest
        half-point size down to :data:`SMALLEST_FONT` that fits (a long goal printed small, not
        cut); the smallest when none does."""
        size = font_size or self.font_size
        while size > SMALLEST_FONT and self._overflows(area, text, size, indent):
            size -= 0.5
        return max(size, SMALLEST_FONT)

    def _overflows(self, area: Area, text: str, font_size: float, indent: int) -> bool:
        lines = len(wrap_lines(text, text_width(self.width_of(area), font_size, indent, self.font_size)))
        return lines * font_size * _LINE_HEIGHT + _VERTICAL_PADDING > MAX_ROW_HEIGHT

    # --- what an input prints -------------------------------------------------------------
    def checkbox_text(self, slot: Slot, value: object) -> str:
        """A choice as the official table prints it, every option with its box and ``value``'s
        ticked (``专项资金 □  经常性项目 ☑  一次性项目 □``), broken between options where the
        cell is too narrow for one line."""
        options = [f"{choice} {TICKED if choice == value else UNTICKED}" for choice in slot.choices]
        width = self.text_width(slot.area, indent=TEXT_INDENT)
        lines: list[str] = []
        for option in options:
            # two spaces between options as printed, one where that keeps them on one line
            joined = next((f"{lines[-1]}{gap}{option}" for gap in ("  ", " ")
                           if lines and len(wrap_lines(f"{lines[-1]}{gap}{option}", width)) == 1), None)
            if joined is None:
                lines.append(option)
            else:
                lines[-1] = joined
        return "\n".join(lines)

    def blank_print(self, slot: Slot) -> str:
        """What an empty input shows, so a blank form prints like the official one: the layout's
        ``blank`` text (（    年度）), every box empty for a check-box choice, else nothing."""
        if slot.blank_text:
            return slot.blank_text
        return self.checkbox_text(slot, None) if slot.checkboxes else ""

    def printed_text(self, slot: Slot, value: object) -> str:
        """The text an input prints for ``value`` (its number format applied), for its row height."""
        if value is None or value == "":
            return self.blank_print(slot)
        if slot.checkboxes and value in slot.choices:
            return self.checkbox_text(slot, value)
        text = str(value)
        if slot.kind == DATE and isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            year, month, day = (int(part) for part in value.split("-"))
            return f"{year}年{month}月{day}日" if "年" in (slot.num_format or "") else text
        if slot.num_format and slot.kind in (TEXT, LONG_TEXT, INTEGER):
            return _formatted(slot.num_format, text)
        return text

    @property
    def print_columns(self) -> tuple[int, int]:
        return 0, self.last_col


@dataclass(frozen=True)
class Output:
    """A cell perfxl fills, never the unit (layout data ``outputs``): a value it works out (the
    funds row's 分值) or a live formula (执行率, 得分, 总分, 自评等级) with perfxl's result cached.
    Not a form field: read back only to compare with what perfxl computes."""

    pointer: str  # "funding/rate", "total" …
    area: Area
    formula: str | None
    num_format: str | None
    style: str = "output"


class _Names(dict):
    """Formula places as attribute paths: ``{funding.executed}`` looks up nested names."""

    def __missing__(self, key: str) -> Any:
        raise KeyError(f"unknown place {{{key}}} in a layout formula")

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        return _Node(value) if isinstance(value, dict) else value


class _Node:
    def __init__(self, names: dict[str, Any]):
        self._names = names

    def __getattr__(self, key: str) -> Any:
        try:
            value = self._names[key]
        except KeyError:
            raise AttributeError(f"unknown place .{key} in a layout formula") from None
        return _Node(value) if isinstance(value, dict) else value


# Excel's limits: 15 significant digits in a number, 255 characters in one string literal and
# 8,192 in a formula (the "=" included); beyond them Excel repairs the workbook or computes otherwise.
EXCEL_DIGITS, EXCEL_LITERAL_CHARS, EXCEL_FORMULA_CHARS = 15, 255, 8192


@cache  # compiled on first use, not at import: only writing a formula needs it
def _unwritable() -> re.Pattern[str]:
    return re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")


def _string_literal(text: str) -> str | None:
    """``text`` for the inside of a formula's string literal: quotes doubled, and cut into pieces
    of at most 255 characters joined by ``&`` (Excel refuses a longer literal).  None for a text no
    formula can hold (a control character is not even valid XML there)."""
    if _unwritable().search(text):
        return None
    pieces = [text[start:start + EXCEL_LITERAL_CHARS] for start in range(0, len(text), EXCEL_LITERAL_CHARS)]
    return '"&"'.join(piece.replace('"', '""') for piece in pieces)


def _excel_number(number: Decimal) -> bool:
    """Whether Excel reads ``number`` written in a formula as exactly this number: at most 15
    significant digits and within a double's range."""
    digits = "".join(map(str, number.as_tuple().digits)).strip("0")
    return len(digits) <= EXCEL_DIGITS and abs(number) < Decimal("1e300")


def _formula_literal(value: object) -> str:
    """A number for a formula: a Decimal or int as plain digits (no exponent)."""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return format(Decimal(value), "f")
    raise TypeError(f"formula parameters are numbers, got {value!r}")


@cache  # compiled on first use, not at import: only writing a form formats text
def _format_part() -> re.Pattern[str]:
    return re.compile(r'"([^"]*)"|\\(.)|(@|[0#]+)|(.)')


def _formatted(num_format: str, text: str) -> str:
    """``text`` shown through a one-section number format of quoted literals around ``@`` or
    ``0`` (``"（"@"）"``, ``"（"0"年度）"``); any other format shows the text as it is."""
    shown = []
    for quoted, escaped, placeholder, other in _format_part().findall(num_format):
        if other:
            return text
        shown.append(text if placeholder else quoted or escaped)
    return "".join(shown)


def _kind_of(schema: dict[str, Any], style: str | None) -> str:
    if schema.get("x-perfxl-kind") == AMOUNT:
        return AMOUNT
    if schema.get("type") == "integer":
        return INTEGER
    if schema.get("format") == "date":
        return DATE
    if "enum" in schema:
        return CHOICE
    return LONG_TEXT if style == "long_text" else TEXT


def _column_range(columns: str, row: int) -> str:
    first, _, last = columns.partition(":")
    ref = f"{first}{row + 1}"
    return f"{ref}:{last}{row + 1}" if last else ref


def _runs(rows: tuple[IndicatorRow, ...], key, column: Area) -> Iterable[Area]:
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or key(rows[i]) != key(rows[start]):
            yield Area(rows[start].row, column.first_col, rows[i - 1].row, column.last_col)
            start = i


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _matches(pattern: str, value: str) -> bool:
    return _compiled(pattern).search(value) is not None  # schema patterns are anchored (^ … end of text)


def _param_text(value: Any) -> str | None:
    """A text place's value as printed: a whole number (a month) as digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    return str(value) if isinstance(value, int) else None


_PRINTED_KEYS = ("text", "title", "headers", "side_label", "instructions")  # where places are filled


def _fill_places(node: Any, values: dict[str, str], printed: bool = False) -> Any:
    """Layout data with ``{name}`` filled in its printed texts only (formulas keep their places)."""
    if isinstance(node, dict):
        return {key: _fill_places(value, values, printed or key in _PRINTED_KEYS) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill_places(value, values, printed) for value in node]
    if isinstance(node, str) and printed:
        for name, text in values.items():
            node = node.replace("{" + name + "}", text)
    return node


@cache
def get_layout(name: str) -> Layout:
    return Layout(load_variant(name))

