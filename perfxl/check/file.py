"""One input file read and checked: every form validated against the schema, then reviewed."""

from __future__ import annotations

from pathlib import Path

from ..config import DEFAULT_SETTINGS, Settings
from ..form.layout import get_layout
from ..form.variant import DEFAULT_VARIANT, MONITORING_KIND, SELF_EVAL_KIND
from ..model import Checked, WorkbookResult
from ..problems import IssueSink, Problem
from ..read.inputs import WORKBOOK_SUFFIXES
from ..read.jsonfile import read_json_file
from ..read.workbook import read_workbook
from .review import review_record
from .validate import validate_record


def check_file(path: str | Path, *, variant: str | None = None, settings: Settings = DEFAULT_SETTINGS,
               display_name: str | None = None, data: bytes | None = None) -> Checked:
    """Read one workbook or JSON file, validate every form in it against the schema and run the
    review rules on it (unless ``settings.review`` is None): every problem in one pass.  Review
    runs on a form with schema errors too; each rule judges the values that are valid and skips
    what it cannot evaluate (:mod:`perfxl.check.formview`).  ``data``: the file's bytes when the
    caller has read them already."""
    path = path if isinstance(path, Path) else Path(path)  # the worker passes a Path already
    name = display_name or str(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        result = read_json_file(path, name, variant or DEFAULT_VARIANT, data=data)
    elif suffix in WORKBOOK_SUFFIXES:
        result = read_workbook(path, variant=variant, display_name=name, limits=settings.limits, data=data)
    else:
        sink = IssueSink(file=name)
        sink.add(Problem.FILE_004, value=path.suffix or path.name)
        return Checked(WorkbookResult(name, [], sink.issues))
    prefilled = dict(settings.prefilled)
    for record in result.forms:
        record.issues.extend(validate_record(record))
        # The kind says which checks follow the schema: a self-evaluation is scored, a monitoring
        # table given its statuses, a target table reviewed (绩效目标审核).
        kind = get_layout(record.variant).kind
        # (the scoring modules imported where a form needs them: a target table's start-up skips them)
        if kind == SELF_EVAL_KIND:
            from .selfeval import check_self_evaluation

            record.issues.extend(check_self_evaluation(record, settings.scoring, prefilled))
        elif kind == MONITORING_KIND:
            from .monitoring import check_monitoring

            record.issues.extend(check_monitoring(record, settings.scoring, prefilled, settings.monitoring))
        elif settings.review is not None:
            record.issues.extend(review_record(record, settings.review))
    return Checked(result)
