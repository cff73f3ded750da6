"""Forms given as a JSON file (one form or an array), as records like those read from a sheet."""

from __future__ import annotations

import json
from pathlib import Path

from ..form.jsonforms import load_json_forms
from ..model import FormRecord, WorkbookResult
from ..problems import IssueSink, Problem


def read_json_file(path: Path, name: str, variant: str) -> WorkbookResult:
    sink = IssueSink(file=name)
    try:
        forms = load_json_forms(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        sink.add(Problem.FILE_003, expected=str(exc))
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
