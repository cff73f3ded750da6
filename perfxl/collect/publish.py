"""The year's booklet (``perfxl publish``): after 批复 the 主管部门 publishes its projects'
绩效目标表, one official table per page, unit after unit (预算公开).

The forms come from an inbox (read and checked as ``collect`` reads them, no master written) or
from a ``collect --jsonl`` export (read by :func:`perfxl.write.carryover.read_jsonl`, the reader
``template --from`` uses, then checked again: an export may have been edited).  Forms with errors
are left out unless asked for, and listed.

The booklet is one workbook: a cover (主管部门, 年度 and the summary paragraph publications carry),
a contents list (unit → projects → page) and one sheet per form, written by the form writer
(:func:`perfxl.write.workbook.write_workbook`), so each prints as the official table on one A4
page.  Page numbers run on through the booklet: every sheet starts at a fixed page number, and the
contents sheet breaks its pages by hand at 100 %, so the contents state each form's page exactly.

The booklet carries perfxl's output mark (:data:`~perfxl.form.marks.BOOKLET_OUTPUT`): lying in
next round's inbox it is listed as perfxl's own output, never collected as a second copy of every
unit's forms.  Its form sheets are the writer's, so with the mark removed they read back to
exactly their forms (tests/test_publish.py checks both).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any, Callable, Iterable

from ..config import DEFAULT_SETTINGS, Settings
from ..form.identity import form_id_for
from ..form.layout import Layout, get_layout, wrapped_height
from ..form.marks import BOOKLET_OUTPUT
from ..form.values import convert_money
from ..form.variant import TARGET_KIND
from ..model import FormRecord
from ..problems import ERROR, Issue
from ..read.inputs import discover_inputs
from ..write.atomic import exclusive, sweep_stale
from ..write.carryover import read_jsonl
from ..write.naming import safe_sheet_names
from ..write.paper import A4_BODY_HEIGHT
from ..write.pdf import find_soffice, workbook_to_pdf
from ..write.units import as_filled
from ..write.workbook import FormSheet, PageRow, PageSheet, write_workbook
from .consolidate import collect
from .files import UNREADABLE
from .returns import load_expected
from .run import _check_no_links, _check_outputs_apart, _check_roster_apart

COVER_SHEET, CONTENTS_SHEET = "封面", "目录"
BUDGET_FIELD = "funding.annual_total"  # 项目预算资金: the year's budget of the project (年度资金申请总额)
BUDGET_UNIT = "万元"  # as publications state it
NO_UNIT = "未填写单位"
# Contents: column widths (character units; 82 units ≈ 440 pt, inside A4's 537 pt at 100 %).
CONTENTS_WIDTHS = (4.0, 66.0, 12.0)
CONTENTS_ROW = 20.0  # points, one line of the contents at 11 pt
HEADING_ROW = 1  # the contents' row 实施单位 / 项目名称 / 页码, after the title 目录
PARAGRAPH_WIDTH = sum(CONTENTS_WIDTHS)


@dataclass(frozen=True)
class PublishedForm:
    """One form of the booklet, on its page."""

    unit: str
    name: str
    page: int
    sheet: str
    source: str  # where it came from: file / sheet, or the JSONL file and line
    errors: int
    form: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class LeftOut:
    """A form not published: it has errors (and ``include_errors`` was not asked for), or it is
    not a 绩效目标表 (``kind_title`` names what it is, a 项目支出绩效自评表 say)."""

    unit: str
    name: str
    source: str
    errors: list[Issue]
    kind_title: str | None = None


@dataclass
class Booklet:
    """What ``publish`` wrote and why: the booklet, its pages, what was left out."""

    path: Path
    pdf: Path | None
    department: str
    year: int | None
    forms: list[PublishedForm]
    left_out: list[LeftOut]  # target tables with errors
    units: int
    budget: Decimal  # 项目预算资金 in 万元, exact (forms in 元 converted, never rounded)
    budget_missing: int  # published forms whose 年度资金申请总额 is blank or invalid (not added)
    summary: str  # the paragraph, as printed on the cover
    contents_pages: int
    pages: int  # cover + contents + forms
    issues: list[Issue] = field(default_factory=list)  # every problem met reading the inputs
    other_kinds: list[LeftOut] = field(default_factory=list)  # forms of another kind: never published
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file, why): inbox files without a form read

    @property
    def other_years(self) -> list[PublishedForm]:
        """Published forms whose 年度 is not the booklet's (the cover's year is the most forms')."""
        return [f for f in self.forms if isinstance(f.form.get("year"), int) and f.form["year"] != self.year]

    @property
    def has_errors(self) -> bool:
        return any(issue.severity == ERROR for issue in self.issues)


@dataclass(frozen=True)
class _Candidate:
    record: FormRecord
    source: str
    errors: list[Issue]


# --- the forms ------------------------------------------------------------------------------
def _from_inbox(inputs: list[Path], outputs: dict[str, Path], variant: str | None, settings: Settings,
                workers: int, on_progress) -> tuple[list[_Candidate], list[Issue], list[tuple[str, str]]]:
    """The inbox read and checked as collect reads it (duplicates once, versions decided); the
    files it could not read, with why."""
    found = discover_inputs(inputs)
    _check_no_links(found, outputs)
    if not found.files and not found.skipped:
        raise ValueError(f"没有找到输入文件（{'、'.join(map(str, inputs))}；隐藏文件和 Office 锁定文件不计）。")
    collection = collect(found, variant=variant, settings=settings, workers=workers, on_progress=on_progress,
                         one_kind=False)  # other kinds are listed as not published (below)
    try:
        candidates = []
        for item in collection.forms:
            record = item.record
            errors = [issue for issue in record.issues if issue.severity == ERROR]
            candidates.append(_Candidate(record, f"{item.file.path} / {record.sheet}", errors))
        unreadable = [(entry.path, entry.note) for entry in collection.files if entry.status == UNREADABLE]
        return candidates, collection.issues, unreadable
    finally:
        collection.close()


def _from_jsonl(path: Path, variant: str | None, settings: Settings) -> tuple[list[_Candidate], list[Issue]]:
    """A collect --jsonl export, each form checked again (schema and review) as collect checks."""
    from ..check.review import review_record
    from ..check.validate import validate_record

    candidates, issues = [], []
    for number, (form, source) in enumerate(read_jsonl(path, variant), start=1):
        where = f"第 {number} 行"
        record = FormRecord(str(path), where, source["variant"], form, {})
        record.issues.extend(validate_record(record))
        if settings.review is not None:
            record.issues.extend(review_record(record, settings.review))
        issues += record.issues
        errors = [issue for issue in record.issues if issue.severity == ERROR]
        origin = f"（原为 {source['file']} / {source['sheet']}）" if source.get("file") and source.get("sheet") else ""
        candidates.append(_Candidate(record, f"{path} {where}{origin}", errors))
    return candidates, issues


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) and value.strip() else ""


def _ordered(candidates: list[_Candidate], roster_order: list[tuple[str, str]] | None) -> list[_Candidate]:
    """Grouped by 实施单位: in the roster's order (its projects in its order, others after them),
    else units by name (code point order: Python has no pinyin collation) and each unit's forms
    in the order received.  Either way the same inputs give the same booklet."""
    units: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        units.setdefault(_text(candidate.record.form.get("implementing_unit")) or NO_UNIT, []).append(candidate)
    if roster_order is None:
        return [c for unit in sorted(units) for c in units[unit]]
    unit_rank: dict[str, int] = {}
    project_rank: dict[tuple[str, str], int] = {}
    for unit, name in roster_order:
        unit_rank.setdefault(unit, len(unit_rank))
        project_rank.setdefault((unit, name), len(project_rank))
    ordered_units = sorted(units, key=lambda u: (unit_rank.get(u, len(unit_rank)), u if u not in unit_rank else ""))
    result = []
    for unit in ordered_units:
        ranked = [(project_rank.get((unit, _text(c.record.form.get("project_name"))), len(project_rank) + i), i, c)
                  for i, c in enumerate(units[unit])]
        result += [c for _, _, c in sorted(ranked, key=lambda item: item[:2])]
    return result


def _roster_facts(roster: str | Path, variant: str | None) -> tuple[list[tuple[str, str]], str | None]:
    """The roster's (实施单位, 项目名称) in its order, and its 主管部门."""
    expected = load_expected(roster, variant)
    order = [(_text(entry.form.get("implementing_unit")), _text(entry.form.get("project_name")))
             for entry in expected.entries]
    return order, _most_common(_text(entry.form.get("department")) for entry in expected.entries)


def _most_common(values: Iterable[Any]) -> Any:
    """The value most forms have; among equals the longest spelling (上海市闵行区浦江镇人民政府 over
    浦江镇人民政府), then the greatest, so the order of the forms never decides; None when none has one."""
    counted = Counter(value for value in values if value not in (None, ""))
    return max(counted, key=lambda value: (counted[value], len(str(value)), str(value))) if counted else None


def _budget(published: list[_Candidate]) -> tuple[Decimal, int]:
    """The exact sum of 年度资金申请总额 in 万元 (a form in 元 converted exactly: the point moves,
    no digit is rounded), and how many were blank or invalid."""
    total, missing = Decimal(0), 0
    exact = localcontext(prec=200)  # a sum is never rounded (28 digits by default)
    for candidate in published:
        layout = get_layout(candidate.record.variant)
        slot = layout.slot_by_path[BUDGET_FIELD]
        value = candidate.record.group("funding").get(BUDGET_FIELD.split(".")[1])
        if isinstance(value, str) and slot.accepts(value):
            amount = convert_money(Decimal(value), layout.amount_unit, BUDGET_UNIT)
            with exact:
                total += amount
        else:
            missing += 1
    return total, missing


def amount_text(value: Decimal) -> str:
    """A Decimal as printed: every digit, no exponent, no trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def summary_paragraph(units: int, year: int | None, projects: int, budget: Decimal, missing: int) -> str:
    """The paragraph publications carry, its figures exact (the budget in 万元)."""
    money = f"{amount_text(budget)} {BUDGET_UNIT}"
    year_text = f" {year} 年" if year is not None else ""
    text = (f"本部门 {units} 个预算单位开展了{year_text}项目预算绩效目标编报工作，编报绩效目标的项目 {projects} 个，"
            f"涉及项目预算资金 {money}。")
    if missing:
        text += f"（其中 {missing} 个项目的年度资金申请总额未填写或无效，未计入。）"
    return text


# --- the pages -----------------------------------------------------------------------------
def _cover(department: str, year: int | None, summary: str) -> PageSheet:
    title = f"{year}年度项目支出绩效目标表" if year is not None else "项目支出绩效目标表"
    rows = (PageRow(("",), "cover_line", 150.0),
            PageRow((department,), "cover_line", 40.0),
            PageRow((title,), "cover_title", 80.0),
            PageRow(("",), "cover_line", 60.0),
            PageRow((summary,), "paragraph", wrapped_height(summary, PARAGRAPH_WIDTH, 12, 0, 11) + 10))
    return PageSheet(COVER_SHEET, CONTENTS_WIDTHS, rows)


def _contents(groups: list[tuple[str, list[tuple[str, int]]]], first_page: int,
              page_of_forms: Callable[[int], int]) -> PageSheet:
    """目录: each unit (its first page) and its projects, each with its page, under a heading
    repeated on every page; rows broken into
    pages by hand (at 100 %) so the number of contents pages is known before the forms are
    numbered.  ``page_of_forms(n)``: the first form's page when the contents take ``n`` pages."""
    def plan(forms_start: int) -> tuple[list[PageRow], list[int]]:
        rows = [PageRow(("目录",), "page_title", 40.0), PageRow(("", "实施单位 / 项目名称", "页码"), "contents_head", 24.0,
                                                                        ("", "", "contents_head_page"))]
        page = forms_start
        for unit, projects in groups:
            rows.append(_contents_row(unit, page, "contents_unit"))
            for name, count in projects:
                rows.append(_contents_row(name, page, "contents_item"))
                page += count
        breaks, used = [], 0.0
        for index, row in enumerate(rows):
            if used + row.height > A4_BODY_HEIGHT and index:
                breaks.append(index)
                used = rows[HEADING_ROW].height  # the heading, repeated at the top of the page
            used += row.height
        return rows, breaks

    pages = 1
    while True:  # heights do not depend on the page numbers: settled by the second pass at most
        rows, breaks = plan(page_of_forms(pages))
        if len(breaks) + 1 == pages:
            return PageSheet(CONTENTS_SHEET, CONTENTS_WIDTHS, tuple(rows), tuple(breaks), first_page, HEADING_ROW)
        pages = len(breaks) + 1


def _contents_row(text: str, page: int, style: str) -> PageRow:
    indent = 2 if style == "contents_item" else 0
    height = max(CONTENTS_ROW, wrapped_height(text, CONTENTS_WIDTHS[1], 11, indent) + 4)
    return PageRow(("", text, str(page)), style, height, ("", "", "contents_page"))


# --- the booklet ---------------------------------------------------------------------------
def publish_booklet(inputs: Iterable[str | Path] = (), out: str | Path = "绩效目标表汇编.xlsx", *,
                    jsonl: str | Path | None = None, roster: str | Path | None = None,
                    include_errors: bool = False, pdf: str | Path | bool | None = None,
                    variant: str | None = None, settings: Settings = DEFAULT_SETTINGS, workers: int = 1,
                    on_progress=None, soffice: str | None = None) -> Booklet:
    """``perfxl publish``: the year's booklet of the forms in ``inputs`` (inbox files and folders)
    or in ``jsonl`` (a ``collect --jsonl`` export), written to ``out``.

    ``roster`` (CSV, workbook or 名单.json): units and projects in its order.  ``include_errors``:
    forms with errors are published too (they are left out and listed otherwise).  ``pdf``: also
    print the booklet to PDF with LibreOffice (True: beside ``out``, same name); a
    :class:`~perfxl.write.pdf.LibreOfficeMissing` (a ValueError, in Chinese, naming the package)
    before anything is read when it is not installed.  A ValueError (in Chinese) refuses an output
    inside the inputs, inputs without forms, or nothing left to publish."""
    out = Path(out)
    inputs = [Path(p) for p in inputs]
    if bool(inputs) == (jsonl is not None):
        raise ValueError("请给出单位报送的文件或文件夹，或者用 --jsonl 给出 collect 导出的表单（二者选一）。")
    pdf_path = out.with_suffix(".pdf") if pdf is True else (Path(pdf) if pdf else None)
    outputs = {"汇编": out, **({"PDF": pdf_path} if pdf_path is not None else {})}
    _check_outputs_apart([*inputs, *([jsonl] if jsonl is not None else [])], outputs)
    _check_roster_apart(roster, outputs)
    office = (soffice or find_soffice()) if pdf_path is not None else None  # refused at once when missing
    order, roster_department = _roster_facts(roster, variant) if roster is not None else (None, None)
    unreadable: list[tuple[str, str]] = []
    if jsonl is not None:
        candidates, issues = _from_jsonl(Path(jsonl), variant, settings)
    else:
        candidates, issues, unreadable = _from_inbox(inputs, outputs, variant, settings, workers, on_progress)
    if not candidates:
        raise ValueError("输入中没有表单，汇编没有生成。（汇总表不是表单来源：请用 collect 的 --jsonl 导出，"
                         "或给出单位报送的文件夹。）")
    other_kinds = [_left_out(c, get_layout(c.record.variant).title) for c in candidates
                   if get_layout(c.record.variant).kind != TARGET_KIND]
    candidates = [c for c in candidates if get_layout(c.record.variant).kind == TARGET_KIND]
    if not candidates:
        titles = "、".join(sorted({item.kind_title or "" for item in other_kinds}))
        raise ValueError(f"输入中的 {len(other_kinds)} 张表单都是{titles}，不是绩效目标表；汇编只收入绩效目标表，"
                         f"没有生成。请给出单位报送的绩效目标表（或其 collect --jsonl 导出）。")
    published = [c for c in candidates if include_errors or not c.errors]
    left_out = [_left_out(c) for c in candidates if c.errors and not include_errors]
    if not published:
        raise ValueError(f"{len(candidates)} 张表单都有错误，没有可收入汇编的表单，汇编没有生成。"
                         f"请改正后重试，或加 --include-errors 照样收入。")
    published = _ordered(published, order)
    booklet = _write_booklet(published, left_out, issues, out, pdf_path, office, roster_department)
    booklet.other_kinds, booklet.unreadable = other_kinds, unreadable
    return booklet


def _left_out(candidate: _Candidate, kind_title: str | None = None) -> LeftOut:
    form = candidate.record.form
    return LeftOut(_text(form.get("implementing_unit")) or NO_UNIT, _text(form.get("project_name")),
                   candidate.source, candidate.errors, kind_title)


def _write_booklet(published: list[_Candidate], left_out: list[LeftOut], issues: list[Issue], out: Path,
                   pdf_path: Path | None, office: str | None, roster_department: str | None) -> Booklet:
    forms = [c.record.form for c in published]
    department = roster_department or _most_common(_text(f.get("department")) for f in forms) or ""
    year = _most_common(f.get("year") for f in forms if isinstance(f.get("year"), int))
    units = [_text(f.get("implementing_unit")) or NO_UNIT for f in forms]
    budget, missing = _budget(published)
    unit_count = len(set(units) - {NO_UNIT})
    summary = summary_paragraph(unit_count, year, len(forms), budget, missing)

    groups: list[tuple[str, list[tuple[str, int]]]] = []
    for unit, form in zip(units, forms):
        if not groups or groups[-1][0] != unit:
            groups.append((unit, []))
        groups[-1][1].append((_text(form.get("project_name")) or "（未填写项目名称）", 1))  # one page per form
    contents = _contents(groups, 2, lambda pages: 2 + pages)
    first_form_page = 2 + len(contents.breaks) + 1
    names = safe_sheet_names([COVER_SHEET, CONTENTS_SHEET, *(name for _, projects in groups for name, _ in projects)])[2:]
    sheets, results = [], []
    for index, (candidate, name) in enumerate(zip(published, names)):
        layout: Layout = get_layout(candidate.record.variant)
        form = as_filled(candidate.record.form, layout)
        page = first_form_page + index
        sheets.append(FormSheet(name, layout, form, form_id_for(layout, candidate.record.form), None, first_page=page))
        results.append(PublishedForm(units[index], _text(form.get("project_name")), page, name, candidate.source,
                                     len(candidate.errors), candidate.record.form))
    folders = {out.parent} | ({pdf_path.parent} if pdf_path is not None else set())
    with exclusive(folders):
        for folder in folders:
            sweep_stale(folder)
        write_workbook(out, sheets, instructions=False, front=(_cover(department, year, summary), contents),
                       output=BOOKLET_OUTPUT)
        if pdf_path is not None and office is not None:
            workbook_to_pdf(out, pdf_path, soffice=office)
    return Booklet(out, pdf_path, department, year, results, left_out, unit_count, budget, missing, summary,
                   len(contents.breaks) + 1, first_form_page - 1 + len(results), issues)
