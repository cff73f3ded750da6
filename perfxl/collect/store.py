"""The forms of a collect wait on disk, not in the parent's memory, until they are written out."""

from __future__ import annotations

import os
import pickle
import tempfile
from dataclasses import dataclass

from ..model import FormRecord


@dataclass(slots=True)
class SpooledForm:
    """A form as the parent holds it during a collect: what identity resolution and the counts
    need, in memory; the form itself (values, cells, problems) in the :class:`RecordStore`."""

    variant: str
    foreign: bool
    identity: str  # :func:`perfxl.form.identity.collection_key`: what the form says it is
    hint: str  # the form id its workbook carries ("" for none): compared across forms, never trusted
    errors: int  # its problems by severity; the problems themselves wait in the store with the record
    warnings: int
    problems: int
    blob: bytes | None = None  # the pickled record, on its way from the worker to the store
    offset: int = 0  # where the store keeps it
    size: int = 0


class RecordStore:
    """The forms of a collect and their problems on disk, in a temporary file, until the master and
    exports are written: a city's records would otherwise all sit in the parent's memory, and
    memory would grow with N.  Reading is sequential (one pass per master sheet), so the last
    record read is kept: the master's columns ask for the same record many times in a row.
    Records are read by position (``pread``), never by moving the file's offset: a process forked
    to write part of the master reads the same open file beside its parent."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="perfxl-records-")
        self._last: tuple[int, FormRecord] | None = None
        self._end = 0  # records are appended while reading, read back after
        self._unflushed = False

    def put(self, form: SpooledForm) -> None:
        """Write the form's record; the form remembers where, and lets go of the bytes."""
        assert form.blob is not None
        form.offset, form.size = self._end, len(form.blob)
        self._file.write(form.blob)
        self._end += form.size
        self._unflushed = True
        form.blob = None

    def flush(self) -> None:
        """Every record put so far on disk (before a process forks: only one of them may write)."""
        if self._unflushed:
            self._file.flush()
            self._unflushed = False

    def load(self, form: SpooledForm) -> FormRecord:
        """The form's record as the worker read it (treat it as read-only: the copy kept for the
        next call is the one returned)."""
        if self._last is not None and self._last[0] == form.offset:
            return self._last[1]
        self.flush()
        if hasattr(os, "pread"):
            data = os.pread(self._file.fileno(), form.size, form.offset)
        else:  # no pread (Windows): no fork either, so no process shares the offset
            self._file.seek(form.offset)
            data = self._file.read(form.size)
            self._file.seek(self._end)
        if len(data) != form.size:  # the temporary file cut short under us: never a partial record
            raise OSError(f"记录临时文件读取不完整（{len(data)}/{form.size} 字节）")
        record = pickle.loads(data)  # written by our own worker, never by an input
        self._last = (form.offset, record)
        return record

    def close(self) -> None:
        self._file.close()
