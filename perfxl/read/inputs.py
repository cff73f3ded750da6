"""Which files a run reads: the files named, and the files under the folders named."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Iterator

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def iter_input_files(paths: Iterable[str | Path], exclude: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Files named, and files under folders named (recursively, sorted), skipping office lock
    files and hidden files, and files that are, or are under, a path in ``exclude`` (compared
    resolved: a run's own outputs are never its inputs)."""
    skip = [Path(p).resolve() for p in exclude]
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # Only outputs inside this folder can be met while walking it: resolve files only then
            # (a district folder holds thousands of files).
            here = [place for place in skip if is_within(place, [path.resolve()])]
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not is_ignored(child.relative_to(path)) and not (here and is_within(child, here)):
                    yield child
        elif not (skip and is_within(path, skip)):
            yield path


def is_within(path: str | Path, places: Iterable[Path]) -> bool:
    """Whether ``path`` resolves to one of the (resolved) ``places`` or to something under one."""
    resolved = os.path.realpath(path)
    return any(resolved == str(place) or resolved.startswith(str(place).rstrip(os.sep) + os.sep)
               for place in places)


def is_ignored(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts) or relative.name.startswith(".~lock.")
