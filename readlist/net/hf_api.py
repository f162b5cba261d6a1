"""The Hugging Face papers API (``huggingface.co/api``): Daily Papers by day, one paper by arXiv id.

``daily_papers?date=YYYY-MM-DD&p=N&limit=M`` pages through one day's list (``p``
counts pages from 0, ``limit`` is at most 100); ``papers/<arxiv id>`` answers one
paper, or 404 when Hugging Face does not have it (not a failure: most of arXiv is
not on Hugging Face). Entries are mapped by :mod:`readlist.importers.hf_json`, the
same code that reads saved API answers and Hugging Face pages, so a pulled paper
and an imported one carry the same fields: every author (a ``"hidden"`` flag only
hides a profile link), upvotes, the AI summary and keywords, code and project
links, the organization.

What is sent to Hugging Face: dates, page numbers and arXiv ids; nothing else.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from readlist.core.model import Paper, find_arxiv_id, is_arxiv_id
from readlist.importers.base import ParseResult
from readlist.importers.hf_json import RECORD_ERRORS, add_entries, paper_record
from readlist.net.errors import NetworkError
from readlist.net.http import Clock, HttpClient, Response, Sleep
from readlist.net.settings import DEFAULT_HF_API, NetworkSettings

FORMAT = "hf-api"
PAGE_LIMIT = 100
# A day has had at most a few hundred papers; a server that keeps answering full pages is not believed.
MAX_PAGES = 20

Cancelled = Callable[[], bool]


def service_name(base_url: str) -> str:
    host = urlsplit(base_url).netloc or base_url
    return f"Hugging Face API ({host})"


class HfClient:
    def __init__(self, http: HttpClient, *, base_url: str = DEFAULT_HF_API) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.service = service_name(base_url)
        self.requests = 0

    @classmethod
    def from_settings(
        cls,
        settings: NetworkSettings,
        *,
        http: HttpClient | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> HfClient:
        http = http or HttpClient(offline=settings.offline, clock=clock, sleep=sleep)
        return cls(http, base_url=settings.hf_api)

    def _json(self, response: Response) -> Any:
        try:
            return json.loads(bytes(response.content).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            detail = str(exc).splitlines()[0][:100] if str(exc) else type(exc).__name__
            raise NetworkError(
                f"{self.service}: the answer is not the JSON expected ({detail}); try again later",
                kind="malformed",
                url=response.url,
            ) from None

    def daily_papers_url(self, day: date) -> str:
        return f"{self.base_url}/daily_papers?date={day.isoformat()}"

    def daily_papers(
        self, day: date, *, limit: int = PAGE_LIMIT, cancelled: Cancelled | None = None
    ) -> ParseResult:
        """Every paper on one day's Daily Papers list (a day without papers gives an empty result)."""
        result = ParseResult(format=FORMAT)
        seen: set[str] = set()
        for page in range(MAX_PAGES):
            if cancelled is not None and cancelled():
                break
            self.requests += not self.http.offline  # offline, none is sent
            response = self.http.get(
                f"{self.base_url}/daily_papers",
                params={"date": day.isoformat(), "p": page, "limit": limit},
                service=self.service,
                accept="application/json",
            )
            items = self._json(response)
            if not isinstance(items, list):
                raise NetworkError(
                    f"{self.service}: expected a list of papers for {day.isoformat()}, got "
                    f"{type(items).__name__}; try again later",
                    kind="malformed",
                    url=response.url,
                )
            fresh = [item for item in items if _entry_key(item) not in seen]
            # A server that ignores the page number answers the first page again: stop there.
            if not fresh:
                break
            seen.update(_entry_key(item) for item in fresh)
            papers, skipped = len(result.papers), len(result.skipped)
            add_entries(result, fresh)
            # Entries that are malformed among good ones are skipped (the report lists them); an answer without a
            # single usable one is not the list asked for (a proxy's placeholder, an API changed), and a day
            # taken for empty would be recorded as pulled.
            if len(result.papers) == papers and len(result.skipped) > skipped:
                what, why = result.skipped[skipped]
                raise NetworkError(
                    f"{self.service}: the answer is not the JSON expected (none of its {len(fresh)} "
                    f"{'entry' if len(fresh) == 1 else 'entries'} for {day.isoformat()} is a usable paper; "
                    f"{what}: {why}); try again later",
                    kind="malformed",
                    url=response.url,
                )
            if len(items) < limit:
                break
        return result

    def paper(self, arxiv_id: str) -> Paper | None:
        """The paper Hugging Face has under this arXiv id, or None when it has none."""
        if not is_arxiv_id(arxiv_id) or "/" in arxiv_id:
            return None  # Hugging Face lists papers by new-style id only
        self.requests += not self.http.offline  # offline, none is sent
        response = self.http.get(
            f"{self.base_url}/papers/{quote(arxiv_id)}",
            service=self.service,
            accept="application/json",
            allow_status=frozenset({404}),
        )
        if response.status == 404:
            return None
        data = self._json(response)
        if not isinstance(data, dict):
            raise NetworkError(
                f"{self.service}: expected a paper for {arxiv_id}, got {type(data).__name__}; try again later",
                kind="malformed",
                url=response.url,
            )
        inner = data.get("paper")
        paper: dict[str, Any] = inner if isinstance(inner, dict) else data
        try:
            record = paper_record(paper, data if paper is not data else None)
        except RECORD_ERRORS as exc:
            raise NetworkError(
                f"{self.service}: the record for {arxiv_id} is malformed ({type(exc).__name__})",
                kind="malformed",
                url=response.url,
            ) from None
        holder = ParseResult(format=FORMAT)
        holder.add(record, arxiv_id)
        found = holder.papers[0] if holder.papers else None
        # A cache or proxy that mixes answers up must not put another paper's authors and abstract on this one.
        if found is not None and found.arxiv_id != find_arxiv_id(arxiv_id):
            other = found.arxiv_id or "no arXiv id"
            raise NetworkError(
                f"{self.service}: asked for {arxiv_id}, answered with another paper ({other}); nothing was taken "
                "from it, try again later",
                kind="malformed",
                url=response.url,
            )
        return found


def _entry_key(item: object) -> str:
    if isinstance(item, dict):
        paper = item.get("paper")
        source = paper if isinstance(paper, dict) else item
        value = source.get("id") or source.get("title")
        return str(value)
    return repr(item)[:200]
