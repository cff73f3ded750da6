"""docs/cli.md is generated from the commands' own --help, so it cannot drift from the code.

Regenerate with ``python -m perfxl.clidoc > docs/cli.md``; a test fails when it is stale.
"""

from __future__ import annotations

from typer.testing import CliRunner

from .cli import app

COMMANDS = ["template", "fill", "read", "validate", "collect", "rules", "schema", "forms", "demo"]


def render_cli_reference() -> str:
    runner = CliRunner()
    parts = ["# perfxl command reference",
             "",
             "Generated from `--help` by `python -m perfxl.clidoc > docs/cli.md`; do not edit by hand.",
             ""]
    for args in [[]] + [[name] for name in COMMANDS]:
        title = "perfxl " + " ".join(args) if args else "perfxl"
        result = runner.invoke(app, [*args, "--help"], prog_name="perfxl", terminal_width=100,
                               env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"})
        parts += [f"## {title}", "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render_cli_reference(), end="")
