"""The form definition: what a form is and where each field sits on the sheet.

A variant is data (``schema/<name>.schema.json`` + ``templates/<name>.layout.json``); this
package turns it into Python objects: :mod:`.variant` loads them, :mod:`.kinds` names the kinds of
value, :mod:`.layout` is the one place that knows cell addresses, :mod:`.labels` which label names
which field, :mod:`.values` converts between cells and JSON values, :mod:`.identity` says which
form a form is, :mod:`.jsonforms` checks the shape of forms given as JSON, :mod:`.selfeval` is the
year-end self-evaluation's schema (no layout yet) and pre-fills one from a target table.
Everything else in perfxl builds on this package; it imports nothing of perfxl's.
"""
