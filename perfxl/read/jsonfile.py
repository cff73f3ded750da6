"""Forms given as a JSON file (one form or an array), as records like those read from a sheet."""

from __future__ import annotations

import json
from pathlib import Path

from ..form.jsonforms import load_json_forms, load_json_text
from ..model import FormRecord, WorkbookResult
from ..problems import IssueSink, Problem
from .reasons import json_reason


def read_json_file(path: Path, name: str, variant: str, *, data: bytes | None = None) -> WorkbookResult:
    """The forms of a JSON file (``data``: its bytes, when read already), each a record without
    cells; what cannot be read is a problem, never an exception."""
    sink = IssueSink(file=name)
    try:
        forms = load_json_forms(path) if data is None else load_json_text(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        sink.add(Problem.FILE_003, expected=json_reason(exc))
        return WorkbookResult(name, [], sink.issues)
    if not forms:
        sink.add(Problem.FILE_008)
    records = []
    for index, form in enumerate(forms):
        label = f"第 {index + 1} 个表单" if len(forms) > 1 else ""
        if not isinstance(form, dict):
            sink.add(Problem.VALUE_007, sheet=label, field="表单", value=str(form)[:50], expected="应为 JSON 对象")
            continue
        records.append(FormRecord(file=name, sheet=label, variant=variant, form=form, cells={}))
    return WorkbookResult(name, records, sink.issues)
