"""Second-stage evidence for a candidate passage: what the first-stage scores do not see.

For a query and its candidate chunks, ``FeatureScorer.features`` gives one row per candidate:
the first-stage scores (dense cosine, BM25, their fusion), how well the passage's own words cover
the query's (idf-weighted, in the whole passage and in its best sentence), query word pairs kept
together, the query's numbers found, a number beside the query's words when the question asks
for a quantity, a sentence that gives a reason when it asks why, the section heading's match,
whether the question names the passage's paper, and how much of the candidate list comes from
the same paper. All cheap: a few ms for 50 passages.

Which papers the question names comes from ``paperqa.mentions.PaperNames``; how much of each
paper's title it repeats (idf-weighted over the index's titles) from ``TitleOverlap`` here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np

from paperqa.mentions import PaperNames
from paperqa.text import (
    asks_for_quantity,
    asks_why,
    gives_reason,
    split_sentences,
    tokenize,
)
from paperqa.types import Chunk

FEATURES = (
    "hybrid",
    "dense",
    "bm25",
    "before",
    "after",
    "coverage",
    "sentence",
    "window",
    "bigram",
    "numbers",
    "quantity",
    "number_window",
    "reason",
    "section",
    "position",
    "length",
    "named",
    "title",
    "doc_share",
)

WINDOW = 10  # terms: the span for proximity (about a clause)


def _has_digit(term: str) -> bool:
    return any(c.isdigit() for c in term)


@dataclass(frozen=True)
class _ChunkTerms:
    """The terms of one chunk, cut the ways the features look at them."""

    body: list[str]
    numeric: list[bool]  # per body term: whether it is a number
    sentences: list[set[str]]
    number_sentences: list[bool]
    reason_sentences: list[bool]
    section: set[str]


@dataclass
class QueryInfo:
    """What the features need to know about a query, computed once per query."""

    text: str
    terms: list[str]
    idf: dict[str, float]
    bigrams: set[tuple[str, str]]
    numbers: set[str]
    quantity: bool
    why: bool
    named: dict[str, float] = field(default_factory=dict)
    title: dict[str, float] = field(default_factory=dict)


class TitleOverlap:
    """How much of each indexed paper's title a query repeats, rare title words weighing more."""

    def __init__(self, documents: dict[str, dict[str, Any]]):
        self._title_terms = {
            doc: set(tokenize(meta.get("title", ""))) for doc, meta in documents.items()
        }
        n_docs = max(len(documents), 1)
        title_df: dict[str, int] = defaultdict(int)
        for terms in self._title_terms.values():
            for term in terms:
                title_df[term] += 1
        self._title_idf = {t: math.log((n_docs + 1) / (df + 0.5)) for t, df in title_df.items()}

    def overlap(self, query: str) -> dict[str, float]:
        """Per paper: the share of its title's (idf-weighted) terms that the query contains."""
        terms = set(tokenize(query))
        overlap = {}
        for doc, title in self._title_terms.items():
            total = sum(self._title_idf[t] for t in title)
            shared = sum(self._title_idf[t] for t in title & terms)
            if shared and total:
                overlap[doc] = shared / total
        return overlap


class FeatureScorer:
    """Computes the feature rows of candidate chunks for a query."""

    def __init__(
        self, chunks: list[Chunk], idf: dict[str, float], documents: dict[str, dict[str, Any]]
    ):
        self.chunks = chunks
        self.idf = idf
        self.names = PaperNames(documents)
        self.titles = TitleOverlap(documents)
        self._terms = lru_cache(maxsize=8192)(self._chunk_terms)

    def query(self, text: str) -> QueryInfo:
        named, naming = self.names.match(text)
        # The words that name a paper ("Kaplan", "NTM") tell the paper, not the passage: the
        # passage-level features leave them out.
        ordered = tokenize(text)
        terms = [t for t in dict.fromkeys(ordered) if t not in naming]
        return QueryInfo(
            text=text,
            terms=terms,
            idf={t: max(self.idf.get(t, 0.0), 0.0) for t in terms},
            bigrams=set(pairwise(ordered)),
            numbers={t for t in terms if _has_digit(t)},
            quantity=asks_for_quantity(text),
            why=asks_why(text),
            named=named,
            title=self.titles.overlap(text),
        )

    def _chunk_terms(self, index: int) -> _ChunkTerms:
        chunk = self.chunks[index]
        texts = split_sentences(chunk.text) or [""]
        sentences = [set(tokenize(s)) for s in texts]
        body = tokenize(chunk.text)
        return _ChunkTerms(
            body=body,
            numeric=[_has_digit(t) for t in body],
            sentences=sentences,
            number_sentences=[any(_has_digit(t) for t in s) for s in sentences],
            reason_sentences=[gives_reason(s) for s in texts],
            section=set(tokenize(chunk.section)),
        )

    def features(
        self, query: QueryInfo, ids: list[int], first_stage: dict[str, np.ndarray]
    ) -> np.ndarray:
        """One row per candidate chunk id, columns in ``FEATURES`` order.

        ``first_stage`` holds the candidates' ``hybrid``, ``dense`` and ``bm25`` scores, and
        ``before``/``after``: the fused score of the chunk before/after each (0 at a paper's end).
        """
        bm25 = first_stage["bm25"]
        top_bm25 = float(bm25.max()) if len(bm25) and bm25.max() > 0 else 1.0
        share = _doc_share([self.chunks[i].doc for i in ids], first_stage["hybrid"])
        rows = []
        for row, index in enumerate(ids):
            doc = self.chunks[index].doc
            passage = self._passage_features(query, index)
            rows.append(
                [
                    first_stage["hybrid"][row],
                    first_stage["dense"][row],
                    bm25[row] / top_bm25,
                    first_stage["before"][row],
                    first_stage["after"][row],
                    *passage,
                    query.named.get(doc, 0.0),
                    query.title.get(doc, 0.0),
                    share[doc],
                ]
            )
        return np.asarray(rows, dtype=np.float64).reshape(len(ids), len(FEATURES))

    def _passage_features(self, query: QueryInfo, index: int) -> list[float]:
        """coverage, sentence, window, bigram, numbers, quantity, number_window, reason,
        section, position and length of one chunk."""
        terms = self._terms(index)
        weight = query.idf
        total = sum(weight.values()) or 1.0
        body = set(terms.body)
        coverage = sum(w for t, w in weight.items() if t in body) / total
        per_sentence = [
            sum(w for t, w in weight.items() if t in s) / total for s in terms.sentences
        ]
        best = int(np.argmax(per_sentence))
        window, number_window = _windows(terms, weight, total)
        pairs = set(pairwise(terms.body))
        bigram = len(query.bigrams & pairs) / len(query.bigrams) if query.bigrams else 0.0
        numbers = len(query.numbers & body) / len(query.numbers) if query.numbers else 0.0
        quantity = float(query.quantity and terms.number_sentences[best])
        reason = _best_with(per_sentence, terms.reason_sentences) if query.why else 0.0
        section = sum(w for t, w in weight.items() if t in terms.section) / total
        position = best / (len(terms.sentences) - 1) if len(terms.sentences) > 1 else 0.0
        return [
            coverage,
            per_sentence[best],
            window,
            bigram,
            numbers,
            quantity,
            number_window if query.quantity else 0.0,
            reason,
            section,
            position,
            float(np.log1p(len(terms.body))),
        ]


def _best_with(per_sentence: list[float], flags: list[bool]) -> float:
    """The best query coverage of a sentence that carries the cue the question wants."""
    return max(
        (share for share, flag in zip(per_sentence, flags, strict=True) if flag), default=0.0
    )


def _windows(terms: _ChunkTerms, weight: dict[str, float], total: float) -> tuple[float, float]:
    """The best idf-weighted query coverage of any ``WINDOW`` consecutive terms, and of any
    such window that holds a number (where a quantity asked for would be)."""
    best = best_numeric = 0.0
    body = terms.body
    starts = [i for i, t in enumerate(body) if t in weight]
    for start in starts:
        seen = set(body[start : start + WINDOW])
        score = sum(weight[t] for t in seen if t in weight) / total
        best = max(best, score)
        lo, hi = max(0, start - WINDOW // 2), start + WINDOW + WINDOW // 2
        if any(terms.numeric[lo:hi]):
            best_numeric = max(best_numeric, score)
    return best, best_numeric


def _doc_share(docs: list[str], fused: np.ndarray) -> dict[str, float]:
    """Each paper's share of the candidates' fused score: agreement on the paper."""
    total = float(np.sum(fused)) or 1.0
    share: dict[str, float] = {}
    for doc, score in zip(docs, fused, strict=True):
        share[doc] = share.get(doc, 0.0) + float(score) / total
    return share
