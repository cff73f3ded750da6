"""The mid-year monitoring table (绩效运行监控表): a form pre-filled from a target table.

Like the self-evaluation it is a form kind defined by data (``schema/monitoring-2023.schema.json``,
``templates/monitoring-2023.layout.json``, ``"kind": "monitoring"``).  The month N it covers is
chosen when the template is made: the form carries it (``month``) and the layout prints it into its
headers (``1–{month}月执行数``, see :meth:`perfxl.form.layout.Layout.for_values`).  What perfxl
works out for it (执行率, each indicator's 监控状态) is :mod:`perfxl.check.monitoring`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .layout import get_layout
from .selfeval import IDENTITY_FIELDS, with_goal_and_targets
from .values import MONEY_UNITS, canonical_decimal, convert_money
from .variant import DEFAULT_VARIANT

MONITORING_VARIANT = "monitoring-2023"


def prefill_monitoring(target_form: dict[str, Any], month: int, variant: str = DEFAULT_VARIANT,
                       monitoring: str = MONITORING_VARIANT) -> dict[str, Any]:
    """A monitoring table (dict of ``monitoring``) for the project of one target table (a form of
    ``variant``) as of the end of ``month``: identity, every indicator with its 年度指标值, 年度目标
    (= 年度总体目标) and 全年预算数 (= 年度资金申请总额, converted exactly to the monitoring table's
    unit) copied; what the target table lacks is left out, never guessed."""
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ValueError(f"监控月份应为 1 到 12 之间的整数，不是“{month}”。")
    source = get_layout(variant)
    own_unit = get_layout(monitoring).amount_unit
    form: dict[str, Any] = {key: target_form[key] for key in IDENTITY_FIELDS if key in target_form}
    form["month"] = month
    funding = target_form.get("funding")
    annual = funding.get("annual_total") if isinstance(funding, dict) else None
    form["funding"] = {}  # a required group: there, if empty, as the sheet reads back
    if isinstance(annual, str):
        if source.amount_unit not in MONEY_UNITS:
            raise ValueError(f"unknown amount unit {source.amount_unit!r} of the target table")
        form["funding"]["budget_full"] = canonical_decimal(convert_money(Decimal(annual), source.amount_unit, own_unit))
    return with_goal_and_targets(form, target_form, source.indicator_field)
