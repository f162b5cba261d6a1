"""Pages saved as a single file (MHTML: Chrome's and Edge's "Webpage, Single File", ``.mhtml``/``.mht``).

Such a file is a MIME message, ``multipart/related``: the page's HTML is the first ``text/html`` part
(usually quoted-printable, sometimes base64), followed by the style sheets and images it uses. The standard
``email`` package reads it; the HTML part, decoded, is then imported as a saved page would be.
"""

from __future__ import annotations

import re

from readlist.importers.base import MAX_INPUT_BYTES, ImportFormatError, decode

# The headers of the message: a MIME header block whose Content-Type is multipart/related.
_HEAD = 8192
_RELATED = re.compile(rb"^content-type:[ \t]*(?:\r?\n[ \t]+)?multipart/related\b", re.IGNORECASE | re.MULTILINE)
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:")

_NO_PAGE = (
    "this page saved as a single file (MHTML) holds no HTML page (the file may be cut off or damaged); "
    "save the page again, or save it as HTML only"
)


def looks_like_mhtml(data: bytes | bytearray | str) -> bool:
    """True when the input starts with a MIME header block declaring ``multipart/related`` content."""
    head = data[:_HEAD]
    raw = head.encode("utf-8", "replace") if isinstance(head, str) else bytes(head)
    raw = raw.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not _HEADER_LINE.match(raw):
        return False
    end = re.search(rb"\r?\n\r?\n", raw)
    return _RELATED.search(raw[: end.start()] if end else raw) is not None


def html_of(data: bytes | bytearray | str) -> str:
    """The page in an MHTML file: its first ``text/html`` part, decoded, as text."""
    import email
    import email.policy

    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_INPUT_BYTES:
        decode(raw)  # refuses it with the size, as for any other input
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    if not message.is_multipart():
        raise ImportFormatError(_NO_PAGE)
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        body = part.get_payload(decode=True)
        if not isinstance(body, bytes) or not body.strip():
            break
        charset = part.get_content_charset()
        if charset:
            try:
                return body.decode(charset, errors="replace")
            except (LookupError, UnicodeError, ValueError):
                pass  # a charset Python does not know, or no text encoding: read it as a saved page is read
        return decode(body)
    raise ImportFormatError(_NO_PAGE)
