"""The text measures the master and the forms size their cells by (perfxl.form.layout): their fast
ways give exactly what measuring character by character gives."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given, settings
from hypothesis import strategies as st

from perfxl.form.layout import NARROW, WIDE, _split_tokens, _tokens, display_width, fits_one_line, wrap_lines

LATIN = "abZ09.,%‰/:+-"
text = st.text(st.sampled_from(LATIN + " 中文，。“”（）《》☑□≥ー😀\t") | st.characters(blacklist_categories=("Cs",)),
               max_size=60)


@settings(max_examples=500, deadline=None)
@given(text, st.sampled_from([0.5, 1, 2.2, 3.3, 5.0, 8.6, 12.0, 40.0]))
@example("abcdefghij1234.5中", 5.0)  # a word wider than the line: split within it
@example("文件/work/bench/cache/1000/files/00001_浦江镇‰2023-01-01.xlsx", 12.0)  # a long one
def test_tokens_are_found_as_position_by_position(value, width):
    assert _tokens(value, width) == _split_tokens(value, width)


@settings(max_examples=300, deadline=None)
@given(text)
def test_display_width_is_the_sum_character_by_character(value):
    expected = sum(WIDE if unicodedata.east_asian_width(ch) in "WF" else NARROW for ch in value)
    assert display_width(value) == expected and type(display_width(value)) is type(expected)


@settings(max_examples=500, deadline=None)
@given(text, st.floats(0.5, 60))
@example("a" * 10, 11.0)  # exactly as wide as the line
@example("中文" * 5, 21.5)
def test_a_text_said_to_fit_one_line_wraps_to_one(value, width):
    if fits_one_line(value, width):
        assert len(wrap_lines(value, width)) == 1
    if "\n" not in value and len(value) * WIDE + 1 <= width:
        assert fits_one_line(value, width)  # and it says so of the texts that clearly fit
