"""Forms given as JSON: loading them, and checking their shape before a workbook is written.

Values are not validated here (``perfxl validate`` does that, cell by cell); a form whose shape
no workbook can hold (a list where a value belongs, a group that is not an object) is refused
with a Chinese :class:`ValueError` naming the file, the form and the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .identity import describe_identity, identity_values
from .layout import Layout
from .variant import Variant


def load_json_forms(path: str | Path) -> list[dict[str, Any]]:
    """The forms in a JSON file: one form object or an array of them."""
    return load_json_text(Path(path).read_text(encoding="utf-8"))


def load_json_text(text: str) -> list[dict[str, Any]]:
    """The forms in a JSON text: one form object or an array of them."""
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


_SCALARS = (str, int, float, bool, type(None))


def forms_for_fill(path: Path, layout: Layout) -> list[dict[str, Any]]:
    """The forms of one JSON file for ``fill``, or a Chinese :class:`ValueError` naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"无法读取 JSON 文件“{path}”：{exc}") from None
    if isinstance(data, list) and not data:
        raise ValueError(f"JSON 文件“{path}”中没有表单（是一个空数组）。")
    forms = data if isinstance(data, list) else [data]
    for index, form in enumerate(forms):
        check_form_shape(form, layout, _where(path, index, len(forms)))
    return forms


def _where(path: Path | str, index: int, count: int) -> str:
    return f"“{path}”第 {index + 1} 个表单" if count > 1 else f"“{path}”"


def check_unique_forms(loaded: list[tuple[Path, list[dict[str, Any]]]], layout: Layout) -> None:
    """Two forms with the same identity (年度, 实施单位, 项目名称) would share one form id."""
    seen: dict[tuple[str, ...], str] = {}
    for path, forms in loaded:
        for index, form in enumerate(forms):
            key = identity_values(layout, form)
            where = _where(path, index, len(forms))
            if key in seen:
                raise ValueError(f"{seen[key]}与{where}是同一张表单（{describe_identity(layout, form)}相同），"
                                 f"会得到相同的表单标识。请删除重复的一张，或改正其中的字段。")
            seen[key] = where


def check_form_shape(form: Any, layout: Layout, where: str) -> None:
    """Raise a Chinese :class:`ValueError` naming ``where`` and the field unless ``form`` has the
    shape a workbook can be written from: a JSON object whose groups (schema properties of type
    object, e.g. 项目资金) are objects, whose indicators are a list of objects, and whose every
    other value, in it, its groups and its indicators, is a single value (text, number, true/false
    or null).  Values are not validated here: ``perfxl validate`` does that, cell by cell."""
    if not isinstance(form, dict):
        raise ValueError(f"{where}应为表单（JSON 对象），实际为{_json_kind(form)}。")
    variant = layout.variant
    for key, value in form.items():
        title = _title(variant, key)
        if key == layout.indicator_field:
            _check_indicators(value, layout, f"{where}：{title}")
        elif _is_group(variant, key):
            if not isinstance(value, dict):
                raise ValueError(f"{where}：{title}应为对象（JSON 对象），实际为{_json_kind(value)}。")
            for child, item in value.items():
                _check_scalar(item, f"{where}：{_title(variant, f'{key}.{child}')}")
        else:
            _check_scalar(value, f"{where}：{title}")


def _check_indicators(value: Any, layout: Layout, where: str) -> None:
    if not isinstance(value, list):
        raise ValueError(f"{where}应为指标的列表（JSON 数组），实际为{_json_kind(value)}。")
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"{where}第 {number} 条应为对象（JSON 对象），实际为{_json_kind(item)}。")
        for key, field_value in item.items():
            _check_scalar(field_value, f"{where}第 {number} 条的{_title(layout.variant, key, indicator=True)}")


def _check_scalar(value: Any, where: str) -> None:
    if not isinstance(value, _SCALARS):
        raise ValueError(f"{where}应为单个值（文字、数字、true/false 或 null），实际为{_json_kind(value)}。")


def _is_group(variant: Variant, key: str) -> bool:
    node = variant.schema.get("properties", {}).get(key)
    return node is not None and variant.resolve(node).get("type") == "object"


def _title(variant: Variant, path: str, *, indicator: bool = False) -> str:
    """“标题”（key） for a field the schema knows, “key” for any other."""
    try:
        node = (variant.resolve(variant.indicator_schema()["properties"][path]) if indicator
                else variant.field_schema(path))
    except (KeyError, TypeError):
        return f"“{path}”"
    title = node.get("title")
    return f"“{title}”（{path}）" if title else f"“{path}”"


def _json_kind(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return f" {json.dumps(value)}"
    kinds = ((dict, "对象"), (list, "数组"), (str, "文字"), ((int, float), "数字"))
    kind = next((name for types, name in kinds if isinstance(value, types)), type(value).__name__)
    return f"{kind} {json.dumps(value, ensure_ascii=False, default=str)[:50]}"
