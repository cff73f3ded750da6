"""Kinds of value, stated once.  A form field's kind comes from its schema (``x-perfxl-kind:
amount`` → AMOUNT, ``integer`` → INTEGER, ``format: date`` → DATE, ``enum`` → CHOICE, else TEXT,
or LONG_TEXT for wrapped goals); each has its own cell writer, reader conversion and Excel data
validation.  The master's columns use the same names for how a value is written (and INDEX for a
row number)."""

TEXT, LONG_TEXT, AMOUNT, DATE, INTEGER, CHOICE = "text", "long_text", "amount", "date", "integer", "choice"
POINTS = "points"  # a 分值 or 得分 of a self-evaluation: a number of points (x-perfxl-kind points)
INDEX = "index"  # a master column numbering its rows
