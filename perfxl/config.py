"""perfxl.toml, parsed once: review rule overrides (``[rules.RULE-ID]``) and safety limits (``[limits]``).

``perfxl validate``/``collect``/``read`` use ``./perfxl.toml`` when it exists, or the file given
with ``--rules``.  Unknown keys are errors, so a typo never silently does nothing.  Rule overrides
are checked against the catalogue (:mod:`perfxl.problems`), where each rule's parameters are.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
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


@dataclass(frozen=True)
class Settings:
    """How to check forms: which review rules (``review=None`` skips the review) and what one
    input file may cost."""

    review: ReviewConfig | None = field(default_factory=ReviewConfig)
    limits: Limits = DEFAULT_LIMITS


def load_settings(path: str | Path | None = None, *, review: bool = True) -> Settings:
    """Settings from ``path``, else from ./perfxl.toml when present, else the defaults."""
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = DEFAULT_CONFIG_NAME
    if path is None:
        return Settings(ReviewConfig() if review else None)
    data = _read_toml(path)
    extra = sorted(set(data) - {"rules", "limits"})
    if extra:
        raise ValueError(f"配置中有未知的项“{'、'.join(extra)}”；只能写 [rules.规则编号] 和 [limits] 表。")
    review_config = ReviewConfig(data.get("rules", {}))
    limits = _limits(data.get("limits", {}), path)
    return Settings(review_config if review else None, limits)


def load_config(path: Path | str | None) -> ReviewConfig:
    """The review rule overrides of a perfxl.toml (the defaults for None)."""
    settings = load_settings(path) if path is not None else Settings()
    assert settings.review is not None
    return settings.review


def _read_toml(path: str | Path) -> dict[str, Any]:
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
