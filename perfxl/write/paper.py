"""Print setup, stated once: every sheet perfxl writes prints on A4."""

from __future__ import annotations

A4 = 9  # xlsxwriter's (and the file format's) paper code
A4_POINTS = (595.28, 841.89)  # width × height, portrait
# Inches.  1 cm at the sides: the official table at ≥ 90 % even where a printer measures columns
# wide (LibreOffice without Calibri's metrics prints the 91 columns units at ~92 %, not 90 %).
FORM_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6}
# Lists printed for people (the master's print views, a feedback copy's 问题 sheet): the same sides,
# room above and below for the title and the page numbers in the page header and footer.
LIST_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.8, "bottom": 0.7}
HEADER_FOOTER_MARGIN = 0.3  # inches from the paper's edge
# Page fields, filled in by the client as it prints (&P page, &N pages, &D the date of printing):
# a printed list says when it was printed, and the file stays the same bytes for the same inputs.
PAGE_FOOTER = "第 &P 页 共 &N 页"
PRINT_DATE = "打印日期：&D"
# A booklet's pages: numbers run on through it (each sheet's first page set), no 共 M 页 (a sheet
# printed alone in Excel or WPS would count only its own page).
BOOKLET_FOOTER = "&C第 &P 页"
HEADER_LIMIT = 255  # characters of a page header or footer, all sections and codes together


def set_a4(ws, *, landscape: bool = False, margins: dict[str, float] | None = None, pages_tall: int = 0,
           fit: bool = True) -> None:
    """A4, one page wide and ``pages_tall`` pages tall (0: as many as needed); with ``fit`` off,
    at 100 % (a page whose breaks are set by hand, so its page count is known)."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    if margins is not None:
        ws.set_margins(**margins)
    if fit:
        ws.fit_to_pages(1, pages_tall)


# Points: the text of a portrait page at 100 % between FORM_MARGINS, less
# a safety allowance for the footer and for clients rounding row heights.
A4_BODY_WIDTH = A4_POINTS[0] - 72 * (FORM_MARGINS["left"] + FORM_MARGINS["right"])
A4_BODY_HEIGHT = A4_POINTS[1] - 72 * (FORM_MARGINS["top"] + FORM_MARGINS["bottom"]) - 40


def printable_width(*, landscape: bool, margins: dict[str, float] = LIST_MARGINS) -> float:
    """Points across the page between the side margins."""
    width = A4_POINTS[1] if landscape else A4_POINTS[0]
    return width - (margins["left"] + margins["right"]) * 72


def column_points(width: float) -> float:
    """Points a column ``width`` units wide takes on paper (the file format's default font, 7 px a
    unit plus 5 px of padding, 96 px an inch) — what Excel and LibreOffice lay out."""
    return (int(width * 7 + 0.5) + 5) * 0.75


TITLE_SIZE = 12  # points: a page header's title; 60 characters fill the width of A4 landscape


def header_text(title: str) -> str:
    """A page header: ``title`` centred, bold.  ``&`` in the title is doubled (a code otherwise);
    a title too long for the header's limit is cut."""
    centre = f"&C&{TITLE_SIZE}&B"  # the size before the text: "&12" then "2023…" would read as size 122023
    escaped = title.replace("&", "&&")
    if len(escaped) > HEADER_LIMIT - len(centre):
        escaped = escaped[:HEADER_LIMIT - len(centre) - 1].rstrip("&") + "…"
    return centre + escaped


FOOTER = "&C" + PAGE_FOOTER + "&R" + PRINT_DATE  # the title has the header's whole width


def set_list_print(ws, title: str) -> None:
    """A list printed for people (xlsxwriter): A4 landscape, centred, its heading row on every
    page, ``title`` above, 第 N 页 共 M 页 and the print date below; one page wide, the client
    shrinking only what does not fit at 100 %."""
    set_a4(ws, landscape=True, margins=LIST_MARGINS)
    ws.center_horizontally()
    ws.repeat_rows(0)
    ws.set_header(header_text(title), {"margin": HEADER_FOOTER_MARGIN})
    ws.set_footer(FOOTER, {"margin": HEADER_FOOTER_MARGIN})
    ws.set_start_page(1)  # each list counts its own pages, also when the whole workbook is printed


def set_openpyxl_list_print(ws, title_rows: int) -> None:
    """:func:`set_list_print` for a sheet openpyxl edits (a feedback copy's 问题 sheet, whose title
    is on the sheet): A4 landscape, one page wide, centred, the first ``title_rows`` rows on
    every page, 第 N 页 共 M 页 at the foot."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    for side, inches in LIST_MARGINS.items():
        setattr(ws.page_margins, side, inches)
    ws.page_margins.header = ws.page_margins.footer = HEADER_FOOTER_MARGIN
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"1:{title_rows}"
    ws.oddFooter.center.text = PAGE_FOOTER
    ws.page_setup.firstPageNumber, ws.page_setup.useFirstPageNumber = 1, True
