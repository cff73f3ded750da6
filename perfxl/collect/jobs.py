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
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

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


# (path, variant or None to recognise it, settings, the folder collect spools the records into:
# None for validate, which takes the records whole)
Job = tuple[str, "str | None", Settings, "str | None"]


def check_job(job: Job) -> FileResult:
    """Read and check one file (in a worker process)."""
    path_text, variant, settings, spool_dir = job
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
    spooled = spool(forms, spool_dir) if spool_dir is not None else forms
    return FileResult(entry, spooled, checked.result.issues)


def run_jobs(paths: list[str], *, variant: str | None, settings: Settings, workers: int,
             spool_dir: str | None = None,
             on_progress: Callable[[int, int], None] | None = None) -> Iterable[FileResult]:
    """Every file's result, in input order, as the workers deliver them (a crashed or overrun
    worker's file as a FILE-006 result; its entry from its metadata, the file is not read again).
    With ``spool_dir`` (collect) each worker writes the records into a file of its own there and
    sends back small stubs (:class:`~perfxl.collect.store.SpooledForm`); without, whole records."""
    jobs = _Jobs(paths, variant, settings, spool_dir)
    results = run_isolated(check_job, jobs, workers=workers, seconds=settings.limits.seconds,
                           memory_bytes=settings.limits.memory_bytes, on_done=on_progress)
    try:
        for path, result in zip(paths, results):
            if isinstance(result, Failure):
                result = FileResult(stat_entry(path), [], [make_issue(Problem.FILE_006, file=path,
                                                                      expected=result.detail)])
            yield result
    finally:
        results.close()  # stopped early (an error, an interrupt): the workers end here, not later


class _Jobs(Sequence):
    """The jobs, made when a worker is given one (not a tuple per file held for the whole run)."""

    def __init__(self, paths: list[str], variant: str | None, settings: Settings, spool_dir: str | None) -> None:
        self.paths, self.rest = paths, (variant, settings, spool_dir)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, i):  # type: ignore[override]
        return (self.paths[i], *self.rest)


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


# The worker's own records file: (process id, folder, file descriptor, file name).  Opened by the
# first job that spools in a process (after the fork: a worker that replaces a dead one gets a new
# file), so no two processes ever write one file.
_spool_file: tuple[int, str, int, str] | None = None


def _spool_target(folder: str) -> tuple[int, str]:
    global _spool_file
    if _spool_file is None or _spool_file[0] != os.getpid() or _spool_file[1] != folder:
        fd, name = tempfile.mkstemp(prefix="worker-", suffix=".records", dir=folder)
        _spool_file = (os.getpid(), folder, fd, os.path.basename(name))
    return _spool_file[2], _spool_file[3]


def spool(records: list[FormRecord], folder: str) -> list[SpooledForm]:
    """The worker's side of the store: each record's identity and problem counts computed here,
    in parallel, and the records pickled and appended to this worker's file in ``folder`` (one
    write per input file), so that only small stubs travel to the parent.  A record's bytes are
    in the file before its stub is sent: a worker that dies later leaves them valid; what a dying
    worker was writing is never pointed at."""
    if not records:
        return []
    stubs = [_stub(record) for record in records]
    blobs = [pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL) for record in records]
    fd, name = _spool_target(folder)
    offset = os.lseek(fd, 0, os.SEEK_END)  # after whatever a failed write may have left
    view = memoryview(b"".join(blobs))
    while view:
        view = view[os.write(fd, view):]
    for stub, blob in zip(stubs, blobs):
        stub.spool, stub.offset, stub.size = name, offset, len(blob)
        offset += len(blob)
    return stubs


def _stub(record: FormRecord) -> SpooledForm:
    """A form's stub, and the record trimmed to what the parent needs: its problems and only the
    cells the master and the findings across forms point at: each indicator's name, and the fields
    above the indicators (the indicators' cell map is half a record)."""
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
    return spooled
