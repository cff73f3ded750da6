"""Regenerate docs/rules.md from the review rule catalogue (perfxl/review.py).

Run from anywhere: ``.venv/bin/python scripts/gen_rules_doc.py``.
"""

from __future__ import annotations

from pathlib import Path

from perfxl.review import render_rules_markdown

DOC = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def main() -> None:
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render_rules_markdown(), encoding="utf-8", newline="\n")
    print(f"wrote {DOC}")


if __name__ == "__main__":
    main()
