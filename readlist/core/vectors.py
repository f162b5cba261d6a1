"""The library as sparse vectors, shared by the interest score and related papers.

Each paper becomes one row: TF-IDF weights of the words of its title (counted twice, titles
say more per word), abstract and keywords, then one column per author, organization, tag and category it has.
The vocabulary and word rarities are learned from the whole library, so the same words mean the same thing
in every row. Building it for 10,000 papers takes seconds, so it is built once, off the UI thread, and then
updated: a changed or new paper is re-vectorized against the existing vocabulary, and the vocabulary is
re-learned only once a quarter of the rows are newer than it. A ``PaperVectors`` is never modified after it is
made (an update returns a new one), so a UI thread can read one while a worker builds the next.

Next to the words, each paper gets a few **topic** coordinates: the library's words are grouped into the
directions along which papers differ most (latent semantic analysis: a truncated SVD of the TF-IDF matrix,
learned from the library itself, nothing downloaded). Words that keep turning up together ("image", "pixels",
"segmentation") end up on the same direction, so a paper about video can look like a kept paper about
images although they share few exact words. That is what a new user's few dozen decisions lack: measured on
bench/rank_eval.py, it lifts the ranking after 30 decisions for every simulated reader with a narrow taste.
The topic axes are linear in the word weights, so everything built on them can still be said in words.

This module imports SciPy, and scikit-learn where a vocabulary is learned or used to vectorize a paper: import
it lazily, never at start-up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

import msgspec
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from readlist.core.filler_words import FILLER_WORDS
from readlist.core.model import Paper, StoredText, abstract_mark

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

FloatArray = npt.NDArray[np.float64]

# Meta feature kinds, in column order; the prefix keeps "rl" the tag apart from a paper by an author "RL".
META_KINDS = ("author", "org", "tag", "category")


@dataclass(frozen=True, slots=True)
class VectorConfig:
    """How papers become vectors; the defaults are the ones bench/rank_eval.py measured best."""

    title_repeat: int = 2
    # Single words: word pairs measured no better for the interest score, 3 points better for related papers,
    # and cost 2.5x the build time, 3x the memory and 3-5x the training time (docs/interest.md).
    ngram_max: int = 1
    # A word in a single paper says nothing about any other paper; a word in most papers says nothing at all.
    # The same floor holds for authors, organizations, tags and categories in the interest model's features.
    min_df: int = 2
    max_df: float = 0.5
    # Scale of each metadata block next to the unit-length text vector, for the interest model.
    author_weight: float = 0.5
    org_weight: float = 0.5
    tag_weight: float = 0.5
    category_weight: float = 0.3
    # Re-learn the vocabulary once this share of rows was vectorized after it was learned.
    refit_share: float = 0.25
    # Topic axes: about one per this many papers (a library of 325 papers gets 20), at most ``max_topics``,
    # none below 2 (a library of under 32 papers has no topics to speak of). Measured on bench/rank_eval.py:
    # 12 to 25 axes on its 325 papers rank alike, 30 and more fall back towards plain words.
    papers_per_topic: int = 16
    max_topics: int = 50
    # The axes are learned from at most this many papers (a fixed sample), which bounds their cost at ~1 s.
    topic_sample: int = 4000

    def topic_count(self, n_docs: int, n_terms: int) -> int:
        """How many topic axes a library of ``n_docs`` papers and ``n_terms`` words gets (0: none)."""
        count = min(self.max_topics, n_docs // max(self.papers_per_topic, 1), n_terms - 1)
        return count if count >= 2 else 0

    def weight_of(self, kind: str) -> float:
        return {
            "author": self.author_weight,
            "org": self.org_weight,
            "tag": self.tag_weight,
            "category": self.category_weight,
        }[kind]


# A word: a letter, then letters, digits, hyphens or apostrophes inside, ending on a letter or digit. Numbers
# alone ("2023", "10") are not words here: they tie papers together by accident.
TOKEN_PATTERN = r"(?u)(?<!\\)\b[^\W\d_](?:[\w'-]*\w)?\b"


def paper_text(paper: Paper, title_repeat: int = 2) -> str:
    keywords = " ".join(paper.ai_keywords)
    return " . ".join([paper.title] * title_repeat + [paper.abstract, keywords])


TextKey = tuple[str, object, tuple[str, ...]]


def text_key(paper: Paper) -> TextKey:
    """What the text row depends on: re-vectorize a paper when this changes.

    The abstract is held as the library holds it (:func:`~readlist.core.model.abstract_mark`): a long one
    stays in the library file instead of being read into memory for every paper, and an unchanged one is
    the same object, so comparing keys reads nothing.
    """
    return (paper.title, abstract_mark(paper), tuple(paper.ai_keywords))


DIGEST_SIZE = 16


def text_digest(paper: Paper) -> bytes:
    """A fingerprint of what the text row depends on (the contents behind :func:`text_key`), for rows kept on disk.

    A stored abstract is digested as the JSON bytes the library holds, which is what encoding the text gives,
    so it is not decoded.
    """
    mark = abstract_mark(paper)
    abstract = mark.json() if isinstance(mark, StoredText) else msgspec.json.encode(mark)
    parts = (msgspec.json.encode(paper.title), abstract, msgspec.json.encode(paper.ai_keywords))
    return hashlib.blake2b(b"\n".join(parts), digest_size=DIGEST_SIZE).digest()


MetaKey = tuple[tuple[str, ...], str | None, tuple[str, ...], tuple[str, ...]]


def meta_key(paper: Paper) -> MetaKey:
    """What the metadata row depends on."""
    return (tuple(paper.authors), paper.organization, tuple(paper.tags), tuple(paper.categories))


def meta_values(paper: Paper) -> list[tuple[str, str, str]]:
    """(kind, key, display) for each metadata feature of a paper; keys are case-folded for matching."""
    out: list[tuple[str, str, str]] = []
    for author in paper.authors:
        out.append(("author", author.casefold(), author))
    if paper.organization:
        out.append(("org", paper.organization.casefold(), paper.organization))
    for tag in paper.tags:
        out.append(("tag", tag, tag))
    for category in paper.categories:
        out.append(("category", category.casefold(), category))
    return out


# Below this many papers, document-frequency cut-offs mean nothing: every word and metadata value counts.
SMALL_LIBRARY = 20


def _min_df(config: VectorConfig, n_docs: int) -> int:
    return 1 if n_docs < SMALL_LIBRARY else config.min_df


def word_forms(word: str) -> tuple[str, str, str]:
    """The word, its plural and its singular as a reader would look for them ("agent" finds "agents" and "agent"):
    a word with and without a final "s" names one thing, for a tag and for the reasons shown for a score."""
    return (word, word + "s", word[:-1] if word.endswith("s") else word)


# Numerals a title writes as words ("Part II"): shared by papers, but they say nothing of what the papers are about.
_NUMERALS = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii"})


def shown_form(word: str) -> str:
    """A word as a reason names it: without a possessive ending ("model's" is shown as "model")."""
    return word[:-2] if len(word) > 3 and word.endswith(("'s", "\u2019s")) else word


def says_something(term: str) -> bool:
    """Whether a word is worth naming as a reason for a score or a relation. A single letter ("w" of "w.r.t.",
    "t" of "T steps", "p" of "P(True)") or a Roman numeral is shared by many papers but means nothing to a
    reader; the model still learns from it, it is only never shown."""
    return len(term) >= 2 and term not in _NUMERALS


def form_key(word: str) -> str:
    """What a word, its plural and its possessive have in common, as English forms them: they share a key ("llm"
    for "llm", "llms" and "llm's", "lm" for "lms", "policy" for "policies", "class" for "classes"). Only shown
    reasons are grouped by it, never the model's features, so a pair it misses ("bias", "biases") is only shown
    twice."""
    word = shown_form(word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) >= 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@cache
def _stop_words() -> list[str]:
    """English stop words and the filler words of scholarly prose (:mod:`readlist.core.filler_words`)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(ENGLISH_STOP_WORDS | FILLER_WORDS)


def _vectorizer(config: VectorConfig, n_docs: int, vocabulary: Sequence[str] | None = None) -> TfidfVectorizer:
    """The vectorizer ``config`` asks for; with ``vocabulary``, one that knows those words (in that order) and
    needs only its word rarities (``idf_``) set before it can vectorize."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    small = n_docs < SMALL_LIBRARY
    return TfidfVectorizer(
        vocabulary=None if vocabulary is None else {word: i for i, word in enumerate(vocabulary)},
        lowercase=True,
        stop_words=_stop_words(),
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, config.ngram_max),
        min_df=_min_df(config, n_docs),
        max_df=1.0 if small else config.max_df,
        sublinear_tf=True,
        dtype=np.float64,
    )


class Vocabulary:
    """The words of the text columns with their rarities, and the vectorizer that makes a paper's row from them.

    A build learns them with a fitted scikit-learn vectorizer. Words and rarities read back from disk
    (:mod:`readlist.core.vector_file`) become a vectorizer only when a paper has to be vectorized, so a command
    that only reads the rows (``readlist related``) never imports scikit-learn, 0.6 s of its time. There is one
    object per learned vocabulary, shared by every update of the vectors: a vocabulary learned anew is another.
    """

    def __init__(self, config: VectorConfig, n_docs: int, terms: tuple[str, ...], idf: FloatArray,
                 fitted: TfidfVectorizer | None = None) -> None:
        self._config = config
        self._n_docs = n_docs
        # The word of each text column, and its rarity.
        self.terms = terms
        self.idf = idf
        self._fitted = fitted

    @cached_property
    def vectorizer(self) -> TfidfVectorizer:
        if self._fitted is not None:
            return self._fitted
        vectorizer = _vectorizer(self._config, self._n_docs, self.terms)
        vectorizer.idf_ = self.idf
        return vectorizer


@dataclass(frozen=True)
class PaperVectors:
    """Rows for every paper of a library; see the module docstring."""

    config: VectorConfig
    ids: tuple[str, ...]
    row: dict[str, int]
    # None when no paper has a single usable word.
    vocabulary: Vocabulary | None
    # (n papers x vocabulary), rows of unit length (or zero for a paper with no known word).
    text: sp.csr_matrix
    # (n papers x metadata features), 0/1.
    meta: sp.csr_matrix
    meta_kinds: tuple[str, ...]
    meta_names: tuple[str, ...]
    text_keys: tuple[TextKey, ...]
    meta_keys: tuple[MetaKey, ...]
    # (topics x vocabulary), orthonormal rows: each topic axis as a weight per word; (0 x vocabulary) for none.
    topic_axes: FloatArray
    # (n papers x topics): each paper's text row projected on the axes (``text @ topic_axes.T``).
    topics: FloatArray
    # How many rows were vectorized after the vocabulary was learned.
    unfitted_rows: int = 0

    @classmethod
    def build(cls, papers: Iterable[Paper], config: VectorConfig | None = None) -> PaperVectors:
        """Learn the vocabulary from these papers and vectorize them all."""
        config = config or VectorConfig()
        papers = _unique(papers)
        # One paper's text at a time: the vectorizer reads them once, and abstracts kept on disk stay there.
        docs = (paper_text(p, config.title_repeat) for p in papers)
        vectorizer = _vectorizer(config, len(papers))
        vocabulary: Vocabulary | None = None
        try:
            text = sp.csr_matrix(vectorizer.fit_transform(docs))
            # Older scikit-learn versions keep every word cut for being too rare or too common, for inspection
            # only (documented as safe to delete); newer ones keep none, and then this does nothing.
            vectorizer.__dict__.pop("stop_words_", None)
            terms = tuple(str(t) for t in vectorizer.get_feature_names_out())
            idf = np.asarray(vectorizer.idf_, dtype=np.float64)
            vocabulary = Vocabulary(config, len(papers), terms, idf, vectorizer)
        except ValueError:  # no paper has a single usable word (empty library, or only stop words)
            text = sp.csr_matrix((len(papers), 0), dtype=np.float64)
        meta, kinds, names = _meta_matrix(papers)
        ids = tuple(p.id for p in papers)
        axes = _topic_axes(text, config)
        return cls(
            config=config,
            ids=ids,
            row={pid: i for i, pid in enumerate(ids)},
            vocabulary=vocabulary,
            text=text,
            meta=meta,
            meta_kinds=kinds,
            meta_names=names,
            text_keys=tuple(text_key(p) for p in papers),
            meta_keys=tuple(meta_key(p) for p in papers),
            topic_axes=axes,
            topics=_project(text, axes),
        )

    def updated(self, papers: Iterable[Paper]) -> PaperVectors:
        """Vectors for the library as it is now: new and changed papers re-vectorized, removed ones gone.

        Returns ``self`` when nothing the vectors depend on changed.
        """
        papers = _unique(papers)
        keys = [text_key(p) for p in papers]
        metas = tuple(meta_key(p) for p in papers)
        ids = tuple(p.id for p in papers)
        stale = [i for i, (pid, key) in enumerate(zip(ids, keys, strict=True)) if self._key_of(pid) != key]
        unfitted = self.unfitted_rows + len(stale)
        if self.vocabulary is None or unfitted > self.config.refit_share * max(len(papers), 1):
            return PaperVectors.build(papers, self.config)
        same_rows = ids == self.ids
        if same_rows and not stale and metas == self.meta_keys:
            return self  # the common case: a status or rating changed, nothing the vectors hold
        if same_rows and metas == self.meta_keys:
            meta, kinds, names = self.meta, self.meta_kinds, self.meta_names
        else:
            meta, kinds, names = _meta_matrix(papers)
        if same_rows and not stale:
            return replace(self, meta=meta, meta_kinds=kinds, meta_names=names, meta_keys=metas)
        old_rows = np.array([self.row.get(pid, 0) for pid in ids], dtype=np.int64)
        text = sp.csr_matrix(self.text[old_rows])
        topics = self.topics[old_rows] if len(old_rows) else np.zeros((0, self.topics.shape[1]))
        if stale:
            fresh = sp.csr_matrix(self.vocabulary.vectorizer.transform(
                [paper_text(papers[i], self.config.title_repeat) for i in stale]))
            text = _replace_rows(text, stale, fresh)
            topics[stale] = _project(fresh, self.topic_axes)
        return replace(
            self,
            ids=ids,
            row={pid: i for i, pid in enumerate(ids)},
            text=text,
            meta=meta,
            meta_kinds=kinds,
            meta_names=names,
            text_keys=tuple(keys),
            meta_keys=metas,
            topics=topics,
            unfitted_rows=unfitted,
        )

    def _key_of(self, paper_id: str) -> TextKey | None:
        row = self.row.get(paper_id)
        return None if row is None else self.text_keys[row]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def terms(self) -> tuple[str, ...]:
        """The word of each text column (none without a vocabulary)."""
        return self.vocabulary.terms if self.vocabulary is not None else ()

    @cached_property
    def meta_scale(self) -> FloatArray:
        """Each metadata column's value in the interest model's features: its kind's weight, or 0 for a value
        fewer than ``min_df`` papers have.

        An author (organization, tag, category) found on a single paper cannot say anything about another
        paper, just as a word found in one paper cannot, which is why words need ``min_df`` papers. Left in,
        such values let the model tell its few kept and skipped papers apart by their own unique names (a
        paper with eight authors has eight of them) instead of by what they are about, so less is learned
        about the words that recur in other papers. Measured on bench/rank_eval.py, after 30 decisions: AUC
        +0.004 to +0.008 for the readers whose papers carry author lists, no reader lower by more than 0.002.
        Once a second paper by the same author arrives, the value counts again (the columns are rebuilt when
        a paper's metadata changes). Related papers are unaffected: a value one paper has is shared by none.
        """
        weights = np.array([self.config.weight_of(kind) for kind in self.meta_kinds], dtype=np.float64)
        if not len(weights):
            return weights
        papers_with = np.asarray(self.meta.getnnz(axis=0)).ravel()
        return np.where(papers_with >= _min_df(self.config, len(self.ids)), weights, 0.0)

    @cached_property
    def unit_topics(self) -> FloatArray:
        """``topics`` with rows of unit length (zero rows stay zero), for cosines between papers."""
        norms = np.linalg.norm(self.topics, axis=1)
        return np.asarray(self.topics / np.where(norms > 0, norms, 1.0)[:, None], dtype=np.float64)

    @cached_property
    def features(self) -> sp.csr_matrix:
        """The interest model's input: text columns, then metadata columns scaled per kind."""
        scaled = self.meta @ sp.diags(self.meta_scale) if self.meta.shape[1] else self.meta
        features = sp.csr_matrix(sp.hstack([self.text, scaled], format="csr"))
        features.eliminate_zeros()  # the columns of values too rare to count
        return features

    def feature_name(self, column: int) -> tuple[str, str]:
        """(kind, display name) of a column of ``features``."""
        n_text = self.text.shape[1]
        if column < n_text:
            return ("term", self.terms[column])
        return self.meta_columns.name(column - n_text)

    def tag_words(self, columns: npt.NDArray[np.int64]) -> sp.csr_matrix:
        """Each of these tag columns of ``meta`` as a text row: the words of the tag's name, equal weights, unit
        length; a zero row when none of its words is in the vocabulary.

        A tag is read as the papers' text is read (lower case, stop words out), and a word also finds its plural
        or singular ("agent" finds "agents" and "agent"): a tag names a subject, not a form of a word. A tag of
        several words is stored joined by hyphens and finds papers that write it so ("software-testing"), not
        its words one by one: split, "testing" would find every statistical test (measured on
        bench/rank_eval.py: precision@10 0.05-0.09 lower for the readers who keep software-testing papers).
        """
        if self.vocabulary is None or not len(columns):
            return sp.csr_matrix((len(columns), self.text.shape[1]), dtype=np.float64)
        vocabulary = self.vocabulary.vectorizer.vocabulary_
        analyze = self.vocabulary.vectorizer.build_analyzer()
        rows: list[int] = []
        cols: list[int] = []
        data: list[float] = []
        for i, column in enumerate(columns):
            found: set[int] = set()
            for word in analyze(self.meta_names[int(column)]):
                for form in word_forms(word):
                    if form in vocabulary:
                        found.add(int(vocabulary[form]))
            if found:
                rows += [i] * len(found)
                cols += sorted(found)
                data += [1.0 / float(np.sqrt(len(found)))] * len(found)
        return sp.csr_matrix((data, (rows, cols)), shape=(len(columns), self.text.shape[1]), dtype=np.float64)

    def vectorize(self, papers: Sequence[Paper]) -> sp.csr_matrix:
        """Feature rows for papers, in order: stored rows when current, else vectorized on the spot."""
        rows: list[sp.csr_matrix] = []
        for paper in papers:
            row = self.row.get(paper.id)
            if row is not None and self.text_keys[row] == text_key(paper):
                rows.append(sp.csr_matrix(self.features[row]))
            else:
                rows.append(self._adhoc(paper))
        if not rows:
            return sp.csr_matrix((0, self.features.shape[1]), dtype=np.float64)
        return sp.csr_matrix(sp.vstack(rows, format="csr"))

    @cached_property
    def meta_columns(self) -> MetaColumns:
        return MetaColumns(self.meta_kinds, self.meta_names, self.meta_scale)

    def _adhoc(self, paper: Paper) -> sp.csr_matrix:
        if self.vocabulary is None:
            text = sp.csr_matrix((1, 0), dtype=np.float64)
        else:
            text = sp.csr_matrix(self.vocabulary.vectorizer.transform([paper_text(paper, self.config.title_repeat)]))
        return self.meta_columns.features(text, paper)


@dataclass(frozen=True)
class MetaColumns:
    """The metadata columns of the interest model's features: each one's kind, name (as first met) and weight
    (:attr:`PaperVectors.meta_scale`). With a paper's text row, all it takes to make the paper's features."""

    kinds: tuple[str, ...]
    names: tuple[str, ...]
    scale: FloatArray

    @cached_property
    def _index(self) -> dict[tuple[str, str], int]:
        return {(kind, name.casefold() if kind != "tag" else name): i
                for i, (kind, name) in enumerate(zip(self.kinds, self.names, strict=True))}

    def features(self, text: sp.csr_matrix, paper: Paper) -> sp.csr_matrix:
        """The paper's row of the features: its ``text`` row, then its metadata columns, scaled."""
        index = self._index
        cols = sorted({index[(kind, key)] for kind, key, _ in meta_values(paper) if (kind, key) in index})
        data = self.scale[cols] if cols else np.zeros(0)
        meta = sp.csr_matrix((data, (np.zeros(len(cols), dtype=np.int64), cols)), shape=(1, len(self.names)))
        row = sp.csr_matrix(sp.hstack([text, meta], format="csr"))
        row.eliminate_zeros()
        return row

    def name(self, column: int) -> tuple[str, str]:
        """(kind, display name) of the metadata column ``column`` (counted from the first metadata column)."""
        return (self.kinds[column], self.names[column])


@cache
def _blas_threads() -> ThreadpoolController:
    return ThreadpoolController()


def one_blas_thread() -> AbstractContextManager[object]:
    """A context in which NumPy's linear algebra runs on one thread.

    The engine's dense products are small (a 10,000 x 50 matrix times a vector) or run beside the UI; there the
    BLAS library's extra threads mostly spin, and on a two-core machine they take the core the UI needs.
    Measured: the topic axes for 10,000 papers take 2 s of CPU on one thread and 9 s on two when the machine is
    busy; related papers' topic cosines 0.2 ms against 8 ms.
    """
    limiter: AbstractContextManager[object] = _blas_threads().limit(limits=1, user_api="blas")
    return limiter


def _topic_axes(text: sp.csr_matrix, config: VectorConfig) -> FloatArray:
    """The library's topic axes: the leading right singular vectors of its TF-IDF matrix (latent semantic
    analysis), learned from a fixed sample of at most ``config.topic_sample`` papers so the cost stays bounded.

    Deterministic: the same library gives the same axes (the sample and the solver's seed are fixed).
    """
    n_docs, n_terms = text.shape
    count = config.topic_count(n_docs, n_terms)
    if count == 0:
        return np.zeros((0, n_terms), dtype=np.float64)
    sample = text
    if n_docs > config.topic_sample:
        rows = np.sort(np.random.default_rng(0).choice(n_docs, config.topic_sample, replace=False))
        sample = text[rows]
    from sklearn.decomposition import TruncatedSVD

    svd = TruncatedSVD(n_components=count, algorithm="randomized", n_iter=5, random_state=0)
    with one_blas_thread():
        svd.fit(sample)
    return np.asarray(svd.components_, dtype=np.float64)


def _project(text: sp.csr_matrix, axes: FloatArray) -> FloatArray:
    """Rows of ``text`` in topic coordinates: a dense (rows x topics) array."""
    if axes.shape[0] == 0:
        return np.zeros((text.shape[0], 0), dtype=np.float64)
    return np.asarray(text @ axes.T, dtype=np.float64)


def _unique(papers: Iterable[Paper]) -> list[Paper]:
    """One row per id (the last copy wins), so row lookups by id are unambiguous."""
    by_id: dict[str, Paper] = {}
    for paper in papers:
        by_id[paper.id] = paper
    return list(by_id.values())


def _meta_matrix(papers: Sequence[Paper]) -> tuple[sp.csr_matrix, tuple[str, ...], tuple[str, ...]]:
    """0/1 matrix of authors, organizations, tags and categories; columns sorted by kind then first use."""
    columns: dict[tuple[str, str], int] = {}
    display: list[str] = []
    kinds: list[str] = []
    rows: list[int] = []
    cols: list[int] = []
    for i, paper in enumerate(papers):
        seen: set[int] = set()
        for kind, key, shown in meta_values(paper):
            col = columns.get((kind, key))
            if col is None:
                col = columns[(kind, key)] = len(display)
                display.append(shown)
                kinds.append(kind)
            if col not in seen:
                seen.add(col)
                rows.append(i)
                cols.append(col)
    # Group columns by kind so the matrix layout does not depend on which kind was met first.
    order = sorted(range(len(display)), key=lambda c: (META_KINDS.index(kinds[c]), c))
    new_col = np.empty(len(order), dtype=np.int64)
    new_col[order] = np.arange(len(order))
    mapped = new_col[np.array(cols, dtype=np.int64)] if cols else np.zeros(0, dtype=np.int64)
    matrix = sp.csr_matrix(
        (np.ones(len(rows)), (np.array(rows, dtype=np.int64), mapped)), shape=(len(papers), len(display))
    )
    return matrix, tuple(kinds[c] for c in order), tuple(display[c] for c in order)


def _replace_rows(matrix: sp.csr_matrix, rows: Sequence[int], fresh: sp.csr_matrix) -> sp.csr_matrix:
    """``matrix`` with ``rows`` replaced by the rows of ``fresh``, in one pass."""
    mask = np.ones(matrix.shape[0], dtype=bool)
    mask[list(rows)] = False
    keep = sp.diags(mask.astype(np.float64)) @ matrix
    place = sp.csr_matrix(
        (np.ones(len(rows)), (np.array(rows, dtype=np.int64), np.arange(len(rows)))),
        shape=(matrix.shape[0], len(rows)),
    )
    return sp.csr_matrix(keep + place @ fresh)


def as_array(value: Any) -> FloatArray:
    """A flat float array from whatever a sparse product returned (matrix, array or sparse)."""
    if sp.issparse(value):
        value = value.toarray()
    return np.asarray(value, dtype=np.float64).ravel()
