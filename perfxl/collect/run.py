"""The collection round put together: inputs found and kept apart from the outputs, every file
read and checked, the master workbook and the exports written."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from xlsxwriter.exceptions import FileCreateError

from ..config import DEFAULT_SETTINGS, Settings
from ..read.inputs import is_within, iter_input_files
from .consolidate import Collection, collect
from .exports import write_csv, write_jsonl
from .feedback import feedback_plan, write_feedback_copies
from .master import build_master


def collect_to_master(inputs: Iterable[str | Path], out: str | Path, *, variant: str | None = None,
                      settings: Settings = DEFAULT_SETTINGS, workers: int = 1,
                      jsonl: str | Path | None = None, csv_dir: str | Path | None = None,
                      feedback_dir: str | Path | None = None, on_progress=None,
                      on_stage: Callable[[str], None] | None = None) -> Collection:
    """``perfxl collect``: read and check every input, write the master workbook and the
    requested exports.  Returns the :class:`~perfxl.collect.consolidate.Collection`.  ``on_progress(done,
    total)`` follows the files read; ``on_stage(label)`` names each step after that (写汇总表,
    写 JSONL, 写 CSV, 写退回件), which takes a while for a city's collection.

    The outputs are never inputs: the master, the JSONL file and whatever is under the CSV and
    feedback folders are skipped when found in an input folder, and a :class:`ValueError` (in
    Chinese) refuses an input inside an output, an output that would overwrite an input, and
    inputs without any file."""
    inputs = list(inputs)
    outputs = {"汇总表": out, "JSONL 文件": jsonl, "CSV 文件夹": csv_dir, "退回件文件夹": feedback_dir}
    outputs = {what: Path(place) for what, place in outputs.items() if place is not None}
    _check_inputs_apart(inputs, outputs)
    files = [str(path) for path in iter_input_files(inputs, exclude=outputs.values())]  # a city's: not 60,000 Paths
    if not files:
        raise ValueError(f"没有找到输入文件（{'、'.join(map(str, inputs))}；"
                         "隐藏文件、Office 锁定文件和本次的输出文件不计）。")
    stage = on_stage or (lambda label: None)
    collection = collect(files, variant=variant, settings=settings, workers=workers, on_progress=on_progress)
    feedback = feedback_plan(collection, feedback_dir, outputs) if feedback_dir is not None else []
    stage("写汇总表")
    _build_master(collection, Path(out))
    if jsonl is not None:
        stage("写 JSONL")
        write_jsonl(collection, jsonl)
    if csv_dir is not None:
        stage("写 CSV")
        write_csv(collection, csv_dir)
    if feedback:
        stage("写退回件")
    write_feedback_copies(feedback)
    return collection


def _check_inputs_apart(inputs: list[str | Path], outputs: dict[str, Path]) -> None:
    """An input named on the command line must not be an output or lie inside an output folder:
    writing would overwrite it, and skipping the outputs would skip it."""
    for raw in inputs:
        for what, place in outputs.items():
            if is_within(raw, [place.resolve()]):
                raise ValueError(f"{what}“{place}”与输入“{raw}”是同一位置或包含它：输出会覆盖或混入输入的文件，"
                                 f"请换一个输出位置。")


def _build_master(collection, out: Path) -> None:
    try:
        build_master(collection, out)
    except FileCreateError as exc:  # xlsxwriter wraps the OSError; the CLI reports OSErrors
        inner = exc.args[0] if exc.args else None
        raise inner if isinstance(inner, OSError) else OSError(str(exc)) from None
