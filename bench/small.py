"""The small end (issue 15): how long a clerk waits for one command, as whole processes.

    .venv/bin/python bench/small.py            # best of 7 runs each
    .venv/bin/python bench/small.py --repeat 15

Each command runs as its own process, the way a clerk starts it, from a snapshot of the work
tree's perfxl; the baseline in the same run is the interpreter doing nothing (``python -c pass``),
so the table shows what perfxl itself costs on top of starting Python:

  pass       python -c pass                          (the floor)
  import     python -c "import perfxl.commands"      (the typer app every command but --help builds)
  help       python -m perfxl --help                 (answered from perfxl/help.json, see perfxl/cli.py)
  validate   python -m perfxl validate one.xlsx --workers 1  (one unit's workbook, 2 forms)
  collect    python -m perfxl collect demo/ --out m.xlsx -q  (the 3 demo workbooks, 18 forms)

The steps take turns (round after round), so a slow spell of the machine hits them all alike. Wall
time is the best of ``--repeat`` runs (the least disturbed); CPU is the least user + system time
of the process and its children (workers included), which other programs on a shared machine
disturb less. Nothing here asserts a timing.
Results: a table on stdout and bench/results/small.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
TARGETS = {"help": 0.1, "validate": 0.2, "collect": 0.4}  # seconds, issue 15 (informative)


def _snapshot(dest: Path) -> Path:
    for name in ("perfxl", "schema", "templates", "examples"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one whole process (its waited-for workers included)."""
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="perfxl-small-") as tmp:
        work = Path(tmp)
        code = _snapshot(work / "code")
        env = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "0"}
        python = sys.executable
        # the demo's filled workbooks, written by the snapshot's own perfxl
        subprocess.run([python, "-c", "from perfxl.api import examples_dir, fill_forms; "
                        "fill_forms(sorted((examples_dir() / 'forms').glob('*.json')), 'demo', by_unit=True)"],
                       env=env, cwd=work, check=True)
        one = sorted((work / "demo").glob("*.xlsx"), key=lambda p: p.stat().st_size)[0]
        # compile the snapshot once, so no step pays for writing .pyc files
        subprocess.run([python, "-c", "import perfxl.cli, perfxl.commands, perfxl.api; "
                        "perfxl.api.collect_to_master, perfxl.api.validate_paths"], env=env, cwd=work, check=True)
        steps = {
            "pass": [python, "-c", "pass"],
            "import": [python, "-c", "import perfxl.commands"],
            "help": [python, "-m", "perfxl", "--help"],
            "validate": [python, "-m", "perfxl", "validate", str(one), "--workers", "1"],
            "collect": [python, "-m", "perfxl", "collect", str(work / "demo"), "--out", str(work / "m.xlsx"), "-q"],
        }
        seconds = dict.fromkeys(steps, float("inf"))
        cpu = dict.fromkeys(steps, float("inf"))
        for _ in range(args.repeat):
            for name, argv in steps.items():
                wall, used = _once(argv, env, work)
                seconds[name], cpu[name] = min(seconds[name], wall), min(cpu[name], used)
    floor = seconds["pass"]
    load = os.getloadavg()[0]
    lines = [f"best of {args.repeat} runs, CPython {sys.version.split()[0]}, {os.cpu_count()} cores, "
             f"load average {load:.1f} at the end", "",
             "| command | seconds | over `python -c pass` | × `python -c pass` | CPU seconds | target |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, value in seconds.items():
        target = f"≤ {TARGETS[name]:g} s" if name in TARGETS else ""
        lines.append(f"| {name} | {value:.3f} | {value - floor:+.3f} | {value / floor:.1f}× | {cpu[name]:.3f} | {target} |")
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "small.json").write_text(json.dumps({"repeat": args.repeat, "seconds": seconds, "cpu_seconds": cpu,
                                                    "load_average": load}, indent=2) + "\n",
                                        encoding="utf-8")


if __name__ == "__main__":
    main()
