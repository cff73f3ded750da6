"""The perfxl command line: a thin typer layer over :mod:`perfxl.api`."""

from __future__ import annotations

import errno
import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, NoReturn, Optional

import typer

from . import __version__, api
from .api import (
    DEFAULT_VARIANT,
    ERROR,
    WARNING,
    Issue,
    all_variants,
    has_errors,
    load_variant,
    shown_text,
    variant_names,
)

app = typer.Typer(
    name="perfxl",
    help=(
        "财政项目支出绩效目标表 through Excel and back, exactly.\n\n"
        "\b\nA typical year:\n"
        "  perfxl template --roster 名单.csv --out 下发模板/\n"
        "      one locked workbook per 实施单位, one sheet per project, and 下发模板/名单.json\n"
        "  perfxl validate 回收/\n"
        "      every problem in what the units returned, with its cell\n"
        "  perfxl collect 回收/ --roster 下发模板/名单.json --out 汇总.xlsx\n"
        "      the master workbook: who has not returned (报送情况), sums per unit, every problem\n"
        "  perfxl read 回收/平安办.xlsx > forms.json\n"
        "      the forms as JSON\n"
        "  perfxl demo perfxl-demo/\n"
        "      all of it on the bundled examples\n\n"
        "Exit codes: 0 no errors, 1 errors found in the input, 2 usage error, 3 internal failure."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

FormOption = Annotated[Optional[str], typer.Option(
    "--form", help="Form variant (see `perfxl forms`). Default: recognised from the workbook; "
                   f"{DEFAULT_VARIANT} for JSON and new templates.")]
RulesOption = Annotated[Optional[Path], typer.Option(
    "--rules", help="A perfxl.toml with review rule overrides ([rules.RULE-ID]) and limits ([limits]). "
                    "Default: ./perfxl.toml when present. See docs/rules.md.")]
NoReviewOption = Annotated[bool, typer.Option("--no-review", help="Only check the schema; skip the review rules.")]
PasswordOption = Annotated[Optional[str], typer.Option(
    "--password", help="Protect sheets and workbook structure with this password (default: none).")]


def _variant_or_exit(name: str | None) -> str:
    chosen = name or DEFAULT_VARIANT
    if chosen not in variant_names():
        typer.echo(f"未知的表单版本“{chosen}”，可用：{'、'.join(variant_names())}", err=True)
        raise typer.Exit(2)
    return chosen


def _settings_or_exit(rules: Path | None, no_review: bool):
    try:
        return api.load_settings(rules, review=not no_review)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _fail(message: str) -> NoReturn:
    """A usage error: the message on stderr, exit code 2."""
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _file_out(path: Path | None, option: str) -> None:
    """An output file must not be an existing folder (checked before any work is done)."""
    if path is not None and path.is_dir():
        _fail(f"{option} 应为文件名，但“{path}”是一个已存在的文件夹。")


def _folder_out(path: Path | None, option: str) -> None:
    """An output folder must not be an existing file."""
    if path is not None and path.exists() and not path.is_dir():
        _fail(f"{option} 应为文件夹，但“{path}”是一个已存在的文件。")


_OS_REASONS = {errno.EISDIR: "是一个文件夹", errno.ENOTDIR: "路径中有一段不是文件夹", errno.EEXIST: "已存在同名文件",
               errno.ENOENT: "不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.ENOSPC: "磁盘空间不足",
               errno.EROFS: "位于只读的位置"}


@contextmanager
def _usage_errors(action: str) -> Iterator[None]:
    """Bad input or an unwritable output met inside the API: a Chinese message and exit code 2,
    never a traceback."""
    try:
        yield
    except typer.Exit:
        raise
    except OSError as exc:
        reason = _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
        where = f"“{exc.filename}”" if exc.filename else ""
        _fail(f"{action}失败：{where}{reason}。")
    except (ValueError, RuntimeError) as exc:
        _fail(str(exc))


def _count_column():
    """done/total while a count is known, nothing for a step without one."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class CountColumn(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{int(task.completed)}/{int(task.total)}" if task.total else "", style="progress.download")

    return CountColumn()


class _Bar:
    """Files done / files on a progress bar; ``stage`` names a step without a count (writing the
    master of a city takes a while after the last file is read)."""

    def __init__(self, progress, task):
        self.progress, self.task = progress, task

    def __call__(self, done: int, total: int) -> None:
        self.progress.update(self.task, completed=done, total=total)

    def stage(self, label: str) -> None:
        # a new task without a total: a pulsing bar, no count (rich keeps a task's total once set)
        self.progress.remove_task(self.task)
        self.task = self.progress.add_task(label, total=None)


@contextmanager
def _progress(label: str) -> Iterator[_Bar]:
    """A progress bar on stderr for long runs, gone when finished."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), _count_column(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        yield _Bar(progress, progress.add_task(label, total=None))


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
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="Output .xlsx file (default 绩效目标表.xlsx), or folder with --roster/--from "
                            "(default 下发模板).")] = None,
    roster: Annotated[Optional[Path], typer.Option(
        "--roster", help="CSV or workbook listing the projects: headers are field titles "
                         "(主管部门, 实施单位, 年度, 项目名称, 项目类别, 项目资金总额 …). "
                         "名单.json beside the templates lists them again, for collect --roster.")] = None,
    rows: Annotated[int, typer.Option("--rows", min=1, max=50,
                                      help="Empty indicator rows under each 二级指标.")] = api.DEFAULT_ROWS,
    carry_from: Annotated[Optional[Path], typer.Option(
        "--from", help="A collect --jsonl export: next year's templates pre-filled from it "
                       "(needs --year; dates move on, amounts are left empty, indicators kept).")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="Set 年度 on every form (overrides the roster).")] = None,
    form: FormOption = None,
    password: PasswordOption = None,
) -> None:
    """Write a blank, locked form workbook, one pre-filled workbook per 实施单位 from a roster, or
    next year's workbooks from this year's collected forms.

    \b
    Examples:
      perfxl template --out 绩效目标表.xlsx
      perfxl template --roster examples/roster.csv --out 下发模板/ --rows 4
      perfxl template --from forms-2023.jsonl --year 2024 --out 下发模板-2024/
    """
    if out is None:
        out = Path("下发模板") if (roster or carry_from) else Path("绩效目标表.xlsx")
    variant = _variant_or_exit(form)
    if carry_from is not None:
        _template_from(carry_from, out, year, form, password)
        return
    if roster is None:
        _file_out(out, "--out")
        prefill = {"year": year} if year else None
        with _usage_errors("写入模板"):
            path = api.make_template(out, variant=variant, rows=rows, password=password, prefill=prefill)
        typer.echo(f"已生成空白模板：{path}")
        return
    if not roster.is_file():
        _fail(f"找不到名单文件：{roster}")
    _folder_out(out, "--out")
    with _usage_errors("写入模板"):
        paths = api.make_roster_templates(roster, out, variant=variant, rows=rows,
                                          password=password, year=year, workers=api.cpu_count())
    for path in paths:
        typer.echo(f"已生成：{path}")
    typer.echo(f"共 {len(paths)} 个单位的模板。")
    manifest = out / api.MANIFEST_NAME
    typer.echo(f"名单（JSON）：{manifest}（回收后用 perfxl collect 回收/ --roster {manifest} 核对谁还没交）")


def _template_from(carry_from: Path, out: Path, year: int | None, form: str | None, password: str | None) -> None:
    if year is None or not carry_from.is_file():
        _fail("--from 需要一个存在的 JSONL 文件，并同时给出 --year。")
    _folder_out(out, "--out")
    with _usage_errors("写入模板"):
        paths = api.make_carryover_templates(carry_from, out, year, variant=form, rows=1, password=password)
    for path in paths:
        typer.echo(f"已生成：{path}")
    typer.echo(f"共 {len(paths)} 个单位的 {year} 年度模板。")


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
            _fail(f"找不到文件：{path}")
    _folder_out(out, "--out")
    with _usage_errors("写入工作簿"):
        written = api.fill_forms(forms, out, variant=variant, by_unit=by_unit, password=password)
    for path in written:
        typer.echo(f"已生成：{path}")


@app.command()
def read(
    workbook: Annotated[Path, typer.Argument(help="A workbook (.xlsx, .xlsm, .xls, .ods).")],
    form: FormOption = None,
    rules: RulesOption = None,
    no_review: NoReviewOption = False,
) -> None:
    """Print the forms in a workbook as a JSON array (one per form sheet); problems go to stderr.

    \b
    Example:
      perfxl read filled/闵行区浦江镇平安建设办公室.xlsx > forms.json
    """
    if not workbook.is_file():
        typer.echo(f"找不到文件：{workbook}", err=True)
        raise typer.Exit(2)
    settings = _settings_or_exit(rules, no_review)
    [checked] = api.validate_paths([workbook], variant=_variant_or_exit(form) if form else None,
                                   settings=settings)
    typer.echo(json.dumps([r.form for r in checked.forms], ensure_ascii=False, indent=2))
    _print_issues(checked.issues, err=True)
    raise typer.Exit(1 if has_errors(checked.issues) else 0)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Workbooks, JSON files or folders (searched recursively).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the issues as a JSON array.")] = False,
    form: FormOption = None,
    rules: RulesOption = None,
    no_review: NoReviewOption = False,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="Worker processes (default: number of cores).")] = None,
) -> None:
    """Check workbooks or JSON forms against the schema and the review rules (绩效目标审核); list
    every problem with its file, sheet and cell.

    \b
    Examples:
      perfxl validate 回收/
      perfxl validate examples/forms/02.json --json
    """
    for path in paths:
        if not path.exists():
            typer.echo(f"找不到：{path}", err=True)
            raise typer.Exit(2)
    settings = _settings_or_exit(rules, no_review)
    options = dict(variant=_variant_or_exit(form) if form else None, settings=settings,
                   workers=workers or api.cpu_count())
    if as_json:
        results = api.validate_paths(paths, **options)
    else:
        with _progress("校验") as update:
            results = api.validate_paths(paths, **options, on_progress=update)
    if not results:
        typer.echo(f"没有找到输入文件（{'、'.join(map(str, paths))}）。", err=True)
        raise typer.Exit(2)
    issues = [issue for checked in results for issue in checked.issues]
    if as_json:
        shown = [{key: shown_text(value) for key, value in i.to_dict().items()} for i in issues]
        typer.echo(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        _print_issues(issues)
        forms = sum(len(c.forms) for c in results)
        errors = sum(i.severity == ERROR for i in issues)
        warnings = sum(i.severity == WARNING for i in issues)
        typer.echo(f"{len(results)} 个文件，{forms} 张表单，{errors} 个错误，{warnings} 个警告。")
    raise typer.Exit(1 if has_errors(issues) else 0)


PreferOption = Annotated[str, typer.Option(
    "--prefer", metavar="saved|mtime|path",
    help="同一表单有内容不同的多个版本时先比较什么： saved 工作簿记录的保存时间（默认），相同或无法比较时 "
         "再比较文件修改时间、路径； mtime 从文件修改时间开始； path 只按路径（排在后面的采用）。")]


@app.command()
def collect(
    inputs: Annotated[list[Path], typer.Argument(help="单位报送的工作簿（.xlsx .xlsm .xls .ods）和文件夹（含子文件夹）。")],
    out: Annotated[Path, typer.Option("--out", "-o", help="要写出的汇总表。")] = Path("汇总.xlsx"),
    roster: Annotated[Optional[Path], typer.Option(
        "--roster", help="名单：template --roster 用过的名单 CSV/工作簿，或它在模板旁留下的 名单.json。"
                         "汇总表第一页为“报送情况”，名单中未交的单位或项目是错误。")] = None,
    prefer: PreferOption = "saved",
    jsonl: Annotated[Optional[Path], typer.Option("--jsonl", help="同时写出汇总的表单，每行一个 JSON 对象（{\"form\": …, \"source\": …}）。")] = None,
    csv_dir: Annotated[Optional[Path], typer.Option("--csv", help="同时把项目汇总和绩效指标明细写成 CSV（UTF-8 带 BOM），放入此文件夹。")] = None,
    feedback: Annotated[Optional[Path], typer.Option("--feedback", help="为每个有问题的工作簿写一份标注了问题的副本，放入此文件夹，退回单位修改。")] = None,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="工作进程数（默认：CPU 核数）。进程数不影响输出。")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条和汇总说明。")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出汇总说明。")] = False,
    json_inputs: Annotated[bool, typer.Option("--json-inputs", help="输入文件夹中的 JSON 文件也作为表单读取（命令行中直接指定的 JSON 文件总是读取）。")] = False,
    form: FormOption = None,
    rules: RulesOption = None,
    no_review: NoReviewOption = False,
) -> None:
    """把各单位报送的工作簿汇总成一个汇总表，交镇政府。

    \b
    汇总表的各页：
      报送情况      给出 --roster 时为第一页：每个单位应交、已交、有错误、未交（列出项目名称）
                    和名单外的项目；每个项目名单中的金额与报送的金额并列，不同之处列入问题清单。
      项目汇总      每个项目一行。
      绩效指标明细  每条指标一行。
      单位汇总      每个实施单位一行，归入一个主管部门（名单中的，否则表单中最常见的写法），
                    小计紧接各主管部门的单位之下，最后是合计和每个单位一条的图表；“未计入”列
                    说明每个合计没有计入几个无效金额，“核对”列核对 总额 = 财政 + 其他、
                    年度 = 拨款 + 结转 + 其他。
      问题清单      每个问题的文件、工作表和单元格。
      文件清单      每个输入文件的状态（已汇总 / 有问题 / 无法读取 / 重复 / 冲突 / 已忽略）及原因。

    \b
    没有 --roster 时无法核对是否所有单位都已报送，汇总说明会提示这一点。

    \b
    重复与重新报送：表单就是表中填写的内容，按（年度、实施单位、项目名称）识别；perfxl 写入
    工作簿的标识只作比对（携带同一标识的两张不同表单都会汇总并标出，COLLECT-002）。内容相同
    的表单只计一次（重复）。同一表单的不同版本（冲突）依次按工作簿自身记录的保存时间、文件
    修改时间、路径决定采用哪一个（--prefer 可改变起点），文件清单写明依据，问题清单列出未采用
    版本与采用版本不同的字段（旧 → 新）。复制文件会改变文件修改时间，但不会改变保存时间。

    \b
    Office 锁定文件（~$*、.~lock.*）和隐藏文件不计。perfxl 自己的输出（以前的汇总表、问题清单、
    CSV/JSONL 导出、名单.json）按标记识别，列为“已忽略”，不作为表单读取；退回单位的标注副本
    不带标记，单位改好后可以重新报送。命名管道、设备、失效链接、指向输入文件夹以外的链接、
    输入文件夹中的 JSON 文件（除非 --json-inputs）不读取，列为“已忽略”并说明原因。

    \b
    输出不会碰到输入：输出就是输入、是输入的硬链接、位于输入文件夹中或包含输入时，在读取任何
    文件之前拒绝。每个输出先写到旁边的临时文件，写完才改名到位（中断的运行保留上一次的输出）；
    另一个运行同时写同一文件夹时拒绝。

    \b
    退出码：0 没有错误（只有警告不算）；1 输入中有错误（包括名单中有未交的单位或项目；汇总表
    照常写出）；2 用法错误（没有输入文件、名单无法使用、输出无法写入）；3 内部错误。

    \b
    示例：
      perfxl collect 回收/ --roster 下发模板/名单.json --out 汇总.xlsx
      perfxl collect 回收/ --roster 名单.csv --out 汇总.xlsx --jsonl forms.jsonl --csv csv/ --feedback 退回/
      perfxl collect 回收/ --prefer mtime
    """
    for path in inputs:
        if not path.exists():
            _fail(f"找不到：{path}")
    if roster is not None and not roster.is_file():
        _fail(f"找不到名单文件：{roster}")
    if prefer not in api.PREFERENCES:
        _fail(f"--prefer 应为 {'、'.join(api.PREFERENCES)} 之一，实际为“{prefer}”。")
    _file_out(out, "--out")
    _file_out(jsonl, "--jsonl")
    _folder_out(csv_dir, "--csv")
    _folder_out(feedback, "--feedback")
    variant = _variant_or_exit(form) if form else None
    settings = _settings_or_exit(rules, no_review)
    options = {"variant": variant, "settings": settings, "workers": workers or api.cpu_count(), "jsonl": jsonl,
               "csv_dir": csv_dir, "feedback_dir": feedback, "json_inputs": json_inputs, "roster": roster,
               "prefer": prefer}
    with _usage_errors("汇总"):
        if quiet or as_json:
            collection = api.collect_to_master(inputs, out, **options)
        else:
            with _progress("读取") as bar:
                collection = api.collect_to_master(inputs, out, **options, on_progress=bar, on_stage=bar.stage)
    summary = {**collection.summary(), "master": str(out)}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    elif not quiet:
        for line in _roster_lines(summary["roster"]):
            typer.echo(_printable(line))
        typer.echo(_summary_line(summary))
        typer.echo(f"汇总表：{out}")
    raise typer.Exit(1 if collection.has_errors else 0)


def _roster_lines(roster: dict | None) -> list[str]:
    """Who has not returned, first: the office's first question each round."""
    if roster is None:
        return ["未提供名单（--roster），无法核对是否所有单位都已报送。"]
    lines = []
    missing_units = roster["missing_units"]
    if missing_units:
        lines.append(f"未交的单位 {len(missing_units)} 个：{_some(missing_units)}。")
    partly = [(unit, names) for unit, names in roster["missing_projects"].items() if unit not in missing_units]
    for unit, names in partly[:_SHOWN]:
        lines.append(f"{unit} 未交 {len(names)} 个项目：{_some(names)}。")
    if len(partly) > _SHOWN:
        lines.append(f"另有 {len(partly) - _SHOWN} 个单位有项目未交。")
    missing = roster["projects_expected"] - roster["projects_returned"]
    if not missing:
        lines.append(f"报送齐全：名单中 {roster['units_expected']} 个单位的 {roster['projects_expected']} 个项目都已收到。")
    else:
        lines.append(f"名单中 {roster['projects_expected']} 个项目，已交 {roster['projects_returned']} 个，未交 {missing} 个"
                     f"（见汇总表“报送情况”）。")
    if roster["unknown_projects"]:
        lines.append(f"另有 {roster['unknown_projects']} 个收到的项目不在名单中（见“报送情况”）。")
    return lines


_SHOWN = 20  # names and lines of the console's roster summary; 报送情况 lists them all


def _some(names: list[str]) -> str:
    return "、".join(names[:_SHOWN]) + (f" 等 {len(names)} 个" if len(names) > _SHOWN else "")


def _summary_line(summary: dict) -> str:
    statuses = "，".join(f"{k} {v}" for k, v in summary["files_by_status"].items())
    totals = "、".join(f"{total} {unit}" for unit, total in summary.get("funding_totals", {}).items())
    funding = f"项目资金总额合计 {totals}；" if totals else ""
    return (f"文件 {summary['files']} 个（{statuses}）；表单 {summary['forms']} 张；单位 {summary['units']} 个；"
            f"{funding}错误 {summary['errors']} 个，警告 {summary['warnings']} 个。")


@app.command()
def schema(form: FormOption = None) -> None:
    """Print the JSON Schema of a form variant."""
    variant = load_variant(_variant_or_exit(form))
    typer.echo(json.dumps(variant.schema, ensure_ascii=False, indent=2))


@app.command()
def rules() -> None:
    """List the review rules (绩效目标审核): ID, default severity and what each checks.

    Turn a rule off or change it in perfxl.toml, e.g. [rules.TARGET-001] min_satisfaction = 85;
    the full catalogue with parameters is docs/rules.md.
    """
    for rule in api.review_rules():
        typer.echo(f"{rule.code}\t{rule.severity}\t{rule.value.title}")


@app.command()
def forms() -> None:
    """List the form variants perfxl knows."""
    for variant in all_variants():
        typer.echo(f"{variant.name}\t{variant.title}\t{variant.description}")


@app.command()
def demo(out: Annotated[Path, typer.Argument(help="Folder for the demo output.")] = Path("perfxl-demo")) -> None:
    """Run the whole job on the bundled examples: templates, filled workbooks, master workbook.

    \b
    Example:
      perfxl demo perfxl-demo/
    """
    _folder_out(out, "OUT")
    with _usage_errors("演示"):
        result = api.run_demo(out, workers=api.cpu_count())
    typer.echo(f"模板（每个实施单位一个）：{len(result.templates)} 个 → {out / 'templates'}")
    typer.echo(f"已填写的工作簿：{len(result.filled)} 个 → {out / 'filled'}")
    typer.echo(f"汇总读回表单 {result.forms_read} 张，其中 {result.round_trip_equal} 张与 JSON 原件完全一致 → {out / 'forms.json'}")
    typer.echo(f"汇总表：{result.master}（报送情况、项目汇总、绩效指标明细、单位汇总、问题清单、文件清单）")
    for line in _roster_lines(result.roster):
        typer.echo(line)
    errors = [i for i in result.issues if i.severity == ERROR]
    typer.echo(f"校验与审核发现 {len(errors)} 个错误、{len(result.issues) - len(errors)} 个警告/提示"
               f"（示例如实保留了真实表单中的问题），标注后的退回件 → {out / '退回'}")


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Text from a cell shown on a terminal: control characters (ESC, BEL …) as \\xNN, never sent
    to the terminal; file names that are not UTF-8 as their bytes."""
    return shown_text(_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


def _print_issues(issues: list[Issue], *, err: bool = False) -> None:
    for issue in issues:
        typer.echo(_printable(f"{issue.location()}  [{issue.severity} {issue.code}] {issue.message}"), err=err)


def run() -> None:  # console-script entry point
    """Exit codes: 0 clean, 1 errors in the input, 2 usage, 3 an internal failure (a bug of
    perfxl's, never the input's fault), 130 interrupted."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("已中断。已写完的输出保持完整，未写完的输出没有改动。", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, apart from "errors found in the input"
        typer.echo(f"perfxl 内部错误（程序缺陷，不是输入文件的问题）：{type(exc).__name__}: {exc}", err=True)
        typer.echo("请把这条信息和所用的命令报告给维护者。输出没有改动。", err=True)
        sys.exit(3)


if __name__ == "__main__":
    sys.exit(app())
