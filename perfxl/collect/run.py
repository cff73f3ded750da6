"""The collection round put together: inputs found and kept apart from the outputs, every file
read and checked, the master workbook and the exports written.

The office's data is sacred: no output may be, be linked to, or lie inside an input (refused
before anything is read); every output is written aside and renamed into place, so an interrupted
run leaves the previous one whole; two runs never write into one folder at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterable

from xlsxwriter.exceptions import FileCreateError

from ..config import DEFAULT_SETTINGS, Settings
from ..read.inputs import Inputs, Skipped, discover_inputs, is_within
from ..write.atomic import exclusive, replacing, sweep_stale
from .consolidate import Collection, collect
from .exports import write_csv, write_jsonl
from .feedback import feedback_plan, write_feedback_copies
from .master import build_master
from .returns import load_expected
from .tally import tally
from .versions import DEFAULT_PREFERENCE, PREFERENCES


def collect_to_master(inputs: Iterable[str | Path], out: str | Path, *, variant: str | None = None,
                      settings: Settings = DEFAULT_SETTINGS, workers: int = 1,
                      jsonl: str | Path | None = None, csv_dir: str | Path | None = None,
                      feedback_dir: str | Path | None = None, on_progress=None,
                      on_stage: Callable[[str], None] | None = None, json_inputs: bool = False,
                      roster: str | Path | None = None, prefer: str = DEFAULT_PREFERENCE) -> Collection:
    """``perfxl collect``: read and check every input, write the master workbook and the
    requested exports.  Returns the :class:`~perfxl.collect.consolidate.Collection`.  ``on_progress(done,
    total)`` follows the files read; ``on_stage(label)`` names each step after that (写汇总表,
    写 JSONL, 写 CSV, 写退回件), which takes a while for a city's collection.  JSON files under an
    input folder are read as forms only with ``json_inputs`` (named ones always are).

    ``roster`` (the roster CSV or workbook ``template --roster`` took, or the 名单.json it left
    beside the templates): the master opens with 报送情况, and a unit or project not returned is an
    error.  ``prefer``: the first evidence between versions of one form (saved, mtime, path).

    A :class:`ValueError` (in Chinese) refuses, before anything is read: an output that is an
    input, a hard link to one, inside an input folder or holding an input; inputs without any file;
    a roster that cannot be used; another run writing into the same folder
    (:class:`~perfxl.write.atomic.Busy`)."""
    inputs = list(inputs)
    outputs = {"汇总表": out, "JSONL 文件": jsonl, "CSV 文件夹": csv_dir, "退回件文件夹": feedback_dir}
    outputs = {what: Path(place) for what, place in outputs.items() if place is not None}
    _check_outputs_apart(inputs, outputs)
    _check_roster_apart(roster, outputs)
    if prefer not in PREFERENCES:
        raise ValueError(f"--prefer 应为 {'、'.join(PREFERENCES)} 之一，实际为“{prefer}”。")
    expected = load_expected(roster, variant) if roster is not None else None
    watched = [*outputs.values(), *([Path(roster)] if roster is not None else [])]
    found = discover_inputs(inputs, json_in_folders=json_inputs, watch=_identities(watched))
    if roster is not None:
        _set_roster_aside(found, Path(roster))
    _check_no_links(found, outputs)
    if not found.files and not found.skipped:
        raise ValueError(f"没有找到输入文件（{'、'.join(map(str, inputs))}；隐藏文件和 Office 锁定文件不计）。")
    folders = {place.parent for what, place in outputs.items() if what in ("汇总表", "JSONL 文件")}
    folders |= {place for what, place in outputs.items() if what in ("CSV 文件夹", "退回件文件夹")}
    with exclusive(folders):
        for folder in folders:
            sweep_stale(folder)
        stage = on_stage or (lambda label: None)
        collection = collect(found, variant=variant, settings=settings, workers=workers, on_progress=on_progress,
                             prefer=prefer)
        del found  # every path of the inbox (and its identities): the collection lists them now
        try:
            collection.scoring = settings.scoring
            collection.monitoring = settings.monitoring
            tally(collection, expected)  # the round summed up (and its findings) before anything is written
            feedback = feedback_plan(collection, feedback_dir, outputs) if feedback_dir is not None else []
            stage("写汇总表")
            _build_master(collection, Path(out), workers)
            if jsonl is not None:
                stage("写 JSONL")
                write_jsonl(collection, jsonl)
            if csv_dir is not None:
                stage("写 CSV")
                write_csv(collection, csv_dir)
            if feedback:
                stage("写退回件")
                write_feedback_copies(feedback, limits=settings.limits, workers=workers)
        except BaseException:  # an error, Ctrl-C: the temporary records go at once, not at exit
            collection.close()
            raise
    return collection


def _check_outputs_apart(inputs: list[str | Path], outputs: dict[str, Path]) -> None:
    """No output may be an input, lie inside an input folder, or hold an input: writing would
    overwrite it, mix the run's outputs into its inputs, or (skipped as an output) lose it."""
    for raw in inputs:
        real = Path(os.path.realpath(raw))
        for what, place in outputs.items():
            if is_within(place, [real]):
                raise ValueError(f"{what}“{place}”位于输入“{raw}”之中（或就是它）：输出会覆盖或混入输入的文件，"
                                 f"请把输出写到输入文件夹以外的位置。")
            if is_within(raw, [place.resolve()]):
                raise ValueError(f"输入“{raw}”位于{what}“{place}”之中：输出会覆盖或混入输入的文件，"
                                 f"请换一个输出位置。")


def _check_roster_apart(roster: str | Path | None, outputs: dict[str, Path]) -> None:
    """No output may be the roster file (its path, or another name of it): the roster is an input."""
    if roster is None:
        return
    for what, place in outputs.items():
        same = os.path.realpath(place) == os.path.realpath(roster)
        try:
            same = same or os.path.samefile(place, roster)
        except OSError:
            pass  # the output does not exist yet: only its path can be the roster's
        if same:
            raise ValueError(f"{what}“{place}”就是名单文件“{roster}”：写入会覆盖名单，请换一个输出位置。")


def _set_roster_aside(found: Inputs, roster: Path) -> None:
    """The roster lying among the inputs is the roster, not a form: listed (已忽略), never read."""
    try:
        info = os.stat(roster)
    except OSError:
        return
    path = found.identities.get((info.st_dev, info.st_ino))
    if path is None or path not in found.files:
        return
    found.files.remove(path)
    found.skipped.append(Skipped(path, "这是 --roster 给出的名单文件，不是表单", info.st_size, info.st_mtime))


def _identities(places: list[Path]) -> set[tuple[int, int]]:
    """The (device, inode) of each place that exists: the only inputs whose paths the run must
    know by identity (an output or the roster that is another name of an input)."""
    found = set()
    for place in places:
        try:
            info = os.stat(place)
        except OSError:
            continue
        found.add((info.st_dev, info.st_ino))
    return found


def _check_no_links(found: Inputs, outputs: dict[str, Path]) -> None:
    """An existing output file must not be another name (a hard link) of an input file."""
    for what, place in outputs.items():
        try:
            info = os.stat(place)
        except OSError:
            continue
        source = found.identities.get((info.st_dev, info.st_ino))
        if source is not None:
            raise ValueError(f"{what}“{place}”与输入文件“{source}”是同一个文件（硬链接或同一路径）："
                             f"写入会覆盖输入，请换一个输出位置。")


def _build_master(collection: Collection, out: Path, workers: int = 1) -> None:
    try:
        with replacing(out) as temporary:  # the previous master stays whole until this one is
            build_master(collection, temporary, workers=workers)
    except FileCreateError as exc:  # xlsxwriter wraps the OSError; the CLI reports OSErrors
        inner = exc.args[0] if exc.args else None
        raise inner if isinstance(inner, OSError) else OSError(str(exc)) from None
