"""The Python API behind the CLI: each command is one function here, testable without typer."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from .config import DEFAULT_SETTINGS, Settings
from .isolation import Failure, run_isolated
from .issues import Issue, IssueSink, has_errors
from .layout import Layout, get_layout
from .reader import FormRecord, WorkbookResult, read_workbook
from .roster import group_by_unit, read_roster
from .review import review_record
from .validate import validate_record
from .variant import DEFAULT_VARIANT
from .writer import FormSheet, form_id_for, safe_sheet_names, write_workbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
DEFAULT_ROWS = 3


# --- template ------------------------------------------------------------------------------
def make_template(out: str | Path, *, variant: str = DEFAULT_VARIANT, rows: int = DEFAULT_ROWS,
                  password: str | None = None, prefill: dict[str, Any] | None = None) -> Path:
    """A blank form workbook (optionally with a few fields pre-filled)."""
    layout = get_layout(variant)
    out = Path(out)
    write_workbook(out, [FormSheet(layout.title, layout, prefill or {}, "", rows)], password=password)
    return out


def make_roster_templates(roster: str | Path, out_dir: str | Path, *, variant: str = DEFAULT_VARIANT,
                          rows: int = DEFAULT_ROWS, password: str | None = None,
                          year: int | None = None, workers: int = 1) -> list[Path]:
    """One workbook per 实施单位, one pre-filled sheet per project of the roster (written by
    ``workers`` processes for a district's thousand units; the files are the same either way)."""
    layout = get_layout(variant)
    entries = read_roster(roster, layout)
    jobs = []
    for unit, unit_entries in group_by_unit(entries).items():
        forms = [dict(entry.form) for entry in unit_entries]
        if year is not None:
            for form in forms:
                form["year"] = year
        jobs.append((str(out_dir), unit, forms, variant, rows, password))
    if workers <= 1:
        return [_unit_job(job) for job in jobs]
    written = list(run_isolated(_unit_job, jobs, workers=workers, seconds=None))
    failed = [result for result in written if isinstance(result, Failure)]
    if failed:
        raise RuntimeError(f"写入模板失败：{failed[0].detail}")
    return written


def _unit_job(job: tuple[str, str, list[dict[str, Any]], str, int | None, str | None]) -> Path:
    out_dir, unit, forms, variant, rows, password = job
    return write_unit_workbook(Path(out_dir), unit, forms, get_layout(variant), rows=rows, password=password)


def write_unit_workbook(out_dir: Path, unit: str, forms: Sequence[dict[str, Any]], layout: Layout, *,
                        rows: int | None = None, password: str | None = None) -> Path:
    """Write one unit's forms to ``out_dir/<unit>.xlsx``: blank indicator rows when ``rows`` is
    given (a template), exactly the forms' own indicators otherwise (a filled workbook)."""
    names = safe_sheet_names(str(form.get("project_name") or layout.title) for form in forms)
    sheets = [FormSheet(name, layout, form, form_id_for(layout, form), rows)
              for name, form in zip(names, forms)]
    path = out_dir / f"{safe_file_name(unit)}.xlsx"
    write_workbook(path, sheets, password=password)
    return path


_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_file_name(text: str) -> str:
    """A file name Windows, macOS and Linux all accept."""
    name = _BAD_FILE_CHARS.sub("_", text).strip().strip(".") or "未命名"
    return name[:100]


# --- fill ----------------------------------------------------------------------------------
def load_json_forms(path: str | Path) -> list[dict[str, Any]]:
    """The forms in a JSON file: one form object or an array of them."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def fill_forms(paths: Iterable[str | Path], out_dir: str | Path, *, variant: str = DEFAULT_VARIANT,
               by_unit: bool = False, password: str | None = None) -> list[Path]:
    """Filled workbooks from JSON forms: one per JSON file, or one per 实施单位 with ``by_unit``."""
    layout = get_layout(variant)
    out_dir = Path(out_dir)
    written: list[Path] = []
    if by_unit:
        groups: dict[str, list[dict[str, Any]]] = {}
        for path in paths:
            for form in load_json_forms(path):
                groups.setdefault(str(form.get("implementing_unit") or "未填写单位"), []).append(form)
        for unit, forms in groups.items():
            written.append(write_unit_workbook(out_dir, unit, forms, layout, password=password))
        return written
    for path in paths:
        forms = load_json_forms(path)
        names = safe_sheet_names(str(f.get("project_name") or layout.title) for f in forms)
        sheets = [FormSheet(n, layout, f, form_id_for(layout, f)) for n, f in zip(names, forms)]
        target = out_dir / (Path(path).stem + ".xlsx")
        write_workbook(target, sheets, password=password)
        written.append(target)
    return written


# --- read and validate ---------------------------------------------------------------------
@dataclass
class Checked:
    """One input file after reading and validation."""

    result: WorkbookResult
    kind: str = "workbook"  # or "json"

    @property
    def forms(self) -> list[FormRecord]:
        return self.result.forms

    @property
    def issues(self) -> list[Issue]:
        return self.result.all_issues


def check_file(path: str | Path, *, variant: str | None = None, settings: Settings = DEFAULT_SETTINGS,
               display_name: str | None = None) -> Checked:
    """Read one workbook or JSON file, validate every form in it against the schema and, for a
    form without schema errors, run the review rules (unless ``settings.review`` is None)."""
    path = Path(path)
    name = display_name or str(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        result = _read_json(path, name, variant or DEFAULT_VARIANT)
        kind = "json"
    elif suffix in WORKBOOK_SUFFIXES:
        result = read_workbook(path, variant=variant, display_name=name, limits=settings.limits)
        kind = "workbook"
    else:
        sink = IssueSink(file=name)
        sink.add("FILE-004", value=path.suffix or path.name)
        return Checked(WorkbookResult(name, [], sink.issues), "other")
    for record in result.forms:
        record.issues.extend(validate_record(record))
        # Review judges a well-formed form; on a form with schema errors it would mostly echo them.
        if settings.review is not None and not has_errors(record.issues):
            record.issues.extend(review_record(record, settings.review))
    return Checked(result, kind)


def _read_json(path: Path, name: str, variant: str) -> WorkbookResult:
    sink = IssueSink(file=name)
    try:
        forms = load_json_forms(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        sink.add("FILE-003", expected=str(exc))
        return WorkbookResult(name, [], sink.issues)
    records = []
    for index, form in enumerate(forms):
        label = f"第 {index + 1} 个表单" if len(forms) > 1 else ""
        if not isinstance(form, dict):
            sink.add("VALUE-007", sheet=label, field="表单", value=str(form)[:50], expected="应为 JSON 对象")
            continue
        records.append(FormRecord(file=name, sheet=label, variant=variant, form=form, cells={}))
    return WorkbookResult(name, records, sink.issues)


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted), skipping office lock
    files and hidden files."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not is_ignored(child.relative_to(path)):
                    yield child
        else:
            yield path


def is_ignored(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts) or relative.name.startswith(".~lock.")


def validate_paths(paths: Iterable[str | Path], *, variant: str | None = None,
                   settings: Settings = DEFAULT_SETTINGS, workers: int = 1) -> list[Checked]:
    """Check every file, each in an isolated worker process (a parser crash costs one file)."""
    files = list(iter_input_files(paths))
    jobs = [(str(path), variant, settings) for path in files]
    results = run_isolated(_check_job, jobs, workers=workers, seconds=settings.limits.seconds,
                           memory_bytes=settings.limits.memory_bytes)
    return [result if isinstance(result, Checked) else failed_check(str(path), result)
            for path, result in zip(files, results)]


def _check_job(job: tuple[str, str | None, Settings]) -> Checked:
    path, variant, settings = job
    return check_file(path, variant=variant, settings=settings)


def failed_check(path: str, failure: Failure) -> Checked:
    """The report for a file whose reading process crashed or timed out."""
    sink = IssueSink(file=path)
    sink.add("FILE-006", expected=failure.detail)
    return Checked(WorkbookResult(path, [], sink.issues), "workbook")


# --- demo ----------------------------------------------------------------------------------
def examples_dir() -> Path:
    from .variant import _data_dir

    return _data_dir("examples")


@dataclass
class DemoResult:
    templates: list[Path]
    filled: list[Path]
    forms_read: int
    round_trip_equal: int
    master: Path
    issues: list[Issue] = field(default_factory=list)


def run_demo(out_dir: str | Path, *, workers: int = 1) -> DemoResult:
    """The main job on the bundled examples: templates from the roster, filled workbooks from the
    example forms (one per unit, as units return them), read back and compared, then collected
    into the master workbook with its JSONL export and feedback copies."""
    out_dir = Path(out_dir)
    examples = examples_dir()
    templates = make_roster_templates(examples / "roster.csv", out_dir / "templates")
    sources = sorted((examples / "forms").glob("*.json"))
    filled = fill_forms(sources, out_dir / "filled", by_unit=True)
    originals = [form for path in sources for form in load_json_forms(path)]
    master = out_dir / "汇总.xlsx"
    collection = collect_to_master([out_dir / "filled"], master, workers=workers,
                                   jsonl=out_dir / "forms.jsonl", feedback_dir=out_dir / "退回")
    read_back = [item.record.form for item in collection.forms]
    equal = sum(1 for form in originals if form in read_back)
    (out_dir / "forms.json").write_text(json.dumps(read_back, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
    return DemoResult(templates, filled, len(read_back), equal, master, collection.issues)


__all__ = ["make_template", "make_roster_templates", "fill_forms", "check_file", "validate_paths",
           "run_demo", "has_errors", "read_workbook"]


# --- collect -------------------------------------------------------------------------------
def collect_to_master(inputs: Iterable[str | Path], out: str | Path, *, variant: str | None = None,
                      settings: Settings = DEFAULT_SETTINGS, workers: int = 1,
                      jsonl: str | Path | None = None, csv_dir: str | Path | None = None,
                      feedback_dir: str | Path | None = None, on_progress=None):
    """``perfxl collect``: read and check every input, write the master workbook and the
    requested exports.  Returns the :class:`~perfxl.collect.Collection`."""
    from .carryover import jsonl_lines
    from .collect import collect
    from .feedback import write_feedback
    from .master import build_master, write_csv

    collection = collect(inputs, variant=variant, settings=settings, workers=workers, on_progress=on_progress)
    build_master(collection, out)
    if jsonl is not None:
        Path(jsonl).parent.mkdir(parents=True, exist_ok=True)
        with Path(jsonl).open("w", encoding="utf-8") as handle:
            handle.writelines(jsonl_lines((item.record.form, provenance(item)) for item in collection.forms))
    if csv_dir is not None:
        write_csv(collection, csv_dir)
    if feedback_dir is not None:
        used: set[str] = set()
        by_file = collection.issues_by_file()
        for entry in collection.files:
            issues = by_file.get(entry.path, [])
            if not issues or entry.status == "重复":
                continue
            source = Path(entry.path)
            name = source.name if source.name not in used else f"{source.parent.name}_{source.name}"
            used.add(name)
            try:
                write_feedback(source, issues, Path(feedback_dir) / name)
            except Exception:  # an unreadable file gets its problems via the master; never crash
                write_feedback(source.with_suffix(".unreadable"), issues, Path(feedback_dir) / name)
    return collection


def provenance(item) -> dict[str, Any]:
    """Where a collected form came from, kept apart from the form so the form stays schema-valid."""
    from .layout import get_layout

    return {"file": item.file.path, "sheet": item.record.sheet, "sha256": item.file.sha256,
            "form_id": item.record.form_id, "variant": item.record.variant,
            "schema_id": get_layout(item.record.variant).variant.schema_id,
            "errors": item.errors, "warnings": item.warnings}
