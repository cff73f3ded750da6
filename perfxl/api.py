"""perfxl's Python API: each CLI command is one function here, usable without typer.

The facade over the package (form definition ← write / read ← check ← collect ← api ← cli):
everything a user of perfxl needs is importable from here, and no module of the layers below
imports it (only the CLI and the docs generator, above it, do).  The heavy parts (reading,
checking, collecting, writing) are imported when first used, so ``perfxl --help`` stays quick.

    from perfxl.api import make_roster_templates, check_file, collect_to_master, Settings
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .config import (
    DEFAULT_SETTINGS,
    Limits,
    MonitoringConfig,
    ReviewConfig,
    ScoringConfig,
    Settings,
    load_config,
    load_settings,
)
from .form.layout import DEFAULT_ROWS, Layout, get_layout
from .form.values import shown_text
from .form.variant import (
    DEFAULT_VARIANT,
    Variant,
    all_variants,
    load_variant,
    variant_names,
)
from .isolation import cpu_count
from .model import Checked, FormRecord, WorkbookResult
from .problems import ERROR, INFO, WARNING, Issue, Problem, has_errors

if TYPE_CHECKING:  # what the lazy names below are, for readers and type checkers
    from .check.file import check_file
    from .check.rules import description as rule_description
    from .check.scoring import SelfEvaluationScore, score_self_evaluation
    from .check.validate import FormGaps, MissingField, missing_fields, missing_in_json_files
    from .collect.consolidate import CollectedForm, Collection
    from .collect.files import FileEntry
    from .collect.frames import CollectionFrames, collection_frames
    from .collect.publish import Booklet, LeftOut, PublishedForm, publish_booklet
    from .collect.run import collect_to_master
    from .collect.validate import validate_paths
    from .check.monitoring import IndicatorStatus, indicator_statuses, monitoring_outputs
    from .collect.rounds import (
        computed_cells,
        make_monitoring_templates,
        make_self_eval_templates,
        prefilled_monitoring,
        prefilled_self_evaluations,
        with_prefilled,
        write_monitoring,
        write_self_evaluations,
    )
    from .collect.versions import PREFERENCES
    from .demo import (
        DemoResult,
        examples_dir,
        illustrative_monitoring,
        illustrative_self_evaluation,
        make_roster_templates,
        run_demo,
    )
    from .form.marks import MANIFEST_NAME
    from .form.jsonforms import load_json_forms
    from .form.monitoring import prefill_monitoring
    from .form.selfeval import prefill_self_evaluation
    from .read.inputs import iter_input_files
    from .read.roster import RosterError
    from .read.workbook import read_workbook
    from .write.carryover import make_carryover_templates
    from .write.naming import safe_file_name
    from .write.pdf import LibreOfficeMissing
    from .write.units import fill_forms, make_template

# name → module that defines it, imported on first use (PEP 562)
_LAZY = {
    "make_template": "write.units", "fill_forms": "write.units",
    "make_carryover_templates": "write.carryover", "safe_file_name": "write.naming",
    "read_workbook": "read.workbook", "iter_input_files": "read.inputs", "RosterError": "read.roster",
    "load_json_forms": "form.jsonforms",
    "check_file": "check.file", "rule_description": "check.rules",
    "score_self_evaluation": "check.scoring", "SelfEvaluationScore": "check.scoring",
    "prefill_self_evaluation": "form.selfeval",
    "missing_fields": "check.validate", "missing_in_json_files": "check.validate",
    "MissingField": "check.validate", "FormGaps": "check.validate",
    "collect_to_master": "collect.run", "validate_paths": "collect.validate",
    "collection_frames": "collect.frames", "CollectionFrames": "collect.frames",
    "publish_booklet": "collect.publish", "Booklet": "collect.publish", "PublishedForm": "collect.publish",
    "LeftOut": "collect.publish", "LibreOfficeMissing": "write.pdf",
    "Collection": "collect.consolidate", "CollectedForm": "collect.consolidate", "FileEntry": "collect.files",
    "make_self_eval_templates": "collect.rounds", "computed_cells": "collect.rounds",
    "prefilled_self_evaluations": "collect.rounds", "write_self_evaluations": "collect.rounds",
    "with_prefilled": "collect.rounds", "make_monitoring_templates": "collect.rounds",
    "prefilled_monitoring": "collect.rounds", "write_monitoring": "collect.rounds",
    "prefill_monitoring": "form.monitoring", "indicator_statuses": "check.monitoring",
    "monitoring_outputs": "check.monitoring", "IndicatorStatus": "check.monitoring",
    "illustrative_monitoring": "demo", "illustrative_self_evaluation": "demo",
    "make_roster_templates": "demo", "run_demo": "demo", "DemoResult": "demo", "examples_dir": "demo",
    "PREFERENCES": "collect.versions", "MANIFEST_NAME": "form.marks",
}
_RENAMED = {"rule_description": "description"}

__all__ = [
    # the year's commands
    "make_template", "make_roster_templates", "make_carryover_templates", "fill_forms", "read_workbook",
    "check_file", "validate_paths", "collect_to_master", "collection_frames", "CollectionFrames", "run_demo",
    "DemoResult", "examples_dir",
    # after 批复: the year's booklet
    "publish_booklet", "Booklet", "PublishedForm", "LeftOut", "LibreOfficeMissing",
    # the year-end self-evaluation
    "prefill_self_evaluation", "score_self_evaluation", "SelfEvaluationScore", "ScoringConfig",
    "make_self_eval_templates", "prefilled_self_evaluations", "write_self_evaluations", "with_prefilled",
    "computed_cells",
    # the mid-year monitoring
    "prefill_monitoring", "prefilled_monitoring", "make_monitoring_templates", "write_monitoring",
    "indicator_statuses", "IndicatorStatus", "monitoring_outputs", "MonitoringConfig", "illustrative_monitoring",
    "illustrative_self_evaluation",
    # what is still missing in a form (fill pre-fills; validate reports)
    "missing_fields", "missing_in_json_files", "MissingField", "FormGaps",
    "PREFERENCES", "MANIFEST_NAME",
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


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"perfxl.{_LAZY[name]}"), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def review_rules() -> list[Problem]:
    """The review rules (绩效目标审核), in the order they run."""
    return Problem.rules()
