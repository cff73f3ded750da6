"""The collected forms as files for other tools: JSONL (one form and its provenance per line, the
input of ``template --from``) and CSV (项目汇总 and 绩效指标明细)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ..form.layout import get_layout
from ..form.values import SHOW_BYTES, shown_text
from ..write.atomic import replacing
from ..write.carryover import jsonl_lines
from .consolidate import CollectedForm, Collection
from .columns import collection_columns
from .master import (
    indicator_headers,
    INDICATORS,
    PROJECTS,
    indicator_rows,
    project_rows,
)


def write_jsonl(collection: Collection, path: str | Path) -> None:
    """Every collected form with its provenance, one JSON object per line (written aside and
    renamed into place: the previous file stays whole until this one is)."""
    with replacing(path) as temporary, temporary.open("w", encoding="utf-8", errors=SHOW_BYTES) as handle:
        handle.writelines(jsonl_lines((item.record.form, provenance(item)) for item in collection.forms))


def provenance(item: CollectedForm) -> dict[str, Any]:
    """Where a collected form came from, kept apart from the form so the form stays schema-valid."""
    return {"file": shown_text(item.file.path), "sheet": item.record.sheet, "sha256": item.file.sha256,
            "form_id": item.record.form_id, "variant": item.record.variant,
            "schema_id": get_layout(item.record.variant).variant.schema_id,
            "errors": item.errors, "warnings": item.warnings}


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """A CSV has no cell types: Excel would run a text starting with = + - @ as a formula, so such
    text gets a leading apostrophe (the usual CSV-injection guard; Excel shows it as text)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(collection: Collection, out_dir: str | Path) -> list[Path]:
    """项目汇总 and 绩效指标明细 as CSV, UTF-8 with BOM so Excel opens the Chinese correctly."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    columns = collection_columns(collection)
    written = []
    for name, headers, rows in (
            (PROJECTS, [c.header for c in columns], project_rows(collection, columns)),
            (INDICATORS, indicator_headers(collection)[0], indicator_rows(collection))):
        path = out_dir / f"{name}.csv"
        with replacing(path) as temporary, \
                temporary.open("w", encoding="utf-8-sig", newline="", errors=SHOW_BYTES) as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                writer.writerow([_csv_cell(v) for v in row])
        written.append(path)
    return written
