"""Every file perfxl writes is complete or absent: written aside, renamed into place.

:func:`replacing` gives a hidden temporary path beside the target (same folder, so the final
``os.replace`` is atomic); the target changes only when the block completes, and the temporary
file is removed on any error or Ctrl-C.  A run killed outright (SIGKILL, power loss) can leave its
temporary file behind: the name carries the writer's process id, and :func:`sweep_stale` removes
those whose process is gone before the next run writes there.  :func:`exclusive` keeps two runs
from writing into the same folder at once.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

_SUFFIX = ".perfxl-tmp"
_STALE = re.compile(r"^\.~.*\.(\d+)\.[^.]*" + re.escape(_SUFFIX) + r"$")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def replacing(target: str | Path) -> Iterator[Path]:
    """A temporary path beside ``target``, renamed onto it when the block completes."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".~{target.name[:80]}.{os.getpid()}.", suffix=_SUFFIX, dir=target.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        os.chmod(temporary, 0o666 & ~_umask())  # as a plain open() would have made it, not mkstemp's 0600
        yield temporary
        os.replace(temporary, target)
    finally:
        try:
            temporary.unlink()
        except FileNotFoundError:
            pass


def is_temporary(name: str) -> bool:
    """A temporary file of :func:`replacing` (never an input)."""
    return name.startswith(".~") and name.endswith(_SUFFIX)


def sweep_stale(folder: str | Path) -> None:
    """Remove the temporary files of runs that were killed while writing in ``folder``."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _STALE.match(entry.name)
        if match and not _alive(int(match.group(1))):
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Busy(ValueError):
    """Another perfxl run is writing into the same folder."""


@contextmanager
def exclusive(folders: Iterable[str | Path]) -> Iterator[None]:
    """Hold a lock on each folder (created if needed) for the block; :class:`Busy` at once when
    another run holds one.  Without ``fcntl`` (Windows) there is no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        yield
        return
    handles = []
    try:
        for folder in sorted({str(Path(f).resolve()) for f in folders}):
            Path(folder).mkdir(parents=True, exist_ok=True)
            fd = os.open(folder, os.O_RDONLY)
            handles.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise Busy(f"另一个 perfxl 正在向文件夹“{folder}”写入输出，请等它结束后再运行，"
                               f"或换一个输出位置。") from None
                raise
        yield
    finally:
        for fd in handles:
            os.close(fd)  # closing releases the lock
