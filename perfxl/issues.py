"""The one catalogue of problems perfxl reports.

Every problem is data: an :class:`Issue` carrying where it is (file, sheet, cell), what it is
about (field, value), what it is (code, severity) and a Chinese message for the person who filled
the form.  Message templates live here and nowhere else, as in pyxform's ``errors.py``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

ERROR = "错误"
WARNING = "警告"
INFO = "提示"

SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class IssueType:
    code: str
    severity: str
    template: str  # str.format template; may use {field} {value} {expected} and extra keys
    description: str


def _types(*items: IssueType) -> dict[str, IssueType]:
    return {item.code: item for item in items}


CATALOGUE: dict[str, IssueType] = _types(
    # --- the file as a whole -------------------------------------------------------------
    IssueType("FILE-001", ERROR, "无法读取文件：{expected}。请确认文件是 Excel 工作簿（.xlsx/.xls/.ods）后重新提交。",
              "The file cannot be opened as a workbook at all."),
    IssueType("FILE-002", ERROR, "工作簿中没有找到绩效目标表（{expected}）。",
              "A workbook without any sheet that looks like a form of a known variant."),
    IssueType("FILE-003", ERROR, "JSON 文件无法解析：{expected}。",
              "A .json input that is not valid JSON."),
    IssueType("FILE-008", ERROR, "JSON 文件中没有表单（应为一个表单对象或表单数组）。",
              "A .json input holding no form at all (an empty array)."),
    IssueType("FILE-005", ERROR, "{expected}。",
              "A file refused before parsing: encrypted, a zip bomb, XML with a DTD, not a workbook by content, out-of-bounds cells."),
    IssueType("FILE-006", ERROR, "读取此文件时{expected}，已跳过。请在 Excel 中重新保存后提交。",
              "The worker reading the file crashed (a native parser abort) or ran out of time."),
    IssueType("FILE-004", ERROR, "不支持的文件类型“{value}”，应为 .xlsx、.xlsm、.xls、.ods 或 .json。",
              "Input whose extension perfxl does not read."),
    # --- the sheet's structure -----------------------------------------------------------
    IssueType("LAYOUT-001", ERROR, "单元格应为标签“{expected}”，实际为“{value}”。模板结构可能已被修改，请使用下发的模板填写。",
              "A label is not where the layout says: rows or columns were inserted or the label edited."),
    IssueType("CELL-001", ERROR, "“{field}”是公式，但文件中没有保存计算结果（可能由不计算公式的程序保存），无法读取。请在 Excel 中打开、保存后重新提交，或直接填写数值。",
              "A formula cell without a cached value: never read as empty."),
    IssueType("CELL-002", INFO, "“{field}”是公式，已采用文件中保存的计算结果“{value}”。",
              "A formula cell with a cached value: the value is used."),
    IssueType("FILE-007", INFO, "工作簿含有宏（VBA 代码）。宏没有运行，只读取了单元格中的值。",
              "An .xlsm with a macro project: values read, macro never run."),
    IssueType("LAYOUT-002", WARNING, "第 {value} 行有内容但不在指标行中（缺少一级指标），已忽略。",
              "An indicator row whose 一级指标 cannot be determined."),
    IssueType("LAYOUT-003", WARNING, "模板结构已被修改（{expected}）。表单内容已{how}读取，请核对读取结果；今后请使用下发的模板填写，不要改动表格结构。",
              "A perfxl sheet whose labels are not where the layout says (rows or columns moved, labels edited, sheet renamed): read by its labels instead, one warning per sheet."),
    IssueType("LAYOUT-004", WARNING, "此处内容有歧义：{expected}（“{value}”）。请核对。",
              "Text the label-anchored reader cannot place for sure: a value beside no label, a shifted indicator row, an unclear tick. Never guessed silently."),
    IssueType("LAYOUT-005", ERROR, "没有找到标签“{expected}”，“{field}”没有读取。",
              "A label the label-anchored reader cannot find anywhere on the sheet (a warning for optional fields)."),
    # --- values --------------------------------------------------------------------------
    IssueType("VALUE-001", ERROR, "“{field}”为必填项，但未填写。",
              "A required value is missing."),
    IssueType("VALUE-002", ERROR, "“{field}”应为金额（{expected}），实际为“{value}”。",
              "An amount that is not a non-negative decimal with at most 6 decimals."),
    IssueType("VALUE-003", ERROR, "“{field}”应为{expected}，实际为“{value}”。",
              "A date that cannot be understood."),
    IssueType("VALUE-004", ERROR, "“{field}”应为 {expected} 之一，实际为“{value}”。",
              "A value outside the allowed list (项目类别, 一级/二级指标)."),
    IssueType("VALUE-005", ERROR, "“{field}”应为{expected}，实际为“{value}”。",
              "A year that is not a whole number in range."),
    IssueType("VALUE-006", ERROR, "“{field}”内容过长：最多 {expected} 个字符，实际 {value} 个字符。",
              "Text longer than the schema allows."),
    IssueType("VALUE-007", ERROR, "“{field}”的值“{value}”不符合要求：{expected}。",
              "Any other schema violation (the catch-all; the expected text comes from the schema)."),
    IssueType("VALUE-008", ERROR, "二级指标“{value}”不属于一级指标“{level1}”，应为 {expected} 之一。",
              "An indicator whose 二级指标 does not belong to its 一级指标 in the variant's framework."),
    IssueType("VALUE-009", ERROR, "至少应填写 {expected} 条绩效指标，实际 {value} 条。",
              "Too few (or too many) indicators."),
    IssueType("VALUE-010", ERROR, "“{field}”应为文字，实际为“{value}”（首尾不能有空格或换行，不能含控制字符）。",
              "Text with control characters or surrounding whitespace (from JSON input)."),
    # --- across files (collect) -----------------------------------------------------------
    IssueType("COLLECT-001", WARNING, "本表单与“{value}”中的同一表单内容不同，已采用修改时间较新的版本，本版本未计入汇总。",
              "Two different versions of the same form: the newer file wins (see collect --help)."),
    IssueType("VALUE-011", ERROR, "“{field}”不是表单中的字段。",
              "A JSON key the schema does not know."),
)


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


def make_issue(code: str, *, file: str = "", sheet: str = "", cell: str = "", field: str = "",
               value: object = "", expected: object = "", severity: str | None = None,
               **extra: object) -> Issue:
    """Build an :class:`Issue` from the catalogue, rendering its Chinese message."""
    kind = CATALOGUE[code]
    shown = _show(value)
    message = kind.template.format(field=field, value=shown, expected=expected, **extra)
    return Issue(code=code, severity=severity or kind.severity, message=message, file=file,
                 sheet=sheet, cell=cell, field=field, value=shown, expected=str(expected))


def _show(value: object, limit: int = 200) -> str:
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

    def add(self, code: str, **kwargs: object) -> None:
        kwargs.setdefault("file", self.file)
        kwargs.setdefault("sheet", self.sheet)
        self.issues.append(make_issue(code, **kwargs))  # type: ignore[arg-type]


def render_catalogue_markdown() -> str:
    """docs/issues.md: the reading and validation codes (review rules are in docs/rules.md).
    Regenerate with ``python -m perfxl.issues > docs/issues.md``; a test fails when it is stale."""
    lines = ["# Problem codes", "",
             "Generated from `perfxl/issues.py` by `python -m perfxl.issues > docs/issues.md`; do not edit by hand.",
             "Every problem perfxl reports is one of these (or a review rule, see [rules.md](rules.md)), with the",
             "file, sheet, cell, field and value it concerns.", "",
             "| Code | Severity | Message template | When |", "|---|---|---|---|"]
    for kind in CATALOGUE.values():
        template = kind.template.replace("|", "\\|")
        lines.append(f"| {kind.code} | {kind.severity} | {template} | {kind.description} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_catalogue_markdown(), end="")
