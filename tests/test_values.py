"""Cell values to form values: inline tables of what units type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from perfxl.form.values import (
    ValueProblem,
    amount_from_cell,
    canonical_decimal,
    date_from_cell,
    integer_from_cell,
    text_from_cell,
)


@pytest.mark.parametrize("raw,expected", [
    (374.9447, "374.9447"), (0.355542, "0.355542"), (5993.967, "5993.967"), (41.0, "41"), (0, "0"),
    (999999999.999999, "999999999.999999"), ("435. 5435", "435.5435"), ("1,234.5", "1234.5"),
    ("１２３", "123"), ("5993.9670", "5993.967"), (0.30000000000000004, "0.3"),
    ("1，234，567.5", "1234567.5"),
])
def test_amounts(raw, expected):
    assert amount_from_cell(raw) == expected


@pytest.mark.parametrize("raw", ["1234,5", "1,23", "abc", "-1", -0.5, "1.1234567", 1.1234567, "", float("nan"), True, None])
def test_bad_amounts(raw):
    with pytest.raises(ValueProblem):
        amount_from_cell(raw)


@pytest.mark.parametrize("raw,expected", [
    (dt.datetime(2023, 1, 1), "2023-01-01"), (dt.date(2023, 12, 31), "2023-12-31"),
    ("2023.1.1", "2023-01-01"), ("2023. 1. 1", "2023-01-01"), ("2023/1/1", "2023-01-01"),
    ("2023年1月1日", "2023-01-01"), ("2023-01-01", "2023-01-01"), ("２０２３年１２月３１日", "2023-12-31"),
    ("20231231", "2023-12-31"), (44927.0, "2023-01-01"), (" 2023-4-30 ", "2023-04-30"),
])
def test_dates(raw, expected):
    assert date_from_cell(raw) == expected


def test_1904_serials():
    assert date_from_cell(43465.0, date1904=True) == "2023-01-01"


@pytest.mark.parametrize("raw", ["2023-02-30", "明年", "2023", 0, -5.0, "2023.13.1"])
def test_bad_dates(raw):
    with pytest.raises(ValueProblem):
        date_from_cell(raw)


@pytest.mark.parametrize("raw,expected", [(2023.0, 2023), ("2023", 2023), ("（2023年度）", 2023),
                                          ("( 2023 年度)", 2023), ("2023年", 2023)])
def test_years(raw, expected):
    assert integer_from_cell(raw) == expected


@pytest.mark.parametrize("raw,expected", [("  安保经费 ", "安保经费"), (109.0, "109"), (1.5, "1.5"),
                                          (dt.datetime(2023, 1, 1), "2023-01-01"), (None, "")])
def test_text(raw, expected):
    assert text_from_cell(raw) == expected


def test_canonical_decimal_never_uses_exponents():
    assert canonical_decimal(Decimal("1E+2")) == "100"
    assert canonical_decimal(Decimal("0.000100")) == "0.0001"


def test_only_the_forms_own_unit_may_follow_an_amount():
    assert amount_from_cell("12万元", unit="万元") == "12"
    assert amount_from_cell("12 元", 2, unit="元") == "12"
    for text, unit in (("3749447元", "万元"), ("12万元", "元"), ("12元", "")):
        with pytest.raises(ValueProblem):
            amount_from_cell(text, unit=unit)  # 元 in a 万元 form is 10,000 times off
