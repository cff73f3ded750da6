"""Issue 14 item 3: a self-evaluation master has a grade distribution per unit with a chart
(自评等级分布), a monitoring master the same for the traffic lights (监控状态分布).  The counts are
checked against the forms themselves (scored and judged here, grouped by unit) and against the
master's own 项目汇总 / 绩效指标明细; the charts against the ranges they must plot; LibreOffice
prints the sheets."""

from __future__ import annotations

import re
import zipfile
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from conftest import example_paths, load_example
from test_libreoffice import convert, pdf_pages, shows
from test_master_print import only_sheet

from perfxl.api import (
    collect_to_master,
    fill_forms,
    indicator_statuses,
    prefill_monitoring,
    score_self_evaluation,
    write_monitoring,
    write_self_evaluations,
)
from perfxl.demo import illustrative_monitoring, illustrative_self_evaluation
from perfxl.form.layout import get_layout
from perfxl.form.selfeval import prefill_self_evaluation

GRADES, STATUSES = "自评等级分布", "监控状态分布"


def self_evaluations() -> list[dict]:
    return [illustrative_self_evaluation(prefill_self_evaluation(load_example(p.stem)), n)
            for n, p in enumerate(example_paths())]


def monitoring_tables() -> list[dict]:
    return [illustrative_monitoring(prefill_monitoring(load_example(p.stem), 6), n)
            for n, p in enumerate(example_paths())]


@pytest.fixture(scope="module")
def masters(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("distribution")
    write_self_evaluations(self_evaluations(), work / "自评")
    write_monitoring(monitoring_tables(), work / "监控")
    out = {GRADES: work / "自评汇总.xlsx", STATUSES: work / "监控汇总.xlsx"}
    collect_to_master([work / "自评"], out[GRADES])
    collect_to_master([work / "监控"], out[STATUSES])
    return out


def table(master: Path, sheet: str) -> list[dict]:
    header, *body = openpyxl.load_workbook(master)[sheet].iter_rows(values_only=True)
    return [dict(zip(header, row)) for row in body]


def units_as_summed(master: Path) -> list[str]:
    """单位汇总's units, in its order (the distribution follows it)."""
    return [row["实施单位"] for row in table(master, "单位汇总") if row["实施单位"] not in ("小计", None)]


def test_grade_counts_and_average_per_unit_are_the_forms_own(masters):
    expected: dict[str, list] = defaultdict(list)
    for form in self_evaluations():
        expected[form["implementing_unit"]].append(score_self_evaluation(form))
    rows = table(masters[GRADES], GRADES)
    assert [row["实施单位"] for row in rows] == [*units_as_summed(masters[GRADES]), "合计"]
    assert set(expected) == set(units_as_summed(masters[GRADES])) and len(expected) == 3
    for row in rows[:-1]:
        scores = expected[row["实施单位"]]
        grades = Counter(score.grade for score in scores)
        assert [row[g] for g in ("优", "良", "中", "差")] == [grades[g] for g in ("优", "良", "中", "差")]
        assert row["项目数"] == len(scores) and row["未评分"] == 0
        mean = (sum(score.total for score in scores) / len(scores)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert Decimal(repr(row["平均总分"])) == mean
    everything = [score for scores in expected.values() for score in scores]
    total = rows[-1]
    assert total["项目数"] == 18 and sum(total[g] for g in ("优", "良", "中", "差")) == 18
    mean = (sum(score.total for score in everything) / 18).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert Decimal(repr(total["平均总分"])) == mean
    # and the master's own 项目汇总 says the same per unit
    projects = Counter((row["实施单位"], row["自评等级"]) for row in table(masters[GRADES], "项目汇总"))
    for row in rows[:-1]:
        assert all(row[g] == projects[(row["实施单位"], g)] for g in ("优", "良", "中", "差"))


def test_status_counts_per_unit_are_the_forms_own(masters):
    layout = get_layout("monitoring-2023")
    expected: dict[str, Counter] = defaultdict(Counter)
    projects: Counter = Counter()
    for form in monitoring_tables():
        projects[form["implementing_unit"]] += 1
        expected[form["implementing_unit"]].update(s.status for s in indicator_statuses(form, layout))
    rows = table(masters[STATUSES], STATUSES)
    assert [row["实施单位"] for row in rows] == [*units_as_summed(masters[STATUSES]), "合计"]
    assert set(expected) == set(units_as_summed(masters[STATUSES]))
    for row in rows[:-1]:
        counts = expected[row["实施单位"]]
        assert (row["红色"], row["黄色"], row["绿色"], row["未判定"]) == (counts["红"], counts["黄"], counts["绿"], counts[None])
        assert row["项目数"] == projects[row["实施单位"]]
    shown = Counter((row["实施单位"], row["监控状态"]) for row in table(masters[STATUSES], "绩效指标明细"))
    for row in rows[:-1]:
        assert [row[f"{c}色"] for c in "红黄绿"] == [shown[(row["实施单位"], c)] for c in "红黄绿"]
    assert rows[-1]["红色"] == sum(row["红色"] for row in rows[:-1]) > 0


@pytest.mark.parametrize("sheet, series", [(GRADES, ["优", "良", "中", "差"]), (STATUSES, ["红色", "黄色", "绿色"])])
def test_the_chart_stacks_each_category_over_the_unit_rows(masters, sheet, series):
    master = masters[sheet]
    book = openpyxl.load_workbook(master)
    ws = book[sheet]
    units = ws.max_row - 2  # header and 合计
    with zipfile.ZipFile(master) as z:
        charts = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/charts/chart")]
    [chart] = [c for c in charts if sheet in c]
    assert '<c:grouping val="stacked"/>' in chart and "<c:barDir val=\"col\"/>" in chart
    refs = re.findall(r"<c:f>'?" + sheet + r"'?!(\$[A-Z]+\$\d+(?::\$[A-Z]+\$\d+)?)</c:f>", chart)
    headers = [cell.value for cell in ws[1]]
    expected = []
    for name in series:
        column = openpyxl.utils.get_column_letter(headers.index(name) + 1)
        expected += [f"${column}$1", f"$A$2:$A${units + 1}", f"${column}$2:${column}${units + 1}"]
    assert refs == expected
    # the chart sits on the sheet, under the table
    with zipfile.ZipFile(master) as z:
        sheet_index = book.sheetnames.index(sheet) + 1
        drawing = z.read(f"xl/worksheets/_rels/sheet{sheet_index}.xml.rels").decode("utf-8")
    assert "drawing" in drawing


def test_a_target_master_has_no_distribution_and_the_same_inputs_give_the_same_bytes(masters, tmp_path):
    fill_forms(example_paths()[:3], tmp_path / "targets", by_unit=True)
    collect_to_master([tmp_path / "targets"], tmp_path / "m.xlsx")
    names = openpyxl.load_workbook(tmp_path / "m.xlsx").sheetnames
    assert GRADES not in names and STATUSES not in names
    names = openpyxl.load_workbook(masters[GRADES]).sheetnames
    assert names.index(GRADES) == names.index("单位汇总（打印）") + 1 and STATUSES not in names
    again = tmp_path / "again.xlsx"
    collect_to_master([masters[GRADES].parent / "自评"], again)
    assert again.read_bytes() == masters[GRADES].read_bytes()


@pytest.mark.libreoffice
def test_libreoffice_prints_the_distributions_with_their_charts(masters, soffice, tmp_path):
    copies = [only_sheet(masters[sheet], sheet, tmp_path / f"{n}.xlsx") for n, sheet in enumerate((GRADES, STATUSES))]
    pdfs = convert(soffice, tmp_path / "lo-profile", "pdf", copies, tmp_path / "pdf")
    for pdf, sheet, title in zip(pdfs, (GRADES, STATUSES), ("各实施单位自评等级分布（项目数）", "各实施单位监控状态分布（指标数）")):
        pages = pdf_pages(pdf)
        assert len(pages) == 1, sheet  # table and chart on one A4 page
        text = pages[0]["text"]
        assert shows(text, title)  # the chart's title: the chart was drawn
        for row in table(masters[sheet], sheet):
            assert shows(text, row["实施单位"])
