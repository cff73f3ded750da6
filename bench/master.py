"""The master alone, written by one process or beside a forked one (issue 15), same period.

    .venv/bin/python bench/master.py --forms 2000 --repeat 5

Collects the generated inbox of N forms (``bench/cache/<N>``, made by ``generate.py``) once,
then writes its master with ``build_master(..., workers=1)`` (every row spooled by this process,
the code path before issue 15) and ``workers=2`` (绩效指标明细's rows spooled by a forked
process) alternately, R times each: wall time and CPU (``getrusage`` of this process and its
waited children) per run, the medians, and whether the two files are byte-identical (they must
be).  Nothing here asserts a timing; on a machine whose cores are taken by other programs the
forked process has no core to run on and the two take the same time.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from perfxl.collect.consolidate import collect
from perfxl.collect.master import build_master
from perfxl.collect.tally import tally


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = HERE / "cache" / str(args.forms) / "files"
    if not folder.is_dir():
        sys.exit(f"no inbox at {folder}: run bench/generate.py --forms {args.forms} first")
    collection = collect([folder], workers=2)
    tally(collection)
    runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="perfxl-bench-master-") as tmp:
        for _ in range(args.repeat):
            for workers in (1, 2):
                wall, cpu = time.perf_counter(), _cpu()
                build_master(collection, Path(tmp) / f"m{workers}.xlsx", workers=workers)
                runs[workers].append((time.perf_counter() - wall, _cpu() - cpu))
        same = (Path(tmp) / "m1.xlsx").read_bytes() == (Path(tmp) / "m2.xlsx").read_bytes()
    collection.close()
    print(f"N = {args.forms} forms, {len(collection.files)} files, {args.repeat} runs each, alternating")
    print("| build_master | wall median s | CPU median s | wall per run |")
    print("|---|---:|---:|---|")
    for workers, measured in runs.items():
        walls, cpus = sorted(m[0] for m in measured), sorted(m[1] for m in measured)
        print(f"| workers={workers} | {walls[len(walls) // 2]:.2f} | {cpus[len(cpus) // 2]:.2f} | "
              f"{', '.join(f'{m[0]:.2f}' for m in measured)} |")
    print("files byte-identical" if same else "FILES DIFFER")


if __name__ == "__main__":
    main()
