"""Collect: every returned workbook read, checked, de-duplicated and accounted for.

The flow is read → validate (→ review) per file in worker processes; each file's result is
admitted as it arrives (its records and their problems appended to a temporary file, a small
stub per form kept in memory), then identities are resolved across files in input order.  Every
input file ends up in :attr:`Collection.files` with a status; every form that is not a duplicate
or a superseded version is a master row.
"""

from __future__ import annotations

import json
import pickle
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..config import DEFAULT_SETTINGS, Settings
from ..form.layout import get_layout
from ..form.variant import MONITORING_KIND, SELF_EVAL_KIND, TARGET_KIND
from ..model import FormRecord
from ..problems import ERROR, WARNING, Issue, Problem, make_issue
from ..read.inputs import Inputs, Skipped, discover_inputs
from .files import (
    COLLECTED,
    CONFLICT,
    DUPLICATE,
    IGNORED,
    PROBLEMS,
    UNREADABLE,
    FileEntry,
)
from .jobs import FileResult, run_jobs, skipped_issue
from .store import RecordStore, SpooledForm
from .versions import (
    DEFAULT_PREFERENCE,
    SHEET_ORDER,
    decide,
    differences,
    evidence_text,
)

CONFLICT_POLICY = ("同一表单（表中填写的年度、实施单位和项目名称相同）收到内容不同的多个版本时，依次按以下依据采用一个版本："
                   "工作簿自身记录的保存时间（Excel、WPS、LibreOffice 每次保存时写入；各版本都有时才比较）较晚的，"
                   "相同或无法比较时文件修改时间较晚的，再相同时路径排序靠后的。其余版本标记为“冲突”，不计入汇总，"
                   "问题清单列出它们与采用版本不同的字段（旧 → 新）。--prefer mtime 从文件修改时间开始比较，"
                   "--prefer path 只按路径。")


@dataclass(slots=True)
class CollectedForm:
    form: SpooledForm
    file: FileEntry
    position: int = 0  # the form's place in its file, to keep master rows in input order
    store: RecordStore | None = field(default=None, repr=False, compare=False)
    id: int = field(default=0, repr=False, compare=False)  # its row in the store's table of forms

    @property
    def record(self) -> FormRecord:
        """The form read back from the store (the last one read is kept, so asking again is free)."""
        assert self.store is not None, "a collected form belongs to a collection's store"
        return self.store.load(self.form)

    @property
    def sheet(self) -> str:
        return self.record.sheet  # asked for the rare notes on duplicates and conflicts only

    @property
    def variant(self) -> str:
        return self.form.variant

    @property
    def errors(self) -> int:
        return self.form.errors

    @property
    def warnings(self) -> int:
        return self.form.warnings


_FILE_COLUMNS = "files.path, files.size, sha256, mtime, status, files.forms, note, files.foreign_, saved, output"
_FORM_COLUMNS = ("forms.id, variant, forms.foreign_, identity, hint, errors, warnings, problems, spool, offset, "
                 "forms.size, position, " + _FILE_COLUMNS)
_FORMS_OF = "forms JOIN files ON files.id = forms.file"
_BATCH = 256  # rows fetched at a time


def _text(value: str) -> bytes:
    """Text as the tables keep it: any str, lone surrogates too (a file name that is not UTF-8,
    a JSON form's ``\\ud800``), which SQLite's own text would refuse."""
    return value.encode("utf-8", "surrogatepass")


def _str(value: bytes) -> str:
    return value.decode("utf-8", "surrogatepass")


def _entry(row: Sequence[Any]) -> FileEntry:
    path, size, sha256, mtime, status, forms, note, foreign, saved, output = row
    return FileEntry(_str(path), size, sha256, mtime, status, forms, _str(note), bool(foreign), _str(saved),
                     _str(output))


def _collected(row: Sequence[Any], store: RecordStore) -> CollectedForm:
    key, variant, foreign, identity, hint, errors, warnings, problems, spool, offset, size, position = row[:12]
    form = SpooledForm(variant, bool(foreign), _str(identity), _str(hint), errors, warnings, problems, spool,
                       offset, size)
    return CollectedForm(form, _entry(row[12:]), position, store, key)


def _rows(store: RecordStore, sql: str, parameters: Sequence[Any] = ()) -> Iterator[Any]:
    cursor = store.db.execute(sql, parameters)
    while batch := cursor.fetchmany(_BATCH):
        yield from batch


def _index(i: int, length: int) -> int:
    if i < 0:
        i += length
    if not 0 <= i < length:
        raise IndexError("index out of range")
    return i


class _Stored(Sequence):
    """A list kept in the store's tables (in order, 0 … n-1 by its rows 1 … n): iterated, counted,
    indexed like a list, so that a city's collection never sits in memory."""

    _count_sql = ""

    def __init__(self, store: RecordStore) -> None:
        self.store = store
        # The last items handed out stay alive: code that remembers the last item by id() (the
        # master's columns) never meets a new item at the address of an old one.
        self._recent: deque[Any] = deque(maxlen=8)
        self._length: int | None = None  # counted once (SQLite counts by scanning), then kept up to date

    def __len__(self) -> int:
        if self._length is None:
            self._length = self.store.db.execute(self._count_sql).fetchone()[0]
        return self._length

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._held(self._at(_index(i, len(self)) + 1))

    def __iter__(self) -> Iterator[Any]:
        for item in self._iterate():
            yield self._held(item)

    def _held(self, item: Any) -> Any:
        self._recent.append(item)
        return item

    def _at(self, row: int) -> Any:
        raise NotImplementedError

    def _iterate(self) -> Iterator[Any]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self)}>"


class StoredFiles(_Stored):
    """文件清单's entries in input order (then the entries not read)."""

    _count_sql = "SELECT COUNT(*) FROM files"

    def _at(self, row: int) -> FileEntry:
        return _entry(self.store.db.execute(f"SELECT {_FILE_COLUMNS} FROM files WHERE id = ?", (row,)).fetchone())

    def _iterate(self) -> Iterator[FileEntry]:
        return (_entry(row) for row in _rows(self.store, f"SELECT {_FILE_COLUMNS} FROM files ORDER BY id"))

    def append(self, entry: FileEntry) -> int:
        """Add an entry (its status and note as they are now); its row number."""
        row = self._length = len(self) + 1
        self.store.db.execute("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              (row, _text(entry.path), entry.size, entry.sha256, entry.mtime, entry.status,
                               entry.forms, _text(entry.note), int(entry.foreign), _text(entry.saved),
                               _text(entry.output)))
        return row


class StoredForms(_Stored):
    """The master rows, in input order (file, then place in the file)."""

    _count_sql = "SELECT COUNT(*) FROM rows"

    def _at(self, row: int) -> CollectedForm:
        found = self.store.db.execute(f"SELECT {_FORM_COLUMNS} FROM rows JOIN forms ON forms.id = rows.form "
                                      f"JOIN files ON files.id = forms.file WHERE rows.row = ?", (row,)).fetchone()
        return _collected(found, self.store)

    def _iterate(self) -> Iterator[CollectedForm]:
        return (_collected(row, self.store) for row in _rows(
            self.store, f"SELECT {_FORM_COLUMNS} FROM rows JOIN forms ON forms.id = rows.form "
                              f"JOIN files ON files.id = forms.file ORDER BY rows.row"))


class ProblemChunks(_Stored):
    """Every problem, in order, chunk by chunk: lists of file-level ones, and collected forms, whose
    problems wait with their records.  Their counts per file are kept as chunks are added
    (:meth:`Collection.problem_counts` reads no chunk)."""

    _count_sql = "SELECT COUNT(*) FROM chunks"
    _SELECT = (f"SELECT chunks.issues, {_FORM_COLUMNS} FROM chunks LEFT JOIN forms ON forms.id = chunks.form "
               f"LEFT JOIN files ON files.id = forms.file")

    def _chunk(self, row: Sequence[Any]) -> list[Issue] | CollectedForm:
        return pickle.loads(row[0]) if row[0] is not None else _collected(row[1:], self.store)

    def _at(self, row: int) -> list[Issue] | CollectedForm:
        return self._chunk(self.store.db.execute(self._SELECT + " WHERE chunks.id = ?", (row,)).fetchone())

    def _iterate(self) -> Iterator[list[Issue] | CollectedForm]:
        return (self._chunk(row) for row in _rows(self.store, self._SELECT + " ORDER BY chunks.id"))

    def append(self, chunk: list[Issue] | CollectedForm) -> None:
        self._add("chunks (id, form, issues)", len(self) + 1, chunk)
        self._length = len(self) + 1

    def stage(self, major: int, minor: int, chunk: list[Issue] | CollectedForm) -> None:
        """A chunk put aside, to be added by :meth:`add_staged` in the order (major, minor)."""
        self._add("stage (major, minor, form, issues)", major, minor, chunk)

    def add_staged(self) -> None:
        db = self.store.db
        db.execute("INSERT INTO chunks (id, form, issues) SELECT ? + ROW_NUMBER() OVER (ORDER BY major, minor), "
                   "form, issues FROM stage", (len(self),))
        db.execute("DELETE FROM stage")
        self._length = None

    def _add(self, table: str, *values: Any) -> None:
        *place, chunk = values
        if isinstance(chunk, CollectedForm):
            form = chunk.form
            row = (*place, chunk.id, None)
            counts = {chunk.file.path: [form.errors, form.warnings, form.problems]}
        else:
            row = (*place, None, pickle.dumps(list(chunk), protocol=pickle.HIGHEST_PROTOCOL))
            counts = {}
            for issue in chunk:
                count = counts.setdefault(issue.file, [0, 0, 0])
                count[0] += issue.severity == ERROR
                count[1] += issue.severity == WARNING
                count[2] += 1
        db = self.store.db
        db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
        db.executemany(_ADD_COUNTS, ((_text(path), *count) for path, count in counts.items()))


_ADD_COUNTS = ("INSERT INTO counts VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET "
               "errors = errors + excluded.errors, warnings = warnings + excluded.warnings, "
               "total = total + excluded.total")


class ProblemCounts(Mapping):
    """Per file path: (errors, warnings, all problems), read from the store's counts."""

    def __init__(self, store: RecordStore) -> None:
        self.store = store

    def __getitem__(self, path: str) -> tuple[int, int, int]:
        row = self.store.db.execute("SELECT errors, warnings, total FROM counts WHERE path = ?",
                                    (_text(path),)).fetchone()
        if row is None:
            raise KeyError(path)
        return tuple(row)

    def __iter__(self) -> Iterator[str]:
        return (_str(row[0]) for row in _rows(self.store, "SELECT path FROM counts"))

    def __len__(self) -> int:
        return self.store.db.execute("SELECT COUNT(*) FROM counts").fetchone()[0]

    def values(self):  # type: ignore[override]
        return [tuple(row) for row in _rows(self.store, "SELECT errors, warnings, total FROM counts")]

    def totals(self) -> tuple[int, int]:
        """Errors and warnings over every file."""
        errors, warnings = self.store.db.execute("SELECT SUM(errors), SUM(warnings) FROM counts").fetchone()
        return errors or 0, warnings or 0


@dataclass
class Collection:
    """What a collect found.  What grows with the forms waits in the store (a temporary folder:
    the records the workers wrote, and an SQLite database of files, forms, identities and
    problems); :attr:`files`, :attr:`forms` and :attr:`problem_chunks` read it like lists."""

    store: RecordStore = field(default_factory=RecordStore, repr=False)
    files: StoredFiles = field(init=False)
    forms: StoredForms = field(init=False)  # master rows, in input order
    # Every problem, in order: lists of file-level ones, and collected forms, whose problems wait
    # in the store with their records (a city's problems would fill memory).
    problem_chunks: ProblemChunks = field(init=False, repr=False)
    # The round summed up (perfxl.collect.tally.Tally): per-unit sums, the roster's state.  Set by
    # tally(), which collect_to_master runs before anything is written.
    tally: Any = field(default=None, repr=False)
    scoring: Any = field(default=None, repr=False)  # how self-evaluations are scored (ScoringConfig)
    monitoring: Any = field(default=None, repr=False)  # the traffic light's numbers (MonitoringConfig)
    _variants: list[str] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.files = StoredFiles(self.store)
        self.forms = StoredForms(self.store)
        self.problem_chunks = ProblemChunks(self.store)

    def variants(self) -> list[str]:
        """The variants of the collected forms, each once, in order of first appearance (asked
        for by every master sheet: read from the store once, not by a pass over the forms)."""
        if self._variants is None:
            self._variants = [variant for (variant,) in self.store.db.execute(
                "SELECT variant FROM rows JOIN forms ON forms.id = rows.form GROUP BY variant ORDER BY MIN(rows.row)")]
        return list(self._variants)

    def close(self) -> None:
        """Remove the temporary folder (it goes when the collection is collected, too)."""
        if self.store is not None:
            self.store.close()

    def iter_problem_chunks(self) -> Iterator[list[Issue]]:
        """The problems chunk by chunk, a form's read back from the store when its turn comes."""
        for chunk in self.problem_chunks:
            yield chunk.record.issues if isinstance(chunk, CollectedForm) else chunk

    @property
    def issues(self) -> list[Issue]:
        """Every problem, file-level and form-level (read back from the store: for a city's
        collection, :meth:`iter_problem_chunks` keeps one form's at a time)."""
        return [issue for chunk in self.iter_problem_chunks() for issue in chunk]

    def issues_by_file(self) -> dict[str, list[Issue]]:
        grouped: dict[str, list[Issue]] = {}
        for issue in self.issues:
            grouped.setdefault(issue.file, []).append(issue)
        return grouped

    def problem_counts(self) -> ProblemCounts:
        """Per file path: (errors, warnings, all problems), without reading the records (a
        mapping read from the store)."""
        return ProblemCounts(self.store)

    @property
    def has_errors(self) -> bool:
        return self.store.db.execute("SELECT 1 FROM counts WHERE errors > 0 LIMIT 1").fetchone() is not None

    def summary(self) -> dict[str, Any]:
        """Counts and the 项目资金总额 total per amount unit (元 and 万元 are never added together);
        with the roster's state under ``roster`` (None when no roster was given)."""
        if self.tally is not None:  # summed up already: no second pass over the records
            unit_count, totals = self.tally.unit_count, self.tally.funding_totals()
        else:
            unit_count, totals = self._funding_totals()
        by_status = dict(self.store.db.execute("SELECT status, COUNT(*) FROM files GROUP BY status "
                                               "ORDER BY MIN(id)").fetchall())
        errors, warnings = self.problem_counts().totals()
        returns = self.tally.returns if self.tally is not None else None
        return {"files": len(self.files), "forms": len(self.forms), "units": unit_count,
                "funding_totals": {unit: format(total, "f") for unit, total in totals.items()},
                "errors": errors, "warnings": warnings, "files_by_status": by_status,
                "roster": returns.summary() if returns is not None else None}

    def _funding_totals(self) -> tuple[int, dict[str, Decimal]]:
        names: set[str] = set()
        totals: dict[str, Decimal] = {}
        for item in self.forms:  # one pass: each record is read back from the store once
            record = item.record
            names.add(str(record.form.get("implementing_unit", "")))
            layout = get_layout(item.variant)
            totals.setdefault(layout.amount_unit, Decimal(0))
            total = record.group("funding").get("total")
            slot = layout.slot_by_path.get("funding.total")
            if slot is not None and slot.accepts(total):  # an amount reported invalid is not added
                totals[layout.amount_unit] = totals.get(layout.amount_unit, Decimal(0)) + _amount(total)
        return len(names - {""}), totals


def _amount(value: Any) -> Decimal:
    """A canonical amount string as a Decimal; anything else counts 0 (it is reported elsewhere)."""
    if not isinstance(value, str):
        return Decimal(0)
    try:
        number = Decimal(value)
    except ArithmeticError:
        return Decimal(0)
    return number if number.is_finite() else Decimal(0)


def collect(inputs: Iterable[str | Path] | Inputs, *, variant: str | None = None,
            settings: Settings = DEFAULT_SETTINGS, workers: int = 1,
            on_progress: Callable[[int, int], None] | None = None, json_inputs: bool = False,
            prefer: str = DEFAULT_PREFERENCE, one_kind: bool = True) -> Collection:
    """Read, check and consolidate every input file (paths, or :class:`Inputs` already found).
    Never raises for a bad file: each file is read in an isolated worker process, so even a parser
    crash costs that file only; an entry that is not read is listed with its reason.  ``prefer``:
    the first evidence between versions of one form (:mod:`perfxl.collect.versions`).  ``one_kind``:
    forms of the kinds with fewer forms are left out, each a COLLECT-006 (publish, which lists
    them itself, keeps them)."""
    found = inputs if isinstance(inputs, Inputs) else discover_inputs(inputs, json_in_folders=json_inputs)
    store = RecordStore()
    results = run_jobs(found.files, variant=variant, settings=settings, workers=workers, spool_dir=store.folder,
                       on_progress=on_progress)
    try:
        return consolidate((_stored(result) for result in results), store, found.skipped,
                           prefer=prefer, one_kind=one_kind)  # taken as they arrive
    except BaseException:  # an error, an interrupt: no worker and no temporary file left behind
        results.close()
        store.close()
        raise


def _stored(result: FileResult) -> FileResult:
    """A worker's result as it arrives: its records are in the store already (the worker wrote
    them), memory holds the small stubs only."""
    for form in result.forms:
        form.variant = sys.intern(form.variant)  # one string for all, not one per form
        form.spool = sys.intern(form.spool)
    return result


def _content(record: FormRecord) -> str:
    return json.dumps(record.form, sort_keys=True, ensure_ascii=False)


_INCLUDED, _DUPLICATE, _CONFLICT, _OTHER_KIND = 1, 2, 4, 8
# A master is of one kind of form; of several in one input, the one with the most forms, a tie
# going to the earlier in the year.
KIND_ORDER = (TARGET_KIND, MONITORING_KIND, SELF_EVAL_KIND)


class _Admitted:
    """The per-file half of consolidation, done as each file's result arrives (nothing per file
    is kept in memory: the entry, its forms and their identities go to the store's tables): files
    listed, byte-identical copies marked, forms grouped by identity."""

    def __init__(self, store: RecordStore, prefer: str = DEFAULT_PREFERENCE) -> None:
        self.store, self.prefer = store, prefer
        self.collection = Collection(store=store)
        self.db = store.db
        self.next_form = 1

    def add(self, result: FileResult) -> None:
        entry, db, chunks = result.entry, self.db, self.collection.problem_chunks
        entry.forms = len(result.forms)
        entry.foreign = any(form.foreign for form in result.forms)
        if entry.output:  # last round's master, an export: perfxl's own, listed and never collected
            entry.status = IGNORED
            entry.note = f"perfxl 输出（{entry.output}），不是单位报送的表单，未读取。"
            self.collection.files.append(entry)
            chunks.append(result.issues)
            return
        if entry.sha256:
            first = db.execute("SELECT path FROM copies JOIN files ON files.id = copies.file WHERE copies.sha256 = ?",
                               (entry.sha256,)).fetchone()
            if first is not None:
                entry.status = DUPLICATE
                entry.note = f"与“{_str(first[0])}”内容完全相同，只计一次。"
                self.collection.files.append(entry)
                return
        if result.issues:
            chunks.append(result.issues)
        if not result.forms:
            entry.status = UNREADABLE
            entry.note = "；".join(i.message for i in result.issues) or "未找到表单。"
        file = self.collection.files.append(entry)
        if entry.sha256:
            db.execute("INSERT INTO copies VALUES (?, ?)", (entry.sha256, file))
        rows = []
        for position, form in enumerate(result.forms):
            # A self-evaluation and its target table share an identity but are different forms.
            kind = get_layout(form.variant).kind
            key = form.identity if kind == TARGET_KIND else f"{kind}|{form.identity}"
            rows.append((self.next_form, file, position, form.variant, int(form.foreign), _text(form.identity),
                         _text(form.hint), form.errors, form.warnings, form.problems, form.spool, form.offset,
                         form.size, kind, _text(key)))
            self.next_form += 1
        db.executemany("INSERT INTO forms VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)", rows)

    def group(self) -> None:
        """Forms grouped by identity (once all are in): each group by its first form's row."""
        db = self.db
        db.execute("INSERT INTO keys SELECT key, MIN(id), COUNT(*) FROM forms GROUP BY key")
        db.execute("UPDATE forms SET first = keys.first FROM keys WHERE keys.key = forms.key")
        db.execute("CREATE INDEX forms_first ON forms (first)")

    def forms(self, where: str, parameters: Sequence[Any] = ()) -> list[CollectedForm]:
        return [_collected(row, self.store) for row in
                self.db.execute(f"SELECT {_FORM_COLUMNS} FROM {_FORMS_OF} WHERE {where}", parameters).fetchall()]

    def set_state(self, version: CollectedForm, state: int) -> None:
        self.db.execute("UPDATE forms SET state = ? WHERE id = ?", (state, version.id))

    def note(self, version: CollectedForm, text: str) -> None:
        self.db.execute("INSERT INTO notes (file, text) SELECT file, ? FROM forms WHERE id = ?",
                        (_text(text), version.id))


def consolidate(results: Iterable[FileResult], store: RecordStore, skipped: Iterable[Skipped] = (), *,
                prefer: str = DEFAULT_PREFERENCE, one_kind: bool = True) -> Collection:
    """Resolve identities across files: duplicates count once, conflicting versions are decided by
    :data:`CONFLICT_POLICY` (``prefer``: its first evidence).  Pure data in, data out (the records
    and the tables stay in ``store``); the order of ``results`` is the input order, and they are
    taken one by one as they come.  ``skipped``: entries not read, listed after the files with the
    reason."""
    admitted = _Admitted(store, prefer)
    for result in results:
        admitted.add(result)
    for entry in skipped:
        admitted.collection.files.append(FileEntry(entry.path, entry.size, "", entry.mtime, status=IGNORED,
                                                   note=entry.reason + "。"))
        admitted.collection.problem_chunks.append([skipped_issue(entry)])
    collection = resolve(admitted, one_kind=one_kind)
    store.flush()
    return collection


def _flag_shared_hints(admitted: _Admitted) -> None:
    """Forms collected as different forms whose workbooks carry one form id: each is flagged
    (COLLECT-002), naming the first other one; nothing is dropped."""
    hints = admitted.db.execute("SELECT hint FROM forms WHERE state = ? AND hint != X'' GROUP BY hint "
                                "HAVING COUNT(*) > 1 ORDER BY MIN(first)", (_INCLUDED,)).fetchall()
    for (hint,) in hints:
        sharing = admitted.forms("state = ? AND hint = ? ORDER BY first", (_INCLUDED, hint))
        for item in sharing:
            other = next(o for o in sharing if o is not item)
            issue = make_issue(Problem.COLLECT_002, file=item.file.path, sheet=item.sheet,
                               value=f"{other.file.path}”工作表“{other.sheet}")
            admitted.collection.problem_chunks.append([issue])


def _set_aside(admitted: _Admitted, group: int, minor: int, version: CollectedForm, decision) -> None:
    """A version not collected (冲突): why, in both files' notes, and how it differs, field by field."""
    chosen = decision.chosen
    evidence = decision.beaten_by[id(version)]
    why = evidence_text(evidence, chosen, version, decision.saved_unusable)
    admitted.set_state(version, _CONFLICT)
    admitted.note(version, f"工作表“{version.sheet}”与“{chosen.file.path}”中的同一表单内容不同，按{why}采用了后者。")
    if evidence != SHEET_ORDER:
        admitted.note(chosen, f"工作表“{chosen.sheet}”取代了“{version.file.path}”中的同一表单（依据：{why}）。")
    old = version.record
    issues = [make_issue(Problem.COLLECT_001, file=version.file.path, sheet=old.sheet, value=chosen.file.path,
                         expected=why)]
    issues += differences(old, chosen.record, chosen.file.path)  # old is kept: load returns a new object
    admitted.collection.problem_chunks.stage(group, minor, issues)


def _keep_one_kind(admitted: _Admitted) -> None:
    """Forms of several kinds (target tables, monitoring tables, self-evaluations) never go into
    one master, whose columns would then mix them (a 全年执行数 under 1–N月执行数, two kinds'
    全年预算数 summed): the kind with the most forms is collected, each other form is a warning
    (COLLECT-006) and its file says why."""
    by_kind = {kind: (count, first) for kind, count, first in admitted.db.execute(
        "SELECT kind, COUNT(DISTINCT first), MIN(id) FROM forms GROUP BY kind ORDER BY MIN(id)")}
    if len(by_kind) < 2:
        return
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    main = min(by_kind, key=lambda kind: (-by_kind[kind][0], rank.get(kind, len(rank)), kind))
    main_title = get_layout(admitted.forms("forms.id = ?", (by_kind[main][1],))[0].variant).title
    left: dict[str, tuple[CollectedForm, dict[str, int]]] = {}
    for kind in sorted(by_kind):
        if kind == main:
            continue
        for version in admitted.forms("kind = ? ORDER BY first, forms.id", (kind,)):
            title = get_layout(version.form.variant).title
            admitted.set_state(version, _OTHER_KIND)
            counts = left.setdefault(version.file.path, (version, {}))[1]
            counts[title] = counts.get(title, 0) + 1
            admitted.collection.problem_chunks.append([make_issue(
                Problem.COLLECT_006, file=version.file.path, sheet=version.sheet, value=title,
                expected=main_title)])
    for version, counts in left.values():
        kinds = "、".join(f"{count} 张{title}" for title, count in counts.items())
        admitted.note(version, f"其中{kinds}未计入：本次汇总的是{main_title}，不同种类的表单请分别汇总。")


def _resolve_versions(admitted: _Admitted, group: int, same_form: list[CollectedForm]) -> None:
    """One form sent in several versions: which is collected, the others duplicates or conflicts."""
    distinct: dict[str, CollectedForm] = {}
    copies: dict[str, list[CollectedForm]] = {}
    for version in same_form:  # comparing content needs the record: only when versions meet
        copies.setdefault(_content(version.record), []).append(version)
    for content, same_content in copies.items():
        # Of identical copies the newest represents them, as among different versions: a form
        # left unchanged in a resubmission is taken from the resubmission, not the old file.
        newest = decide(same_content, admitted.prefer).chosen if len(same_content) > 1 else same_content[0]
        distinct[content] = newest
        for copy in same_content:
            if copy is not newest:
                admitted.set_state(copy, _DUPLICATE)
                admitted.note(copy, f"工作表“{copy.sheet}”与“{newest.file.path}”中的表单相同，只计一次。")
    decision = decide(list(distinct.values()), admitted.prefer)
    chosen = decision.chosen
    minor = 0
    for version in distinct.values():
        if version is chosen:
            continue
        _set_aside(admitted, group, minor, version, decision)
        minor += 1
    admitted.set_state(chosen, _INCLUDED)


def resolve(admitted: _Admitted, *, one_kind: bool = True) -> Collection:
    """The cross-file half: which version of each form is collected, and every file's status."""
    collection, db = admitted.collection, admitted.db
    admitted.group()
    if one_kind:
        _keep_one_kind(admitted)
    # A form sent once is collected; the few sent several times are decided one at a time.
    db.execute("UPDATE forms SET state = ? WHERE state = 0 AND first IN (SELECT first FROM keys WHERE count = 1)",
               (_INCLUDED,))
    groups = [first for (first,) in db.execute("SELECT first FROM keys WHERE count > 1 ORDER BY first").fetchall()]
    for first in groups:
        same_form = admitted.forms("first = ? AND state = 0 ORDER BY forms.id", (first,))
        if same_form:
            _resolve_versions(admitted, first, same_form)
    # The problems of the forms collected, in the order of their identities' first appearance,
    # each after the versions set aside for it.
    chunks = collection.problem_chunks
    for row in _rows(admitted.store, f"SELECT {_FORM_COLUMNS}, first FROM {_FORMS_OF} WHERE state = ? AND problems > 0",
                     (_INCLUDED,)):
        chunks.stage(row[-1], 1 << 40, _collected(row[:-1], admitted.store))
    chunks.add_staged()
    _flag_shared_hints(admitted)
    db.execute("CREATE TEMPORARY TABLE outcome (file INTEGER PRIMARY KEY, status TEXT, note BLOB)")
    outcome = db.execute(
        "SELECT files.id, files.path, status, kinds.included, kinds.duplicate, kinds.conflict, kinds.other, "
        "counts.errors, counts.total, EXISTS (SELECT 1 FROM notes WHERE notes.file = files.id) "
        "FROM files LEFT JOIN (SELECT file, MAX(state = 1) AS included, MAX(state = 2) AS duplicate, "
        "MAX(state = 4) AS conflict, MAX(state = 8) AS other FROM forms GROUP BY file) AS kinds "
        "ON kinds.file = files.id LEFT JOIN counts ON counts.path = files.path ORDER BY files.id")
    while batch := outcome.fetchmany(_BATCH):
        for file, path, status, included, _, conflict, other, errors, total, noted in batch:
            if status in (DUPLICATE, UNREADABLE, IGNORED):
                continue
            if conflict:
                status = CONFLICT
            elif other and not included:
                status = IGNORED
            elif not included:
                status = DUPLICATE
            elif errors is not None:
                status = PROBLEMS
            else:
                status = COLLECTED
            notes = [f"{errors} 个错误，{total - errors} 个警告/提示，见问题清单。"] if errors is not None else []
            if noted:
                notes += [_str(text) for (text,) in db.execute("SELECT text FROM notes WHERE file = ? ORDER BY seq", (file,))]
            db.execute("INSERT INTO outcome VALUES (?, ?, ?)", (file, status, _text(" ".join(notes))))
    db.execute("UPDATE files SET status = outcome.status, note = outcome.note FROM outcome WHERE files.id = outcome.file")
    db.execute("DROP TABLE outcome")
    db.execute("INSERT INTO rows (form) SELECT id FROM forms WHERE state = ? ORDER BY id", (_INCLUDED,))
    collection.forms._length = None
    collection._variants = None
    return collection
