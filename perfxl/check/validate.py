"""Schema validation of forms, reported as issues at the cells the values came from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import jsonschema_rs

from ..form.jsonforms import forms_for_fill
from ..form.kinds import INTEGER
from ..form.layout import Layout, Slot, expectation, get_layout
from ..form.values import is_blank
from ..model import FormRecord
from ..problems import Issue, Problem, make_issue

if TYPE_CHECKING:  # python-jsonschema is imported only when a form is invalid (≈ 0.1 s to import)
    import jsonschema
    from jsonschema import Draft202012Validator


@cache
def fast_validator(variant_name: str):
    """jsonschema-rs answers "valid?" in microseconds; most forms are valid, so only an invalid
    one goes through python-jsonschema for its detailed errors (~100× slower)."""
    schema = plain_end_anchors(get_layout(variant_name).variant.schema)
    return jsonschema_rs.validator_for(schema, validate_formats=True)


END_OF_TEXT = "(?![\\s\\S])"  # the schema's portable end of text


def plain_end_anchors(node: Any) -> Any:
    """The schema with each pattern's portable end of text ``(?![\\s\\S])`` written ``$``.
    Python's ``$`` would also match before a final newline, so the schema spells the end with a
    lookahead; for jsonschema-rs ``$`` means the end of text, and a pattern without lookaround runs
    on its plain regex engine, twice as fast as the backtracking one on long goals."""
    if isinstance(node, dict):
        return {key: (value[:-len(END_OF_TEXT)] + "$" if key == "pattern" and isinstance(value, str)
                      and value.endswith(END_OF_TEXT) else plain_end_anchors(value)) for key, value in node.items()}
    if isinstance(node, list):
        return [plain_end_anchors(value) for value in node]
    return node


@cache
def _validator(variant_name: str) -> Draft202012Validator:
    # Compiled once per variant: validation runs for every form of a collect.
    from jsonschema import Draft202012Validator, FormatChecker

    schema = get_layout(variant_name).variant.schema
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate_record(record: FormRecord) -> list[Issue]:
    """Every schema problem of one form read from a sheet (or loaded from JSON), each at its cell,
    all in one pass: every missing required field (a missing group: each of its required fields)
    and every bad value.  A value whose problem the reader reported already (``record.reported``)
    is not reported twice; the pointers of the values found wrong here join ``record.reported``,
    so that the review rules leave those values alone and judge the rest
    (:class:`perfxl.check.formview.FormView`)."""
    fast = fast_validator(record.variant)
    if fast.is_valid(record.form):
        return []
    layout = get_layout(record.variant)
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    wrong: set[str] = set()
    errors = sorted(_validator(record.variant).iter_errors(record.form), key=_error_order)
    for error in errors:
        for pointer, issue in _issues_for(error, record, layout):
            key = (issue.cell or pointer, issue.code)  # a merged cell holds the value of several rows
            if pointer in record.reported or key in seen:
                continue
            seen.add(key)
            issues.append(issue)
        wrong.update(_wrong_pointers(error, layout))
    if not errors:
        # The validators disagree (a regex dialect corner): never let a form the fast one refuses
        # pass silently.
        error = next(iter(fast.iter_errors(record.form)))
        path = [str(p) for p in error.instance_path]
        issues.append(make_issue(Problem.VALUE_007, file=record.file, sheet=record.sheet,
                                 cell=record.cells.get("/".join(path), ""), field=layout.field_title(path),
                                 value=_short(error.instance), expected=error.message[:200]))
        wrong.add(_pointer(path))
    record.reported |= wrong  # after the loop: two problems of one value are both reported
    return issues


@dataclass(frozen=True)
class MissingField:
    """A required field a form leaves blank: its pointer (``funding/total``), Chinese title and,
    for a field at a fixed place on the sheet, its cell."""

    pointer: str
    title: str
    cell: str = ""


def missing_fields(form: Any, variant_name: str) -> list[MissingField]:
    """The required fields ``form`` leaves blank (absent, null, or text of whitespace only), as
    a workbook written from it would show them: every one, a missing group as its required
    fields, and the indicator table when it has no indicator.  Other problems of the values are
    not listed here (:func:`validate_record` reports them)."""
    layout = get_layout(variant_name)
    missing: dict[str, MissingField] = {}
    filled = _without_blanks(form)
    for error in sorted(_validator(variant_name).iter_errors(filled), key=_error_order):
        if error.validator == "required":
            paths = _missing_paths(error, layout)
        elif (error.validator == "minItems" and list(error.absolute_path) == [layout.indicator_field]
              and error.instance == []):
            paths = [[layout.indicator_field]]
        else:
            continue
        for path in paths:
            slot = layout.slot_by_path.get(".".join(map(str, path)))
            missing.setdefault(_pointer(path), MissingField(_pointer(path), layout.field_title(path),
                                                            slot.area.ref if slot is not None else ""))
    return list(missing.values())


@dataclass(frozen=True)
class FormGaps:
    """The missing required fields of one form of a JSON file (``number``: its place in the file,
    0 when the file holds one form; ``name``: its 项目名称, when filled)."""

    source: str
    number: int
    name: str
    fields: tuple[MissingField, ...]


def missing_in_json_files(paths: Iterable[str | Path], variant_name: str) -> list[FormGaps]:
    """Each form of these JSON files that leaves required fields blank, with those fields (what
    ``fill`` wrote but a unit must still fill in), in file order; files that cannot be read as
    forms raise as in ``fill`` (a Chinese :class:`ValueError`)."""
    layout = get_layout(variant_name)
    gaps = []
    for path in paths:
        forms = forms_for_fill(Path(path), layout)
        for number, form in enumerate(forms, start=1):
            fields = missing_fields(form, variant_name)
            if fields:
                name = form.get("project_name")
                gaps.append(FormGaps(str(path), number if len(forms) > 1 else 0,
                                     name.strip() if isinstance(name, str) else "", tuple(fields)))
    return gaps


def _without_blanks(node: Any) -> Any:
    """A form without its blank values, as a sheet holds it (a blank cell is no value)."""
    if isinstance(node, dict):
        return {key: _without_blanks(value) for key, value in node.items() if not is_blank(value)}
    if isinstance(node, list):
        return [_without_blanks(value) for value in node]
    return node


def _error_order(error: jsonschema.ValidationError) -> tuple:
    return tuple(str(p) for p in error.absolute_path), error.validator


def _missing_paths(error: jsonschema.ValidationError, layout: Layout) -> list[list[Any]]:
    """The paths of every required key the instance of a ``required`` error lacks (jsonschema
    makes one error per missing key, but does not say which); a missing group stands for its own
    required fields, so each can be named (and found at its cell)."""
    if not isinstance(error.instance, dict):
        return []
    properties = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    paths: list[list[Any]] = []
    for key in error.validator_value:
        if key not in error.instance:
            paths.extend(_required_within(list(error.absolute_path) + [key], properties.get(key), layout))
    return paths


def _required_within(path: list[Any], node: Any, layout: Layout) -> list[list[Any]]:
    node = layout.variant.resolve(node) if isinstance(node, dict) else {}
    required = node.get("required", []) if node.get("type") == "object" else []
    if not required:
        return [path]
    properties = node.get("properties", {})
    return [child for key in required for child in _required_within(path + [key], properties.get(key), layout)]


def _wrong_pointers(error: jsonschema.ValidationError, layout: Layout) -> list[str]:
    """The values an error says are wrong: its own value; for a missing field the field (blank,
    as before); for extra keys the keys.  Not for a count of indicators (each indicator is still
    fine), nor for an indicator with neither 三级指标 nor 年度指标值 (both are blank)."""
    kind = error.validator
    if kind == "required":
        return [_pointer(path) for path in _missing_paths(error, layout)]
    if kind in ("minItems", "maxItems") or (kind == "anyOf" and _only_requires(error.validator_value)):
        return []
    path = list(error.absolute_path)
    if kind == "additionalProperties" and isinstance(error.instance, dict):
        return [_pointer(path + [k]) for k in error.instance if k not in error.schema.get("properties", {})]
    return [_pointer(path)]


def _only_requires(branches: Any) -> bool:
    return isinstance(branches, list) and all(isinstance(b, dict) and set(b) == {"required"} for b in branches)


def _pointer(path: list[Any]) -> str:
    return "/".join(str(p) for p in path)


def _issues_for(error: jsonschema.ValidationError, record: FormRecord,
                layout: Layout) -> list[tuple[str, Issue]]:
    """The issues of one schema error, each with the pointer of the value it is about."""
    path = list(error.absolute_path)
    kind, value = error.validator, error.instance
    if kind == "required":
        return [(_pointer(missing), _missing_issue(missing, record, layout))
                for missing in _missing_paths(error, layout)]
    pointer = _pointer(path)
    where = {"file": record.file, "sheet": record.sheet, "cell": record.cells.get(pointer, ""),
             "field": layout.field_title(path)}
    if kind == "additionalProperties":
        extras = [k for k in value if k not in error.schema.get("properties", {})]
        return [(_pointer(path + [k]), make_issue(Problem.VALUE_011, **{**where, "field": _pointer(path + [k])}))
                for k in extras]
    return [(pointer, _value_issue(error, record, layout, path, where))]


def _missing_issue(path: list[Any], record: FormRecord, layout: Layout) -> Issue:
    pointer = _pointer(path)
    cell = record.cells.get(pointer, "")
    if path and path[0] == layout.indicator_field and len(path) == 3:
        cell = record.cells.get(_pointer(path[:2] + ["name"]), cell)
    return make_issue(Problem.VALUE_001, file=record.file, sheet=record.sheet, cell=cell,
                      field=layout.field_title(path))


def _value_issue(error: jsonschema.ValidationError, record: FormRecord, layout: Layout, path: list[Any],
                 where: dict[str, str]) -> Issue:
    kind, value = error.validator, error.instance
    if kind == "enum" and _is_framework_error(error):
        level1 = record.form[layout.indicator_field][path[1]].get("level1", "")
        return make_issue(Problem.VALUE_008, **where, value=value, level1=level1,
                          expected="、".join(error.validator_value))
    if kind == "enum":
        return make_issue(Problem.VALUE_004, **where, value=value,
                          expected="、".join(map(str, error.validator_value)))
    if kind == "maxLength":
        return make_issue(Problem.VALUE_006, **where, value=len(value), expected=error.validator_value)
    if kind in ("minItems", "maxItems"):
        return make_issue(Problem.VALUE_009, **where, value=len(value), expected=error.validator_value)
    slot = layout.slot_by_path.get(".".join(map(str, path)))
    if error.schema.get("x-perfxl-kind") == "amount":
        return make_issue(Problem.VALUE_002, **where, value=_short(value), expected=_expect(slot))
    if error.schema.get("format") == "date":
        return make_issue(Problem.VALUE_003, **where, value=_short(value), expected=_expect(slot))
    if kind in ("minimum", "maximum", "type") and slot is not None and slot.kind == INTEGER:
        return make_issue(Problem.VALUE_005, **where, value=_short(value), expected=expectation(slot))
    if kind == "pattern":
        return make_issue(Problem.VALUE_010, **where, value=value)
    return make_issue(Problem.VALUE_007, **where, value=_short(value), expected=_explain(error))


def _expect(slot: Slot | None) -> str:
    return expectation(slot) if slot is not None else ""


def _is_framework_error(error: jsonschema.ValidationError) -> bool:
    # The framework lives in the indicator's allOf/if/then; a plain enum error has a shorter path.
    return "then" in error.schema_path or "allOf" in error.schema_path


def _short(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _explain(error: jsonschema.ValidationError) -> str:
    kind = error.validator
    if kind == "type":
        names = {"string": "文字", "integer": "整数", "number": "数字", "object": "对象", "array": "列表"}
        wanted = error.validator_value
        wanted = wanted if isinstance(wanted, list) else [wanted]
        return "应为" + "或".join(names.get(w, w) for w in wanted)
    if kind == "minLength":
        return "不能为空"
    if kind == "anyOf":
        return "三级指标和年度指标值至少填写一项"
    return f"{kind} {error.validator_value}"
