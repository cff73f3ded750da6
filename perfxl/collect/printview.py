"""The master's print views, for the leadership: 项目汇总、单位汇总 and 问题清单 each again as a
compact sheet of its key columns, sized to print on A4 landscape at 100 % (10 pt), wrapped text
in rows tall enough for it, the heading row on every page, a title with the year and 主管部门
above and 第 N 页 共 M 页 below.

The full sheets stay as they are for the clerks who sort, filter and copy them; a separate sheet
rather than hidden columns, because hidden columns travel along when a clerk copies a range.
What each view shows and how wide each column is lives here; :mod:`perfxl.collect.master`
writes them (streamed, like every big sheet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from ..form.kinds import AMOUNT, INDEX, INTEGER, TEXT
from ..form.layout import WIDE, fits_one_line, text_width, wrapped_height
from ..write.paper import column_points, printable_width
from .columns import Column
from .consolidate import CollectedForm

PRINT_SUFFIX = "（打印）"
FONT_SIZE = 10  # points: every print view prints at 100 %, so this is the size on paper
WIDTH_USED = 0.96  # of the printable width: a client measuring columns a little wider still fits
TITLE = "财政项目支出绩效目标"
DEPARTMENTS_LENGTH = 30  # characters of 主管部门 names listed in a title; more are counted
# The form fields the project view shows, with their short headings (amounts get their unit).
PROJECT_FIELDS = (("implementing_unit", "单位"), ("project_name", "项目"), ("project_category", "类别"))
KEY_AMOUNTS = (("funding.total", "总额"), ("funding.total_fiscal", "财政"), ("funding.total_other", "其他"),
               ("funding.annual_total", "年度申请"))
# Column widths in the file format's units: fixed for short values, shares of the rest for text.
FIXED = {INDEX: 7.0, INTEGER: 7.0, AMOUNT: 14.0, "category": 11.0, "cell": 8.0, "severity": 6.0, "code": 11.0}


@dataclass(frozen=True)
class PrintColumn:
    header: str
    kind: str  # how the value is written: TEXT, AMOUNT, INTEGER or INDEX
    width: float = 0.0  # column units; 0: a share (``weight``) of what the fixed columns leave
    weight: int = 0


MIN_SHARE = 12.0  # a text column never narrower (six CJK characters a line)
KNOWN_HEIGHTS = 4096  # texts whose height a view remembers


def fit_widths(columns: Sequence[PrintColumn]) -> list[float]:
    """Each column's width: the fixed ones as given, the rest of the page's width shared out by
    weight, so that all of them print side by side at 100 %.  Where the fixed ones leave too
    little (amounts in both 元 and 万元: twice the amount columns), the text columns keep
    :data:`MIN_SHARE` and the client shrinks the page to fit its width (to about 85 %)."""
    budget = printable_width(landscape=True) * WIDTH_USED
    left = budget - sum(column_points(c.width) for c in columns if c.width)
    shares = [c for c in columns if not c.width]
    # column_points is (7 w + 5) px: a share gets its part of what is left, less its padding
    spare = max(left / 0.75 - 5.5 * len(shares), 0) / 7
    weights = sum(c.weight for c in shares) or 1
    return [c.width or max(int(spare * c.weight / weights * 2) / 2, MIN_SHARE) for c in columns]


class RowHeights:
    """Points a row of a view needs to show every cell whole, wrapped (rows do not grow by
    themselves in every client).  Fast for a city's rows: a text that fits one line even if every
    character were wide is not broken into lines."""

    def __init__(self, columns: Sequence[PrintColumn], widths: Sequence[float], *, bold: bool = False,
                 all_text: bool = False):
        self.size = FONT_SIZE + (0.5 if bold else 0)  # bold CJK runs a little wider
        self.texts = [(i, width, text_width(width, self.size)) for i, (column, width) in enumerate(zip(columns, widths))
                      if all_text or column.kind == TEXT]
        self.one_line = wrapped_height("", 10, self.size)
        self.known: dict[tuple[int, str], float] = {}  # units, files, messages repeat row after row

    def __call__(self, values: Sequence[Any]) -> float:
        height = self.one_line
        for i, width, room in self.texts:
            value = values[i]
            if value is None or value == "":
                continue
            text = value if isinstance(value, str) else str(value)
            if len(text) * WIDE <= room and "\n" not in text:
                continue
            if fits_one_line(text, room):  # one line, as wrapped_height would find: no taller than one_line
                continue
            needed = self.known.get((i, text))
            if needed is None:
                if len(self.known) >= KNOWN_HEIGHTS:
                    self.known.clear()  # memory stays bounded at any N
                needed = self.known[(i, text)] = wrapped_height(text, width, self.size)
            height = max(height, needed)
        return height


# --- what each view shows ------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    """One print view: its columns and, per row of its source, the values it prints."""

    name: str
    title: str
    columns: list[PrintColumn]
    widths: list[float]


def _view(name: str, title: str, columns: list[PrintColumn]) -> View:
    return View(name + PRINT_SUFFIX, title, columns, fit_widths(columns))


def _key_amounts(columns: Sequence[Column]) -> list[tuple[int, str]]:
    """Where the key amounts sit among ``columns`` (per amount unit, in KEY_AMOUNTS' order), each
    with its short heading: ``总额（万元）``."""
    found = []
    units = list(dict.fromkeys(c.unit for c in columns if c.kind == AMOUNT))
    for unit in units:
        for path, short in KEY_AMOUNTS:
            for i, column in enumerate(columns):
                if column.kind == AMOUNT and column.path == path and column.unit == unit:
                    found.append((i, f"{short}（{unit}）"))
    return found


def project_view(name: str, title: str, columns: Sequence[Column]) -> tuple[View, Callable[[CollectedForm, list[Any]], list[Any]]]:
    """序号, 单位, 项目, 类别, the key amounts, 指标数 and 问题数; and how a row of 项目汇总 (with
    its form) becomes one of the view: the view is written in the same pass as 项目汇总, so a
    city's records are read back once."""
    at = {c.path: i for i, c in enumerate(columns) if c.path and c.kind != AMOUNT}
    fields = [(at[path], short, path) for path, short in PROJECT_FIELDS if path in at]
    amounts = _key_amounts(columns)
    counts = [i for i, c in enumerate(columns) if c.level1]
    number = next(i for i, c in enumerate(columns) if c.kind == INDEX)
    printed = [PrintColumn("序号", INDEX, FIXED[INDEX])]
    for _, short, path in fields:
        if path == "project_category":
            printed.append(PrintColumn(short, TEXT, FIXED["category"]))
        else:
            printed.append(PrintColumn(short, TEXT, weight=3 if path == "project_name" else 2))
    printed += [PrintColumn(short, AMOUNT, FIXED[AMOUNT]) for _, short in amounts]
    printed += [PrintColumn("指标数", INTEGER, FIXED[INTEGER]), PrintColumn("问题数", INTEGER, FIXED[INTEGER])]

    def row(item: CollectedForm, values: list[Any]) -> list[Any]:
        return [values[number], *(values[i] for i, _, _ in fields), *(values[i] for i, _ in amounts),
                sum(values[i] or 0 for i in counts), item.form.problems]
    return _view(name, title, printed), row


def unit_view(name: str, title: str, columns: Sequence[Column]) -> tuple[View, Callable[[list[Any]], list[Any]]]:
    """主管部门, 实施单位, 项目数, the key amounts, 未计入 and 核对 of 单位汇总's rows (``columns``:
    the amounts 单位汇总 sums); and how a row of 单位汇总 becomes one of the view."""
    amounts = _key_amounts(columns)
    printed = [PrintColumn("主管部门", TEXT, weight=2), PrintColumn("实施单位", TEXT, weight=3),
               PrintColumn("项目数", INTEGER, FIXED[INTEGER]),
               *(PrintColumn(short, AMOUNT, FIXED[AMOUNT]) for _, short in amounts),
               PrintColumn("未计入", TEXT, weight=2), PrintColumn("核对", TEXT, weight=3)]
    count = len(columns)

    def row(values: list[Any]) -> list[Any]:  # 单位汇总's row: 主管部门, 实施单位, 项目数, sums…, 未计入, 核对
        return [values[0], values[1], values[2], *(values[3 + i] for i, _ in amounts), values[3 + count],
                values[4 + count]]
    return _view(name, title, printed), row


# 问题清单's columns: 文件, 工作表, 单元格, 字段, 值, 代码, 级别, 说明 — the view leaves out 字段 and 值
# (说明 names both).
PROBLEM_PICK = (0, 1, 2, 6, 5, 7)


def problem_view(name: str, title: str) -> tuple[View, Callable[[list[Any]], list[Any]]]:
    printed = [PrintColumn("文件", TEXT, weight=2), PrintColumn("工作表", TEXT, weight=2),
               PrintColumn("单元格", TEXT, FIXED["cell"]), PrintColumn("级别", TEXT, FIXED["severity"]),
               PrintColumn("代码", TEXT, FIXED["code"]), PrintColumn("说明", TEXT, weight=6)]
    return _view(name, title, printed), lambda values: [values[i] for i in PROBLEM_PICK]


# --- the title -------------------------------------------------------------------------------
def print_title(years: Iterable[int], departments: Iterable[str], what: str) -> str:
    """``2023年度 财政项目支出绩效目标汇总（主管部门：闵行区浦江镇人民政府）``: the years and 主管部门
    of the forms collected; several are listed, many are counted, so that the title stays within
    about 60 characters, one line of the page header."""
    year_list = sorted(set(years))
    names = [name for name in dict.fromkeys(departments) if name]
    if not year_list:
        year = ""
    elif len(year_list) <= 3:
        year = "、".join(map(str, year_list)) + "年度 "
    else:
        year = f"{year_list[0]}—{year_list[-1]}年度 "
    if not names:
        department = ""
    elif len(names) == 1 or len("、".join(names)) <= DEPARTMENTS_LENGTH:
        department = f"（主管部门：{'、'.join(names)}）"
    else:
        department = f"（主管部门：{names[0]} 等 {len(names)} 个）"
    return f"{year}{TITLE}{what}{department}"
