"""The clipboard is a sink like an export: nothing copied carries an escape sequence, control or bidi override."""

from __future__ import annotations

from readlist.app.clipboard import copy_text

HOSTILE = "@misc{k,\n\ttitle = {Evil \x1b]52;c;ZXZpbA==\x07\x1b]0;t\x07\x9b31m\u202eRTL\x00}\n}\n"


def test_the_payload_sent_through_osc52_is_inert() -> None:
    sent: list[str] = []
    result = copy_text(HOSTILE, osc52_writer=sent.append, what="1 citation", env={"READLIST_CLIPBOARD": "osc52"})
    assert result.ok and result.method == "osc52"
    assert sent == ["@misc{k,\n\ttitle = {Evil RTL}\n}\n"]  # tabs and newlines kept, the rest removed
