"""How perfxl knows a file it wrote itself, and a time it wrote itself.

An inbox holds whatever was saved into it: last round's 汇总.xlsx, the CSV and JSONL exports, the
problem lists sent back.  Those are perfxl's outputs, never forms, so each carries a mark that the
reader looks for before reading any form (:mod:`perfxl.read.gate`, :mod:`perfxl.read.outputs`):

- a workbook perfxl writes for the office (the master, a problem list, the booklet) carries the custom
  document property :data:`OUTPUT_PROPERTY` naming what it is;
- a CSV export ends its header with the provenance columns :data:`PROVENANCE_HEADERS`;
- a JSONL export is one ``{"form": …, "source": {…, "schema_id": …}}`` object per line;
- the roster manifest (:data:`MANIFEST_NAME`) opens with ``{"perfxl": "名单"``.

A marked copy sent back to a unit carries no mark: it is the unit's own workbook, and once fixed
it is a legitimate resubmission.
"""

from __future__ import annotations

# A custom document property (docProps/custom.xml): its value says which output the workbook is.
OUTPUT_PROPERTY = "perfxl-output"
MASTER_OUTPUT = "汇总表"
PROBLEM_LIST_OUTPUT = "问题清单"
BOOKLET_OUTPUT = "绩效目标表汇编"  # perfxl publish: the year's booklet (its forms are published, not returned)

# The dcterms:created and dcterms:modified perfxl's writers stamp on every workbook, so that the same
# input gives the same bytes (perfxl.write.workbook.FIXED_TIMESTAMP): not a time anyone saved it.
WRITTEN_AT = "2020-01-01T00:00:00Z"

# The last columns of 项目汇总 (and, before 单元格, of 绩效指标明细): where each row came from.
PROVENANCE_HEADERS = ("来源文件", "工作表")

# The roster's projects as JSON, written beside the templates by ``template --roster``.
MANIFEST_NAME = "名单.json"
MANIFEST_KEY, MANIFEST_MARK = "perfxl", "名单"
