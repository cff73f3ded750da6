"""bench/small.py's whole-process steps for several versions of perfxl, taking turns in one period.

    .venv/bin/python bench/small_versions.py --repeat 7 main=/tmp/base-main branch=.

Each NAME=TREE is a work tree (a checkout, a worktree); its perfxl, schema, templates and examples
are copied to a temporary folder (as bench/small.py does), compiled once, and every step of every
version runs once per round, versions alternating within each step, so a busy spell of a shared
machine hits all versions alike. The demo workbooks are written once, by the first version, and
read by all. Prints, per step, the best wall time and the least CPU time (the process and its
workers) of each version. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from small import TARGETS, _once  # (the same measurement as bench/small.py)

PARTS = ("perfxl", "schema", "templates", "examples")


def _snapshot(tree: Path, dest: Path) -> Path:
    import shutil

    for name in PARTS:
        shutil.copytree(tree / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("versions", nargs="+", metavar="NAME=TREE")
    args = parser.parse_args()
    versions = dict(item.split("=", 1) for item in args.versions)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="perfxl-small-versions-") as tmp:
        work = Path(tmp)
        envs = {}
        for name, tree in versions.items():
            code = _snapshot(Path(tree).resolve(), work / "code" / name)
            envs[name] = {**os.environ, "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "0"}
            subprocess.run([python, "-c", ("import perfxl.cli, perfxl.commands, perfxl.api; "
                                           "perfxl.api.collect_to_master, perfxl.api.validate_paths")],
                           env=envs[name], cwd=work, check=True)
        first = next(iter(envs.values()))
        subprocess.run([python, "-c", ("from perfxl.api import examples_dir, fill_forms; fill_forms(sorted("
                                       "(examples_dir() / 'forms').glob('*.json')), 'demo', by_unit=True)")],
                       env=first, cwd=work, check=True)
        one = min((work / "demo").glob("*.xlsx"), key=lambda p: p.stat().st_size)
        steps = {
            "pass": [python, "-c", "pass"],
            "help": [python, "-m", "perfxl", "--help"],
            "validate": [python, "-m", "perfxl", "validate", str(one), "--workers", "1"],
            "collect": [python, "-m", "perfxl", "collect", str(work / "demo"), "--out", str(work / "m.xlsx"), "-q"],
        }
        best = {(step, name): (float("inf"), float("inf")) for step in steps for name in envs}
        for _ in range(args.repeat):
            for step, argv in steps.items():
                for name, env in envs.items():
                    wall, cpu = _once(argv, env, work)
                    old = best[step, name]
                    best[step, name] = (min(old[0], wall), min(old[1], cpu))
    names = list(envs)
    print(f"best of {args.repeat} runs, CPython {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at the end; wall / CPU seconds\n")
    print("| command | " + " | ".join(names) + " | target |")
    print("|---|" + "---:|" * len(names) + "---:|")
    for step in steps:
        cells = [f"{best[step, name][0]:.3f} / {best[step, name][1]:.3f}" for name in names]
        target = f"≤ {TARGETS[step]:g} s" if step in TARGETS else ""
        print(f"| {step} | " + " | ".join(cells) + f" | {target} |")


if __name__ == "__main__":
    main()
