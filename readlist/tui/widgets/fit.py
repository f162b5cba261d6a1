"""A line of text cut to the cells a widget has, with "…" where it was cut.

Rich's own ellipsis overflow fills the cell a wide character (an emoji, a CJK character) no longer fits in
with a space: a view named ``Reasoning 🧠 推理`` read ``Reasoning 🧠  …`` in a narrow sidebar. Here the text is
cut whole characters at a time, at a word break when one is near (a message in the top bar), and the "…"
follows the text directly.
"""

from __future__ import annotations

from rich.text import Text

# How far back from the cut a word break is still taken: the line ends at a word, not in one.
WORD_BREAK_NEAR = 12


def fit_line(line: Text, width: int, *, at_words: bool = True) -> Text:
    """``line`` in ``width`` cells: when it is longer, cut with "…" at the end, at a word break if one is near
    (``at_words``; a short label keeps all it can instead)."""
    if line.cell_len <= width:
        return line
    cut = line.copy()
    cut.truncate(max(width - 1, 0), overflow="crop")  # the line's own "ellipsis" overflow would add a second …
    space = cut.plain.rfind(" ")
    if at_words and space > 0 and len(cut.plain) - space <= WORD_BREAK_NEAR:
        cut = cut[:space]
    cut.rstrip()
    cut.append("…")
    return cut
