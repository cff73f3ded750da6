"""perfxl.api.collection_frames: the collection as DataFrames agrees with the master, cell for cell,
with amounts as exact Decimals."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import openpyxl
import pandas
from conftest import EXAMPLES

from perfxl.api import collect_to_master, collection_frames, fill_forms


def _sheet(path, name):
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [list(r) for r in book[name].iter_rows(values_only=True)]
    book.close()
    return rows[0], rows[1:]


def test_frames_agree_with_the_master(tmp_path):
    fill_forms(sorted(EXAMPLES.glob("*.json")), tmp_path / "in", by_unit=True)
    broken = json.loads((EXAMPLES / "01.json").read_text(encoding="utf-8"))
    broken["project_name"], broken["funding"]["total"] = "无效金额", "1e308"  # reported, never summed
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "x.json").write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    master = tmp_path / "m.xlsx"
    collection = collect_to_master([tmp_path / "in", tmp_path / "odd" / "x.json"], master)
    frames = collection_frames(collection)
    for name, frame in frames.by_sheet().items():
        header, rows = _sheet(master, name)
        assert list(frame.columns) == header, name
        assert len(frame) == len(rows), name
        for got, want in zip(frame.itertuples(index=False), rows):
            for value, cell in zip(got, want):
                if isinstance(value, Decimal):
                    assert float(value) == cell  # the master holds the double of the exact amount
                elif isinstance(value, dt.date):
                    assert cell.date() == value
                elif value is None or value is pandas.NA or value == "":
                    assert cell in (None, "") or name == "项目汇总"  # an invalid amount: shown, not a Decimal
                else:
                    assert value == cell or str(value) == str(cell), (name, value, cell)
    projects = frames.projects.set_index("项目名称")
    assert projects.loc["安保经费", "项目资金总额（万元）"] == Decimal("374.9447")
    assert projects.loc["无效金额", "项目资金总额（万元）"] is None
    total = sum(v for v in frames.projects["项目资金总额（万元）"] if v is not None)
    assert isinstance(total, Decimal) and str(total) == collection.summary()["funding_totals"]["万元"]
    assert set(frames.files["状态"]) == {"有问题"}  # every unit returned something to fix
    assert (frames.problems["代码"] == "VALUE-002").any()
