"""The arXiv API (``export.arxiv.org/api/query``): papers by id, by title, newest in a category.

arXiv asks API users to leave three seconds between requests; every request of a
client waits its turn on one :class:`~readlist.net.throttle.Throttle` (``arxiv_delay``),
and retries of a failed request wait at least as long. Ids are looked up in batches
of at most 100 (``id_list``), so enriching a thousand papers is ten requests.

What is sent to arXiv: arXiv ids, words of titles, category names, paging numbers.
Nothing about the user's own data (status, rating, tags, notes) ever is.

Answers are Atom feeds, read by :mod:`readlist.importers.arxiv_atom`. An answer with more entries than were asked
for (``max_results``) is refused before it is parsed: feedparser reads a feed whole, and no part of such an
answer can be trusted to be the one asked for (10,000 entries to a title search held a paper's enrichment 8 s).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import islice
from urllib.parse import urlsplit

from readlist.core.model import Paper, find_arxiv_id, is_arxiv_category, is_arxiv_id
from readlist.importers.arxiv_atom import AtomPage, read_feed
from readlist.net.errors import NetworkError
from readlist.net.http import Clock, HttpClient, Sleep
from readlist.net.settings import DEFAULT_ARXIV_API, DEFAULT_ARXIV_DELAY, NetworkSettings
from readlist.net.throttle import Throttle

MAX_ID_BATCH = 100
PAGE_SIZE = 100
# arXiv serves at most this many results for one query, however it is paged.
MAX_RESULTS = 2000
_WORD = re.compile(r"\w+")
# The start tag of an entry in an answer's bytes (``<`` cannot appear unescaped in the text of a feed).
_ENTRY_TAG = re.compile(rb"<entry[\s>/]")
# At most this many words of a title go into its search.
_TITLE_WORDS = 4
_STOP_WORDS = frozenset(
    "about from into over than that this what when where which with does your more most less under using "
    "towards toward these those versus their there through without beyond between".split()
)

Cancelled = Callable[[], bool]


def _more_entries_than(content: bytes | bytearray, limit: int) -> bool:
    """The answer has more than ``limit`` entries (counted in its bytes, no further than one past the limit)."""
    return next(islice(_ENTRY_TAG.finditer(content), limit, None), None) is not None


@dataclass
class IdLookup:
    """What a lookup by id found: papers by arXiv id, ids arXiv does not know, ids that are not ids, and the ids of
    papers the answer held that were not asked for (a server or cache answering another question)."""

    found: dict[str, Paper] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    unasked: list[str] = field(default_factory=list)

    def answered_otherwise(self, arxiv_id: str) -> str | None:
        """Why ``arxiv_id`` is missing when the answer held papers not asked for: not arXiv's "no such paper"."""
        if not self.unasked:
            return None
        shown = ", ".join(self.unasked[:3]) + (" …" if len(self.unasked) > 3 else "")
        return (f"the arXiv API answered with other papers ({shown}), not {arxiv_id}; try again later (a proxy or "
                "cache between here and arXiv may be answering)")


@dataclass
class Listing:
    """Papers of a paged query, newest first, and whether paging stopped before the end."""

    papers: list[Paper]
    truncated: bool = False


def service_name(base_url: str) -> str:
    host = urlsplit(base_url).netloc or base_url
    return f"arXiv API ({host})"


def title_query(title: str) -> str:
    """A title search that also finds near-identical titles: its distinctive words, all required.

    An exact phrase would miss a title that gained or lost a word between versions, which is
    the case the near-identical rule is for. The four longest words that are not stop words
    are required: few enough that a changed short word does not hide the paper, distinctive
    enough that the candidates are few (and arXiv ranks the closest titles first). Which
    candidate, if any, is the paper is decided by comparing whole titles afterwards.
    """
    words = _WORD.findall(title)
    distinctive = [w for w in words if len(w) >= 4 and w.casefold() not in _STOP_WORDS]
    if not distinctive:
        return 'ti:"' + " ".join(words) + '"'
    longest = set(sorted(range(len(distinctive)), key=lambda i: -len(distinctive[i]))[:_TITLE_WORDS])
    chosen = [w for i, w in enumerate(distinctive) if i in longest]
    return " AND ".join(f"ti:{w}" for w in chosen)


class ArxivClient:
    def __init__(
        self,
        http: HttpClient,
        *,
        base_url: str = DEFAULT_ARXIV_API,
        delay: float = DEFAULT_ARXIV_DELAY,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.http = http
        self.base_url = base_url
        self.service = service_name(base_url)
        self.throttle = Throttle(delay, clock=clock, sleep=sleep)
        self.limits = replace(http.limits, min_wait=max(http.limits.min_wait, delay))
        self.requests = 0

    @classmethod
    def from_settings(
        cls,
        settings: NetworkSettings,
        *,
        http: HttpClient | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> ArxivClient:
        http = http or HttpClient(offline=settings.offline, clock=clock, sleep=sleep)
        return cls(http, base_url=settings.arxiv_api, delay=settings.arxiv_delay, clock=clock, sleep=sleep)

    # -- the raw query ---------------------------------------------------------------------------

    def query(
        self,
        *,
        search_query: str | None = None,
        id_list: Sequence[str] = (),
        start: int = 0,
        max_results: int = PAGE_SIZE,
        sort_by: str | None = None,
        sort_order: str = "descending",
    ) -> AtomPage:
        """One request; raises :class:`NetworkError` on failure, a refused query or a malformed answer."""
        params: dict[str, str | int] = {"start": start, "max_results": max_results}
        if search_query:
            params["search_query"] = search_query
        if id_list:
            params["id_list"] = ",".join(id_list)
        if sort_by:
            params["sortBy"] = sort_by
            params["sortOrder"] = sort_order
        with self.throttle.slot():
            self.requests += not self.http.offline  # offline, none is sent
            # arXiv explains a refused query (400) in an Atom error entry: read it rather than say "400".
            response = self.http.get(
                self.base_url,
                params=params,
                service=self.service,
                accept="application/atom+xml",
                limits=self.limits,
                allow_status=frozenset({400}),
            )
        if _more_entries_than(response.content, max_results):
            raise NetworkError(
                f"{self.service}: the answer holds more than the {max_results} "
                f"{'entry' if max_results == 1 else 'entries'} asked for; refused",
                kind="malformed",
                url=response.url,
            )
        page = read_feed(response.content)
        if page.error:
            raise NetworkError(f"{self.service} refused the query: {page.error}", kind="query", url=response.url)
        if response.status >= 400:
            raise NetworkError(f"{self.service}: the server answered {response.status}", kind="http",
                               url=response.url, status=response.status)
        if page.damaged and not page.result.papers and page.total is None:
            raise NetworkError(
                f"{self.service}: the answer is not an arXiv Atom feed ({page.damaged}); try again later",
                kind="malformed",
                url=response.url,
            )
        if page.damaged:
            # The entries before the damage are not the answer: the ids after it would be reported as
            # unknown to arXiv, and a title search could lose the candidate that makes a match ambiguous.
            raise NetworkError(
                f"{self.service}: the answer was cut short or damaged ({page.damaged}); try again later",
                kind="malformed",
                url=response.url,
            )
        return page

    # -- by id -----------------------------------------------------------------------------------

    def by_ids(
        self,
        ids: Iterable[str],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Cancelled | None = None,
    ) -> IdLookup:
        """Look papers up by arXiv id, at most 100 per request; ``progress(done, total)`` after each batch.

        A failed batch raises; what earlier batches found is lost to the caller only if it
        does not use :meth:`by_id_batches`, which yields batch by batch.
        """
        lookup = IdLookup()
        for batch_lookup in self.by_id_batches(ids, progress=progress, cancelled=cancelled):
            lookup.found.update(batch_lookup.found)
            lookup.missing.extend(batch_lookup.missing)
            lookup.invalid.extend(batch_lookup.invalid)
        return lookup

    def by_id_batches(
        self,
        ids: Iterable[str],
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Cancelled | None = None,
    ) -> Iterable[IdLookup]:
        wanted: list[str] = []
        invalid: list[str] = []
        for raw in ids:
            canonical = find_arxiv_id(raw) if is_arxiv_id(raw) else None
            if canonical is None:
                invalid.append(raw)
            elif canonical not in wanted:
                wanted.append(canonical)
        if invalid:
            yield IdLookup(invalid=invalid)
        done = 0
        for offset in range(0, len(wanted), MAX_ID_BATCH):
            if cancelled is not None and cancelled():
                return
            batch = wanted[offset : offset + MAX_ID_BATCH]
            page = self.query(id_list=batch, max_results=len(batch))
            result = IdLookup()
            for paper in page.result.papers:
                if paper.arxiv_id in batch:
                    result.found[paper.arxiv_id] = paper
                elif paper.arxiv_id:
                    result.unasked.append(paper.arxiv_id)
            result.missing = [i for i in batch if i not in result.found]
            done += len(batch)
            if progress is not None:
                progress(done, len(wanted))
            yield result

    # -- by title --------------------------------------------------------------------------------

    def search_title(self, title: str, *, max_results: int = 10) -> list[Paper]:
        """Candidates for a title (one request); deciding which, if any, is the paper is the caller's job."""
        if not _WORD.search(title):
            return []
        return self.query(search_query=title_query(title), max_results=max_results).result.papers

    # -- newest in categories ----------------------------------------------------------------------

    def newest(
        self,
        categories: Sequence[str],
        *,
        since: date,
        page_size: int = PAGE_SIZE,
        max_results: int = MAX_RESULTS,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Cancelled | None = None,
    ) -> Listing:
        """Papers first submitted on or after ``since`` in any of ``categories``, newest first.

        Sorted by submission date, paged until the first paper older than ``since``, the end
        of the results, or ``max_results``.
        """
        bad = [c for c in categories if not is_arxiv_category(c)]
        if bad or not categories:
            raise ValueError(f"not an arXiv category: {', '.join(bad) or '(none given)'} (e.g. cs.CL, hep-th)")
        search = " OR ".join(f"cat:{c}" for c in categories)
        threshold = since.isoformat()
        papers: list[Paper] = []
        seen: set[str] = set()
        start = 0
        empty_retry = True
        while True:
            if cancelled is not None and cancelled():
                return Listing(papers, truncated=True)
            size = min(page_size, max_results - start)
            page = self.query(search_query=search, start=start, max_results=size, sort_by="submittedDate")
            batch = page.result.papers
            if not batch:
                # arXiv now and then answers a page inside the results with nothing: ask once more.
                if empty_retry and page.total is not None and start < page.total:
                    empty_retry = False
                    continue
                return Listing(papers, truncated=page.total is not None and start < page.total)
            older = False
            for paper in batch:
                if paper.published is not None and paper.published < threshold:
                    older = True
                    continue
                key = paper.arxiv_id or paper.id
                if key not in seen:
                    seen.add(key)
                    papers.append(paper)
            start += len(batch)
            if progress is not None:
                progress(len(papers), page.total or len(papers))
            if older or (page.total is not None and start >= page.total):
                return Listing(papers)
            if start >= max_results:
                return Listing(papers, truncated=True)
