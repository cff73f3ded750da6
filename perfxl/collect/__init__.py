"""The collection round: many files read in guarded workers, consolidated, written out.

:mod:`.jobs` is the one
worker job per input file (for ``validate`` and ``collect``), :mod:`.store` keeps records on disk,
:mod:`.consolidate` decides duplicates and conflicts (:mod:`.versions`: which version wins, on
what evidence), :mod:`.tally` sums the round up in one pass (per unit, and against the roster
loaded by :mod:`.returns`), :mod:`.master` writes the master workbook (columns from
:mod:`.columns`, rows streamed by :mod:`.sheetxml`; every use of xlsxwriter internals is in
:mod:`.xlsxinternals`), :mod:`.exports` the JSONL and CSV files, :mod:`.feedback` the marked
copies, and :mod:`.run` puts the round together.
"""
