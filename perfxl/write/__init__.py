"""Writing workbooks: the official table as locked, print-ready templates and filled forms.

:mod:`.workbook` writes one workbook with xlsxwriter, :mod:`.naming` makes file and sheet names
every system accepts, :mod:`.units` writes one workbook per 实施单位 (templates and ``fill``),
:mod:`.carryover` makes next year's templates from this year's forms, :mod:`.atomic` makes every
file complete or absent, :mod:`.paper` is the print setup.  Never imports :mod:`perfxl.read`.
"""
