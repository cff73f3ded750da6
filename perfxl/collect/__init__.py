"""The collection round: many files read in guarded workers, consolidated, written out.

:mod:`.jobs` is the one
worker job per input file (for ``validate`` and ``collect``), :mod:`.store` keeps records on disk,
:mod:`.consolidate` decides duplicates and conflicts, :mod:`.master` writes the master workbook
(rows streamed by :mod:`.sheetxml`; every use of xlsxwriter internals is in
:mod:`.xlsxinternals`), :mod:`.exports` the JSONL and CSV files, :mod:`.feedback` the marked
copies, and :mod:`.run` puts the round together.
"""
