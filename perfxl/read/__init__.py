"""Reading what comes back: files found, refused or opened, forms read from their sheets.

:mod:`.inputs` finds the input files, :mod:`.gate` refuses hostile files before any parser sees
them, :mod:`.workbook` reads perfxl workbooks at the layout's fixed positions, :mod:`.anchored`
reads edited and foreign sheets by their labels, :mod:`.cells` and :mod:`.indicators` are what
both readers share, :mod:`.jsonfile` reads forms given as JSON, :mod:`.roster` the roster a
template round starts from.  Never imports :mod:`perfxl.write`.
"""
