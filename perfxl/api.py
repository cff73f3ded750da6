"""The Python API behind the CLI: each command is one function here, testable without typer."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .config import DEFAULT_SETTINGS, Settings
from .isolation import Failure, run_isolated
from .issues import Issue, IssueSink, has_errors
from .layout import Layout, get_layout
from .reader import FormRecord, WorkbookResult, read_workbook
from .roster import group_by_unit, read_roster
from .review import review_record
from .validate import validate_record
from .variant import DEFAULT_VARIANT, Variant
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
    groups = group_by_unit(read_roster(roster, layout, year=year))
    names = unique_file_names(f"{safe_file_name(unit)}.xlsx" for unit in groups)
    jobs = [(str(out_dir), unit, [dict(entry.form) for entry in unit_entries], variant, rows, password, name)
            for (unit, unit_entries), name in zip(groups.items(), names)]
    if workers <= 1:
        return [_unit_job(job) for job in jobs]
    written = list(run_isolated(_unit_job, jobs, workers=workers, seconds=None))
    failed = [result for result in written if isinstance(result, Failure)]
    if failed:
        raise RuntimeError(f"写入模板失败：{failed[0].detail}")
    return written


def _unit_job(job: tuple[str, str, list[dict[str, Any]], str, int | None, str | None, str]) -> Path:
    out_dir, unit, forms, variant, rows, password, name = job
    return write_unit_workbook(Path(out_dir), unit, forms, get_layout(variant), rows=rows, password=password,
                               file_name=name)


def write_unit_workbook(out_dir: Path, unit: str, forms: Sequence[dict[str, Any]], layout: Layout, *,
                        rows: int | None = None, password: str | None = None,
                        file_name: str | None = None) -> Path:
    """Write one unit's forms to ``out_dir/<unit>.xlsx`` (or ``out_dir/<file_name>``, a name made
    unique by :func:`unique_file_names`): blank indicator rows when ``rows`` is given (a
    template), exactly the forms' own indicators otherwise (a filled workbook)."""
    path = out_dir / (file_name or f"{safe_file_name(unit)}.xlsx")
    write_forms(path, forms, layout, rows=rows, password=password)
    return path


def write_forms(path: Path, forms: Sequence[dict[str, Any]], layout: Layout, *,
                rows: int | None = None, password: str | None = None) -> None:
    """One workbook, one sheet per form (forms of the shape :func:`check_form_shape` accepts)."""
    names = safe_sheet_names(str(form.get("project_name") or layout.title) for form in forms)
    sheets = [FormSheet(name, layout, _writable(form, layout), form_id_for(layout, form), rows)
              for name, form in zip(names, forms)]
    write_workbook(path, sheets, password=password)


def _writable(form: dict[str, Any], layout: Layout) -> dict[str, Any]:
    """The form with every indicator value as text, as the writer keeps any other wrong-typed
    value: a number from JSON is written as its text, null as a blank cell."""
    items = form.get(layout.indicator_field)
    if not isinstance(items, list):
        return form
    return {**form, layout.indicator_field: [_as_text(item) if isinstance(item, dict) else item for item in items]}


def _as_text(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value if isinstance(value, str) else str(value) for key, value in item.items() if value is not None}


_BAD_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_file_name(text: str) -> str:
    """A file name Windows, macOS and Linux all accept."""
    name = _BAD_FILE_CHARS.sub("_", text).strip().strip(".") or "未命名"
    return name[:100]


def unique_file_names(names: Iterable[str], *, taken: Iterable[str] = (),
                      aliases: Callable[[str], Iterable[str]] = lambda name: ()) -> list[str]:
    """Each name, or the first free ``stem(2).suffix``, ``stem(3).suffix`` …: names compared
    ignoring case, as Windows and macOS compare them, in the order given, so the same names
    always give the same result.  ``taken``: names already in use; ``aliases(name)``: other
    names writing ``name`` may produce, kept free as well."""
    used = {name.lower() for name in taken}
    result = []
    for name in names:
        path, candidate, counter = Path(name), name, 2
        while _claims(candidate, aliases) & used:
            candidate = f"{path.stem}({counter}){path.suffix}"
            counter += 1
        used |= _claims(candidate, aliases)
        result.append(candidate)
    return result


def _claims(name: str, aliases: Callable[[str], Iterable[str]]) -> set[str]:
    return {name.lower(), *(alias.lower() for alias in aliases(name))}


# --- fill ----------------------------------------------------------------------------------
def load_json_forms(path: str | Path) -> list[dict[str, Any]]:
    """The forms in a JSON file: one form object or an array of them."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


IDENTITY_FIELDS = ("implementing_unit", "project_name", "year")  # as writer.form_id_for
_SCALARS = (str, int, float, bool, type(None))


def fill_forms(paths: Iterable[str | Path], out_dir: str | Path, *, variant: str = DEFAULT_VARIANT,
               by_unit: bool = False, password: str | None = None) -> list[Path]:
    """Filled workbooks from JSON forms: one per JSON file, or one per 实施单位 with ``by_unit``.
    Every file is read and checked before anything is written (:class:`ValueError`, in Chinese,
    for a file that is not JSON forms or two forms with one identity); output names are unique."""
    layout = get_layout(variant)
    out_dir = Path(out_dir)
    loaded = [(Path(path), _fill_input(Path(path), layout)) for path in paths]
    _check_unique_forms(loaded)
    if by_unit:
        groups: dict[str, list[dict[str, Any]]] = {}
        for _, forms in loaded:
            for form in forms:
                groups.setdefault(str(form.get("implementing_unit") or "未填写单位"), []).append(form)
        names = unique_file_names(f"{safe_file_name(unit)}.xlsx" for unit in groups)
        return [write_unit_workbook(out_dir, unit, forms, layout, password=password, file_name=name)
                for (unit, forms), name in zip(groups.items(), names)]
    names = unique_file_names(f"{path.stem}.xlsx" for path, _ in loaded)
    for (_, forms), name in zip(loaded, names):
        write_forms(out_dir / name, forms, layout, password=password)
    return [out_dir / name for name in names]


def _fill_input(path: Path, layout: Layout) -> list[dict[str, Any]]:
    """The forms of one JSON file for ``fill``, or a Chinese :class:`ValueError` naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"无法读取 JSON 文件“{path}”：{exc}") from None
    if isinstance(data, list) and not data:
        raise ValueError(f"JSON 文件“{path}”中没有表单（是一个空数组）。")
    forms = data if isinstance(data, list) else [data]
    for index, form in enumerate(forms):
        check_form_shape(form, layout, _where(path, index, len(forms)))
    return forms


def _where(path: Path | str, index: int, count: int) -> str:
    return f"“{path}”第 {index + 1} 个表单" if count > 1 else f"“{path}”"


def _check_unique_forms(loaded: list[tuple[Path, list[dict[str, Any]]]]) -> None:
    """Two forms with the same (实施单位, 项目名称, 年度) would share one form identity."""
    seen: dict[tuple[str, ...], str] = {}
    for path, forms in loaded:
        for index, form in enumerate(forms):
            key = tuple(str(form.get(k, "")) for k in IDENTITY_FIELDS)
            where = _where(path, index, len(forms))
            if key in seen:
                raise ValueError(f"{seen[key]}与{where}是同一张表单（实施单位“{key[0]}”、项目名称“{key[1]}”、"
                                 f"年度“{key[2]}”相同），会得到相同的表单标识。请删除重复的一张，或改正其中的字段。")
            seen[key] = where


def check_form_shape(form: Any, layout: Layout, where: str) -> None:
    """Raise a Chinese :class:`ValueError` naming ``where`` and the field unless ``form`` has the
    shape a workbook can be written from: a JSON object whose groups (schema properties of type
    object, e.g. 项目资金) are objects, whose indicators are a list of objects, and whose every
    other value, in it, its groups and its indicators, is a single value (text, number, true/false
    or null).  Values are not validated here: ``perfxl validate`` does that, cell by cell."""
    if not isinstance(form, dict):
        raise ValueError(f"{where}应为表单（JSON 对象），实际为{_json_kind(form)}。")
    variant = layout.variant
    for key, value in form.items():
        title = _title(variant, key)
        if key == layout.indicator_field:
            _check_indicators(value, layout, f"{where}：{title}")
        elif _is_group(variant, key):
            if not isinstance(value, dict):
                raise ValueError(f"{where}：{title}应为对象（JSON 对象），实际为{_json_kind(value)}。")
            for child, item in value.items():
                _check_scalar(item, f"{where}：{_title(variant, f'{key}.{child}')}")
        else:
            _check_scalar(value, f"{where}：{title}")


def _check_indicators(value: Any, layout: Layout, where: str) -> None:
    if not isinstance(value, list):
        raise ValueError(f"{where}应为指标的列表（JSON 数组），实际为{_json_kind(value)}。")
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"{where}第 {number} 条应为对象（JSON 对象），实际为{_json_kind(item)}。")
        for key, field_value in item.items():
            _check_scalar(field_value, f"{where}第 {number} 条的{_title(layout.variant, key, indicator=True)}")


def _check_scalar(value: Any, where: str) -> None:
    if not isinstance(value, _SCALARS):
        raise ValueError(f"{where}应为单个值（文字、数字、true/false 或 null），实际为{_json_kind(value)}。")


def _is_group(variant: Variant, key: str) -> bool:
    node = variant.schema.get("properties", {}).get(key)
    return node is not None and variant.resolve(node).get("type") == "object"


def _title(variant: Variant, path: str, *, indicator: bool = False) -> str:
    """“标题”（key） for a field the schema knows, “key” for any other."""
    try:
        node = (variant.resolve(variant.indicator_schema()["properties"][path]) if indicator
                else variant.field_schema(path))
    except (KeyError, TypeError):
        return f"“{path}”"
    title = node.get("title")
    return f"“{title}”（{path}）" if title else f"“{path}”"


def _json_kind(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return f" {json.dumps(value)}"
    kinds = ((dict, "对象"), (list, "数组"), (str, "文字"), ((int, float), "数字"))
    kind = next((name for types, name in kinds if isinstance(value, types)), type(value).__name__)
    return f"{kind} {json.dumps(value, ensure_ascii=False, default=str)[:50]}"


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
               display_name: str | None = None, data: bytes | None = None) -> Checked:
    """Read one workbook or JSON file, validate every form in it against the schema and, for a
    form without schema errors, run the review rules (unless ``settings.review`` is None).
    ``data``: a workbook's bytes when the caller has read them already."""
    path = Path(path)
    name = display_name or str(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        result = _read_json(path, name, variant or DEFAULT_VARIANT)
        kind = "json"
    elif suffix in WORKBOOK_SUFFIXES:
        result = read_workbook(path, variant=variant, display_name=name, limits=settings.limits, data=data)
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
    if not forms:
        sink.add("FILE-008")
    records = []
    for index, form in enumerate(forms):
        label = f"第 {index + 1} 个表单" if len(forms) > 1 else ""
        if not isinstance(form, dict):
            sink.add("VALUE-007", sheet=label, field="表单", value=str(form)[:50], expected="应为 JSON 对象")
            continue
        records.append(FormRecord(file=name, sheet=label, variant=variant, form=form, cells={}))
    return WorkbookResult(name, records, sink.issues)


def iter_input_files(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted), skipping office lock
    files and hidden files, and files that are, or are under, a path in ``exclude`` (compared
    resolved: a run's own outputs are never its inputs)."""
    skip = [Path(p).resolve() for p in exclude]
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Only outputs inside this folder can be met while walking it: resolve files only then
            # (a district folder holds thousands of files).
            here = [place for place in skip if is_within(place, [path.resolve()])]
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not is_ignored(child.relative_to(path)) and not (here and is_within(child, here)):
                    yield child
        elif not (skip and is_within(path, skip)):
            yield path


def is_within(path: str | Path, places: Iterable[Path]) -> bool:
    """Whether ``path`` resolves to one of the (resolved) ``places`` or to something under one."""
    resolved = os.path.realpath(path)
    return any(resolved == str(place) or resolved.startswith(str(place).rstrip(os.sep) + os.sep)
               for place in places)


def is_ignored(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts) or relative.name.startswith(".~lock.")


def validate_paths(paths: Iterable[str | Path], *, variant: str | None = None,
                   settings: Settings = DEFAULT_SETTINGS, workers: int = 1,
                   on_progress: Callable[[int, int], None] | None = None) -> list[Checked]:
    """Check every file, each in an isolated worker process (a parser crash costs one file)."""
    files = list(iter_input_files(paths))
    jobs = [(str(path), variant, settings) for path in files]
    results = run_isolated(_check_job, jobs, workers=workers, seconds=settings.limits.seconds,
                           memory_bytes=settings.limits.memory_bytes, on_done=on_progress)
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
                      feedback_dir: str | Path | None = None, on_progress=None,
                      on_stage: Callable[[str], None] | None = None):
    """``perfxl collect``: read and check every input, write the master workbook and the
    requested exports.  Returns the :class:`~perfxl.collect.Collection`.  ``on_progress(done,
    total)`` follows the files read; ``on_stage(label)`` names each step after that (写汇总表,
    写 JSONL, 写 CSV, 写退回件), which takes a while for a city's collection.

    The outputs are never inputs: the master, the JSONL file and whatever is under the CSV and
    feedback folders are skipped when found in an input folder, and a :class:`ValueError` (in
    Chinese) refuses an input inside an output, an output that would overwrite an input, and
    inputs without any file."""
    from .carryover import jsonl_lines
    from .collect import collect
    from .master import write_csv

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
    feedback = _feedback_plan(collection, feedback_dir, outputs) if feedback_dir is not None else []
    stage("写汇总表")
    _build_master(collection, Path(out))
    if jsonl is not None:
        stage("写 JSONL")
        Path(jsonl).parent.mkdir(parents=True, exist_ok=True)
        with Path(jsonl).open("w", encoding="utf-8") as handle:
            handle.writelines(jsonl_lines((item.record.form, provenance(item)) for item in collection.forms))
    if csv_dir is not None:
        stage("写 CSV")
        write_csv(collection, csv_dir)
    if feedback:
        stage("写退回件")
    _write_feedback_copies(feedback)
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
    from xlsxwriter.exceptions import FileCreateError

    from .master import build_master

    try:
        build_master(collection, out)
    except FileCreateError as exc:  # xlsxwriter wraps the OSError; the CLI reports OSErrors
        inner = exc.args[0] if exc.args else None
        raise inner if isinstance(inner, OSError) else OSError(str(exc)) from None


# feedback.write_feedback writes this instead of a marked copy for a file it cannot edit (.xls, .ods).


def _feedback_plan(collection, feedback_dir: str | Path,
                   outputs: dict[str, Path]) -> list[tuple[Path, list[Issue], Path]]:
    """(source, its issues, target) for each file to send back, names unique in the folder (and
    apart from the master or JSONL file there), checked before anything is written: a target never
    lands on an input file."""
    from .collect import DUPLICATE

    folder = Path(feedback_dir)
    by_file = collection.issues_by_file()
    entries = [entry for entry in collection.files if by_file.get(entry.path) and entry.status != DUPLICATE]
    taken = [place.name for place in outputs.values() if place.parent.resolve() == folder.resolve()]
    names = unique_file_names((Path(entry.path).name for entry in entries), taken=taken,
                              aliases=lambda name: [_problem_list_name(name)])
    sources = {Path(entry.path).resolve() for entry in collection.files}
    for target in (folder / written for name in names for written in (name, _problem_list_name(name))):
        if target.resolve() in sources:
            raise ValueError(f"退回件“{target}”会覆盖输入文件，请为 --feedback 换一个文件夹。")
    return [(Path(entry.path), by_file[entry.path], folder / name) for entry, name in zip(entries, names)]


def _problem_list_name(name: str) -> str:
    from .feedback import PROBLEM_LIST_SUFFIX  # feedback imports openpyxl: only when needed

    return Path(name).stem + PROBLEM_LIST_SUFFIX


def _write_feedback_copies(plan: list[tuple[Path, list[Issue], Path]]) -> None:
    from .feedback import write_feedback

    for source, issues, target in plan:
        try:
            write_feedback(source, issues, target)
        except Exception:  # an unreadable file gets its problems via the master; never crash
            write_feedback(source.with_suffix(".unreadable"), issues, target)


def provenance(item) -> dict[str, Any]:
    """Where a collected form came from, kept apart from the form so the form stays schema-valid."""
    from .layout import get_layout

    return {"file": item.file.path, "sheet": item.record.sheet, "sha256": item.file.sha256,
            "form_id": item.record.form_id, "variant": item.record.variant,
            "schema_id": get_layout(item.record.variant).variant.schema_id,
            "errors": item.errors, "warnings": item.warnings}
