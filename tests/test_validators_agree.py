"""jsonschema-rs (the fast "valid?" check) and python-jsonschema (the detailed errors) must agree,
or a form one calls valid would skip the other's report."""

from __future__ import annotations

import copy

import jsonschema
import jsonschema_rs
import pytest
from conftest import example_paths
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import forms

from perfxl.api import load_json_forms
from perfxl.check.validate import END_OF_TEXT, fast_validator, plain_end_anchors
from perfxl.form.variant import load_variant, variant_names

ODD = ["", "0\n", "1\n", "2023-01-01\n", " x", "x ", "\u3000x", "x\xa0", "a\x85", "a\x01b", "a\nb", "a\tb", "a\rb", "😀", "\u2028x", "x\u2029",
       "\x7f", "1.1234567", "01", "-1", "1e3", "2023-02-30", "2023-1-1", "0", "12.50", 12, None, [], {}]


def _pair(name):
    """The fast validator perfxl uses (its patterns end in ``$``) and python-jsonschema on the
    schema as written."""
    schema = load_variant(name).schema
    return (fast_validator(name),
            jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()))


def _paths(form):
    for key, value in form.items():
        if isinstance(value, dict):
            for child in value:
                yield (key, child)
        elif isinstance(value, list):
            for i, item in enumerate(value[:2]):
                for child in item:
                    yield (key, i, child)
        else:
            yield (key,)


@pytest.mark.parametrize("name", variant_names())
def test_agree_on_odd_values_in_every_field(name):
    fast, slow = _pair(name)
    base = load_json_forms(example_paths()[0])[0]
    for path in _paths(base):
        for odd in ODD:
            form = copy.deepcopy(base)
            node = form
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = odd
            assert fast.is_valid(form) == slow.is_valid(form), (path, odd)


@settings(max_examples=200, deadline=None)
@given(form=forms(), name=st.just("pujiang-2023"), data=st.data())
def test_agree_on_generated_forms(form, name, data):
    fast, slow = _pair(name)
    assert fast.is_valid(form) and slow.is_valid(form)
    text = data.draw(st.text(max_size=5))
    form["project_name"] = text
    assert fast.is_valid(form) == slow.is_valid(form), repr(text)


def test_the_fast_validator_really_runs_end_anchored_patterns():
    """The rewrite touched every pattern (the schemas spell the end of text one way), and ``$``
    is the end of text for jsonschema-rs: "1\\n" is no amount for either validator."""
    for name in variant_names():
        text = str(plain_end_anchors(load_variant(name).schema))
        assert END_OF_TEXT not in text and text.count("$'") >= 3
        assert not jsonschema_rs.validator_for({"type": "string", "pattern": "^[0-9]+$"}).is_valid("1\n")
