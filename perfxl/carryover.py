"""Next year's templates from this year's collected forms (``template --from FORMS.jsonl``).

Year and dates move on by the difference in years, amounts are left for the unit to fill,
text and indicators are kept as a starting point, and every 二级 keeps at least one empty row so
the unit can add indicators where it has none.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Iterable

from .layout import AMOUNT, Layout, get_layout
from .variant import DEFAULT_VARIANT

FORM_KEY, SOURCE_KEY = "form", "source"


def read_jsonl(path: str | Path) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(form, provenance) pairs from a collect ``--jsonl`` export (bare forms are accepted too)."""
    pairs = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"“{path}”第 {number} 行不是有效的 JSON：{exc.msg}") from None
            if isinstance(item, dict) and FORM_KEY in item:
                pairs.append((item[FORM_KEY], item.get(SOURCE_KEY, {})))
            elif isinstance(item, dict):
                pairs.append((item, {}))
            else:
                raise ValueError(f"“{path}”第 {number} 行应为表单对象。")
    return pairs


def _shift_date(iso: str, years: int) -> str:
    day = dt.date.fromisoformat(iso)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28).isoformat()


def carry_forward(form: dict[str, Any], year: int, layout: Layout, rows: int = 1) -> dict[str, Any]:
    """This year's form as next year's starting point."""
    old_year = form.get("year")
    shift = year - old_year if isinstance(old_year, int) else 0
    new: dict[str, Any] = json.loads(json.dumps(form))  # a deep copy of plain JSON data
    new["year"] = year
    for slot in layout.slots:
        parent_path, _, key = slot.path.rpartition(".")
        parent = new
        for part in filter(None, parent_path.split(".")):
            parent = parent.get(part, {}) if isinstance(parent, dict) else {}
        if not isinstance(parent, dict) or key not in parent:
            continue
        if slot.kind == AMOUNT:
            del parent[key]
        elif slot.kind == "date" and shift and isinstance(parent[key], str):
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
    from .api import write_unit_workbook

    pairs = read_jsonl(jsonl)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for form, source in pairs:
        name = variant or source.get("variant") or DEFAULT_VARIANT
        groups.setdefault((name, str(form.get("implementing_unit") or "未填写单位")), []).append(form)
    written = []
    for (name, unit), forms in groups.items():
        layout = get_layout(name)
        carried = [carry_forward(form, year, layout, rows) for form in forms]
        written.append(write_unit_workbook(Path(out_dir), unit, carried, layout, password=password))
    return written


def jsonl_lines(items: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> Iterable[str]:
    for form, source in items:
        yield json.dumps({FORM_KEY: form, SOURCE_KEY: source}, ensure_ascii=False, sort_keys=False) + "\n"
