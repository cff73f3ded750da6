"""The roster manifest (名单.json): the roster's projects as JSON, left beside the templates by
``template --roster`` so that ``collect --roster`` can take it instead of the CSV.

    {"perfxl": "名单", "variant": "pujiang-2023", "schema_id": "…",
     "projects": [{"row": 2, "form": {"implementing_unit": "…", "project_name": "…", …}}, …]}

``row`` is the project's row in the roster it was made from, for messages.  Written by
:func:`manifest_text` (byte-stable: the same roster gives the same bytes), read back by
:func:`read_manifest`, which checks what a hand edit could break.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..config import DEFAULT_LIMITS
from ..form.jsonforms import check_form_shape
from ..form.kinds import AMOUNT
from ..form.layout import Layout, get_layout
from ..form.marks import MANIFEST_KEY, MANIFEST_MARK
from ..form.values import get_field
from ..form.variant import variant_names
from .roster import REQUIRED_COLUMNS, RosterEntry, RosterError


def manifest_text(entries: list[RosterEntry], layout: Layout) -> str:
    """The manifest of a roster read for ``layout``."""
    document = {MANIFEST_KEY: MANIFEST_MARK, "variant": layout.variant.name, "schema_id": layout.variant.schema_id,
                "projects": [{"row": entry.row, "form": entry.form} for entry in entries]}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def read_manifest(path: str | Path) -> tuple[Layout, list[RosterEntry]]:
    """The layout a manifest was written for and its projects, or :class:`RosterError` naming
    what is wrong."""
    path = Path(path)
    try:
        if path.stat().st_size > DEFAULT_LIMITS.max_file_bytes:
            raise RosterError(f"名单文件“{path.name}”过大。")
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        if isinstance(exc, RosterError):
            raise
        raise RosterError(f"无法读取名单文件“{path.name}”：{exc}") from None
    if not isinstance(document, dict) or document.get(MANIFEST_KEY) != MANIFEST_MARK:
        raise RosterError(f"“{path.name}”不是 perfxl 写出的名单（{MANIFEST_KEY} 应为“{MANIFEST_MARK}”）："
                          f"请使用 template --roster 生成的 名单.json，或名单 CSV/工作簿。")
    variant = document.get("variant")
    if variant not in variant_names():
        raise RosterError(f"名单文件“{path.name}”：未知的表单版本“{variant}”，可用：{'、'.join(variant_names())}。")
    layout = get_layout(variant)
    projects = document.get("projects")
    if not isinstance(projects, list) or not projects:
        raise RosterError(f"名单文件“{path.name}”中没有项目。")
    return layout, [_entry(path, number, item, layout) for number, item in enumerate(projects, start=1)]


def _entry(path: Path, number: int, item: Any, layout: Layout) -> RosterEntry:
    where = f"名单文件“{path.name}”第 {number} 个项目"
    if not isinstance(item, dict) or not isinstance(item.get("form"), dict):
        raise RosterError(f"{where}应为 {{\"row\": …, \"form\": {{…}}}}。")
    form: dict[str, Any] = item["form"]
    try:
        check_form_shape(form, layout, where)
    except ValueError as exc:
        raise RosterError(str(exc)) from None
    for key in REQUIRED_COLUMNS:
        if not isinstance(form.get(key), str) or not form[key]:
            raise RosterError(f"{where}：“{layout.slot_by_path[key].title}”不能为空。")
    for slot in layout.slots:
        value = get_field(form, slot.path)
        if slot.kind == AMOUNT and value is not None and not slot.accepts(value):
            raise RosterError(f"{where}：“{slot.title}”应为金额，实际为“{value}”。")
    row = item.get("row")
    return RosterEntry(row if isinstance(row, int) and not isinstance(row, bool) else number, form)
