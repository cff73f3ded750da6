"""Benchmark of ``perfxl collect`` (issue 6): perfxl against a naive openpyxl script and the
calamine floor, on the same generated workbooks, in the same run.

    .venv/bin/python bench/collect.py --forms 1000
    .venv/bin/python bench/collect.py --forms 100 1000 10000 --skip-baseline
    .venv/bin/python bench/collect.py --forms 1000 --profile 1000

Measured, each in a fresh subprocess (so memory is per step and nothing is shared or warm):

  (a)   perfxl.api.collect_to_master(folder, out, workers=W): read, validate, (review when the
        collect pipeline runs it), master workbook written;
  (a')  perfxl.collect.consolidate.collect(folder, workers=W): the read path alone, no master;
  (b)   the naive first script: openpyxl.load_workbook(path, data_only=True) per file, the same
        cells read (from perfxl.form.layout), one process; on a sample of at most --baseline-sample
        files, extrapolated per file;
  (c1)  the floor: python-calamine reading the raw values of the same sheets, nothing else,
        one process;
  (cW)  the same floor with W processes.

Seconds are measured inside the subprocess around the call only (imports and interpreter start
are reported apart).  Peak memory is sampled from /proc over the whole process tree of the step
(sum of RSS, and sum of PSS which counts pages shared by forked workers once) and also taken from
sampled per process as well (the largest single process: the peak RSS of whichever process of the
tree peaked highest, sampled, and for the step's own process its kernel high-water mark VmHWM;
getrusage's ru_maxrss is not used for it, since Linux carries a parent's maxrss across fork and
exec into every child).  Timings are reported, never asserted.

Results: a table on stdout and bench/results/collect-<N>.json.  See bench/README.md.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))

STEPS = {
    "a": "(a) perfxl collect → master",
    "a_read": "(a') perfxl read path (collect, no master)",
    "b": "(b) openpyxl naive, 1 process",
    "p_openpyxl": "(p1) pandas read_excel (openpyxl) + master, 1 process",
    "p_calamine": "(p2) pandas read_excel (calamine) + master, 1 process",
    "c1": "(c1) calamine raw values, 1 process",
    "cW": "(cW) calamine raw values, W processes",
}
ORDER = ["a", "a_read", "b", "p_openpyxl", "p_calamine", "c1", "cW"]
BASELINES = ("b", "p_openpyxl", "p_calamine")  # sampled and extrapolated; --skip-baseline skips them
TARGETS = {"collect_forms_per_s": 700, "collect_vs_openpyxl": 20, "read_forms_per_s": 2000, "peak_rss_mb": 300}


# =========================================================================================
# The measured steps: run in a child process (``--_step``)
# =========================================================================================
def _files(folder: str) -> list[str]:
    from perfxl.api import iter_input_files

    return [str(p) for p in iter_input_files([folder])]


def _issue_codes(issues) -> dict[str, int]:
    counts: dict[str, int] = {}
    for issue in issues:
        counts[issue.code] = counts.get(issue.code, 0) + 1
    return dict(sorted(counts.items()))


def _review_codes() -> set[str]:
    try:
        from perfxl.problems import Problem

        return {problem.code for problem in Problem.rules()}
    except Exception:  # review not there (yet): nothing to recognise
        return set()


def _time_phase(module: Any, name: str, timing: dict[str, float]) -> None:
    """Wrap ``module.name`` so its duration lands in ``timing`` (looked up at call time by perfxl,
    so the phases of one measured call can be told apart without touching perfxl)."""
    original = getattr(module, name, None)
    if original is None:
        return

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            timing[f"{name}_seconds"] = timing.get(f"{name}_seconds", 0.0) + time.perf_counter() - started

    setattr(module, name, timed)


def step_a(folder: str, workers: int, **_: Any) -> dict[str, Any]:
    import perfxl.collect.consolidate
    import perfxl.collect.run
    from perfxl.api import collect_to_master

    timing: dict[str, float] = {}
    _time_phase(perfxl.collect.run, "build_master", timing)
    _time_phase(perfxl.collect.consolidate, "resolve", timing)
    with tempfile.TemporaryDirectory(prefix="perfxl-bench-") as tmp:
        out = Path(tmp) / "汇总.xlsx"
        started = time.perf_counter()
        collection = collect_to_master([folder], out, workers=workers)
        seconds = time.perf_counter() - started
        master_bytes = out.stat().st_size
    codes = _issue_codes(issue for chunk in collection.iter_problem_chunks() for issue in chunk)  # streamed
    review = _review_codes()
    return {"seconds": seconds, "files": len(collection.files), "forms": len(collection.forms),
            "master_seconds": timing.get("build_master_seconds"),
            "consolidate_seconds": timing.get("resolve_seconds"), "master_bytes": master_bytes,
            "issue_codes": codes, "review_ran": bool(review & set(codes)),
            "summary": collection.summary()}


def step_a_read(folder: str, workers: int, **_: Any) -> dict[str, Any]:
    import perfxl.collect.consolidate

    timing: dict[str, float] = {}
    _time_phase(perfxl.collect.consolidate, "resolve", timing)
    started = time.perf_counter()
    collection = perfxl.collect.consolidate.collect([folder], workers=workers)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "files": len(collection.files), "forms": len(collection.forms),
            "issues": sum(total for _, _, total in collection.problem_counts().values()), "consolidate_seconds": timing.get("resolve_seconds")}


def _naive_openpyxl(path: str) -> list[dict[str, Any]]:
    """What a competent developer writes first: openpyxl, data_only, the cells perfxl.form.layout names."""
    import datetime as dt

    import openpyxl

    from perfxl.form.layout import get_layout

    layout = get_layout("pujiang-2023")
    book = openpyxl.load_workbook(path, data_only=True)
    forms = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible" or ws["A1"].value != layout.title:
            continue
        form: dict[str, Any] = {}
        for slot in layout.slots:
            value = ws[slot.area.ref].value
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                value = value.date().isoformat()
            elif isinstance(value, float):
                value = repr(value)
            node = form
            *parents, last = slot.path.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = value
        columns = {part: area.first_col + 1 for part, area in layout.indicator_areas.items()}
        indicators, level1, level2 = [], None, None
        for row in range(layout.first_indicator_row + 1, ws.max_row + 1):
            values = {part: ws.cell(row, col).value for part, col in columns.items()}
            if values["level1"]:
                level1, level2 = values["level1"], None
            if values["level2"]:
                level2 = values["level2"]
            if values["name"] or values["target"]:
                indicators.append({"level1": level1, "level2": level2, "name": values["name"],
                                   "target": values["target"]})
        form["indicators"] = indicators
        forms.append(form)
    book.close()
    return forms


def _pandas_forms(path: str, engine: str) -> list[dict[str, Any]]:
    """What an analyst writes: pandas.read_excel of every sheet, the cells the layout names."""
    import pandas

    from perfxl.form.layout import get_layout

    layout = get_layout("pujiang-2023")
    forms = []
    for name, frame in pandas.read_excel(path, sheet_name=None, header=None, engine=engine).items():
        if name.startswith("_") or name == "填表说明" or frame.empty or frame.iat[0, 0] != layout.title:
            continue
        grid = frame.values
        def at(row: int, col: int) -> Any:
            return grid[row, col] if row < grid.shape[0] and col < grid.shape[1] else None
        form = {slot.path: at(slot.area.first_row, slot.area.first_col) for slot in layout.slots}
        cols = [area.first_col for area in layout.indicator_areas.values()]
        form["indicators"] = [[at(row, col) for col in cols] for row in range(layout.first_indicator_row, grid.shape[0])]
        forms.append(form)
    return forms


def step_pandas(folder: str, sample: int, engine: str, **_: Any) -> dict[str, Any]:
    """(p1)/(p2): read the sample with pandas, write a master of one row per form with pandas."""
    import pandas

    files = _files(folder)
    chosen = _sample(files, sample)
    started = time.perf_counter()
    forms = [form for path in chosen for form in _pandas_forms(path, engine)]
    with tempfile.TemporaryDirectory(prefix="perfxl-bench-pandas-") as tmp:
        pandas.DataFrame([{k: v for k, v in f.items() if k != "indicators"} for f in forms]).to_excel(
            Path(tmp) / "master.xlsx", engine="openpyxl", index=False)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "files": len(chosen), "forms": len(forms), "files_total": len(files)}


def _sample(files: list[str], k: int) -> list[str]:
    if len(files) <= k:
        return files
    return [files[i * len(files) // k] for i in range(k)]  # evenly spread: every kind of file


def step_b(folder: str, sample: int, **_: Any) -> dict[str, Any]:
    files = _files(folder)
    chosen = _sample(files, sample)
    started = time.perf_counter()
    forms = sum(len(_naive_openpyxl(path)) for path in chosen)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "files": len(chosen), "forms": forms, "files_total": len(files)}


_SKIP_SHEETS = ("填表说明", "_lists")  # perfxl reads neither: the floor reads what perfxl reads


def _floor_file(path: str) -> tuple[int, int]:
    """Raw values of the form sheets and the identity sheet, nothing else: (form sheets, rows)."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    sheets = rows = 0
    try:
        for name in book.sheet_names:
            if name in _SKIP_SHEETS:
                continue
            rows += len(book.get_sheet_by_name(name).to_python())
            sheets += name != "_perfxl"
    finally:
        book.close()
    return sheets, rows


def step_c(folder: str, workers: int, **_: Any) -> dict[str, Any]:
    files = _files(folder)
    started = time.perf_counter()
    if workers <= 1:
        results = [_floor_file(path) for path in files]
    else:
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, len(files) // (workers * 4))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_floor_file, files, chunksize=chunk))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "files": len(files), "forms": sum(r[0] for r in results),
            "rows": sum(r[1] for r in results), "workers": workers}


def _vm_hwm_kb() -> int:
    """This process's own peak resident set (VmHWM): of its own memory since exec, unlike
    ru_maxrss, which Linux carries over from the parent that started it."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_child(step: str, folder: str, workers: int, sample: int, out: str) -> None:
    started = time.perf_counter()
    import python_calamine  # noqa: F401

    import perfxl.api  # noqa: F401  (import cost reported apart from the measured call)
    import perfxl.collect.consolidate  # noqa: F401
    import perfxl.collect.master  # noqa: F401
    if step in BASELINES:
        import openpyxl  # noqa: F401
    if step.startswith("p_"):
        import pandas  # noqa: F401
    imports = time.perf_counter() - started
    func = {"a": step_a, "a_read": step_a_read, "b": step_b, "c1": step_c, "cW": step_c,
            "p_openpyxl": lambda *a, **k: step_pandas(*a, engine="openpyxl", **k),
            "p_calamine": lambda *a, **k: step_pandas(*a, engine="calamine", **k)}[step]
    result = func(folder, workers=1 if step == "c1" else workers, sample=sample)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_seconds"] = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    result.update({"perfxl_from": str(Path(perfxl.api.__file__).parent), "import_seconds": imports,
                   "hwm_self_mb": _vm_hwm_kb() / 1024})
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


# =========================================================================================
# The parent: generation, one subprocess per step, memory sampling, table, JSON
# =========================================================================================
def _tree(root: int) -> list[int]:
    """``root`` and all its descendants, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; (0, 0) once it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class TreeSampler(threading.Thread):
    """Peak summed RSS and PSS of a process tree, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self.peak_single = 0  # the highest RSS any one process of the tree reached
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids = _tree(self.pid)
            totals = [_memory_kb(pid) for pid in pids]
            self.peak_rss = max(self.peak_rss, sum(t[0] for t in totals))
            self.peak_pss = max(self.peak_pss, sum(t[1] for t in totals))
            self.peak_processes = max(self.peak_processes, sum(1 for t in totals if t[0]))
            self.peak_single = max([self.peak_single, *(t[0] for t in totals)])
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


CODE: dict[str, Any] = {"path": None}  # the perfxl snapshot the children import (see snapshot_code)


def snapshot_code() -> dict[str, Any]:
    """Copy perfxl and its data folders once, so every step of a run measures the same code even
    while others edit the work tree; children import the copy through PYTHONPATH."""
    dest = Path(tempfile.mkdtemp(prefix="perfxl-bench-code-"))
    atexit.register(shutil.rmtree, dest, True)
    for name in ("perfxl", "schema", "templates", "examples"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    digest = hashlib.sha256()
    for path in sorted((dest / "perfxl").rglob("*.py")):
        digest.update(path.relative_to(dest).as_posix().encode() + b"\0" + path.read_bytes())
    CODE.update(path=str(dest), sha256=digest.hexdigest()[:16])
    sys.path.insert(0, str(dest))
    return dict(CODE)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [p for p in (CODE["path"], str(HERE)) if p]
    env["PYTHONPATH"] = os.pathsep.join(paths + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:9]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def busy_share(seconds: float = 1.0) -> float:
    """Share of all cores busy over ``seconds``."""
    busy0, total0 = _cpu_ticks()
    time.sleep(seconds)
    busy1, total1 = _cpu_ticks()
    return (busy1 - busy0) / max(1, total1 - total0)


QUIET = {"threshold": 0.15, "max_wait": 300.0}


def wait_quiet() -> tuple[float, float]:
    """Wait (at most QUIET['max_wait'] s) until other programs leave the cores idle: the
    machine is shared, and a test suite running beside a step halves it on 2 cores."""
    waited, share = 0.0, busy_share(0.5)
    while share > QUIET["threshold"] and waited < QUIET["max_wait"]:
        if waited == 0:
            print(f"    waiting for a quiet machine ({share:.0%} busy) …", file=sys.stderr, flush=True)
        share = busy_share(2.0)
        waited += 2.0
    return waited, share


def measure(step: str, folder: Path, workers: int, sample: int) -> dict[str, Any]:
    """One step in a fresh subprocess: its own timing, the tree's peak memory, and how much CPU
    other programs took meanwhile (``foreign_cpu_share``)."""
    waited, share = wait_quiet() if QUIET["max_wait"] > 0 else (0.0, busy_share(0.5))
    with tempfile.TemporaryDirectory(prefix="perfxl-bench-step-") as tmp:
        out = Path(tmp) / "result.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--_step", step, "--_folder", str(folder),
                   "--workers", str(workers), "--baseline-sample", str(sample), "--_out", str(out)]
        own0 = resource.getrusage(resource.RUSAGE_SELF)
        busy0, _ = _cpu_ticks()
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(ROOT),
                                   env=_child_env())
        sampler = TreeSampler(process.pid)
        sampler.start()
        stdout, stderr = process.communicate()
        sampler.stop()
        wall = time.perf_counter() - started
        busy1, _ = _cpu_ticks()
        own1 = resource.getrusage(resource.RUSAGE_SELF)
        if process.returncode != 0 or not out.is_file():
            tail = stderr.decode("utf-8", "replace").strip().splitlines()[-15:]
            return {"error": f"exit {process.returncode}", "stderr": tail, "process_seconds": wall}
        result = json.loads(out.read_text(encoding="utf-8"))
    machine_busy = (busy1 - busy0) / os.sysconf("SC_CLK_TCK")
    parent = (own1.ru_utime + own1.ru_stime) - (own0.ru_utime + own0.ru_stime)
    foreign = max(0.0, machine_busy - result["cpu_seconds"] - parent)
    cores = os.cpu_count() or 1
    result.update({"waited_for_quiet_s": waited, "busy_before": share, "process_seconds": wall,
                   "foreign_cpu_seconds": foreign, "foreign_cpu_share": foreign / (wall * cores),
                   "peak_tree_rss_mb": sampler.peak_rss / 1024, "peak_tree_pss_mb": sampler.peak_pss / 1024,
                   "peak_processes": sampler.peak_processes, "memory_samples": sampler.samples,
                   "maxrss_single_process_mb": max(sampler.peak_single, result.get("hwm_self_mb", 0) * 1024) / 1024})
    return result


def _warm(folder: Path) -> None:
    """Every input once through the page cache, so no step pays the first disk read."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            path.read_bytes()


DISTURBED = 0.10  # a run during which other programs used more than this share of the cores


def best_of(step: str, folder: Path, workers: int, sample: int, repeat: int | None,
            retries: int = 2) -> dict[str, Any]:
    """The fastest of ``repeat`` runs; by default one run, or three when a run takes under
    ``SHORT`` seconds (where noise matters and repeating is cheap).  A run disturbed by other
    programs is run again (up to ``retries`` times).  Memory is the worst run's."""
    runs = [measure(step, folder, workers, sample)]
    wanted = repeat if repeat is not None else (3 if runs[0].get("seconds", SHORT) < SHORT else 1)

    def calm() -> list[dict[str, Any]]:
        return [r for r in runs if "error" not in r and r["foreign_cpu_share"] <= DISTURBED]

    while len(calm()) < wanted and len(runs) < wanted + retries:
        if runs[-1].get("foreign_cpu_share", 0) > DISTURBED:
            print(f"    disturbed ({runs[-1]['foreign_cpu_share']:.0%} of the cores used by other programs): "
                  "again", file=sys.stderr, flush=True)
        runs.append(measure(step, folder, workers, sample))
    good = calm() or [r for r in runs if "error" not in r]
    if not good:
        return runs[0]
    best = dict(min(good, key=lambda r: r["seconds"]))
    best["runs"] = len(runs)
    best["disturbed"] = best["foreign_cpu_share"] > DISTURBED
    if len(good) > 1:
        best["all_seconds"] = [round(r["seconds"], 4) for r in good]
        for key in ("peak_tree_rss_mb", "peak_tree_pss_mb", "maxrss_single_process_mb", "hwm_self_mb"):
            best[key] = max(r[key] for r in good)
    return best


SHORT = 2.0


def rates(result: dict[str, Any], files_total: int, forms_total: int) -> dict[str, Any]:
    """seconds, files/s and forms/s over the whole input; a sampled step is extrapolated per file."""
    if "error" in result:
        return {}
    seconds = result["seconds"]
    sampled = result.get("files_total") is not None and result["files"] < result["files_total"]
    if sampled:
        seconds = seconds / result["files"] * files_total
    return {"seconds": seconds, "files_per_s": files_total / seconds if seconds else None,
            "forms_per_s": forms_total / seconds if seconds else None, "extrapolated": sampled}


def machine() -> dict[str, Any]:
    from importlib import metadata

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("perfxl", "python-calamine", "openpyxl", "xlsxwriter", "jsonschema", "jsonschema-rs", "rpds-py",
                 "defusedxml"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {"cpu": model, "cores_usable": len(os.sched_getaffinity(0)), "cpu_count": os.cpu_count(),
            "memory_gb": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "platform": platform.platform(),
            "libraries": versions, "git_commit": git("rev-parse", "--short", "HEAD"),
            "perfxl_modified": git("status", "--porcelain", "--", "perfxl").splitlines(),
            "code_sha256": CODE.get("sha256")}


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(report: dict[str, Any]) -> str:
    n, files, w = report["forms"], report["files"], report["workers"]
    lines = [f"N = {n:,} forms in {files:,} files ({report['generated']['multi_form_files']:,} files with 2–5 forms, "
             f"{report['generated']['units']} units, {report['generated']['indicators']:,} indicators, "
             f"{report['generated']['bytes'] / 1e6:.1f} MB), W = {w}",
             "",
             "| step | seconds | files/s | forms/s | peak RSS tree (MB) | peak PSS tree (MB) | largest process (MB) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for key in ORDER:
        step = report["steps"].get(key)
        if step is None:
            continue
        label = STEPS[key].replace("W processes", f"{w} processes")
        if "error" in step:
            lines.append(f"| {label} | failed: {step['error']} | | | | | |")
            continue
        r = step["rates"]
        seconds = _fmt(r["seconds"], 2) + (f" (est. from {step['files']} files)" if r["extrapolated"] else "")
        seconds += " †" if step.get("disturbed") else ""
        lines.append(f"| {label} | {seconds} | {_fmt(r['files_per_s'])} | {_fmt(r['forms_per_s'])} | "
                     f"{_fmt(step['peak_tree_rss_mb'])} | {_fmt(step['peak_tree_pss_mb'])} | "
                     f"{_fmt(step['maxrss_single_process_mb'])} |")
    if any(step.get("disturbed") for step in report["steps"].values()):
        lines.append("")
        lines.append("† other programs used more than 10 % of the cores during this step even after retries: "
                     "slower than it should be")
    lines.append("")
    ratios = report["ratios"]
    names = {"a_over_b_speedup": "(a) speed-up over (b) openpyxl  [t(b)/t(a); target ≥ 20]",
             "a_over_c1": "(a) time / (c1) time", "a_over_cW": "(a) time / (cW) time",
             "a_read_over_c1": "(a') time / (c1) time", "a_read_over_cW": "(a') time / (cW) time",
             "a_over_pandas_openpyxl_speedup": "(a) speed-up over (p1) pandas + openpyxl  [t(p1)/t(a)]",
             "a_over_pandas_calamine_speedup": "(a) speed-up over (p2) pandas + calamine  [t(p2)/t(a)]",
             "cW_over_a_floor_share": "(a) at this share of the 2-process floor  [t(cW)/t(a); issue 15 target ≥ 0.5]",
             "cW_over_a_read_floor_share": "(a') at this share of the floor  [t(cW)/t(a'); issue 15 target ≥ 0.7]",
             "master_share_of_a": "master writing share of (a)"}
    for key, label in names.items():
        if ratios.get(key) is not None:
            value = ratios[key]
            lines.append(f"- {label}: {value:.0%}" if key == "master_share_of_a" else f"- {label}: {value:.2f}×")
    a = report["steps"].get("a", {})
    if "error" not in a and a:
        master_s, consolidate_s = a.get("master_seconds") or 0, a.get("consolidate_seconds") or 0
        reading = a["seconds"] - master_s - consolidate_s
        codes = ", ".join(f"{k} {v}" for k, v in a["issue_codes"].items())
        lines.append(f"- (a) phases: read and check (workers and parent) {reading:.2f} s, "
                     f"consolidate {consolidate_s:.2f} s, master {master_s:.2f} s ({a['master_bytes'] / 1e6:.1f} MB); "
                     f"issues {sum(a['issue_codes'].values()):,} ({codes}); "
                     f"review rules ran: {'yes' if a['review_ran'] else 'no'}")
    if "error" not in a and a.get("hwm_self_mb"):
        lines.append(f"- (a)'s parent, the collecting process itself, peaked at {a['hwm_self_mb']:.1f} MB (VmHWM)")
    lines.append(f"- issue 6 targets (informative, at N = 10,000): {report['targets_note']}")
    return "\n".join(lines)


def run_n(n: int, args: argparse.Namespace, info: dict[str, Any]) -> dict[str, Any]:
    from generate import ensure_cache

    folder, manifest = ensure_cache(n, seed=args.seed, workers=args.gen_workers)
    files, forms = manifest["files"], manifest["forms"]
    _warm(folder)
    steps: dict[str, dict[str, Any]] = {}
    wanted = [s for s in ORDER if not (s in BASELINES and args.skip_baseline)]
    for step in wanted:
        print(f"  N={n}: {STEPS[step]} …", file=sys.stderr, flush=True)
        result = best_of(step, folder, args.workers, args.baseline_sample, args.repeat)
        result["rates"] = rates(result, files, forms)
        steps[step] = result
        if "error" in result:
            print(f"    failed: {result['error']}\n    " + "\n    ".join(result["stderr"]), file=sys.stderr)
        else:
            print(f"    {result['rates']['seconds']:.2f} s, {result['rates']['forms_per_s']:,.0f} forms/s",
                  file=sys.stderr, flush=True)
            if result.get("forms") not in (None, forms) and step not in BASELINES:
                print(f"    note: {result['forms']} forms found, {forms} generated", file=sys.stderr)

    def seconds(key: str) -> float | None:
        return steps.get(key, {}).get("rates", {}).get("seconds")

    def ratio(x: str, y: str) -> float | None:
        return seconds(x) / seconds(y) if seconds(x) and seconds(y) else None

    a = steps.get("a", {})
    ratios = {"a_over_b_speedup": ratio("b", "a"), "a_over_c1": ratio("a", "c1"), "a_over_cW": ratio("a", "cW"),
              "a_over_pandas_openpyxl_speedup": ratio("p_openpyxl", "a"),
              "a_over_pandas_calamine_speedup": ratio("p_calamine", "a"),
              "cW_over_a_floor_share": ratio("cW", "a"), "cW_over_a_read_floor_share": ratio("cW", "a_read"),
              "a_read_over_c1": ratio("a_read", "c1"), "a_read_over_cW": ratio("a_read", "cW"),
              "master_share_of_a": (a["master_seconds"] / a["seconds"]) if a.get("master_seconds") else None}
    met = []
    if seconds("a"):
        met.append(f"collect {forms / seconds('a'):,.0f} forms/s (≥ {TARGETS['collect_forms_per_s']})")
    if ratios["a_over_b_speedup"]:
        met.append(f"{ratios['a_over_b_speedup']:.1f}× openpyxl (≥ {TARGETS['collect_vs_openpyxl']})")
    if seconds("a_read"):
        met.append(f"read {forms / seconds('a_read'):,.0f} forms/s (≥ {TARGETS['read_forms_per_s']})")
    if a.get("peak_tree_rss_mb"):
        met.append(f"peak RSS tree {a['peak_tree_rss_mb']:,.0f} MB, PSS {a['peak_tree_pss_mb']:,.0f} MB "
                   f"(< {TARGETS['peak_rss_mb']})")
    report = {"forms": forms, "files": files, "workers": args.workers, "repeat": args.repeat,
              "baseline_sample": args.baseline_sample, "generated": manifest, "cache": str(folder),
              "machine": info, "steps": steps, "ratios": ratios, "targets": TARGETS,
              "targets_note": "; ".join(met), "when": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    from generate import SEED

    name = f"collect-{n}.json" if args.seed == SEED else f"collect-{n}-s{args.seed}.json"
    (RESULTS / name).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report


def growth_table(reports: list[dict[str, Any]]) -> str:
    lines = ["| N forms | files | (a) s | (a) forms/s | (a') forms/s | (b) forms/s | (c1) forms/s | (cW) forms/s "
             "| (a) share of floor | (a') share of floor | (a) peak RSS tree MB | (a) peak PSS tree MB "
             "| (a) parent peak MB |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in reports:
        def rate(key: str, r: dict[str, Any] = r) -> str:
            return _fmt(r["steps"].get(key, {}).get("rates", {}).get("forms_per_s"), 0)
        a = r["steps"].get("a", {})
        lines.append(f"| {r['forms']:,} | {r['files']:,} | {_fmt(a.get('rates', {}).get('seconds'), 2)} | {rate('a')} "
                     f"| {rate('a_read')} | {rate('b')} | {rate('c1')} | {rate('cW')} "
                     f"| {_fmt(r['ratios'].get('cW_over_a_floor_share'), 2)} "
                     f"| {_fmt(r['ratios'].get('cW_over_a_read_floor_share'), 2)} "
                     f"| {_fmt(a.get('peak_tree_rss_mb'), 0)} | {_fmt(a.get('peak_tree_pss_mb'), 0)} "
                     f"| {_fmt(a.get('hwm_self_mb'), 1)} |")
    parents = [(r["forms"], r["steps"].get("a", {}).get("hwm_self_mb")) for r in reports]
    parents = [(n, peak) for n, peak in parents if peak]
    if len(parents) > 1:
        (n0, p0), (n1, p1) = min(parents), max(parents)
        lines.append("")
        lines.append(f"- flat memory: (a)'s parent (the collecting process) peaked at {p1:.1f} MB at N = {n1:,} "
                     f"and {p0:.1f} MB at N = {n0:,}: {p1 / p0:.2f}× (issue 15 target ≤ 1.10×)")
    return "\n".join(lines)


# =========================================================================================
# Profiling (a') with one worker
# =========================================================================================
def run_profile(n: int, args: argparse.Namespace) -> None:
    from generate import ensure_cache

    folder, _ = ensure_cache(n, seed=args.seed, workers=args.gen_workers)
    _warm(folder)
    RESULTS.mkdir(parents=True, exist_ok=True)
    if QUIET["max_wait"] > 0:
        wait_quiet()
    command = [sys.executable, str(Path(__file__).resolve()), "--_profile", str(folder),
               "--_profile-n", str(n), "--profiler", args.profiler]
    subprocess.run(command, check=False, cwd=str(ROOT), env=_child_env())


def _inline(func, args, *, on_done=None, **_: Any):
    """``run_isolated`` without the worker processes: every file read in this process, so a
    profiler sees the per-file work instead of a parent waiting on pipes."""
    total = len(args)
    for done, arg in enumerate(args, start=1):
        yield func(arg)
        if on_done:
            on_done(done, total)


def _scratch() -> Path:
    """A temporary folder removed when the process ends."""
    folder = tempfile.TemporaryDirectory(prefix="perfxl-bench-prof-")
    atexit.register(folder.cleanup)
    return Path(folder.name)


def profile_child(folder: str, n: int, profiler: str) -> None:
    import cProfile
    import pstats

    import perfxl.collect.jobs as collect_module  # where the workers are started
    from perfxl.collect.consolidate import collect
    from perfxl.collect.master import build_master

    RESULTS.mkdir(parents=True, exist_ok=True)
    report: list[str] = [f"# Profile of (a') perfxl.collect.consolidate.collect(folder, workers=1) at N = {n}, "
                         f"and of build_master on its result ({profiler})", ""]
    started = time.perf_counter()
    collect([folder], workers=1)
    isolated = time.perf_counter() - started
    patched = hasattr(collect_module, "run_isolated")
    if patched:
        original = collect_module.run_isolated
        collect_module.run_isolated = _inline
    started = time.perf_counter()
    collection = collect([folder], workers=1)
    inline = time.perf_counter() - started
    report += [f"collect(workers=1) as shipped: {isolated:.2f} s; with every file read in-process "
               f"(run_isolated bypassed): {inline:.2f} s"
               + (f" → isolation overhead {isolated - inline:.2f} s ({(isolated - inline) / isolated:.0%})"
                  if patched else " (collect does not use run_isolated: nothing bypassed)"), ""]
    report += _phase_split(folder, n, collect)
    if profiler in ("cprofile", "both"):
        prof = cProfile.Profile()
        started = time.perf_counter()
        prof.enable()
        collection = collect([folder], workers=1)
        prof.disable()
        wall = time.perf_counter() - started
        dump = RESULTS / f"profile-collect-{n}.prof"
        prof.dump_stats(str(dump))
        report += _cprofile_summary(pstats.Stats(str(dump)), "collect (in-process)", wall, top=TOP)
        out = _scratch() / "汇总.xlsx"
        prof = cProfile.Profile()
        started = time.perf_counter()
        prof.enable()
        build_master(collection, out)
        prof.disable()
        wall = time.perf_counter() - started
        dump = RESULTS / f"profile-build_master-{n}.prof"
        prof.dump_stats(str(dump))
        report += _cprofile_summary(pstats.Stats(str(dump)), "build_master", wall, top=TOP)
    if profiler in ("pyinstrument", "both"):
        try:
            from pyinstrument import Profiler
        except ImportError:
            report.append("pyinstrument is not installed: `.venv/bin/pip install pyinstrument` "
                          "(not a project dependency)")
        else:
            for label, call in (("collect", lambda: collect([folder], workers=1)),
                                ("build_master", lambda: build_master(
                                    collection, _scratch() / "汇总.xlsx"))):
                prof = Profiler(interval=0.001)
                prof.start()
                call()
                prof.stop()
                text = prof.output_text(unicode=True, color=False, show_all=False)
                (RESULTS / f"profile-{label}-{n}.pyinstrument.txt").write_text(text, encoding="utf-8")
                report += [f"## pyinstrument: {label}", "", "```", text.rstrip(), "```", ""]
    if patched:
        collect_module.run_isolated = original
    text = "\n".join(report)
    (RESULTS / f"profile-{n}.md").write_text(text + "\n", encoding="utf-8")
    print(text)


PHASES = (  # (module, function looked up at call time, label); nested ones are shown under their parent
    ("perfxl.check.file", "read_workbook", "read_workbook (safety + calamine + reader)"),
    ("perfxl.read.workbook", "check_bytes_safety", "  of which check_bytes_safety (zip/XML pre-scan)"),
    ("perfxl.check.file", "validate_record", "validate_record (schema validation)"),
    ("perfxl.check.file", "review_record", "review_record (审核 rules)"),
    ("perfxl.collect.consolidate", "resolve", "consolidate: resolve (identities, statuses)"),
)


def _phase_split(folder: str, n: int, collect) -> list[str]:
    """Where the in-process time goes, timed with perf_counter wrappers only: profilers inflate
    call-heavy code such as jsonschema two- to three-fold, this does not."""
    import importlib

    timing: dict[str, float] = {}
    originals = []
    for module_name, name, _ in PHASES:
        module = importlib.import_module(module_name)
        originals.append((module, name, getattr(module, name, None)))
        _time_phase(module, name, timing)
    started = time.perf_counter()
    collection = collect([folder], workers=1)
    total = time.perf_counter() - started
    for module, name, original in originals:
        if original is not None:
            setattr(module, name, original)
    forms = max(1, len(collection.forms))
    lines = [f"## Phase split without a profiler (in-process, 1 worker, N = {n}: {total:.2f} s, "
             f"{total / forms * 1e3:.2f} ms per form)", "",
             "| phase | seconds | share | ms per form |", "|---|---:|---:|---:|"]
    top = 0.0
    for _, name, label in PHASES:
        seconds = timing.get(f"{name}_seconds")
        if seconds is None:
            continue
        if not label.startswith("  "):
            top += seconds
        lines.append(f"| {label.strip() if not label.startswith('  ') else '↳ ' + label.strip()} | {seconds:.2f} "
                     f"| {seconds / total:.0%} | {seconds / forms * 1e3:.2f} |")
    lines.append(f"| other (file hashing, pickling-free glue, issue objects) | {total - top:.2f} | "
                 f"{(total - top) / total:.0%} | {(total - top) / forms * 1e3:.2f} |")
    lines.append("")
    return lines


TOP = 30  # rows of each profile table


def _cprofile_summary(stats, label: str, wall: float, top: int) -> list[str]:
    total = max(stats.total_tt, 1e-9)
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in stats.stats.items():
        where = f"{_short_path(file)}:{line}({func})" if line else func
        rows.append((ct, tt, nc, where))
    out = [f"## cProfile: {label}", "", f"{wall:.2f} s wall under the profiler, {total:.2f} s profiled", "",
           f"Top {top} by cumulative time (% of profiled total):",
           "| cumulative % | cumulative s | own s | calls | function |", "|---:|---:|---:|---:|---|"]
    for ct, tt, nc, where in sorted(rows, reverse=True)[:top]:
        out.append(f"| {ct / total:.1%} | {ct:.2f} | {tt:.2f} | {nc:,} | `{where}` |")
    out += ["", f"Top {top} by own time:", "| own % | own s | calls | function |", "|---:|---:|---:|---|"]
    for _ct, tt, nc, where in sorted(rows, key=lambda r: r[1], reverse=True)[:top]:
        out.append(f"| {tt / total:.1%} | {tt:.2f} | {nc:,} | `{where}` |")
    out.append("")
    return out


def _short_path(file: str) -> str:
    for marker in ("site-packages/", "/perfxl/", "lib/python"):
        if marker in file:
            return file.split(marker, 1)[1] if marker != "/perfxl/" else "perfxl/" + file.split(marker, 1)[1]
    return file


# =========================================================================================
def _forms_list(values: list[str] | None) -> list[int]:
    result: list[int] = []
    for value in values or ["1000"]:
        for part in value.replace(",", " ").split():
            result.append(int(part.replace("_", "")))
    return list(dict.fromkeys(result))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--forms", nargs="+", action="extend", metavar="N",
                        help="forms to collect; several values or repeated flag (default 1000)")
    parser.add_argument("--workers", type=int, default=None,
                        help="W, processes for (a), (a') and (cW) (default: cores)")
    parser.add_argument("--skip-baseline", action="store_true", help="skip (b), the slow openpyxl baseline")
    parser.add_argument("--baseline-sample", type=int, default=500,
                        help="(b) reads at most this many files (default 500)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="run each step this many times and keep the fastest "
                             "(default: 1, or 3 for steps under 2 s)")
    parser.add_argument("--seed", type=int, default=None, help="generation seed (default: the fixed bench seed)")
    parser.add_argument("--gen-workers", type=int, default=None, help="processes for generation (default: cores)")
    parser.add_argument("--profile", type=int, metavar="N", default=None,
                        help="also profile (a') with 1 worker at N forms (and build_master on its result)")
    parser.add_argument("--profile-only", action="store_true", help="only the profile, no timings")
    parser.add_argument("--profiler", choices=("cprofile", "pyinstrument", "both"), default="cprofile")
    parser.add_argument("--max-wait", type=float, default=300.0,
                        help="before each step wait at most this many seconds for other programs to leave the "
                             "cores idle (0: do not wait; default 300)")
    parser.add_argument("--no-snapshot", action="store_true",
                        help="import perfxl from the work tree in every step instead of a copy taken at the start")
    parser.add_argument("--_step", help=argparse.SUPPRESS)
    parser.add_argument("--_folder", help=argparse.SUPPRESS)
    parser.add_argument("--_out", help=argparse.SUPPRESS)
    parser.add_argument("--_profile", help=argparse.SUPPRESS)
    parser.add_argument("--_profile-n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._step or args._profile:
        pass
    elif not args.no_snapshot:
        snapshot_code()
    from generate import SEED

    args.seed = SEED if args.seed is None else args.seed
    if args._step:
        run_child(args._step, args._folder, args.workers or 1, args.baseline_sample, args._out)
        return 0
    if args._profile:
        profile_child(args._profile, args._profile_n, args.profiler)
        return 0
    if args.workers is None:
        args.workers = max(1, len(os.sched_getaffinity(0)))
    QUIET["max_wait"] = args.max_wait
    reports = []
    if not args.profile_only:
        info = machine()
        print(f"machine: {info['cpu']}, {info['cores_usable']} usable cores, {info['memory_gb']} GB, "
              f"{info['implementation']} {info['python']}, "
              + ", ".join(f"{k} {v}" for k, v in info["libraries"].items())
              + f"; perfxl at {info['git_commit']}" + (" (perfxl/ modified)" if info["perfxl_modified"] else "")
              + (f", measured from a snapshot (code sha256 {info['code_sha256']})" if info["code_sha256"] else ""))
        for n in _forms_list(args.forms):
            report = run_n(n, args, info)
            reports.append(report)
            print()
            print(table(report))
            print(f"\nwritten: {RESULTS / f'collect-{n}.json'}", flush=True)
        if len(reports) > 1:
            print("\nHow cost grows with N:\n")
            print(growth_table(reports))
    if args.profile is not None:
        run_profile(args.profile, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
