"""Which version of a form is collected when a unit sent several, on what evidence, and what
differs between them.

A copy resets a file's modification time (``cp 回收/* 回收3/``), so the time a workbook records
itself — ``dcterms:modified`` in its document properties, written by Excel, WPS and LibreOffice
on every save — is the better evidence.  The evidence is taken in order, each step only among
the versions the previous one left tied: the recorded save time (when every version left has one,
all with a zone or all without), then the file's modification time, then the path in sorted
order.  ``prefer`` starts the order later: ``mtime`` skips the save time, ``path`` decides by the
path alone.  Two versions in one file (two sheets) stay tied to the end: the first sheet wins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from ..form.layout import get_layout
from ..form.values import get_field
from ..model import FormRecord
from ..problems import Issue, Problem, make_issue
from .files import FileEntry


class Version(Protocol):
    """A version of a form as consolidation holds it (a :class:`~perfxl.collect.consolidate.CollectedForm`)."""

    @property
    def file(self) -> FileEntry: ...

SAVED, MTIME, PATH = "saved", "mtime", "path"
PREFERENCES = (SAVED, MTIME, PATH)
SHEET_ORDER = "sheet"  # not an evidence one can prefer: what is left when every other one ties
DEFAULT_PREFERENCE = SAVED
MAX_DIFFERENCES = 30  # fields listed per pair of versions; the rest are counted in one line


@dataclass
class Decision:
    """The version collected, and for each other one the evidence that set it aside."""

    chosen: Version
    beaten_by: dict[int, str] = field(default_factory=dict)  # id(version) → SAVED | MTIME | PATH | SHEET_ORDER
    saved_unusable: bool = False  # prefer=saved, but the save times could not decide (missing or mixed)


def _saved_comparable(versions: Sequence[Version]) -> bool:
    times = [version.file.saved for version in versions]
    return all(times) and len({time.endswith("Z") for time in times}) == 1


_KEYS: dict[str, Callable[[Version], Any]] = {
    SAVED: lambda version: version.file.saved,
    MTIME: lambda version: version.file.mtime,
    PATH: lambda version: version.file.path,
}


def decide(versions: Sequence[Version], prefer: str = DEFAULT_PREFERENCE) -> Decision:
    """The version to collect among ``versions`` (in input order) by the evidence in order."""
    if prefer not in PREFERENCES:
        raise ValueError(f"未知的版本依据“{prefer}”，可用：{'、'.join(PREFERENCES)}。")
    left = list(versions)
    beaten: dict[int, str] = {}
    saved_unusable = False
    for evidence in PREFERENCES[PREFERENCES.index(prefer):]:
        if len(left) == 1:
            break
        if evidence == SAVED and not _saved_comparable(left):
            saved_unusable = True
            continue
        key = _KEYS[evidence]
        best = max(key(version) for version in left)
        for version in left:
            if key(version) != best:
                beaten[id(version)] = evidence
        left = [version for version in left if key(version) == best]
    for version in left[1:]:
        beaten[id(version)] = SHEET_ORDER
    return Decision(left[0], beaten, saved_unusable)


def evidence_text(evidence: str, chosen: Version, other: Version, saved_unusable: bool = False) -> str:
    """Why ``chosen`` was taken over ``other``, in the office's words."""
    if evidence == SAVED:
        return f"工作簿记录的保存时间（{_saved(chosen.file.saved)} 晚于 {_saved(other.file.saved)}）"
    caveat = "；并非每个版本都记录了可比较的保存时间" if saved_unusable else ""
    if evidence == MTIME:
        return f"文件修改时间（{_local(chosen.file.mtime)} 晚于 {_local(other.file.mtime)}{caveat}）"
    if evidence == PATH:
        return f"路径排序（保存时间与文件修改时间都相同{caveat}，采用路径排在后面的文件）"
    return "工作表顺序（同一文件中的两张表单，采用排在前面的工作表）"


def _saved(text: str) -> str:
    return text.replace("T", " ").replace("Z", " UTC")


def _local(mtime: float) -> str:
    return dt.datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M:%S")


# --- what differs ---------------------------------------------------------------------------
def differences(old: FormRecord, new: FormRecord, new_file: str) -> list[Issue]:
    """One COLLECT-003 note per field in which the version set aside (``old``) differs from the
    one collected (``new``, from ``new_file``): at ``old``'s cell, value ``old → new``."""
    layout = get_layout(new.variant)
    found: list[tuple[str, str, object, object]] = []  # cell, title, old, new
    for slot in sorted(layout.slots, key=lambda s: (s.area.first_row, s.area.first_col)):
        before, after = get_field(old.form, slot.path), get_field(new.form, slot.path)
        if before != after:
            found.append((old.cells.get(slot.path.replace(".", "/"), ""), slot.title, before, after))
    olds, news = old.indicator_items(), new.indicator_items()
    for index in range(max(len(olds), len(news))):
        before = _indicator(olds[index]) if index < len(olds) else None
        after = _indicator(news[index]) if index < len(news) else None
        if before != after:
            cell = old.cells.get(f"{layout.indicator_field}/{index}/name", "")
            found.append((cell, f"{layout.indicators_title}第 {index + 1} 条", before, after))
    if not found and old.form != new.form:
        found.append(("", "其他内容", "…", "…"))
    issues = [make_issue(Problem.COLLECT_003, file=old.file, sheet=old.sheet, cell=cell, field=title,
                         value=f"{_shown(before)} → {_shown(after)}", expected=new_file)
              for cell, title, before, after in found[:MAX_DIFFERENCES]]
    if len(found) > MAX_DIFFERENCES:
        rest = len(found) - MAX_DIFFERENCES
        issues.append(make_issue(Problem.COLLECT_003, file=old.file, sheet=old.sheet, field="其余内容",
                                 value=f"另有 {rest} 处不同", expected=new_file))
    return issues


def _indicator(item: dict[str, Any]) -> str:
    parts = [item.get(key) for key in ("level1", "level2", "name")]
    text = "/".join(str(part) for part in parts if part not in (None, ""))
    target = item.get("target")
    return f"{text}：{target}" if target not in (None, "") else text


def _shown(value: object) -> str:
    return "（空）" if value in (None, "") else str(value)
