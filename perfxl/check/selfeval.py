"""What perfxl works out for a self-evaluation's sheet: the values of its computed cells (分值)
and the results of its live formulas (执行率, 得分, 总分, 自评等级), from the Decimal scoring.

The writer puts them into the workbook (a formula with perfxl's result cached, so a reader that
does not recalculate shows it too); on reading, :func:`formula_findings` compares what the
workbook holds in those cells with them (SCORE-013).  The pointers are the layout's: outputs
(``funding/rate``, ``total`` …) and ``indicators/N/part`` for the computed and formula columns.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..config import DEFAULT_SCORING, ScoringConfig
from ..form.identity import collection_key
from ..form.layout import COMPUTED, FORMULA, Layout, get_layout
from ..form.values import canonical_decimal
from ..model import FormRecord
from ..problems import Issue, Problem, make_issue
from .formview import FormView
from .rules import sum_check
from .scoring import SelfEvaluationScore, score_self_evaluation

# 项目资金's 年度资金总额 row and its parts, per column (全年预算数, 全年执行数): SCORE-015
PART_SUMS = (("funding.budget_full", ("funding.fiscal_full", "funding.carryover_full", "funding.other_full")),
             ("funding.executed", ("funding.fiscal_executed", "funding.carryover_executed", "funding.other_executed")))

# The outputs perfxl computes, by the layout's pointers (a layout may place any of them).
FUNDS_WEIGHT, RATE, FUNDS_SCORE, TOTAL, GRADE = "funding/weight", "funding/rate", "funding/score", "total", "grade"


def formula_params(config: ScoringConfig = DEFAULT_SCORING) -> dict[str, Any]:
    """The numbers the layout's formulas ask for (``{params.X}``): the 自评等级 limits by grade
    name and the decimals every score is rounded to."""
    return {**{name: lowest for name, lowest in config.grades}, "decimals": config.decimals}


def sheet_outputs(form: dict[str, Any], layout: Layout, config: ScoringConfig = DEFAULT_SCORING,
                  scored: SelfEvaluationScore | None = None) -> dict[str, Any]:
    """Pointer → value for every output and every computed or formula cell of ``form``'s sheet,
    as perfxl computes it (None where the formula gives a blank: an input it needs is blank or
    wrong)."""
    scored = scored or score_self_evaluation(form, config)
    values: dict[str, Any] = {FUNDS_WEIGHT: scored.funds.weight, RATE: scored.execution_rate,
                              FUNDS_SCORE: scored.funds.score, TOTAL: scored.total, GRADE: scored.grade}
    outputs = {output.pointer: values.get(output.pointer) for output in layout.outputs}
    items = form.get(layout.indicator_field)
    items = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    by_pointer = {row.pointer: row for row in scored.indicators}
    for index, item in enumerate(items):
        row = by_pointer.get(f"{layout.indicator_field}/{index}")
        row_class = layout.row_class(item)
        for column in layout.indicator_columns:
            role = column.role(row_class)
            if role not in (COMPUTED, FORMULA):
                continue
            value = None if row is None else row.weight if column.part == "weight" else row.score
            outputs[f"{layout.indicator_field}/{index}/{column.part}"] = value
    return outputs


def formula_findings(record: FormRecord, layout: Layout, expected: dict[str, Any]) -> list[Issue]:
    """SCORE-013 for each computed or formula cell whose saved value differs from perfxl's (only
    where perfxl has a value: a cell it cannot compute is explained by the other findings)."""
    issues = []
    for pointer, want in expected.items():
        if want is None or pointer not in record.outputs:
            continue
        found = record.outputs[pointer]
        if _same(found, want):
            continue
        issues.append(make_issue(Problem.SCORE_013, file=record.file, sheet=record.sheet,
                                 cell=record.cells.get(pointer, ""), field=output_title(layout, pointer),
                                 value=_shown(found), expected=_shown(want)))
    return issues


def output_title(layout: Layout, pointer: str) -> str:
    """The Chinese name of an output or a computed column's cell, for messages."""
    parts = pointer.split("/")
    if parts[0] == layout.indicator_field and len(parts) == 3:
        return layout.field_title([parts[0], int(parts[1]), parts[2]])
    return {FUNDS_WEIGHT: "年度资金总额的分值", RATE: "执行率（B/A）", FUNDS_SCORE: "年度资金总额的得分",
            TOTAL: "得分合计", GRADE: "自评等级"}.get(pointer, pointer)


def _same(found: Any, want: Any) -> bool:
    if isinstance(want, Decimal):
        number = _as_decimal(found)
        return number is not None and number == want
    return isinstance(found, str) and found.strip() == str(want)


def _as_decimal(value: Any) -> Decimal | None:
    """A saved number as the Decimal it shows to the score's decimals (a double such as 8.33 is
    8.3300000000000001 in binary; 15 significant digits is what a spreadsheet keeps)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return Decimal(format(value, ".15g"))
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            return None
    return None


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "（空白）"
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    number = _as_decimal(value) if not isinstance(value, str) else None
    return canonical_decimal(number) if number is not None else str(value)


def check_self_evaluation(record: FormRecord, config: ScoringConfig = DEFAULT_SCORING,
                          prefilled: dict[str, Any] | None = None) -> list[Issue]:
    """A self-evaluation read: scored (every SCORE finding at its cell; a value the schema check
    already reported is not reported again), the saved formula results compared with perfxl's
    (SCORE-013), and, with ``prefilled`` (identity key → the form the office pre-filled), every
    pre-filled value compared (SCORE-014)."""
    layout = get_layout(record.variant)
    scored = score_self_evaluation(record.form, config, cells=record.cells, file=record.file, sheet=record.sheet)
    issues = [finding.issue for finding in scored.findings if finding.pointer not in record.reported]
    issues += part_sum_findings(record, layout)
    if record.outputs:
        issues += formula_findings(record, layout, sheet_outputs(record.form, layout, config, scored))
    original = (prefilled or {}).get(collection_key(layout, record.form)) if isinstance(record.form, dict) else None
    if original is not None:
        issues += prefill_findings(record, layout, original)
    return issues


def part_sum_findings(record: FormRecord, layout: Layout) -> list[Issue]:
    """SCORE-015 where the filled parts of 项目资金 (其中：当年财政拨款, 上年结转资金, 其他资金) do
    not add up to the 年度资金总额 row, in 全年预算数 or 全年执行数 (the target table's FUND-002
    check).  The parts are not scored and may all be left blank: then nothing is checked."""
    view = FormView(record, layout)
    issues = []
    for total, parts in PART_SUMS:
        values = view.amounts(parts)
        if values is None or all(value is None for value in values.values()):
            continue
        for finding in sum_check(view, total, parts):
            issues.append(make_issue(Problem.SCORE_015, file=record.file, sheet=record.sheet,
                                     cell=view.cell(finding.pointer), field=view.title(finding.pointer),
                                     value=finding.value, expected=finding.expected, unit=view.unit,
                                     **finding.extra))
    return issues


def prefill_findings(record: FormRecord, layout: Layout, original: dict[str, Any], problem: Problem = Problem.SCORE_014,
                     open_to_the_unit: frozenset[str] = frozenset()) -> list[Issue]:
    """SCORE-014 (or ``problem``) for each value the office pre-filled that the form no longer has
    as it was; the pointers ``open_to_the_unit`` are pre-filled for the unit to correct, not compared."""
    issues = []
    for pointer, want in _leaves(original):
        found = _at(record.form, pointer)
        if found == want or pointer in open_to_the_unit:
            continue
        parts = pointer.split("/")
        title = layout.field_title([int(p) if p.isdigit() else p for p in parts])
        issues.append(make_issue(problem, file=record.file, sheet=record.sheet,
                                 cell=record.cells.get(pointer, ""), field=title,
                                 value="（空白）" if found in (None, "") else found, expected=want))
    return issues


def _leaves(node: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, f"{prefix}{key}/")]
    if isinstance(node, list):
        return [leaf for index, value in enumerate(node) for leaf in _leaves(value, f"{prefix}{index}/")]
    return [(prefix.rstrip("/"), node)]


def _at(form: Any, pointer: str) -> Any:
    node = form
    for part in pointer.split("/"):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
