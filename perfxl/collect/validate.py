"""``perfxl validate``: every input checked, no master written.

Apart from :mod:`perfxl.collect.run`, so that validating one workbook does not import the master's
writer (xlsxwriter) and the exports it never uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from ..config import DEFAULT_SETTINGS, Settings
from ..model import Checked, WorkbookResult
from ..read.inputs import discover_inputs
from .jobs import run_jobs, skipped_issue


def validate_paths(paths: Iterable[str | Path], *, variant: str | None = None,
                   settings: Settings = DEFAULT_SETTINGS, workers: int = 1,
                   on_progress: Callable[[int, int], None] | None = None) -> list[Checked]:
    """Check every file, each in an isolated worker process (a parser crash costs one file); an
    entry that is not read (a named pipe, a dangling link …) is reported with the reason."""
    found = discover_inputs(paths, json_in_folders=True)
    results = run_jobs(found.files, variant=variant, settings=settings, workers=workers,
                       on_progress=on_progress)
    checked = [Checked(WorkbookResult(result.entry.path, list(result.forms), result.issues)) for result in results]
    return checked + [Checked(WorkbookResult(entry.path, [], [skipped_issue(entry)])) for entry in found.skipped]
