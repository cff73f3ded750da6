"""perfxl.toml, parsed once: review rule overrides (``[rules.RULE-ID]``), safety limits (``[limits]``)
the scoring of the year-end self-evaluation (``[scoring]``) and the mid-year traffic light
(``[monitoring]``).

``perfxl validate``/``collect``/``read`` use ``./perfxl.toml`` when it exists, or the file given
with ``--rules``.  Unknown keys are errors, so a typo never silently does nothing.  Rule overrides
are checked against the catalogue (:mod:`perfxl.problems`), where each rule's parameters are.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from .form.values import canonical_decimal
from .problems import ERROR, INFO, SEVERITIES, WARNING, Param, Problem

DEFAULT_CONFIG_NAME = "perfxl.toml"


@dataclass(frozen=True)
class Limits:
    """What one input file may cost.  Defaults fit a form workbook with a wide margin."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_members: int = 1000
    max_member_bytes: int = 64 * 1024 * 1024  # one uncompressed part (a 10 MB text cell fits)
    max_total_bytes: int = 256 * 1024 * 1024  # all parts together, uncompressed
    max_ratio: float = 200.0  # uncompressed/compressed, for parts above 1 MB
    max_rows: int = 10_000  # cells and merged ranges of any worksheet stay inside these bounds
    max_cols: int = 256
    seconds: float = 60.0  # wall time to read and check one file (enforced by the worker pool)
    memory_bytes: int = 1024 * 1024 * 1024  # address space of a worker process


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class RuleSettings:
    enabled: bool
    severity: str
    params: Mapping[str, Any]


_SEVERITY_NAMES = {ERROR: ERROR, WARNING: WARNING, INFO: INFO, "error": ERROR, "warning": WARNING,
                   "info": INFO}


class ReviewConfig:
    """Overrides per rule ID: ``enabled``, ``severity`` and parameters.  Checked when made, so a
    typo in a config file fails at once instead of silently doing nothing; each rule's settings
    are worked out then too (they are asked for once per form per rule).  Treat as read-only."""

    def __init__(self, rules: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._build(_checked_rules({} if rules is None else rules))

    def _build(self, rules: dict[str, dict[str, Any]]) -> None:
        self.rules = rules
        self._settings = {problem: self._resolve(problem) for problem in Problem.rules()}
        self.enabled: tuple[tuple[Problem, RuleSettings], ...] = tuple(
            (problem, settings) for problem, settings in self._settings.items() if settings.enabled)

    # A copy sent to a worker process carries the checked overrides only and works out the rest.
    def __getstate__(self) -> dict[str, dict[str, dict[str, Any]]]:
        return {"rules": self.rules}

    def __setstate__(self, state: dict[str, dict[str, dict[str, Any]]]) -> None:
        self._build(state["rules"])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReviewConfig) and self.rules == other.rules

    def __hash__(self) -> int:
        return hash(repr(sorted(self.rules.items())))

    def __repr__(self) -> str:
        return f"ReviewConfig({self.rules!r})"

    def settings(self, problem: Problem) -> RuleSettings:
        return self._settings[problem]

    def _resolve(self, problem: Problem) -> RuleSettings:
        given = dict(self.rules.get(problem.code, {}))
        enabled = given.pop("enabled", True)
        severity = given.pop("severity", problem.severity)
        return RuleSettings(enabled, severity, {**problem.defaults, **given})


# --- [scoring]: the year-end self-evaluation (项目支出绩效自评表) ------------------------------------
TOTAL_POINTS = Decimal(100)  # 总分: the funds row and the indicators together

ACHIEVED = "达成年度指标"
PARTLY_ACHIEVED = "部分达成年度指标并具有一定效果"
NOT_ACHIEVED = "未达成年度指标且效果较差"


def _d(value: int | str) -> Decimal:
    return Decimal(value)


@dataclass(frozen=True)
class ScoringConfig:
    """How a self-evaluation is scored (``[scoring]`` of perfxl.toml; the rules are in
    :mod:`perfxl.check.scoring` and docs/scoring.md).  Numbers are Decimals; the tables are
    tuples so that the settings stay hashable and picklable.  Treat as read-only."""

    funds: Decimal = _d(10)  # 分值 of the funds row (预算执行率)
    weights: tuple[tuple[str, Decimal], ...] = (("产出指标", _d(50)), ("效益指标", _d(30)), ("满意度指标", _d(10)))
    shared: tuple[tuple[str, str], ...] = (("成本指标", "产出指标"),)  # 一级 → the 一级 whose points it shares
    bands: tuple[tuple[str, Decimal, Decimal], ...] = (  # 定性: name, lowest and highest % of the 分值
        (ACHIEVED, _d(80), _d(100)), (PARTLY_ACHIEVED, _d(60), _d(80)), (NOT_ACHIEVED, _d(0), _d(60)))
    grades: tuple[tuple[str, Decimal], ...] = (("优", _d(90)), ("良", _d(80)), ("中", _d(60)))  # lowest 总分
    lowest_grade: str = "差"
    too_high: Decimal = _d(120)  # % of a 正向 target an actual may reach before a warning
    decimals: int = 2  # each row's 得分 is rounded (ROUND_HALF_UP) to this many decimals, once

    def weight_of(self, level1: str) -> Decimal | None:
        return dict(self.weights).get(level1)

    def pool_of(self, level1: object) -> str | None:
        """The 一级 whose points a 一级's indicators share: itself when it has a weight, the one
        ``shared`` names otherwise, None when neither."""
        if not isinstance(level1, str):
            return None
        weights = dict(self.weights)
        if level1 in weights:
            return level1
        pool = dict(self.shared).get(level1)
        return pool if pool in weights else None

    def band(self, name: object) -> tuple[Decimal, Decimal] | None:
        for band, low, high in self.bands:
            if band == name:
                return low, high
        return None

    def grade(self, total: Decimal) -> str:
        return next((name for name, lowest in self.grades if total >= lowest), self.lowest_grade)


DEFAULT_SCORING = ScoringConfig()

_SCORING_KEYS = ("funds", "weights", "shared", "bands", "grades", "too_high", "decimals")


def scoring_config(given: Any, where: str = "配置") -> ScoringConfig:
    """``[scoring]`` of perfxl.toml (a dict) checked and merged over the defaults.  ``funds``,
    ``too_high``, ``decimals`` and each band and grade replace their default; a ``weights`` or
    ``shared`` table replaces the whole default table (the weights must sum to 100 with
    ``funds``, so a partial table could not be right)."""
    if not isinstance(given, Mapping):
        raise ValueError(f"“{where}”中的 [scoring] 应为表。")
    unknown = sorted(set(given) - set(_SCORING_KEYS))
    if unknown:
        raise ValueError(f"“{where}”的 [scoring] 中有未知的项“{'、'.join(unknown)}”；可用：{'、'.join(_SCORING_KEYS)}。")
    base = DEFAULT_SCORING
    changes: dict[str, Any] = {}
    if "funds" in given:
        changes["funds"] = _points(given["funds"], "[scoring] funds", where)
    if "too_high" in given:
        changes["too_high"] = _points(given["too_high"], "[scoring] too_high", where)
        if changes["too_high"] <= 100:
            raise ValueError(f"“{where}”的 [scoring] too_high 应大于 100（实际完成值达到年度指标值的百分之几时提示），"
                             f"实际为 {given['too_high']!r}。")
    if "decimals" in given:
        decimals = given["decimals"]
        if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 6:
            raise ValueError(f"“{where}”的 [scoring] decimals 应为 0 到 6 的整数，实际为 {decimals!r}。")
        changes["decimals"] = decimals
    if "weights" in given:
        changes["weights"] = _weights(given["weights"], where)
    weights = dict(changes.get("weights", base.weights))
    changes["shared"] = _shared(given.get("shared"), weights, where)
    if "bands" in given:
        changes["bands"] = _bands(given["bands"], where)
    if "grades" in given:
        changes["grades"] = _grades(given["grades"], where)
    config = dataclasses.replace(base, **changes)
    total = config.funds + sum(weights.values(), Decimal(0))
    if total != TOTAL_POINTS:
        parts = "、".join(f"{name} {canonical_decimal(value)}" for name, value in weights.items())
        raise ValueError(f"“{where}”的 [scoring]：预算执行率 {canonical_decimal(config.funds)} 分与各一级指标的分值"
                         f"（{parts}）合计 {canonical_decimal(total)} 分，应为 100 分。")
    return config


def _points(value: Any, what: str, where: str) -> Decimal:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return Decimal(value) if isinstance(value, int) else Decimal(canonical_decimal(Decimal(str(value))))
    raise ValueError(f"“{where}”的 {what} 应为不小于 0 的数字，实际为 {value!r}。")


def _table(value: Any, what: str, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"“{where}”的 {what} 应为表，如 [{what.strip('[]')}]。")
    return value


def _weights(given: Any, where: str) -> tuple[tuple[str, Decimal], ...]:
    table = _table(given, "[scoring.weights]", where)
    if not table:
        raise ValueError(f"“{where}”的 [scoring.weights] 不能为空：应为每个一级指标写明分值，如 产出指标 = 50。")
    return tuple((name, _points(value, f"[scoring.weights] {name}", where)) for name, value in table.items())


def _shared(given: Any, weights: Mapping[str, Decimal], where: str) -> tuple[tuple[str, str], ...]:
    if given is None:  # the defaults, less those a 一级 of their own or a missing 一级 makes moot
        return tuple((level1, pool) for level1, pool in DEFAULT_SCORING.shared
                     if level1 not in weights and pool in weights)
    table = _table(given, "[scoring.shared]", where)
    for level1, pool in table.items():
        if not isinstance(pool, str) or pool not in weights:
            raise ValueError(f"“{where}”的 [scoring.shared] {level1} 应为 [scoring.weights] 中的一级指标"
                             f"（{'、'.join(weights)}），实际为 {pool!r}。")
        if level1 in weights:
            raise ValueError(f"“{where}”的 [scoring.shared]：{level1} 在 [scoring.weights] 中已有分值，不能再与"
                             f"{pool}共用分值。")
    return tuple(table.items())


def _bands(given: Any, where: str) -> tuple[tuple[str, Decimal, Decimal], ...]:
    table = _table(given, "[scoring.bands]", where)
    known = [name for name, _, _ in DEFAULT_SCORING.bands]
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ValueError(f"“{where}”的 [scoring.bands] 中有未知的档次“{'、'.join(unknown)}”；可用：{'、'.join(known)}。")
    bands = []
    for name, low, high in DEFAULT_SCORING.bands:
        if name in table:
            limits = table[name]
            if not isinstance(limits, list) or len(limits) != 2:
                raise ValueError(f"“{where}”的 [scoring.bands] {name} 应为 [最低, 最高]（占分值的百分比），"
                                 f"如 [80, 100]，实际为 {limits!r}。")
            low, high = (_points(limit, f"[scoring.bands] {name}", where) for limit in limits)
            if not low < high <= 100:
                raise ValueError(f"“{where}”的 [scoring.bands] {name} 应满足 0 ≤ 最低 < 最高 ≤ 100，实际为 {limits!r}。")
        bands.append((name, low, high))
    return tuple(bands)


def _grades(given: Any, where: str) -> tuple[tuple[str, Decimal], ...]:
    table = _table(given, "[scoring.grades]", where)
    known = [name for name, _ in DEFAULT_SCORING.grades]
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ValueError(f"“{where}”的 [scoring.grades] 中有未知的等级“{'、'.join(unknown)}”；可用：{'、'.join(known)}"
                         f"（{DEFAULT_SCORING.lowest_grade}为其余）。")
    grades = tuple((name, _points(table[name], f"[scoring.grades] {name}", where) if name in table else lowest)
                   for name, lowest in DEFAULT_SCORING.grades)
    limits = [lowest for _, lowest in grades]
    if not (limits[0] <= TOTAL_POINTS and all(a > b for a, b in zip(limits, limits[1:]))):
        shown = "、".join(f"{name} {canonical_decimal(lowest)}" for name, lowest in grades)
        raise ValueError(f"“{where}”的 [scoring.grades] 应从高到低且不超过 100 分，实际为 {shown}。")
    return grades


@dataclass(frozen=True)
class MonitoringConfig:
    """The numbers of the mid-year traffic light (``[monitoring]`` of perfxl.toml; the rule is
    :data:`perfxl.check.monitoring.STATUS_RULE`, docs/scoring.md).  Percentages are Decimals.

    - ``schedule``: per month 1–12, the share (%) of a count's or an amount's 年度指标值 to be reached
      by the end of that month; empty: the even pace N/12 (exactly);
    - ``behind``: how far (% of the pace) the 1–N月实际完成值 may fall below the pace before the
      indicator is yellow (a percentage target: below the 年度指标值 itself);
    - ``miss``: how far (% of the 年度指标值) a 全年预计完成值 may miss the target (正向/等于: below;
      反向: above), or a 反向 target be exceeded so far, before the indicator is red."""

    schedule: tuple[Decimal, ...] = ()
    behind: Decimal = _d(0)
    miss: Decimal = _d(0)


DEFAULT_MONITORING = MonitoringConfig()
_MONITORING_KEYS = ("schedule", "behind", "miss")


def monitoring_config(given: Any, where: str = "配置") -> MonitoringConfig:
    """``[monitoring]`` of perfxl.toml (a dict) checked and merged over the defaults."""
    if not isinstance(given, Mapping):
        raise ValueError(f"“{where}”中的 [monitoring] 应为表。")
    unknown = sorted(set(given) - set(_MONITORING_KEYS))
    if unknown:
        raise ValueError(f"“{where}”的 [monitoring] 中有未知的项“{'、'.join(unknown)}”；可用：{'、'.join(_MONITORING_KEYS)}。")
    changes: dict[str, Any] = {}
    for name in ("behind", "miss"):
        if name in given:
            value = _points(given[name], f"[monitoring] {name}", where)
            if value >= 100:
                raise ValueError(f"“{where}”的 [monitoring] {name} 应为小于 100 的百分比，实际为 {given[name]!r}。")
            changes[name] = value
    if "schedule" in given:
        schedule = given["schedule"]
        if not isinstance(schedule, list) or len(schedule) not in (0, 12):
            raise ValueError(f"“{where}”的 [monitoring] schedule 应为 12 个百分比（1–12 月末应达到年度指标值的百分之几），"
                             f"或 []（均匀进度 N/12），实际为 {schedule!r}。")
        shares = tuple(_points(share, "[monitoring] schedule", where) for share in schedule)
        if any(a > b for a, b in zip(shares, shares[1:])) or (shares and shares[-1] > 100):
            raise ValueError(f"“{where}”的 [monitoring] schedule 应逐月不减且不超过 100，实际为 {schedule!r}。")
        changes["schedule"] = shares
    return dataclasses.replace(DEFAULT_MONITORING, **changes)


@dataclass(frozen=True)
class Settings:
    """How to check forms: which review rules (``review=None`` skips the review), what one
    input file may cost, and how a self-evaluation is scored."""

    review: ReviewConfig | None = field(default_factory=ReviewConfig)
    limits: Limits = DEFAULT_LIMITS
    scoring: ScoringConfig = DEFAULT_SCORING
    monitoring: MonitoringConfig = DEFAULT_MONITORING  # the mid-year traffic light
    # What the office pre-filled into each self-evaluation (validate --from): identity key
    # (年度|实施单位|项目名称) → the pre-filled form; a pre-filled value the unit changed is an error.
    prefilled: tuple[tuple[str, Any], ...] = ()


def load_settings(path: str | Path | None = None, *, review: bool = True) -> Settings:
    """Settings from ``path``, else from ./perfxl.toml when present, else the defaults."""
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = DEFAULT_CONFIG_NAME
    if path is None:
        return Settings(ReviewConfig() if review else None)
    data = _read_toml(path)
    extra = sorted(set(data) - {"rules", "limits", "scoring", "monitoring"})
    if extra:
        raise ValueError(f"配置中有未知的项“{'、'.join(extra)}”；只能写 [rules.规则编号]、[limits]、[scoring] 和 [monitoring] 表。")
    review_config = ReviewConfig(data.get("rules", {}))
    limits = _limits(data.get("limits", {}), path)
    scoring = scoring_config(data["scoring"], str(path)) if "scoring" in data else DEFAULT_SCORING
    monitoring = monitoring_config(data["monitoring"], str(path)) if "monitoring" in data else DEFAULT_MONITORING
    return Settings(review_config if review else None, limits, scoring, monitoring)


def load_config(path: Path | str | None) -> ReviewConfig:
    """The review rule overrides of a perfxl.toml (the defaults for None)."""
    settings = load_settings(path) if path is not None else Settings()
    assert settings.review is not None
    return settings.review


def _read_toml(path: str | Path) -> dict[str, Any]:
    import tomllib  # only for a perfxl.toml: its parser compiles regular expressions at import

    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"无法读取审核配置文件“{path}”：{exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"审核配置文件“{path}”不是 UTF-8 编码的文本。") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"审核配置文件“{path}”不是有效的 TOML：{exc}") from exc


def _limits(given: object, path: str | Path) -> Limits:
    if not isinstance(given, dict):
        raise ValueError(f"“{path}”中的 [limits] 应为表。")
    known = {f.name: f for f in dataclasses.fields(Limits)}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise ValueError(f"“{path}”的 [limits] 中有未知的项“{'、'.join(unknown)}”；可用：{'、'.join(known)}。")
    for key, value in given.items():
        whole = isinstance(known[key].default, int)  # sizes and counts; seconds and ratio may be fractional
        kinds = (int,) if whole else (int, float)
        if not isinstance(value, kinds) or isinstance(value, bool) or not math.isfinite(value) or value <= 0:
            wanted = "正整数" if whole else "正数"
            raise ValueError(f"“{path}”的 [limits] {key} 应为{wanted}，实际为“{value}”。")
    return dataclasses.replace(DEFAULT_LIMITS, **given)


def _checked_rules(rules: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(rules, Mapping):
        raise ValueError("审核配置的 rules 应为表，如 [rules.TARGET-001]。")
    known = {problem.code: problem for problem in Problem.rules()}
    checked = {}
    for rule_id, settings in rules.items():
        if rule_id not in known:
            raise ValueError(f"审核配置中的规则“{rule_id}”不存在。可用的规则：{'、'.join(known)}。")
        if not isinstance(settings, Mapping):
            raise ValueError(f"审核配置中的规则 {rule_id} 应为表，如 [rules.{rule_id}]。")
        checked[rule_id] = {key: _checked_setting(known[rule_id], key, value) for key, value in settings.items()}
    return checked


def _checked_setting(item: Problem, key: str, value: Any) -> Any:
    if key == "enabled":
        if not isinstance(value, bool):
            raise ValueError(f"规则 {item.code} 的 enabled 应为 true 或 false，实际为 {value!r}。")
        return value
    if key == "severity":
        if value not in _SEVERITY_NAMES:
            raise ValueError(f"规则 {item.code} 的 severity 应为 {'、'.join(SEVERITIES)} 之一，实际为 {value!r}。")
        return _SEVERITY_NAMES[value]
    params = {param.name: param for param in item.value.params}
    if key not in params:
        names = "、".join(params) or "无"
        raise ValueError(f"规则 {item.code} 没有参数“{key}”。可用的参数：{names}（以及 enabled、severity）。")
    return _checked_param(item, params[key], value)


def _checked_param(item: Problem, param: Param, value: Any) -> Any:
    default = param.default
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return value if isinstance(value, int) else Decimal(canonical_decimal(Decimal(str(value))))
        wanted = "有限的数字"
    elif isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
        wanted = "文字列表，如 [\"数量指标\"]"
    elif isinstance(value, type(default)):
        return value
    else:
        wanted = type(default).__name__
    raise ValueError(f"规则 {item.code} 的参数“{param.name}”应为{wanted}，实际为 {value!r}。")


DEFAULT_SETTINGS = Settings()  # after the checks it runs are defined
