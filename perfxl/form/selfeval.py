"""The year-end self-evaluation (项目支出绩效自评表): its schema, and a form pre-filled from a target
table.

The self-evaluation is a form kind like the target table: schema data
(``schema/self-eval-2023.schema.json``) and layout data (``templates/self-eval-2023.layout.json``,
``"kind": "self-eval"``), so it is the variant ``self-eval-2023`` of that kind
(``variant_names("self-eval")``).  Its scoring is :mod:`perfxl.check.scoring`.

A self-evaluation carries its project's targets: :func:`prefill_self_evaluation` copies the
identity (年度, 项目名称, 主管部门, 实施单位), every indicator with its 年度指标值, 预期目标
(= 年度总体目标) and 年初预算数 (= 年度资金申请总额, converted exactly to the self-evaluation's
unit), and leaves every input of the unit blank.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from typing import Any

from .layout import get_layout
from .values import MONEY_UNITS, canonical_decimal, convert_money
from .variant import DEFAULT_VARIANT, schema_dir

SELF_EVAL_SCHEMA = "self-eval-2023.schema.json"  # the one place naming it, until the form kind exists

IDENTITY_FIELDS = ("year", "project_name", "department", "implementing_unit")  # copied as they are
INDICATOR_TARGET_PARTS = ("level1", "level2", "name", "target")  # copied from the target table
# 年初预算数 of each row of 项目资金 = the target table's 年度资金申请总额 and its parts.
FUNDING_COPIED = (("annual_total", "budget_initial"), ("annual_fiscal", "fiscal_initial"),
                  ("annual_carryover", "carryover_initial"), ("annual_other", "other_initial"))
INDICATOR_INPUT_PARTS = ("actual", "weight", "band", "score", "deviation_reason")  # the unit's


@cache
def self_eval_schema() -> dict[str, Any]:
    return json.loads((schema_dir() / SELF_EVAL_SCHEMA).read_text(encoding="utf-8"))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    schema = self_eval_schema()
    while "$ref" in node:
        target: Any = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def amount_unit() -> str:
    """The unit of the self-evaluation's amounts (``x-perfxl-unit`` of its amount definition)."""
    return self_eval_schema()["$defs"]["amount"]["x-perfxl-unit"]


def band_names() -> tuple[str, ...]:
    """The 定性 choices the schema allows, in order (best first)."""
    return tuple(_indicator_schema()["properties"]["band"]["enum"])


def _indicator_schema() -> dict[str, Any]:
    return _resolve(self_eval_schema()["$defs"]["indicator"])


def field_title(path: str) -> str:
    """The Chinese title of a dotted field path such as ``funding.executed``, from the schema."""
    node: dict[str, Any] = self_eval_schema()
    for part in path.split("."):
        node = _resolve(_resolve(node)["properties"][part])
    return node.get("title", path)


def indicator_title(part: str) -> str:
    """The Chinese title of a part of an indicator (``actual`` → 实际完成值), from the schema."""
    return _resolve(_indicator_schema()["properties"][part]).get("title", part)


def prefill_self_evaluation(target_form: dict[str, Any], variant: str = DEFAULT_VARIANT) -> dict[str, Any]:
    """A self-evaluation (dict of ``self-eval-2023``) for the project of one target table (a form
    of ``variant``): what the target table says is copied, the unit's inputs are left out.

    A value the target table lacks is left out too, never guessed (02 has no 年度资金申请总额:
    its 年初预算数 stays blank, not the sum of its parts).  The amount is converted exactly from
    the variant's unit (万元 or 元) to the self-evaluation's."""
    layout = get_layout(variant)
    form: dict[str, Any] = {key: target_form[key] for key in IDENTITY_FIELDS if key in target_form}
    funding = target_form.get("funding")
    funding = funding if isinstance(funding, dict) else {}
    initial = {own: _in_own_unit(funding[source], layout.amount_unit)
               for source, own in FUNDING_COPIED if isinstance(funding.get(source), str)}
    if initial:
        form["funding"] = initial
    return with_goal_and_targets(form, target_form, layout.indicator_field)


def with_goal_and_targets(form: dict[str, Any], target_form: dict[str, Any], indicator_field: str) -> dict[str, Any]:
    """``form`` (a later round's) with the target table's 年度总体目标 as its expected goal and
    every indicator's levels, name and 年度指标值 (``indicator_field`` of the target table)."""
    goals = target_form.get("goals")
    expected = goals.get("annual") if isinstance(goals, dict) else None
    if isinstance(expected, str):
        form["goals"] = {"expected": expected}
    items = target_form.get(indicator_field)
    form["indicators"] = [{part: item[part] for part in INDICATOR_TARGET_PARTS if part in item}
                          for item in (items if isinstance(items, list) else []) if isinstance(item, dict)]
    return form


def _in_own_unit(amount: str, unit: str) -> str:
    if unit not in MONEY_UNITS:
        raise ValueError(f"unknown amount unit {unit!r} of the target table")
    return canonical_decimal(convert_money(Decimal(amount), unit, amount_unit()))
