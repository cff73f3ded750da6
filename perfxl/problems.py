"""The one catalogue of problems perfxl reports, review rules included.

Every problem is data: an :class:`Issue` carrying where it is (file, sheet, cell), what it is
about (field, value), what it is (code, severity) and a Chinese message for the person who filled
the form.  Every code is a member of :class:`Problem` with its severity and message template, as
in pyxform's ``errors.py``: reading and validation problems, cross-file findings, and the review
rules (绩效目标审核) with their title, rationale and parameters (their check functions are in
:mod:`perfxl.check.rules`).  A code that is not here cannot be reported: ``Problem.FILE_009``
fails where it is written, not at run time in a rare branch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

ERROR = "错误"
WARNING = "警告"
INFO = "提示"

SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Param:
    """A review rule's setting that perfxl.toml may change."""

    name: str
    default: Any
    description: str


@dataclass(frozen=True)
class ProblemType:
    code: str
    severity: str
    template: str  # str.format template; may use {field} {value} {expected} and extra keys
    description: str = ""  # when it is reported (review rules: the check function's docstring)
    title: str = ""  # review rules: the rule's short Chinese name
    rationale: str = ""  # review rules: why the rule exists
    params: tuple[Param, ...] = ()  # review rules: what perfxl.toml may set


def review_rule(code: str, severity: str, title: str, template: str, rationale: str, *params: Param) -> ProblemType:
    return ProblemType(code, severity, template, title=title, rationale=rationale, params=params)


def _levels_param(default: tuple[str, ...], what: str) -> Param:
    return Param("levels", default, f"{what} names that count; names the framework lacks are ignored")


_SATISFACTION_PARAMS = (
    Param("levels", ("满意度指标",), "一级 names whose indicators are satisfaction indicators"),
    Param("keywords", ("满意",), "a 三级 name containing one of these is a satisfaction indicator too")
)


class Problem(Enum):
    """Every problem code, in the order the docs list them (review rules: the order they run)."""

    # --- the file as a whole -------------------------------------------------------------
    FILE_001 = ProblemType("FILE-001", ERROR, "无法读取文件：{expected}。请确认文件是 Excel 工作簿（.xlsx/.xls/.ods）后重新提交。",
                           "The file cannot be opened as a workbook at all.")
    FILE_002 = ProblemType("FILE-002", ERROR, "工作簿中没有找到绩效目标表（{expected}）。",
                           "A workbook without any sheet that looks like a form of a known variant.")
    FILE_003 = ProblemType("FILE-003", ERROR, "JSON 文件无法解析：{expected}。",
                           "A .json input that is not valid JSON.")
    FILE_008 = ProblemType("FILE-008", ERROR, "JSON 文件中没有表单（应为一个表单对象或表单数组）。",
                           "A .json input holding no form at all (an empty array).")
    FILE_005 = ProblemType("FILE-005", ERROR, "{expected}。",
                           "A file refused before parsing: encrypted, a zip bomb, XML with a DTD, not a workbook by content, out-of-bounds cells.")
    FILE_006 = ProblemType("FILE-006", ERROR, "读取此文件时{expected}，已跳过。请在 Excel 中重新保存后提交。",
                           "The worker reading the file crashed (a native parser abort) or ran out of time.")
    FILE_004 = ProblemType("FILE-004", ERROR, "不支持的文件类型“{value}”，应为 .xlsx、.xlsm、.xls、.ods 或 .json。",
                           "Input whose extension perfxl does not read.")
    FILE_009 = ProblemType("FILE-009", WARNING, "未读取：{expected}。",
                           "An entry among the inputs that is not read: a named pipe, a device, a dangling link or one leaving the input folder, a folder that cannot be listed, a JSON file in an inbox folder. Listed in 文件清单, never dropped silently.")
    FILE_010 = ProblemType("FILE-010", INFO, "这是 perfxl 自己输出的文件（{expected}），不是单位报送的表单，未读取。",
                           "A file perfxl wrote itself (a master workbook, a problem list, a CSV or JSONL export, the roster manifest), recognised by its mark: listed as 已忽略 in 文件清单, never read as forms.")
    # --- the sheet's structure -----------------------------------------------------------
    LAYOUT_001 = ProblemType("LAYOUT-001", ERROR, "单元格应为标签“{expected}”，实际为“{value}”。模板结构可能已被修改，请使用下发的模板填写。",
                             "A label is not where the layout says: rows or columns were inserted or the label edited.")
    CELL_001 = ProblemType("CELL-001", ERROR, "“{field}”是公式，但文件中没有保存计算结果（可能由不计算公式的程序保存），无法读取。请在 Excel 中打开、保存后重新提交，或直接填写数值。",
                           "A formula cell without a cached value: never read as empty.")
    CELL_002 = ProblemType("CELL-002", INFO, "“{field}”是公式，已采用文件中保存的计算结果“{value}”。",
                           "A formula cell with a cached value: the value is used.")
    FILE_007 = ProblemType("FILE-007", INFO, "工作簿含有宏（VBA 代码）。宏没有运行，只读取了单元格中的值。",
                           "An .xlsm with a macro project: values read, macro never run.")
    LAYOUT_002 = ProblemType("LAYOUT-002", WARNING, "第 {value} 行有内容但不在指标行中（缺少一级指标），已忽略。",
                             "An indicator row whose 一级指标 cannot be determined.")
    LAYOUT_003 = ProblemType("LAYOUT-003", WARNING, "模板结构已被修改（{expected}）。表单内容已{how}读取，请核对读取结果；今后请使用下发的模板填写，不要改动表格结构。",
                             "A perfxl sheet whose labels are not where the layout says (rows or columns moved, labels edited, sheet renamed): read by its labels instead, one warning per sheet.")
    LAYOUT_004 = ProblemType("LAYOUT-004", WARNING, "此处内容有歧义：{expected}（“{value}”）。请核对。",
                             "Text the label-anchored reader cannot place for sure: a value beside no label, a shifted indicator row, an unclear tick. Never guessed silently.")
    LAYOUT_005 = ProblemType("LAYOUT-005", ERROR, "没有找到标签“{expected}”，“{field}”没有读取。",
                             "A label the label-anchored reader cannot find anywhere on the sheet (a warning for optional fields).")
    # --- values --------------------------------------------------------------------------
    VALUE_001 = ProblemType("VALUE-001", ERROR, "“{field}”为必填项，但未填写。",
                            "A required value is missing.")
    VALUE_002 = ProblemType("VALUE-002", ERROR, "“{field}”应为金额（{expected}），实际为“{value}”。",
                            "An amount that is not a non-negative decimal with at most 6 decimals.")
    VALUE_003 = ProblemType("VALUE-003", ERROR, "“{field}”应为{expected}，实际为“{value}”。",
                            "A date that cannot be understood.")
    VALUE_004 = ProblemType("VALUE-004", ERROR, "“{field}”应为 {expected} 之一，实际为“{value}”。",
                            "A value outside the allowed list (项目类别, 一级/二级指标).")
    VALUE_005 = ProblemType("VALUE-005", ERROR, "“{field}”应为{expected}，实际为“{value}”。",
                            "A year that is not a whole number in range.")
    VALUE_006 = ProblemType("VALUE-006", ERROR, "“{field}”内容过长：最多 {expected} 个字符，实际 {value} 个字符。",
                            "Text longer than the schema allows.")
    VALUE_007 = ProblemType("VALUE-007", ERROR, "“{field}”的值“{value}”不符合要求：{expected}。",
                            "Any other schema violation (the catch-all; the expected text comes from the schema).")
    VALUE_008 = ProblemType("VALUE-008", ERROR, "二级指标“{value}”不属于一级指标“{level1}”，应为 {expected} 之一。",
                            "An indicator whose 二级指标 does not belong to its 一级指标 in the variant's framework.")
    VALUE_009 = ProblemType("VALUE-009", ERROR, "至少应填写 {expected} 条绩效指标，实际 {value} 条。",
                            "Too few (or too many) indicators.")
    VALUE_010 = ProblemType("VALUE-010", ERROR, "“{field}”应为文字，实际为“{value}”（首尾不能有空格或换行，不能含控制字符）。",
                            "Text with control characters or surrounding whitespace (from JSON input).")
    # --- across files (collect) -----------------------------------------------------------
    COLLECT_001 = ProblemType("COLLECT-001", WARNING, "本表单与“{value}”中的同一表单内容不同，按{expected}采用了后者，本版本未计入汇总。",
                              "Two different versions of the same form: one is collected by the evidence in order (the save time the workbook records, the file time, the path; collect --prefer), the other is listed here with the evidence that decided.")
    COLLECT_002 = ProblemType("COLLECT-002", WARNING, "本表单隐藏的模板标识与“{value}”中的表单相同，但年度、实施单位或项目名称不同（复制了模板、改了项目名称，或标识被冒用）。两张表单已按表中填写的内容分别汇总，请核对。",
                              "Two forms whose workbooks carry the same form id but say different things (年度, 实施单位, 项目名称): the id is never trusted over the content, so both are collected and both are flagged.")
    COLLECT_003 = ProblemType("COLLECT-003", INFO, "与采用的版本（“{expected}”）相比，“{field}”不同：{value}。",
                              "A field in which a version set aside (冲突) differs from the version collected, at the set-aside version's cell; the value reads old → new.")
    COLLECT_004 = ProblemType("COLLECT-004", INFO, "实施单位“{value}”的表单中主管部门写法不一：单位汇总{basis}归入“{expected}”，其他写法 {others}。",
                              "A unit whose forms spell its 主管部门 in more than one way: 单位汇总 puts the unit under one (the roster's, else the spelling most of its forms use) and lists the others.")
    COLLECT_005 = ProblemType("COLLECT-005", WARNING, "单位汇总中“{value}”的{field}合计 {total} {unit}，而{parts}合计 {expected} {unit}，两者不等：{why}。",
                              "A unit's sums that break 总额 = 财政 + 其他 or 年度 = 拨款 + 结转 + 其他 (an amount left out as invalid, or a form that does not add up): the 核对 column of 单位汇总 shows it on every row it reaches.")
    COLLECT_006 = ProblemType("COLLECT-006", WARNING, "本表单是{value}，本次汇总的是{expected}（输入中张数最多的表单种类），本表单未计入汇总；不同种类的表单请分别汇总。",
                              "An input that holds forms of several kinds (target tables, monitoring tables, self-evaluations): one master is of one kind, the one with the most forms (a tie: the earlier in the year), so that no column mixes two kinds; each form of another kind is listed here and its file in 文件清单 as 已忽略.")
    # --- the round against the roster (collect --roster) -------------------------------------
    ROSTER_001 = ProblemType("ROSTER-001", ERROR, "实施单位“{value}”未交：名单中的 {count} 个项目（{expected}）都没有收到可以读取的表单。",
                             "A unit on the roster from which no form was collected (nothing sent, or only files that cannot be read: see 文件清单).")
    ROSTER_002 = ProblemType("ROSTER-002", ERROR, "项目“{value}”未交（实施单位“{unit}”，名单第 {row} 行）：没有收到这张表单。",
                             "A project on the roster without a collected form, from a unit that sent others.")
    ROSTER_003 = ProblemType("ROSTER-003", WARNING, "项目“{value}”（实施单位“{unit}”）不在名单“{roster}”中，请核对项目名称和实施单位是否与名单一致。",
                             "A collected form whose 实施单位 and 项目名称 are not a project of the roster: collected and summed, and listed in 报送情况 as 名单外.")
    ROSTER_004 = ProblemType("ROSTER-004", WARNING, "“{field}”为 {value} {unit}，名单第 {row} 行为 {expected} {unit}，两者不同。",
                             "An amount of a returned form that differs from the roster's for the project (compared exactly, where both are filled and valid).")
    VALUE_011 = ProblemType("VALUE-011", ERROR, "“{field}”不是表单中的字段。",
                            "A JSON key the schema does not know.")
    # --- 绩效自评计分: scoring the year-end self-evaluation (perfxl.check.scoring, docs/scoring.md) ---
    SCORE_001 = ProblemType("SCORE-001", ERROR, "“{field}”未填写，无法计分。",
                            "A value scoring needs is blank: 全年预算数（A）, 全年执行数（B）, a 定量 indicator's 实际完成值, a 定性 indicator's 完成情况档次 or 得分.")
    SCORE_002 = ProblemType("SCORE-002", ERROR, "全年预算数（A）为 0，全年执行数（B）为 {value}，执行率（B/A）无法计算，预算执行率不能计分。",
                            "全年预算数（A） is 0: with B > 0 (money spent that was never budgeted) and with B = 0 alike, B/A has no value.")
    SCORE_003 = ProblemType("SCORE-003", ERROR, "“{field}”为“{value}”，无法识别，应为{expected}。",
                            "A value scoring needs that is not what it should be: an amount or 分值/得分 that is not a number, an 实际完成值 that is not one number with its unit (words before it, ≥ or 以内, two numbers), a 完成情况档次 that is none of the three.")
    SCORE_004 = ProblemType("SCORE-004", ERROR, "“{field}”为“{value}”，与年度指标值“{target}”的计量单位不同，无法比较、不能计分；应填写{expected}。",
                            "An 实际完成值 in another unit than its 年度指标值 (个 vs 人, a bare number vs %): never guessed; only 元/千元/万元/亿元 convert.")
    SCORE_005 = ProblemType("SCORE-005", ERROR, "各指标填写的分值合计 {value} 分，应为 {expected} 分（总分 100 分减去预算执行率的 {funds} 分），指标无法计分。",
                            "The unit set every indicator's 分值 itself, and they do not add up to 100 less the funds row's points.")
    SCORE_006 = ProblemType("SCORE-006", ERROR, "“{field}”未填写：各指标的分值应全部填写，或全部不填（按一级指标平均分配），指标无法计分。",
                            "The unit set the 分值 of some indicators and left others blank.")
    SCORE_007 = ProblemType("SCORE-007", ERROR, "“{field}”为“{value}”，计分规则中没有这个一级指标的分值（[scoring.weights]、[scoring.shared]），无法计分。",
                            "An indicator under a 一级 that has no points of its own and shares none (reported at its first indicator).")
    SCORE_008 = ProblemType("SCORE-008", WARNING, "没有{value}下的指标，{value}的 {expected} 分无法得到，总分最高 {max_total} 分。",
                            "A 一级 with points (by default) and no indicator under it: its points are lost, never moved to other rows.")
    SCORE_009 = ProblemType("SCORE-009", ERROR, "“{field}”为 {value} 分，不在所选档次“{band}”的得分范围内，应为 {expected}。",
                            "A 定性 indicator's 得分 outside the band its 完成情况档次 chose.")
    SCORE_010 = ProblemType("SCORE-010", ERROR, "“{field}”未填写：得分 {value} 分低于分值 {expected} 分，应说明偏差原因及改进措施。",
                            "An indicator scoring less than its 分值 without 偏差原因分析及改进措施.")
    SCORE_011 = ProblemType("SCORE-011", WARNING, "“{field}”为“{value}”，达到年度指标值“{target}”的 {ratio}%（不低于 {too_high}%），年度指标值可能设定偏低。",
                            "A 正向 target (≥, >, or a bare amount) exceeded by far: the actual is at least [scoring] too_high % of it.")
    SCORE_012 = ProblemType("SCORE-012", WARNING, "“{field}”为“{value}”，但定量指标按实际完成值计分，得分为 {expected} 分；填写的内容未采用。",
                            "A 定量 indicator with a 完成情况档次 chosen, or a 得分 typed that differs from the one computed from its 实际完成值.")
    SCORE_013 = ProblemType("SCORE-013", WARNING, "单元格的公式结果与 perfxl 计算不符：“{field}”保存的值为 {value}，perfxl 按规则计算为 {expected}（以 perfxl 的计算为准；公式或目标可能被改动）。",
                            "A computed or formula cell of a self-evaluation (分值, 执行率, 得分, 得分合计, 自评等级) whose saved value differs from perfxl's own Decimal result; perfxl never trusts the formulas.")
    SCORE_014 = ProblemType("SCORE-014", ERROR, "预填的“{field}”被改动：绩效目标表中为“{expected}”，自评表中为“{value}”。预填内容应与绩效目标表一致。",
                            "A value the self-evaluation copies from its target table (目标, 年度指标值, 预期目标, 年初预算数 …) that differs from the target table given with --from.")

    SCORE_015 = ProblemType("SCORE-015", ERROR, "“{field}”为 {value} {unit}，但{parts}，合计 {expected} {unit}，两者应相等。",
                            "A self-evaluation whose parts of 项目资金 (其中：当年财政拨款, 上年结转资金, 其他资金), filled, do not add up to the 年度资金总额 row, in 全年预算数 or in 全年执行数.")

    # --- 绩效运行监控: each indicator's status (perfxl/check/monitoring.py; green says nothing) ---
    MON_001 = ProblemType("MON-001", WARNING, "“{field}”监控状态为红色（预计无法完成年度指标值）：{value}。请说明偏差原因并采取措施。",
                          "A monitored indicator that will not be reached: 完成目标可能性 完全不可能, or its 全年预计完成值 (定量, in the target's unit) misses the 年度指标值, or a 反向 target (≤, <) already exceeded by the 1–N月实际完成值.")
    MON_002 = ProblemType("MON-002", INFO, "“{field}”监控状态为黄色（进度滞后或存在风险）：{value}。",
                          "A monitored indicator behind or at risk: 完成目标可能性 有可能, or its 1–N月实际完成值 behind the pace (a 正向 or 等于 count or amount below 年度指标值 × N/12; a percentage below the 年度指标值).")
    MON_003 = ProblemType("MON-003", ERROR, "预填的“{field}”被改动：绩效目标表中为“{expected}”，监控表中为“{value}”。预填内容应与绩效目标表一致。",
                          "A value the monitoring table copies from its target table (三级指标, 年度指标值, 年度目标 …) that differs from the target table given with validate --from (全年预算数 is pre-filled but the unit's to correct, and not compared).")

    # --- 绩效目标审核: the review rules, grouped as docs/rules.md prints them --------------------
    FUND_001 = review_rule("FUND-001", ERROR, "项目资金总额 = 财政资金 + 其他资金",
                     "项目资金总额为 {value} {unit}，但{parts}，合计 {expected} {unit}，两者应相等。",
                     "资金来源的分项之和必须等于总额；金额按十进制精确比较，误差为 0。")
    FUND_002 = review_rule("FUND-002", ERROR, "年度资金申请总额 = 当年财政拨款 + 上年结转资金 + 其他资金",
                     "年度资金申请总额为 {value} {unit}，但{parts}，合计 {expected} {unit}，两者应相等。",
                     "年度申请额由当年拨款、上年结转和其他资金组成，分项之和必须等于总额（误差为 0）。")
    FUND_003 = review_rule("FUND-003", ERROR, "年度资金申请总额不超过项目资金总额",
                     "年度资金申请总额 {value} {unit}超过了项目资金总额{total_at} {total} {unit}。",
                     "一个年度申请的资金不能多于整个项目的资金。")
    FUND_004 = review_rule("FUND-004", ERROR, "分项已填时年度资金申请总额必须填写",
                     "年度资金申请总额未填写，但已填写了{parts}，应填写合计 {expected} {unit}。",
                     "年度资金申请总额是预算申报的核心数字；只有分项没有合计，无法核对，也无法汇总。")
    DATE_001 = review_rule("DATE-001", ERROR, "计划开始日期不晚于计划完成日期",
                     "计划开始日期 {value} 晚于计划完成日期{end_at} {end}。",
                     "项目不能在开始之前完成；多半是两个日期填反或年份写错。")
    DATE_002 = review_rule("DATE-002", ERROR, "表头年度在计划实施期间内",
                     "表头年度为 {value} 年，不在计划实施期间 {start}{start_at} 至 {end}{end_at} 的年份（{expected}）内。",
                     "绩效目标表按预算年度申报，年度必须落在项目的计划实施期间内；不符多半是沿用了往年的表头。")
    DATE_003 = review_rule("DATE-003", WARNING, "项目总目标期间覆盖计划实施期间",
                     "项目总目标期间“{value}”没有覆盖计划实施期间 {start}{start_at} 至 {end}{end_at}，应为 {expected}。",
                     "项目总目标是整个实施期的目标，其期间至少要包含计划实施的各个年份；不符多半是沿用了往年的期间。")
    DATE_004 = review_rule("DATE-004", INFO, "项目总目标期间不长于计划实施期间",
                     "项目总目标期间“{value}”长于计划实施期间 {start}{start_at} 至 {end}{end_at}：如项目跨年度实施，"
                     "计划开始、完成日期应填写整个项目的起止日期；否则期间应为 {expected}。",
                     "期间比计划日期长，说明计划日期只填了本年度，或期间写错；审核时应确认项目的真实起止时间。")
    DATE_005 = review_rule("DATE-005", WARNING, "项目总目标期间可以识别",
                     "项目总目标期间“{value}”无法识别，应写成如“2023年-2025年”或“2023年1月1日-2023年12月31日”，且开始不晚于结束。",
                     "期间写不清楚，就无法与计划日期核对。")
    DATE_006 = review_rule("DATE-006", WARNING, "指标值中的年份在计划实施期间内",
                     "{label}的年度指标值“{value}”写的是 {year} 年，不在计划实施期间 {expected} 年内。",
                     "指标值的完成时间应在计划实施期间内；早于开始年份的竣工、完成时间多半是沿用了往年的指标。")
    FRAME_001 = review_rule("FRAME-001", ERROR, "有三级指标就要有年度指标值",
                      "{label}没有年度指标值。",
                      "没有指标值的指标无法考核。")
    FRAME_002 = review_rule("FRAME-002", ERROR, "有年度指标值就要有三级指标",
                      "{label}填写了年度指标值“{value}”，但没有三级指标名称。",
                      "不知道考核什么，指标值就没有意义；常见于把指标名称填进了指标值一栏。")
    FRAME_003 = review_rule("FRAME-003", WARNING, "三级指标名称不重复",
                      "三级指标“{value}”与第 {first} 条指标{first_at}重复，同一项目的三级指标名称应各不相同。",
                      "重复的指标会被重复考核，或说明复制后忘了修改。")
    FRAME_004 = review_rule("FRAME-004", INFO, "指标按指标体系顺序排列",
                      "第 {n} 条指标（{value}）排在“{after}”之后；同一二级指标的指标应连续填写，并按指标体系的顺序排列：{expected}。",
                      "表格按一级、二级指标合并单元格打印，顺序乱了就会出现重复的一级、二级指标块，难以阅读和汇总。")
    COVER_001 = review_rule("COVER-001", WARNING, "至少 1 条数量指标",
                      "绩效指标中没有{levels}，应至少设置 1 条数量指标。",
                      "产出数量是考核项目是否完成的基本依据（财政部项目支出绩效目标编报要求）。",
                      _levels_param(("数量指标",), "二级"))
    COVER_002 = review_rule("COVER-002", WARNING, "至少 1 条质量或时效指标",
                      "绩效指标中没有{levels}，应至少设置 1 条质量或时效指标。",
                      "只写数量不写质量、时效，无法判断产出是否合格、及时。",
                      _levels_param(("质量指标", "时效指标"), "二级"))
    COVER_003 = review_rule("COVER-003", WARNING, "至少 1 条效益指标",
                      "绩效指标中没有{levels}下的指标，应至少设置 1 条效益指标。",
                      "绩效目标要说明花钱带来什么效果，而不只是做了什么。",
                      _levels_param(("效益指标",), "一级"))
    COVER_004 = review_rule("COVER-004", WARNING, "至少 1 条满意度指标",
                      "绩效指标中没有{levels}下的指标，应至少设置 1 条满意度指标。",
                      "服务对象满意度是绩效目标表的必备内容。",
                      _levels_param(("满意度指标",), "一级"))
    COVER_005 = review_rule("COVER-005", WARNING, "成本指标为一级指标时至少 1 条成本指标",
                      "绩效指标中没有{levels}下的指标，应至少设置 1 条成本指标。",
                      "成本指标单列为一级指标的表式（如 2025 年起的新版表）要求写明成本控制目标。",
                      _levels_param(("成本指标",), "一级"))
    TARGET_001 = review_rule("TARGET-001", WARNING, "满意度目标不低于下限",
                       "{label}的满意度目标 {value} 低于 {min_satisfaction}%。",
                       "满意度目标过低说明目标设定不积极；常见要求为不低于 90%。",
                       Param("min_satisfaction", 90, "lowest acceptable satisfaction target, in %"),
                       *_SATISFACTION_PARAMS)
    TARGET_002 = review_rule("TARGET-002", WARNING, "满意度目标是百分比",
                       "{label}的年度指标值“{value}”不是百分比，满意度应写成如“≥90%”。",
                       "满意度通过问卷测得，以百分比表示才能考核。",
                       *_SATISFACTION_PARAMS)
    TARGET_003 = review_rule("TARGET-003", WARNING, "不能全部是定性指标",
                       "全部 {count} 条指标的年度指标值都是定性描述（如“{value}”），应至少有 1 条可计量的定量指标。",
                       "绩效目标应当细化量化；全是“提高”“及时”之类的描述，年终无法判断是否达成。")
    TARGET_004 = review_rule("TARGET-004", WARNING, "数量指标要有数值",
                       "{label}属于数量指标，但年度指标值“{value}”没有数值，应写明具体数量（如“360人”“≥500份”）。",
                       "数量指标就是要回答“多少”。",
                       Param("levels", ("数量指标",), "二级 names whose targets must be amounts"))
    TARGET_005 = review_rule("TARGET-005", INFO, "定量指标值要有计量单位",
                       "{label}的年度指标值“{value}”只有数字，没有计量单位（如 人、个、次、%）。",
                       "没有单位的数字含义不清：109 是人、次还是元？")
    TARGET_006 = review_rule("TARGET-006", INFO, "指标值不重复指标名称",
                       "{label}的年度指标值“{value}”重复了指标名称，只需填写指标值（如“{expected}”）。",
                       "指标值一栏只写目标值，便于汇总和比对。")
    TEXT_001 = review_rule("TEXT-001", WARNING, "必要文字已填写",
                     "“{field}”未填写。",
                     "这些内容是审核绩效目标的依据（如项目总目标期间用于与计划日期核对）。",
                     Param("fields", ("project_name", "department", "implementing_unit", "goals.overall_period",
                     "goals.overall", "goals.annual"), "dotted paths of text that must be filled"))
    TEXT_002 = review_rule("TEXT-002", INFO, "长文字不过于简略",
                     "“{field}”只有 {count} 个字，过于简略，建议不少于 {min_chars} 个字。",
                     "目标只写一个短语，读者无法知道要做成什么样。",
                     Param("min_chars", 10, "fewest characters (whitespace not counted) of a long text field"))
    TEXT_003 = review_rule("TEXT-003", WARNING, "没有残留的模板占位文字",
                     "“{field}”中有模板占位文字“{placeholder}”，请替换为实际内容。",
                     "占位文字说明这一栏还没有真正填写。",
                     Param("placeholders", ("请填写", "请输入", "此处填写", "待填写", "XXX", "ＸＸＸ", "×××", "……",
                     "...", "。。。", "***", "＊＊＊"),
                     "texts that mark an unfilled template (compared ignoring case)"))
    TEXT_004 = review_rule("TEXT-004", WARNING, "长文字不过长",
                     "“{field}”共 {count} 个字，超过 {max_chars} 个字，建议精炼。",
                     "绩效目标应简明扼要，过长的目标打印时放不下，也难以考核。",
                     Param("max_chars", 500, "most characters (whitespace not counted) of a long text field"))
    TEXT_005 = review_rule("TEXT-005", INFO, "跨年度项目的年度目标不照抄总目标",
                     "年度总体目标与项目总目标{overall_at}完全相同，而项目计划实施期跨 {years} 个年度；年度总体目标应写本年度要完成的部分。",
                     "跨年度项目的年度目标是总目标在本年度的分解；一年期项目两者相同是正常的。")

    @property
    def code(self) -> str:
        return self.value.code

    @property
    def severity(self) -> str:
        return self.value.severity

    @property
    def template(self) -> str:
        return self.value.template

    @property
    def is_rule(self) -> bool:
        """A review rule (绩效目标审核), as opposed to a reading or validation problem."""
        return bool(self.value.title)

    @property
    def is_scoring(self) -> bool:
        """A finding of the self-evaluation's scoring (:mod:`perfxl.check.scoring`)."""
        return self.value.code.startswith("SCORE-")

    @property
    def defaults(self) -> dict[str, Any]:
        return {param.name: param.default for param in self.value.params}

    @classmethod
    def rules(cls) -> list[Problem]:
        """The review rules, in the order they run."""
        return [member for member in cls if member.is_rule]


class Unclear(Enum):
    """What a LAYOUT-004 warning says was unclear (its ``expected``), and whether the value was
    read anyway (by inference) or not read at all."""

    REPEATED_LABEL = ("标签“{label}”出现 {found} 次，表格中应为 {wanted} 次，无法确定各自对应的内容，没有读取", False)
    TICKED_TWICE = ("“{field}”勾选了 {ticked} 项，应只勾选一项，没有读取", False)
    SYMBOLS_ONLY = ("这一行只有符号，不是指标，已忽略", False)
    ROW_BY_COLUMN = ("指标行内容与所在列不符，已按所在列读取", True)
    ROW_SHIFTED = ("指标行内容错位，无法确定各单元格是哪一项，没有读取", False)
    ROW_BY_CONTENT = ("指标行内容错位，已按内容推断读取", True)
    LEVELS_MISMATCH = ("一级指标“{level1}”与同一行的二级指标“{level2}”不对应，可能错行，已按原样读取", True)
    BESIDE_NO_LABEL = ("这个单元格不在任何标签旁，无法确定属于哪一项，没有读取", False)
    EXTRA_SHEET = ("这个工作表像是一张绩效目标表，但不是下发模板中的工作表（新增或复制的），没有读取", False)

    def __init__(self, text: str, read: bool) -> None:
        self.text = text
        self.read = read  # True: read by inference, to check; False: not read

    def say(self, **details: object) -> str:
        return self.text.format(**details)


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found, pointing at the exact place it was found."""

    code: str
    severity: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: str = ""
    expected: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def __reduce__(self):
        # Issues travel from worker processes by the thousand; a frozen slotted dataclass would
        # unpickle through a Python-level __setstate__; the constructor with arguments is 4× faster.
        return Issue, (self.code, self.severity, self.message, self.file, self.sheet, self.cell, self.field,
                       self.value, self.expected)

    def location(self) -> str:
        parts = [p for p in (self.file, self.sheet, self.cell) if p]
        return " / ".join(parts)


def make_issue(problem: Problem, *, file: str = "", sheet: str = "", cell: str = "", field: str = "",
               value: object = "", expected: object = "", severity: str | None = None,
               **extra: object) -> Issue:
    """Build an :class:`Issue` from the catalogue, rendering its Chinese message."""
    kind = problem.value
    shown = show_value(value)
    message = kind.template.format(field=field, value=shown, expected=expected, **extra)
    return Issue(code=kind.code, severity=severity or kind.severity, message=message, file=file,
                 sheet=sheet, cell=cell, field=field, value=shown, expected=str(expected))


def show_value(value: object, limit: int = 200) -> str:
    """A value as the user would recognise it, shortened so a 10 MB cell cannot flood a report."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def has_errors(issues: list[Issue]) -> bool:
    return any(issue.severity == ERROR for issue in issues)


@dataclass
class IssueSink:
    """Collects issues for one file, filling in the file (and sheet) once instead of at every call."""

    file: str = ""
    sheet: str = ""
    issues: list[Issue] = field(default_factory=list)

    def add(self, problem: Problem, **kwargs: object) -> None:
        kwargs.setdefault("file", self.file)
        kwargs.setdefault("sheet", self.sheet)
        self.issues.append(make_issue(problem, **kwargs))  # type: ignore[arg-type]
