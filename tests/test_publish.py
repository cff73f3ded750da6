"""perfxl publish: the year's booklet (issue 13 item 3).

Pure Python: the booklet's sheets in order, each contents entry on the page its form starts,
the summary paragraph's figures against an independent Decimal sum of the JSON examples, forms
with errors left out and listed (or included), the reader kept exact (the booklet is marked as
perfxl's output; unmarked, its form sheets read back to exactly their forms), no LibreOffice →
a Chinese message naming the package, outputs whole or absent.

Real client (LibreOffice): the PDF has cover + contents + one page per form, each numbered, a
form's page shows its ☑ option and its whole long goal, and no printed line begins with closing
punctuation.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, example_paths
from typer.testing import CliRunner

from perfxl.api import (
    LibreOfficeMissing,
    check_file,
    collect_to_master,
    fill_forms,
    load_json_forms,
    publish_booklet,
    read_workbook,
)
from perfxl.cli import app
from perfxl.config import Settings
from perfxl.form.identity import META_SHEET
from perfxl.form.layout import MAX_ROW_HEIGHT, NO_LINE_START, get_layout
from perfxl.form.marks import BOOKLET_OUTPUT
from perfxl.problems import ERROR
from perfxl.write import pdf as pdf_module
from perfxl.write.atomic import is_temporary

ROSTER = ROOT / "examples" / "roster.csv"
LAYOUT = get_layout("pujiang-2023")
runner = CliRunner()


def originals() -> list[tuple[Path, dict]]:
    return [(path, form) for path in example_paths() for form in load_json_forms(path)]


def with_errors() -> set[str]:
    """Project names of the examples with errors, by checking each JSON file on its own."""
    names = set()
    for path, form in originals():
        if any(issue.severity == ERROR for issue in check_file(path).issues):
            names.add(form["project_name"])
    return names


def roster_rows() -> list[dict[str, str]]:
    with ROSTER.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inbox")
    fill_forms(example_paths(), folder, by_unit=True)
    return folder


@pytest.fixture(scope="module")
def booklet(inbox, tmp_path_factory):
    out = tmp_path_factory.mktemp("booklet") / "绩效目标表汇编.xlsx"
    return publish_booklet([inbox], out, roster=ROSTER)


def sheet_xml(path: Path) -> dict[str, str]:
    """Sheet name → its worksheet XML."""
    with zipfile.ZipFile(path) as book:
        workbook = book.read("xl/workbook.xml").decode()
        rels = book.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels)) or \
            {rid: target for target, rid in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)}
        result = {}
        for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+"(?: state="\w+")? r:id="(rId\d+)"', workbook):
            result[name] = book.read("xl/" + targets[rid]).decode()
    return result


def first_page_of(xml: str) -> int | None:
    match = re.search(r'<pageSetup [^>]*firstPageNumber="(\d+)"', xml)
    return int(match.group(1)) if match and 'useFirstPageNumber="1"' in xml else None


def contents_entries(path: Path) -> list[tuple[str, str, int]]:
    """目录 as (style: unit|item, text, page) rows."""
    ws = openpyxl.load_workbook(path)["目录"]
    entries = []
    for row in ws.iter_rows(min_row=3):
        text, page = row[1].value, row[2].value
        if text:
            entries.append(("unit" if row[1].font.b else "item", text, int(page)))
    return entries


# --- structure -----------------------------------------------------------------------------
def test_sheets_in_roster_order_cover_contents_then_forms_without_errors(booklet):
    bad = with_errors()
    assert bad  # the examples keep their real errors: some forms must be left out
    expected = [row["项目名称"] for row in roster_rows() if row["项目名称"] not in bad]
    names = openpyxl.load_workbook(booklet.path).sheetnames
    assert names[:2] == ["封面", "目录"] and names[-1] == META_SHEET
    assert names[2:-1] == expected == [f.name for f in booklet.forms]
    assert {item.name for item in booklet.left_out} == bad


def test_contents_state_the_page_each_form_is_numbered_from(booklet):
    xml = sheet_xml(booklet.path)
    entries = contents_entries(booklet.path)
    forms_start = 2 + booklet.contents_pages
    assert first_page_of(xml["封面"]) is None and first_page_of(xml["目录"]) == 2
    items = [(text, page) for kind, text, page in entries if kind == "item"]
    sheets = openpyxl.load_workbook(booklet.path).sheetnames[2:-1]
    assert [text for text, _ in items] == sheets  # one entry per form, in the booklet's order
    for index, (text, page) in enumerate(items):
        assert page == forms_start + index == first_page_of(xml[text]), text
        assert "&amp;P" in xml[text] or "&P" in xml[text]  # the footer prints it
    units = [(text, page) for kind, text, page in entries if kind == "unit"]
    rows = roster_rows()
    assert [u for u, _ in units] == list(dict.fromkeys(row["实施单位"] for row in rows))
    for unit, page in units:  # a unit's page is that of its first project
        first = next(p for kind, text, p in entries[entries.index(("unit", unit, page)) + 1:] if kind == "item")
        assert page == first
    assert booklet.pages == 1 + booklet.contents_pages + len(items)


def test_summary_paragraph_figures_are_exact(booklet):
    bad = with_errors()
    kept = [form for _, form in originals() if form["project_name"] not in bad]
    total = sum((Decimal(form["funding"]["annual_total"]) for form in kept), Decimal(0))
    units = len({form["implementing_unit"] for form in kept})
    expected = (f"本部门 {units} 个预算单位开展了 2023 年项目预算绩效目标编报工作，编报绩效目标的项目 {len(kept)} 个，"
                f"涉及项目预算资金 {total} 万元。")
    assert booklet.summary == expected
    assert booklet.budget == total and booklet.units == units
    cover = openpyxl.load_workbook(booklet.path)["封面"]
    texts = [cell.value for row in cover.iter_rows() for cell in row if cell.value]
    assert expected in texts and "2023年度项目支出绩效目标表" in texts
    department = roster_rows()[0]["主管部门"]
    assert department in texts and booklet.department == department  # the roster's spelling


def test_forms_in_yuan_are_added_in_wan_yuan_exactly(tmp_path):
    """Publications state 涉及项目预算资金 in 万元: a form in 元 (shanghai-2025) is converted, the
    point moved, no digit rounded."""
    from perfxl.write.workbook import FormSheet, write_workbook

    inbox = tmp_path / "inbox"
    sample = json.loads((ROOT / "tests" / "fixtures" / "shanghai-2025-sample.json").read_text(encoding="utf-8"))
    sample["year"] = 2023
    write_workbook(inbox / "sh.xlsx", [FormSheet("样例", get_layout("shanghai-2025"), sample, "sh")])
    first = originals()[0][1]
    (tmp_path / "one.json").write_text(json.dumps(first, ensure_ascii=False), encoding="utf-8")
    fill_forms([tmp_path / "one.json"], inbox)
    booklet = publish_booklet([inbox], tmp_path / "汇编.xlsx", include_errors=True)
    total = Decimal(first["funding"]["annual_total"]) + Decimal(sample["funding"]["annual_total"]).scaleb(-4)
    assert "元" not in booklet.summary.replace("万元", "")
    assert f"涉及项目预算资金 {total.normalize():f} 万元。" in booklet.summary
    assert booklet.budget == total


def test_errors_left_out_and_listed_with_exit_code_1(inbox, tmp_path):
    out = tmp_path / "汇编.xlsx"
    result = runner.invoke(app, ["publish", str(inbox), "--out", str(out), "--roster", str(ROSTER)])
    assert result.exit_code == 1, result.output
    bad = with_errors()
    listed = result.output.split("未收入汇编的表单", 1)[1]
    assert f" {len(bad)} 张" in listed
    for name in bad:
        assert f"：{name}）" in listed
    assert "DATE-002" in listed and "FUND-004" in listed
    assert len(openpyxl.load_workbook(out).sheetnames) == 2 + 18 - len(bad) + 1


def test_include_errors_publishes_every_form_and_says_which(inbox, tmp_path):
    out = tmp_path / "汇编.xlsx"
    result = runner.invoke(app, ["publish", str(inbox), "--out", str(out), "--roster", str(ROSTER),
                                 "--include-errors"])
    assert result.exit_code == 1, result.output
    names = openpyxl.load_workbook(out).sheetnames
    assert names[2:-1] == [row["项目名称"] for row in roster_rows()]
    assert "未收入汇编" not in result.output
    assert "有错误但已收入汇编的表单 3 张" in result.output
    # 社工点经费 has no 年度资金申请总额 (FUND-004): not added, and the paragraph says so
    total = sum((Decimal(f["funding"]["annual_total"]) for _, f in originals() if "annual_total" in f["funding"]),
                Decimal(0))
    assert f"涉及项目预算资金 {total} 万元。（其中 1 个项目的年度资金申请总额未填写或无效，未计入。）" in result.output


def test_without_roster_units_by_name_and_forms_as_received(inbox, tmp_path):
    booklet = publish_booklet([inbox], tmp_path / "b.xlsx", include_errors=True)
    units = [f.unit for f in booklet.forms]
    assert list(dict.fromkeys(units)) == sorted(set(units))
    for unit in set(units):
        received = [form["project_name"] for _, form in originals() if form["implementing_unit"] == unit]
        assert [f.name for f in booklet.forms if f.unit == unit] == received
    # the cover's 主管部门 is the spelling most forms use: 7 上海市闵行区浦江镇人民政府, 7 浦江镇人民政府,
    # 4 闵行区浦江镇人民政府; of the two the longest, whatever the order of the forms
    departments = [form["department"] for _, form in originals()]
    most = max(departments.count(d) for d in departments)
    tied = {d for d in departments if departments.count(d) == most}
    assert len(tied) == 2 and booklet.department == max(tied, key=len) == "上海市闵行区浦江镇人民政府"


def test_from_jsonl_the_same_booklet_byte_for_byte(inbox, booklet, tmp_path):
    jsonl = tmp_path / "forms.jsonl"
    collect_to_master([inbox], tmp_path / "汇总.xlsx", jsonl=jsonl)
    again = publish_booklet(jsonl=jsonl, out=tmp_path / "j.xlsx", roster=ROSTER)
    assert {item.name for item in again.left_out} == {item.name for item in booklet.left_out}
    assert again.path.read_bytes() == booklet.path.read_bytes()
    once_more = publish_booklet([inbox], tmp_path / "again.xlsx", roster=ROSTER)
    assert once_more.path.read_bytes() == booklet.path.read_bytes()  # byte-stable


def test_a_master_is_not_a_source(inbox, tmp_path):
    collect_to_master([inbox], tmp_path / "m" / "汇总.xlsx")
    with pytest.raises(ValueError, match="汇总表不是表单来源"):
        publish_booklet([tmp_path / "m"], tmp_path / "b.xlsx")


def test_output_inside_the_inbox_is_refused(inbox):
    with pytest.raises(ValueError, match="位于输入"):
        publish_booklet([inbox], inbox / "汇编.xlsx")
    assert not (inbox / "汇编.xlsx").exists()


# --- the reader stays exact ----------------------------------------------------------------
def unmarked(path: Path, target: Path) -> Path:
    """A copy of the booklet without perfxl's output mark (docProps/custom.xml emptied)."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/custom.xml":
                data = re.sub(rb"<property .*?</property>", b"", data, flags=re.S)
            dest.writestr(info, data)
    target.write_bytes(out.getvalue())
    return target


def test_booklet_is_marked_and_collect_ignores_it(inbox, booklet, tmp_path):
    result = read_workbook(booklet.path)
    assert result.forms == [] and result.output == BOOKLET_OUTPUT
    folder = tmp_path / "inbox"
    fill_forms(example_paths(), folder, by_unit=True)
    (folder / "汇编.xlsx").write_bytes(booklet.path.read_bytes())
    collection = collect_to_master([folder], tmp_path / "汇总.xlsx")
    entry = next(e for e in collection.files if e.path.endswith("汇编.xlsx"))
    assert entry.status == "已忽略" and BOOKLET_OUTPUT in entry.note
    assert len(collection.forms) == 18


def test_unmarked_booklet_form_sheets_read_back_exactly(booklet, tmp_path):
    copy = unmarked(booklet.path, tmp_path / "copy.xlsx")
    result = read_workbook(copy)
    assert result.output == ""
    assert [record.sheet for record in result.forms] == [f.sheet for f in booklet.forms]
    by_name = {form["project_name"]: form for _, form in originals()}
    assert [record.form for record in result.forms] == [by_name[f.name] for f in booklet.forms]
    checked = check_file(copy, settings=Settings(review=None))
    assert not [i for i in checked.issues if i.severity == ERROR]


# --- LibreOffice missing; outputs whole or absent --------------------------------------------
def test_no_soffice_a_chinese_message_naming_the_package_and_nothing_written(inbox, tmp_path, monkeypatch):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(LibreOfficeMissing):
        pdf_module.find_soffice()
    out = tmp_path / "out" / "汇编.xlsx"
    result = runner.invoke(app, ["publish", str(inbox), "--out", str(out), "--pdf"])
    assert result.exit_code == 2
    assert "未找到 LibreOffice" in result.output and "libreoffice-calc" in result.output
    assert not out.exists() and not out.with_suffix(".pdf").exists()


def test_interrupted_write_leaves_the_previous_booklet_whole(inbox, booklet, tmp_path, monkeypatch):
    out = tmp_path / "汇编.xlsx"
    out.write_bytes(booklet.path.read_bytes())
    import perfxl.write.workbook as workbook_module

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workbook_module, "_protect_structure", broken)  # after the whole workbook is built
    with pytest.raises(OSError):
        publish_booklet([inbox], out, roster=ROSTER)
    assert out.read_bytes() == booklet.path.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if is_temporary(p.name)] == []


def fake_soffice(folder: Path, body: str) -> str:
    path = folder / "soffice"
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_failed_conversion_leaves_no_partial_pdf(booklet, tmp_path):
    # writes half a file where soffice writes its output, then fails
    script = fake_soffice(tmp_path, 'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && dir="$2"; shift; done\n'
                                    'printf "PK partial" > "$dir/booklet.ods"\nexit 1\n')
    pdf = tmp_path / "汇编.pdf"
    pdf.write_bytes(b"the previous PDF")
    with pytest.raises(RuntimeError, match="PDF 没有生成") as raised:
        pdf_module.workbook_to_pdf(booklet.path, pdf, soffice=script)
    assert pdf.read_bytes() == b"the previous PDF"
    assert f"原有的“{pdf}”没有更新，与新的工作簿不一致" in str(raised.value)  # the stale PDF is not taken for new
    assert [p.name for p in tmp_path.iterdir() if is_temporary(p.name)] == []


def test_hanging_conversion_is_killed_at_the_time_limit(booklet, tmp_path):
    marker = tmp_path / "pid"
    script = fake_soffice(tmp_path, f'echo $$ > "{marker}"\nsleep 60\n')
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="秒内没有完成转换"):
        pdf_module.workbook_to_pdf(booklet.path, tmp_path / "汇编.pdf", soffice=script, timeout=1)
    assert time.monotonic() - started < 20  # not the 60 s the script would take
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)  # killed and reaped
    assert not (tmp_path / "汇编.pdf").exists()


# --- the real client -----------------------------------------------------------------------
LONG_NAME = "长目标测试项目"


@pytest.fixture(scope="module")
def printed(soffice, tmp_path_factory):
    """A booklet of the examples plus a form with very long goals (tests/test_libreoffice.py's),
    printed to PDF by publish itself."""
    from test_libreoffice import long_goal_form

    work = tmp_path_factory.mktemp("printed")
    inbox = work / "inbox"
    long_form = long_goal_form()
    long_form["project_name"] = LONG_NAME
    source = work / "long.json"
    source.write_text(json.dumps([form for _, form in originals()] + [long_form], ensure_ascii=False),
                      encoding="utf-8")
    fill_forms([source], inbox, by_unit=True)
    booklet = publish_booklet([inbox], work / "汇编.xlsx", roster=ROSTER, pdf=True, soffice=soffice)
    return booklet, long_form


@pytest.mark.libreoffice
def test_pdf_pages_are_cover_contents_and_one_per_form_each_numbered(printed):
    from test_libreoffice import is_a4_portrait, pdf_pages, shows

    booklet, _ = printed
    pages = pdf_pages(booklet.pdf)
    assert len(pages) == 1 + booklet.contents_pages + len(booklet.forms) == booklet.pages
    assert all(is_a4_portrait(page["size"]) for page in pages)
    assert shows(pages[0]["text"], booklet.summary) and shows(pages[0]["text"], booklet.department)
    assert shows(pages[1]["text"], "目录")
    for number, page in enumerate(pages[1:], start=2):
        assert shows(page["text"], f"第 {number} 页"), number
    for form in booklet.forms:  # the contents' page is where the form is printed
        text = pages[form.page - 1]["text"]
        assert shows(text, form.name) and shows(text, "财政项目支出绩效目标表"), form.name
    unit = long_form_unit = next(f.unit for f in booklet.forms if f.name == LONG_NAME)
    in_unit = [f.name for f in booklet.forms if f.unit == long_form_unit]
    assert in_unit[-1] == LONG_NAME, unit  # a project the roster lacks comes after the unit's roster projects


@pytest.mark.libreoffice
def test_form_page_shows_its_ticked_category_and_its_whole_long_goal(printed):
    from test_libreoffice import pdf_pages, shows, words_text

    booklet, long_form = printed
    published = {f.name: f for f in booklet.forms}
    examples = {form["project_name"]: form for _, form in originals()}
    longest = max((name for name in published if name in examples),
                  key=lambda name: len(examples[name]["goals"]["annual"]))
    for name, form in ((longest, examples[longest]), (LONG_NAME, long_form)):
        index = published[name].page - 1
        text = pdf_pages(booklet.pdf)[index]["text"]
        ticked = LAYOUT.checkbox_text(LAYOUT.slot_by_path["project_category"], form["project_category"])
        assert f"{form['project_category']} ☑" in ticked and shows(text, ticked), name
        assert shows(words_text(booklet.pdf, index), form["goals"]["annual"]), name
        assert shows(words_text(booklet.pdf, index), form["goals"]["overall"]), name


@pytest.mark.libreoffice
def test_no_printed_line_begins_with_closing_punctuation(printed):
    from test_libreoffice import pdf_layout

    booklet, _ = printed
    starts = [f"page {number}: {' '.join(w[0] for w in line)!r}"
              for number, lines in enumerate(pdf_layout(booklet.pdf), start=1)
              for line in lines if line[0][0][0] in NO_LINE_START]
    assert starts == []


@pytest.mark.libreoffice
def test_contents_over_several_pages_still_give_each_forms_page(soffice, tmp_path):
    """70 forms: the contents take more than one page, broken by hand; LibreOffice prints the
    pages publish planned, so every number on the contents is still the form's page."""
    base = json.loads(json.dumps(originals()[0][1]))
    forms = []
    for number in range(70):
        form = json.loads(json.dumps(base))
        form["project_name"] = f"测试项目第{number + 1:03d}号" + "（名称较长，在目录中折成两行）" * (number % 7 == 0) * 4
        form["implementing_unit"] = f"测试单位{number // 10 + 1:02d}"
        forms.append(form)
    source = tmp_path / "forms.json"
    source.write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
    fill_forms([source], tmp_path / "inbox", by_unit=True)
    booklet = publish_booklet([tmp_path / "inbox"], tmp_path / "b.xlsx", pdf=True, soffice=soffice)
    assert booklet.contents_pages >= 2
    from test_libreoffice import pdf_pages, shows

    pages = pdf_pages(booklet.pdf)
    assert len(pages) == booklet.pages == 1 + booklet.contents_pages + 70
    for form in booklet.forms:
        assert shows(pages[form.page - 1]["text"], form.name) and shows(pages[form.page - 1]["text"], f"第 {form.page} 页")
    contents_text = "".join(page["text"] for page in pages[1:1 + booklet.contents_pages])
    assert shows(contents_text, booklet.forms[-1].name)  # the last entry is on the contents' pages
    assert not shows(pages[1 + booklet.contents_pages]["text"], "实施单位 / 项目名称")  # the forms begin after it
    for page in pages[1:1 + booklet.contents_pages]:  # the heading on every page of the contents
        assert shows(page["text"], "实施单位 / 项目名称") and shows(page["text"], "页码")


# --- other kinds of form in the inbox ------------------------------------------------------


@pytest.fixture(scope="module")
def self_evaluations(inbox, tmp_path_factory) -> Path:
    from perfxl.api import make_self_eval_templates

    folder = tmp_path_factory.mktemp("self-eval")
    make_self_eval_templates(inbox, folder)
    return folder


def test_an_inbox_of_self_evaluations_is_refused_in_chinese(self_evaluations, tmp_path):
    out = tmp_path / "汇编.xlsx"
    result = runner.invoke(app, ["publish", str(self_evaluations), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "18 张表单都是项目支出绩效自评表，不是绩效目标表" in result.output
    assert not out.exists()


def test_a_mixed_inbox_publishes_the_target_tables_and_lists_the_others(inbox, self_evaluations, booklet, tmp_path):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    for folder, prefix in ((inbox, "目标"), (self_evaluations, "自评")):
        for path in folder.glob("*.xlsx"):
            (mixed / f"{prefix}-{path.name}").write_bytes(path.read_bytes())
    out = tmp_path / "汇编.xlsx"
    result = runner.invoke(app, ["publish", str(mixed), "--out", str(out), "--roster", str(ROSTER)])
    assert result.exit_code == 1, result.output  # the target tables' errors, as without the self-evaluations
    listed = result.output.split("不是绩效目标表、未收入汇编的表单 18 张", 1)[1]
    assert listed.count("：项目支出绩效自评表") == 18
    assert out.read_bytes() == booklet.path.read_bytes()  # the same booklet as from the target tables alone


@pytest.mark.libreoffice
def test_a_form_of_60_indicators_and_a_goal_longer_than_a_row_is_still_one_whole_page(soffice, tmp_path):
    """The contents promise one page per form: a form far taller than the official table (60
    indicators) is printed on its one page, and an overall goal longer than one row can show at
    the form's font size (but under TEXT-004's 500 characters) is printed whole, in a smaller font."""
    from test_libreoffice import pdf_pages, shows, words_text

    form = json.loads(json.dumps(originals()[0][1]))
    indicators = form["indicators"]
    form["indicators"] = [dict(indicators[i % len(indicators)], name=f"{indicators[i % len(indicators)]['name']}{i}")
                          for i in range(60)]
    sentence = "通过特保力量的参与，确保全镇范围内各项执法、整治、维稳、巡管以及突发事件处置等工作顺利开展；"
    form["goals"]["overall"] = (sentence * 20)[:480]
    slot = LAYOUT.slot_by_path["goals.overall"]
    assert LAYOUT.text_height(slot.area, form["goals"]["overall"]) == MAX_ROW_HEIGHT  # longer than a row shows
    source = tmp_path / "tall.json"
    source.write_text(json.dumps([form, originals()[1][1]], ensure_ascii=False), encoding="utf-8")
    fill_forms([source], tmp_path / "inbox", by_unit=True)
    booklet = publish_booklet([tmp_path / "inbox"], tmp_path / "汇编.xlsx", pdf=True, soffice=soffice,
                              include_errors=True)
    pages = pdf_pages(booklet.pdf)
    assert len(pages) == booklet.pages == 2 + 2
    tall = next(f for f in booklet.forms if f.name == form["project_name"])
    text = words_text(booklet.pdf, tall.page - 1)
    assert shows(text, form["goals"]["overall"])
    assert shows(text, "满意度指标") and shows(text, form["indicators"][-1]["name"])
    read = [record.form for path in sorted((tmp_path / "inbox").iterdir()) for record in read_workbook(path).forms]
    assert form in read  # the smaller font changes nothing read


def test_a_file_that_cannot_be_read_is_named_with_why(inbox, tmp_path):
    """A clerk must not take 15 forms for the whole inbox when one unit's file was unreadable."""
    mixed = tmp_path / "inbox"
    mixed.mkdir()
    for path in inbox.glob("*.xlsx"):
        (mixed / path.name).write_bytes(path.read_bytes())
    (mixed / "坏文件.xlsx").write_bytes(b"not a workbook at all")
    out = tmp_path / "汇编.xlsx"
    result = runner.invoke(app, ["publish", str(mixed), "--out", str(out), "--roster", str(ROSTER)])
    assert result.exit_code == 1, result.output
    listed = result.output.split("无法读取的文件 1 个", 1)[1].split("\n")[1]
    assert listed.startswith(f"  {mixed / '坏文件.xlsx'}：") and len(listed) > len(str(mixed)) + 10


@pytest.mark.parametrize("command", ["publish", "collect"])
def test_an_output_onto_the_roster_is_refused_and_the_roster_kept(inbox, tmp_path, command):
    roster = tmp_path / "名单.xlsx"
    roster_book = openpyxl.Workbook()
    roster_book.active.append(list(roster_rows()[0]))
    for row in roster_rows():
        roster_book.active.append(list(row.values()))
    roster_book.save(roster)
    before = roster.read_bytes()
    link = tmp_path / "link.xlsx"
    os.link(roster, link)
    for out in (roster, link):
        result = runner.invoke(app, [command, str(inbox), "--roster", str(roster), "--out", str(out)])
        assert result.exit_code == 2 and "会覆盖名单" in result.output, result.output
        assert roster.read_bytes() == before


def test_a_jsonl_of_self_evaluations_is_refused_for_what_it_is(self_evaluations, tmp_path):
    jsonl = tmp_path / "self-eval.jsonl"
    collect_to_master([self_evaluations], tmp_path / "汇总.xlsx", jsonl=jsonl)
    result = runner.invoke(app, ["publish", "--jsonl", str(jsonl), "--out", str(tmp_path / "汇编.xlsx")])
    assert result.exit_code == 2, result.output
    assert "第 1 行是项目支出绩效自评表（self-eval-2023），不是绩效目标表" in result.output


def test_a_form_of_another_year_is_published_and_named(tmp_path):
    """The booklet is one year's (its cover says so): a clean form of another year is named."""
    forms = [json.loads(json.dumps(form)) for _, form in originals()[:3]]
    other = forms[2]
    other["year"] = 2022
    other["planned_start"], other["planned_end"] = "2022-01-01", "2022-12-31"
    other["goals"]["overall_period"] = "2022年-2022年"
    source = tmp_path / "forms.json"
    source.write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
    fill_forms([source], tmp_path / "inbox", by_unit=True)
    result = runner.invoke(app, ["publish", str(tmp_path / "inbox"), "--out", str(tmp_path / "汇编.xlsx"),
                                 "--include-errors"])
    assert result.exit_code in (0, 1), result.output
    assert f"年度不是 2023 年、但已收入汇编的表单 1 张（封面按多数表单的年度）：{other['project_name']}（2022 年，第 " \
        in result.output
