"""The one error every network failure becomes, kept apart from the HTTP client so it costs nothing to import."""

from __future__ import annotations

from readlist.core.text import clean_line

# What every network step says when offline mode refuses it, after the name of the service or URL.
OFFLINE = (
    "readlist is set to work offline (offline in config.toml, READLIST_OFFLINE or --offline), so nothing was "
    "fetched; turn offline mode off to use the network"
)


class NetworkError(Exception):
    """A download that did not happen; ``str()`` is the one line to show the user.

    ``kind`` says what failed, for code that treats some failures differently (a 404 from
    the Hugging Face paper API only means "not on Hugging Face"): ``offline``, ``scheme``,
    ``url``, ``dns``, ``refused``, ``unreachable``, ``connect``, ``timeout``, ``deadline``,
    ``connection``, ``malformed``, ``too-large``, ``redirect``, ``http``, ``rate-limited``,
    ``unavailable``, ``cancelled`` (the user gave up waiting while the answer came).
    """

    def __init__(self, message: str, *, kind: str, url: str = "", status: int | None = None) -> None:
        super().__init__(clean_line(message))
        self.kind = kind
        self.url = url
        self.status = status
