"""Where the checks find the parse of 年度指标值 and 项目总目标 periods.

The parse itself is :mod:`perfxl.form.targets`: what a target *says* is part of the form's
definition, and the writer needs it below this layer (a self-evaluation's score formula is built
from the target's number, unit and direction).  This module keeps the checks' imports stable.
"""

from ..form.targets import (  # noqa: F401  (re-exported)
    EQ,
    EQUAL,
    FORWARD,
    GE,
    GT,
    LE,
    LT,
    PREFIX_OPERATORS,
    QUALITATIVE,
    QUANTITATIVE,
    REVERSE,
    SUFFIX_OPERATORS,
    ParsedTarget,
    direction,
    target_class,
    Period,
    fold,
    parse_amount,
    parse_folded_target,
    parse_period,
    parse_target,
    parse_target_cached,
)
