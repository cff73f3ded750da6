"""The worker's CPU per form (issue 15, the large end): ``check_job`` run in-process over every
file of a bench inbox, the code of one or more trees taking turns, CPU seconds compared.

    .venv/bin/python bench/worker.py --forms 1000 --tree /tmp/base-main --tree . --rounds 5

Each round runs every tree once, in order, each in a fresh process (``PYTHONPATH=tree``): the
files are read once to warm the page cache and the caches of the code, then ``passes`` times
with ``time.process_time`` around each phase (wrappers on the module functions: the safety gate,
read_workbook as a whole, validation, review, spooling) and around the whole job.  The table
gives per tree the median over rounds of the per-form CPU milliseconds of each phase; "calamine
+ reader" is read_workbook less the gate.  Nothing is written to the inbox.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PHASES = [("gate", "perfxl.read.workbook", "check_bytes_safety"),
          ("read", "perfxl.check.file", "read_workbook"),
          ("validate", "perfxl.check.file", "validate_record"),
          ("review", "perfxl.check.file", "review_record"),
          ("spool", "perfxl.collect.jobs", "spool")]


def child(folder: str, passes: int) -> None:
    import importlib

    from perfxl.collect.jobs import check_job
    from perfxl.config import DEFAULT_SETTINGS

    spent = {name: 0.0 for name, _, _ in PHASES}

    def wrap(name: str, module_name: str, attr: str) -> None:
        module = importlib.import_module(module_name)
        inner = getattr(module, attr)
        clock = time.process_time

        def timed(*args, **kwargs):
            start = clock()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[name] += clock() - start

        setattr(module, attr, timed)

    files = sorted(str(p) for p in Path(folder).iterdir() if p.suffix == ".xlsx")
    files = files[:int(os.environ.get("WORKER_FILES", len(files)))]  # a sample, for valgrind
    forms = 0
    for path in files:  # warm: page cache, the code's caches
        forms += len(check_job((path, None, DEFAULT_SETTINGS, True)).forms)
    for name, module_name, attr in PHASES:
        wrap(name, module_name, attr)
    start = time.process_time()
    for _ in range(passes):
        for path in files:
            check_job((path, None, DEFAULT_SETTINGS, True))
    total = time.process_time() - start
    per_form = {name: 1000 * seconds / (forms * max(passes, 1)) for name, seconds in spent.items()}
    per_form["total"] = 1000 * total / (forms * max(passes, 1))
    print(json.dumps({"forms": forms, "files": len(files), "ms_per_form": per_form}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forms", type=int, default=1000, help="the bench inbox bench/cache/N/files")
    parser.add_argument("--tree", action="append", default=[], help="a source tree (repeat: they take turns)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--_child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        child(args._child[0], int(args._child[1]))
        return
    folder = HERE / "cache" / str(args.forms) / "files"
    runs: dict[str, list[dict[str, float]]] = {tree: [] for tree in args.tree}
    for round_ in range(args.rounds):
        for tree in args.tree:
            env = dict(os.environ, PYTHONPATH=str(Path(tree).resolve()))
            out = subprocess.run([sys.executable, __file__, "--_child", str(folder), str(args.passes)],
                                 env=env, capture_output=True, text=True, check=True).stdout
            result = json.loads(out.strip().splitlines()[-1])
            runs[tree].append(result["ms_per_form"])
            print(f"round {round_ + 1} {tree}: " + ", ".join(f"{k} {v:.3f}" for k, v in result["ms_per_form"].items()),
                  file=sys.stderr)
    columns = ["gate", "calamine + reader", "read", "validate", "review", "spool", "other", "total"]
    print("| tree | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for tree, results in runs.items():
        for r in results:
            r["calamine + reader"] = r["read"] - r["gate"]
            r["other"] = r["total"] - r["read"] - r["validate"] - r["review"] - r["spool"]
        medians = {c: statistics.median(r[c] for r in results) for c in columns}
        print(f"| {tree} | " + " | ".join(f"{medians[c]:.3f}" for c in columns) + " |")


if __name__ == "__main__":
    main()
