"""文件清单: every input file, its status and why."""

from __future__ import annotations

from dataclasses import dataclass

# Statuses of input files in 文件清单
COLLECTED, PROBLEMS, UNREADABLE, DUPLICATE, CONFLICT, IGNORED = "已汇总", "有问题", "无法读取", "重复", "冲突", "已忽略"


@dataclass(slots=True)
class FileEntry:
    """One input file, as 文件清单 lists it."""

    path: str
    size: int
    sha256: str
    mtime: float
    status: str = COLLECTED
    forms: int = 0
    note: str = ""
    foreign: bool = False
    saved: str = ""  # when the workbook says it was last saved (docProps; "" unknown)
    output: str = ""  # which of perfxl's own outputs the file is ("" for an input proper)
