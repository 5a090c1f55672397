"""Citation attribution: which passage supports each sentence of an answer, decided by code.

Every answer sentence is scored against every passage by lexical overlap (IDF-weighted recall of
the sentence's content words in the passage) and by embedding similarity. The sentence cites its
best passage; ``[n]`` markers the model wrote are kept only when the passage
they name really supports the sentence. A sentence that no passage supports gets no marker and is
reported in ``Attribution.unsupported``. The quote of each citation is the passage sentence that
best supports the answer sentence citing it.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from paperqa.types import Passage

# Weights of the two signals, and the support thresholds, set by measurement on the dev set.
LEXICAL_WEIGHT = 0.6
SEMANTIC_WEIGHT = 0.4
MIN_LEXICAL = 0.35  # a sentence is supported when its best passage reaches this overlap ...
MIN_SCORE = 0.45  # ... or this combined score
MARKER_MIN_RATIO = 0.8  # a model-written marker is kept when it scores >= this share of the best
QUESTION_WEIGHT = 0.3  # question words help short answers ("Six.") find their passage
MAX_QUOTE_CHARS = 300


class Encoder(Protocol):
    """The part of ``paperqa.ingest.embed.Embedder`` attribution uses."""

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray: ...


@dataclass
class Citation:
    """One cited passage: ``marker`` is its 1-based number among the answer's passages."""

    marker: int
    doc: str
    title: str
    year: int | None
    pages: str
    quote: str
    chunk_id: int


@dataclass
class SentenceSupport:
    """How one answer sentence is supported: cited passage indices (0-based) and scores."""

    sentence: str
    cited: list[int]
    supported: bool
    lexical: list[float] = field(default_factory=list)
    semantic: list[float] = field(default_factory=list)
    model_markers: list[int] = field(default_factory=list)


@dataclass
class Attribution:
    text: str  # the answer with code-placed [n] markers
    sentences: list[SentenceSupport]
    citations: list[Citation]
    unsupported: list[str]


_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves
    paper papers passage passages author authors according answer question use used using
    based describe described show shown"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_MARKER_RE = re.compile(r"\s*\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n+")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "Fig.", "Eq.", "Sec.", "vs.", "cf.", "approx.")
_TERM_RE = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*")


def normalize(text: str) -> str:
    """NFKC, lowercase, PDF hyphenation joined, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"-\s*\n\s*", "", text)
    return re.sub(r"\s+", " ", text).strip()


_NUMBERS = "zero one two three four five six seven eight nine ten eleven twelve"
_NUMBER_WORDS = {word: str(i) for i, word in enumerate(_NUMBERS.split())}
_SHORT_SENTENCE = 4  # content words; shorter sentences are judged together with the question


def _stem(word: str) -> str:
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    if word.isdigit() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Content words of ``text``: normalized, stopwords dropped, plural 's' stripped."""
    return [
        _stem(t)
        for t in _TERM_RE.findall(normalize(text))
        if t not in _STOPWORDS and (len(t) > 1 or t.isdigit())
    ]


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text`` (not split after common abbreviations or inside numbers)."""
    protected = text
    for i, abbr in enumerate(_ABBREVIATIONS):
        protected = protected.replace(abbr, f"\x00{i}\x00")
    pieces = _SENTENCE_END_RE.split(protected)
    sentences = []
    for piece in pieces:
        for i, abbr in enumerate(_ABBREVIATIONS):
            piece = piece.replace(f"\x00{i}\x00", abbr)
        piece = re.sub(r"\s+", " ", piece).strip()
        if piece:
            sentences.append(piece)
    return sentences


def strip_markers(text: str) -> str:
    return _MARKER_RE.sub("", text).strip()


def parse_markers(sentence: str) -> list[int]:
    """Numbers in ``[n]``, ``[n, m]`` and ``[n-m]`` markers, in order, without repeats."""
    found: list[int] = []
    for group in _MARKER_RE.findall(sentence):
        for part in re.split(r"\s*[,;]\s*", group):
            bounds = [int(x) for x in re.split(r"\s*[–-]\s*", part) if x]
            numbers = range(bounds[0], bounds[-1] + 1) if len(bounds) == 2 else bounds
            found.extend(n for n in numbers if n not in found)
    return found


def _idf(passage_terms: list[set[str]]) -> dict[str, float]:
    n = len(passage_terms)
    df: dict[str, int] = {}
    for ts in passage_terms:
        for t in ts:
            df[t] = df.get(t, 0) + 1
    return {t: 1.0 + math.log((n + 1) / (count + 1)) for t, count in df.items()}


def _weight(term: str, idf: dict[str, float], n_passages: int) -> float:
    base = idf.get(term, 1.0 + math.log(n_passages + 1))
    return base * (1.5 if any(c.isdigit() for c in term) else 1.0)


def lexical_support(
    sentence_terms: Sequence[str],
    passage_terms: set[str],
    idf: dict[str, float],
    n_passages: int,
    context_terms: Sequence[str] = (),
) -> float:
    """IDF-weighted share of the sentence's (and, weakly, the question's) words in the passage."""
    own = set(sentence_terms)
    context_weight = QUESTION_WEIGHT if len(own) >= _SHORT_SENTENCE else 1.0
    weighted = [(t, _weight(t, idf, n_passages)) for t in own]
    weighted += [
        (t, context_weight * _weight(t, idf, n_passages)) for t in set(context_terms) - own
    ]
    total = sum(w for _, w in weighted)
    if total == 0:
        return 0.0
    return sum(w for t, w in weighted if t in passage_terms) / total


def best_quote(sentence: str, passage_text: str, context: str = "") -> str:
    """The passage sentence sharing the most weighted words with ``sentence`` (and context)."""
    candidates = [s for s in split_sentences(passage_text) if len(s) >= 20] or [passage_text]
    cand_terms = [set(terms(c)) for c in candidates]
    idf = _idf(cand_terms)
    own, ctx = terms(sentence), terms(context)
    scores = [lexical_support(own, ts, idf, len(candidates), ctx) for ts in cand_terms]
    quote = candidates[int(np.argmax(scores))]
    if len(quote) > MAX_QUOTE_CHARS:
        quote = quote[: MAX_QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return quote


def attribute(
    answer: str,
    passages: Sequence[Passage],
    *,
    question: str = "",
    encoder: Encoder | None = None,
    passage_vectors: np.ndarray | None = None,
    years: dict[str, int | None] | None = None,
) -> Attribution:
    """Attribute each sentence of ``answer`` to the passages that support it.

    ``passage_vectors`` (L2-normalised, one row per passage) saves re-encoding the passages;
    without an ``encoder`` only lexical overlap is used.
    """
    # "... layers.[1] Next" and "... layers. [1] Next": move the marker inside its sentence.
    answer = re.sub(
        r"([.!?])\s*((?:\[\d[\d,;\s–-]*\]\s*)+)",
        lambda m: f" {m.group(2).strip()}{m.group(1)} ",
        answer,
    )
    sentences = [s for s in split_sentences(answer) if strip_markers(s)]
    if not sentences or not passages:
        return Attribution(strip_markers(answer), [], [], [])
    passage_terms = [set(terms(p.text)) for p in passages]
    idf = _idf(passage_terms)
    plain = [strip_markers(s) for s in sentences]
    semantic = np.zeros((len(sentences), len(passages)), dtype=np.float32)
    if encoder is not None:
        if passage_vectors is None:
            passage_vectors = encoder.encode_passages([p.text for p in passages])
        probes = [
            t if len(terms(t)) >= _SHORT_SENTENCE else f"{question} {t}".strip() for t in plain
        ]
        semantic = encoder.encode_queries(probes) @ passage_vectors.T
    context = terms(question)

    supports: list[SentenceSupport] = []
    for i, (sentence, text) in enumerate(zip(sentences, plain, strict=True)):
        own = terms(text)
        lexical = [lexical_support(own, pt, idf, len(passages), context) for pt in passage_terms]
        sem = [float(x) for x in semantic[i]]
        support = SentenceSupport(text, [], False, lexical, sem, parse_markers(sentence))
        supports.append(support)
        if not own:
            continue  # nothing checkable ("Yes."), cited with its neighbour below
        scores = [
            LEXICAL_WEIGHT * lx + SEMANTIC_WEIGHT * sm for lx, sm in zip(lexical, sem, strict=True)
        ]
        best = int(np.argmax(scores))
        support.supported = lexical[best] >= MIN_LEXICAL or scores[best] >= MIN_SCORE
        if not support.supported:
            continue
        valid = [
            m - 1
            for m in support.model_markers
            if 1 <= m <= len(passages) and scores[m - 1] >= MARKER_MIN_RATIO * scores[best]
        ]
        # One passage per sentence: citing near-ties too measured lower precision on the dev set.
        support.cited = valid or [best]

    # Sentences without content words take the citations of the sentence before them.
    for prev, cur in itertools.pairwise(supports):
        if not terms(cur.sentence) and prev.supported:
            cur.cited, cur.supported = list(prev.cited), True

    citations: dict[int, Citation] = {}
    for support in supports:
        for j in support.cited:
            if j not in citations:
                p = passages[j]
                citations[j] = Citation(
                    marker=j + 1,
                    doc=p.doc,
                    title=p.chunk.title,
                    year=(years or {}).get(p.doc),
                    pages=p.chunk.pages,
                    quote=best_quote(support.sentence, p.text, question),
                    chunk_id=p.chunk.id,
                )
    text = _render(supports)
    unsupported = [s.sentence for s in supports if terms(s.sentence) and not s.supported]
    return Attribution(text, supports, list(citations.values()), unsupported)


def _render(supports: list[SentenceSupport]) -> str:
    """Join sentences, putting markers before the final punctuation; a run of sentences citing
    the same passages is marked once, at its end."""
    out: list[str] = []
    for i, s in enumerate(supports):
        following = supports[i + 1].cited if i + 1 < len(supports) else None
        sentence = s.sentence
        if s.cited and s.cited != following:
            marks = "".join(f"[{j + 1}]" for j in sorted(s.cited))
            match = re.search(r"[.!?:;]+[\"')]*$", sentence)
            cut = match.start() if match else len(sentence)
            sentence = f"{sentence[:cut].rstrip()} {marks}{sentence[cut:]}"
        out.append(sentence)
    return " ".join(out)
