"""The forms of a collect wait on disk, not in the parent's memory, until they are written out."""

from __future__ import annotations

import os
import pickle
import sqlite3
import tempfile
from dataclasses import dataclass
from typing import Any

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
    spool: str = ""  # where the store keeps it: the worker's file (its name in the store's folder),
    offset: int = 0  # the place in it
    size: int = 0


# Scratch data of one run: no journal, no syncing (a run that dies leaves nothing to recover), a
# page cache of 1 MB at most (the operating system caches the file as well).
SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1024;
CREATE TABLE files (id INTEGER PRIMARY KEY, path BLOB, size INTEGER, sha256 TEXT, mtime REAL,
    status TEXT, forms INTEGER, note BLOB, foreign_ INTEGER, saved BLOB, output BLOB);
CREATE TABLE copies (sha256 TEXT PRIMARY KEY, file INTEGER) WITHOUT ROWID;
CREATE TABLE forms (id INTEGER PRIMARY KEY, file INTEGER, position INTEGER, variant TEXT,
    foreign_ INTEGER, identity BLOB, hint BLOB, errors INTEGER, warnings INTEGER, problems INTEGER,
    spool TEXT, offset INTEGER, size INTEGER, kind TEXT, key BLOB, first INTEGER, state INTEGER);
CREATE TABLE keys (key BLOB PRIMARY KEY, first INTEGER, count INTEGER) WITHOUT ROWID;
CREATE TABLE rows (row INTEGER PRIMARY KEY, form INTEGER);
CREATE TABLE chunks (id INTEGER PRIMARY KEY, form INTEGER, issues BLOB);
CREATE TABLE stage (major INTEGER, minor INTEGER, form INTEGER, issues BLOB);
CREATE TABLE counts (path BLOB PRIMARY KEY, errors INTEGER, warnings INTEGER, total INTEGER) WITHOUT ROWID;
CREATE TABLE notes (seq INTEGER PRIMARY KEY, file INTEGER, text BLOB);
"""


class RecordStore:
    """The forms of a collect and their problems on disk, in a temporary folder, until the master
    and exports are written: a city's records would otherwise all sit in the parent's memory, and
    memory would grow with N.  Each worker appends the records it reads to a file of its own in
    :attr:`folder` (:func:`perfxl.collect.jobs.spool`) and sends back a stub saying where; the
    parent only reads them back.  Reading is sequential (one pass per master sheet), so the last
    record read is kept: the master's columns ask for the same record many times in a row.
    Records are read by position (``pread``), never by moving a file's offset: a process forked
    to write part of the master reads the same open files beside its parent."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="perfxl-records-", ignore_cleanup_errors=True)
        self.folder = self._folder.name
        self._files: dict[str, Any] = {}  # a worker's file name → its descriptor (or file, without pread)
        self._last: tuple[str, int, FormRecord] | None = None
        self._db: sqlite3.Connection | None = None
        self._db_pid = 0

    @property
    def db(self) -> sqlite3.Connection:
        """The collection's tables (:data:`SCHEMA`: files, forms, identities, problems), a database
        in the same folder: what grows with the number of forms waits on disk, not in memory.  A
        process forked to write part of the master opens its own connection, read only (an SQLite
        connection is never used across a fork)."""
        if self._db is None or self._db_pid != os.getpid():
            path = os.path.join(self.folder, "collection.sqlite")
            if self._db is None:
                self._db = sqlite3.connect(path, check_same_thread=False)
                self._db.executescript(SCHEMA)
            else:  # the parent's connection is kept, never used nor closed here
                self._inherited, self._db = self._db, sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                                                      check_same_thread=False)
            self._db_pid = os.getpid()
        return self._db

    def flush(self) -> None:
        """Everything written so far visible to a forked process (the workers' writes are; the
        tables are committed)."""
        if self._db is not None and self._db_pid == os.getpid():
            self._db.commit()

    def _read(self, form: SpooledForm) -> bytes:
        handle = self._files.get(form.spool)
        if handle is None:
            if os.path.basename(form.spool) != form.spool:  # a stub names a file of the folder, nothing else
                raise OSError(f"记录临时文件名无效：{form.spool!r}")
            path = os.path.join(self.folder, form.spool)
            handle = self._files[form.spool] = (os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
                                                if hasattr(os, "pread") else open(path, "rb"))
        if isinstance(handle, int):
            return os.pread(handle, form.size, form.offset)
        handle.seek(form.offset)  # no pread (Windows): no fork either, so no process shares the offset
        return handle.read(form.size)

    def load(self, form: SpooledForm) -> FormRecord:
        """The form's record as the worker read it (treat it as read-only: the copy kept for the
        next call is the one returned)."""
        last = self._last
        if last is not None and last[1] == form.offset and last[0] == form.spool:
            return last[2]
        data = self._read(form)
        if len(data) != form.size:  # the temporary file cut short under us: never a partial record
            raise OSError(f"记录临时文件读取不完整（{len(data)}/{form.size} 字节）")
        record = pickle.loads(data)  # written by our own worker, never by an input
        self._last = (form.spool, form.offset, record)
        return record

    @property
    def closed(self) -> bool:
        return self._folder is None

    def close(self) -> None:
        """Close the files and remove the folder (safe to call twice)."""
        for handle in self._files.values():
            if isinstance(handle, int):
                os.close(handle)
            else:
                handle.close()
        self._files.clear()
        self._last = None
        if self._db is not None:
            if self._db_pid == os.getpid():
                self._db.close()
            self._db = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
