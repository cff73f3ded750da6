"""Broken, hostile and foreign files: read what can be read, refuse the rest clearly, lose nothing."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, load_example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfxl.api import validate_paths
from perfxl.config import Settings
from perfxl.isolation import run_isolated
from perfxl.problems import Issue, Problem
from tests.hostile.make_corpus import Case, build, good_workbook

CODES = {problem.code for problem in Problem}

SCHEMA_ONLY = Settings(review=None)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, soffice) -> tuple[Path, list[Case]]:
    out = tmp_path_factory.mktemp("hostile")
    return out, build(out, soffice)


def by_name(corpus):
    folder, cases = corpus
    results = validate_paths([folder / c.name for c in cases], settings=SCHEMA_ONLY, workers=2)
    return {case.name: (case, result) for case, result in zip(cases, results)}


def test_every_case_is_reported_as_expected(corpus):
    for name, (case, checked) in by_name(corpus).items():
        codes = {issue.code for issue in checked.issues}
        assert case.codes <= codes, (name, [i.message for i in checked.issues])
        if case.status == "无法读取":
            assert checked.forms == [], name
        elif case.status != "?":
            assert len(checked.forms) == case.forms, (name, [i.message for i in checked.issues])
        if case.reason:
            assert any(case.reason in issue.message for issue in checked.issues), (name, codes)
        for issue in checked.issues:
            assert issue.code in CODES, name
            assert issue.file.endswith(name)
            # a reader that raised or died is a bug of ours, even when the file is refused anyway
            assert issue.code != "FILE-006" and "内部错误" not in issue.message, (name, issue.message)


def test_readable_cases_give_the_source_values(corpus):
    results = by_name(corpus)
    assert results["date1904.xlsx"][1].forms[0].form == load_example("04")
    assert results["text-numbers-and-dates.xlsx"][1].forms[0].form == load_example("01")
    assert results["used-range-XFD1048576.xlsx"][1].forms[0].form == load_example("10")
    assert results["formula-cached.xlsx"][1].forms[0].form == load_example("16")
    assert results["with-macro.xlsm"][1].forms[0].form == load_example("05")
    assert results["lo-saved.xls"][1].forms[0].form == load_example("03")
    assert results["lo-saved.ods"][1].forms[0].form == load_example("03")
    no_cache = results["formula-no-cache.xlsx"][1]
    assert "total" not in no_cache.forms[0].form["funding"]
    issue = next(i for i in no_cache.issues if i.code == "CELL-001")
    assert issue.cell == "C6" and issue.field == "项目资金总额" and issue.severity == "错误"


COLLECT_UNDER_MEMORY_CAP = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3))  # the whole run in 1 GB
    from perfxl.cli import app
    sys.argv = ["perfxl", "collect", sys.argv[1], "--out", sys.argv[2], "--json", "--workers", "2"]
    app()
""")


def test_collect_whole_corpus_under_memory_cap(corpus, tmp_path):
    folder, cases = corpus
    master = tmp_path / "master.xlsx"
    run = subprocess.run([sys.executable, "-c", COLLECT_UNDER_MEMORY_CAP, str(folder), str(master)],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 1, run.stderr[-2000:]
    summary = json.loads(run.stdout)
    files = list(openpyxl.load_workbook(master)["文件清单"].iter_rows(min_row=2, values_only=True))
    assert len(files) == len(cases) == summary["files"]
    status = {Path(row[0]).name: row for row in files}
    for case in cases:
        row = status[case.name]
        assert row[3] in ("已汇总", "有问题", "无法读取", "重复", "冲突"), case.name
        if case.status not in ("?", "已汇总"):
            assert row[3] == case.status, (case.name, row)
        if row[3] != "已汇总":
            assert row[5] and any("\u4e00" <= ch <= "\u9fff" for ch in row[5]), (case.name, row)
    # every readable case is a master row; the xls and ods copies of 03 are one form, counted once
    projects = list(openpyxl.load_workbook(master)["项目汇总"].iter_rows(min_row=2, values_only=True))
    readable = [c for c in cases if c.status in ("已汇总", "有问题")]
    either = sum(status[c.name][4] for c in cases if c.status == "?")  # "?": read or refused, both fine
    assert len(projects) == sum(c.forms for c in readable) + either - 1


# --- mutations of a valid workbook ------------------------------------------------------------
_BASE: dict[str, bytes] = {}


def _base_bytes(tmp: Path) -> bytes:
    if "xlsx" not in _BASE:
        _BASE["xlsx"] = good_workbook(tmp / "base.xlsx", "07").read_bytes()
    return _BASE["xlsx"]


def _mutate_member(data: bytes, member: str, edit) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == member:
                content = edit(content)
                if content is None:
                    continue
            dst.writestr(info, content)
    return out.getvalue()


MEMBERS = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/styles.xml",
           "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet3.xml"]

mutation = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(0, 20000), st.integers(1, 255)), min_size=1, max_size=20)),
    st.tuples(st.just("truncate"), st.integers(0, 20000)),
    st.tuples(st.just("delete"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("edit"), st.tuples(st.sampled_from(MEMBERS), st.integers(0, 5000), st.integers(0, 200),
                                         st.sampled_from([b"", b"<", b">", b'"', b"&", b"<c r=\"XFD1\"/>",
                                                          b"<!DOCTYPE x>", b"\x00", b"<f>1/0</f>", b"99999999999"]))),
)


def _apply(data: bytes, op) -> bytes:
    """One mutation; a mutation that needs a readable zip is skipped once the zip is destroyed."""
    kind, arg = op
    if not data:
        return data
    if kind in ("delete", "edit"):
        try:
            return _apply_to_member(data, kind, arg)
        except Exception:  # the harness cannot edit a zip an earlier mutation broke: keep it broken
            return data
    if kind == "flip":
        buf = bytearray(data)
        for pos, xor in arg:
            buf[pos % len(buf)] ^= xor
        return bytes(buf)
    return data[: arg % len(data)]


def _apply_to_member(data: bytes, kind: str, arg) -> bytes:
    if kind == "delete":
        return _mutate_member(data, arg, lambda content: None)
    member, pos, cut, insert = arg
    return _mutate_member(data, member, lambda c: c[: pos % (len(c) + 1)] + insert + c[pos % (len(c) + 1) + cut:])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(ops=st.lists(mutation, min_size=1, max_size=3))
def test_mutated_workbooks_give_forms_or_issues_never_a_crash(tmp_path, ops):
    data = _base_bytes(tmp_path)
    for op in ops:
        data = _apply(data, op)
    path = tmp_path / "mutated.xlsx"
    path.write_bytes(data)
    [checked] = validate_paths([path], settings=Settings(review=None))
    for issue in checked.issues:
        assert isinstance(issue, Issue) and issue.code in CODES
    assert checked.forms or checked.issues
    # a crash of the reading process is still one of perfxl's own issues, at most one per file
    assert sum(issue.code == "FILE-006" for issue in checked.issues) <= 1


def test_hang_and_crash_cost_one_file_only():
    import os
    import signal
    import time

    def work(x):
        if x == 1:
            os.kill(os.getpid(), signal.SIGABRT)  # what calamine does on a cell bomb
        if x == 2:
            time.sleep(30)
        return x

    results = list(run_isolated(work, [0, 1, 2, 3], workers=2, seconds=1))
    assert results[0] == 0 and results[3] == 3
    assert results[1].reason == "crash" and "SIGABRT" in results[1].detail
    assert results[2].reason == "timeout"


def test_publish_of_the_corpus_publishes_what_it_can_and_names_the_rest(corpus, tmp_path):
    from typer.testing import CliRunner

    from perfxl.cli import app

    folder, cases = corpus
    out = tmp_path / "汇编.xlsx"
    result = CliRunner().invoke(app, ["publish", str(folder), "--out", str(out)])
    assert result.exit_code == 1, result.output  # errors in the input, not a crash (3)
    assert out.is_file() and "内部错误" not in result.output
    for case in cases:
        if case.status == "无法读取":
            assert f"{folder / case.name}：" in result.output, case.name
