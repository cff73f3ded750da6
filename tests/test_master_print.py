"""The master prints for the leadership (issue 13): 项目汇总, 单位汇总 and 问题清单 each have a
print view of their key columns on A4 landscape at 100 % (10 pt), the heading row on every page,
a title with the year and 主管部门, the print date and 第 N 页 共 M 页.

The workbook facts are checked with openpyxl (an independent reader); how LibreOffice really
prints each view is checked in its PDF: page size, every column on the page, text size from the
words' widths, nothing cut, the page header and footer filled in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import example_paths, load_example
from test_libreoffice import convert, page_words, pdf_pages, shows, words_text

from perfxl.api import collect_to_master, fill_forms
from perfxl.collect.printview import print_title
from perfxl.form.layout import get_layout
from perfxl.write.paper import A4_POINTS, LIST_MARGINS, header_text
from perfxl.write.workbook import FormSheet, write_workbook

VIEWS = {  # print view → the sheet it shows, and its headings (amounts in the examples' 万元)
    "项目汇总（打印）": ("项目汇总", ["序号", "单位", "项目", "类别", "总额（万元）", "财政（万元）", "其他（万元）",
                              "年度申请（万元）", "指标数", "问题数"]),
    "单位汇总（打印）": ("单位汇总", ["主管部门", "实施单位", "项目数", "总额（万元）", "财政（万元）", "其他（万元）",
                              "年度申请（万元）", "未计入", "核对"]),
    "问题清单（打印）": ("问题清单", ["文件", "工作表", "单元格", "级别", "代码", "说明"]),
}
WHAT = {"项目汇总（打印）": "汇总", "单位汇总（打印）": "单位汇总", "问题清单（打印）": "问题清单"}
COPIES = ("", "（二）", "（三）")  # the examples three times over: every view but 单位汇总 runs onto page 2
A4_LANDSCAPE = A4_POINTS[::-1]
MIN_POINTS = 8.0
CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def sheet_rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[dict]:
    """The example forms, three times over with different project names."""
    forms = []
    for suffix in COPIES:
        for path in example_paths():
            form = json.loads(path.read_text(encoding="utf-8"))
            form["project_name"] += suffix
            forms.append(form)
    return forms


@pytest.fixture(scope="module")
def master(tmp_path_factory, sources) -> Path:
    work = tmp_path_factory.mktemp("master-print")
    paths = []
    for index, form in enumerate(sources):
        path = work / "json" / f"{index:03}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    filled = fill_forms(paths, work / "filled", by_unit=True)
    collect_to_master(filled, work / "汇总.xlsx", workers=1)
    return work / "汇总.xlsx"


# --- the workbook ----------------------------------------------------------------------------
def column_points(ws, count: int) -> list[float]:
    """Points each of the first ``count`` columns takes on paper: a width in the file is in units of
    7 px (its padding included), at 96 px an inch."""
    widths = [8.43] * count  # the default column
    for dimension in ws.column_dimensions.values():
        for column in range(dimension.min, min(dimension.max, count) + 1):
            widths[column - 1] = dimension.width
    return [round(width * 7) * 0.75 for width in widths]


def test_each_view_follows_its_sheet_with_its_headings(master):
    book = openpyxl.load_workbook(master)
    names = book.sheetnames
    for view, (source, headings) in VIEWS.items():
        assert names.index(view) == names.index(source) + 1
        assert sheet_rows(book[view])[0] == headings, view


def test_views_fit_a4_landscape_at_100_percent_with_title_date_and_page_numbers(master):
    book = openpyxl.load_workbook(master)
    for view, (_, headings) in VIEWS.items():
        ws = book[view]
        setup = ws.page_setup
        assert int(setup.paperSize) == 9 and setup.orientation == "landscape", view  # A4
        assert setup.scale in (None, 100), view
        margins = ws.page_margins
        printable = A4_LANDSCAPE[0] - (margins.left + margins.right) * 72
        widths = column_points(ws, len(headings))
        assert sum(widths) <= printable, (view, widths)  # no shrinking needed
        fonts = {cell.font.sz for row in ws.iter_rows() for cell in row}
        assert min(fonts) >= MIN_POINTS, (view, fonts)
        assert ws.print_title_rows == "$1:$1", view
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref, view
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", view
        # the date is a field the client fills as it prints: the file stays the same bytes
        assert ws.oddFooter.right.text == "打印日期：&D", view
        assert "财政项目支出绩效目标" + WHAT[view] in ws.oddHeader.center.text, view


def test_views_print_at_8_pt_or_more_with_amounts_in_yuan_and_wan_yuan(tmp_path):
    """Two variants, amounts in 元 and in 万元: twice the amount columns.  The client shrinks the
    page to its width; the text stays ≥ 8 pt."""
    sample = json.loads((Path(__file__).parent / "fixtures" / "shanghai-2025-sample.json").read_text(encoding="utf-8"))
    inbox = tmp_path / "in"
    write_workbook(inbox / "sh.xlsx", [FormSheet("样例", get_layout("shanghai-2025"), sample, "sh")])
    fill_forms([example_paths()[0]], inbox)
    collect_to_master([inbox], tmp_path / "m.xlsx", workers=1)
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    for view in VIEWS:
        ws = book[view]
        count = len(sheet_rows(ws)[0])
        margins = ws.page_margins
        printable = A4_LANDSCAPE[0] - (margins.left + margins.right) * 72
        scale = min(1.0, printable / sum(column_points(ws, count)))
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1), view  # 1: the default
        fonts = {cell.font.sz for row in ws.iter_rows() for cell in row}
        assert min(fonts) * scale >= MIN_POINTS, (view, scale)
    assert "总额（元）" in sheet_rows(book["项目汇总（打印）"])[0] and "总额（万元）" in sheet_rows(book["项目汇总（打印）"])[0]


def test_project_view_shows_what_the_full_sheet_says(master):
    book = openpyxl.load_workbook(master)
    header, *rows = sheet_rows(book["项目汇总"])
    _, *printed = sheet_rows(book["项目汇总（打印）"])
    problems = sheet_rows(book["问题清单"])[1:]
    assert len(printed) == len(rows) == 18 * len(COPIES)
    column = {title: i for i, title in enumerate(header)}
    level1s = [i for title, i in column.items() if title.endswith("指标数")]
    for full, view in zip(rows, printed):
        assert view[:8] == [full[column[t]] for t in ("序号", "实施单位", "项目名称", "项目类别", "项目资金总额（万元）",
                                                     "其中：财政资金（万元）", "其他资金（万元）", "年度资金申请总额（万元）")]
        assert view[8] == sum(full[i] or 0 for i in level1s)
        assert view[9] == sum(1 for p in problems if (p[0], p[1]) == (full[column["来源文件"]], full[column["工作表"]]))


def test_unit_view_keeps_the_subtotals_and_the_total(master):
    book = openpyxl.load_workbook(master)
    header, *rows = sheet_rows(book["单位汇总"])
    _, *printed = sheet_rows(book["单位汇总（打印）"])
    assert len(printed) == len(rows)
    amounts = ("项目资金总额（万元）", "其中：财政资金（万元）", "其他资金（万元）", "年度资金申请总额（万元）")
    for full, view in zip(rows, printed):
        assert view == [*full[:3], *(full[header.index(t)] for t in (*amounts, "未计入", "核对"))]
    assert printed[-1][0] == "合计" and printed[-2][1] == "小计"
    assert book["单位汇总（打印）"].cell(len(printed) + 1, 1).font.b  # 合计 in bold
    assert Decimal(str(printed[-1][3])) == sum(Decimal(load_example(p.stem)["funding"]["total"])
                                               for p in example_paths()) * len(COPIES)


def test_title_names_every_year_and_department_or_counts_them():
    assert print_title([2023], ["闵行区浦江镇人民政府"], "汇总") == "2023年度 财政项目支出绩效目标汇总（主管部门：闵行区浦江镇人民政府）"
    assert print_title([2024, 2023, 2023], ["乙", "甲", "乙", ""], "汇总") == "2023、2024年度 财政项目支出绩效目标汇总（主管部门：乙、甲）"
    many = print_title(range(2018, 2025), [f"第{i}区人民政府" for i in range(40)], "问题清单")
    assert many == "2018—2024年度 财政项目支出绩效目标问题清单（主管部门：第0区人民政府 等 40 个）"
    assert print_title([], [], "汇总") == "财政项目支出绩效目标汇总"


def test_page_header_escapes_ampersands_and_keeps_to_its_limit():
    text = header_text("A&B" + "甲" * 400)
    assert len(text) <= 255 and text.startswith("&C&12&BA&&B") and text.endswith("甲…")
    assert re.sub("&&", "", text).count("&") == 3  # &C &12 &B: no code from the title


def test_several_years_and_departments_reach_the_title(tmp_path):
    one, two = load_example("01"), load_example("12")  # two units
    two.update(year=2024, department="某区财政局&审计局", planned_start="2024-01-01", planned_end="2024-12-31")
    paths = []
    for name, form in (("a", one), ("b", two)):
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    collect_to_master(fill_forms(paths, tmp_path / "in"), tmp_path / "m.xlsx", workers=1)
    header = openpyxl.load_workbook(tmp_path / "m.xlsx")["项目汇总（打印）"].oddHeader.center.text
    assert "2023、2024年度" in header
    named = header[header.index("主管部门："):]
    assert sorted(named.removeprefix("主管部门：").removesuffix("）").split("、")) == sorted(
        [one["department"], "某区财政局&&审计局"])


def test_print_views_continue_past_excels_row_limit(tmp_path, monkeypatch):
    """A print view is streamed like the full sheets (a city's 100,000 projects are never held in
    memory) and goes on in a second sheet past the row limit, headed again."""
    from perfxl.collect import master as master_module
    monkeypatch.setattr(master_module, "MAX_SHEET_ROWS", 10)
    collect_to_master(fill_forms(example_paths(), tmp_path / "in", by_unit=True), tmp_path / "m.xlsx", workers=1)
    book = openpyxl.load_workbook(tmp_path / "m.xlsx")
    parts = [name for name in book.sheetnames if name.startswith("项目汇总（打印）")]
    assert parts == ["项目汇总（打印）", "项目汇总（打印）（2）"]
    assert sheet_rows(book[parts[1]])[0] == VIEWS["项目汇总（打印）"][1]
    assert sum(book[name].max_row - 1 for name in parts) == len(example_paths())
    assert book[parts[1]].oddFooter.center.text == "第 &P 页 共 &N 页"


# --- LibreOffice prints them ---------------------------------------------------------------
_SHEET = re.compile(r'<sheet name="([^"]*)"')


def only_sheet(master: Path, view: str, target: Path) -> Path:
    """A copy of the master with every sheet but ``view`` hidden: what printing that one sheet
    gives (LibreOffice prints visible sheets only, and counts 共 M 页 over what it prints)."""
    with zipfile.ZipFile(master) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                names = _SHEET.findall(text)
                assert view in names
                text = _SHEET.sub(lambda m: m.group(0) if m.group(1) == view else m.group(0) + ' state="hidden"', text)
                text = text.replace("<workbookView ", f'<workbookView activeTab="{names.index(view)}" ', 1)
                data = text.encode("utf-8")
            copy.writestr(info, data)
    return target


@pytest.fixture(scope="module")
def view_pdfs(master, soffice, tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("master-print-pdf")
    copies = [only_sheet(master, view, work / f"view-{i}.xlsx") for i, view in enumerate(VIEWS)]
    return dict(zip(VIEWS, convert(soffice, work / "lo-profile", "pdf", copies, work / "pdf")))


def overlaps(words) -> list[tuple[str, str]]:
    """Pairs of words printed over each other: a line LibreOffice cut off at the bottom of its
    cell is still in the PDF, below the cell, over the next row's text."""
    found = []
    for i, (a, ax1, ay1, ax2, ay2) in enumerate(words):
        for b, bx1, by1, bx2, by2 in words[i + 1:]:
            if min(ax2, bx2) - max(ax1, bx1) > 1 and min(ay2, by2) - max(ay1, by1) > 1:
                found.append((a, b))
    return found


@pytest.mark.libreoffice
@pytest.mark.parametrize("view", list(VIEWS))
def test_libreoffice_prints_each_view_within_its_pages(view, view_pdfs, master, sources):
    pdf = view_pdfs[view]
    pages = pdf_pages(pdf)
    count = len(pages)
    assert count >= (1 if view == "单位汇总（打印）" else 2), count  # the heading repeated on page 2
    book = openpyxl.load_workbook(master)
    departments = "、".join(dict.fromkeys(row[0] for row in sheet_rows(book["单位汇总"])[1:] if row[0] != "合计"))
    years = "、".join(str(year) for year in sorted({form["year"] for form in sources}))
    headings = VIEWS[view][1]
    left, right = LIST_MARGINS["left"] * 72, A4_LANDSCAPE[0] - LIST_MARGINS["right"] * 72
    today = dt.date.today()
    for number, page in enumerate(pages, start=1):
        width, height = page["size"]
        assert abs(width - A4_LANDSCAPE[0]) < 2 and abs(height - A4_LANDSCAPE[1]) < 2, (view, number)
        text = page["text"]
        assert all(shows(text, heading) for heading in headings), (view, number)  # every column, every page
        assert shows(text, f"第 {number} 页 共 {count} 页"), (view, number)
        assert shows(text, f"{years}年度 财政项目支出绩效目标{WHAT[view]}（主管部门：{departments}）"), (view, number)
        assert re.search(r"打印日期：\s*\S*" + str(today.year), " ".join(text.split())), (view, number)
        words = page_words(pdf, number - 1)
        assert all(left - 2 <= x1 and x2 <= right + 2 for _, x1, _, x2, _ in words), (view, number)
        # text size on paper: a CJK character is one em wide, so a run's width per character is its size
        sizes = [(x2 - x1) / len(w) for w, x1, _, x2, _ in words if CJK_RUN.fullmatch(w)]
        assert sizes and min(sizes) >= MIN_POINTS, (view, number, min(sizes))
        assert overlaps(words) == [], (view, number)
    printed = " ".join(words_text(pdf, index) for index in range(count))
    rows = sheet_rows(book[view])[1:]
    long_texts = {str(value) for row in rows for value in row if isinstance(value, str) and len(value) > 4}
    assert long_texts and [t for t in long_texts if not shows(printed, t)] == [], view
