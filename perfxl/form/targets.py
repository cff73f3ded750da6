"""A 年度指标值 (annual target value) read as an operator, a number and a unit.

A target is 定量 (quantitative) when it states one amount: ``≥90%``, ``360人``, ``24小时内``,
``不低于95%``, ``7306.20平方米``, even behind a repeated label (``工程计划完成率100%``).
Everything else is 定性 (qualitative): words (提高, 建立健全, 及时), dates and periods
(``2023年竣工``, ``11月1日-12月31日``, ``当年12月前``), which say *when*, not *how much*,
and texts with several numbers that cannot be read as one amount (``2-3次``).

The operator comes before the number (≥ >= ＞＝ 不低于 不少于 达到 …) or after the unit (以上,
以下, 以内, 内: ``24小时内`` is ≤ 24 小时); the unit is whatever follows the number, known or not
(人, %, 平方米, 元/人/月, 个区域).  Full-width forms are read like ASCII (NFKC): ``＞＝95％`` is
``>=95%``; spaces are ignored.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

QUANTITATIVE = "定量"
QUALITATIVE = "定性"
# A 定量 target's direction: how an actual compares with it (the self-evaluation's scoring and
# its live score formulas; 定性 targets have no direction and are called QUALITATIVE).
FORWARD, EQUAL, REVERSE = "正向", "等于", "反向"

GE, LE, GT, LT, EQ = "≥", "≤", ">", "<", "="

# Longest spelling first: the regex alternation takes the first that matches.
PREFIX_OPERATORS: dict[str, str] = {
    ">=": GE, "≥": GE, "≧": GE, "⩾": GE, "大于等于": GE, "大于或等于": GE, "不低于": GE, "不少于": GE,
    "不小于": GE, "至少": GE, "达到": GE,
    "<=": LE, "≤": LE, "≦": LE, "⩽": LE, "小于等于": LE, "小于或等于": LE, "不高于": LE, "不超过": LE,
    "不大于": LE, "不多于": LE, "至多": LE, "最多": LE,
    ">": GT, "大于": GT, "高于": GT, "超过": GT, "多于": GT,
    "<": LT, "小于": LT, "低于": LT, "少于": LT,
    "=": EQ, "==": EQ, "等于": EQ,
}
SUFFIX_OPERATORS: dict[str, str] = {
    "及以上": GE, "以上": GE, "及以下": LE, "以下": LE, "以内": LE, "之内": LE, "内": LE,
}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_TARGET = re.compile(
    rf"(?P<label>\D*?)(?P<op>{_alternation(PREFIX_OPERATORS)})?(?P<number>{_NUMBER})"
    rf"(?P<unit>\D*?)(?P<suffix>{_alternation(SUFFIX_OPERATORS)})?")
# A year (2023年) or a month (12月, 11月1日) is a point in time, not an amount; a duration is
# written 3年, 12个月, 30日内 and stays an amount.
_DATE_LIKE = re.compile(r"\d{4}年|\d{1,2}月|\d{4}[-./]\d{1,2}[-./]\d{1,2}")
_DIGIT = re.compile(r"\d")  # every amount has one (_NUMBER); same \d as the patterns


@dataclass(frozen=True)
class ParsedTarget:
    """One 年度指标值 as read.  ``text`` is the original; ``operator`` is one of ≥ ≤ > < = or
    None when the target gives a bare amount; ``unit`` is whatever follows the number (可为空)."""

    kind: str  # QUANTITATIVE ("定量") or QUALITATIVE ("定性")
    operator: str | None
    number: Decimal | None
    unit: str
    text: str

    @property
    def is_quantitative(self) -> bool:
        return self.kind == QUANTITATIVE

    @property
    def is_percentage(self) -> bool:
        return self.is_quantitative and self.unit == "%"


@lru_cache(maxsize=8192)  # the same targets (≥90%, 100%, 及时 …) recur on form after form
def parse_target_cached(text: str) -> ParsedTarget:
    return parse_target(text)


def direction(target: ParsedTarget) -> str:
    """正向 (≥, >, or a bare amount: a level to reach), 等于 (=), 反向 (≤, <), or 定性."""
    if not target.is_quantitative:
        return QUALITATIVE
    return REVERSE if target.operator in (LE, LT) else EQUAL if target.operator == EQ else FORWARD


def target_class(text: object) -> str:
    """The :func:`direction` of a 年度指标值 as written; anything that is not a text is 定性."""
    return direction(parse_target_cached(text)) if isinstance(text, str) and text.strip() else QUALITATIVE


def parse_target(text: str) -> ParsedTarget:
    """Read a target such as ``≥ 90%``, ``不低于95％``, ``24小时内``, ``提高``."""
    return parse_folded_target(text, fold(text))


def parse_folded_target(text: str, folded: str) -> ParsedTarget:
    """:func:`parse_target` for a caller that has folded the text already (``folded`` is
    ``fold(text)``): folding is most of the cost of a short target."""
    # Without a digit there is no amount, and a date is never one: both are 定性 without running
    # the (backtracking) target pattern, which could not match or whose match would be discarded.
    if _DIGIT.search(folded) is None or _DATE_LIKE.search(folded):
        return ParsedTarget(QUALITATIVE, None, None, "", text)
    match = _TARGET.fullmatch(folded)
    if match is None:
        return ParsedTarget(QUALITATIVE, None, None, "", text)
    operator = PREFIX_OPERATORS.get(match["op"] or "") or SUFFIX_OPERATORS.get(match["suffix"] or "")
    number = Decimal(match["number"].replace(",", ""))
    return ParsedTarget(QUANTITATIVE, operator, number, match["unit"], text)


def parse_amount(text: str) -> tuple[Decimal, str] | None:
    """An amount as measured (an 实际完成值): one number and its unit, nothing else, read like a
    target (NFKC, spaces ignored, ``1,020`` allowed): ``350人``, ``98.5%``, ``７３０６．２平方米``,
    ``109``.  None for anything that is not just that: words before the number (``约350人``), an
    operator (``≥95%`` is a bound, not a value; ``20小时内``), several numbers, a date, a sign."""
    folded = fold(text)
    if _DIGIT.search(folded) is None or _DATE_LIKE.search(folded):
        return None
    match = _TARGET.fullmatch(folded)
    if match is None or match["label"] or match["op"] or match["suffix"]:
        return None
    return Decimal(match["number"].replace(",", "")), match["unit"]


def fold(text: str) -> str:
    """NFKC (full-width → ASCII: ＞＝ → >=, ％ → %, ９０ → 90) and no whitespace (≥ 90% is ≥90%).
    ``str.split()`` splits on exactly the characters regex ``\\s`` matches (``str.isspace``)."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


# --- the 项目总目标 period ---------------------------------------------------------------------
_ENDPOINT = r"(\d{4})(?:年度?(?:(\d{1,2})月(?:(\d{1,2})日)?)?|[./](\d{1,2})(?:[./](\d{1,2}))?)?"
_PERIOD = re.compile(rf"{_ENDPOINT}(?:(?:-|–|—|~|至|到)+{_ENDPOINT})?")


@dataclass(frozen=True)
class Period:
    """The years a 项目总目标 covers, first and last included."""

    first_year: int
    last_year: int


def parse_period(text: str) -> Period | None:
    """``2023年-2025年``, ``2023年1月1日-2023年12月31日``, ``2023.1.1～2023.12.31``, ``2023年``
    (one year) → the years covered; None when unreadable or when it ends before it starts."""
    folded = fold(text).strip("()")
    match = _PERIOD.fullmatch(folded)
    if match is None:
        return None
    groups = match.groups()
    start = _endpoint(groups[:5], first=True)
    end = _endpoint(groups[5:] if groups[5] else groups[:5], first=False)
    if start is None or end is None or end < start:
        return None
    return Period(start.year, end.year)


def _endpoint(groups: tuple[str | None, ...], *, first: bool) -> dt.date | None:
    """One end of a period as a date: a missing month or day means the start or end of it."""
    year, month, day = int(groups[0]), groups[1] or groups[3], groups[2] or groups[4]
    try:
        if month is None:
            return dt.date(year, 1, 1) if first else dt.date(year, 12, 31)
        if day is None:
            day_of = 1 if first else calendar.monthrange(year, int(month))[1]
            return dt.date(year, int(month), day_of)
        return dt.date(year, int(month), int(day))
    except ValueError:  # month 13, 2月30日 …
        return None
