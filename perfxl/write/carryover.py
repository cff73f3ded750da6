"""Next year's templates from this year's collected forms (``template --from FORMS.jsonl``).

Year and dates move on by the difference in years (counted from the year of 计划开始日期, else of
年度), amounts are left for the unit to fill, text and indicators are kept as a starting point,
and every 二级 keeps at least one empty row so the unit can add indicators where it has none.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Iterable

from ..form.jsonforms import check_form_shape
from ..form.kinds import AMOUNT, DATE
from ..form.layout import Layout, get_layout
from ..form.values import get_field
from ..form.variant import DEFAULT_VARIANT, variant_names
from .naming import safe_file_name, unique_file_names
from .units import write_unit_workbook

FORM_KEY, SOURCE_KEY = "form", "source"
START_FIELD = "planned_start"


def read_jsonl(path: str | Path, variant: str | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(form, provenance) pairs from a collect ``--jsonl`` export (bare forms are accepted too).
    Each line is checked: a :class:`ValueError` in Chinese names the line of anything that is not
    a form of a known variant (``variant`` overrides the one the line records)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"“{path}”不是 UTF-8 编码的文本文件。") from None
    pairs = []
    # Lines end at \n only: a form's text may hold U+2028, which str.splitlines() would split at.
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            pairs.append(_read_line(line, f"“{path}”第 {number} 行", variant))
    if not pairs:
        raise ValueError(f"“{path}”中没有表单。")
    return pairs


def _read_line(line: str, where: str, variant: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}不是有效的 JSON：{exc.msg}") from None
    if not isinstance(item, dict):
        raise ValueError(f"{where}应为表单对象。")
    if FORM_KEY not in item and SOURCE_KEY in item:
        raise ValueError(f"{where}有“{SOURCE_KEY}”但没有“{FORM_KEY}”：应为 perfxl collect --jsonl 写出的"
                         f" {{\"{FORM_KEY}\": …, \"{SOURCE_KEY}\": …}}。")
    form, source = (item[FORM_KEY], item.get(SOURCE_KEY, {})) if FORM_KEY in item else (item, {})
    if not isinstance(source, dict):
        raise ValueError(f"{where}：“{SOURCE_KEY}”应为对象（JSON 对象）。")
    name = variant or source.get("variant") or DEFAULT_VARIANT
    if name not in variant_names() and name in variant_names(None):
        raise ValueError(f"{where}是{get_layout(name).title}（{name}），不是绩效目标表：这里只收绩效目标表"
                         f"（{'、'.join(variant_names())}）的 collect --jsonl 导出。")
    if name not in variant_names():
        raise ValueError(f"{where}：未知的表单版本“{name}”，可用：{'、'.join(variant_names())}。")
    check_form_shape(form, get_layout(name), f"{where}的表单" if FORM_KEY in item else where)
    return form, {**source, "variant": name}


def _shift_date(iso: str, years: int) -> str:
    day = dt.date.fromisoformat(iso)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28).isoformat()


def _base_year(form: dict[str, Any], default: int) -> int:
    """The year the form's dates are in: that of 计划开始日期 when it is a date (a heading's 年度
    may be a year off, as in the real form 18), else 年度, else ``default`` (nothing moves)."""
    try:
        return dt.date.fromisoformat(form.get(START_FIELD)).year
    except (TypeError, ValueError):
        old_year = form.get("year")
        return old_year if isinstance(old_year, int) and not isinstance(old_year, bool) else default


def carry_forward(form: dict[str, Any], year: int, layout: Layout, rows: int = 1) -> dict[str, Any]:
    """This year's form as next year's starting point."""
    shift = year - _base_year(form, year)
    new: dict[str, Any] = json.loads(json.dumps(form))  # a deep copy of plain JSON data
    new["year"] = year
    for slot in layout.slots:
        parent_path, _, key = slot.path.rpartition(".")
        parent = get_field(new, parent_path) if parent_path else new
        if not isinstance(parent, dict) or key not in parent:
            continue
        if slot.kind == AMOUNT:
            del parent[key]
        elif slot.kind == DATE and shift and isinstance(parent[key], str):
            try:
                parent[key] = _shift_date(parent[key], shift)
            except ValueError:
                pass
    goals = new.get("goals", {})
    if shift and isinstance(goals.get("overall_period"), str):
        goals["overall_period"] = re.sub(r"\d{4}", lambda m: str(int(m.group()) + shift), goals["overall_period"])
    new[layout.indicator_field] = _with_empty_rows(new.get(layout.indicator_field, []), layout, rows)
    return new


def _with_empty_rows(indicators: list[dict[str, Any]], layout: Layout, rows: int) -> list[dict[str, Any]]:
    """Kept indicators grouped in framework order, each 二级 padded with empty rows."""
    result: list[dict[str, Any]] = []
    used = set()
    for level1, level2s in layout.framework.items():
        for level2 in level2s:
            kept = [i for i in indicators if i.get("level1") == level1 and i.get("level2") == level2]
            used.update(id(i) for i in kept)
            result += kept + [{"level1": level1, "level2": level2}] * max(rows - len(kept), 1)
    # Indicators outside the framework are kept too, at the end, so nothing is silently lost.
    result += [i for i in indicators if id(i) not in used]
    return result


def make_carryover_templates(jsonl: str | Path, out_dir: str | Path, year: int, *,
                             variant: str | None = None, rows: int = 1,
                             password: str | None = None) -> list[Path]:
    """One workbook per (variant, 实施单位) of the export, with unique file names."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for form, source in read_jsonl(jsonl, variant):
        groups.setdefault((source["variant"], str(form.get("implementing_unit") or "未填写单位")), []).append(form)
    names = unique_file_names(f"{safe_file_name(unit)}.xlsx" for _, unit in groups)
    written = []
    for ((name, unit), forms), file_name in zip(groups.items(), names):
        layout = get_layout(name)
        carried = [carry_forward(form, year, layout, rows) for form in forms]
        written.append(write_unit_workbook(Path(out_dir), unit, carried, layout, password=password,
                                           file_name=file_name))
    return written


def jsonl_lines(items: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> Iterable[str]:
    for form, source in items:
        yield json.dumps({FORM_KEY: form, SOURCE_KEY: source}, ensure_ascii=False, sort_keys=False) + "\n"
