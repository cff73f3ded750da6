"""The real client: LibreOffice prints and re-saves what perfxl writes, and perfxl reads it back.

Every example form is filled into one workbook per 实施单位 (3 workbooks, 18 form sheets).
LibreOffice converts them to PDF (one page per form sheet plus one for 填表说明; the hidden
identity sheet never prints) and re-saves them as .xlsx, .xls and .ods, which must read back to
exactly the source JSON.  Blank and roster templates must print the same way.

The pages must look like the official table (issue 13): 项目类别 ticked in its boxes, blank
templates at 90 % or more with their （    年度） line, every goal and the period whole inside
their cells (pdftotext alone cannot tell: LibreOffice puts clipped lines into the PDF's text too,
so the words' positions are checked), and the feedback copies' 问题 sheet whole on A4.

soffice costs ~2 s to start, so every target format is ONE soffice invocation over all
workbooks, run once per module, with a private profile so no other LibreOffice instance
(a user's, a stale one, a parallel test worker's) can swallow or block the conversion.
"""

from __future__ import annotations

import csv
import functools
import html
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, example_paths
from python_calamine import CalamineWorkbook

from perfxl.api import (
    check_file,
    collect_to_master,
    fill_forms,
    load_json_forms,
    make_roster_templates,
    make_template,
    safe_file_name,
)
from perfxl.config import Settings
from perfxl.form.identity import (
    INSTRUCTIONS_SHEET,
    META_HEADER,
    META_SHEET,
    form_id_for,
)
from perfxl.form.layout import NO_LINE_START, get_layout
from perfxl.read.workbook import read_workbook
from perfxl.write.paper import A4_POINTS
from perfxl.write.pdf import with_chinese_line_breaking

SCHEMA_ONLY = Settings(review=None)

pytestmark = pytest.mark.libreoffice

LAYOUT = get_layout("pujiang-2023")
TITLE = "财政项目支出绩效目标表"
SOFFICE_TIMEOUT = 180  # seconds per invocation; a normal run of all workbooks takes 2–4 s
FILTERS = {  # target format → soffice --convert-to argument
    "pdf": "pdf",
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "ods": "ods",
}
RESAVE_FORMATS = ("xlsx", "xls", "ods")
PRINT_UNIT = "闵行区浦江镇平安建设办公室"
FOUR_CHAR_LABELS = ("项目名称", "主管部门", "实施单位", "一级指标", "二级指标", "三级指标")  # 11 pt each
LABEL_SIZE = 11.0


# --- helpers -------------------------------------------------------------------------------
def convert(soffice: str, profile: Path, target: str, files: list[Path], out_dir: Path) -> list[Path]:
    """Convert ``files`` with one soffice run; returns the outputs in the order of ``files``.

    soffice exits 0 even when a file could not be loaded, so success is every output existing."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--nodefault", "--convert-to", FILTERS[target],
               "--outdir", str(out_dir), *map(str, files)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"soffice --convert-to {target} did not finish in {SOFFICE_TIMEOUT} s: {exc}")
    outputs = [out_dir / f"{path.stem}.{target}" for path in files]
    missing = [p.name for p in outputs if not p.is_file() or p.stat().st_size == 0]
    assert done.returncode == 0 and not missing, (
        f"soffice --convert-to {target} failed (exit {done.returncode}), missing {missing}\n"
        f"stdout: {done.stdout}\nstderr: {done.stderr}")
    return outputs


def run_tool(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


@functools.lru_cache(maxsize=None)
def pdf_pages(pdf: Path) -> list[dict[str, Any]]:
    """Each page's size (points) and text: pdfinfo for the page count and sizes, one pdftotext
    run for the text (pages are separated by form feeds).  Cached: PDFs are written once."""
    info = run_tool("pdfinfo", "-f", "1", "-l", "100000", str(pdf))
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    sizes = [(float(w), float(h)) for w, h in
             re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)]
    assert len(sizes) == count, info
    texts = run_tool("pdftotext", "-enc", "UTF-8", str(pdf), "-").split("\f")
    if texts and not texts[-1].strip():
        texts = texts[:-1]  # pdftotext ends every page with a form feed
    assert len(texts) == count, f"{pdf.name}: pdfinfo says {count} pages, pdftotext found {len(texts)}"
    return [{"size": size, "text": text} for size, text in zip(sizes, texts)]


def shows(page_text: str, needle: str) -> bool:
    """Whether ``needle`` is printed in full on the page.

    Wrapped cell text comes out of pdftotext line by line, and a neighbouring cell's line may sit
    between two of its lines (the goals row: 项目总目标 beside 年度总体目标), so the needle may be
    spread over several whitespace-separated pieces, in order, with other pieces between them."""
    needle = "".join(needle.split())
    if needle in "".join(page_text.split()):
        return True
    pieces = page_text.split()
    for start, first in enumerate(pieces):
        if not (first and needle.startswith(first)):
            continue
        pos = len(first)
        for piece in pieces[start + 1:]:
            if pos >= len(needle):
                break
            if needle.startswith(piece, pos):
                pos += len(piece)
            elif piece.startswith(needle[pos:]):
                pos = len(needle)
        if pos >= len(needle):
            return True
    return False


def test_shows_finds_wrapped_and_interleaved_cell_text():
    page = "项目总目标\n通过特保力量的参与，确保 区域治安长效管理\n、整治、维稳 制度建立健全\n其他"
    assert shows(page, "通过特保力量的参与，确保、整治、维稳")
    assert shows(page, "区域治安长效管理制度建立健全")
    assert not shows(page, "通过特保力量的参与，确保、整治、维稳、巡管")
    assert shows(page, "区域治安长效管理制度")  # part of a cell
    assert not shows(page, "行数不够时")


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


@functools.lru_cache(maxsize=None)
def pdf_layout(pdf: Path) -> list[list[list[tuple[str, float, float, float, float]]]]:
    """Each page's printed lines, each line its words as (text, xMin, yMin, xMax, yMax) in points
    from the top left (pdftotext -bbox-layout: a line is one line of one cell)."""
    out = run_tool("pdftotext", "-bbox-layout", "-enc", "UTF-8", str(pdf), "-")
    pages = []
    for page in out.split("<page ")[1:]:
        lines = []
        for line in re.findall(r"<line [^>]*>(.*?)</line>", page, re.S):
            words = [(html.unescape(text), float(x1), float(y1), float(x2), float(y2))
                     for x1, y1, x2, y2, text in _WORD.findall(line)]
            if words:
                lines.append(words)
        pages.append(lines)
    return pages


def page_words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    return [word for line in pdf_layout(pdf)[page] for word in line]


def print_scale(words) -> float:
    """The scale a page was printed at: four-character 11 pt labels are 44 pt wide at 100 %
    (CJK characters are one em wide in every CJK font)."""
    widths = sorted((x2 - x1) / (LABEL_SIZE * 4) for text, x1, _, x2, _ in words if text in FOUR_CHAR_LABELS)
    assert widths, "no four-character label on the page"
    return widths[len(widths) // 2]


def shown_above(words, needle: str, limit: float) -> bool:
    """Whether ``needle`` is printed whole by words that end above ``limit`` (a y in points): a
    line LibreOffice clips at the bottom of its cell is still in the PDF's text, below the cell."""
    return shows(" ".join(text for text, _, _, _, y2 in words if y2 <= limit + 1.0), needle)


def words_text(pdf: Path, page: int) -> str:
    """A page's text from its words: unlike pdftotext's plain text, a hyphen ending a line stays
    (2023年1月1日- / 2023年12月31日)."""
    return " ".join(word[0] for word in page_words(pdf, page))


def top_of(words, text: str) -> float:
    """Where the first word that is (or starts) ``text`` begins, from the top."""
    return next(y1 for word, _, y1, _, _ in words if word.startswith(text))


def exact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def is_a4_portrait(size: tuple[float, float]) -> bool:
    width, height = size
    return abs(width - A4_POINTS[0]) < 2 and abs(height - A4_POINTS[1]) < 2


def sheet_visibility(path: Path) -> dict[str, str]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        return {meta.name: str(meta.visible).rsplit(".", 1)[-1] for meta in book.sheets_metadata}
    finally:
        book.close()


def instruction_lines(path: Path) -> list[str]:
    book = CalamineWorkbook.from_path(str(path))
    try:
        rows = book.get_sheet_by_name(INSTRUCTIONS_SHEET).to_python()
    finally:
        book.close()
    return [str(cell) for row in rows for cell in row if str(cell).strip()]


# --- what goes in --------------------------------------------------------------------------
def source_groups() -> dict[str, list[dict[str, Any]]]:
    """The example forms per 实施单位, in file order: what each filled workbook must hold."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path in example_paths():
        for form in load_json_forms(path):
            groups.setdefault(form["implementing_unit"], []).append(form)
    return groups


def roster_counts(path: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("实施单位"):
                counts[row["实施单位"]] = counts.get(row["实施单位"], 0) + 1
    return counts


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("libreoffice")


@pytest.fixture(scope="module")
def profile(work) -> Path:
    """A private LibreOffice user profile for this test session."""
    return work / "lo-profile"


@pytest.fixture(scope="module")
def filled(work) -> dict[Path, list[dict[str, Any]]]:
    """The filled workbooks, each with the forms it must hold, in sheet order."""
    groups = source_groups()
    paths = fill_forms(example_paths(), work / "filled", by_unit=True)
    assert len(paths) == len(groups) == 3
    assert sum(len(forms) for forms in groups.values()) == len(example_paths()) == 18
    by_name = {path.name: path for path in paths}
    result = {by_name[f"{safe_file_name(unit)}.xlsx"]: forms for unit, forms in groups.items()}
    assert all(len(forms) > 1 for forms in result.values()), "each workbook holds several forms"
    return result


@pytest.fixture(scope="module")
def templates(work) -> dict[Path, int]:
    """The blank templates of both variants and the roster templates, each with its number of
    form sheets."""
    blank = make_template(work / "templates" / "blank.xlsx")
    blank_shanghai = make_template(work / "templates" / "blank-shanghai.xlsx", variant="shanghai-2025")
    roster_csv = ROOT / "examples" / "roster.csv"
    counts = roster_counts(roster_csv)
    written = make_roster_templates(roster_csv, work / "roster")
    assert len(written) == len(counts)
    result = {blank: 1, blank_shanghai: 1}
    for path in written:
        # the roster workbooks share their names with the filled ones: rename for one --outdir
        renamed = path.with_name(f"roster-{path.name}")
        path.rename(renamed)
        unit = next(u for u in counts if f"{safe_file_name(u)}.xlsx" == path.name)
        result[renamed] = counts[unit]
    return result


def long_goal_form() -> dict[str, Any]:
    """Form 07 with goals pasted from several real forms: 380 and 300 characters, full of
    ，、。“”（） that must not start a line."""
    form = json.loads(json.dumps(load_json_forms(ROOT / "examples" / "forms" / "07.json")[0]))
    others = [load_json_forms(ROOT / "examples" / "forms" / f"{n}.json")[0]["goals"] for n in ("06", "11", "15")]
    form["goals"]["overall"] = "".join(goals["overall"] for goals in others)
    form["goals"]["annual"] = "".join(goals["annual"] for goals in others) + form["goals"]["annual"]
    return form


@pytest.fixture(scope="module")
def long_goal(work) -> tuple[Path, dict[str, Any]]:
    """A filled workbook whose one form has very long goals."""
    source = work / "长目标.json"
    form = long_goal_form()
    source.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    [path] = fill_forms([source], work / "long")
    return path, form


@pytest.fixture(scope="module")
def feedback_copies(work, filled) -> dict[Path, str]:
    """Feedback copies of the filled workbooks (the examples keep real review findings), each
    with its unit; renamed so they share one --outdir with the workbooks they copy."""
    folder = work / "feedback"
    collect_to_master(list(filled), work / "feedback-master.xlsx", feedback_dir=folder)
    copies = {}
    for path in sorted(folder.iterdir()):
        renamed = path.with_name(f"feedback-{path.name}")
        path.rename(renamed)
        copies[renamed] = next(forms[0]["implementing_unit"] for source, forms in filled.items()
                               if source.name == path.name)
    assert len(copies) == 3
    return copies


@pytest.fixture(scope="module")
def pdfs(soffice, profile, work, filled, templates, long_goal, feedback_copies) -> dict[Path, Path]:
    """Source workbook → its PDF: filled workbooks, templates, the long goals and the feedback
    copies in ONE soffice run."""
    sources = [*filled, *templates, long_goal[0], *feedback_copies]
    assert len({p.stem for p in sources}) == len(sources)
    return dict(zip(sources, convert(soffice, profile, "pdf", sources, work / "pdf")))


@pytest.fixture(scope="module")
def chinese_rules_pdfs(soffice, profile, work, filled, long_goal) -> dict[Path, Path]:
    """Source workbook → its PDF as a client applying Chinese line breaking prints it: re-saved
    as .ods by LibreOffice, the rules turned on (:func:`with_chinese_line_breaking`), printed."""
    sources = [*filled, long_goal[0]]
    odss = convert(soffice, profile, "ods", sources, work / "rules-ods")
    for ods in odss:
        with_chinese_line_breaking(ods)
    return dict(zip(sources, convert(soffice, profile, "pdf", odss, work / "rules-pdf")))


@pytest.fixture(scope="module", params=RESAVE_FORMATS)
def resaved(request, soffice, profile, work, filled) -> tuple[str, dict[Path, Path]]:
    """(format, source workbook → the same workbook re-saved by LibreOffice in that format)."""
    fmt = request.param
    sources = list(filled)
    return fmt, dict(zip(sources, convert(soffice, profile, fmt, sources, work / fmt)))


# --- PDF -----------------------------------------------------------------------------------
def test_filled_workbooks_print_one_a4_page_per_form_plus_instructions(filled, pdfs):
    for source, forms in filled.items():
        pages = pdf_pages(pdfs[source])
        assert len(pages) == len(forms) + 1, \
            f"{source.name}: {len(pages)} pages for {len(forms)} forms + 填表说明"
        assert all(is_a4_portrait(page["size"]) for page in pages), [p["size"] for p in pages]


def test_every_form_page_shows_title_project_goals_and_last_indicator_in_sheet_order(filled, pdfs):
    problems = []
    for source, forms in filled.items():
        pages = pdf_pages(pdfs[source])
        for number, (form, page) in enumerate(zip(forms, pages), start=1):
            text = page["text"]
            wanted = {"title": TITLE, "project_name": form["project_name"],
                      "implementing_unit": form["implementing_unit"],
                      "goals.overall": form["goals"]["overall"],
                      "goals.annual": form["goals"]["annual"],
                      "last indicator target": form["indicators"][-1]["target"],
                      "last indicator name": form["indicators"][-1]["name"]}
            for what, needle in wanted.items():
                if not shows(text, needle):
                    problems.append(f"{source.name} page {number}: {what} {needle!r} not printed")
    assert problems == []


def test_identity_sheet_never_prints(filled, templates, pdfs):
    for source, pdf in pdfs.items():
        assert sheet_visibility(source)[META_SHEET] == "Hidden"
        for number, page in enumerate(pdf_pages(pdf), start=1):
            flat = "".join(page["text"].split())
            assert not any(header in flat for header in META_HEADER[1:]), f"{pdf.name} page {number}"
            assert "perfxl" not in flat, f"{pdf.name} page {number}"


def test_instructions_page_prints_every_line_in_full(filled, pdfs):
    """The last page is 填表说明, and none of its lines is cut off at the page edge."""
    problems = []
    for source in filled:
        page = pdf_pages(pdfs[source])[-1]["text"]
        lines = instruction_lines(source)
        assert lines and lines[0].startswith(TITLE)
        for line in lines:
            if not shows(page, line):
                problems.append(f"{source.name} 填表说明: {line!r} not printed in full")
    assert problems == []


def test_templates_print_one_page_per_form_plus_instructions(templates, pdfs):
    for source, sheets in templates.items():
        forms = read_workbook(source).forms
        assert len(forms) == sheets
        pages = pdf_pages(pdfs[source])
        assert len(pages) == sheets + 1, f"{source.name}: {len(pages)} pages for {sheets} forms + 填表说明"
        assert all(is_a4_portrait(page["size"]) for page in pages)
        for number, (record, page) in enumerate(zip(forms, pages), start=1):
            assert shows(page["text"], get_layout(record.variant).title), f"{source.name} page {number}"
            name = record.form.get("project_name")
            if name:  # the roster pre-fills it; the blank template has none
                assert shows(page["text"], name), f"{source.name} page {number}: {name!r}"


def test_render_png_of_the_first_form_page(pdfs, filled, work):
    """A PNG of one printed page, for a person to look at (tmp dir is in the test output)."""
    source = next(p for p in filled if p.stem == safe_file_name(PRINT_UNIT))
    prefix = work / "png" / source.stem
    prefix.parent.mkdir(exist_ok=True)
    run_tool("pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", str(pdfs[source]), str(prefix))
    pngs = list(prefix.parent.glob(f"{source.stem}*.png"))
    assert len(pngs) == 1 and pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- like the official table (issue 13) -----------------------------------------------------
def is_a4_landscape(size: tuple[float, float]) -> bool:
    return is_a4_portrait(size[::-1])


def form_pages(filled: dict[Path, list[dict[str, Any]]], long_goal, pdf_of: dict[Path, Path]):
    """(what, pdf, page index, form) for every form page: the examples and the long goals."""
    for source, forms in [*filled.items(), (long_goal[0], [long_goal[1]])]:
        for index, form in enumerate(forms):
            yield f"{source.name} page {index + 1}", pdf_of[source], index, form


def cut_cells(pdf: Path, index: int, form: dict[str, Any]) -> list[str]:
    """The goals and the period that are not printed whole inside their cells on this page: the
    goals must end above the indicator table's header, the period above the goals."""
    words = page_words(pdf, index)
    header = top_of(words, "一级指标")
    goals = form["goals"]
    goals_top = min(top_of(words, goals[part][:4]) for part in ("overall", "annual"))
    cut = [part for part in ("overall", "annual") if not shown_above(words, goals[part], header)]
    if not shown_above(words, f"（{goals['overall_period']}）", goals_top):
        cut.append("overall_period")
    return cut


def test_every_form_page_prints_its_category_as_the_official_check_boxes(filled, pdfs):
    problems = []
    for source, forms in filled.items():
        for number, (form, page) in enumerate(zip(forms, pdf_pages(pdfs[source])), start=1):
            for choice in LAYOUT.slot_by_path["project_category"].choices:
                printed = f"{choice} {'☑' if choice == form['project_category'] else '□'}"
                if not shows(page["text"], printed):
                    problems.append(f"{source.name} page {number}: {printed!r} not printed")
    assert problems == []


def test_blank_templates_print_on_one_page_at_90_percent_or_more_with_the_year_line(templates, pdfs):
    for source in templates:
        pages = pdf_pages(pdfs[source])
        scale = print_scale(page_words(pdfs[source], 0))
        assert scale >= 0.90, f"{source.name}: printed at {scale:.1%}"
        if source.stem.startswith("blank"):
            assert len(pages) == 2 and is_a4_portrait(pages[0]["size"]), source.name
            assert shows(pages[0]["text"], "（年度）"), source.name  # （    年度）
    blank = next(source for source in templates if source.stem == "blank")
    assert shows(pdf_pages(pdfs[blank])[0]["text"], "专项资金 □ 经常性项目 □ 一次性项目 □")


def test_goals_and_period_print_whole_inside_their_cells(filled, long_goal, pdfs):
    problems = [f"{what}: {cut} cut" for what, pdf, index, form in form_pages(filled, long_goal, pdfs)
                if (cut := cut_cells(pdf, index, form))]
    assert problems == []
    pages = pdf_pages(pdfs[long_goal[0]])
    assert len(pages) == 2 and len(long_goal[1]["goals"]["overall"]) > 350  # one page, however long


def test_period_of_a_whole_year_is_not_clipped(filled, pdfs):
    source, forms = next((s, f) for s, f in filled.items() if any(
        form["goals"]["overall_period"] == "2023年1月1日-2023年12月31日" for form in f))
    index = next(i for i, form in enumerate(forms) if form["goals"]["overall_period"] == "2023年1月1日-2023年12月31日")
    assert cut_cells(pdfs[source], index, forms[index]) == []
    assert shows(words_text(pdfs[source], index), "（2023年1月1日-2023年12月31日）")


def test_with_chinese_line_breaking_no_line_starts_with_closing_punctuation(filled, long_goal, chinese_rules_pdfs):
    """Where the client applies the Chinese rules, no printed line starts with closing punctuation,
    and the rows perfxl sized still hold every goal whole (the rules take lines more)."""
    starts, cut = [], []
    for source, pdf in chinese_rules_pdfs.items():
        for number, lines in enumerate(pdf_layout(pdf), start=1):
            starts += [f"{source.name} page {number}: {' '.join(w[0] for w in line)!r}"
                       for line in lines if line[0][0][0] in NO_LINE_START]
    for what, pdf, index, form in form_pages(filled, long_goal, chinese_rules_pdfs):
        if problem := cut_cells(pdf, index, form):
            cut.append(f"{what}: {problem} cut")
    assert starts == [] and cut == []


def test_feedback_problem_sheet_prints_whole_on_a4_under_the_units_name(feedback_copies, pdfs):
    headers = "工作表 单元格 字段 值 级别 说明"
    for copy, unit in feedback_copies.items():
        book = CalamineWorkbook.from_path(str(copy))
        try:
            rows = book.get_sheet_by_name("问题").to_python()
        finally:
            book.close()
        messages = [str(row[5]) for row in rows[3:] if len(row) > 5 and row[5]]
        pages = pdf_pages(pdfs[copy])
        problem_pages = pages[:len(pages) - len(read_workbook(copy).forms) - 1]  # then forms, 填表说明
        assert problem_pages and all(is_a4_landscape(page["size"]) for page in problem_pages), copy.name
        assert shows(problem_pages[0]["text"], f"{unit} 绩效目标表问题清单"), copy.name
        assert all(shows(page["text"], headers) for page in problem_pages), copy.name  # every column, every page
        text = "\n".join(words_text(pdfs[copy], index) for index in range(len(problem_pages)))
        assert messages and [m for m in messages if not shows(text, m)] == [], copy.name


# --- re-saved by LibreOffice ---------------------------------------------------------------
def test_resaved_workbooks_read_back_exactly(filled, resaved):
    fmt, outputs = resaved
    for source, forms in filled.items():
        path = outputs[source]
        checked = check_file(path, settings=SCHEMA_ONLY)  # the examples keep genuine review findings
        assert [(issue.code, issue.sheet, issue.cell) for issue in checked.issues] == [], f"{fmt}: {path.name}"
        assert [record.form for record in checked.forms] == forms, f"{fmt}: {path.name}"
        # type for type too (an amount stays the string "374.9447", a year stays an int)
        assert exact([record.form for record in checked.forms]) == exact(forms), f"{fmt}: {path.name}"
        assert [record.sheet for record in checked.forms] == [record.sheet for record in
                                                              read_workbook(source).forms]


def test_resaved_workbooks_keep_sheets_order_and_hidden_identity(filled, resaved):
    """Form sheets stay visible and in order; the _perfxl identity sheet is never made visible
    (LibreOffice 7.4 keeps it, hidden, in all three formats) and, when kept, still carries the
    form ids."""
    fmt, outputs = resaved
    for source, forms in filled.items():
        before, after = sheet_visibility(source), sheet_visibility(outputs[source])
        visible = [name for name, state in after.items() if state == "Visible"]
        assert visible == [name for name, state in before.items() if state == "Visible"], fmt
        assert after.get(META_SHEET, "Hidden") != "Visible", f"{fmt}: {META_SHEET} became visible"
        if META_SHEET in after:
            ids = [record.form_id for record in read_workbook(outputs[source]).forms]
            assert ids == [form_id_for(LAYOUT, form) for form in forms], fmt



def test_resaved_workbooks_carry_perfxls_stamp_which_is_no_save_time(filled, resaved):
    """Converting keeps the document properties: perfxl's fixed stamp (in .ods without its zone)
    is not a time anyone saved the workbook, so it never decides between versions of a form."""
    fmt, outputs = resaved
    for source in filled:
        assert read_workbook(source).saved == ""
        assert read_workbook(outputs[source]).saved == "", f"{fmt}: {outputs[source].name}"
