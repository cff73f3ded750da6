"""Time `perfxl template --roster` for a district: 1,000 units × 3 projects (issue 6: < 20 s).

    .venv/bin/python bench/templates.py [--units 1000] [--projects 3] [--workers W]

Prints seconds, workbooks/s and sheets/s for 1 process and for W processes, in the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from perfxl.api import make_roster_templates  # noqa: E402


def write_roster(path: Path, units: int, projects: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["主管部门", "实施单位", "年度", "项目名称", "项目类别", "项目资金总额", "年度资金申请总额"])
        for u in range(units):
            for p in range(projects):
                amount = f"{(u * 37 + p * 11) % 5000 + 1}.{(u + p) % 10000:04d}".rstrip("0").rstrip(".")
                out.writerow([f"第{u % 12 + 1}街道办事处", f"单位{u:04d}", 2024, f"项目{u:04d}-{p + 1}",
                              "经常性项目", amount, amount])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=3)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="perfxl-bench-templates-"))
    roster = work / "roster.csv"
    write_roster(roster, args.units, args.projects)
    results = {}
    for workers in sorted({1, args.workers}):
        out = work / f"out-{workers}"
        start = time.perf_counter()
        paths = make_roster_templates(roster, out, workers=workers)
        seconds = time.perf_counter() - start
        results[workers] = {"seconds": round(seconds, 2), "workbooks": len(paths),
                            "workbooks_per_s": round(len(paths) / seconds, 1),
                            "sheets_per_s": round(len(paths) * args.projects / seconds, 1)}
        print(f"workers={workers}: {len(paths)} workbooks ({len(paths) * args.projects} sheets) in "
              f"{seconds:.1f} s — {len(paths) / seconds:.0f} workbooks/s")
    if len(results) == 2:
        one, many = results[1]["seconds"], results[args.workers]["seconds"]
        print(f"speed-up with {args.workers} workers: {one / many:.2f}×")
    Path(ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / f"templates-{args.units}x{args.projects}.json").write_text(
        json.dumps(results, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
