"""Collect: every returned workbook read, checked, de-duplicated and accounted for.

The flow is read → validate (→ review) per file in worker processes; each file's result is
admitted as it arrives (its records and their problems appended to a temporary file, a small
stub per form kept in memory), then identities are resolved across files in input order.  Every
input file ends up in :attr:`Collection.files` with a status; every form that is not a duplicate
or a superseded version is a master row.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

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
from .versions import DEFAULT_PREFERENCE, SHEET_ORDER, decide, differences, evidence_text

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


@dataclass
class Collection:
    files: list[FileEntry] = field(default_factory=list)
    forms: list[CollectedForm] = field(default_factory=list)  # master rows, in input order
    store: RecordStore | None = field(default=None, repr=False)
    # Every problem, in order: lists of file-level ones in memory, and collected forms, whose
    # problems wait in the store with their records (a city's problems would fill memory).
    problem_chunks: list[list[Issue] | CollectedForm] = field(default_factory=list, repr=False)
    # The round summed up (perfxl.collect.tally.Tally): per-unit sums, the roster's state.  Set by
    # tally(), which collect_to_master runs before anything is written.
    tally: Any = field(default=None, repr=False)
    scoring: Any = field(default=None, repr=False)  # how self-evaluations are scored (ScoringConfig)
    monitoring: Any = field(default=None, repr=False)  # the traffic light's numbers (MonitoringConfig)

    def close(self) -> None:
        """Remove the temporary record file (it goes when the collection is collected, too)."""
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

    def problem_counts(self) -> dict[str, tuple[int, int, int]]:
        """Per file path: (errors, warnings, all problems), without reading the store."""
        counts: dict[str, list[int]] = {}
        for chunk in self.problem_chunks:
            if isinstance(chunk, CollectedForm):
                count = counts.setdefault(chunk.file.path, [0, 0, 0])
                count[0] += chunk.form.errors
                count[1] += chunk.form.warnings
                count[2] += chunk.form.problems
                continue
            for issue in chunk:
                count = counts.setdefault(issue.file, [0, 0, 0])
                count[0] += issue.severity == ERROR
                count[1] += issue.severity == WARNING
                count[2] += 1
        return {path: (errors, warnings, total) for path, (errors, warnings, total) in counts.items()}

    @property
    def has_errors(self) -> bool:
        return any(errors for errors, _, _ in self.problem_counts().values())

    def summary(self) -> dict[str, Any]:
        """Counts and the 项目资金总额 total per amount unit (元 and 万元 are never added together);
        with the roster's state under ``roster`` (None when no roster was given)."""
        if self.tally is not None:  # summed up already: no second pass over the records
            unit_count, totals = self.tally.unit_count, self.tally.funding_totals()
        else:
            unit_count, totals = self._funding_totals()
        by_status: dict[str, int] = {}
        for entry in self.files:
            by_status[entry.status] = by_status.get(entry.status, 0) + 1
        counts = self.problem_counts()
        returns = self.tally.returns if self.tally is not None else None
        return {"files": len(self.files), "forms": len(self.forms), "units": unit_count,
                "funding_totals": {unit: format(total, "f") for unit, total in totals.items()},
                "errors": sum(errors for errors, _, _ in counts.values()),
                "warnings": sum(warnings for _, warnings, _ in counts.values()), "files_by_status": by_status,
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


@dataclass
class _Admitted:
    """The per-file half of consolidation, done as each file's result arrives (nothing per file
    is kept but its entry): files listed, byte-identical copies marked, forms grouped by identity."""

    store: RecordStore
    prefer: str = DEFAULT_PREFERENCE
    collection: Collection = field(init=False)
    first_copy: dict[str, FileEntry] = field(default_factory=dict)
    versions: dict[str, list[CollectedForm]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.collection = Collection(store=self.store)

    def add(self, result: FileResult) -> None:
        entry = result.entry
        self.collection.files.append(entry)
        entry.forms = len(result.forms)
        entry.foreign = any(form.foreign for form in result.forms)
        if entry.output:  # last round's master, an export: perfxl's own, listed and never collected
            entry.status = IGNORED
            entry.note = f"perfxl 输出（{entry.output}），不是单位报送的表单，未读取。"
            self.collection.problem_chunks.append(result.issues)
            return
        if entry.sha256 and entry.sha256 in self.first_copy:
            entry.status = DUPLICATE
            entry.note = f"与“{self.first_copy[entry.sha256].path}”内容完全相同，只计一次。"
            return
        self.first_copy[entry.sha256] = entry
        if result.issues:
            self.collection.problem_chunks.append(result.issues)
        if not result.forms:
            entry.status = UNREADABLE
            entry.note = "；".join(i.message for i in result.issues) or "未找到表单。"
            return
        for position, form in enumerate(result.forms):
            # A self-evaluation and its target table share an identity but are different forms.
            kind = get_layout(form.variant).kind
            key = form.identity if kind == TARGET_KIND else f"{kind}|{form.identity}"
            self.versions.setdefault(key, []).append(CollectedForm(form, entry, position, self.store))


def consolidate(results: Iterable[FileResult], store: RecordStore, skipped: Iterable[Skipped] = (), *,
                prefer: str = DEFAULT_PREFERENCE, one_kind: bool = True) -> Collection:
    """Resolve identities across files: duplicates count once, conflicting versions are decided by
    :data:`CONFLICT_POLICY` (``prefer``: its first evidence).  Pure data in, data out (the records
    stay in ``store``); the order of ``results`` is the input order, and they are taken one by one
    as they come.  ``skipped``: entries not read, listed after the files with the reason."""
    admitted = _Admitted(store, prefer)
    for result in results:
        admitted.add(result)
    for entry in skipped:
        admitted.collection.files.append(FileEntry(entry.path, entry.size, "", entry.mtime, status=IGNORED,
                                                   note=entry.reason + "。"))
        admitted.collection.problem_chunks.append([skipped_issue(entry)])
    return resolve(admitted, one_kind=one_kind)


def _flag_shared_hints(collection: Collection) -> None:
    """Forms collected as different forms whose workbooks carry one form id: each is flagged
    (COLLECT-002), naming the first other one; nothing is dropped."""
    by_hint: dict[str, list[CollectedForm]] = {}
    for item in collection.forms:
        if item.form.hint:
            by_hint.setdefault(item.form.hint, []).append(item)
    for sharing in by_hint.values():
        if len(sharing) < 2:
            continue
        for item in sharing:
            other = next(o for o in sharing if o is not item)
            issue = make_issue(Problem.COLLECT_002, file=item.file.path, sheet=item.sheet,
                               value=f"{other.file.path}”工作表“{other.sheet}")
            collection.problem_chunks.append([issue])


def _set_aside(collection: Collection, notes: dict[str, list[str]], outcome: dict[str, int],
               version: CollectedForm, decision) -> None:
    """A version not collected (冲突): why, in both files' notes, and how it differs, field by field."""
    chosen = decision.chosen
    evidence = decision.beaten_by[id(version)]
    why = evidence_text(evidence, chosen, version, decision.saved_unusable)
    outcome[version.file.path] = outcome.get(version.file.path, 0) | _CONFLICT
    notes.setdefault(version.file.path, []).append(
        f"工作表“{version.sheet}”与“{chosen.file.path}”中的同一表单内容不同，按{why}采用了后者。")
    if evidence != SHEET_ORDER:
        notes.setdefault(chosen.file.path, []).append(
            f"工作表“{chosen.sheet}”取代了“{version.file.path}”中的同一表单（依据：{why}）。")
    old = version.record
    issues = [make_issue(Problem.COLLECT_001, file=version.file.path, sheet=old.sheet, value=chosen.file.path,
                         expected=why)]
    issues += differences(old, chosen.record, chosen.file.path)  # old is kept: load returns a new object
    collection.problem_chunks.append(issues)


def _keep_one_kind(admitted: _Admitted, notes: dict[str, list[str]], outcome: dict[str, int]) -> None:
    """Forms of several kinds (target tables, monitoring tables, self-evaluations) never go into
    one master, whose columns would then mix them (a 全年执行数 under 1–N月执行数, two kinds'
    全年预算数 summed): the kind with the most forms is collected, each other form is a warning
    (COLLECT-006) and its file says why."""
    by_kind: dict[str, list[str]] = {}
    for key, same_form in admitted.versions.items():
        by_kind.setdefault(get_layout(same_form[0].form.variant).kind, []).append(key)
    if len(by_kind) < 2:
        return
    rank = {kind: i for i, kind in enumerate(KIND_ORDER)}
    main = min(by_kind, key=lambda kind: (-len(by_kind[kind]), rank.get(kind, len(rank)), kind))
    main_title = get_layout(admitted.versions[by_kind[main][0]][0].form.variant).title
    left: dict[str, dict[str, int]] = {}
    for kind, keys in sorted(by_kind.items()):
        if kind == main:
            continue
        for key in keys:
            for version in admitted.versions.pop(key):
                title = get_layout(version.form.variant).title
                outcome[version.file.path] = outcome.get(version.file.path, 0) | _OTHER_KIND
                counts = left.setdefault(version.file.path, {})
                counts[title] = counts.get(title, 0) + 1
                admitted.collection.problem_chunks.append([make_issue(
                    Problem.COLLECT_006, file=version.file.path, sheet=version.sheet, value=title,
                    expected=main_title)])
    for path, counts in left.items():
        kinds = "、".join(f"{count} 张{title}" for title, count in counts.items())
        notes.setdefault(path, []).append(f"其中{kinds}未计入：本次汇总的是{main_title}，不同种类的表单请分别汇总。")


def resolve(admitted: _Admitted, *, one_kind: bool = True) -> Collection:
    """The cross-file half: which version of each form is collected, and every file's status."""
    collection, versions = admitted.collection, admitted.versions
    notes: dict[str, list[str]] = {}
    outcome: dict[str, int] = {}  # file path → _INCLUDED | _DUPLICATE | _CONFLICT (an int per file, not a set)
    if one_kind:
        _keep_one_kind(admitted, notes, outcome)
    for same_form in versions.values():
        distinct: dict[str, CollectedForm] = {}
        copies: dict[str, list[CollectedForm]] = {}
        for version in same_form:  # comparing content needs the record: only when versions meet
            copies.setdefault(_content(version.record) if len(same_form) > 1 else "", []).append(version)
        for content, same_content in copies.items():
            # Of identical copies the newest represents them, as among different versions: a form
            # left unchanged in a resubmission is taken from the resubmission, not the old file.
            newest = decide(same_content, admitted.prefer).chosen if len(same_content) > 1 else same_content[0]
            distinct[content] = newest
            for copy in same_content:
                if copy is not newest:
                    outcome[copy.file.path] = outcome.get(copy.file.path, 0) | _DUPLICATE
                    notes.setdefault(copy.file.path, []).append(
                        f"工作表“{copy.sheet}”与“{newest.file.path}”中的表单相同，只计一次。")
        decision = decide(list(distinct.values()), admitted.prefer)
        chosen = decision.chosen
        for version in distinct.values():
            if version is chosen:
                continue
            _set_aside(collection, notes, outcome, version, decision)
        outcome[chosen.file.path] = outcome.get(chosen.file.path, 0) | _INCLUDED
        collection.forms.append(chosen)
        if chosen.form.problems:
            collection.problem_chunks.append(chosen)
    _flag_shared_hints(collection)
    by_file = collection.problem_counts()
    for entry in collection.files:
        if entry.status in (DUPLICATE, UNREADABLE, IGNORED):
            continue
        kinds = outcome.get(entry.path, 0)
        if kinds & _CONFLICT:
            entry.status = CONFLICT
        elif kinds & _OTHER_KIND and not kinds & _INCLUDED:
            entry.status = IGNORED
        elif not kinds & _INCLUDED:
            entry.status = DUPLICATE
        elif entry.path in by_file:
            entry.status = PROBLEMS
        else:
            entry.status = COLLECTED
        if entry.path in by_file:
            errors, _, total = by_file[entry.path]
            notes.setdefault(entry.path, []).insert(0, f"{errors} 个错误，{total - errors} 个警告/提示，见问题清单。")
        entry.note = " ".join(notes.get(entry.path, []))
    order_of = {entry.path: i for i, entry in enumerate(collection.files)}
    collection.forms.sort(key=lambda f: (order_of[f.file.path], f.position))
    return collection

