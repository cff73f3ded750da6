"""Workbooks as the office sends and receives them: a blank template, one workbook per 实施单位
pre-filled from the roster (templates) or from JSON forms (``fill``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from ..form.identity import form_id_for
from ..form.jsonforms import check_unique_forms, forms_for_fill
from ..form.layout import DEFAULT_ROWS, Layout, get_layout
from ..form.variant import DEFAULT_VARIANT
from ..isolation import Failure, run_isolated
from .naming import safe_file_name, safe_sheet_names, unique_file_names
from .workbook import FormSheet, write_workbook

# What perfxl computes for a form's sheet: (outputs by pointer, formula parameters); see FormSheet.
Computed = Callable[[dict[str, Any]], tuple[Mapping[str, Any], Mapping[str, Any]]]

# One unit's templates, as a worker writes them: (out_dir, unit, forms, variant, rows, password, file name)
UnitJob = tuple[str, str, list[dict[str, Any]], str, int | None, str | None, str]


def make_template(out: str | Path, *, variant: str = DEFAULT_VARIANT, rows: int | None = DEFAULT_ROWS,
                  password: str | None = None, prefill: dict[str, Any] | None = None) -> Path:
    """A blank form workbook (optionally with a few fields pre-filled); ``rows`` empty indicator
    rows under each 二级, by default the variant's own number."""
    layout = get_layout(variant)
    out = Path(out)
    write_workbook(out, [FormSheet(layout.title, layout, prefill or {}, "", layout.blank_rows(rows))],
                   password=password)
    return out


def make_unit_templates(groups: dict[str, list[dict[str, Any]]], out_dir: str | Path, *,
                        variant: str = DEFAULT_VARIANT, rows: int | None = DEFAULT_ROWS, password: str | None = None,
                        workers: int = 1) -> list[Path]:
    """One template workbook per 实施单位 (``groups``: each unit's partial forms, from the roster),
    one pre-filled sheet per project, file names unique; written by ``workers`` processes for a
    district's thousand units (the files are the same either way).  ``rows``: empty indicator
    rows under each 二级, by default the variant's own number."""
    rows = get_layout(variant).blank_rows(rows)
    names = unique_file_names(f"{safe_file_name(unit)}.xlsx" for unit in groups)
    jobs = [(str(out_dir), unit, forms, variant, rows, password, name)
            for (unit, forms), name in zip(groups.items(), names)]
    if workers <= 1:
        return [write_unit_job(job) for job in jobs]
    written = list(run_isolated(write_unit_job, jobs, workers=workers, seconds=None))
    failed = [result for result in written if isinstance(result, Failure)]
    if failed:
        raise RuntimeError(f"写入模板失败：{failed[0].detail}")
    return written


def write_unit_job(job: UnitJob) -> Path:
    out_dir, unit, forms, variant, rows, password, name = job
    return write_unit_workbook(Path(out_dir), unit, forms, get_layout(variant), rows=rows, password=password,
                               file_name=name)


def write_unit_workbook(out_dir: Path, unit: str, forms: Sequence[dict[str, Any]], layout: Layout, *,
                        rows: int | None = None, password: str | None = None,
                        file_name: str | None = None, computed: Computed | None = None) -> Path:
    """Write one unit's forms to ``out_dir/<unit>.xlsx`` (or ``out_dir/<file_name>``, a name made
    unique by :func:`unique_file_names`): blank indicator rows when ``rows`` is given (a
    template), exactly the forms' own indicators otherwise (a filled workbook)."""
    path = out_dir / (file_name or f"{safe_file_name(unit)}.xlsx")
    write_forms(path, forms, layout, rows=rows, password=password, computed=computed)
    return path


def write_forms(path: Path, forms: Sequence[dict[str, Any]], layout: Layout, *,
                rows: int | None = None, password: str | None = None, computed: Computed | None = None) -> None:
    """One workbook, one sheet per form (forms of the shape
    :func:`~perfxl.form.jsonforms.check_form_shape` accepts).  ``computed``: what perfxl works
    out for a form's computed and formula cells (a kind whose layout has them)."""
    names = safe_sheet_names(str(form.get("project_name") or layout.title) for form in forms)
    sheets = []
    for name, form in zip(names, forms):
        writable = _writable(form, layout)
        outputs, params = computed(writable) if computed is not None else ({}, {})
        sheets.append(FormSheet(name, layout, writable, form_id_for(layout, form), rows, outputs, params))
    write_workbook(path, sheets, password=password)


def _writable(form: dict[str, Any], layout: Layout) -> dict[str, Any]:
    """The form with every indicator value as text, as the writer keeps any other wrong-typed
    value: a number from JSON is written as its text, null as a blank cell."""
    items = form.get(layout.indicator_field)
    if not isinstance(items, list):
        return form
    return {**form, layout.indicator_field: [_as_text(item) if isinstance(item, dict) else item for item in items]}


def as_filled(form: dict[str, Any], layout: Layout) -> dict[str, Any]:
    """A form as ``fill`` writes it: no empty indicator rows, every indicator value as text."""
    return _writable(_printable(form, layout), layout)


def _printable(form: dict[str, Any], layout: Layout) -> dict[str, Any]:
    """A filled form prints without empty indicator rows: an indicator with neither 三级指标 nor
    年度指标值 is left out (a reader would skip its row anyway, so the form reads back the same)."""
    items = form.get(layout.indicator_field)
    if not isinstance(items, list):
        return form
    kept = [item for item in items if not isinstance(item, dict) or _has_content(item)]
    return form if len(kept) == len(items) else {**form, layout.indicator_field: kept}


def _has_content(item: dict[str, Any]) -> bool:
    return any(item.get(part) is not None and str(item[part]).strip() for part in ("name", "target"))


def _as_text(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value if isinstance(value, str) else str(value) for key, value in item.items() if value is not None}


def fill_forms(paths: Iterable[str | Path], out_dir: str | Path, *, variant: str = DEFAULT_VARIANT,
               by_unit: bool = False, password: str | None = None, computed: Computed | None = None) -> list[Path]:
    """Filled workbooks from JSON forms: one per JSON file, or one per 实施单位 with ``by_unit``.
    Every file is read and checked before anything is written (:class:`ValueError`, in Chinese,
    for a file that is not JSON forms or two forms with one identity); output names are unique."""
    layout = get_layout(variant)
    out_dir = Path(out_dir)
    loaded = [(Path(path), [_printable(form, layout) for form in forms_for_fill(Path(path), layout)])
              for path in paths]
    check_unique_forms(loaded, layout)
    if by_unit:
        groups: dict[str, list[dict[str, Any]]] = {}
        for _, forms in loaded:
            for form in forms:
                groups.setdefault(str(form.get("implementing_unit") or "未填写单位"), []).append(form)
        names = unique_file_names(f"{safe_file_name(unit)}.xlsx" for unit in groups)
        return [write_unit_workbook(out_dir, unit, forms, layout, password=password, file_name=name,
                                    computed=computed)
                for (unit, forms), name in zip(groups.items(), names)]
    names = unique_file_names(f"{path.stem}.xlsx" for path, _ in loaded)
    for (_, forms), name in zip(loaded, names):
        write_forms(out_dir / name, forms, layout, password=password, computed=computed)
    return [out_dir / name for name in names]
