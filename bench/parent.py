"""The parent's side of a collect (issue 15, speedparent): CPU seconds and the parent's own peak
memory, code versions run alternately in the same period.

    .venv/bin/python bench/parent.py --root /tmp/base=before --root .=after --forms 1000 10000 \
        --workers 1 2 --rounds 3 --out /tmp/parent-bench

Each run is a fresh process (``PYTHONPATH`` = the root) doing ``collect_to_master`` on the bench
cache's inbox with a JSONL export.  Measured in the child: CPU seconds of the parent and of its
children (getrusage SELF and CHILDREN) and the parent's own peak resident set (VmHWM) in two
phases: reading and consolidating up to the master (``collect`` and ``tally``), then writing the
master and the JSONL (the high-water mark is reset between them through /proc/self/clear_refs).
The outputs are kept per root, so that ``cmp`` can compare them byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")  # resets VmHWM to the current RSS (Linux ≥ 4.0)


def child(folder: str, workers: int, out: str) -> None:
    if out == "-":  # the read path alone: collect(), no master, no export
        from perfxl.collect.consolidate import collect

        _reset_peak()
        cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        collection = collect([folder], workers=workers)
        after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        print(json.dumps({"wall": time.perf_counter() - started,
                          "cpu_self": after[0].ru_utime + after[0].ru_stime - cpu[0].ru_utime - cpu[0].ru_stime,
                          "cpu_children": after[1].ru_utime + after[1].ru_stime - cpu[1].ru_utime - cpu[1].ru_stime,
                          "forms": len(collection.forms), "read_peak_kb": _status_kb("VmHWM"),
                          "master_peak_kb": 0, "discovered_peak_kb": 0}))
        return
    from perfxl.api import collect_to_master
    from perfxl.collect import run

    marks: dict[str, int] = {}
    original = run._build_master

    def build_master(*args, **kwargs):
        marks["read_peak_kb"] = _status_kb("VmHWM")
        marks["before_master_rss_kb"] = _status_kb("VmRSS")
        _reset_peak()
        return original(*args, **kwargs)

    run._build_master = build_master
    discover = run.discover_inputs

    def discover_inputs(*args, **kwargs):  # the inbox listed (read/inputs.py): its own share of the peak
        found = discover(*args, **kwargs)
        marks["discovered_peak_kb"] = _status_kb("VmHWM")
        return found

    run.discover_inputs = discover_inputs
    _reset_peak()
    marks["start_rss_kb"] = _status_kb("VmRSS")
    started = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    collection = collect_to_master([folder], Path(out) / "汇总.xlsx", workers=workers,
                                   jsonl=Path(out) / "forms.jsonl")
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    marks["master_peak_kb"] = _status_kb("VmHWM")
    result = {"wall": time.perf_counter() - started,
              "cpu_self": after[0].ru_utime + after[0].ru_stime - cpu[0].ru_utime - cpu[0].ru_stime,
              "cpu_children": after[1].ru_utime + after[1].ru_stime - cpu[1].ru_utime - cpu[1].ru_stime,
              "forms": len(collection.forms), "summary": collection.summary(), **marks}
    print(json.dumps(result, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", action="append", required=True, help="PATH=LABEL")
    parser.add_argument("--forms", type=int, nargs="+", default=[1000])
    parser.add_argument("--workers", type=int, nargs="+", default=[1])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default="/tmp/parent-bench")
    parser.add_argument("--read-only", action="store_true", help="collect() alone: no master, no export")
    parser.add_argument("--_child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        child(args._child[0], int(args._child[1]), args._child[2])
        return 0
    roots = [tuple(item.split("=", 1)) for item in args.root]
    results: dict[tuple, list[dict]] = {}
    for _ in range(args.rounds):
        for n in args.forms:
            for workers in args.workers:
                for root, label in roots:  # alternately, in the same period
                    out = Path(args.out) / f"{label}-{n}-w{workers}"
                    out.mkdir(parents=True, exist_ok=True)
                    env = {**os.environ, "PYTHONPATH": str(Path(root).resolve())}
                    folder = HERE / "cache" / str(n) / "files"
                    line = subprocess.run([sys.executable, __file__, "--root", "x", "--_child", str(folder),
                                           str(workers), "-" if args.read_only else str(out)], env=env, cwd="/tmp", check=True,
                                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
                    result = json.loads(line)
                    results.setdefault((n, workers, label), []).append(result)
                    print(n, workers, label, {k: v for k, v in result.items() if k != "summary"}, flush=True)
    print("\n| N | workers | version | parent CPU s | children CPU s | total CPU s | parent peak reading (MB) "
          "| parent peak master (MB) | peak after listing the inbox (MB) | wall s |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for (n, workers, label), runs in results.items():
        def median(key: str, runs: list[dict] = runs) -> float:
            return statistics.median(run[key] for run in runs)
        print(f"| {n:,} | {workers} | {label} | {median('cpu_self'):.2f} | {median('cpu_children'):.2f} "
              f"| {statistics.median(r['cpu_self'] + r['cpu_children'] for r in runs):.2f} "
              f"| {median('read_peak_kb') / 1024:.1f} | {median('master_peak_kb') / 1024:.1f} "
              f"| {median('discovered_peak_kb') / 1024:.1f} "
              f"| {median('wall'):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
