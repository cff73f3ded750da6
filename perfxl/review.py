"""绩效目标审核: rules that judge whether a schema-valid form's targets are acceptable.

Schema validation (:mod:`perfxl.validate`) says whether a form is well formed; review says whether
what it promises adds up and can be assessed: funding sums, dates against the year and the goal
period, a complete indicator table, measurable targets, finished text.

The flow: :mod:`perfxl.formview` computes what the rules look at once per form,
:mod:`perfxl.rules` is the catalogue, and this module runs it.  Each rule is a small check
function registered with :func:`~perfxl.rules.rule`: a stable ID, a default severity,
a Chinese message template, a rationale and parameters with defaults; a TOML file can turn a rule
off, change its severity or its parameters (:func:`load_config`).  Rules are variant-generic: the
framework (一级 → 二级) comes from the variant, amount fields from the schema, and a rule whose
fields or levels a variant lacks does not apply.  ``docs/rules.md`` is generated from this
catalogue (:func:`render_rules_markdown`; ``python -m perfxl.review --markdown``).
"""

from __future__ import annotations

import inspect
import math
import sys
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

from .formview import FormView
from .issues import ERROR, INFO, WARNING, Issue
from .layout import get_layout
from .reader import FormRecord
from .rules import RULES, SEVERITIES, Finding, Param, Rule, rule, rules_by_id  # noqa: F401  (the public catalogue)
from .values import canonical_decimal


# --- running the rules -------------------------------------------------------------------------
def review_record(record: FormRecord, config: ReviewConfig | None = None) -> list[Issue]:
    """Every review finding of one form, in catalogue order, as issues at their cells."""
    config = config or _default_config()
    view = FormView(record, get_layout(record.variant))
    issues = []
    for item, settings in config.enabled_rules():
        for finding in item.check(view, settings.params):
            issues.append(_issue(item, settings, finding, view))
    return issues


@lru_cache(maxsize=1)
def _default_config() -> ReviewConfig:
    return ReviewConfig()


def _issue(item: Rule, settings: RuleSettings, finding: Finding, view: FormView) -> Issue:
    title = finding.title or view.title(finding.pointer)
    shown = _show(finding.value)
    context = {**settings.params, "unit": view.unit, **finding.extra}
    message = item.template.format(field=title, value=shown, expected=finding.expected, **context)
    return Issue(code=item.id, severity=settings.severity, message=message, file=view.record.file,
                 sheet=view.record.sheet, cell=view.cell(finding.pointer), field=title, value=shown,
                 expected=str(finding.expected))


def _show(value: object, limit: int = 200) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --- configuration -----------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleSettings:
    enabled: bool
    severity: str
    params: Mapping[str, Any]


_SEVERITY_NAMES = {ERROR: ERROR, WARNING: WARNING, INFO: INFO, "error": ERROR, "warning": WARNING,
                   "info": INFO}


@dataclass(frozen=True)
class ReviewConfig:
    """Overrides per rule ID: ``enabled``, ``severity`` and parameters.  Checked when made, so a
    typo in a config file fails at once instead of silently doing nothing."""

    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", _checked_rules(self.rules))
        self._clear_caches()

    def _clear_caches(self) -> None:
        object.__setattr__(self, "_cache", {})  # settings per rule: asked once per form per rule
        object.__setattr__(self, "_enabled", ((), []))  # RULES as seen, the enabled ones

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self.rules}  # a copy sent to a worker process rebuilds its caches

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "rules", state["rules"])
        self._clear_caches()

    def enabled_rules(self) -> list[tuple[Rule, RuleSettings]]:
        """The rules that run, in catalogue order, with their settings (asked once per form)."""
        seen, enabled = self._enabled  # type: ignore[attr-defined]
        catalogue = tuple(RULES)
        if seen != catalogue:
            enabled = [(item, settings) for item in catalogue if (settings := self.settings(item)).enabled]
            object.__setattr__(self, "_enabled", (catalogue, enabled))
        return enabled

    def settings(self, item: Rule) -> RuleSettings:
        cache: dict[str, RuleSettings] = self._cache  # type: ignore[attr-defined]
        if item.id not in cache:
            cache[item.id] = self._settings(item)
        return cache[item.id]

    def _settings(self, item: Rule) -> RuleSettings:
        given = dict(self.rules.get(item.id, {}))
        enabled = given.pop("enabled", True)
        severity = given.pop("severity", item.severity)
        return RuleSettings(enabled, severity, {**item.defaults, **given})


def load_config(path: Path | str | None) -> ReviewConfig:
    """A review configuration from a TOML file (``[rules.TARGET-001]`` tables); defaults for None."""
    if path is None:
        return ReviewConfig()
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"无法读取审核配置文件“{path}”：{exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"审核配置文件“{path}”不是 UTF-8 编码的文本。") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"审核配置文件“{path}”不是有效的 TOML：{exc}") from exc
    extra = sorted(set(data) - {"rules", "limits"})  # [limits] belongs to perfxl.config
    if extra:
        raise ValueError(f"配置中有未知的项“{'、'.join(extra)}”；只能写 [rules.规则编号] 和 [limits] 表。")
    return ReviewConfig(data.get("rules", {}))


def _checked_rules(rules: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(rules, Mapping):
        raise ValueError("审核配置的 rules 应为表，如 [rules.TARGET-001]。")
    known = rules_by_id()
    checked = {}
    for rule_id, settings in rules.items():
        if rule_id not in known:
            raise ValueError(f"审核配置中的规则“{rule_id}”不存在。可用的规则：{'、'.join(known)}。")
        if not isinstance(settings, Mapping):
            raise ValueError(f"审核配置中的规则 {rule_id} 应为表，如 [rules.{rule_id}]。")
        checked[rule_id] = {key: _checked_setting(known[rule_id], key, value) for key, value in settings.items()}
    return checked


def _checked_setting(item: Rule, key: str, value: Any) -> Any:
    if key == "enabled":
        if not isinstance(value, bool):
            raise ValueError(f"规则 {item.id} 的 enabled 应为 true 或 false，实际为 {value!r}。")
        return value
    if key == "severity":
        if value not in _SEVERITY_NAMES:
            raise ValueError(f"规则 {item.id} 的 severity 应为 {'、'.join(SEVERITIES)} 之一，实际为 {value!r}。")
        return _SEVERITY_NAMES[value]
    params = {param.name: param for param in item.params}
    if key not in params:
        names = "、".join(params) or "无"
        raise ValueError(f"规则 {item.id} 没有参数“{key}”。可用的参数：{names}（以及 enabled、severity）。")
    return _checked_param(item, params[key], value)


def _checked_param(item: Rule, param: Param, value: Any) -> Any:
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
    raise ValueError(f"规则 {item.id} 的参数“{param.name}”应为{wanted}，实际为 {value!r}。")


# --- docs/rules.md -----------------------------------------------------------------------------
_DOC_INTRO = """\
# 绩效目标审核规则

<!-- Generated from perfxl/review.py by `python scripts/gen_rules_doc.py`; do not edit by hand. -->

Review (绩效目标审核) runs after schema validation, on forms that are well formed, and judges
whether their targets are acceptable. Each finding is an issue with the rule's ID as its code,
pointing at the cell involved (the main one when several are: the message names the others).

Severities: **错误** the form must be corrected; **警告** a reviewer should look and usually ask
for a correction; **提示** worth a second look.

Rules are variant-generic: the indicator framework (一级 → 二级) comes from the form variant,
amount fields from the schema (`x-perfxl-kind: amount`), and a rule whose fields or levels a
variant lacks does not apply. That a 二级 belongs to its 一级 is not a review rule: schema
validation reports it (VALUE-008), and so are required fields (VALUE-001).

## Configuration

A TOML file can turn a rule off, change its severity (错误, 警告, 提示) or its parameters.
Unknown rule IDs, parameters or values are an error, never ignored:

```toml
[rules.COVER-004]
enabled = false

[rules.TARGET-001]
severity = "错误"
min_satisfaction = 85
```

## How targets are read

{targets}

## Rules

| ID | 默认级别 | 检查 |
|---|---|---|
"""


def render_rules_markdown() -> str:
    """docs/rules.md: every rule with its severity, what it checks, message, parameters, rationale."""
    from . import targets

    reading = inspect.cleandoc(targets.__doc__ or "") + "\n\n" + _operators_markdown(targets)
    lines = [_DOC_INTRO.replace("{targets}", reading).rstrip("\n")]
    lines += [f"| [{item.id}](#{item.id.lower()}) | {item.severity} | {item.title} |" for item in RULES]
    for item in RULES:
        lines += ["", f"### {item.id}", "", f"**{item.title}** — 默认级别：{item.severity}", "",
                  item.description, "", f"消息：`{item.template}`", "", f"依据：{item.rationale}", ""]
        lines += _params_markdown(item)
    return "\n".join(lines).rstrip("\n") + "\n"


def _operators_markdown(targets: Any) -> str:
    rows = ["| 运算符 | 写在数值前 | 写在单位后 |", "|---|---|---|"]
    for operator in (targets.GE, targets.LE, targets.GT, targets.LT, targets.EQ):
        before = [w for w, op in targets.PREFIX_OPERATORS.items() if op == operator]
        after = [w for w, op in targets.SUFFIX_OPERATORS.items() if op == operator]
        rows.append(f"| {operator} | {' '.join(before)} | {' '.join(after)} |")
    return "\n".join(rows)


def _params_markdown(item: Rule) -> list[str]:
    if not item.params:
        return ["参数：无"]
    rows = ["| 参数 | 默认值 | 说明 |", "|---|---|---|"]
    for param in item.params:
        default = param.default
        shown = "[" + ", ".join(f'"{v}"' for v in default) + "]" if isinstance(default, tuple) else str(default)
        rows.append(f"| `{param.name}` | `{shown}` | {param.description} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["--markdown"]:
        print("usage: python -m perfxl.review --markdown   (prints docs/rules.md)", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(render_rules_markdown().encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
