"""The year's later rounds, each pre-filled from the collected target tables (a ``collect --jsonl``
export or the returned workbooks) and written one workbook per 实施单位 with what perfxl computes
for their cells: the mid-year monitoring (``template --kind monitoring --month N``) and the
year-end self-evaluation (``template --kind self-eval``, ``fill --form self-eval-2023``), and the
settings that compare returned self-evaluations with what was pre-filled (``validate --from``).

At the collect level: it reads target tables, writes workbooks and uses the self-evaluation's check."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..check.monitoring import monitoring_outputs, prefilled_key
from ..check.selfeval import formula_params, sheet_outputs
from ..config import DEFAULT_SCORING, ScoringConfig, Settings
from ..form.identity import collection_key, form_id_for
from ..form.layout import Layout, get_layout
from ..form.monitoring import MONITORING_VARIANT, prefill_monitoring
from ..form.selfeval import prefill_self_evaluation
from ..form.variant import MONITORING_KIND, SELF_EVAL_KIND, TARGET_KIND, variant_names
from ..problems import has_errors
from ..read.inputs import iter_input_files
from ..read.workbook import read_workbook
from ..write.carryover import read_jsonl
from ..write.naming import safe_file_name, safe_sheet_names, unique_file_names
from ..write.workbook import FormSheet, write_workbook

SELF_EVAL_VARIANT = "self-eval-2023"


def target_forms(source: str | Path) -> list[tuple[dict[str, Any], str]]:
    """The target tables (form, variant) a self-evaluation round starts from: a collect
    ``--jsonl`` export (as ``template --from`` takes it), or the returned workbooks themselves (a
    workbook or an inbox folder; a form with errors is taken too, as it was collected, but a
    file that cannot be read is refused).  Self-evaluations found there are left out."""
    path = Path(source)
    if path.is_file() and path.suffix.lower() == ".jsonl":
        return [(form, provenance["variant"]) for form, provenance in read_jsonl(path)]
    if not path.exists():
        raise ValueError(f"找不到“{path}”：应为 collect --jsonl 导出的文件、一个工作簿或存放回收工作簿的文件夹。")
    targets = set(variant_names(TARGET_KIND))
    found = []
    for file in iter_input_files([path]):
        if file.suffix.lower() == ".json":
            continue
        result = read_workbook(file)
        unreadable = [issue for issue in result.issues if has_errors([issue])]
        if unreadable and not result.forms:
            raise ValueError(f"“{file}”无法读取：{unreadable[0].message}")
        found += [(record.form, record.variant) for record in result.forms if record.variant in targets]
    if not found:
        raise ValueError(f"“{path}”中没有绩效目标表。")
    return found


def prefilled_self_evaluations(source: str | Path) -> list[dict[str, Any]]:
    """One self-evaluation per target table of ``source``, pre-filled from it (every target,
    预期目标 = 年度总体目标, 年初预算数 = 年度资金申请总额), in the order found; the same
    project twice is refused (which of two target tables would it be checked against?)."""
    forms = [prefill_self_evaluation(form, variant) for form, variant in target_forms(source)]
    return _one_per_project(forms, get_layout(SELF_EVAL_VARIANT), source, "自评表")


def prefilled_monitoring(source: str | Path, month: int) -> list[dict[str, Any]]:
    """One monitoring table as of the end of ``month`` per target table of ``source``, pre-filled
    from it (every target, 年度目标 = 年度总体目标, 全年预算数 = 年度资金申请总额), in the order
    found; the same project twice is refused."""
    forms = [prefill_monitoring(form, month, variant) for form, variant in target_forms(source)]
    return _one_per_project(forms, get_layout(MONITORING_VARIANT), source, "监控表")


def _one_per_project(forms: list[dict[str, Any]], layout: Layout, source: str | Path, what: str) -> list[dict[str, Any]]:
    seen: dict[str, int] = {}
    for number, form in enumerate(forms, start=1):
        key = collection_key(layout, form)
        if key in seen:
            raise ValueError(f"“{source}”中第 {seen[key]} 张与第 {number} 张绩效目标表是同一项目（{key.replace('|', '、')}），"
                             f"无法确定{what}以哪一张为准。")
        seen[key] = number
    return forms


def computed_cells(variant: str, scoring: ScoringConfig = DEFAULT_SCORING):
    """What perfxl computes for the sheets of ``variant`` (for ``fill``): a self-evaluation's
    分值 and formula results from its scoring, a monitoring table's 执行率; None for a kind
    without computed cells."""
    layout = get_layout(variant)
    outputs = _OUTPUTS.get(layout.kind)
    if outputs is None:
        return None
    params = formula_params(scoring)
    return lambda form: (outputs(form, layout, scoring), params)


_OUTPUTS = {SELF_EVAL_KIND: sheet_outputs, MONITORING_KIND: monitoring_outputs}  # kind → what perfxl computes


def self_eval_sheets(forms: list[dict[str, Any]], scoring: ScoringConfig = DEFAULT_SCORING,
                     layout: Layout | None = None) -> list[FormSheet]:
    """The sheets of self-evaluations (or of forms of ``layout``'s kind), each with what perfxl
    computes for its cells (分值, the cached results of its formulas)."""
    layout = layout or get_layout(SELF_EVAL_VARIANT)
    outputs = _OUTPUTS[layout.kind]
    names = safe_sheet_names(str(form.get("project_name") or layout.title) for form in forms)
    params = formula_params(scoring)
    return [FormSheet(name, layout, form, form_id_for(layout, form), None, outputs(form, layout, scoring), params)
            for name, form in zip(names, forms)]


def write_self_evaluations(forms: list[dict[str, Any]], out_dir: str | Path, *,
                           scoring: ScoringConfig = DEFAULT_SCORING, password: str | None = None,
                           variant: str = SELF_EVAL_VARIANT) -> list[Path]:
    """One workbook per 实施单位, one sheet per self-evaluation (pre-filled or filled); with
    ``variant`` another kind's forms (a monitoring table's)."""
    layout = get_layout(variant)
    groups: dict[str, list[dict[str, Any]]] = {}
    for form in forms:
        groups.setdefault(str(form.get("implementing_unit") or "未填写单位"), []).append(form)
    names = unique_file_names(f"{safe_file_name(unit)}.xlsx" for unit in groups)
    paths = []
    for (_, unit_forms), name in zip(groups.items(), names):
        path = Path(out_dir) / name
        write_workbook(path, self_eval_sheets(unit_forms, scoring, layout), password=password)
        paths.append(path)
    return paths


def write_monitoring(forms: list[dict[str, Any]], out_dir: str | Path, *, scoring: ScoringConfig = DEFAULT_SCORING,
                     password: str | None = None) -> list[Path]:
    """One workbook per 实施单位, one sheet per monitoring table (pre-filled or filled)."""
    return write_self_evaluations(forms, out_dir, scoring=scoring, password=password, variant=MONITORING_VARIANT)


def make_monitoring_templates(source: str | Path, out_dir: str | Path, month: int, *,
                              scoring: ScoringConfig = DEFAULT_SCORING, password: str | None = None) -> list[Path]:
    """``perfxl template --kind monitoring --month N --from SOURCE``: one monitoring workbook per
    实施单位 as of the end of month N (printed into its headers: 1–N月执行数 …), every project of
    the target tables in ``source`` pre-filled, targets locked, a live formula for 执行率."""
    return write_monitoring(prefilled_monitoring(source, month), out_dir, scoring=scoring, password=password)


def make_self_eval_templates(source: str | Path, out_dir: str | Path, *, scoring: ScoringConfig = DEFAULT_SCORING,
                             password: str | None = None) -> list[Path]:
    """``perfxl template --kind self-eval --from SOURCE``: one self-evaluation workbook per 实施单位,
    every project of the target tables in ``source`` pre-filled and locked, the unit's inputs
    open, live formulas for 执行率, 得分 and 总分."""
    return write_self_evaluations(prefilled_self_evaluations(source), out_dir, scoring=scoring, password=password)


def with_prefilled(settings: Settings, source: str | Path) -> Settings:
    """``settings`` that compare every self-evaluation and every monitoring table with what the
    office pre-filled from the target tables in ``source`` (``validate --from``): a changed target
    is SCORE-014 in a self-evaluation, MON-003 in a monitoring table."""
    layout = get_layout(SELF_EVAL_VARIANT)
    prefilled = tuple((collection_key(layout, form), form) for form in prefilled_self_evaluations(source))
    monitoring = get_layout(MONITORING_VARIANT)
    # the month is the template's (and not compared): any month pre-fills the same targets
    prefilled += tuple((prefilled_key(monitoring, form), form) for form in prefilled_monitoring(source, 1))
    return replace(settings, prefilled=prefilled)
