"""Scoring the year-end self-evaluation (项目支出绩效自评表), exactly.

A self-evaluation (a dict of ``schema/self-eval-2023.schema.json``, see
:func:`perfxl.form.selfeval.prefill_self_evaluation`) carries its project's targets and the unit's
inputs: 全年预算数（A）, 全年执行数（B）, and per indicator the 实际完成值 or, for a 定性 target, the
完成情况档次 chosen and a 得分 inside it.  :func:`score_self_evaluation` gives every row its 分值 and
得分, the 总分 and the 自评等级, and a finding (an :class:`~perfxl.problems.Issue` of the SCORE
family, with the pointer of the field it concerns) for everything that stops a row from being
scored or that a reviewer should see.  :data:`RULES` states each rule with its setting and source;
docs/scoring.md prints them.

Arithmetic is exact: inputs are Decimals, quotients are Fractions (B/A, actual/target), and each
row's 得分 is rounded once, at its end (ROUND_HALF_UP); the 总分 is the sum of the rounded rows.
Nothing is guessed: a row that cannot be scored has no 得分, and then the form has no 总分.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Mapping

from ..config import DEFAULT_SCORING, TOTAL_POINTS, ScoringConfig
from ..form.selfeval import field_title, indicator_title
from ..form.values import MONEY_UNITS, canonical_decimal
from ..problems import Issue, Problem, make_issue
from .formview import indicator_label
from .targets import EQUAL, FORWARD, REVERSE, ParsedTarget, direction, parse_amount, parse_target_cached  # noqa: F401 (EQUAL: a method name, re-exported)

FUNDS = "预算执行率"  # the funds row's method
QUALITATIVE = "定性"
INDICATORS = "indicators"

_DECIMAL = re.compile(r"\d+(\.\d+)?")


@dataclass(frozen=True)
class ScoringRule:
    """One scoring rule as docs/scoring.md prints it."""

    title: str  # Chinese
    text: str  # what it does, precisely
    settings: tuple[str, ...]  # the perfxl.toml keys of [scoring] it uses
    codes: tuple[Problem, ...]  # the findings it reports
    source: str  # where the rule comes from


_NATIONAL = "《项目支出绩效评价管理办法》（财预〔2020〕10号）及其单位自评表"
_ISSUE = "issue 14（预算管理系统的通行算法）"

RULES: tuple[ScoringRule, ...] = (
    ScoringRule("总分与一级指标分值",
                "总分 is 100: the funds row (预算执行率) has `funds` points and each 一级 of `weights` its own; "
                "together they must make 100 (perfxl.toml is refused otherwise).",
                ("funds", "weights"), (), _NATIONAL + "：原则上预算执行率 10%、产出指标 50%、效益指标 30%、服务对象满意度指标 10%"),
    ScoringRule("一级指标内平均分配",
                "Unless the unit sets 分值 itself, each 一级's points are split evenly over its indicators: every "
                "row gets the points divided by the number of rows, cut (not rounded) to `decimals` decimals, "
                "and the last row of the 一级 (in form order) gets the rest, so that the rows of each 一级 add "
                "up to its points exactly. A 一级 whose targets are all 定性 is split the same way: its rows are "
                "then scored by their bands.",
                ("weights", "decimals"), (), "issue 14（一级指标内平均分配，余数归最后一行）；每行先截断到两位小数、"
                "全为定性指标的一级指标同样分配，是 perfxl 的约定"),
    ScoringRule("没有自己分值的一级指标",
                "A 一级 not in `weights` shares the points of the 一级 `shared` names for it: its indicators are "
                "counted with that 一级's in the even split (by default 成本指标, a 一级 of its own in the 2025 "
                "Shanghai framework, shares 产出指标's 50 points, as it does as a 二级 of 产出指标 in the 2023 "
                "浦江 framework). "
                "Give it an entry in `weights` to give it points of its own. An indicator under a 一级 with "
                "neither cannot be scored.",
                ("shared", "weights"), (Problem.SCORE_007,), "perfxl 的约定（国家文件未规定成本指标单列为一级指标时的分值）"),
    ScoringRule("一级指标下没有指标",
                "A 一级 of `weights` (with points) under which the form has no indicator: its points cannot be "
                "earned and are not moved to other rows; the highest 总分 is less than 100.",
                ("weights",), (Problem.SCORE_008,), "perfxl 的约定（不猜测分值的去向）"),
    ScoringRule("单位自定分值",
                "When the unit fills in 分值 (`weight`), it must fill it on every indicator, and the 分值 must add "
                "up to 100 less `funds` (90 by default); they are then used as they are, whatever the 一级. "
                "Otherwise no indicator can be scored.",
                ("funds",), (Problem.SCORE_006, Problem.SCORE_005, Problem.SCORE_003), _NATIONAL + "：如有特殊情况，指标权重可适当调整；"
                "合计须为 90 分见 issue 14"),
    ScoringRule("预算执行率",
                "执行率 = B/A (全年执行数 over 全年预算数); the funds row scores min(B/A, 1) × `funds`. "
                "A = 0 is an error, whether B > 0 (spent without a budget) or B = 0 (B/A has no value). "
                "A blank or unreadable A or B is an error.",
                ("funds",), (Problem.SCORE_001, Problem.SCORE_003, Problem.SCORE_002),
                _NATIONAL + "：执行率 = B/A；A = 0 且 B > 0 为错误见 issue 14，A = B = 0 也作错误是 perfxl 的约定"),
    ScoringRule("定量指标：正向与等于",
                "A 定量 target (one number, see docs/rules.md: how targets are read) with ≥ or >, with =, or with "
                "no operator (a bare amount such as 360人 reads as a level to reach): with the actual V and the "
                "target T in the same unit, V ≥ T scores the full 分值, else V/T × 分值. > and ≥ score alike.",
                (), (Problem.SCORE_001,), _NATIONAL + "：未完成指标值的，按照完成值与指标值的比例记分；"
                "只写数值（无运算符）按正向计分是 perfxl 的约定"),
    ScoringRule("定量指标：反向",
                "A 定量 target with ≤ or < (including 以内, 以下): V ≤ T scores the full 分值; T < V < 2T scores "
                "(1 − (V − T)/T) × 分值; V ≥ 2T scores 0 (so a target of 0 scores 0 for any V above it).",
                (), (Problem.SCORE_001,), _ISSUE),
    ScoringRule("实际完成值与单位",
                "An 实际完成值 is one number and its unit (350人, 98.5%, 1,020份); words before the number, "
                "an operator (≥95%, 20小时内), several numbers or a date cannot be compared. Its unit must be "
                "the target's (个 is not 人; a bare number is not %); 元, 千元, 万元 and 亿元 convert exactly. "
                "A value that cannot be compared is a finding, never a guess, and the row has no 得分.",
                (), (Problem.SCORE_003, Problem.SCORE_004), "issue 14（单位须一致，万元与元换算；无法比较的不猜测）"),
    ScoringRule("定性指标：三档",
                "A 定性 target (words, dates, anything but one amount) is scored by the unit: it chooses a band "
                "(完成情况档次) and a 得分 inside it, as % of the row's 分值: 达成年度指标, "
                "部分达成年度指标并具有一定效果, 未达成年度指标且效果较差 (`bands`). A band includes its lowest "
                "limit and excludes its highest, except the band that reaches 100 %. The limits are rounded to "
                "`decimals` decimals (ROUND_HALF_UP) like every score. A 得分 outside its band is an error and "
                "the row has no 得分; a blank band or 得分 is an error.",
                ("bands", "decimals"), (Problem.SCORE_001, Problem.SCORE_003, Problem.SCORE_009),
                _NATIONAL + "：分别按照该指标对应分值区间 100–80%（含 80%）、80–60%（含 60%）、60–0% 合理确定分值"),
    ScoringRule("定量指标的得分由 perfxl 计算",
                "A 定量 indicator's 得分 comes from its 实际完成值: a band chosen for it, or a 得分 typed that "
                "differs from the computed one (a changed formula, later a cached value), is a warning and is not "
                "used.",
                (), (Problem.SCORE_012,), "perfxl 的约定（得分一律重新计算）"),
    ScoringRule("公式结果不采信",
                "A self-evaluation workbook shows 执行率, 得分, 得分合计 and 自评等级 as live formulas, and 分值 as "
                "values perfxl wrote. On reading, perfxl recomputes each of them with Decimal and reports a saved "
                "value that differs from its own (a changed formula, a changed 分值, or a client that rounds "
                "otherwise) as a warning; its own value is the one used. A cell perfxl cannot compute is "
                "explained by the other findings and not compared.",
                (), (Problem.SCORE_013,), "perfxl 的约定（issue 14：公式仅供填表参考，perfxl 从不采信）"),
    ScoringRule("预填内容不得改动",
                "With the target tables given (`perfxl validate --from`), every value a self-evaluation copies "
                "from its project's 绩效目标表 (项目名称, 主管部门, 年初预算数 and its parts, 预期目标, each "
                "indicator's 一级/二级/三级指标 and 年度指标值, in order) must be the target table's; a "
                "difference is an error at its cell.",
                (), (Problem.SCORE_014,), _ISSUE),
    ScoringRule("偏差原因",
                "An indicator whose 得分 is below its 分值 (rounded to `decimals`) needs "
                "偏差原因分析及改进措施; blank is an error. The funds row has no such column.",
                ("decimals",), (Problem.SCORE_010,), _NATIONAL + "：自评表的“偏差原因分析及改进措施”栏"),
    ScoringRule("年度指标值设定偏低",
                "An actual of at least `too_high` % of a 正向 target (≥, > or a bare amount; not =, not a target "
                "of 0) is a warning: the target was probably set too low. The score stays full.",
                ("too_high",), (Problem.SCORE_011,),
                _NATIONAL + "：完成值高于指标值较多的要分析原因，指标值设定明显偏低的按偏离度适度调减分值（perfxl 只提示，不减分）"),
    ScoringRule("取整与总分",
                "Each row's 得分 is rounded once, at its end, to `decimals` decimals (ROUND_HALF_UP) from the exact "
                "value; the 总分 is the sum of the rounded rows, and exists only when every row has a 得分.",
                ("decimals",), (), _ISSUE),
    ScoringRule("自评等级",
                "优 when the 总分 is at least `grades.优` (90), 良 from `grades.良` (80), 中 from `grades.中` (60), "
                "差 below.",
                ("grades",), (), _NATIONAL + "：90（含）–100 分为优、80（含）–90 分为良、60（含）–80 分为中、60 分以下为差"),
    ScoringRule("资金分项之和",
                "When any part of 项目资金 is filled in a column (其中：当年财政拨款, 上年结转资金, 其他资金; a blank "
                "part counts as 0), the parts add up to the 年度资金总额 row exactly (Decimal), in 全年预算数（A） "
                "and in 全年执行数（B）, as FUND-002 checks the target table's 年度资金申请总额. The parts are not "
                "scored; all of them blank is not checked.",
                (), (Problem.SCORE_015,), "perfxl 的约定（与绩效目标表 FUND-002 同一核对）；issue 14"),
)


@dataclass(frozen=True)
class RowScore:
    """One row of the score: the funds row (pointer ``funding``) or an indicator (``indicators/3``)."""

    pointer: str
    pool: str  # the 一级 whose points the row shares ("" for the funds row and unknown 一级)
    method: str  # 预算执行率, 正向, 等于, 反向 or 定性; "" when not known
    weight: Decimal | None  # 分值; None when it cannot be set
    score: Decimal | None  # 得分, rounded once; None when the row cannot be scored


@dataclass(frozen=True)
class ScoreFinding:
    """A finding of the scoring: the pointer of the field it concerns (``indicators/3/actual``)
    and the issue (with its cell when the caller gave the form's cells)."""

    pointer: str
    issue: Issue


@dataclass(frozen=True)
class SelfEvaluationScore:
    """A self-evaluation scored: every row, the 总分 and 自评等级 (None unless every row has a
    得分), and the findings."""

    funds: RowScore
    execution_rate: Decimal | None  # B/A in %, rounded to the score's decimals (for display)
    indicators: tuple[RowScore, ...]
    total: Decimal | None
    grade: str | None
    findings: tuple[ScoreFinding, ...]

    @property
    def rows(self) -> tuple[RowScore, ...]:
        return (self.funds, *self.indicators)

    @property
    def issues(self) -> list[Issue]:
        return [finding.issue for finding in self.findings]

    @property
    def max_total(self) -> Decimal | None:
        """What the rows can earn together: 100 unless a 一级 has no indicator (SCORE-008)."""
        weights = [row.weight for row in self.rows]
        return None if None in weights else sum(weights, Decimal(0))  # type: ignore[arg-type]


def score_self_evaluation(form: Any, config: ScoringConfig = DEFAULT_SCORING, *, cells: Mapping[str, str] | None = None,
                          file: str = "", sheet: str = "") -> SelfEvaluationScore:
    """Score one self-evaluation (a dict; any other shape scores nothing and says why).  ``cells``
    (pointer → cell), ``file`` and ``sheet`` place the findings once the form comes from a sheet."""
    return _Scorer(form if isinstance(form, dict) else {}, config, cells or {}, file, sheet).run()


def round_half_up(value: Fraction, decimals: int) -> Decimal:
    """A non-negative exact value rounded to ``decimals`` decimals, halves up, as a Decimal with
    exactly that many decimals (built from text, so no context precision applies)."""
    scaled = value * 10 ** decimals
    whole = (scaled.numerator * 2 + scaled.denominator) // (scaled.denominator * 2)  # floor(scaled + 1/2)
    return Decimal(f"{whole}E-{decimals}")


def _cut(value: Fraction, decimals: int) -> Decimal:
    """A non-negative exact value cut (rounded down) to ``decimals`` decimals."""
    scaled = value * 10 ** decimals
    return Decimal(f"{scaled.numerator // scaled.denominator}E-{decimals}")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _decimal(value: object) -> Decimal | None:
    """A non-negative decimal written as text (``7.5``, ``12``), else None."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return Decimal(value.strip())
    return None


class _Scorer:
    def __init__(self, form: dict[str, Any], config: ScoringConfig, cells: Mapping[str, str], file: str, sheet: str):
        self.form = form
        self.config = config
        self.cells = cells
        self.file, self.sheet = file, sheet
        self.decimals = config.decimals
        self.findings: list[ScoreFinding] = []
        items = form.get(INDICATORS)
        self.items = [(index, item) for index, item in enumerate(items if isinstance(items, list) else [])
                      if isinstance(item, dict)]

    # --- findings ---------------------------------------------------------------------------
    def title(self, pointer: str) -> str:
        parts = pointer.split("/")
        if parts[0] == INDICATORS and len(parts) == 3:
            index = int(parts[1])
            return f"{indicator_label(index, self.form[INDICATORS][index])}的{indicator_title(parts[2])}"
        return field_title(".".join(parts))

    def report(self, problem: Problem, pointer: str, value: object = "", expected: object = "",
               **extra: object) -> None:
        issue = make_issue(problem, file=self.file, sheet=self.sheet, cell=self.cells.get(pointer, ""),
                           field=self.title(pointer), value=value, expected=expected, **extra)
        self.findings.append(ScoreFinding(pointer, issue))

    def points(self, value: Decimal) -> Decimal:
        """A 分值 or 得分 as shown: rounded to the score's decimals."""
        return round_half_up(Fraction(value), self.decimals)

    # --- the form ---------------------------------------------------------------------------
    def run(self) -> SelfEvaluationScore:
        funds, rate = self.funds()
        weights = self.weights()
        rows = tuple(self.indicator(index, item, *weights[index]) for index, item in self.items)
        scores = [row.score for row in (funds, *rows)]
        total = None if None in scores else sum(scores, Decimal(0))  # type: ignore[arg-type]
        grade = None if total is None else self.config.grade(total)
        return SelfEvaluationScore(funds, rate, rows, total, grade, tuple(self.findings))

    def amount(self, key: str) -> Decimal | None:
        funding = self.form.get("funding")
        value = funding.get(key) if isinstance(funding, dict) else None
        pointer = f"funding/{key}"
        if _blank(value):
            self.report(Problem.SCORE_001, pointer)
            return None
        amount = _decimal(value)
        if amount is None:
            self.report(Problem.SCORE_003, pointer, value, "不小于 0 的金额（万元），如“374.9447”")
        return amount

    def funds(self) -> tuple[RowScore, Decimal | None]:
        """预算执行率: min(B/A, 1) × funds."""
        budget, executed = self.amount("budget_full"), self.amount("executed")
        weight = self.config.funds
        if budget is None or executed is None:
            return RowScore("funding", "", FUNDS, weight, None), None
        if budget == 0:
            self.report(Problem.SCORE_002, "funding/budget_full", canonical_decimal(executed), "大于 0")
            return RowScore("funding", "", FUNDS, weight, None), None
        ratio = Fraction(executed) / Fraction(budget)
        score = round_half_up(min(ratio, Fraction(1)) * Fraction(weight), self.decimals)
        return RowScore("funding", "", FUNDS, weight, score), round_half_up(ratio * 100, self.decimals)

    # --- 分值 -------------------------------------------------------------------------------
    def weights(self) -> dict[int, tuple[str, Decimal | None]]:
        """Each indicator's pool and 分值: the unit's, or each 一级's points split evenly."""
        if any(not _blank(item.get("weight")) for _, item in self.items):
            return self.unit_weights()
        pools: dict[str, list[int]] = {}
        result: dict[int, tuple[str, Decimal | None]] = {}
        unknown: set[object] = set()
        for index, item in self.items:
            level1 = item.get("level1")
            pool = self.config.pool_of(level1)
            if pool is None:
                result[index] = ("", None)
                key = level1 if isinstance(level1, str) else repr(level1)
                if key not in unknown:
                    unknown.add(key)
                    self.report(Problem.SCORE_007, f"{INDICATORS}/{index}/level1", "" if level1 is None else level1)
                continue
            pools.setdefault(pool, []).append(index)
        for pool, indices in pools.items():
            points = self.config.weight_of(pool)
            assert points is not None
            share = _cut(Fraction(points) / len(indices), self.decimals)
            for index in indices[:-1]:
                result[index] = (pool, share)
            result[indices[-1]] = (pool, points - share * (len(indices) - 1))
        lost = [(pool, points) for pool, points in self.config.weights if pool not in pools and points > 0]
        if lost:
            reachable = TOTAL_POINTS - sum((points for _, points in lost), Decimal(0))
            for pool, points in lost:
                self.report(Problem.SCORE_008, INDICATORS, pool, canonical_decimal(points),
                            max_total=canonical_decimal(reachable))
        return result

    def unit_weights(self) -> dict[int, tuple[str, Decimal | None]]:
        """The 分值 the unit set: on every indicator, adding up to 100 less the funds row's."""
        pools = {index: (item["level1"] if isinstance(item.get("level1"), str) else "") for index, item in self.items}
        unset = {index: (pool, None) for index, pool in pools.items()}
        blank = [index for index, item in self.items if _blank(item.get("weight"))]
        for index in blank:
            self.report(Problem.SCORE_006, f"{INDICATORS}/{index}/weight")
        weights: dict[int, Decimal] = {}
        for index, item in self.items:
            if index in blank:
                continue
            weight = _decimal(item["weight"])
            if weight is None:
                self.report(Problem.SCORE_003, f"{INDICATORS}/{index}/weight", item["weight"], "不小于 0 的分值，如“10”")
            else:
                weights[index] = weight
        if blank or len(weights) < len(self.items):
            return unset
        expected = TOTAL_POINTS - self.config.funds
        total = sum(weights.values(), Decimal(0))
        if total != expected:
            first = self.items[0][0]
            self.report(Problem.SCORE_005, f"{INDICATORS}/{first}/weight", canonical_decimal(total),
                        canonical_decimal(expected), funds=canonical_decimal(self.config.funds))
            return unset
        return {index: (pools[index], weight) for index, weight in weights.items()}

    # --- 得分 -------------------------------------------------------------------------------
    def indicator(self, index: int, item: dict[str, Any], pool: str, weight: Decimal | None) -> RowScore:
        target = item.get("target")
        parsed = parse_target_cached(target) if isinstance(target, str) and target.strip() else None
        if parsed is not None and parsed.is_quantitative:
            method, score = self.quantitative(index, item, parsed, weight)
        else:
            method, score = QUALITATIVE, self.qualitative(index, item, weight)
        if score is not None and weight is not None and score < self.points(weight) \
                and _blank(item.get("deviation_reason")):
            self.report(Problem.SCORE_010, f"{INDICATORS}/{index}/deviation_reason", canonical_decimal(score),
                        canonical_decimal(self.points(weight)))
        return RowScore(f"{INDICATORS}/{index}", pool, method, weight, score)

    def quantitative(self, index: int, item: dict[str, Any], target: ParsedTarget,
                     weight: Decimal | None) -> tuple[str, Decimal | None]:
        method = direction(target)
        pointer = f"{INDICATORS}/{index}/actual"
        assert target.number is not None
        example = f"{canonical_decimal(target.number)}{target.unit}"
        actual = item.get("actual")
        if _blank(actual):
            self.report(Problem.SCORE_001, pointer)
            return method, None
        read = parse_amount(actual) if isinstance(actual, str) else None
        if read is None:
            self.report(Problem.SCORE_003, pointer, actual, f"一个数值加计量单位，如“{example}”")
            return method, None
        value = in_target_unit(*read, target.unit)
        if value is None:
            wanted = f"以“{target.unit}”为单位的数值" if target.unit else "不带单位的数值"
            self.report(Problem.SCORE_004, pointer, actual, f"{wanted}，如“{example}”", target=target.text)
            return method, None
        goal = Fraction(target.number)
        too_high = Fraction(self.config.too_high)
        if method == FORWARD and goal > 0 and value * 100 >= goal * too_high:
            self.report(Problem.SCORE_011, pointer, actual, "", target=target.text,
                        ratio=canonical_decimal(round_half_up(value / goal * 100, self.decimals)),
                        too_high=canonical_decimal(self.config.too_high))
        if weight is None:
            return method, None
        score = round_half_up(_ratio(method, value, goal) * Fraction(weight), self.decimals)
        self.typed_inputs(index, item, score)
        return method, score

    def typed_inputs(self, index: int, item: dict[str, Any], score: Decimal) -> None:
        """A band or a 得分 given for a 定量 indicator: not used, and said so."""
        if not _blank(item.get("band")):
            self.report(Problem.SCORE_012, f"{INDICATORS}/{index}/band", item["band"], canonical_decimal(score))
        typed = item.get("score")
        if not _blank(typed):
            number = _decimal(typed)
            if number is None or self.points(number) != score:
                self.report(Problem.SCORE_012, f"{INDICATORS}/{index}/score", typed, canonical_decimal(score))

    def qualitative(self, index: int, item: dict[str, Any], weight: Decimal | None) -> Decimal | None:
        """The unit's band and 得分, checked against the band's limits."""
        band_pointer, score_pointer = f"{INDICATORS}/{index}/band", f"{INDICATORS}/{index}/score"
        band, typed = item.get("band"), item.get("score")
        limits = None
        if _blank(band):
            self.report(Problem.SCORE_001, band_pointer)
        else:
            limits = self.config.band(band)
            if limits is None:
                names = "、".join(f"“{name}”" for name, _, _ in self.config.bands)
                self.report(Problem.SCORE_003, band_pointer, band, f"{names}之一")
        number = None
        if _blank(typed):
            self.report(Problem.SCORE_001, score_pointer)
        else:
            number = _decimal(typed)
            if number is None:
                self.report(Problem.SCORE_003, score_pointer, typed, "不小于 0 的数值，如“8”")
        if limits is None or number is None or weight is None:
            return None
        score = self.points(number)
        low_percent, high_percent = limits
        low = round_half_up(Fraction(weight) * Fraction(low_percent) / 100, self.decimals)
        high = round_half_up(Fraction(weight) * Fraction(high_percent) / 100, self.decimals)
        closed = high_percent == 100 or low == high
        if low <= score and (score <= high if closed else score < high):
            return score
        upper = "含" if closed else "不含"
        self.report(Problem.SCORE_009, score_pointer, canonical_decimal(score),
                    f"{canonical_decimal(low)} 分（含）至 {canonical_decimal(high)} 分（{upper}）", band=band)
        return None


def in_target_unit(number: Decimal, unit: str, target_unit: str) -> Fraction | None:
    """An actual in the target's unit, exactly; None when the units differ (money converts)."""
    if unit == target_unit:
        return Fraction(number)
    if unit in MONEY_UNITS and target_unit in MONEY_UNITS:
        return Fraction(number) * MONEY_UNITS[unit] / MONEY_UNITS[target_unit]
    return None


def _ratio(method: str, value: Fraction, goal: Fraction) -> Fraction:
    """The share of the 分值 a 定量 indicator earns (before rounding)."""
    if method == REVERSE:
        if value <= goal:
            return Fraction(1)
        if value < 2 * goal:
            return 1 - (value - goal) / goal
        return Fraction(0)
    return Fraction(1) if value >= goal else value / goal  # goal > value ≥ 0 here
