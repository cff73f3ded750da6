"""perfxl.check.review: each rule passes and fails on a small change to a valid form; configuration;
variant-generic behaviour; the findings on the 18 bundled examples; docs/rules.md up to date."""

from __future__ import annotations

import copy
import itertools
import re

import pytest
from conftest import DELETE, ROOT, example_paths, load_example, set_paths

from perfxl import docs
from perfxl.check import review as review_module
from perfxl.check.review import review_record
from perfxl.check.rules import CHECKS
from perfxl.check.rules import description as rule_description
from perfxl.config import ReviewConfig, load_config
from perfxl.docs import render_rules_markdown
from perfxl.form.identity import form_id_for
from perfxl.form.layout import INDICATOR_PARTS, Layout, get_layout
from perfxl.form.variant import Variant, load_variant, variant_names
from perfxl.model import FormRecord
from perfxl.problems import ERROR, INFO, SEVERITY_ORDER, WARNING, Problem
from perfxl.read.workbook import read_workbook
from perfxl.write.naming import safe_sheet_names
from perfxl.write.workbook import FormSheet, write_workbook

LAYOUT = get_layout("pujiang-2023")
BASE = load_example("01")  # no findings: every case below changes one thing


# --- helpers -----------------------------------------------------------------------------------
def edits(*changes: tuple[str, object]):
    """A mutator setting (or deleting) dotted paths such as ``indicators.7.target``."""
    def mutate(form):
        return set_paths(form, changes)
    return mutate


def keep_indicators(*indices: int):
    def mutate(form):
        form["indicators"] = [form["indicators"][i] for i in indices]
        return form
    return mutate


def move_first_indicator_last(form):
    form["indicators"].append(form["indicators"].pop(0))
    return form


def all_targets(*targets: str):
    def mutate(form):
        for item, target in zip(form["indicators"], targets):
            item["target"] = target
        return form
    return mutate


def same_goals(form):
    form["goals"]["annual"] = form["goals"]["overall"]
    return form


def chain(*mutators):
    def mutate(form):
        for mutator in mutators:
            form = mutator(form)
        return form
    return mutate


@pytest.fixture
def review(tmp_path):
    """Review a form as read back from a filled workbook, so cells are real."""
    counter = itertools.count()

    def run(form, config=None):
        path = tmp_path / f"{next(counter)}.xlsx"
        write_workbook(path, [FormSheet("表", LAYOUT, form, "id")])
        result = read_workbook(path)
        assert result.all_issues == [] and result.forms[0].form == form
        return review_record(result.forms[0], config)
    return run


def found(issues):
    return {(issue.code, issue.severity, issue.cell) for issue in issues}


def codes(issues):
    return {issue.code for issue in issues}


# --- every rule fails … ------------------------------------------------------------------------
# 01's cells: heading A2, name B3, dates B5/E5, funding C6 C7 C9 | E6 E7 E8 E9, period C10,
# goals B11/D11; indicators on rows 13–20 (一级 B, 二级 C, 三级 D, 值 F), 满意度 on row 20.
FAILING = [
    ("FUND-001", edits(("funding.total_fiscal", "300")), ERROR, "C6"),
    ("FUND-001", edits(("funding.total_fiscal", DELETE)), ERROR, "C6"),  # a blank part counts as 0
    ("FUND-002", edits(("funding.annual_carryover", "10")), ERROR, "E6"),
    ("FUND-003", edits(("funding.total", "300"), ("funding.total_fiscal", "300")), ERROR, "E6"),
    ("FUND-004", edits(("funding.annual_total", DELETE)), ERROR, "E6"),
    ("DATE-001", edits(("planned_start", "2024-01-01")), ERROR, "B5"),
    ("DATE-002", edits(("year", 2022)), ERROR, "A2"),
    ("DATE-003", edits(("goals.overall_period", "2022年-2022年")), WARNING, "C10"),
    ("DATE-003", edits(("planned_end", "2024-06-30")), WARNING, "C10"),
    ("DATE-004", edits(("goals.overall_period", "2020年-2023年")), INFO, "C10"),
    ("DATE-005", edits(("goals.overall_period", "今年")), WARNING, "C10"),
    ("DATE-005", edits(("goals.overall_period", "2024年-2023年")), WARNING, "C10"),
    ("DATE-006", edits(("indicators.4.target", "2022年底前")), WARNING, "F17"),
    ("FRAME-001", edits(("indicators.0.target", DELETE)), ERROR, "F13"),
    ("FRAME-002", edits(("indicators.0.name", DELETE)), ERROR, "D13"),
    ("FRAME-003", edits(("indicators.2.name", "特勤安保 人数")), WARNING, "D15"),
    ("FRAME-004", move_first_indicator_last, INFO, "C20"),
    ("COVER-001", keep_indicators(3, 4, 5, 6, 7), WARNING, "B13"),
    ("COVER-002", keep_indicators(0, 1, 2, 5, 6, 7), WARNING, "B13"),
    ("COVER-003", keep_indicators(0, 1, 2, 3, 4, 7), WARNING, "B13"),
    ("COVER-004", keep_indicators(0, 1, 2, 3, 4, 5, 6), WARNING, "B13"),
    ("TARGET-001", edits(("indicators.7.target", "≥85%")), WARNING, "F20"),
    ("TARGET-001", edits(("indicators.7.target", "８５％")), WARNING, "F20"),
    ("TARGET-002", edits(("indicators.7.target", "满意")), WARNING, "F20"),
    ("TARGET-003", all_targets("较多", "较多", "较多", "提高", "及时", "有效压降", "建立健全", "满意"),
     WARNING, "F13"),
    ("TARGET-004", edits(("indicators.0.target", "若干")), WARNING, "F13"),
    ("TARGET-005", edits(("indicators.0.target", "360")), INFO, "F13"),
    ("TARGET-006", edits(("indicators.3.target", "安保人员勤务完成率100%")), INFO, "F16"),
    ("TEXT-001", edits(("goals.overall_period", DELETE)), WARNING, "C10"),
    ("TEXT-002", edits(("goals.annual", "加强管理")), INFO, "D11"),
    ("TEXT-003", edits(("project_name", "XXX项目")), WARNING, "B3"),
    ("TEXT-003", edits(("indicators.6.target", "……")), WARNING, "F19"),
    ("TEXT-003", edits(("goals.overall", "请填写项目总目标")), WARNING, "B11"),
    ("TEXT-004", edits(("goals.overall", "加强区域治安管理" * 63)), WARNING, "B11"),  # 504 字
    ("TEXT-005", chain(same_goals, edits(("planned_end", "2024-12-31"),
                                         ("goals.overall_period", "2023年-2024年"))), INFO, "D11"),
]

# … and passes on the nearest change that is still fine.
PASSING = [
    ("FUND-001", edits(("funding.total_fiscal", "300"), ("funding.total_other", "74.9447"))),
    ("FUND-002", edits(("funding.annual_fiscal", "364.9447"), ("funding.annual_carryover", "10"))),
    ("FUND-003", edits(("funding.annual_total", "374.9447"))),  # equal is fine
    ("FUND-004", edits(("funding.annual_total", DELETE), ("funding.annual_fiscal", DELETE))),
    ("DATE-001", edits(("planned_start", "2023-12-31"))),  # same day
    ("DATE-002", edits(("planned_end", "2025-12-31"), ("year", 2025), ("goals.overall_period", "2023年-2025年"))),
    ("DATE-003", edits(("goals.overall_period", "2023年1月1日-2023年12月31日"))),
    ("DATE-004", edits(("goals.overall_period", "2023年"))),
    ("DATE-005", edits(("goals.overall_period", "２０２３年 － ２０２３年"))),
    ("DATE-006", edits(("indicators.4.target", "2023年12月底前"))),
    ("FRAME-001", edits(("indicators.0.target", "360人"))),
    ("FRAME-002", edits(("indicators.0.name", "人数"))),
    ("FRAME-003", edits(("indicators.2.name", "特勤安保人数（夜间）"))),
    ("FRAME-004", keep_indicators(0, 3, 4, 5, 7)),
    ("COVER-001", keep_indicators(0, 5, 7)),
    ("COVER-002", keep_indicators(0, 4, 5, 7)),  # 时效 alone is enough
    ("COVER-003", keep_indicators(0, 3, 6, 7)),  # any 二级 under 效益指标
    ("COVER-004", keep_indicators(0, 3, 5, 7)),
    ("COVER-005", keep_indicators(0, 3, 5, 7)),  # 成本指标 is a 二级 here: the rule does not apply
    ("TARGET-001", edits(("indicators.7.target", "90%"))),  # exactly the threshold
    ("TARGET-002", edits(("indicators.7.target", "不低于90%"))),
    ("TARGET-003", all_targets("较多", "较多", "较多", "提高", "及时", "有效压降", "建立健全", "≥90%")),
    ("TARGET-004", edits(("indicators.0.target", "不少于360人"))),
    ("TARGET-005", edits(("indicators.0.target", "360 人"))),
    ("TARGET-006", edits(("indicators.3.target", "100%"))),
    ("TEXT-001", edits(("goals.overall_period", "2023年"))),
    ("TEXT-002", edits(("goals.annual", "加强区域治安长效管理"))),  # exactly 10 字
    ("TEXT-003", edits(("goals.overall", "做好安保工作，保障辖区平安，确保重大活动顺利进行。"))),
    ("TEXT-004", edits(("goals.overall", "加强区域治安管理" * 62 + "确保平安"))),  # exactly 500 字
    ("TEXT-005", same_goals),  # one-year project: the same goal is normal
]


@pytest.mark.parametrize("rule_id, mutate, severity, cell", FAILING, ids=[c[0] for c in FAILING])
def test_rule_fails(review, rule_id, mutate, severity, cell):
    issues = review(mutate(copy.deepcopy(BASE)))
    assert (rule_id, severity, cell) in found(issues), [i.message for i in issues]


@pytest.mark.parametrize("rule_id, mutate", PASSING, ids=[c[0] for c in PASSING])
def test_rule_passes(review, rule_id, mutate):
    issues = review(mutate(copy.deepcopy(BASE)))
    assert rule_id not in codes(issues), [i.message for i in issues]


def test_every_rule_has_a_failing_and_a_passing_case():
    ids = {item.code for item in Problem.rules()}
    assert {case[0] for case in FAILING} | {"COVER-005"} == ids  # COVER-005: see the variant tests
    assert {case[0] for case in PASSING} == ids


def test_the_base_form_has_no_findings(review):
    assert review(copy.deepcopy(BASE)) == []


def test_rule_catalogue_is_well_formed():
    ids = [item.code for item in Problem.rules()]
    assert len(ids) == len(set(ids))
    assert set(CHECKS) == set(Problem.rules())  # every rule of the catalogue has its check, and only those
    for item in Problem.rules():
        assert re.fullmatch(r"(FUND|DATE|FRAME|COVER|TARGET|TEXT)-\d{3}", item.code)
        assert item.severity in SEVERITY_ORDER
        assert item.value.title and rule_description(item) and item.value.rationale and item.template


# --- what an issue says ------------------------------------------------------------------------
def test_funding_message_shows_both_sides_and_the_other_cells(review):
    issues = review(edits(("funding.total_fiscal", "300"))(copy.deepcopy(BASE)))
    issue = next(i for i in issues if i.code == "FUND-001")
    assert (issue.field, issue.value, issue.expected) == ("项目资金总额", "374.9447", "300")
    assert "374.9447 万元" in issue.message and "财政资金（C7）300 万元" in issue.message
    assert "其他资金（C9）未填" in issue.message
    assert issue.file and issue.sheet == "表"


def test_missing_annual_total_expects_the_sum_of_its_parts(review):
    form = edits(("funding.annual_total", DELETE), ("funding.annual_carryover", "0.0553"))(copy.deepcopy(BASE))
    form["funding"]["total"] = form["funding"]["total_fiscal"] = "375"
    issue = next(i for i in review(form) if i.code == "FUND-004")
    assert issue.expected == "375"
    assert "当年财政拨款（E7）374.9447 万元 + 上年结转资金（E8）0.0553 万元" in issue.message


def test_amounts_are_compared_exactly(review):
    form = edits(("funding.total", "0.3"), ("funding.total_fiscal", "0.1"), ("funding.total_other", "0.2"),
                 ("funding.annual_total", "0.3"), ("funding.annual_fiscal", "0.3"))(copy.deepcopy(BASE))
    assert "FUND-001" not in codes(review(form))  # 0.1 + 0.2 == 0.3 as decimals, not as floats
    form["funding"]["total_other"] = "0.200001"
    assert "FUND-001" in codes(review(form))


def test_json_forms_are_reviewed_without_cells():
    record = FormRecord(file="02.json", sheet="", variant="pujiang-2023", form=load_example("02"), cells={})
    [issue] = review_record(record)
    assert (issue.code, issue.cell, issue.file) == ("FUND-004", "", "02.json")
    assert "（" not in issue.message.split("已填写了")[1].split("435")[0]  # no cell mark without cells


def test_issue_for_the_indicator_table_names_it(review):
    issue = next(i for i in review(keep_indicators(0, 3, 5, 6)(copy.deepcopy(BASE))) if i.code == "COVER-004")
    assert issue.field == "绩效指标" and "满意度指标" in issue.message


# --- configuration -----------------------------------------------------------------------------
def test_a_rule_turned_off_disappears(review):
    form = keep_indicators(0, 3, 5, 6)(copy.deepcopy(BASE))
    assert "COVER-004" in codes(review(form))
    config = ReviewConfig({"COVER-004": {"enabled": False}})
    assert "COVER-004" not in codes(review(form, config))


def test_a_threshold_changes_the_outcome(review):
    form = copy.deepcopy(BASE)  # 满意度 ≥90%
    assert "TARGET-001" not in codes(review(form))
    strict = ReviewConfig({"TARGET-001": {"min_satisfaction": 95}})
    [issue] = [i for i in review(form, strict) if i.code == "TARGET-001"]
    assert (issue.cell, issue.expected) == ("F20", "≥95%") and "低于 95%" in issue.message
    lenient = ReviewConfig({"TARGET-001": {"min_satisfaction": 85.5}})
    assert "TARGET-001" not in codes(review(edits(("indicators.7.target", "≥86%"))(form), lenient))


def test_min_chars_threshold(review):
    config = ReviewConfig({"TEXT-002": {"min_chars": 20}})
    assert ("TEXT-002", INFO, "D11") in found(review(copy.deepcopy(BASE), config))  # 14 字


def test_severity_can_be_changed(review):
    config = ReviewConfig({"TARGET-001": {"severity": "错误"}})
    issues = review(edits(("indicators.7.target", "≥85%"))(copy.deepcopy(BASE)), config)
    assert ("TARGET-001", ERROR, "F20") in found(issues)


def test_list_parameters(review):
    form = edits(("indicators.0.target", "若干"))(copy.deepcopy(BASE))
    config = ReviewConfig({"TARGET-004": {"levels": ["质量指标"]}})
    assert "TARGET-004" not in codes(review(form, config))


def test_load_config_from_toml(tmp_path, review):
    path = tmp_path / "review.toml"
    path.write_text('[rules.COVER-004]\nenabled = false\n\n[rules.TARGET-001]\nseverity = "错误"\n'
                    'min_satisfaction = 95\n', encoding="utf-8")
    config = load_config(path)
    issues = review(keep_indicators(0, 3, 5, 6, 7)(copy.deepcopy(BASE)), config)
    assert "COVER-004" not in codes(issues)
    assert ("TARGET-001", ERROR, "F17") in found(issues)


def test_load_config_none_is_the_defaults():
    config = load_config(None)
    settings = config.settings(Problem.TARGET_001)
    assert settings.enabled and settings.severity == WARNING and settings.params["min_satisfaction"] == 90


@pytest.mark.parametrize("toml, words", [
    ("[rules.TARGET-999]\nenabled = false\n", ["TARGET-999", "不存在"]),
    ("[rules.TARGET-001]\nmin_satisfation = 85\n", ["TARGET-001", "min_satisfation", "min_satisfaction"]),
    ("[rules.TARGET-001]\nseverity = \"严重\"\n", ["severity", "错误"]),
    ("[rules.TARGET-001]\nmin_satisfaction = \"85\"\n", ["min_satisfaction", "数字"]),
    ("[rules.COVER-004]\nenabled = \"no\"\n", ["enabled", "true"]),
    ("[rules.COVER-001]\nlevels = \"数量指标\"\n", ["levels", "列表"]),
    ("[rule.COVER-004]\nenabled = false\n", ["rule", "rules"]),
    ("[rules]\nCOVER-004 = false\n", ["COVER-004", "表"]),
    ("[rules.COVER-004\n", ["TOML"]),
])
def test_bad_config_is_a_clear_error(tmp_path, toml, words):
    path = tmp_path / "review.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_config(path)
    for word in words:
        assert word in str(caught.value)


def test_unknown_rule_in_a_config_dict_raises():
    with pytest.raises(ValueError, match="规则“FUND-999”不存在"):
        ReviewConfig({"FUND-999": {"enabled": False}})


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="无法读取审核配置文件"):
        load_config(tmp_path / "none.toml")


# --- variant-generic ---------------------------------------------------------------------------
COST_LEVEL2 = ["经济成本指标", "社会成本指标", "生态环境成本指标"]


def cost_as_level1(schema):
    """The coming shanghai-2025 framework: 成本指标 is a 一级 of its own."""
    indicator = schema["$defs"]["indicator"]
    indicator["properties"]["level1"]["enum"].insert(1, "成本指标")
    indicator["properties"]["level2"]["enum"] += COST_LEVEL2
    indicator["allOf"][0]["then"]["properties"]["level2"]["enum"].remove("成本指标")
    indicator["allOf"].insert(1, {"if": {"properties": {"level1": {"const": "成本指标"}}, "required": ["level1"]},
                                  "then": {"properties": {"level2": {"enum": COST_LEVEL2}}}})


def fake_layout(name, edit_schema=None, drop_fields=()):
    base = load_variant("pujiang-2023")
    schema, data = copy.deepcopy(base.schema), copy.deepcopy(base.layout_data)
    data["name"] = name
    if edit_schema:
        edit_schema(schema)
    for path in drop_fields:
        parent, _, key = path.rpartition(".")
        del (schema["properties"][parent] if parent else schema)["properties"][key]
        data["cells"] = [cell for cell in data["cells"] if cell.get("field") != path]
    return Layout(Variant(name, "", schema, data))


def cells_for(layout, form):
    """The cells the reader records for a form written by perfxl: one row per indicator, and
    一级/二级 at the top of their merged run."""
    cells = {slot.path.replace(".", "/"): slot.area.ref for slot in layout.slots}
    first = layout.first_indicator_row
    items = form["indicators"]
    for index, item in enumerate(items):
        starts = {"level1": index, "level2": index}
        while starts["level1"] and items[starts["level1"] - 1]["level1"] == item["level1"]:
            starts["level1"] -= 1
        while starts["level2"] > starts["level1"] and items[starts["level2"] - 1]["level2"] == item["level2"]:
            starts["level2"] -= 1
        for part in INDICATOR_PARTS:
            cells[f"indicators/{index}/{part}"] = layout.indicator_cell(part, first + starts.get(part, index))
    return cells


@pytest.fixture
def variants(monkeypatch):
    known = {}
    monkeypatch.setattr(review_module, "get_layout", lambda name: known.get(name) or get_layout(name))
    return known


def review_as(layout, form):
    record = FormRecord("x.json", "表", layout.variant.name, form, cells_for(layout, form))
    return review_record(record)


def test_cells_for_matches_the_reader(tmp_path):
    path = tmp_path / "01.xlsx"
    write_workbook(path, [FormSheet("表", LAYOUT, BASE, "id")])
    assert read_workbook(path).forms[0].cells == cells_for(LAYOUT, BASE)


def test_cost_rule_applies_where_cost_is_a_level1(variants):
    layout = variants["shanghai-test"] = fake_layout("shanghai-test", cost_as_level1)
    assert list(layout.framework)[:2] == ["产出指标", "成本指标"]
    form = copy.deepcopy(BASE)
    assert ("COVER-005", WARNING, "B13") in found(review_as(layout, form))
    form["indicators"].insert(5, {"level1": "成本指标", "level2": "经济成本指标", "name": "人均成本",
                                  "target": "≤300元/人/月"})
    assert review_as(layout, form) == []  # in framework order: no FRAME-004 either


def test_cost_rule_does_not_apply_where_cost_is_a_level2(review):
    assert "COVER-005" not in codes(review(copy.deepcopy(BASE)))  # 01 has no 成本指标 at all


@pytest.mark.parametrize("name", variant_names())
def test_cost_rule_follows_each_installed_variant(name):
    """One indicator under every 一级 but 成本指标: COVER-005 exactly where 成本指标 is a 一级."""
    framework = get_layout(name).framework
    indicators = [{"level1": l1, "level2": l2s[0], "name": f"指标{i}", "target": "1人"}
                  for i, (l1, l2s) in enumerate(framework.items()) if l1 != "成本指标"]
    record = FormRecord("x.json", "", name, {"indicators": indicators}, {})
    assert ("COVER-005" in codes(review_record(record))) == ("成本指标" in framework)


def test_a_variant_without_a_funding_field_skips_its_rule(variants):
    layout = variants["no-carryover"] = fake_layout("no-carryover", drop_fields=["funding.annual_carryover"])
    form = edits(("funding.annual_fiscal", "300"))(copy.deepcopy(BASE))
    assert "FUND-002" in codes(review_as(LAYOUT, form))
    assert "FUND-002" not in codes(review_as(layout, form))
    assert "FUND-004" not in codes(review_as(layout, edits(("funding.annual_total", DELETE))(form)))


def test_a_variant_requiring_the_period_leaves_it_to_the_schema(variants):
    def require_period(schema):
        schema["properties"]["goals"]["required"].append("overall_period")
    layout = variants["period-required"] = fake_layout("period-required", require_period)
    form = edits(("goals.overall_period", DELETE))(copy.deepcopy(BASE))
    assert "TEXT-001" not in codes(review_as(layout, form))


# --- the 18 bundled examples -------------------------------------------------------------------
EXPECTED = {
    "01": set(),
    "02": {("FUND-004", ERROR, "E6")},  # 年度资金申请总额 blank, 当年财政拨款 filled
    "03": set(),
    "04": set(),
    "05": set(),
    "06": {("DATE-002", ERROR, "A2"),  # （2022年度） on 2023-01-01…2023-12-31
           ("FRAME-002", ERROR, "D18")},  # 可持续影响指标 row: 值 长效管理机制, no 三级
    "07": {("TARGET-005", INFO, "F14"), ("TARGET-005", INFO, "F15"),  # 109, 128, 40, 4: no unit
           ("TARGET-005", INFO, "F16"), ("TARGET-005", INFO, "F17")},
    "08": {("DATE-004", INFO, "C10"),  # period 2020年-2023年 on a 2023 plan
           ("DATE-006", WARNING, "F15"),  # 2022年竣工, before the planned start
           ("TARGET-006", INFO, "F14")},  # 工程计划完成率100%
    "09": set(),
    "10": set(),
    "11": {("DATE-004", INFO, "C10")},  # period 2022年-2023年
    "12": set(),
    "13": set(),
    "14": {("COVER-001", WARNING, "B13"), ("COVER-003", WARNING, "B13")},  # only 时效 and 满意度
    "15": {("COVER-001", WARNING, "B13"), ("COVER-003", WARNING, "B13")},
    "16": set(),
    "17": set(),
    "18": {("DATE-002", ERROR, "A2"),  # （2022年度）
           ("DATE-003", WARNING, "C10")},  # period 2022年1月1日-2022年12月31日 on a 2023 plan
}


@pytest.fixture(scope="module")
def example_records(tmp_path_factory):
    forms = [load_example(path.stem) for path in example_paths()]
    names = safe_sheet_names(form["project_name"] for form in forms)
    path = tmp_path_factory.mktemp("examples") / "examples.xlsx"
    write_workbook(path, [FormSheet(n, LAYOUT, f, form_id_for(LAYOUT, f)) for n, f in zip(names, forms)])
    records = read_workbook(path).forms
    assert [record.form for record in records] == forms
    return dict(zip((path.stem for path in example_paths()), records))


def test_expected_covers_every_example():
    assert sorted(EXPECTED) == [path.stem for path in example_paths()]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_findings(example_records, name):
    issues = review_record(example_records[name])
    assert found(issues) == EXPECTED[name], [issue.message for issue in issues]
    assert len(issues) == len(EXPECTED[name])  # no finding twice at one cell


def test_example_messages(example_records):
    [fund] = review_record(example_records["02"])
    assert fund.message == "年度资金申请总额未填写，但已填写了当年财政拨款（E7）435.5435 万元，应填写合计 435.5435 万元。"
    period = next(i for i in review_record(example_records["18"]) if i.code == "DATE-003")
    assert "2022年1月1日-2022年12月31日" in period.message and "2023年-2023年" in period.expected


# --- docs/rules.md -----------------------------------------------------------------------------
def test_rules_doc_is_up_to_date():
    doc = ROOT / "docs" / "rules.md"
    current = doc.read_text(encoding="utf-8") if doc.exists() else ""
    assert current == render_rules_markdown(), (
        "docs/rules.md is out of date with the rule catalogue; regenerate it with "
        "`.venv/bin/python -m perfxl.docs`")


def test_rules_doc_lists_every_rule_and_parameter():
    doc = render_rules_markdown()
    for item in Problem.rules():
        assert f"### {item.code}" in doc and item.template in doc
        for param in item.value.params:
            assert f"`{param.name}`" in doc


def test_one_docs_command_checks_every_generated_doc(capsys):
    assert docs.main(["--check"]) == 0, capsys.readouterr().out  # docs/cli.md, issues.md, rules.md current
    assert docs.main(["--bogus"]) == 2


@pytest.mark.parametrize("text", ["[rules.TARGET-001]\nmin_satisfaction = nan\n",
                                  "[rules.TARGET-001]\nmin_satisfaction = inf\n",
                                  "[limits]\nmemory_bytes = 1.5\n", "[limits]\nseconds = nan\n",
                                  "[limits]\nmax_rows = -1\n"])
def test_non_finite_or_fractional_settings_are_refused(tmp_path, text):
    from perfxl.config import load_settings
    path = tmp_path / "perfxl.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="应为"):
        load_settings(path)
