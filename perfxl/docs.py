"""The reference docs, generated from the code so they cannot drift from it.

``python -m perfxl.docs`` writes ``docs/cli.md`` (every command's ``--help``), ``docs/issues.md``
(the reading, validation and scoring problem codes), ``docs/rules.md`` (the review rules) and
``docs/scoring.md`` (the self-evaluation's scoring rules) and ``perfxl/help.json`` (what ``--help``
prints, for the quick answer of :mod:`perfxl.cli`), all from the catalogue in
:mod:`perfxl.problems`, the scoring rules and settings, and the CLI itself;
``python -m perfxl.docs --check`` only says which are stale (the tests fail when one is).
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import os
import sys
from pathlib import Path
from typing import Any, Callable

from typer.testing import CliRunner

from .check import targets
from .check.monitoring import STATUS_RULE
from .check.rules import description as rule_description
from .check.scoring import RULES as SCORING_RULES
from .cli import (
    HELP_CACHE,
    HELP_COLUMNS,
    PROGRAM_NAMES,
    QUICK_COMMANDS,
    commands_fingerprint,
)
from .commands import app
from .config import DEFAULT_MONITORING, DEFAULT_SCORING, MonitoringConfig, ScoringConfig
from .form.values import MONEY_UNITS, canonical_decimal
from .problems import Problem, Unclear

DOCS = Path(__file__).resolve().parent.parent / "docs"  # a checkout's docs/ (this command is for developers)


# every command, in the order the top-level help lists them: a new command cannot be left out
COMMANDS = [command.name or command.callback.__name__ for command in app.registered_commands]


def render_cli_reference() -> str:
    runner = CliRunner()
    parts = ["# perfxl command reference",
             "",
             "Generated from `--help` by `python -m perfxl.docs`; do not edit by hand.",
             ""]
    for args in [[]] + [[name] for name in COMMANDS]:
        title = "perfxl " + " ".join(args) if args else "perfxl"
        result = runner.invoke(app, [*args, "--help"], prog_name="perfxl", terminal_width=100,
                               env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
        parts += [f"## {title}", "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


def render_help_cache() -> str:
    """perfxl/help.json: what ``--help`` prints, per program name and command, for
    :func:`perfxl.cli.quick_help` (tests/test_startup.py compares it with typer in a real process).
    Captured in this process as a terminal would get it (typer's CliRunner wraps wide characters
    a little differently)."""
    commands = [""] + [command.name or command.callback.__name__ for command in app.registered_commands]
    helps: dict[str, dict[str, str]] = {}
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_COLUMNS)
    try:
        for program in PROGRAM_NAMES:
            helps[program] = {}
            for command in commands:
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    code = app([command, "--help"] if command else ["--help"], prog_name=program,
                               standalone_mode=False)
                assert code in (0, None), (program, command, code)
                helps[program][command] = out.getvalue()
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    cache = {"about": "Written by python -m perfxl.docs; do not edit. What --help prints, for perfxl.cli.quick_help; "
                      "the parameters of the commands perfxl.cli.quick_call parses without typer.",
             "fingerprint": commands_fingerprint(), "help": helps, "commands": quick_specs()}
    return json.dumps(cache, ensure_ascii=False, indent=1) + "\n"


_PLAIN_PATH = {"exists": False, "file_okay": True, "dir_okay": True, "writable": False, "resolve_path": False,
               "allow_dash": False, "path_type": None}  # a Path typer checks for readability alone


def quick_specs() -> dict[str, list[dict[str, Any]]]:
    """The parameters of the commands :func:`perfxl.cli.quick_call` parses without typer, read from
    the commands typer builds: per parameter its name, its kind (one list ``argument`` of paths, a
    ``flag``, an ``option`` with one value), its spellings, its type (``path``, ``int``, ``str``), its
    default and range. A parameter of any other shape fails here, so it cannot be parsed otherwise
    than typer would (tests/test_startup.py compares both parsers)."""
    import typer.main
    from typer.core import TyperArgument, TyperOption

    group = typer.main.get_command(app)
    types = {Path: "path", int: "int", str: "str", bool: "bool", list[Path]: "path"}
    specs = {}
    for name in QUICK_COMMANDS:
        command = group.commands[name]
        assert command.context_settings == {} and not command.allow_extra_args, name
        assert command.get_help_option_names(command.make_context(name, [], resilient_parsing=True)) == ["--help"]
        params = []
        for param in command.params:
            descriptor = param.type_descriptor
            info = descriptor.parameter_info
            plain = (descriptor.file_annotation is None and info.parser is None and not info.clamp
                     and param.envvar is None and param.callback is None and not param.is_eager and param.expose_value
                     and not getattr(param, "prompt", None) and not getattr(param, "count", False)
                     and descriptor.annotation in types)
            assert plain, (name, param.name)
            kind = types[descriptor.annotation]
            spec = {"name": param.name, "type": kind}
            if isinstance(param, TyperArgument):
                assert param.nargs == -1 and param.required and kind == "path", (name, param.name)
                spec["kind"] = "argument"
            else:
                assert isinstance(param, TyperOption) and not param.multiple and not param.secondary_opts
                assert param.nargs == 1 and not param.required and param.opts, (name, param.name)
                if kind == "bool":
                    assert param.is_flag and param.default is False, (name, param.name)
                    spec["kind"] = "flag"
                else:
                    assert not param.is_flag, (name, param.name)
                    spec["kind"] = "option"
                    spec["default"] = None if param.default is None else str(param.default)
                spec["opts"] = list(param.opts)
            if kind == "path":
                assert all(getattr(info, key) == value for key, value in _PLAIN_PATH.items()), (name, param.name)
                spec["readable"] = bool(info.readable)
            if kind == "int":
                spec["min"], spec["max"] = info.min, info.max
            params.append(spec)
        specs[name] = params
    return specs


def render_problem_codes() -> str:
    """docs/issues.md: the reading and validation codes (review rules are in docs/rules.md)."""
    lines = ["# Problem codes", "",
             "Generated from `perfxl/problems.py` by `python -m perfxl.docs`; do not edit by hand.",
             "Every problem perfxl reports is one of these (or a review rule, see [rules.md](rules.md), or a finding",
             "of the self-evaluation's scoring, see [scoring.md](scoring.md)), with the file, sheet, cell, field and",
             "value it concerns.", "",
             "| Code | Severity | Message template | When |", "|---|---|---|---|"]
    for problem in Problem:
        if problem.is_rule or problem.is_scoring:
            continue
        template = problem.template.replace("|", "\\|")
        lines.append(f"| {problem.code} | {problem.severity} | {template} | {problem.value.description} |")
    lines += ["", "LAYOUT-004 says what was unclear (its `{expected}`), one of these; the value was read anyway",
              "(by inference, to be checked) or not read at all:", "", "| 歧义 | 读取 |", "|---|---|"]
    lines += [f"| {unclear.text} | {'已按推断读取' if unclear.read else '没有读取'} |" for unclear in Unclear]
    return "\n".join(lines) + "\n"


_DOC_INTRO = """\
# 绩效目标审核规则

<!-- Generated from perfxl/problems.py and perfxl/check/rules.py by `python -m perfxl.docs`; do not edit by hand. -->

Review (绩效目标审核) runs after schema validation and judges whether a form's targets are
acceptable. Each finding is an issue with the rule's ID as its code, pointing at the cell involved
(the main one when several are: the message names the others).

Every problem in one pass: review runs on a form with schema errors too. A value that failed
reading or validation is not judged — to a rule it is neither a value nor a blank — so a rule
skips what it cannot evaluate (FUND-001 needs its three amounts valid, DATE-002 the year and both
dates) and every other rule still runs.

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
    reading = inspect.cleandoc(targets.__doc__ or "") + "\n\n" + _operators_markdown(targets)
    lines = [_DOC_INTRO.replace("{targets}", reading).rstrip("\n")]
    rules = Problem.rules()
    lines += [f"| [{item.code}](#{item.code.lower()}) | {item.severity} | {item.value.title} |" for item in rules]
    for item in rules:
        lines += ["", f"### {item.code}", "", f"**{item.value.title}** — 默认级别：{item.severity}", "",
                  rule_description(item), "", f"消息：`{item.template}`", "", f"依据：{item.value.rationale}", ""]
        lines += _params_markdown(item)
    return "\n".join(lines).rstrip("\n") + "\n"


def _operators_markdown(targets: Any) -> str:
    rows = ["| 运算符 | 写在数值前 | 写在单位后 |", "|---|---|---|"]
    for operator in (targets.GE, targets.LE, targets.GT, targets.LT, targets.EQ):
        before = [w for w, op in targets.PREFIX_OPERATORS.items() if op == operator]
        after = [w for w, op in targets.SUFFIX_OPERATORS.items() if op == operator]
        rows.append(f"| {operator} | {' '.join(before)} | {' '.join(after)} |")
    return "\n".join(rows)


def _params_markdown(item: Problem) -> list[str]:
    if not item.value.params:
        return ["参数：无"]
    rows = ["| 参数 | 默认值 | 说明 |", "|---|---|---|"]
    for param in item.value.params:
        default = param.default
        shown = "[" + ", ".join(f'"{v}"' for v in default) + "]" if isinstance(default, tuple) else str(default)
        rows.append(f"| `{param.name}` | `{shown}` | {param.description} |")
    return rows


_SCORING_INTRO = """\
# 绩效自评计分规则

<!-- Generated from perfxl/check/scoring.py, perfxl/config.py and perfxl/problems.py by `python -m perfxl.docs`; do not edit by hand. -->

How perfxl scores the year-end self-evaluation (项目支出绩效自评表): the funds row (预算执行率) and
every indicator get a 分值 and a 得分, the rows add up to the 总分 (100), and the 总分 gives the
自评等级. The rules follow national practice under 财预〔2020〕10号 as issue 14 states it; each rule
below names its source, and where the national text is silent, the convention perfxl adopts.

The form is `schema/self-eval-2023.schema.json`; perfxl pre-fills it from the project's 绩效目标表
(`perfxl.form.selfeval.prefill_self_evaluation`: the targets, 预期目标 = 年度总体目标, 年初预算数 =
年度资金申请总额) and scores it with `perfxl.check.scoring.score_self_evaluation`. Arithmetic is
exact (Decimal inputs, fractions for quotients, one rounding per row); a row that cannot be scored
has no 得分, and a form with such a row has no 总分, never a guessed one. In the rules, **V** is the
实际完成值 and **T** the number of the 年度指标值, in the same unit; **A** and **B** are 全年预算数 and
全年执行数.

## Configuration

Every number is a setting of the `[scoring]` table of perfxl.toml (beside `[rules]` and `[limits]`),
read once; unknown keys or values out of range are an error, never ignored. `funds`, `too_high`,
`decimals` and each band and grade replace their default; a `weights` or `shared` table replaces the
whole default table. The defaults, written out:

```toml
{defaults}
```

## Rules

| # | 规则 | 设置 | 发现 |
|---|---|---|---|
"""


def render_scoring_markdown() -> str:
    """docs/scoring.md: every scoring rule with its settings, defaults, findings and source."""
    lines = [_SCORING_INTRO.replace("{defaults}", scoring_toml(DEFAULT_SCORING)).rstrip("\n")]
    for number, rule in enumerate(SCORING_RULES, 1):
        settings = ", ".join(f"`{name}`" for name in rule.settings) or "—"
        codes = ", ".join(f"[{code.code}](#{code.code.lower()})" for code in rule.codes) or "—"
        lines.append(f"| {number} | [{rule.title}](#rule-{number}) | {settings} | {codes} |")
    for number, rule in enumerate(SCORING_RULES, 1):
        lines += ["", f'### <a id="rule-{number}"></a>{number}. {rule.title}', "", rule.text, ""]
        if rule.settings:
            lines += ["默认：" + "；".join(f"`{name}` = {_scoring_default(name)}" for name in rule.settings), ""]
        lines += [f"依据：{rule.source}"]
    lines += ["", "Money units that convert (size in 元): " +
              ", ".join(f"{unit} = {size}" for unit, size in MONEY_UNITS.items()) + ".",
              "", "## Findings", "",
              "Each finding is an issue with the field it concerns (a pointer such as `indicators/3/actual`, and "
              "its cell once the self-evaluation has a layout).", "",
              "| Code | Severity | Message template | When |", "|---|---|---|---|"]
    for problem in Problem:
        if problem.is_scoring:
            template = problem.template.replace("|", "\\|")
            lines.append(f'| <a id="{problem.code.lower()}"></a>{problem.code} | {problem.severity} | {template} | '
                         f"{problem.value.description} |")
    rule = STATUS_RULE.split("\n\n", 1)[1].split("\nThe numbers are settings", 1)[0].strip()
    lines += ["", _MONITORING_SECTION.replace("{rule}", rule).replace("{defaults}", monitoring_toml(DEFAULT_MONITORING))]
    return "\n".join(lines).rstrip("\n") + "\n"


def monitoring_toml(config: MonitoringConfig) -> str:
    """A ``[monitoring]`` table stating every setting of ``config`` (the docs print the defaults; a
    test parses them back)."""
    schedule = ", ".join(_number(share) for share in config.schedule)
    return "\n".join(["[monitoring]", f"schedule = [{schedule}]", f"behind = {_number(config.behind)}",
                      f"miss = {_number(config.miss)}"])


_MONITORING_SECTION = """## 运行监控的红黄绿（`[monitoring]`）

The mid-year monitoring table (绩效运行监控表) is not scored; `collect` gives each indicator a
监控状态 (red, yellow or green, `perfxl.check.monitoring.indicator_statuses`). The rule:

{rule}

Its numbers are the `[monitoring]` table of perfxl.toml: `schedule` (12 percentages, one per month:
the share of a count's or an amount's 年度指标值 due by the end of that month, non-decreasing, at
most 100; `[]` for the even pace N/12), `behind` (% of the pace the 1–N月实际完成值 may fall below
it, or below a percentage target, before yellow) and `miss` (% of the 年度指标值 a 全年预计完成值 may
miss it by, or a 反向 target be exceeded by, before red). The defaults, written out:

```toml
{defaults}
```
"""


def _number(value: object) -> str:
    return canonical_decimal(value) if not isinstance(value, int) else str(value)  # type: ignore[arg-type]


def _scoring_default(name: str) -> str:
    value = getattr(DEFAULT_SCORING, name)
    if name == "weights":
        return "、".join(f"{level1} {_number(points)}" for level1, points in value)
    if name == "shared":
        return "、".join(f"{level1} → {pool}" for level1, pool in value)
    if name == "bands":
        return "、".join(f"{band} {_number(low)}–{_number(high)}%" for band, low, high in value)
    if name == "grades":
        return "、".join(f"{grade} ≥ {_number(lowest)}" for grade, lowest in value) + f"、{DEFAULT_SCORING.lowest_grade}为其余"
    return _number(value)


def scoring_toml(config: ScoringConfig) -> str:
    """A ``[scoring]`` table stating every setting of ``config`` (the docs print the defaults; a
    test parses them back)."""
    lines = ["[scoring]", f"funds = {_number(config.funds)}", f"too_high = {_number(config.too_high)}",
             f"decimals = {config.decimals}", "", "[scoring.weights]"]
    lines += [f'"{level1}" = {_number(points)}' for level1, points in config.weights]
    lines += ["", "[scoring.shared]"] + [f'"{level1}" = "{pool}"' for level1, pool in config.shared]
    lines += ["", "[scoring.bands]"] + [f'"{band}" = [{_number(low)}, {_number(high)}]' for band, low, high in config.bands]
    lines += ["", "[scoring.grades]"] + [f'"{grade}" = {_number(lowest)}' for grade, lowest in config.grades]
    return "\n".join(lines)


GENERATED: dict[str, Callable[[], str]] = {"cli.md": render_cli_reference, "issues.md": render_problem_codes,
                                           "rules.md": render_rules_markdown, "scoring.md": render_scoring_markdown}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["--check"]):
        print("usage: python -m perfxl.docs [--check]   (writes docs/cli.md, docs/issues.md, docs/rules.md, "
              "docs/scoring.md and perfxl/help.json)", file=sys.stderr)
        return 2
    stale = []
    targets = {f"docs/{name}": (DOCS / name, render) for name, render in GENERATED.items()}
    targets["perfxl/help.json"] = (HELP_CACHE, render_help_cache)
    for name, (path, render) in targets.items():
        text = render()
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not args:
            path.write_text(text, encoding="utf-8", newline="\n")
    verb = "stale" if args else "wrote"
    for name in stale:
        print(f"{verb} {name}")
    return 1 if stale and args else 0

if __name__ == "__main__":
    raise SystemExit(main())
