"""The one worker job per input file, for ``validate`` and ``collect`` alike, and running it.

A job reads the file once (its bytes give the SHA-256, pass the safety gate and go to the
parser), checks it (:func:`perfxl.check.file.check_file`) and sends back plain data: the file's
entry for 文件清单, its forms (for ``collect`` spooled: pickled, with their identity and problem
counts worked out here, in parallel) and its file-level problems.  Each job runs in a guarded
worker (:mod:`perfxl.isolation`); a worker that crashes or overruns becomes one FILE-006 problem.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..check.file import check_file
from ..config import Settings
from ..form.identity import collection_key
from ..form.kinds import AMOUNT
from ..form.layout import get_layout
from ..isolation import Failure, run_isolated
from ..model import FormRecord
from ..problems import ERROR, WARNING, Issue, Problem, make_issue
from ..read.inputs import WORKBOOK_SUFFIXES, Skipped
from ..read.outputs import output_kind
from .files import FileEntry
from .store import SpooledForm


@dataclass(slots=True)
class FileResult:
    """What a worker sends back: plain data, no workbook objects."""

    entry: FileEntry
    forms: list[SpooledForm] | list[FormRecord]  # spooled for collect, whole for validate
    issues: list[Issue]  # file-level only


# (path, variant or None to recognise it, settings, spool the records for collect)
Job = tuple[str, "str | None", Settings, bool]


def check_job(job: Job) -> FileResult:
    """Read and check one file (in a worker process)."""
    path_text, variant, settings, spooled = job
    try:
        entry, data = read_entry(path_text, settings.limits.max_file_bytes)
    except OSError as exc:
        if isinstance(exc, NotARegularFile) or Path(path_text).suffix.lower() in WORKBOOK_SUFFIXES:
            return FileResult(FileEntry(path_text, 0, "", 0.0), [],
                              [make_issue(Problem.FILE_001, file=path_text, expected=exc.strerror or str(exc))])
        entry, data = FileEntry(path_text, 0, "", 0.0), None  # JSON and other files: their own codes below
    entry.output = output_kind(Path(path_text).suffix, data)
    if entry.output:  # an export or the roster manifest lying among the inputs: perfxl's own, not a form
        return FileResult(entry, [], [make_issue(Problem.FILE_010, file=path_text, expected=entry.output)])
    try:
        checked = check_file(Path(path_text), variant=variant, settings=settings, data=data)
    except MemoryError:
        raise  # the worker reports it: 内存不足 (FILE-006)
    except Exception as exc:  # a bug of ours must cost one file, never the run or the file's place
        return FileResult(entry, [], [make_issue(Problem.FILE_001, file=path_text,
                                                 expected=f"内部错误 {type(exc).__name__}: {exc}"[:200])])
    forms = checked.result.forms
    entry.saved, entry.output = checked.result.saved, checked.result.output
    return FileResult(entry, [spool(record) for record in forms] if spooled else forms, checked.result.issues)


def run_jobs(paths: list[str], *, variant: str | None, settings: Settings, workers: int, spooled: bool,
             on_progress: Callable[[int, int], None] | None = None) -> Iterable[FileResult]:
    """Every file's result, in input order, as the workers deliver them (a crashed or overrun
    worker's file as a FILE-006 result; its entry from its metadata, the file is not read again)."""
    jobs = [(path, variant, settings, spooled) for path in paths]
    results = run_isolated(check_job, jobs, workers=workers, seconds=settings.limits.seconds,
                           memory_bytes=settings.limits.memory_bytes, on_done=on_progress)
    for path, result in zip(paths, results):
        if isinstance(result, Failure):
            result = FileResult(stat_entry(path), [], [make_issue(Problem.FILE_006, file=path, expected=result.detail)])
        yield result


def skipped_issue(entry: Skipped) -> Issue:
    """An entry not read: a note for what lay in a folder, an error for what was named."""
    return make_issue(Problem.FILE_009, file=entry.path, expected=entry.reason, severity=ERROR if entry.named else None)


def read_entry(path_text: str, max_bytes: int) -> tuple[FileEntry, bytes | None]:
    """The file's entry, and its bytes when a workbook of that size may be read (one read serves
    the hash, the safety check and the parser).  A larger file is neither read nor hashed (the
    reader refuses it by its size), and what is not a regular file is never read: opened without
    blocking, it is refused by :class:`NotARegularFile` (a named pipe would wait forever)."""
    fd = os.open(path_text, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb", closefd=True) as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(path_text)
        data, digest = None, ""
        if 0 < info.st_size <= max_bytes:
            data = handle.read(info.st_size)
            digest = hashlib.sha256(data).hexdigest()
    return FileEntry(path=path_text, size=info.st_size, sha256=digest, mtime=info.st_mtime), data


def stat_entry(path_text: str) -> FileEntry:
    """A file's entry from its metadata alone (for a file whose worker failed: never read again)."""
    try:
        info = os.stat(path_text)
    except OSError:
        return FileEntry(path_text, 0, "", 0.0)
    return FileEntry(path_text, info.st_size, "", info.st_mtime)


class NotARegularFile(OSError):
    """An input that is not a regular file (it changed since it was listed)."""

    def __init__(self, path: str) -> None:
        super().__init__(f"“{path}”不是普通文件")
        self.strerror = "不是普通文件"


def spool(record: FormRecord) -> SpooledForm:
    """The worker's side of the store: the identity and problem counts computed here, in parallel,
    and the record pickled, with its problems and only the cells the master and the findings
    across forms point at: each indicator's name, and the fields above the indicators (the
    indicators' cell map is half a record)."""
    severities = [issue.severity for issue in record.issues]
    layout = get_layout(record.variant)
    spooled = SpooledForm(record.variant, record.foreign, collection_key(layout, record.form),
                          record.form_id,
                          severities.count(ERROR), severities.count(WARNING), len(severities))
    indicators = layout.indicator_field + "/"
    record.cells = {key: ref for key, ref in record.cells.items()
                    if key.endswith("/name") or not key.startswith(indicators)}
    # what the master sums needs to know: an amount that could not be read is not in the form
    amounts = {slot.path.replace(".", "/") for slot in layout.slots if slot.kind == AMOUNT}
    record.reported = record.reported & amounts
    spooled.blob = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    return spooled
