"""Run a function over many inputs in worker processes that may crash, hang or blow up.

A native parser can abort the whole process (python-calamine raises SIGABRT from Rust on some
inputs) or loop for long; a concurrent.futures pool then breaks for every pending task.  Here each
worker takes one job at a time; a worker that dies or overruns its time is killed and replaced,
and only its job is reported as failed.  Results come back in input order.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import signal
import time
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


@dataclass(frozen=True)
class Failure:
    """A job whose worker died or ran out of time."""

    reason: str  # "crash" or "timeout"
    detail: str


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this worker when its parent dies (Linux): a parent killed with
    SIGKILL would otherwise leave its workers blocked forever, each holding its memory."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's pipe closing ends the worker instead
        pass
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def _worker(conn: Connection, func: Callable[[Any], Any], memory_bytes: int | None, parent: int) -> None:
    faulthandler.disable()  # a parser abort is reported by the parent; no traceback spew
    _die_with_parent(parent)
    if memory_bytes:
        # A bomb that slips past the checks raises MemoryError or kills this worker, not the run.
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            batch = conn.recv()
        except EOFError:
            return
        if batch is None:
            return
        conn.send([_call(func, arg) for arg in batch])


def _call(func: Callable[[Any], Any], arg: Any) -> Any:
    try:
        return func(arg)
    except MemoryError:
        return Failure("crash", "内存不足（超过单个文件的内存上限）")
    except BaseException as exc:  # report, keep serving: one file must not stop the others
        return Failure("crash", f"{type(exc).__name__}: {exc}"[:300])


class _Slot:
    """One worker process and the batches it holds: the one it runs and the next one, so that it
    never waits for a busy parent between batches."""

    DEPTH = 2

    def __init__(self, ctx, func, memory_bytes):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, func, memory_bytes, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.inflight: deque[list[int]] = deque()
        self.deadline = 0.0

    def give(self, batch: list[int], args: Sequence[Any], seconds: float | None) -> None:
        if not self.inflight:
            self._start_clock(batch, seconds)
        self.inflight.append(batch)
        self.conn.send([args[i] for i in batch])

    def take(self, seconds: float | None) -> list[int]:
        """The batch whose results just arrived; the clock moves on to the next one."""
        batch = self.inflight.popleft()
        if self.inflight:
            self._start_clock(self.inflight[0], seconds)
        return batch

    def _start_clock(self, batch: list[int], seconds: float | None) -> None:
        self.deadline = time.monotonic() + (seconds * len(batch) if seconds is not None else 0)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def run_isolated(func: Callable[[Any], Any], args: Sequence[Any], *, workers: int = 1,
                 seconds: float | None = 60.0, memory_bytes: int | None = None,
                 on_done: Callable[[int, int], None] | None = None, batch: int = 16) -> Iterator[Any]:
    """Yield ``func(arg)`` for every arg in order, or a :class:`Failure` for a job whose worker
    crashed or took longer than ``seconds``.

    Jobs travel in batches of up to ``batch`` (fewer messages, a less busy parent); a batch whose
    worker dies or overruns is retried one job at a time, so a failure is pinned to its one job."""
    import ctypes  # noqa: F401  (for _die_with_parent: imported once here, not again in every forked worker)
    import multiprocessing as mp  # here, not at the top: `perfxl --help` needs none of it
    from multiprocessing.connection import wait

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    total = len(args)
    size = max(1, min(batch, total // (max(workers, 1) * 4) or 1))
    queue = deque(list(range(i, min(i + size, total))) for i in range(0, total, size))
    results: dict[int, Any] = {}
    slots = [_Slot(ctx, func, memory_bytes) for _ in range(max(1, min(workers, len(queue))))] if total else []
    next_out, done = 0, 0

    def feed(slot: _Slot) -> None:
        while queue and len(slot.inflight) < _Slot.DEPTH:
            slot.give(queue.popleft(), args, seconds)

    def finish(indices: list[int], values: list[Any]) -> None:
        nonlocal done
        for index, value in zip(indices, values):
            results[index] = value
            done += 1
            if on_done:
                on_done(done, total)

    try:
        for slot in slots:
            feed(slot)
        while done < total:
            busy = [s for s in slots if s.inflight]
            timeout = max(0.0, min(s.deadline for s in busy) - time.monotonic()) if seconds is not None else None
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout)
            for slot in busy:
                failure = None
                if slot.conn in ready:
                    try:
                        values = slot.conn.recv()
                        finish(slot.take(seconds), values)
                    except (EOFError, OSError):
                        failure = Failure("crash", _exit_reason(slot))
                elif slot.process.sentinel in ready:
                    failure = Failure("crash", _exit_reason(slot))
                elif seconds is not None and time.monotonic() > slot.deadline:
                    failure = Failure("timeout", f"超过 {seconds:g} 秒")
                else:
                    continue
                if failure is not None:
                    running, *waiting = slot.inflight
                    queue.extendleft(reversed(waiting))  # never started: back in line as they were
                    if len(running) == 1:
                        finish(running, [failure])
                    else:  # which job was it? retry each alone, first in line
                        queue.extendleft([i] for i in reversed(running))
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
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"读取进程异常终止（{name}）"
    return f"读取进程异常退出（退出码 {code}）"


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
