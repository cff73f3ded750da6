"""The perfxl command line: a thin typer layer over :mod:`perfxl.api` (started by
:func:`perfxl.cli.run`, which answers ``--help`` from a cache without importing this module, and
runs a plain ``validate`` or ``collect`` command line without typer: their bodies are in
:mod:`perfxl.console`, called from here too).

No ``from __future__ import annotations`` here: typer reads every command's annotations each
run, and string annotations would be evaluated one by one (≈ 0.1 s of a small command)."""

import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer._click.exceptions import UsageError  # typer bundles click: its usage errors
from typer.core import TyperCommand, TyperGroup

from . import __version__, api, console
from .api import (
    DEFAULT_VARIANT,
    ERROR,
    all_variants,
    has_errors,
    load_variant,
    variant_names,
)
from .console import (  # what validate and collect share with the other commands
    _fail,
    _file_out,
    _folder_out,
    _print_issues,
    _printable,
    _roster_lines,
    _settings_or_exit,
    _usage_errors,
    _variant_or_exit,
)

app = typer.Typer(
    name="perfxl",
    help=(
        "财政项目支出绩效目标表：经 Excel 下发、回收、汇总，一字不差。\n\n"
        "\b\n一年的工作，按顺序：\n"
        "  perfxl template --roster 名单.csv --out 下发模板/\n"
        "      每个实施单位一个锁定的工作簿，每个项目一张表；另写 下发模板/名单.json\n"
        "  perfxl fill 表单/*.json --out 预填/ --by-unit\n"
        "      用 JSON 表单生成（预填的）工作簿\n"
        "  perfxl validate 回收/\n"
        "      单位交回的表格中的每个问题及其单元格\n"
        "  perfxl collect 回收/ --roster 下发模板/名单.json --out 汇总.xlsx --feedback 退回/\n"
        "      汇总表：谁还没交（报送情况）、各单位合计、每个问题；以及标注问题的退回件\n"
        "  perfxl publish 回收/ --roster 下发模板/名单.json --pdf\n"
        "      批复后公开：绩效目标表汇编（封面、目录、每页一张表），可同时生成 PDF\n"
        "  perfxl template --kind monitoring --month 6 --from forms-2023.jsonl --out 监控下发/\n"
        "      年中：绩效运行监控表（1–N月），目标已预填并锁定；汇总时逐条指标标出红、黄、绿\n"
        "  perfxl template --kind self-eval --from forms-2023.jsonl --out 自评下发/\n"
        "      年终：项目支出绩效自评表，目标已预填并锁定，得分公式实时计算；回收后 perfxl 重新计分\n"
        "  perfxl template --from forms-2023.jsonl --year 2024 --out 下发模板-2024/\n"
        "      下一年度的模板，用今年的表单预填\n"
        "  perfxl read 回收/平安办.xlsx > forms.json\n"
        "      表单以 JSON 输出\n"
        "  perfxl demo perfxl-demo/\n"
        "      用自带示例走一遍全流程\n\n"
        "退出码：0 没有错误，1 输入中有错误，2 用法错误，3 程序内部错误。"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

FormOption = Annotated[Optional[str], typer.Option(
    "--form", help="表单版本（见 perfxl forms）。默认：工作簿从其内容识别；JSON 和新模板用 "
                   f"{DEFAULT_VARIANT}。")]
RulesOption = Annotated[Optional[Path], typer.Option(
    "--rules", help="配置文件 perfxl.toml：审核规则的调整（[rules.规则编号]）、安全上限（[limits]）、自评计分"
                    "（[scoring]）和运行监控的红黄绿（[monitoring]）。默认：当前文件夹中有 perfxl.toml 时用它。见 docs/rules.md、docs/scoring.md。")]
NoReviewOption = Annotated[bool, typer.Option("--no-review", help="只按模式校验，不运行审核规则。")]
PasswordOption = Annotated[Optional[str], typer.Option(
    "--password", help="用此密码保护工作表和工作簿结构（默认：不设密码）。")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"perfxl {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                               help="显示版本并退出。")] = False) -> None:
    """perfxl：绩效目标表的模板、填写、读取和校验。"""


@app.command()
def template(
    out: Annotated[Optional[Path], typer.Option(
        "--out", "-o", help="输出的 .xlsx 文件（默认 绩效目标表.xlsx）；用 --roster 或 --from 时为文件夹"
                            "（默认 下发模板）。")] = None,
    roster: Annotated[Optional[Path], typer.Option(
        "--roster", help="列出项目的名单（CSV 或工作簿）：表头为字段标题"
                         "（主管部门、实施单位、年度、项目名称、项目类别、项目资金总额 …）。"
                         "其他列（备注等）忽略并提示；名单先整体检查，有问题即拒绝（逐条列出行和列），不生成任何模板。"
                         "模板旁另写 名单.json，供 collect --roster 核对报送情况。")] = None,
    rows: Annotated[Optional[int], typer.Option(
        "--rows", min=1, max=50, help="每个二级指标下的空白指标行数（默认：表单版本自己的行数，"
                                      "即仍能以 90% 以上的比例打印在一页 A4 上的行数）。")] = api.DEFAULT_ROWS,
    carry_from: Annotated[Optional[Path], typer.Option(
        "--from", help="collect --jsonl 导出的文件：据此预填下一年度的模板（需同时给出 --year；"
                       "日期顺延，金额留空，指标保留）。用 --kind self-eval 或 monitoring 时也可以是回收的工作簿或文件夹："
                       "据此预填年终绩效自评表或年中绩效运行监控表。")] = None,
    kind: Annotated[str, typer.Option(
        "--kind", metavar="target|self-eval|monitoring",
        help="表单种类：target 绩效目标表（默认）；self-eval 项目支出绩效自评表（需 --from 给出绩效目标表，"
             "每个实施单位一个工作簿，目标预填并锁定，执行率、得分和总分为实时公式）；monitoring 绩效运行监控表"
             "（需 --from 和 --month，目标预填并锁定，执行率为实时公式）。")] = "target",
    month: Annotated[Optional[int], typer.Option(
        "--month", min=1, max=12, help="绩效运行监控表的截至月份 N（1–12）：表头印为“1–N月执行数”等，"
                                       "并记在表中。只用于 --kind monitoring。")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="为每张表单设定年度（优先于名单中的年度）。")] = None,
    form: FormOption = None,
    rules: RulesOption = None,
    password: PasswordOption = None,
) -> None:
    """生成空白的锁定模板；或按名单为每个实施单位生成一个预填的工作簿；或用今年汇总的表单生成下一年度的模板。

    \b
    示例：
      perfxl template --out 绩效目标表.xlsx
      perfxl template --roster examples/roster.csv --out 下发模板/ --rows 4
      perfxl template --from forms-2023.jsonl --year 2024 --out 下发模板-2024/
      perfxl template --kind self-eval --from forms-2023.jsonl --out 自评下发/
      perfxl template --kind monitoring --month 6 --from forms-2023.jsonl --out 监控下发/
    """
    if kind not in ("target", "self-eval", "monitoring"):
        _fail(f"未知的表单种类“{kind}”，可用：target（绩效目标表）、self-eval（项目支出绩效自评表）、"
              f"monitoring（绩效运行监控表）。")
    if (month is not None) != (kind == "monitoring"):
        _fail("--kind monitoring 需要 --month（截至月份 1–12）；--month 只用于 --kind monitoring。")
    if kind == "monitoring":
        _template_monitoring(carry_from, out or Path("监控下发"), month, roster, rules, password)
        return
    if kind == "self-eval":
        _template_self_eval(carry_from, out or Path("自评下发"), roster, rules, password)
        return
    if out is None:
        out = Path("下发模板") if (roster or carry_from) else Path("绩效目标表.xlsx")
    variant = _variant_or_exit(form)
    if variant not in variant_names():
        _fail(f"“{variant}”不是绩效目标表；项目支出绩效自评表用 perfxl template --kind self-eval --from 绩效目标表 生成。")
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
        paths = api.make_roster_templates(roster, out, variant=variant, rows=rows, password=password, year=year,
                                          workers=api.cpu_count(), on_note=lambda note: typer.echo(_printable(note)))
    for path in paths:
        typer.echo(f"已生成：{path}")
    typer.echo(f"共 {len(paths)} 个单位的模板。")
    manifest = out / api.MANIFEST_NAME
    typer.echo(f"名单（JSON）：{manifest}（回收后用 perfxl collect 回收/ --roster {manifest} 核对谁还没交）")


def _template_self_eval(source: Path | None, out: Path, roster: Path | None, rules: Path | None,
                        password: str | None) -> None:
    if source is None or not source.exists() or roster is not None:
        _fail("--kind self-eval 需要 --from：collect --jsonl 导出的文件，或回收的绩效目标表工作簿或文件夹（不用 --roster）。")
    settings = _settings_or_exit(rules, False)
    _folder_out(out, "--out")
    with _usage_errors("写入自评表"):
        paths = api.make_self_eval_templates(source, out, scoring=settings.scoring, password=password)
    for path in paths:
        typer.echo(f"已生成：{path}")
    typer.echo(f"共 {len(paths)} 个单位的项目支出绩效自评表（目标已预填并锁定）。")


def _template_monitoring(source: Path | None, out: Path, month: int | None, roster: Path | None,
                         rules: Path | None, password: str | None) -> None:
    if source is None or not source.exists() or roster is not None:
        _fail("--kind monitoring 需要 --from：collect --jsonl 导出的文件，或回收的绩效目标表工作簿或文件夹（不用 --roster）。")
    settings = _settings_or_exit(rules, False)
    _folder_out(out, "--out")
    with _usage_errors("写入监控表"):
        paths = api.make_monitoring_templates(source, out, month, scoring=settings.scoring, password=password)
    for path in paths:
        typer.echo(f"已生成：{path}")
    typer.echo(f"共 {len(paths)} 个单位的绩效运行监控表（截至 {month} 月，目标已预填并锁定）。")


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
    forms: Annotated[list[Path], typer.Argument(help="JSON 文件，每个为一张表单或表单数组。")],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件夹。")] = Path("filled"),
    by_unit: Annotated[bool, typer.Option("--by-unit", help="每个实施单位一个工作簿（默认每个 JSON 文件一个）。")] = False,
    form: FormOption = None,
    password: PasswordOption = None,
) -> None:
    """用 JSON 表单生成已填写的工作簿，每条指标恰好一行。

    表单可以不完整（预填后下发给单位补齐）：工作簿照常生成，并逐张列出尚未填写的必填项及其单元格。

    \b
    示例：
      perfxl fill examples/forms/*.json --out filled/ --by-unit
    """
    variant = _variant_or_exit(form)
    for path in forms:
        if not path.is_file():
            _fail(f"找不到文件：{path}")
    _folder_out(out, "--out")
    with _usage_errors("写入工作簿"):
        written = api.fill_forms(forms, out, variant=variant, by_unit=by_unit, password=password,
                                 computed=api.computed_cells(variant))
        gaps = api.missing_in_json_files(forms, variant)
    for path in written:
        typer.echo(f"已生成：{path}")
    _print_gaps(gaps)


def _print_gaps(gaps: list) -> None:
    """The required fields each form still leaves blank, in Chinese (the workbooks are written)."""
    if not gaps:
        return
    typer.echo(f"以下 {len(gaps)} 张表单还有必填项未填写（工作簿已照常生成，可作为预填表下发；"
               f"填齐后请用 perfxl validate 检查）：")
    for gap in gaps:
        where = gap.source + (f" 第 {gap.number} 个表单" if gap.number else "") + (f"（{gap.name}）" if gap.name else "")
        fields = "、".join(f"{field.title}（{field.cell}）" if field.cell else field.title for field in gap.fields)
        typer.echo(_printable(f"  {where}：{fields}"))


@app.command()
def read(
    workbook: Annotated[Path, typer.Argument(help="一个工作簿（.xlsx、.xlsm、.xls、.ods）。")],
    form: FormOption = None,
    rules: RulesOption = None,
    no_review: NoReviewOption = False,
) -> None:
    """把工作簿中的表单以 JSON 数组输出（每个表单工作表一项）；问题输出到标准错误。

    \b
    示例：
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
    paths: Annotated[list[Path], typer.Argument(help="工作簿、JSON 文件或文件夹（含子文件夹）。")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 数组输出问题。")] = False,
    form: FormOption = None,
    rules: RulesOption = None,
    no_review: NoReviewOption = False,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="工作进程数（默认：CPU 核数）。")] = None,
    targets_from: Annotated[Optional[Path], typer.Option(
        "--from", help="自评表和运行监控表所依据的绩效目标表（collect --jsonl 导出的文件，或回收的工作簿或文件夹）："
                       "预填的目标被单位改动的，列为错误（自评表 SCORE-014，监控表 MON-003）。")] = None,
) -> None:
    """按模式和审核规则（绩效目标审核）校验工作簿或 JSON 表单，列出每个问题及其文件、工作表和单元格。

    项目支出绩效自评表按计分规则重新计分（docs/scoring.md），公式结果与 perfxl 的计算不符的也列出。

    \b
    示例：
      perfxl validate 回收/
      perfxl validate examples/forms/02.json --json
      perfxl validate 自评回收/ --from forms-2023.jsonl
      perfxl validate 监控回收/ --from forms-2023.jsonl
    """
    console.validate(paths, as_json=as_json, form=form, rules=rules, no_review=no_review, workers=workers,
                     targets_from=targets_from)


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
      项目汇总（打印）、单位汇总（打印）、问题清单（打印）
                    紧接各自的表之后，供领导打印：只列关键列，A4 横向、100% 即可排下（10 号字），
                    每页重复表头，页眉为标题（年度、主管部门），页脚为“第 N 页 共 M 页”和打印日期。

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
    console.collect(inputs, out=out, roster=roster, prefer=prefer, jsonl=jsonl, csv_dir=csv_dir, feedback=feedback,
                    workers=workers, quiet=quiet, as_json=as_json, json_inputs=json_inputs, form=form, rules=rules,
                    no_review=no_review)


@app.command()
def publish(
    inputs: Annotated[Optional[list[Path]], typer.Argument(
        help="单位报送的工作簿（.xlsx .xlsm .xls .ods）和文件夹（含子文件夹）；或改用 --jsonl。")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="要写出的汇编工作簿。")] = Path("绩效目标表汇编.xlsx"),
    jsonl: Annotated[Optional[Path], typer.Option(
        "--jsonl", help="collect --jsonl 导出的表单（代替单位报送的文件）；每张表单重新校验和审核。")] = None,
    roster: Annotated[Optional[Path], typer.Option(
        "--roster", help="名单（CSV/工作簿或 名单.json）：单位和项目按名单的顺序排列，封面的主管部门取名单中的。"
                         "默认：单位按名称排序，各单位的项目按收到的顺序。")] = None,
    include_errors: Annotated[bool, typer.Option(
        "--include-errors", help="有错误的表单也收入汇编（默认不收入，并逐张列出）。")] = False,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="同时用 LibreOffice 打印成 PDF（与工作簿同名，扩展名 .pdf）；未安装时说明需要安装的软件包。")] = False,
    workers: Annotated[Optional[int], typer.Option("--workers", min=1, help="工作进程数（默认：CPU 核数）。")] = None,
    form: FormOption = None,
    rules: RulesOption = None,
    no_review: NoReviewOption = False,
) -> None:
    """批复后公开：把汇总的表单排成当年的绩效目标表汇编（预算公开）。

    \b
    汇编工作簿的各页：
      封面    主管部门、年度，以及公开材料中的说明：“本部门 X 个预算单位开展了 YYYY 年项目预算
              绩效目标编报工作，编报绩效目标的项目 X 个，涉及项目预算资金 X 万元”（单位数为收入
              汇编的表单所属的实施单位数，资金为这些表单的年度资金申请总额之和，以万元计、精确到最后一位，
              以元填写的表单精确换算）。
      目录    每个实施单位及其项目，各自所在的页码。
      表单    每个项目一页正式表格（项目类别印成 ☑/□），按实施单位分组；页码贯穿全册。

    \b
    有错误的表单默认不收入，逐张列出（文件、工作表、错误）；--include-errors 照样收入。
    汇编只收入绩效目标表：自评表等其他种类的表单不收入，逐张列出；输入中只有其他种类时不生成。
    汇编带有 perfxl 的输出标记：放进回收文件夹时，collect 把它列为“已忽略”，不会当作表单重复汇总。
    汇总表（汇总.xlsx）不是表单来源：请给出单位报送的文件夹，或 collect --jsonl 导出的文件。

    \b
    退出码：0 没有错误；1 输入中有错误（汇编照常写出，有错误的表单未收入）；2 用法错误（没有
    输入、没有可收入的表单、--pdf 但未安装 LibreOffice、输出无法写入）；3 内部错误。

    \b
    示例：
      perfxl publish 回收/ --roster 下发模板/名单.json --out 绩效目标表汇编.xlsx --pdf
      perfxl publish --jsonl forms-2023.jsonl --roster examples/roster.csv
    """
    inputs = inputs or []
    if bool(inputs) == (jsonl is not None):
        _fail("请给出单位报送的文件或文件夹，或者用 --jsonl 给出 collect 导出的表单（二者选一）。")
    for path in inputs:
        if not path.exists():
            _fail(f"找不到：{path}")
    if jsonl is not None and not jsonl.is_file():
        _fail(f"找不到 JSONL 文件：{jsonl}")
    if roster is not None and not roster.is_file():
        _fail(f"找不到名单文件：{roster}")
    _file_out(out, "--out")
    variant = _variant_or_exit(form) if form else None
    settings = _settings_or_exit(rules, no_review)
    with _usage_errors("生成汇编"):
        booklet = api.publish_booklet(inputs, out, jsonl=jsonl, roster=roster, include_errors=include_errors,
                                      pdf=pdf, variant=variant, settings=settings,
                                      workers=workers or api.cpu_count())
    for line in _booklet_lines(booklet):
        typer.echo(_printable(line))
    raise typer.Exit(1 if booklet.has_errors else 0)


def _booklet_lines(booklet) -> list[str]:
    lines = [f"汇编：{booklet.path}（封面 1 页、目录 {booklet.contents_pages} 页、表单 {len(booklet.forms)} 张，"
             f"共 {booklet.pages} 页）"]
    if booklet.pdf is not None:
        lines.append(f"PDF：{booklet.pdf}")
    lines.append(booklet.summary)
    if booklet.left_out:
        lines.append(f"未收入汇编的表单 {len(booklet.left_out)} 张（有错误；改正后重新生成，或加 --include-errors 照样收入）：")
        for item in booklet.left_out:
            errors = "；".join(f"[{issue.code}] {issue.message}" for issue in item.errors)
            lines.append(f"  {item.source}（{item.unit}：{item.name}）：{errors}")
    if booklet.unreadable:
        lines.append(f"无法读取的文件 {len(booklet.unreadable)} 个（其中的表单无从收入汇编）：")
        lines += [f"  {path}：{why}" for path, why in booklet.unreadable]
    if booklet.other_kinds:
        lines.append(f"不是绩效目标表、未收入汇编的表单 {len(booklet.other_kinds)} 张（汇编只收入绩效目标表）：")
        for item in booklet.other_kinds:
            lines.append(f"  {item.source}（{item.unit}：{item.name}）：{item.kind_title}")
    if booklet.other_years:
        lines.append(f"年度不是 {booklet.year} 年、但已收入汇编的表单 {len(booklet.other_years)} 张（封面按多数表单的年度）："
                     + "、".join(f"{f.name}（{f.form['year']} 年，第 {f.page} 页）" for f in booklet.other_years))
    included = [f for f in booklet.forms if f.errors]
    if included:
        lines.append(f"有错误但已收入汇编的表单 {len(included)} 张（--include-errors）："
                     + "、".join(f"{f.name}（第 {f.page} 页）" for f in included))
    return lines


@app.command()
def schema(form: FormOption = None) -> None:
    """输出一个表单版本的 JSON Schema。"""
    variant = load_variant(_variant_or_exit(form))
    typer.echo(json.dumps(variant.schema, ensure_ascii=False, indent=2))


@app.command()
def rules() -> None:
    """列出审核规则（绩效目标审核）：编号、默认级别和检查内容。

    在 perfxl.toml 中可关闭或调整规则，如 [rules.TARGET-001] min_satisfaction = 85；
    完整的规则目录及参数见 docs/rules.md。
    """
    for rule in api.review_rules():
        typer.echo(f"{rule.code}\t{rule.severity}\t{rule.value.title}")


@app.command()
def forms() -> None:
    """列出 perfxl 认识的表单版本（绩效目标表和项目支出绩效自评表）。"""
    for variant in all_variants(None):
        typer.echo(f"{variant.name}\t{variant.title}\t{variant.description}")


@app.command()
def demo(out: Annotated[Path, typer.Argument(help="演示输出的文件夹。")] = Path("perfxl-demo")) -> None:
    """用自带的示例走一遍全年流程：模板、已填写的工作簿、汇总表、绩效目标表汇编（有 LibreOffice 时另有 PDF），年中运行监控表和年终自评表（虚构的示例数据）及其汇总表。

    \b
    示例：
      perfxl demo perfxl-demo/
    """
    _folder_out(out, "OUT")
    with _usage_errors("演示"):
        result = api.run_demo(out, workers=api.cpu_count())
    typer.echo(f"模板（每个实施单位一个）：{len(result.templates)} 个 → {out / 'templates'}")
    typer.echo(f"已填写的工作簿：{len(result.filled)} 个 → {out / 'filled'}")
    typer.echo(f"汇总读回表单 {result.forms_read} 张，其中 {result.round_trip_equal} 张与 JSON 原件完全一致 → {out / 'forms.json'}")
    typer.echo(f"汇总表：{result.master}（报送情况、项目汇总、绩效指标明细、单位汇总、问题清单、文件清单；"
               "打印用：项目汇总（打印）、单位汇总（打印）、问题清单（打印））")
    for line in _roster_lines(result.roster):
        typer.echo(line)
    errors = [i for i in result.issues if i.severity == ERROR]
    typer.echo(f"校验与审核发现 {len(errors)} 个错误、{len(result.issues) - len(errors)} 个警告/提示"
               f"（示例如实保留了真实表单中的问题），标注后的退回件 → {out / '退回'}")
    booklet = result.booklet
    if booklet is not None:
        typer.echo(f"绩效目标表汇编：{booklet.path}（共 {booklet.pages} 页，收入没有错误的表单 {len(booklet.forms)} 张，"
                   f"未收入 {len(booklet.left_out)} 张）" + (f"，PDF：{booklet.pdf}" if booklet.pdf else ""))
        if booklet.pdf is None:
            typer.echo("未找到 LibreOffice，没有生成 PDF（安装 libreoffice-calc 后重新运行即可）。")
    lights = "、".join(f"{light}色指标 {count} 个" for light, count in result.statuses.items())
    typer.echo(f"年中运行监控表（截至 6 月，由汇总的目标预填）：{len(result.monitoring_templates)} 个 → {out / '监控下发'}；"
               f"填入虚构的完成进度后：{len(result.monitoring_filled)} 个 → {out / '监控填写'}")
    typer.echo(f"监控汇总表：{result.monitoring_master}（执行率、每条指标的监控状态；{lights}，示例数据为虚构）")
    grades = "、".join(f"{grade} {count} 个" for grade, count in result.grades.items())
    typer.echo(f"年终自评表（由汇总的目标预填）：{len(result.self_eval_templates)} 个 → {out / '自评下发'}；"
               f"填入虚构的实际完成值后：{len(result.self_eval_filled)} 个 → {out / '自评填写'}")
    typer.echo(f"自评汇总表：{result.self_eval_master}（总分、自评等级、执行率；{grades}，示例数据为虚构）")


# --- Chinese for click's own words ---------------------------------------------------------------
# typer (its bundled click) prints "Usage:", "Options:", "Show this message and exit." and its
# usage errors in English; the people at the keyboard read Chinese.  Help is rewritten as it is
# formatted, usage errors where the command line is run.
_HELP_WORDS = (("Usage: ", "用法："), ("Options:", "选项："), ("Arguments:", "参数："), ("Commands:", "命令："),
               ("Show this message and exit.", "显示本帮助并退出。"), ("[default: ", "[默认："),
               ("[required]", "[必填]"), ("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))
# patterns as text: compiled (and cached by re) only when a command line is wrong, not at every start
_ERRORS = ((r"Missing argument '(.+)'\.", "缺少参数“{0}”。"),
           (r"Missing option '(.+)'\.", "缺少选项 {0}。"),
           (r"No such option: (\S+)(?: \(Possible options: (.+)\)| Did you mean (.+)\?)?",
            "没有选项 {0}。"),
           (r"No such command '(.+)'\.", "没有命令“{0}”。"),
           (r"Got unexpected extra arguments? \((.+)\)", "多余的参数：{0}。"),
           (r"Option '(.+)' requires an argument\.", "选项 {0} 需要一个值。"),
           (r"Invalid value for '(.+)': '(.+)' is not a valid integer\.", "{0} 的值“{1}”不是整数。"),
           (r"Invalid value for '(.+)': (.+) is not in the range (.+)\.", "{0} 的值 {1} 超出范围 {2}。"),
           (r"Invalid value for '(.+)': Input should be a valid integer.*", "{0} 的值应为整数。"),
           (r"Invalid value for '(.+)': (.+)", "{0} 的值无效：{1}"))


def _chinese_help(text: str) -> str:
    for english, chinese in _HELP_WORDS:
        text = text.replace(english, chinese)
    return text


def _chinese_error(message: str) -> str:
    for pattern, chinese in _ERRORS:
        match = re.fullmatch(pattern, message.strip())
        if match:
            return chinese.format(*match.groups())
    return f"命令行有误：{message}"


# --- plain values without pydantic -----------------------------------------------------------------
# typer coerces every value through a pydantic TypeAdapter: importing pydantic costs more than the
# rest of a small command. The values perfxl takes are plain (a path, a word, a small integer), so a
# value that is plainly valid is converted here, exactly as typer would; anything else (a bad
# integer, a path typer would refuse) goes to typer's own coercion, which words the error.
_NOT_PLAIN = object()
_DIGITS = re.compile(r"[0-9]{1,9}")


def _plain_path(value, info):
    if isinstance(value, Path):  # a default
        text = str(value)
    elif isinstance(value, str):
        text, value = value, Path(value)
    else:
        return _NOT_PLAIN
    if not text or "\x00" in text or text == "-" or info.resolve_path:
        return _NOT_PLAIN
    try:
        mode = os.stat(text).st_mode
    except OSError:
        return _NOT_PLAIN if info.exists else value
    if ((not info.file_okay and stat.S_ISREG(mode)) or (not info.dir_okay and stat.S_ISDIR(mode))
            or (info.readable and not os.access(text, os.R_OK)) or (info.writable and not os.access(text, os.W_OK))):
        return _NOT_PLAIN
    return value


def _plain_leaf(annotation, info, value):
    if info.parser is not None:
        return _NOT_PLAIN
    if annotation is str and isinstance(value, str):
        return value
    if annotation is int and not info.clamp and (type(value) is int or isinstance(value, str) and _DIGITS.fullmatch(value)):
        number = int(value)
        if (info.min is None or number >= info.min) and (info.max is None or number <= info.max):
            return number
        return _NOT_PLAIN
    if annotation is Path:
        return _plain_path(value, info)
    return _NOT_PLAIN


class _PlainValues:
    """A parameter's coercion: plain values here, the rest by typer (built on first need)."""

    def __init__(self, param):
        self.param, self.full = param, None

    def coerce(self, value, param, ctx):
        plain = self._plain(value)
        if plain is not _NOT_PLAIN:
            return plain
        if self.full is None:
            from typer._coercion import build_runtime_param

            self.full = build_runtime_param(self.param.type_descriptor)
        return self.full.coerce(value, param=param, ctx=ctx)

    def _plain(self, value):
        param, descriptor = self.param, self.param.type_descriptor
        multiple = param.multiple or param.nargs == -1
        if value is None:
            return () if multiple else None
        annotation, info = descriptor.annotation, descriptor.parameter_info
        if descriptor.file_annotation is not None:
            return _NOT_PLAIN
        if multiple:
            if not (isinstance(value, (list, tuple)) and getattr(annotation, "__origin__", None) is list):
                return _NOT_PLAIN
            [item_type] = annotation.__args__
            items = [_plain_leaf(item_type, info, item) for item in value]
            return _NOT_PLAIN if any(item is _NOT_PLAIN for item in items) else items
        return _plain_leaf(annotation, info, value)


def _plain_values(params) -> None:
    for param in params:
        if hasattr(param, "_runtime_param") and hasattr(param, "type_descriptor") and param._runtime_param is None:
            param._runtime_param = _PlainValues(param)


class _Chinese:
    """What the commands and the group share: help and usage in Chinese, plain values converted
    without pydantic."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_values(self.params)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        _plain_values([option] if option is not None else [])
        return option

    def get_help(self, ctx) -> str:
        return _chinese_help(super().get_help(ctx))

    def get_usage(self, ctx) -> str:
        return _chinese_help(super().get_usage(ctx))


class _ChineseCommand(_Chinese, TyperCommand):
    pass


class _ChineseGroup(_Chinese, TyperGroup):
    pass


app.info.cls = _ChineseGroup
for _command in app.registered_commands:
    _command.cls = _ChineseCommand


def _only(name: str) -> list:
    """The registered command called ``name`` alone, or every command when no one is called so."""
    chosen = [command for command in app.registered_commands if (command.name or command.callback.__name__) == name]
    return chosen or app.registered_commands


def run() -> None:
    """The command line in full (:func:`perfxl.cli.run` is the entry point). Exit codes: 0 clean,
    1 errors in the input, 2 usage, 3 an internal failure (a bug of perfxl's, never the input's
    fault), 130 interrupted."""
    # typer builds every registered command on each run; a process runs one, named first (the
    # group keeps its callback, so it stays a group: usage, help and errors read as before)
    first = sys.argv[1] if len(sys.argv) > 1 else ""
    commands, app.registered_commands = app.registered_commands, _only(first)
    try:
        code = app(standalone_mode=False)
    except UsageError as exc:
        if exc.ctx is not None:
            typer.echo(exc.ctx.get_usage(), err=True)
            typer.echo(f"查看帮助：{exc.ctx.command_path} --help", err=True)
        typer.echo(f"\n错误：{_printable(_chinese_error(exc.format_message()))}", err=True)
        sys.exit(2)
    except (KeyboardInterrupt, typer.Abort):
        typer.echo(console.INTERRUPTED, err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, apart from "errors found in the input"
        console.internal_error(exc)
    finally:
        app.registered_commands = commands
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    run()
