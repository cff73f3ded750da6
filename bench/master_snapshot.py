"""The master alone, before and after a change, from one saved collection (issue 15, speedmaster).

    # once: collect the bench inbox and save the collection (its records and its stubs)
    .venv/bin/python bench/master_snapshot.py save --forms 10000 --to /tmp/snap-10000
    # then, alternately, with each tree on PYTHONPATH (main's checkout, this branch):
    PYTHONPATH=/tmp/base .venv/bin/python bench/master_snapshot.py time --from /tmp/snap-10000 \
        --out /tmp/m-base.xlsx --workers 1
    # or let it alternate the trees itself, R rounds, and compare the files with cmp:
    .venv/bin/python bench/master_snapshot.py compare --from /tmp/snap-10000 --base /tmp/base \
        --branch . --rounds 3 --workers 1

Collecting a city's inbox costs far more than its master, and both trees must write the master of
the same collection: the collection is saved once (the record store's bytes and the pickled
stubs; the modules that define them are the same in both trees) and each timing run loads it in a
fresh process, sums it up (``tally``) and times ``build_master`` alone: CPU seconds of the process
and its waited children (``getrusage``), wall seconds, and the master's file for ``cmp``.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def save(forms: int, to: Path) -> None:
    from perfxl.collect.consolidate import collect

    folder = HERE / "cache" / str(forms) / "files"
    if forms == 0:
        folder = to / "demo-filled"
    collection = collect([folder], workers=2)
    to.mkdir(parents=True, exist_ok=True)
    store = collection.store
    store.flush()
    shutil.rmtree(to / "store", ignore_errors=True)
    shutil.copytree(store.folder, to / "store")  # the workers' record files and the SQLite tables
    with open(to / "collection.pickle", "wb") as out:
        _StorePickler(out, store).dump(collection)
    print(f"saved {len(collection.forms)} forms, {len(collection.files)} files → {to}")


class _StorePickler(pickle.Pickler):
    """The collection pickled with every reference to its store (open files, a database
    connection) replaced by a name: :func:`load` puts a store over the saved folder there."""

    def __init__(self, out, store) -> None:
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.store = store

    def persistent_id(self, obj):
        return "store" if obj is self.store else None


class _StoreUnpickler(pickle.Unpickler):
    def __init__(self, handle, store) -> None:
        super().__init__(handle)
        self.store = store

    def persistent_load(self, pid):
        assert pid == "store", pid
        return self.store


def load(source: Path):
    import sqlite3

    from perfxl.collect.store import RecordStore

    store = RecordStore()  # a fresh temporary folder, removed with the store
    shutil.copytree(source / "store", store.folder, dirs_exist_ok=True)
    store._db = sqlite3.connect(os.path.join(store.folder, "collection.sqlite"), check_same_thread=False)
    store._db_pid = os.getpid()  # the saved tables as they are (the schema is in them already)
    with open(source / "collection.pickle", "rb") as handle:
        return _StoreUnpickler(handle, store).load()


def time_master(source: Path, out: Path, workers: int, repeat: int, profile: Path | None) -> None:
    from perfxl.collect.master import build_master
    from perfxl.collect.tally import tally

    collection = load(source)
    tally(collection)
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), _cpu()
        if profile is not None:
            import cProfile

            cProfile.runctx("build_master(collection, out, workers=workers)", globals(), locals(), str(profile))
        else:
            build_master(collection, out, workers=workers)
        print(f"{time.perf_counter() - wall:.3f} {_cpu() - cpu:.3f}")


def compare(source: Path, base: Path, branch: Path, rounds: int, workers: int) -> None:
    measured: dict[str, list[tuple[float, float]]] = {"base": [], "branch": []}
    outs = {name: source / f"master-{name}-w{workers}.xlsx" for name in measured}
    for _ in range(rounds):
        for name, tree in (("base", base), ("branch", branch)):
            env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
            done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "time", "--from", str(source),
                                   "--out", str(outs[name]), "--workers", str(workers)],
                                  env=env, check=True, capture_output=True, text=True, cwd=str(tree))
            wall, cpu = map(float, done.stdout.split()[-2:])
            measured[name].append((wall, cpu))
            print(f"{name}: wall {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
    for name, runs in measured.items():
        print(f"{name}: median wall {statistics.median(r[0] for r in runs):.2f} s, "
              f"median CPU {statistics.median(r[1] for r in runs):.2f} s "
              f"(CPU {', '.join(f'{r[1]:.2f}' for r in runs)})")
    same = filecmp.cmp(outs["base"], outs["branch"], shallow=False)
    print("masters byte-identical" if same else "MASTERS DIFFER")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("save")
    p.add_argument("--forms", type=int, required=True)
    p.add_argument("--to", type=Path, required=True)
    p = sub.add_parser("time")
    p.add_argument("--from", dest="source", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--profile", type=Path)
    p = sub.add_parser("compare")
    p.add_argument("--from", dest="source", type=Path, required=True)
    p.add_argument("--base", type=Path, required=True)
    p.add_argument("--branch", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    if args.what == "save":
        save(args.forms, args.to)
    elif args.what == "time":
        time_master(args.source, args.out, args.workers, args.repeat, args.profile)
    else:
        compare(args.source, args.base, args.branch, args.rounds, args.workers)


if __name__ == "__main__":
    main()
