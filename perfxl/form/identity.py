"""Which form a form is, stated once.

A form is known by the fields its schema names in ``x-perfxl-identity`` (年度, 实施单位, 项目名称):
:func:`identity_values` reads them, :func:`form_id_for` turns them into the stable id perfxl
writes into each workbook's hidden identity sheet (:data:`META_SHEET`), and
:func:`describe_identity` names them in a message.  Template, fill, roster, reader and collect
all ask here.
"""

from __future__ import annotations

import uuid
from typing import Any

from .layout import Layout

# The hidden sheet listing which sheets of a workbook are forms, of which variant, with which id.
META_SHEET = "_perfxl"
META_HEADER = ("工作表", "表单标识", "表单版本", "模式标识")
LISTS_SHEET = "_lists"  # drop-down lists too long to write inline
INSTRUCTIONS_SHEET = "填表说明"
_FORM_NAMESPACE = uuid.UUID("6f1c9a52-3f55-4a8e-9a55-0c4d3c1e9a01")


def identity_values(layout: Layout, form: dict[str, Any]) -> tuple[str, ...]:
    """The identity fields' values as text, in the schema's order (blank: "")."""
    return tuple(str(form.get(key, "")) for key in layout.variant.identity_fields)


def form_id_for(layout: Layout, form: dict[str, Any]) -> str:
    """A stable identity for a form: the same unit, project and year always get the same id, so a
    resubmission is recognised and the output stays byte-identical."""
    key = "|".join(identity_values(layout, form))
    return str(uuid.uuid5(_FORM_NAMESPACE, f"{layout.variant.schema_id}|{key}"))


def describe_identity(layout: Layout, form: dict[str, Any]) -> str:
    """``年度“2023”、实施单位“…”、项目名称“…”`` for a message (a blank one: ``年度（未填写）``)."""
    parts = []
    for key, value in zip(layout.variant.identity_fields, identity_values(layout, form)):
        title = layout.field_title([key])
        parts.append(f"{title}“{value}”" if value else f"{title}（未填写）")
    return "、".join(parts)


def collection_key(layout: Layout, form: dict[str, Any]) -> str:
    """Which form a collected form is: what the form itself says (its identity values).  The id a
    perfxl workbook carries is only a hint (anyone can compute or copy it), so it never decides
    which form a sheet is, nor can it displace another unit's form."""
    return "|".join(identity_values(layout, form))
