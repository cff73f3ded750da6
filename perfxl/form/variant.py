"""Form variants: a JSON Schema (``schema/``) plus its layout data (``templates/``).

A variant is everything perfxl knows about one kind of form.  Adding next year's form means
adding a schema file and a layout file, not code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent.parent
TARGET_KIND, SELF_EVAL_KIND, MONITORING_KIND = "target", "self-eval", "monitoring"


@cache  # where the package lies does not change while it runs (asked for every workbook read)
def data_dir(name: str) -> Path:
    """``schema/``, ``templates/`` and ``examples/`` sit beside the package in a checkout and inside
    it in a wheel."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"perfxl data folder {name!r} not found next to {_PACKAGE}")


def schema_dir() -> Path:
    return data_dir("schema")


def templates_dir() -> Path:
    return data_dir("templates")


@dataclass(frozen=True)
class Variant:
    """One kind of form: its schema and the layout data that places it on a sheet."""

    name: str
    description: str
    schema: dict[str, Any] = field(repr=False)
    layout_data: dict[str, Any] = field(repr=False)

    @property
    def schema_id(self) -> str:
        return self.schema["$id"]

    @property
    def kind(self) -> str:
        """Which kind of form this is (layout data ``kind``): ``target`` (绩效目标表, the default)
        or ``self-eval`` (绩效自评表).  A kind says which checks run on the form read."""
        return self.layout_data.get("kind", TARGET_KIND)

    @property
    def title(self) -> str:
        return self.layout_data["title"]

    @property
    def identity_fields(self) -> tuple[str, ...]:
        """The fields that say which form this is (``x-perfxl-identity`` in the schema)."""
        return tuple(self.schema["x-perfxl-identity"])

    # --- reading the schema ---------------------------------------------------------------
    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        """Follow a local ``$ref`` and merge the referring node's own keywords (title etc.)."""
        while "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local $ref is supported, got {ref}")
            target: Any = self.schema
            for part in ref[2:].split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    def field_schema(self, path: str) -> dict[str, Any]:
        """The (resolved) subschema of a dotted field path such as ``funding.total``."""
        node = self.schema
        for part in path.split("."):
            node = self.resolve(node)["properties"][part]
        return self.resolve(node)

    def indicator_schema(self) -> dict[str, Any]:
        return self.resolve(self.field_schema(self.layout_data["indicators"]["field"])["items"])

    def framework(self) -> dict[str, list[str]]:
        """一级 → its 二级, in print order, read from the schema's ``if/then`` rules."""
        indicator = self.indicator_schema()
        result: dict[str, list[str]] = {}
        for rule in indicator.get("allOf", []):
            level1 = rule["if"]["properties"]["level1"]["const"]
            result[level1] = list(rule["then"]["properties"]["level2"]["enum"])
        return result

    def required_paths(self) -> set[str]:
        """Dotted paths of required fields (top level and one level down)."""
        paths = set(self.schema.get("required", []))
        for key, sub in self.schema["properties"].items():
            sub = self.resolve(sub)
            if sub.get("type") == "object" and key in paths:
                paths |= {f"{key}.{child}" for child in sub.get("required", [])}
        return paths


@cache
def load_variant(name: str) -> Variant:
    """An installed variant by name; anything else (a path, a name from a workbook that no
    layout file has) is a :class:`KeyError`, never a file looked up."""
    layout_path = templates_dir() / f"{name}.layout.json"
    if name not in variant_names(None) or not layout_path.is_file():
        known = ", ".join(variant_names(None)) or "无"
        raise KeyError(f"未知的表单版本“{name}”，可用：{known}")
    layout_data = json.loads(layout_path.read_text(encoding="utf-8"))
    schema = json.loads((schema_dir() / layout_data["schema"]).read_text(encoding="utf-8"))
    if not isinstance(schema.get("x-perfxl-identity"), list) or not schema["x-perfxl-identity"]:
        raise KeyError(f"表单版本“{name}”的模式（{layout_data['schema']}）缺少 x-perfxl-identity："
                       f"应列出说明“是哪一张表单”的字段，如 [\"year\", \"implementing_unit\", \"project_name\"]")
    return Variant(name=layout_data["name"], description=layout_data.get("description", ""),
                   schema=schema, layout_data=layout_data)


def variant_names(kind: str | None = TARGET_KIND) -> list[str]:
    """The installed variants of one kind (by default the target tables; None: every kind)."""
    names = _names_in(templates_dir())
    return [name for name in names if kind is None or _kind_of(templates_dir(), name) == kind]


@cache
def _kind_of(folder: Path, name: str) -> str:
    layout_path = folder / f"{name}.layout.json"
    return json.loads(layout_path.read_text(encoding="utf-8")).get("kind", TARGET_KIND)


@cache  # asked for every workbook read; a test that points templates_dir elsewhere gets its own entry
def _names_in(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(p.name.removesuffix(".layout.json") for p in folder.glob("*.layout.json")))


def all_variants(kind: str | None = TARGET_KIND) -> list[Variant]:
    return [load_variant(name) for name in variant_names(kind)]


DEFAULT_VARIANT = "pujiang-2023"
