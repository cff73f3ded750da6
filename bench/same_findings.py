"""Whether two trees read and check files identically: every file of the given folders through the
worker job (``check_job``, whole records and spooled ones), the results reduced to plain nested
tuples (types, dict order, every field of records and issues) and pickled per tree; then compared.

    PYTHONPATH=/tmp/base .venv/bin/python bench/same_findings.py dump base.pkl FOLDER...
    PYTHONPATH=.         .venv/bin/python bench/same_findings.py dump mine.pkl FOLDER...
    .venv/bin/python bench/same_findings.py compare base.pkl mine.pkl
"""

from __future__ import annotations

import dataclasses
import enum
import pickle
import sys
from pathlib import Path


def plain(value):
    """A value as nested tuples that compare equal only when everything matches, order and types too."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, tuple((f.name, plain(getattr(value, f.name)))
                                            for f in dataclasses.fields(value)))
    if isinstance(value, dict):
        return ("dict", tuple((plain(k), plain(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(plain(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, tuple(sorted(repr(plain(v)) for v in value)))
    if isinstance(value, enum.Enum):
        return ("enum", type(value).__name__, value.name)
    if isinstance(value, float):
        return ("float", repr(value))
    if hasattr(value, "__slots__") and not isinstance(value, (str, bytes, int)):
        return (type(value).__name__, tuple((name, plain(getattr(value, name, None))) for name in value.__slots__))
    return (type(value).__name__, value)


def dump(out: str, folders: list[str]) -> None:
    from perfxl.collect.jobs import check_job
    from perfxl.config import DEFAULT_SETTINGS

    files = sorted(str(p) for folder in folders for p in Path(folder).rglob("*") if p.is_file())
    results = []
    for path in files:
        whole = check_job((path, None, DEFAULT_SETTINGS, False))
        spooled = check_job((path, None, DEFAULT_SETTINGS, True))
        blobs = [pickle.loads(form.blob) for form in spooled.forms]
        for form in spooled.forms:
            form.blob = b""
        results.append((path, plain(whole), plain(spooled), plain(blobs)))
    with open(out, "wb") as handle:
        pickle.dump(results, handle)
    print(f"{len(files)} files → {out}")


def compare(a: str, b: str) -> int:
    with open(a, "rb") as handle:
        left = pickle.load(handle)
    with open(b, "rb") as handle:
        right = pickle.load(handle)
    if [r[0] for r in left] != [r[0] for r in right]:
        print("different file lists")
        return 1
    differing = [l[0] for l, r in zip(left, right) if l != r]
    for path in differing[:10]:
        print("differs:", path)
    print(f"{len(left)} files compared, {len(differing)} differ")
    return 1 if differing else 0


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3]))
