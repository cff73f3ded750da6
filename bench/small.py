"""The small end (issue 15): how long a clerk waits for one command, as whole processes.

    .venv/bin/python bench/small.py            # best of 7 runs each
    .venv/bin/python bench/small.py --repeat 15

Each command runs as its own process, the way a clerk starts it, from a snapshot of the work
tree's perfxl; the baseline in the same run is the interpreter doing nothing (``python -c pass``),
so the table shows what perfxl itself costs on top of starting Python:

  pass       python -c pass                          (the floor)
  import     python -c "import perfxl.cli"           (what every command pays first)
  help       python -m perfxl --help
  validate   python -m perfxl validate one.xlsx --workers 1  (one unit's workbook, 2 forms)
  collect    python -m perfxl collect demo/ --out m.xlsx -q  (the 3 demo workbooks, 18 forms)

Wall time is the best of ``--repeat`` runs (the least disturbed); nothing here asserts a timing.
Results: a table on stdout and bench/results/small.json.
"""

from __future__ import annotations

import argparse
import json
import os
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


def _best(argv: list[str], env: dict[str, str], cwd: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        best = min(best, time.perf_counter() - started)
    return best


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
        subprocess.run([python, "-c", "import perfxl.cli, perfxl.api; perfxl.api.collect_to_master"], env=env,
                       cwd=work, check=True)
        steps = {
            "pass": [python, "-c", "pass"],
            "import": [python, "-c", "import perfxl.cli"],
            "help": [python, "-m", "perfxl", "--help"],
            "validate": [python, "-m", "perfxl", "validate", str(one), "--workers", "1"],
            "collect": [python, "-m", "perfxl", "collect", str(work / "demo"), "--out", str(work / "m.xlsx"), "-q"],
        }
        seconds = {name: _best(argv, env, work, args.repeat) for name, argv in steps.items()}
    floor = seconds["pass"]
    lines = [f"best of {args.repeat} runs, CPython {sys.version.split()[0]}, {os.cpu_count()} cores", "",
             "| command | seconds | over `python -c pass` | × `python -c pass` | target |", "|---|---:|---:|---:|---:|"]
    for name, value in seconds.items():
        target = f"≤ {TARGETS[name]:g} s" if name in TARGETS else ""
        lines.append(f"| {name} | {value:.3f} | {value - floor:+.3f} | {value / floor:.1f}× | {target} |")
    print("\n".join(lines))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "small.json").write_text(json.dumps({"repeat": args.repeat, "seconds": seconds}, indent=2) + "\n",
                                        encoding="utf-8")


if __name__ == "__main__":
    main()
