"""perfxl's Python API: each CLI command is one function here, usable without typer.

The facade over the package (form definition ← write / read ← check ← collect ← api ← cli):
everything a user of perfxl needs is importable from here, and nothing inside the package
imports it back.

    from perfxl.api import make_roster_templates, check_file, collect_to_master, Settings
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .check.file import check_file
from .check.rules import description as rule_description
from .collect.consolidate import Collection, CollectedForm, FileEntry
from .collect.isolation import Failure, cpu_count, run_isolated
from .collect.jobs import validate_paths
from .collect.run import collect_to_master
from .config import DEFAULT_SETTINGS, Limits, ReviewConfig, Settings, load_config, load_settings
from .form.jsonforms import load_json_forms
from .form.layout import Layout, get_layout
from .form.values import shown_text
from .form.variant import DEFAULT_VARIANT, Variant, all_variants, data_dir, load_variant, variant_names
from .model import Checked, FormRecord, WorkbookResult
from .problems import ERROR, INFO, WARNING, Issue, Problem, has_errors
from .read.inputs import iter_input_files
from .read.workbook import read_workbook
from .write.carryover import make_carryover_templates
from .write.naming import safe_file_name
from .write.roster import RosterError
from .write.units import DEFAULT_ROWS, fill_forms, make_template, roster_jobs, write_unit_job

__all__ = [
    # the year's commands
    "make_template", "make_roster_templates", "make_carryover_templates", "fill_forms", "read_workbook",
    "check_file", "validate_paths", "collect_to_master", "run_demo", "DemoResult", "examples_dir",
    # what they take and give
    "Settings", "ReviewConfig", "Limits", "DEFAULT_SETTINGS", "load_settings", "load_config",
    "FormRecord", "WorkbookResult", "Checked", "Collection", "CollectedForm", "FileEntry",
    "Issue", "Problem", "ERROR", "WARNING", "INFO", "has_errors", "review_rules", "rule_description",
    "RosterError",
    # form variants
    "Variant", "Layout", "DEFAULT_VARIANT", "DEFAULT_ROWS", "variant_names", "all_variants", "load_variant",
    "get_layout",
    # helpers
    "load_json_forms", "iter_input_files", "safe_file_name", "shown_text", "cpu_count",
]


def make_roster_templates(roster: str | Path, out_dir: str | Path, *, variant: str = DEFAULT_VARIANT,
                          rows: int = DEFAULT_ROWS, password: str | None = None,
                          year: int | None = None, workers: int = 1) -> list[Path]:
    """One workbook per 实施单位, one pre-filled sheet per project of the roster (written by
    ``workers`` processes for a district's thousand units; the files are the same either way)."""
    jobs = roster_jobs(roster, out_dir, variant=variant, rows=rows, password=password, year=year)
    if workers <= 1:
        return [write_unit_job(job) for job in jobs]
    written = list(run_isolated(write_unit_job, jobs, workers=workers, seconds=None))
    failed = [result for result in written if isinstance(result, Failure)]
    if failed:
        raise RuntimeError(f"写入模板失败：{failed[0].detail}")
    return written


def review_rules() -> list[Problem]:
    """The review rules (绩效目标审核), in the order they run."""
    return Problem.rules()


# --- demo ----------------------------------------------------------------------------------
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
