"""The reference docs, generated from the code so they cannot drift from it.

``python -m perfxl.docs`` writes ``docs/cli.md`` (every command's ``--help``), ``docs/issues.md``
(the reading and validation problem codes) and ``docs/rules.md`` (the review rules), all from the
catalogue in :mod:`perfxl.problems` and the CLI itself; ``python -m perfxl.docs --check`` only
says which are stale (the tests fail when one is).
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any, Callable

from typer.testing import CliRunner

from .check import targets
from .check.rules import description as rule_description
from .cli import app
from .problems import Problem, Unclear

DOCS = Path(__file__).resolve().parent.parent / "docs"  # a checkout's docs/ (this command is for developers)


COMMANDS = ["template", "fill", "read", "validate", "collect", "rules", "schema", "forms", "demo"]


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


def render_problem_codes() -> str:
    """docs/issues.md: the reading and validation codes (review rules are in docs/rules.md)."""
    lines = ["# Problem codes", "",
             "Generated from `perfxl/problems.py` by `python -m perfxl.docs`; do not edit by hand.",
             "Every problem perfxl reports is one of these (or a review rule, see [rules.md](rules.md)), with the",
             "file, sheet, cell, field and value it concerns.", "",
             "| Code | Severity | Message template | When |", "|---|---|---|---|"]
    for problem in Problem:
        if problem.is_rule:
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


GENERATED: dict[str, Callable[[], str]] = {"cli.md": render_cli_reference, "issues.md": render_problem_codes,
                                           "rules.md": render_rules_markdown}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["--check"]):
        print("usage: python -m perfxl.docs [--check]   (writes docs/cli.md, docs/issues.md, docs/rules.md)",
              file=sys.stderr)
        return 2
    stale = []
    for name, render in GENERATED.items():
        path, text = DOCS / name, render()
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not args:
            path.write_text(text, encoding="utf-8", newline="\n")
    verb = "stale" if args else "wrote"
    for name in stale:
        print(f"{verb} docs/{name}")
    return 1 if stale and args else 0


if __name__ == "__main__":
    raise SystemExit(main())
