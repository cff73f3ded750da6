"""perfxl.check.targets: reading 年度指标值 and 项目总目标 periods."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import example_paths

from perfxl.api import load_json_forms
from perfxl.check.targets import Period, parse_period, parse_target

Q, T = "定量", "定性"

# text, kind, operator, number, unit
EXAMPLE_TARGETS = [
    ("360人", Q, None, "360", "人"),
    ("12人", Q, None, "12", "人"),
    ("52人", Q, None, "52", "人"),
    ("100%", Q, None, "100", "%"),
    ("有效压降", T, None, None, ""),
    ("建立健全", T, None, None, ""),
    ("≥90%", Q, "≥", "90", "%"),
    ("19人", Q, None, "19", "人"),
    ("及时", T, None, None, ""),
    ("完善", T, None, None, ""),
    ("提高", T, None, None, ""),
    ("全面开展", T, None, None, ""),
    ("41个", Q, None, "41", "个"),
    ("42个", Q, None, "42", "个"),
    ("≥195人", Q, "≥", "195", "人"),
    ("240台", Q, None, "240", "台"),
    ("24小时内", Q, "≤", "24", "小时"),
    ("≥500份", Q, "≥", "500", "份"),
    ("11月1日-12月31日", T, None, None, ""),
    ("扩展", T, None, None, ""),
    ("1020人", Q, None, "1020", "人"),
    ("1020份", Q, None, "1020", "份"),
    ("按规定时间开展", T, None, None, ""),
    ("消除", T, None, None, ""),
    ("长效管理机制", T, None, None, ""),
    ("3个区域", Q, None, "3", "个区域"),
    ("109", Q, None, "109", ""),
    ("128", Q, None, "128", ""),
    ("40", Q, None, "40", ""),
    ("4", Q, None, "4", ""),
    ("每季度一次", T, None, None, ""),
    ("每半年一次", T, None, None, ""),
    ("每月支付", T, None, None, ""),
    ("降低", T, None, None, ""),
    ("提升", T, None, None, ""),
    ("19975平方米", Q, None, "19975", "平方米"),
    ("工程计划完成率100%", Q, None, "100", "%"),
    ("2022年竣工", T, None, None, ""),
    ("改善工作环境", T, None, None, ""),
    ("提高群众便利性", T, None, None, ""),
    ("9人", Q, None, "9", "人"),
    ("1小时内", Q, "≤", "1", "小时"),
    ("改善", T, None, None, ""),
    ("7306.20平方米", Q, None, "7306.20", "平方米"),
    ("2023年竣工", T, None, None, ""),
    ("≥8次", Q, "≥", "8", "次"),
    ("当年12月前", T, None, None, ""),
    ("90%", Q, None, "90", "%"),
    ("87人", Q, None, "87", "人"),
    ("每月", T, None, None, ""),
    ("56人", Q, None, "56", "人"),
    ("6人", Q, None, "6", "人"),
    ("保障", T, None, None, ""),
    ("35人", Q, None, "35", "人"),
]

TRICKY_TARGETS = [
    ("≥ 90%", Q, "≥", "90", "%"),
    ("＞＝95％", Q, "≥", "95", "%"),
    ("≧95%", Q, "≥", "95", "%"),
    (">=95 %", Q, "≥", "95", "%"),
    ("＜5%", Q, "<", "5", "%"),
    ("<=2小时", Q, "≤", "2", "小时"),
    ("＝100%", Q, "=", "100", "%"),
    ("不低于90%", Q, "≥", "90", "%"),
    ("不少于12次", Q, "≥", "12", "次"),
    ("不高于3%", Q, "≤", "3", "%"),
    ("不超过5万元", Q, "≤", "5", "万元"),
    ("大于等于98%", Q, "≥", "98", "%"),
    ("大于80%", Q, ">", "80", "%"),
    ("小于1%", Q, "<", "1", "%"),
    ("达到100%", Q, "≥", "100", "%"),
    ("500份以上", Q, "≥", "500", "份"),
    ("3次以下", Q, "≤", "3", "次"),
    ("30日以内", Q, "≤", "30", "日"),
    ("满意度不低于90%", Q, "≥", "90", "%"),
    ("１０２０份", Q, None, "1020", "份"),
    ("1,020人", Q, None, "1020", "人"),
    ("7306. 20平方米", Q, None, "7306.20", "平方米"),
    ("300元/人/月", Q, None, "300", "元/人/月"),
    ("12个月", Q, None, "12", "个月"),
    ("3年", Q, None, "3", "年"),
    ("元/人/月", T, None, None, ""),
    ("2-3次", T, None, None, ""),
    ("2023-12-31前", T, None, None, ""),
    ("2023年12月底前完成", T, None, None, ""),
    ("百分之九十", T, None, None, ""),
    ("", T, None, None, ""),
]


def _example_targets() -> set[str]:
    return {item["target"] for path in example_paths() for item in load_json_forms(path)[0]["indicators"]
            if "target" in item}


def test_the_table_has_every_example_target():
    assert _example_targets() == {row[0] for row in EXAMPLE_TARGETS}


@pytest.mark.parametrize("text, kind, operator, number, unit", EXAMPLE_TARGETS + TRICKY_TARGETS,
                         ids=lambda v: v if isinstance(v, str) else None)
def test_parse_target(text, kind, operator, number, unit):
    parsed = parse_target(text)
    assert (parsed.kind, parsed.operator, parsed.unit) == (kind, operator, unit)
    assert parsed.number == (None if number is None else Decimal(number))
    assert parsed.text == text


def test_digits_are_kept_as_printed():
    assert str(parse_target("7306.20平方米").number) == "7306.20"


def test_percentage():
    assert parse_target("≥90%").is_percentage
    assert not parse_target("90人").is_percentage
    assert not parse_target("提高").is_percentage


@pytest.mark.parametrize("text, years", [
    ("2023年-2023年", (2023, 2023)),
    ("2020年-2023年", (2020, 2023)),
    ("2023年1月1日-2023年12月31日", (2023, 2023)),
    ("2023 年1月1日- 2023 年12月31日", (2023, 2023)),
    ("（2023年-2025年）", (2023, 2025)),
    ("２０２３年－２０２４年", (2023, 2024)),
    ("2023年至2025年", (2023, 2025)),
    ("2023年～2025年", (2023, 2025)),
    ("2023——2024", (2023, 2024)),
    ("2023.1.1-2023.12.31", (2023, 2023)),
    ("2023年度", (2023, 2023)),
    ("2023年6月-2024年5月", (2023, 2024)),
])
def test_parse_period(text, years):
    assert parse_period(text) == Period(*years)


@pytest.mark.parametrize("text", ["", "全年", "2025年-2023年", "2023年13月-2024年", "2023年2月30日-2023年3月1日",
                                  "2023年1月-12月", "23年-24年"])
def test_unreadable_period(text):
    assert parse_period(text) is None
