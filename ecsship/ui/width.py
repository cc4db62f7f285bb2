"""Text mode fits 100 columns (the project's output rule); JSON keeps every value whole.

Two ways to make a line fit: `cut` when the rest of the line is detail (a log line, AWS's own text
in a one-line-per-change view), `wrap` when every word matters (the reason a deploy failed): at a
word, continuation lines indented so they read as part of the line above.
"""
from __future__ import annotations

import textwrap

WIDTH = 100  # columns every text view fits in


def cut(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def wrap(text: str, width: int = WIDTH, indent: str = "  ") -> list[str]:
    """`text` in lines of at most `width` columns, broken at spaces (a word longer than a line, such
    as a URL, is broken inside), every line after the first starting with `indent`."""
    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, subsequent_indent=indent, break_on_hyphens=False) or [text]
