"""The perfxl command line: a thin typer layer over :mod:`perfxl.api`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from . import __version__, api
from .issues import ERROR, WARNING, Issue, has_errors
from .roster import RosterError
from .variant import DEFAULT_VARIANT, all_variants, load_variant, variant_names

app = typer.Typer(
    name="perfxl",
    help=(
        "财政项目支出绩效目标表 through Excel and back, exactly.\n\n"
        "\b\nA typical year:\n"
        "  perfxl template --roster 名单.csv --out 下发模板/\n"
        "      one locked workbook per 实施单位, one sheet per project\n"
        "  perfxl validate 回收/\n"
        "      every problem in what the units returned, with its cell\n"
        "  perfxl read 回收/平安办.xlsx > forms.json\n"
        "      the forms as JSON\n"
        "  perfxl demo perfxl-demo/\n"
        "      all of it on the bundled examples\n\n"
        "Exit codes: 0 no errors, 1 errors found in the input, 2 usage error."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

FormOption = Annotated[Optional[str], typer.Option(
    "--form", help="Form variant (see `perfxl forms`). Default: recognised from the workbook; "
                   f"{DEFAULT_VARIANT} for JSON and new templates.")]
PasswordOption = Annotated[Optional[str], typer.Option(
    "--password", help="Protect sheets and workbook structure with this password (default: none).")]


def _variant_or_exit(name: str | None) -> str:
    chosen = name or DEFAULT_VARIANT
    if chosen not in variant_names():
        typer.echo(f"未知的表单版本“{chosen}”，可用：{'、'.join(variant_names())}", err=True)
        raise typer.Exit(2)
    return chosen


def _version(value: bool) -> None:
    if value:
        typer.echo(f"perfxl {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")] = False) -> None:
    """perfxl: 绩效目标表 templates, filling, reading and checking."""


@app.command()
def template(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .xlsx file, or folder with --roster.")] = Path("绩效目标表.xlsx"),
    roster: Annotated[Optional[Path], typer.Option(
        "--roster", help="CSV or workbook listing the projects: headers are field titles "
                         "(主管部门, 实施单位, 年度, 项目名称, 项目类别, 项目资金总额 …).")] = None,
    rows: Annotated[int, typer.Option("--rows", min=1, max=50,
                                      help="Empty indicator rows under each 二级指标.")] = api.DEFAULT_ROWS,
    year: Annotated[Optional[int], typer.Option("--year", help="Set 年度 on every form (overrides the roster).")] = None,
    form: FormOption = None,
    password: PasswordOption = None,
) -> None:
    """Write a blank, locked form workbook, or one pre-filled workbook per 实施单位 from a roster.

    \b
    Examples:
      perfxl template --out 绩效目标表.xlsx
      perfxl template --roster examples/roster.csv --out 下发模板/ --rows 4
    """
    variant = _variant_or_exit(form)
    if roster is None:
        prefill = {"year": year} if year else None
        path = api.make_template(out, variant=variant, rows=rows, password=password, prefill=prefill)
        typer.echo(f"已生成空白模板：{path}")
        return
    if not roster.is_file():
        typer.echo(f"找不到名单文件：{roster}", err=True)
        raise typer.Exit(2)
    try:
        paths = api.make_roster_templates(roster, out, variant=variant, rows=rows,
                                          password=password, year=year)
    except RosterError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    for path in paths:
        typer.echo(f"已生成：{path}")
    typer.echo(f"共 {len(paths)} 个单位的模板。")


@app.command()
def fill(
    forms: Annotated[list[Path], typer.Argument(help="JSON files, each one form or an array of forms.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("filled"),
    by_unit: Annotated[bool, typer.Option("--by-unit", help="One workbook per 实施单位 instead of one per JSON file.")] = False,
    form: FormOption = None,
    password: PasswordOption = None,
) -> None:
    """Write filled form workbooks from JSON, exactly one indicator row per indicator.

    \b
    Example:
      perfxl fill examples/forms/*.json --out filled/ --by-unit
    """
    variant = _variant_or_exit(form)
    for path in forms:
        if not path.is_file():
            typer.echo(f"找不到文件：{path}", err=True)
            raise typer.Exit(2)
    try:
        written = api.fill_forms(forms, out, variant=variant, by_unit=by_unit, password=password)
    except (ValueError, OSError) as exc:
        typer.echo(f"无法读取 JSON：{exc}", err=True)
        raise typer.Exit(2) from None
    for path in written:
        typer.echo(f"已生成：{path}")


@app.command()
def read(
    workbook: Annotated[Path, typer.Argument(help="A workbook (.xlsx, .xlsm, .xls, .ods).")],
    form: FormOption = None,
) -> None:
    """Print the forms in a workbook as a JSON array (one per form sheet); problems go to stderr.

    \b
    Example:
      perfxl read filled/闵行区浦江镇平安建设办公室.xlsx > forms.json
    """
    if not workbook.is_file():
        typer.echo(f"找不到文件：{workbook}", err=True)
        raise typer.Exit(2)
    checked = api.check_file(workbook, variant=_variant_or_exit(form) if form else None)
    typer.echo(json.dumps([r.form for r in checked.forms], ensure_ascii=False, indent=2))
    _print_issues(checked.issues, err=True)
    raise typer.Exit(1 if has_errors(checked.issues) else 0)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks, JSON files or folders (searched recursively).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the issues as a JSON array.")] = False,
    form: FormOption = None,
) -> None:
    """Check workbooks or JSON forms against the schema; list every problem with its cell.

    \b
    Examples:
      perfxl validate 回收/
      perfxl validate examples/forms/02.json --json
    """
    for path in paths:
        if not path.exists():
            typer.echo(f"找不到：{path}", err=True)
            raise typer.Exit(2)
    results = api.validate_paths(paths, variant=_variant_or_exit(form) if form else None)
    issues = [issue for checked in results for issue in checked.issues]
    if as_json:
        typer.echo(json.dumps([i.to_dict() for i in issues], ensure_ascii=False, indent=2))
    else:
        _print_issues(issues)
        forms = sum(len(c.forms) for c in results)
        errors = sum(i.severity == ERROR for i in issues)
        warnings = sum(i.severity == WARNING for i in issues)
        typer.echo(f"{len(results)} 个文件，{forms} 张表单，{errors} 个错误，{warnings} 个警告。")
    raise typer.Exit(1 if has_errors(issues) else 0)


@app.command()
def schema(form: FormOption = None) -> None:
    """Print the JSON Schema of a form variant."""
    variant = load_variant(_variant_or_exit(form))
    typer.echo(json.dumps(variant.schema, ensure_ascii=False, indent=2))


@app.command()
def forms() -> None:
    """List the form variants perfxl knows."""
    for variant in all_variants():
        typer.echo(f"{variant.name}\t{variant.title}\t{variant.description}")


@app.command()
def demo(out: Annotated[Path, typer.Argument(help="Folder for the demo output.")] = Path("perfxl-demo")) -> None:
    """Run the whole job on the bundled examples: templates, filled workbooks, read back.

    \b
    Example:
      perfxl demo perfxl-demo/
    """
    result = api.run_demo(out)
    typer.echo(f"模板（每个实施单位一个）：{len(result.templates)} 个 → {out / 'templates'}")
    typer.echo(f"已填写的工作簿：{len(result.filled)} 个 → {out / 'filled'}")
    typer.echo(f"读回表单 {result.forms_read} 张，其中 {result.round_trip_equal} 张与 JSON 原件完全一致 → {out / 'forms.json'}")
    errors = [i for i in result.issues if i.severity == ERROR]
    typer.echo(f"校验发现 {len(errors)} 个错误，{len(result.issues) - len(errors)} 个警告/提示（示例保留了真实表单中的问题）。")


def _print_issues(issues: list[Issue], *, err: bool = False) -> None:
    for issue in issues:
        typer.echo(f"{issue.location()}  [{issue.severity} {issue.code}] {issue.message}", err=err)


def run() -> None:  # console-script entry point
    app()


if __name__ == "__main__":
    sys.exit(app())
