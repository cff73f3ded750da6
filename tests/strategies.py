"""Hypothesis strategies for schema-valid forms of a variant, built from the schema itself."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from perfxl.form.layout import get_layout
from perfxl.form.values import canonical_decimal, set_field

# Odd but legal text: typographic quotes, bullets, ≥﹪, CJK, emoji, newlines and tabs inside,
# leading formula characters, escapes that look like Excel's own _x0041_.
_ALPHABET = st.one_of(
    st.sampled_from(list("“”‘’•≥≤﹪%＞＜（）【】、，。；：！？·—…=+-@_x0041 \n\t平安建设办公室指标满意度")),
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn")),
    st.sampled_from(["😀", "👍", "\U0001F3FD", "𠮷"]),
)


def text(min_size: int = 1, max_size: int = 60):
    return (st.text(_ALPHABET, min_size=min_size, max_size=max_size)
            .map(str.strip).filter(bool)
            .filter(lambda s: "\r" not in s))


def formula_like():
    return st.sampled_from(["=HYPERLINK(\"http://x\",\"y\")", "+1", "-1+2", "@SUM(A1:A2)", "=1+1"])


def amounts(max_decimals: int = 6):
    """Amounts up to 15 significant digits (what a double keeps), 0 included."""
    top = 10 ** (15 - max_decimals) - 1
    integral = st.one_of(st.just(0), st.integers(0, 999), st.integers(0, top))
    decimals = st.integers(0, max_decimals)

    def build(i: int, n: int, frac: int) -> str:
        value = Decimal(i) + (Decimal(frac % 10 ** n) / (10 ** n) if n else 0)
        return canonical_decimal(value)
    return st.builds(build, integral, decimals, st.integers(0, 10 ** max_decimals - 1))


def dates():
    return st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat)


def indicators(variant: str = "pujiang-2023", min_size: int = 1, max_size: int = 30):
    framework = get_layout(variant).framework
    pairs = [(l1, l2) for l1, l2s in framework.items() for l2 in l2s]

    @st.composite
    def one(draw):
        level1, level2 = draw(st.sampled_from(pairs))
        item = {"level1": level1, "level2": level2}
        which = draw(st.sampled_from(["both", "both", "name", "target"]))
        if which in ("both", "name"):
            item["name"] = draw(st.one_of(text(1, 40), formula_like()))
        if which in ("both", "target"):
            item["target"] = draw(st.one_of(text(1, 20), st.sampled_from(["≥90%", "360人", "及时", "100%"])))
        return item

    return st.lists(one(), min_size=min_size, max_size=max_size)


@st.composite
def forms(draw, variant: str = "pujiang-2023"):
    layout = get_layout(variant)
    form: dict = {}
    for slot in layout.slots:
        if not slot.required and draw(st.booleans()):
            continue
        if slot.kind == "amount":
            value = draw(amounts(slot.decimals))
        elif slot.kind == "date":
            value = draw(dates())
        elif slot.kind == "integer":
            value = draw(st.integers(slot.minimum, slot.maximum))
        elif slot.kind == "choice":
            value = draw(st.sampled_from(slot.choices))
        elif slot.kind == "long_text":
            value = draw(st.one_of(text(1, 700), formula_like()))
        else:
            value = draw(st.one_of(text(1, 40), formula_like()))
        set_field(form, slot.path, value)
    form[layout.indicator_field] = draw(indicators(variant))
    return form
