"""Run a function over many inputs in worker processes that may crash, hang or blow up.

A native parser can abort the whole process (python-calamine raises SIGABRT from Rust on some
inputs) or loop for long; a concurrent.futures pool then breaks for every pending task.  Here each
worker takes one job at a time; a worker that dies or overruns its time is killed and replaced,
and only its job is reported as failed.  Results come back in input order.
"""

from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import resource
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator, Sequence


@dataclass(frozen=True)
class Failure:
    """A job whose worker died or ran out of time."""

    reason: str  # "crash" or "timeout"
    detail: str


def _worker(conn: Connection, func: Callable[[Any], Any], memory_bytes: int | None) -> None:
    faulthandler.disable()  # a parser abort is reported by the parent; no traceback spew
    if memory_bytes:
        # A bomb that slips past the checks raises MemoryError or kills this worker, not the run.
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        index, arg = job
        try:
            result = func(arg)
        except MemoryError:
            result = Failure("crash", "内存不足（超过单个文件的内存上限）")
        except BaseException as exc:  # report, keep serving: one file must not stop the others
            result = Failure("crash", f"{type(exc).__name__}: {exc}"[:300])
        conn.send((index, result))


class _Slot:
    def __init__(self, ctx, func, memory_bytes):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, func, memory_bytes), daemon=True)
        self.process.start()
        child.close()
        self.job: int | None = None
        self.started = 0.0

    def give(self, index: int, arg: Any) -> None:
        self.job, self.started = index, time.monotonic()
        self.conn.send((index, arg))

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def run_isolated(func: Callable[[Any], Any], args: Sequence[Any], *, workers: int = 1,
                 seconds: float | None = 60.0, memory_bytes: int | None = None,
                 on_done: Callable[[int, int], None] | None = None) -> Iterator[Any]:
    """Yield ``func(arg)`` for every arg in order, or a :class:`Failure` for a job whose worker
    crashed or took longer than ``seconds``."""
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    total = len(args)
    results: dict[int, Any] = {}
    pending = iter(enumerate(args))
    slots = [_Slot(ctx, func, memory_bytes) for _ in range(max(1, min(workers, total)))] if total else []
    next_out, done = 0, 0

    def feed(slot: _Slot) -> None:
        for index, arg in pending:
            slot.give(index, arg)
            return
        slot.job = None

    try:
        for slot in slots:
            feed(slot)
        while done < total:
            busy = [s for s in slots if s.job is not None]
            timeout = None
            if seconds is not None:
                now = time.monotonic()
                timeout = max(0.0, min(s.started + seconds - now for s in busy))
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout)
            for slot in list(busy):
                replace = None
                if slot.conn in ready:
                    try:
                        index, result = slot.conn.recv()
                    except (EOFError, OSError):
                        index, result, replace = slot.job, Failure("crash", _exit_reason(slot)), True
                elif slot.process.sentinel in ready:
                    index, result, replace = slot.job, Failure("crash", _exit_reason(slot)), True
                elif seconds is not None and time.monotonic() - slot.started > seconds:
                    index, result, replace = slot.job, Failure("timeout", f"超过 {seconds:g} 秒"), True
                else:
                    continue
                results[index] = result
                done += 1
                if on_done:
                    on_done(done, total)
                if replace:
                    slot.kill()
                    slots[slots.index(slot)] = slot = _Slot(ctx, func, memory_bytes)
                feed(slot)
            while next_out in results:
                yield results.pop(next_out)
                next_out += 1
    finally:
        for slot in slots:
            try:
                if slot.process.is_alive():
                    slot.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        for slot in slots:
            slot.process.join(timeout=1)
            slot.kill()


def _exit_reason(slot: _Slot) -> str:
    slot.process.join(timeout=1)
    code = slot.process.exitcode
    if code is not None and code < 0:
        import signal
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"读取进程异常终止（{name}）"
    return f"读取进程异常退出（退出码 {code}）"


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
