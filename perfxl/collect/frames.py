"""A collection as pandas DataFrames, for the office's analyst: the master's sheets as tables.

The frames carry what the master shows, row for row and column for column (the same headers,
from the same column definitions): 项目汇总, 绩效指标明细, 问题清单 and 文件清单.  Amounts are
``decimal.Decimal`` (object columns: exact to the last digit, never floats), a valid amount only —
an amount the checks reported invalid is missing (None), as it is left out of every total; dates
are ``datetime.date``; counts are pandas' nullable integers (``Int64``); every other column holds the
Python values as they are (object).  pandas is imported here only, when frames are asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..form.kinds import AMOUNT, DATE, INDEX, INTEGER
from .consolidate import Collection
from .master import (
    FILE_HEADERS,
    FILES,
    indicator_headers,
    INDICATORS,
    PROBLEM_HEADERS,
    PROBLEMS,
    PROJECTS,
    file_rows,
    indicator_rows,
    layouts_of,
    problem_rows,
    collection_columns,
    project_rows,
)

if TYPE_CHECKING:
    import pandas


@dataclass(frozen=True)
class CollectionFrames:
    """The master's tables as DataFrames (see the module docstring for the types)."""

    projects: pandas.DataFrame  # 项目汇总
    indicators: pandas.DataFrame  # 绩效指标明细
    problems: pandas.DataFrame  # 问题清单
    files: pandas.DataFrame  # 文件清单

    def by_sheet(self) -> dict[str, pandas.DataFrame]:
        """The frames under the names of the master's sheets."""
        return {PROJECTS: self.projects, INDICATORS: self.indicators, PROBLEMS: self.problems, FILES: self.files}


def collection_frames(collection: Collection) -> CollectionFrames:
    """The collection's tables as DataFrames (records read back from the store one at a time)."""
    import pandas

    columns = collection_columns(collection)
    projects = [[_cell(c.kind, value, c.counts) for c, value in zip(columns, row)]
                for row in project_rows(collection, columns)]
    # object columns keep each value as it is (a Decimal stays exact, a missing value stays None);
    # counts become pandas' nullable integers
    projects_frame = pandas.DataFrame(projects, columns=[c.header for c in columns], dtype=object)
    for column in columns:
        if column.kind in (INTEGER, INDEX):
            projects_frame[column.header] = projects_frame[column.header].astype("Int64")
    files_frame = pandas.DataFrame(list(file_rows(collection)), columns=FILE_HEADERS, dtype=object)
    for header in ("大小（字节）", "表单数"):
        files_frame[header] = files_frame[header].astype("Int64")
    return CollectionFrames(
        projects=projects_frame,
        indicators=pandas.DataFrame(list(indicator_rows(collection)), columns=indicator_headers(collection)[0],
                                    dtype=object),
        problems=pandas.DataFrame(list(problem_rows(collection)), columns=PROBLEM_HEADERS, dtype=object),
        files=files_frame,
    )


def _cell(kind: str, value: Any, counts) -> Any:
    if value is None or value == "":
        return None
    if kind == AMOUNT:
        return Decimal(value) if counts(value) else None
    if kind == DATE and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value
