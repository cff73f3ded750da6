"""The main job on the bundled examples, end to end (``perfxl demo``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .collect.publish import Booklet, publish_booklet
from .collect.run import collect_to_master
from .form.jsonforms import load_json_forms
from .form.layout import DEFAULT_ROWS, get_layout
from .form.marks import MANIFEST_NAME
from .form.variant import DEFAULT_VARIANT, data_dir
from .problems import Issue
from .read.manifest import manifest_text
from .read.roster import group_by_unit, read_roster
from .write.atomic import replacing
from .write.pdf import LibreOfficeMissing, find_soffice
from .write.units import fill_forms, make_unit_templates


def make_roster_templates(roster: str | Path, out_dir: str | Path, *, variant: str = DEFAULT_VARIANT,
                          rows: int | None = DEFAULT_ROWS, password: str | None = None,
                          year: int | None = None, workers: int = 1,
                          on_note: Callable[[str], None] | None = None) -> list[Path]:
    """One workbook per 实施单位, one pre-filled sheet per project of the roster (read through the
    safety gate and checked whole before anything is written; written by ``workers`` processes,
    the files the same either way), and beside them the roster's projects as JSON
    (:data:`~perfxl.form.marks.MANIFEST_NAME`), which ``collect --roster`` takes as well as the
    roster itself.  ``on_note`` hears, in Chinese, what the roster had that was ignored (columns
    that are no form field)."""
    layout = get_layout(variant)
    entries = read_roster(roster, layout, year=year)
    if on_note is not None and entries.note:
        on_note(entries.note)
    paths = make_unit_templates(group_by_unit(entries), out_dir, variant=variant, rows=rows, password=password,
                                workers=workers)
    with replacing(Path(out_dir) / MANIFEST_NAME) as temporary:
        temporary.write_text(manifest_text(entries, layout), encoding="utf-8")
    return paths


def examples_dir() -> Path:
    """The bundled examples: the roster and the 18 real 2023 forms of 浦江镇."""
    return data_dir("examples")


@dataclass
class DemoResult:
    templates: list[Path]
    filled: list[Path]
    forms_read: int
    round_trip_equal: int
    master: Path
    issues: list[Issue] = field(default_factory=list)
    roster: dict[str, Any] | None = None  # 报送情况 against the bundled roster (Collection.summary()["roster"])
    booklet: Booklet | None = None  # 绩效目标表汇编.xlsx (and .pdf where LibreOffice is installed)


def run_demo(out_dir: str | Path, *, workers: int = 1) -> DemoResult:
    """The main job on the bundled examples: templates from the roster, filled workbooks from the
    example forms (one per unit, as units return them), read back and compared, then collected
    against the roster into the master workbook (报送情况 first) with its JSONL export and
    feedback copies; then the year's booklet of the forms without errors (绩效目标表汇编.xlsx, and
    its PDF where LibreOffice is installed)."""
    out_dir = Path(out_dir)
    examples = examples_dir()
    templates = make_roster_templates(examples / "roster.csv", out_dir / "templates")
    sources = sorted((examples / "forms").glob("*.json"))
    filled = fill_forms(sources, out_dir / "filled", by_unit=True)
    originals = [form for path in sources for form in load_json_forms(path)]
    master = out_dir / "汇总.xlsx"
    collection = collect_to_master([out_dir / "filled"], master, workers=workers, roster=examples / "roster.csv",
                                   jsonl=out_dir / "forms.jsonl", feedback_dir=out_dir / "退回")
    read_back = [item.record.form for item in collection.forms]
    equal = sum(1 for form in originals if form in read_back)
    (out_dir / "forms.json").write_text(json.dumps(read_back, ensure_ascii=False, indent=2) + "\n",
                                        encoding="utf-8")
    try:
        office: str | None = find_soffice()
    except LibreOfficeMissing:
        office = None  # the workbook booklet still; the CLI says how to get the PDF
    booklet = publish_booklet([out_dir / "filled"], out_dir / BOOKLET_NAME, roster=examples / "roster.csv",
                              pdf=office is not None, soffice=office, workers=workers)
    return DemoResult(templates, filled, len(read_back), equal, master, collection.issues,
                      collection.summary()["roster"], booklet)


BOOKLET_NAME = "绩效目标表汇编.xlsx"
