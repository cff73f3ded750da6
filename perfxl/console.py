"""What the commands a clerk runs most (``validate``, ``collect``) do once their command line is
parsed, without typer: what they print, in Chinese, and how they end (exit codes 0/1/2/3).

typer and its click cost ≈ 0.1 s of a small command. :func:`perfxl.cli.run` parses these two
commands' plain command lines itself, from the parameters typer would build (recorded in
``help.json``, checked against typer by tests/test_startup.py), and calls the functions here;
typer's commands in :mod:`perfxl.commands` call the same functions, so both ways print the same
bytes. ``echo`` is ``typer.echo`` (click's) for text on the standard streams; a command ends by
raising ``SystemExit`` with its code, which typer lets through as it would its own ``Exit``.
"""

from __future__ import annotations

import errno
import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from .problems import Issue

_ANSI = r"\033\[[;?0-9]*[a-zA-Z]"  # click's: what it removes off a terminal


def _plain_stream(stream) -> bool:
    """A stream click's echo writes to as it is (it rewraps one without an encoding, or ASCII)."""
    import codecs

    encoding, errors = getattr(stream, "encoding", None), getattr(stream, "errors", None)
    if not encoding or errors is None:
        return False
    try:
        return codecs.lookup(encoding).name != "ascii"
    except LookupError:
        return True


def echo(message: str = "", err: bool = False) -> None:
    """``typer.echo(message, err=err)`` for text: a line on stdout (stderr), ANSI codes removed
    when it is not a terminal, flushed. An unusual stream is left to click itself."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return
    if not _plain_stream(stream):
        from typer import echo as click_echo

        click_echo(message, err=err)
        return
    text = f"{message}\n"
    if "\033" in text:
        try:
            terminal = stream.isatty()
        except Exception:  # noqa: BLE001 - click's isatty: a stream that cannot tell is no terminal
            terminal = False
        if not terminal:
            text = re.sub(_ANSI, "", text)
    stream.write(text)
    stream.flush()


INTERRUPTED = "已中断。已写完的输出保持完整，未写完的输出没有改动。"


def internal_error(exc: BaseException) -> NoReturn:
    """A bug of perfxl's, said plainly, apart from "errors found in the input": exit code 3."""
    echo(f"perfxl 内部错误（程序缺陷，不是输入文件的问题）：{type(exc).__name__}: {exc}", err=True)
    echo("请把这条信息和所用的命令报告给维护者。输出没有改动。", err=True)
    raise SystemExit(3)


def _variant_or_exit(name: str | None) -> str:
    from .form.variant import DEFAULT_VARIANT, variant_names

    chosen = name or DEFAULT_VARIANT
    if chosen not in variant_names(None):
        echo(f"未知的表单版本“{chosen}”，可用：{'、'.join(variant_names(None))}", err=True)
        raise SystemExit(2)
    return chosen


def _settings_or_exit(rules: Path | None, no_review: bool):
    from .config import load_settings

    try:
        return load_settings(rules, review=not no_review)
    except ValueError as exc:
        echo(str(exc), err=True)
        raise SystemExit(2) from None


def _fail(message: str) -> NoReturn:
    """A usage error: the message on stderr (control characters from a roster or file name
    escaped, as everywhere on the terminal), exit code 2."""
    echo(_printable(message), err=True)
    raise SystemExit(2)


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
    except OSError as exc:
        reason = _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
        where = f"“{exc.filename}”" if exc.filename else ""
        _fail(f"{action}失败：{where}{reason}。")
    except (ValueError, RuntimeError) as exc:
        typer = sys.modules.get("typer")  # typer's Exit is a RuntimeError: a command's own ending passes
        if typer is not None and isinstance(exc, typer.Exit):
            raise
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
    master of a city takes a while after the last file is read).

    The bar (and rich, ≈ 0.1 s to import) appears only on a terminal and only once the run has
    taken ``SHOW_AFTER`` seconds: a town's round is over before a bar would be worth drawing, and
    on a pipe nobody sees it."""

    SHOW_AFTER = 0.5

    def __init__(self, label: str, stack: ExitStack):
        self.label, self.stack = label, stack
        self.started = time.monotonic()
        self.progress = self.task = None
        self.done, self.total = 0, None

    def _shown(self) -> bool:
        if self.progress is None and sys.stderr.isatty() and time.monotonic() - self.started >= self.SHOW_AFTER:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.progress = self.stack.enter_context(Progress(
                TextColumn("{task.description}"), BarColumn(), _count_column(), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True))
            self.task = self.progress.add_task(self.label, total=self.total, completed=self.done)
        return self.progress is not None

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if self._shown():
            self.progress.update(self.task, completed=done, total=total)

    def stage(self, label: str) -> None:
        # a new task without a total: a pulsing bar, no count (rich keeps a task's total once set)
        self.label, self.done, self.total = label, 0, None
        if self.progress is not None:
            self.progress.remove_task(self.task)
            self.task = self.progress.add_task(label, total=None)
        else:
            self._shown()


@contextmanager
def _progress(label: str) -> Iterator[_Bar]:
    """A progress bar on stderr for long runs, gone when finished."""
    with ExitStack() as stack:
        yield _Bar(label, stack)


_CONTROLS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"  # compiled (and cached) by re on first use


def _printable(text: str) -> str:
    """Text from a cell shown on a terminal: control characters (ESC, BEL …) as \\xNN, never sent
    to the terminal; file names that are not UTF-8 as their bytes."""
    from .form.values import shown_text

    return shown_text(re.sub(_CONTROLS, lambda m: f"\\x{ord(m.group()):02x}", text))


def _print_issues(issues: list[Issue], *, err: bool = False) -> None:
    for issue in issues:
        echo(_printable(f"{issue.location()}  [{issue.severity} {issue.code}] {issue.message}"), err=err)


def validate(paths: list[Path], as_json: bool = False, form: str | None = None, rules: Path | None = None,
             no_review: bool = False, workers: int | None = None, targets_from: Path | None = None) -> NoReturn:
    """``perfxl validate``: every problem of the inputs with its file, sheet and cell."""
    from . import api
    from .form.values import shown_text
    from .problems import ERROR, WARNING, has_errors

    for path in paths:
        if not path.exists():
            echo(f"找不到：{path}", err=True)
            raise SystemExit(2)
    settings = _settings_or_exit(rules, no_review)
    if targets_from is not None:
        with _usage_errors("读取绩效目标表"):
            settings = api.with_prefilled(settings, targets_from)
    options = {"variant": _variant_or_exit(form) if form else None, "settings": settings,
               "workers": workers or api.cpu_count()}
    if as_json:
        results = api.validate_paths(paths, **options)
    else:
        with _progress("校验") as update:
            results = api.validate_paths(paths, **options, on_progress=update)
    if not results:
        echo(f"没有找到输入文件（{'、'.join(map(str, paths))}）。", err=True)
        raise SystemExit(2)
    issues = [issue for checked in results for issue in checked.issues]
    if as_json:
        shown = [{key: shown_text(value) for key, value in i.to_dict().items()} for i in issues]
        echo(json.dumps(shown, ensure_ascii=False, indent=2))
    else:
        _print_issues(issues)
        forms = sum(len(c.forms) for c in results)
        errors = sum(i.severity == ERROR for i in issues)
        warnings = sum(i.severity == WARNING for i in issues)
        echo(f"{len(results)} 个文件，{forms} 张表单，{errors} 个错误，{warnings} 个警告。")
    raise SystemExit(1 if has_errors(issues) else 0)


def collect(inputs: list[Path], out: Path = Path("汇总.xlsx"), roster: Path | None = None, prefer: str = "saved",
            jsonl: Path | None = None, csv_dir: Path | None = None, feedback: Path | None = None,
            workers: int | None = None, quiet: bool = False, as_json: bool = False, json_inputs: bool = False,
            form: str | None = None, rules: Path | None = None, no_review: bool = False) -> NoReturn:
    """``perfxl collect``: the master workbook, and what the console says about the round."""
    from . import api

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
        echo(json.dumps(summary, ensure_ascii=False, indent=2))
    elif not quiet:
        for line in _roster_lines(summary["roster"]):
            echo(_printable(line))
        echo(_summary_line(summary))
        echo(f"汇总表：{out}")
    raise SystemExit(1 if collection.has_errors else 0)


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
