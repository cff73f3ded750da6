"""Which files a run reads: the files named, and the files under the folders named.

Nothing here opens an input: entries are classified from their directory entry and ``lstat``
only, so a named pipe, a device or a huge file never blocks or costs the parent (the worker that
reads a file checks it again).  What is not read is not dropped silently: every entry that is not
a regular file to read comes back as :class:`Skipped` with the reason, for 文件清单.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Iterable, Iterator

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
JSON_SUFFIX = ".json"


@dataclass(frozen=True)
class Skipped:
    """An entry met among the inputs and not read, and why (in Chinese)."""

    path: str
    reason: str
    size: int = 0
    mtime: float = 0.0
    named: bool = False  # named on the command line: not reading it is an error, not a note


@dataclass
class Inputs:
    files: list[str] = field(default_factory=list)  # to read, in input order
    skipped: list[Skipped] = field(default_factory=list)
    identities: dict[tuple[int, int], str] = field(default_factory=dict)  # (device, inode) → path, for outputs
    watch: Collection[tuple[int, int]] | None = field(default=None, repr=False)  # identities kept (None: all)


def discover_inputs(paths: Iterable[str | Path], *, json_in_folders: bool = False,
                    watch: Collection[tuple[int, int]] | None = None) -> Inputs:
    """The files named and the files under the folders named (recursively, sorted), without office
    lock files and hidden files.  A JSON file is a form file when named, or under a folder only
    with ``json_in_folders`` (an inbox may hold anything).  Symbolic links are followed only to a
    regular file inside the same folder named; special files, dangling links and folders that
    cannot be listed are :class:`Skipped`.  ``watch``: the (device, inode) pairs whose paths
    :attr:`Inputs.identities` keeps (the outputs and the roster: a city's inbox need not keep one
    entry per file); None keeps every file's."""
    found = Inputs(watch=watch)
    for raw in paths:
        path = Path(raw)
        try:
            info = os.lstat(path)
        except OSError as exc:
            found.skipped.append(Skipped(str(path), _os_reason(exc), named=True))
            continue
        if stat.S_ISDIR(info.st_mode):
            _walk(path, found, json_in_folders)
        else:
            _classify(path, info, found, root=None, json_ok=True)
    return found


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The files :func:`discover_inputs` would read (named JSON files included)."""
    for name in discover_inputs(paths).files:
        yield Path(name)


def _walk(root: Path, found: Inputs, json_ok: bool) -> None:
    """Every entry under ``root`` in the order of their sorted paths (compared part by part), each
    folder listed by name only when its turn comes: a city's inbox of 50,000 files costs the
    walk one folder's names at a time, not a path object and a stat result per file (≈ 1.9 KB
    per file at the peak before)."""
    problems: list[Skipped] = []
    real_root = os.path.realpath(root)
    # A stack of folders' remaining names, deepest last (no recursion: a hostile inbox may nest
    # deeper than Python's recursion limit).
    stack: list[tuple[str, Iterator[str]]] = []

    def enter(folder: str) -> None:
        try:
            with os.scandir(folder) as listing:
                names = sorted(entry.name for entry in listing if not _ignored_name(entry.name))
        except OSError as exc:
            problems.append(Skipped(folder, f"无法读取文件夹：{_os_reason(exc)}"))
            return
        stack.append((folder, iter(names)))

    enter(str(root))
    while stack:
        folder, names = stack[-1]
        name = next(names, None)
        if name is None:
            stack.pop()
            continue
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
        except OSError as exc:
            problems.append(Skipped(path, _os_reason(exc)))
            continue
        if stat.S_ISDIR(info.st_mode):
            enter(path)
        else:
            _classify(Path(path), info, found, root=real_root, json_ok=json_ok)
    found.skipped.extend(sorted(problems, key=lambda s: s.path))


def _ignored_name(name: str) -> bool:
    """A folder's entry perfxl never reads: hidden files, office lock files (what
    :func:`is_ignored` says of a path, for one name under a folder that is not ignored)."""
    return name.startswith((".", "~$"))


def _classify(path: Path, info: os.stat_result, found: Inputs, *, root: str | None, json_ok: bool) -> None:
    name = str(path)
    before = len(found.skipped)
    _sort_out(path, name, info, found, root, json_ok)
    if root is None and len(found.skipped) > before:
        found.skipped[-1] = dataclasses.replace(found.skipped[-1], named=True)


def _sort_out(path: Path, name: str, info: os.stat_result, found: Inputs, root: str | None, json_ok: bool) -> None:
    if stat.S_ISLNK(info.st_mode):
        target = os.path.realpath(path)
        try:
            target_info = os.stat(target)
        except OSError:
            found.skipped.append(Skipped(name, "符号链接指向的文件不存在，未读取"))
            return
        if root is not None and not _inside(target, root):
            found.skipped.append(Skipped(name, f"符号链接指向输入文件夹以外的“{target}”，未跟随"))
            return
        if not stat.S_ISREG(target_info.st_mode):
            found.skipped.append(Skipped(name, "符号链接指向的不是普通文件，未读取"))
            return
        info = target_info
    elif not stat.S_ISREG(info.st_mode):
        found.skipped.append(Skipped(name, f"不是普通文件（{_kind(info.st_mode)}），未读取"))
        return
    if path.suffix.lower() == JSON_SUFFIX and not json_ok:
        found.skipped.append(Skipped(name, "文件夹中的 JSON 文件不作为表单读取（在命令行中直接指定该文件，"
                                           "或使用 --json-inputs）", info.st_size, info.st_mtime))
        return
    found.files.append(name)
    if found.watch is None or (info.st_dev, info.st_ino) in found.watch:
        found.identities.setdefault((info.st_dev, info.st_ino), name)


def _inside(target: str, root: str) -> bool:
    return target == root or target.startswith(root.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "命名管道"
    if stat.S_ISSOCK(mode):
        return "套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    return "特殊文件"


_OS_REASONS = {"EACCES": "没有权限", "EPERM": "没有权限", "ENOENT": "不存在", "ELOOP": "符号链接循环",
               "ENAMETOOLONG": "文件名过长", "ENOTDIR": "路径中有一段不是文件夹"}


def _os_reason(exc: OSError) -> str:
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_REASONS.get(name, f"无法访问（{exc.strerror or exc}）")


def is_within(path: str | Path, places: Iterable[Path]) -> bool:
    """Whether ``path`` resolves to one of the (resolved) ``places`` or to something under one."""
    resolved = os.path.realpath(path)
    return any(resolved == str(place) or resolved.startswith(str(place).rstrip(os.sep) + os.sep)
               for place in places)


def is_ignored(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts) or relative.name.startswith(".~lock.")
