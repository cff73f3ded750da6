"""Schema validation of forms, reported as issues at the cells the values came from."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker

from ..form.kinds import INTEGER
from ..form.layout import Layout, Slot, expectation, get_layout
from ..model import FormRecord
from ..problems import Issue, Problem, make_issue


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
    schema = get_layout(variant_name).variant.schema
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate_record(record: FormRecord) -> list[Issue]:
    """Schema problems of one form read from a sheet (or loaded from JSON), each at its cell."""
    fast = fast_validator(record.variant)
    if fast.is_valid(record.form):
        return []
    layout = get_layout(record.variant)
    issues: list[Issue] = []
    seen: set[tuple[str, str]] = set()
    errors = sorted(_validator(record.variant).iter_errors(record.form), key=_error_order)
    for error in errors:
        for issue in _issues_for(error, record, layout):
            key = (issue.cell or issue.field, issue.code)
            pointer = _pointer(issue_path(error))
            if pointer in record.reported or key in seen:
                continue
            seen.add(key)
            issues.append(issue)
    if not errors:
        # The validators disagree (a regex dialect corner): never let a form the fast one refuses
        # pass silently.
        error = next(iter(fast.iter_errors(record.form)))
        path = [str(p) for p in error.instance_path]
        issues.append(make_issue(Problem.VALUE_007, file=record.file, sheet=record.sheet,
                                 cell=record.cells.get("/".join(path), ""), field=layout.field_title(path),
                                 value=_short(error.instance), expected=error.message[:200]))
    return issues


def _error_order(error: jsonschema.ValidationError) -> tuple:
    return tuple(str(p) for p in error.absolute_path), error.validator


def issue_path(error: jsonschema.ValidationError) -> list[Any]:
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = _missing_key(error)
        if missing:
            path.append(missing)
    return path


def _missing_key(error: jsonschema.ValidationError) -> str | None:
    for key in error.validator_value:
        if isinstance(error.instance, dict) and key not in error.instance:
            return key
    return None


def _pointer(path: list[Any]) -> str:
    return "/".join(str(p) for p in path)


def _issues_for(error: jsonschema.ValidationError, record: FormRecord, layout: Layout) -> list[Issue]:
    path = issue_path(error)
    pointer = _pointer(path)
    where = {"file": record.file, "sheet": record.sheet, "cell": record.cells.get(pointer, ""),
             "field": layout.field_title(path)}
    kind, value = error.validator, error.instance
    if kind == "required":
        if path and path[0] == layout.indicator_field and len(path) == 3:
            where["cell"] = record.cells.get(_pointer(path[:2] + ["name"]), where["cell"])
        return [make_issue(Problem.VALUE_001, **where)]
    if kind == "enum" and _is_framework_error(error):
        level1 = record.form[layout.indicator_field][path[1]].get("level1", "")
        return [make_issue(Problem.VALUE_008, **where, value=value, level1=level1,
                           expected="、".join(error.validator_value))]
    if kind == "enum":
        return [make_issue(Problem.VALUE_004, **where, value=value,
                           expected="、".join(map(str, error.validator_value)))]
    if kind == "maxLength":
        return [make_issue(Problem.VALUE_006, **where, value=len(value), expected=error.validator_value)]
    if kind in ("minItems", "maxItems"):
        return [make_issue(Problem.VALUE_009, **where, value=len(value), expected=error.validator_value)]
    if kind == "additionalProperties":
        extras = [k for k in value if k not in error.schema.get("properties", {})]
        return [make_issue(Problem.VALUE_011, **{**where, "field": _pointer(path + [k])}) for k in extras]
    slot = layout.slot_by_path.get(".".join(map(str, path)))
    if error.schema.get("x-perfxl-kind") == "amount":
        return [make_issue(Problem.VALUE_002, **where, value=_short(value), expected=_expect(slot))]
    if error.schema.get("format") == "date":
        return [make_issue(Problem.VALUE_003, **where, value=_short(value), expected=_expect(slot))]
    if kind in ("minimum", "maximum", "type") and slot is not None and slot.kind == INTEGER:
        return [make_issue(Problem.VALUE_005, **where, value=_short(value), expected=expectation(slot))]
    if kind == "pattern":
        return [make_issue(Problem.VALUE_010, **where, value=value)]
    return [make_issue(Problem.VALUE_007, **where, value=_short(value), expected=_explain(error))]


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
