"""collect: the master workbook, identities, feedback copies, exports and carry-over."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from conftest import EXAMPLES, load_example
from typer.testing import CliRunner

from perfxl.api import collect_to_master, fill_forms, load_json_forms
from perfxl.cli import app
from perfxl.collect.consolidate import collect
from perfxl.collect.master import build_master
from perfxl.form.identity import form_id_for
from perfxl.form.layout import get_layout
from perfxl.form.variant import load_variant
from perfxl.read.workbook import read_workbook
from perfxl.write.carryover import make_carryover_templates
from perfxl.write.workbook import FormSheet, write_workbook

LAYOUT = get_layout("pujiang-2023")
AMOUNT_KEYS = ["total", "total_fiscal", "total_other", "annual_total", "annual_fiscal",
               "annual_carryover", "annual_other"]


def rows_of(ws):
    values = [[c.value for c in row] for row in ws.iter_rows()]
    return values[0], values[1:]


@pytest.fixture()
def inbox(tmp_path):
    """The three units' filled workbooks plus every kind of trouble a mailbox brings."""
    inbox = tmp_path / "inbox"
    fill_forms(sorted(EXAMPLES.glob("*.json")), inbox, by_unit=True)
    (inbox / "损坏.xlsx").write_bytes((inbox / "浦江镇信访办.xlsx").read_bytes()[:500])
    (inbox / "说明.docx").write_bytes(b"not a workbook at all")
    shutil.copy(inbox / "浦江镇信访办.xlsx", inbox / "浦江镇信访办(1).xlsx")  # sent twice
    # 党群服务中心 resubmits with one amount changed: a conflicting, newer version
    forms = [load_example(n) for n in ("12", "13", "14", "15", "16")]
    forms[1]["funding"]["total"] = "1700.5"
    resub = inbox / "再次提交" / "浦江镇社区党群服务中心.xlsx"
    write_workbook(resub, [FormSheet(f["project_name"], LAYOUT, f, form_id_for(LAYOUT, f)) for f in forms])
    old = (inbox / "浦江镇社区党群服务中心.xlsx").stat().st_mtime
    os.utime(resub, (old + 60, old + 60))
    (inbox / "~$浦江镇信访办.xlsx").write_bytes(b"lock")  # skipped silently
    (inbox / ".DS_Store").write_bytes(b"x")
    return inbox


def expected_forms():
    forms = [load_json_forms(p)[0] for p in sorted(EXAMPLES.glob("*.json"))]
    for form in forms:
        if form["project_name"] == "社工":
            form["funding"]["total"] = "1700.5"  # the newer version wins
    return forms


def test_collect_master_counts_sums_and_file_list(inbox, tmp_path):
    master = tmp_path / "master.xlsx"
    collection = collect_to_master([inbox], master)
    wb = openpyxl.load_workbook(master)
    assert wb.sheetnames == ["项目汇总", "项目汇总（打印）", "绩效指标明细", "单位汇总", "单位汇总（打印）", "问题清单",
                             "问题清单（打印）", "文件清单"]

    header, files = rows_of(wb["文件清单"])
    inputs = sorted(p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith(("~$", ".")))
    assert len(files) == len(inputs) == 7
    status = {Path(r[0]).relative_to(inbox).as_posix(): r[3] for r in files}
    # files are read in sorted path order: "(1)" sorts before "." so the copy is the first seen
    assert status == {
        "浦江镇信访办(1).xlsx": "有问题", "浦江镇信访办.xlsx": "重复", "损坏.xlsx": "无法读取",
        "说明.docx": "无法读取", "浦江镇社区党群服务中心.xlsx": "冲突",
        "再次提交/浦江镇社区党群服务中心.xlsx": "有问题", "闵行区浦江镇平安建设办公室.xlsx": "有问题",
    }  # the real forms keep genuine review findings (2022年度 headings, missing 效益指标 …)
    assert all(r[5] for r in files if r[3] != "已汇总"), "every non-clean file says why"

    header, projects = rows_of(wb["项目汇总"])
    expected = expected_forms()
    assert len(projects) == 18
    col = {h: i for i, h in enumerate(header)}
    by_name = {r[col["项目名称"]]: r for r in projects}
    for form in expected:
        row = by_name[form["project_name"]]
        assert row[col["实施单位"]] == form["implementing_unit"]
        got = row[col["项目资金总额（万元）"]]
        assert Decimal(repr(got)) == Decimal(form["funding"]["total"])
    header, indicators = rows_of(wb["绩效指标明细"])
    assert len(indicators) == sum(len(f["indicators"]) for f in expected)

    header, units = rows_of(wb["单位汇总"])
    col = {h: i for i, h in enumerate(header)}
    unit_rows = [r for r in units if r[1] not in ("小计", "", None) and r[0] != "合计"]
    # one row per unit (issue 12): under the spelling of 主管部门 most of its forms use
    assert sorted(r[1] for r in unit_rows) == sorted({f["implementing_unit"] for f in expected})
    for unit in {f["implementing_unit"] for f in expected}:
        forms = [f for f in expected if f["implementing_unit"] == unit]
        row = next(r for r in unit_rows if r[1] == unit)
        spellings = [f["department"] for f in forms]
        assert row[0] == max(spellings, key=spellings.count)
        assert row[2] == len(forms)
        for key, title in zip(AMOUNT_KEYS, header[3:]):
            want = sum((Decimal(f["funding"].get(key, "0")) for f in forms), Decimal(0))
            assert Decimal(repr(row[col[title]])) == want, (unit, title)
    grand = next(r for r in units if r[0] == "合计")
    assert Decimal(repr(grand[3])) == sum(Decimal(f["funding"]["total"]) for f in expected)
    assert grand[2] == 18

    header, problems = rows_of(wb["问题清单"])
    codes = {r[5] for r in problems}
    assert {"FILE-005", "COLLECT-001", "DATE-002", "COVER-003"} <= codes
    assert collection.has_errors


def test_master_has_chart_frozen_header_and_filter(inbox, tmp_path):
    import zipfile
    master = tmp_path / "m.xlsx"
    collect_to_master([inbox], master)
    with zipfile.ZipFile(master) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())
    wb = openpyxl.load_workbook(master)
    for ws in wb:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref, ws.title
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == "$1:$1"


def test_cli_exit_code_and_summary(inbox, tmp_path):
    result = CliRunner().invoke(app, ["collect", str(inbox), "--out", str(tmp_path / "m.xlsx"), "--json"])
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["files"] == 7 and summary["forms"] == 18 and summary["units"] == 3


def test_clean_collect_exits_0(tmp_path):
    fill_forms([EXAMPLES / "03.json"], tmp_path / "in")
    result = CliRunner().invoke(app, ["collect", str(tmp_path / "in"), "--out", str(tmp_path / "m.xlsx"), "-q"])
    assert result.exit_code == 0, result.output


INJECTIONS = ["=HYPERLINK(\"http://evil\",\"点我\")", "+1", "-1+2", "@SUM(A1:A2)", "=1+1", "http://x.cn"]


def test_formula_injection_stays_text(tmp_path):
    form = load_example("04")
    form["project_name"] = INJECTIONS[0]
    form["goals"]["overall"] = INJECTIONS[1]
    form["goals"]["annual"] = INJECTIONS[2]
    form["department"] = INJECTIONS[3]
    form["indicators"][0]["name"] = INJECTIONS[4]
    form["indicators"][0]["target"] = INJECTIONS[5]
    path = tmp_path / "in" / "evil.xlsx"
    write_workbook(path, [FormSheet("x", LAYOUT, form, "evil")])
    assert read_workbook(path).forms[0].form == form  # the form itself keeps them as text
    master = tmp_path / "m.xlsx"
    collect_to_master([path], master, csv_dir=tmp_path / "csv", feedback_dir=tmp_path / "fb")
    wb = openpyxl.load_workbook(master)
    seen = 0
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in INJECTIONS:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen += 1
    assert seen >= len(INJECTIONS)
    csv_text = (tmp_path / "csv" / "项目汇总.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
    detail = (tmp_path / "csv" / "绩效指标明细.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in detail and ",=1+1" not in detail


def test_feedback_copy_marks_cells_and_leaves_original(tmp_path):
    form = load_example("01")
    form["funding"]["total"] = "374.9447"
    path = tmp_path / "in" / "平安办.xlsx"
    write_workbook(path, [FormSheet("安保经费", LAYOUT, form, "id")])
    wb = openpyxl.load_workbook(path)
    wb["安保经费"]["C6"] = "很多"
    wb["安保经费"]["B5"] = "明年"
    wb.save(path)
    before = path.read_bytes()
    collect_to_master([path], tmp_path / "m.xlsx", feedback_dir=tmp_path / "fb")
    assert path.read_bytes() == before
    copy = openpyxl.load_workbook(tmp_path / "fb" / "平安办.xlsx")
    ws = copy["安保经费"]
    assert "项目资金总额" in ws["C6"].comment.text and "很多" in ws["C6"].comment.text
    assert "计划开始日期" in ws["B5"].comment.text
    assert ws["C6"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws.protection.sheet and copy.security.lockStructure
    assert copy.sheetnames[0] == "问题" and copy["问题"].max_row == 3 + 2  # heading, counts, columns; 2 problems


def test_jsonl_and_csv_exports(inbox, tmp_path):
    jsonl, csv_dir = tmp_path / "forms.jsonl", tmp_path / "csv"
    collect_to_master([inbox], tmp_path / "m.xlsx", jsonl=jsonl, csv_dir=csv_dir)
    validator = jsonschema.Draft202012Validator(load_variant("pujiang-2023").schema)
    lines = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 18
    for line in lines:
        assert set(line) == {"form", "source"}
        validator.validate(line["form"])
        assert line["source"]["sheet"] and line["source"]["sha256"]
    assert sorted(json.dumps(l["form"], sort_keys=True) for l in lines) == \
        sorted(json.dumps(f, sort_keys=True) for f in expected_forms())
    raw = (csv_dir / "项目汇总.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "安保经费" in raw.decode("utf-8-sig")
    assert len((csv_dir / "绩效指标明细.csv").read_text(encoding="utf-8-sig").splitlines()) == 1 + sum(
        len(f["indicators"]) for f in expected_forms())


def test_carry_over_reads_back_with_carried_fields(inbox, tmp_path):
    jsonl = tmp_path / "forms.jsonl"
    collect_to_master([inbox], tmp_path / "m.xlsx", jsonl=jsonl)
    paths = make_carryover_templates(jsonl, tmp_path / "2024", 2024)
    assert len(paths) == 3
    forms = {r.form["project_name"]: r.form for p in paths for r in read_workbook(p).forms}
    assert len(forms) == 18
    old = load_example("17")
    new = forms[old["project_name"]]
    assert new["year"] == 2024 and new["planned_start"] == "2024-01-01" and new["planned_end"] == "2024-12-31"
    assert new["goals"]["overall"] == old["goals"]["overall"]
    assert new["goals"]["overall_period"] == "2024年1月1日-2024年12月31日"
    assert new["funding"] == {}
    assert new["indicators"] == old["indicators"]  # 17's are in framework order; empty rows read as none
    assert new["department"] == old["department"] and new["implementing_unit"] == old["implementing_unit"]


def test_workers_give_identical_master(inbox, tmp_path):
    one, two = tmp_path / "one.xlsx", tmp_path / "two.xlsx"
    build_master(collect([inbox], workers=1), one)
    build_master(collect([inbox], workers=2), two)
    for name in ("项目汇总", "绩效指标明细", "单位汇总", "问题清单", "文件清单"):
        a = [[c.value for c in r] for r in openpyxl.load_workbook(one)[name].iter_rows()]
        b = [[c.value for c in r] for r in openpyxl.load_workbook(two)[name].iter_rows()]
        assert a == b, name
    assert one.read_bytes() == two.read_bytes()


def _spooler(tmp_path, monkeypatch):
    """A file that says which process spooled 绩效指标明细's rows last (its pid)."""
    from perfxl.collect import master
    spooled_by = tmp_path / "pid"
    original = master.indicator_rows_of

    def indicator_rows_of(collection):
        spooled_by.write_text(str(os.getpid()))
        return original(collection)

    monkeypatch.setattr(master, "indicator_rows_of", indicator_rows_of)
    return spooled_by


@pytest.mark.parametrize("max_rows", [None, 20])
def test_master_spooled_beside_the_parent_is_the_same_file(inbox, tmp_path, monkeypatch, max_rows):
    """With workers, 绩效指标明细's rows are spooled by a forked process (its pid is not ours)
    while the parent writes the other sheets; the file is byte for byte the one written alone,
    also when the indicators go on in a second sheet."""
    from perfxl.collect import master
    if max_rows:
        monkeypatch.setattr(master, "MAX_SHEET_ROWS", max_rows)
    spooled_by = _spooler(tmp_path, monkeypatch)
    collection = collect([inbox], workers=2)
    build_master(collection, tmp_path / "one.xlsx", workers=1)
    assert spooled_by.read_text() == str(os.getpid())
    build_master(collection, tmp_path / "two.xlsx", workers=2)
    assert spooled_by.read_text() != str(os.getpid())
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()
    names = openpyxl.load_workbook(tmp_path / "two.xlsx", read_only=True).sheetnames
    assert ("绩效指标明细（2）" in names) == bool(max_rows)


def test_no_process_to_spare_spools_here(inbox, tmp_path, monkeypatch):
    """A fork refused (a process limit) costs the parallel spooling, not the master."""
    collection = collect([inbox], workers=2)
    build_master(collection, tmp_path / "one.xlsx", workers=1)

    def fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", fork)
    build_master(collection, tmp_path / "two.xlsx", workers=2)
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()


def test_a_process_with_threads_spools_here(inbox, tmp_path, monkeypatch):
    """A thread besides the main one (collect's progress bar refreshing on a terminal) means no
    fork: the rows are spooled by this process, and the master is the same file."""
    import threading

    spooled_by = _spooler(tmp_path, monkeypatch)
    collection = collect([inbox], workers=2)
    build_master(collection, tmp_path / "one.xlsx", workers=1)
    stop = threading.Event()
    refresher = threading.Thread(target=stop.wait)
    refresher.start()
    try:
        build_master(collection, tmp_path / "two.xlsx", workers=2)
    finally:
        stop.set()
        refresher.join()
    assert spooled_by.read_text() == str(os.getpid())
    assert (tmp_path / "one.xlsx").read_bytes() == (tmp_path / "two.xlsx").read_bytes()


def test_an_error_in_the_spooling_process_reaches_the_caller(inbox, tmp_path, monkeypatch):
    from perfxl.collect import master

    def indicator_rows_of(collection):
        raise OSError(28, "设备上没有空间")

    monkeypatch.setattr(master, "indicator_rows_of", indicator_rows_of)
    out = tmp_path / "out" / "汇总.xlsx"
    with pytest.raises(OSError, match="设备上没有空间"):
        collect_to_master([inbox], out, workers=2)
    assert not out.exists()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was waited for: no process left behind


@pytest.mark.libreoffice
def test_master_converts_to_pdf_in_libreoffice(inbox, tmp_path, soffice):
    master = tmp_path / "master.xlsx"
    collect_to_master([inbox], master)
    out = tmp_path / "pdf"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out), str(master)],
                   check=True, capture_output=True, timeout=180)
    pdf = out / "master.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 1000


def test_indicator_detail_records_the_parsed_target(tmp_path):
    fill_forms([EXAMPLES / "01.json"], tmp_path / "in")
    master = tmp_path / "m.xlsx"
    collect_to_master([tmp_path / "in"], master)
    header, rows = rows_of(openpyxl.load_workbook(master)["绩效指标明细"])
    col = {h: i for i, h in enumerate(header)}
    parsed = {r[col["三级指标"]]: (r[col["运算符"]], r[col["数值"]], r[col["单位"]], r[col["定量/定性"]]) for r in rows}
    assert parsed["特勤安保人数"] == (None, 360, "人", "定量")
    assert parsed["相关单位满意度"] == ("≥", 90, "%", "定量")
    assert parsed["长效管理机制"] == (None, None, None, "定性")
    assert {r[col["单元格"]] for r in rows} >= {"D13", "D20"}


def test_odd_json_shapes_and_non_finite_amounts_never_break_the_master(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    odd = [{"project_name": "a", "funding": "x", "indicators": "abc"},
           {"project_name": "b", "indicators": [1, {"level1": "产出指标", "name": {"a": 1}}]},
           dict(load_example("03"), funding={"total": "NaN"}),
           dict(load_example("04"), funding={"total": "1e400"})]
    for i, form in enumerate(odd):
        (inbox / f"{i}.json").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
    master = tmp_path / "m.xlsx"
    collection = collect_to_master([inbox], master, csv_dir=tmp_path / "csv", json_inputs=True)
    assert collection.has_errors
    wb = openpyxl.load_workbook(master)
    header, projects = rows_of(wb["项目汇总"])
    assert len(projects) == 4
    total = header.index("项目资金总额（万元）")
    assert {row[total] for row in projects} <= {None, "NaN", "1e400"}  # never a number that is not one
    header, units = rows_of(wb["单位汇总"])
    grand = units[-1]
    assert grand[0] == "合计" and grand[2] == 4
    assert all(not (isinstance(v, float) and not math.isfinite(v)) for row in units for v in row)


def test_unchanged_forms_come_from_the_newest_resubmission(tmp_path):
    inbox = tmp_path / "in"
    first = [load_example(n) for n in ("12", "13")]
    second = [load_example("12"), dict(load_example("13"), project_category="一次性项目")]
    old, new = inbox / "v1.xlsx", inbox / "v2.xlsx"
    for path, forms in ((old, first), (new, second)):
        write_workbook(path, [FormSheet(f["project_name"], LAYOUT, f, form_id_for(LAYOUT, f)) for f in forms])
    os.utime(old, (1_700_000_000, 1_700_000_000))
    os.utime(new, (1_700_000_100, 1_700_000_100))
    collection = collect([inbox])
    assert {item.record.sheet: item.file.path for item in collection.forms} == {
        "党建活动": str(new), "社工": str(new)}
    status = {Path(e.path).name: e.status for e in collection.files}
    assert status == {"v1.xlsx": "冲突", "v2.xlsx": "已汇总"}


def test_summary_keeps_yuan_and_wan_yuan_apart(tmp_path):
    sample = json.loads((Path(__file__).parent / "fixtures" / "shanghai-2025-sample.json").read_text(encoding="utf-8"))
    shanghai = get_layout("shanghai-2025")
    write_workbook(tmp_path / "in" / "sh.xlsx", [FormSheet("样例", shanghai, sample, "sh")])
    fill_forms([EXAMPLES / "01.json"], tmp_path / "in")
    summary = collect([tmp_path / "in"]).summary()
    assert summary["funding_totals"] == {"元": "2273740", "万元": "374.9447"}


def test_rows_beyond_excels_limit_continue_on_a_second_sheet(tmp_path, monkeypatch):
    from perfxl.collect import master
    monkeypatch.setattr(master, "MAX_SHEET_ROWS", 20)
    fill_forms([EXAMPLES / "01.json", EXAMPLES / "03.json", EXAMPLES / "07.json"], tmp_path / "in")
    collection = collect([tmp_path / "in"])
    build_master(collection, tmp_path / "m.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "m.xlsx")
    parts = [n for n in wb.sheetnames if n.startswith("绩效指标明细")]
    assert parts == ["绩效指标明细", "绩效指标明细（2）"]
    rows = [r for n in parts for r in list(wb[n].iter_rows(values_only=True))[1:]]
    assert all(wb[n].max_row <= 20 for n in parts)
    assert len(rows) == sum(len(load_example(n)["indicators"]) for n in ("01", "03", "07"))
    assert [c.value for c in wb["绩效指标明细（2）"][1]][:3] == ["实施单位", "项目名称", "一级指标"]


def test_records_wait_on_disk_and_come_back_whole(inbox):
    """The parent keeps a small stub per form and the records in a temporary file: every record
    read back (in any order, the same one twice) is the form as read, with its problems."""
    collection = collect([inbox])
    store = collection.store
    folder = Path(store.folder)
    spooled = list(folder.glob("worker-*.records"))
    assert spooled and sum(p.stat().st_size for p in spooled) > 0  # the workers wrote the records to disk
    assert all(not hasattr(item.form, "blob") for item in collection.forms)  # the parent holds none
    expected = {f["project_name"]: f for f in expected_forms()}
    items = collection.forms
    for item in [items[3], items[0], items[3], *reversed(items)]:
        record = item.record
        assert record.sheet == item.sheet and record.form["project_name"] in expected
        assert len(record.issues) == item.form.problems  # the problems wait on disk too; counts stay
        assert sum(i.severity == "错误" for i in record.issues) == item.errors
        # the cells the master shows are kept
        assert record.cells["indicators/0/name"] == LAYOUT.indicator_cell("name", LAYOUT.first_indicator_row)
    assert sorted(item.record.form["project_name"] for item in items) == sorted(expected)
    assert all(item.record.form == expected[item.record.form["project_name"]] for item in items)
    assert expected["社工"]["funding"]["total"] == "1700.5"  # the newer resubmission's, from disk
    collection.close()
    assert store.closed and not folder.exists()  # the temporary folder goes with the collection


@pytest.mark.parametrize("when", ["reading", "writing"])
def test_an_interrupt_leaves_no_temporary_records(inbox, tmp_path, monkeypatch, when):
    """Ctrl-C while the files are read, or while the master is written: the records' temporary
    folder (the workers' files and the database) is removed before the interrupt goes on."""
    import tempfile

    from perfxl.collect import consolidate, run

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(1)
        raise KeyboardInterrupt

    if when == "reading":
        admit = consolidate._Admitted.add

        def add(self, result):
            admit(self, result)
            assert list(scratch.glob("perfxl-records-*"))  # the folder exists while reading
            interrupted()

        monkeypatch.setattr(consolidate._Admitted, "add", add)
    else:
        monkeypatch.setattr(run, "_build_master", interrupted)
    with pytest.raises(KeyboardInterrupt):
        collect_to_master([inbox], tmp_path / "m.xlsx", workers=2)
    assert calls and not list(scratch.glob("perfxl-records-*"))


def test_a_crashed_worker_costs_its_file_and_the_records_it_wrote_stay(inbox, tmp_path, monkeypatch):
    """Each worker appends its records to a file of its own: a worker that dies after having read
    other files leaves their records valid (they were written before their stubs were sent), the
    worker that replaces it writes a new file, and the file it died on is one FILE-006."""
    import signal

    from perfxl.collect import jobs

    files = sorted(str(p) for p in Path(inbox).iterdir())
    victim = files[len(files) // 2]
    check_file = jobs.check_file

    def crashing(path, **kwargs):
        if str(path) == victim:
            os.kill(os.getpid(), signal.SIGABRT)  # what calamine does on a cell bomb
        return check_file(path, **kwargs)

    monkeypatch.setattr(jobs, "check_file", crashing)
    collection = collect(files, workers=1)
    whole = collect(files)  # not crashing: the same reading, for comparison
    try:
        codes = [(i.file, i.code) for chunk in collection.iter_problem_chunks() for i in chunk]
        assert (victim, "FILE-006") in codes
        assert len(list(Path(collection.store.folder).glob("worker-*.records"))) == 2  # the replacement's own
        kept = {(item.file.path, item.record.sheet): item.record.form for item in collection.forms}
        assert kept and all(path != victim for path, _ in kept)
        before = {key: form for key, form in kept.items() if key[0] < victim}
        assert before  # forms of files read by the worker before it died
        expected = {(item.file.path, item.record.sheet): item.record.form for item in whole.forms}
        assert all(expected[key] == form for key, form in kept.items())
    finally:
        collection.close()
        whole.close()


def test_a_file_over_the_size_cap_is_listed_and_refused_unread(tmp_path):
    """The one read that serves hash, check and parser stops at the size cap: a bigger file is
    neither read nor hashed (a 100 GB file must cost nothing), listed in 文件清单 with its size and
    refused by it, never parsed; a file under the cap is hashed."""
    import dataclasses
    import hashlib

    from perfxl.config import DEFAULT_LIMITS, Settings

    paths = fill_forms([EXAMPLES / "01.json", EXAMPLES / "02.json"], tmp_path / "in")
    small, big = sorted(paths, key=lambda p: p.stat().st_size)
    cap = (small.stat().st_size + big.stat().st_size) // 2
    settings = Settings(limits=dataclasses.replace(DEFAULT_LIMITS, max_file_bytes=cap))
    collection = collect(paths, settings=settings)
    entries = {Path(entry.path).name: entry for entry in collection.files}
    assert entries[big.name].status == "无法读取" and entries[small.name].status != "无法读取"
    assert entries[small.name].sha256 == hashlib.sha256(small.read_bytes()).hexdigest()
    assert entries[big.name].sha256 == ""
    for path in (small, big):
        assert entries[path.name].size == path.stat().st_size
    refusal = next(i for i in collection.issues if i.file == str(big))
    assert refusal.code == "FILE-005" and "文件过大" in refusal.message and "KB" in refusal.message
    assert [item.record.form["project_name"] for item in collection.forms] == [load_example(
        "01" if small.stem == "01" else "02")["project_name"]]


def test_collect_names_each_step_after_reading(tmp_path):
    """After the last file is read the master of a city still takes a while: the progress bar
    is told which step runs (the CLI shows it), and the file count is reported as files finish."""
    fill_forms([EXAMPLES / "01.json", EXAMPLES / "02.json"], tmp_path / "in")
    stages, done = [], []
    collect_to_master([tmp_path / "in"], tmp_path / "汇总.xlsx", jsonl=tmp_path / "f.jsonl", csv_dir=tmp_path / "csv",
                      on_progress=lambda n, total: done.append((n, total)), on_stage=stages.append)
    assert done == [(1, 2), (2, 2)]
    assert stages == ["写汇总表", "写 JSONL", "写 CSV"]
