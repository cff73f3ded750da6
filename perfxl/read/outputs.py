"""perfxl's own text outputs recognised by their marks (:mod:`perfxl.form.marks`): the CSV and
JSONL exports of ``collect`` and the roster manifest.  Workbooks are recognised by the gate
(:attr:`perfxl.read.gate.Scan.output`).  Called in the worker that read the file, on its bytes."""

from __future__ import annotations

import json
import re

from ..form.marks import MANIFEST_KEY, MANIFEST_MARK, PROVENANCE_HEADERS

CSV_EXPORT, JSONL_EXPORT, MANIFEST = "CSV 导出", "JSONL 导出", "名单"
_FIRST_LINE_CAP = 64 * 1024  # a header row is short; a JSONL line holds one form (goals of any length)
_MANIFEST_START = re.compile(rb'\s*\{\s*"' + MANIFEST_KEY.encode() + rb'"\s*:\s*"' + MANIFEST_MARK.encode("utf-8") + rb'"')


def output_kind(suffix: str, data: bytes | None) -> str:
    """Which of perfxl's text outputs a file is ("" for none): judged by content, the suffix only
    says which mark to look for."""
    if not data:
        return ""
    data = data.removeprefix(b"\xef\xbb\xbf")
    suffix = suffix.lower()
    if suffix == ".csv":
        return CSV_EXPORT if _is_csv_export(data) else ""
    if suffix == ".jsonl":
        return JSONL_EXPORT if _is_jsonl_export(data) else ""
    if suffix == ".json":
        return MANIFEST if _MANIFEST_START.match(data, 0, 200) else ""
    return ""


def _is_csv_export(data: bytes) -> bool:
    """项目汇总.csv ends its header with the provenance columns, 绩效指标明细.csv with them and 单元格."""
    import csv  # only for a .csv among the inputs (validate and collect start without it)

    line = data[:_FIRST_LINE_CAP].split(b"\n", 1)[0]
    try:
        header = next(csv.reader([line.decode("utf-8").rstrip("\r")]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return False
    return PROVENANCE_HEADERS in (tuple(header[-2:]), tuple(header[-3:-1])) and header[0] in ("序号", "实施单位")


def _is_jsonl_export(data: bytes) -> bool:
    """A collect --jsonl line: {"form": {…}, "source": {…, "schema_id": …}}."""
    line = data.split(b"\n", 1)[0]
    try:
        item = json.loads(line)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return (isinstance(item, dict) and set(item) == {"form", "source"} and isinstance(item["source"], dict)
            and "schema_id" in item["source"])
