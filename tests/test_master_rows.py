"""The master's one pass over the records: its rows are the ones the row functions shared with the
exports give (``project_rows``, ``indicator_rows``, ``problem_rows``), for forms of any shape."""

from __future__ import annotations

import json

from conftest import EXAMPLES, load_example

from perfxl.api import prefill_self_evaluation
from perfxl.collect.columns import collection_columns
from perfxl.collect.consolidate import collect
from perfxl.collect.master import (
    _ProblemSpool,
    indicator_rows,
    problem_order,
    problem_rows,
    project_row_of,
    project_rows,
)


def _odd_forms() -> list[dict]:
    """JSON forms of the wrong shape in every place the rows read."""
    forms = []
    for change in (lambda f: f.update(indicators={"level1": "产出指标"}),
                   lambda f: f["indicators"].append("不是指标"),
                   lambda f: f["indicators"][0].update(level1=["产出指标"]),
                   lambda f: f["indicators"][1].update(level1=None, target=7),
                   lambda f: f.update(funding="很多"),
                   lambda f: f["funding"].update(total=12.5, total_fiscal=["1"]),
                   lambda f: f.update(year="2023年", project_category=3)):
        form = load_example("05")
        change(form)
        form["project_name"] = f"{form['project_name']}{len(forms)}"
        forms.append(form)
    return forms


def _collected(tmp_path, forms):
    paths = []
    for number, form in enumerate(forms):
        path = tmp_path / f"{number:02}.json"
        path.write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return collect(paths, workers=1, json_inputs=True)


def _check(collection):
    columns = collection_columns(collection)
    row_of = project_row_of(columns)
    assert [row_of(n, item) for n, item in enumerate(collection.forms, start=1)] == \
        list(project_rows(collection, columns))
    spool = _ProblemSpool(collection)
    for item in collection.forms:
        if item.record.issues:
            spool.add(item, item.record.issues)
    order = spool.order()
    assert order == problem_order(collection)
    assert list(spool.rows(order)) == list(problem_rows(collection))
    spool.close()
    assert list(indicator_rows(collection))


def test_one_pass_rows_of_target_tables(tmp_path):
    forms = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.json"))]
    collection = _collected(tmp_path, forms + _odd_forms())
    assert len(collection.forms) == len(forms) + 7
    _check(collection)


def test_one_pass_rows_of_self_evaluations(tmp_path):
    forms = [prefill_self_evaluation(json.loads(path.read_text(encoding="utf-8")))
             for path in sorted(EXAMPLES.glob("*.json"))[:6]]
    forms[0]["funding"].update(budget_full="374.9447", executed="360")
    _check(_collected(tmp_path, forms))
