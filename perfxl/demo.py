"""The main job on the bundled examples, end to end (``perfxl demo``): templates from the roster,
and made-up actuals for the self-evaluations of the demo and the tests."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from .check.scoring import score_self_evaluation
from .collect.publish import Booklet, publish_booklet
from .collect.run import collect_to_master
from .check.monitoring import GREEN, IMPOSSIBLE, POSSIBLE, RED, SURE, YELLOW, indicator_statuses
from .collect.rounds import (
    make_monitoring_templates,
    make_self_eval_templates,
    prefilled_monitoring,
    prefilled_self_evaluations,
    write_monitoring,
    write_self_evaluations,
)
from .config import DEFAULT_SCORING, ScoringConfig
from .form.jsonforms import load_json_forms
from .form.layout import DEFAULT_ROWS, get_layout
from .form.marks import MANIFEST_NAME
from .form.targets import (
    EQUAL,
    FORWARD,
    QUALITATIVE,
    REVERSE,
    direction,
    parse_target_cached,
)
from .form.values import canonical_decimal
from .form.variant import DEFAULT_VARIANT, TARGET_KIND, data_dir, variant_names
from .problems import Issue
from .read.manifest import manifest_text
from .read.roster import RosterError, group_by_unit, read_roster
from .write.atomic import replacing
from .write.pdf import LibreOfficeMissing, find_soffice
from .write.units import fill_forms, make_unit_templates


def make_roster_templates(roster: str | Path, out_dir: str | Path, *, variant: str = DEFAULT_VARIANT,
                          rows: int | None = DEFAULT_ROWS, password: str | None = None,
                          year: int | None = None, workers: int = 1,
                          on_note: Callable[[str], None] | None = None) -> list[Path]:
    """One workbook per 实施单位, one pre-filled sheet per project of the roster (read through the
    safety gate and checked whole before anything is written; written by ``workers`` processes,
    the files the same either way), and beside them the roster's projects as JSON
    (:data:`~perfxl.form.marks.MANIFEST_NAME`), which ``collect --roster`` takes as well as the
    roster itself.  ``on_note`` hears, in Chinese, what the roster had that was ignored (columns
    that are no form field)."""
    layout = get_layout(variant)
    try:
        entries = read_roster(roster, layout, year=year)
    except RosterError as error:
        raise RosterError(_with_form_hint(str(error), roster, variant, year)) from None
    if on_note is not None and entries.note:
        on_note(entries.note)
    paths = make_unit_templates(group_by_unit(entries), out_dir, variant=variant, rows=rows, password=password,
                                workers=workers)
    with replacing(Path(out_dir) / MANIFEST_NAME) as temporary:
        temporary.write_text(manifest_text(entries, layout), encoding="utf-8")
    return paths


_FACTORS = {FORWARD: ("1", "0.95", "1.05", "0.8"), EQUAL: ("1", "0.9"), REVERSE: ("1", "1.25", "0.9", "2")}
_BANDS = ((0, "0.9"), (0, "1"), (1, "0.7"), (2, "0.5"))  # (band index, share of the 分值)


def illustrative_self_evaluation(form: dict[str, Any], number: int = 0,
                                 scoring: ScoringConfig = DEFAULT_SCORING) -> dict[str, Any]:
    """A pre-filled self-evaluation with made-up actuals (NOT real data; for the demo and the
    tests): 全年预算数 = 年初预算数 (or 100), 96 % of it spent, each 定量 target met, missed or
    exceeded by turns, each 定性 one given a band and a 得分 inside it, and a reason where the
    得分 is below the 分值.  ``number`` varies the turns from form to form."""
    filled = copy.deepcopy(form)
    funding = filled.setdefault("funding", {})
    budget = Decimal(funding.get("budget_initial") or funding.get("fiscal_initial") or "100")
    funding["budget_full"] = canonical_decimal(budget)
    funding["executed"] = canonical_decimal((budget * Decimal("0.96")).quantize(Decimal("0.000001")))
    filled.setdefault("goals", {})["actual"] = "（示例，非真实数据）年度目标基本完成。"
    weights = {row.pointer: row.weight for row in score_self_evaluation(filled, scoring).indicators}
    bands = [name for name, _, _ in scoring.bands]
    for index, item in enumerate(filled.get("indicators", [])):
        turn = number + index
        parsed = parse_target_cached(item["target"]) if isinstance(item.get("target"), str) else None
        method = direction(parsed) if parsed is not None else QUALITATIVE
        weight = weights.get(f"indicators/{index}")
        if method != QUALITATIVE and parsed is not None and parsed.number is not None:
            factors = _FACTORS[method]
            value = parsed.number * Decimal(factors[turn % len(factors)])
            item["actual"] = canonical_decimal(value.quantize(Decimal("0.01"))) + parsed.unit
        elif weight is not None:
            band, share = _BANDS[turn % len(_BANDS)]
            item["band"] = bands[band]
            item["score"] = canonical_decimal((weight * Decimal(share)).quantize(Decimal("0.01")))
    scored = score_self_evaluation(filled, scoring)
    for row in scored.indicators:
        index = int(row.pointer.rsplit("/", 1)[1])
        if row.score is not None and row.weight is not None and row.score < row.weight:
            filled["indicators"][index]["deviation_reason"] = "（示例，非真实数据）受客观因素影响，下年度加强进度管理。"
    return filled


# (share of the pace N/12 reached by month N, share of the target forecast for the year, 完成目标可能性)
_PROGRESS = (("1", "1", SURE), ("1.1", "1.05", SURE), ("0.8", "1", POSSIBLE), ("1", "1", SURE),
             ("0.6", "0.85", IMPOSSIBLE), ("0.9", "1", SURE))
_QUALITATIVE_LIKELY = (SURE, SURE, POSSIBLE, SURE)
MONITORING_MONTH = 6  # the demo's monitoring is as of the end of June


def illustrative_monitoring(form: dict[str, Any], number: int = 0) -> dict[str, Any]:
    """A pre-filled monitoring table with made-up progress (NOT real data; for the demo and the
    tests): about N/12 of 全年预算数 spent by month N, each 定量 target on pace, ahead, behind or far
    behind by turns (a percentage is a rate: its progress is the target's share itself), a 全年预计完成值
    and a 完成目标可能性 to match, a 偏差原因 where it is not 确定能; each 定性 target 确定能 or 有可能
    by turns.  ``number`` varies the turns from form to form."""
    filled = copy.deepcopy(form)
    month = filled.get("month") if isinstance(filled.get("month"), int) else MONITORING_MONTH
    funding = filled.setdefault("funding", {})
    budget = Decimal(funding.get("budget_full") or "100")
    funding.setdefault("budget_full", canonical_decimal(budget))
    spent = budget * Decimal(month) / 12 * Decimal("0.9" if number % 3 == 2 else "1")
    funding["executed"] = canonical_decimal(spent.quantize(Decimal("0.000001")))
    filled.setdefault("goals", {})["progress"] = "（示例，非真实数据）各项工作按计划推进。"
    for index, item in enumerate(filled.get("indicators", [])):
        turn = number + index
        parsed = parse_target_cached(item["target"]) if isinstance(item.get("target"), str) else None
        method = direction(parsed) if parsed is not None else QUALITATIVE
        if method != QUALITATIVE and parsed is not None and parsed.number is not None:
            pace, year, likely = _PROGRESS[turn % len(_PROGRESS)]
            if method == REVERSE:  # a ceiling: below it so far, and for the year unless unlikely
                pace, year = "0.5", ("1.2" if likely == IMPOSSIBLE else "0.9")
            share = Decimal(1) if parsed.unit == "%" or method == REVERSE else Decimal(month) / 12
            if parsed.unit == "%":  # a rate above its target of 100 % reads oddly: at most the target
                pace, year = str(min(Decimal(pace), Decimal(1))), str(min(Decimal(year), Decimal(1)))
            progress = parsed.number * share * Decimal(pace)
            item["progress"] = canonical_decimal(progress.quantize(Decimal("0.01"))) + parsed.unit
            item["forecast"] = canonical_decimal((parsed.number * Decimal(year)).quantize(Decimal("0.01"))) + parsed.unit
        else:
            likely = _QUALITATIVE_LIKELY[turn % len(_QUALITATIVE_LIKELY)]
            item["progress"] = "（示例，非真实数据）按计划推进中。"
        item["likely"] = likely
        if likely != SURE:
            item["reason"] = ("经费保障", "人员保障", "制度保障", "硬件保障", "其他")[turn % 5]
            item["note"] = "（示例，非真实数据）下半年加快进度。"
    return filled


def _with_form_hint(message: str, roster: str | Path, variant: str, year: int | None) -> str:
    """A refused roster that another target-table variant takes as it is was made for that form
    (万元 vs 元, other 项目类别): say so first, before the rows it fails here."""
    for other in variant_names(TARGET_KIND):
        if other == variant:
            continue
        try:
            read_roster(roster, get_layout(other), year=year)
        except RosterError:
            continue
        headline, _, rows = message.partition("\n")
        headline = headline.removesuffix("请改正后重试：")
        fits = get_layout(other).variant.description
        return (f"{headline}\n  这份名单符合另一种绩效目标表“{other}”（{fits}），不符合所选的“{variant}”"
                f"（{get_layout(variant).variant.description}）。要生成“{other}”的模板，请改用 --form {other}；"
                f"要生成“{variant}”的模板，请按下列问题改正名单：\n{rows}")
    return message


def examples_dir() -> Path:
    """The bundled examples: the roster and the 18 real 2023 forms of 浦江镇."""
    return data_dir("examples")


@dataclass
class DemoResult:
    templates: list[Path]
    filled: list[Path]
    forms_read: int
    round_trip_equal: int
    master: Path
    issues: list[Issue] = field(default_factory=list)
    roster: dict[str, Any] | None = None  # 报送情况 against the bundled roster (Collection.summary()["roster"])
    # the year-end self-evaluation: templates pre-filled from the collected targets, the same filled
    # with made-up actuals, and their scored master
    self_eval_templates: list[Path] = field(default_factory=list)
    self_eval_filled: list[Path] = field(default_factory=list)
    self_eval_master: Path | None = None
    grades: dict[str, int] = field(default_factory=dict)  # 自评等级 → projects (made-up actuals)
    booklet: Booklet | None = None  # 绩效目标表汇编.xlsx (and .pdf where LibreOffice is installed)
    # mid-year: monitoring tables as of June pre-filled from the collected targets, the same filled
    # with made-up progress, and their master with each indicator's traffic light
    monitoring_templates: list[Path] = field(default_factory=list)
    monitoring_filled: list[Path] = field(default_factory=list)
    monitoring_master: Path | None = None
    statuses: dict[str, int] = field(default_factory=dict)  # 监控状态 (红/黄/绿) → indicators (made-up progress)


def run_demo(out_dir: str | Path, *, workers: int = 1) -> DemoResult:
    """The main job on the bundled examples: templates from the roster, filled workbooks from the
    example forms (one per unit, as units return them), read back and compared, then collected
    against the roster into the master workbook (报送情况 first) with its JSONL export and
    feedback copies; then the year's booklet of the forms without errors (绩效目标表汇编.xlsx, and
    its PDF where LibreOffice is installed)."""
    out_dir = Path(out_dir)
    examples = examples_dir()
    templates = make_roster_templates(examples / "roster.csv", out_dir / "templates")
    sources = sorted((examples / "forms").glob("*.json"))
    filled = fill_forms(sources, out_dir / "filled", by_unit=True)
    originals = [form for path in sources for form in load_json_forms(path)]
    master = out_dir / "汇总.xlsx"
    collection = collect_to_master([out_dir / "filled"], master, workers=workers, roster=examples / "roster.csv",
                                   jsonl=out_dir / "forms.jsonl", feedback_dir=out_dir / "退回")
    read_back = [item.record.form for item in collection.forms]
    equal = sum(1 for form in originals if form in read_back)
    (out_dir / "forms.json").write_text(json.dumps(read_back, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
    try:
        office: str | None = find_soffice()
    except LibreOfficeMissing:
        office = None  # the workbook booklet still; the CLI says how to get the PDF
    booklet = publish_booklet([out_dir / "filled"], out_dir / BOOKLET_NAME, roster=examples / "roster.csv",
                              pdf=office is not None, soffice=office, workers=workers)
    result = DemoResult(templates, filled, len(read_back), equal, master, collection.issues,
                        collection.summary()["roster"], booklet=booklet)
    # mid-year: monitoring tables as of June, pre-filled from the collected targets, with made-up progress
    jsonl = out_dir / "forms.jsonl"
    result.monitoring_templates = make_monitoring_templates(jsonl, out_dir / "监控下发", MONITORING_MONTH)
    progress = [illustrative_monitoring(form, number)
                for number, form in enumerate(prefilled_monitoring(jsonl, MONITORING_MONTH))]
    result.monitoring_filled = write_monitoring(progress, out_dir / "监控填写")
    result.monitoring_master = out_dir / "监控汇总.xlsx"
    monitored = collect_to_master([out_dir / "监控填写"], result.monitoring_master, workers=workers)
    lights = [status.status for item in monitored.forms
              for status in indicator_statuses(item.record.form, get_layout(item.variant))]
    result.statuses = {light: lights.count(light) for light in (RED, YELLOW, GREEN) if light in lights}
    # December: self-evaluations pre-filled from the collected targets, filled with made-up actuals
    result.self_eval_templates = make_self_eval_templates(out_dir / "forms.jsonl", out_dir / "自评下发")
    prefilled = prefilled_self_evaluations(out_dir / "forms.jsonl")
    made_up = [illustrative_self_evaluation(form, number) for number, form in enumerate(prefilled)]
    result.self_eval_filled = write_self_evaluations(made_up, out_dir / "自评填写")
    result.self_eval_master = out_dir / "自评汇总.xlsx"
    scored = collect_to_master([out_dir / "自评填写"], result.self_eval_master, workers=workers)
    grades = [score_self_evaluation(item.record.form).grade for item in scored.forms]
    result.grades = {grade: grades.count(grade) for grade in ("优", "良", "中", "差") if grade in grades}
    return result


BOOKLET_NAME = "绩效目标表汇编.xlsx"
