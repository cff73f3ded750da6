"""Print setup, stated once: every sheet perfxl writes prints on A4."""

from __future__ import annotations

A4 = 9  # xlsxwriter's paper code
# Inches.  1 cm at the sides: the official table at ≥ 90 % even where a printer measures columns
# wide (LibreOffice without Calibri's metrics prints the 91 columns units at ~92 %, not 90 %).
FORM_MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6}


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


# Points.  A4 is 595.28 × 841.89; the text of a portrait page at 100 % between FORM_MARGINS, less
# a safety allowance for the footer and for clients rounding row heights.
A4_BODY_WIDTH = 595.28 - 72 * (FORM_MARGINS["left"] + FORM_MARGINS["right"])
A4_BODY_HEIGHT = 841.89 - 72 * (FORM_MARGINS["top"] + FORM_MARGINS["bottom"]) - 40
