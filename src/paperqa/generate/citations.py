"""Citation attribution: which passage supports each sentence of an answer, decided by code.

Every answer sentence is scored against every passage by lexical overlap (IDF-weighted recall of
the sentence's content words in the passage) and by embedding similarity. A passage supports the
sentence when either its overlap or the two combined reach a threshold; the sentence cites the
best-scoring passage that supports it. ``[n]`` markers the model wrote are kept only when the
passage they name really supports the sentence. A sentence that no passage supports gets no
marker and is reported in ``Attribution.unsupported`` and marked ``[unsupported]`` in the text.

Facts must hold in the passage cited: every number, quoted phrase and name (an acronym, a
mixed-case or numbered name, a paper's nickname) of a sentence that is not the user's own word
must occur in it (``paperqa.text.occurs``; a paper's nickname holds in that paper's passages).
Otherwise the citation moves to the passage that holds them, or to the few passages that hold them
together (a sentence comparing two papers cites both), or the sentence is unsupported.

Sources are numbered in the order the answer first cites them: ``[1]`` is the first cited. The
quote of each citation is the passage sentence that best supports the answer sentence citing it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

import numpy as np

from paperqa.generate.prompts import UNSUPPORTED_MARK
from paperqa.mentions import (
    Mention,
    author_words,
    is_made_up,
    mentions,
    text_descriptions,
    title_initials,
    without_paper_names,
)
from paperqa.readinglist import reading_list
from paperqa.text import (
    NUMBER_WORDS,
    YEAR_PATTERN,
    asks_which_paper,
    asks_why,
    fold_accents,
    inflection_of,
    normalize,
    occurs,
    occurs_as_word,
    settings_unnamed,
    split_sentences,
    tokenize,
    without_reference_marks,
)
from paperqa.types import Passage

# Weights of the two signals, and the support thresholds, set by measurement on the dev set.
LEXICAL_WEIGHT = 0.6
SEMANTIC_WEIGHT = 0.4
MIN_LEXICAL = 0.35  # a sentence is supported when its best passage reaches this overlap ...
MIN_SCORE = 0.45  # ... or this combined score
MARKER_MIN_RATIO = 0.8  # a model-written marker is kept when it scores >= this share of the best
QUESTION_WEIGHT = 0.3  # question words help short answers ("Six.") find their passage
MAX_QUOTE_CHARS = 300
_SHORT_SENTENCE = 4  # content words; shorter sentences are judged together with the question
MOVE_MIN_RATIO = 0.5  # a citation moves only to a passage scoring >= this share of the best
# A sentence below the overlap thresholds is still supported by a passage that holds every one
# of its numbers and names, when it shares at least this much of the sentence's words.
FACTS_MIN_LEXICAL = 0.25
MAX_COVER = 3  # at most this many passages together hold one sentence's facts
_NUMBER_RE = re.compile(
    r"(?<![\w.\-])\d+(?:[.,]\d+)*(?:%|\s(?:thousand|million|billion|trillion)\b|[kMBT]\b)?"
)
# Each scale's factor, and how a passage writes a number at that scale: right after it ("6
# billion", "6-billion", "6B"), or anywhere in the passage (a table's "params × 10^6" over a
# bare "213").
_SCALES = {
    "thousand": (1e3, r"\s?-?(?:thousand|k)\b", r"\bthousands?\b|10\s?\^?\s?3\b|\(k\)"),
    "million": (1e6, r"\s?-?(?:million|m)\b", r"\bmillions?\b|10\s?\^?\s?6\b|\(m\)"),
    "billion": (1e9, r"\s?-?(?:billion|b|bn)\b", r"\bbillions?\b|10\s?\^?\s?9\b|\(b\)"),
    "trillion": (1e12, r"\s?-?(?:trillion|t)\b", r"\btrillions?\b|10\s?\^?\s?12\b"),
}
_SCALE_LETTERS = {"k": "thousand", "m": "million", "b": "billion", "t": "trillion"}
_SCALED_RE = re.compile(r"([\d.,]+)\s?(thousand|million|billion|trillion|[kmbt])$", re.IGNORECASE)
# A count written as a word ("Two GPUs") is checked like its digits; "one" is left out, being as
# often a pronoun ("one of the models").
_COUNT_WORDS = "|".join(w for w in NUMBER_WORDS if w not in ("zero", "one"))
_NUMBER_WORD_RE = re.compile(rf"(?<!-)\b(?:{_COUNT_WORDS})\b(?!-)", re.IGNORECASE)
# A count and the plural right after it, what it counts: "20 parameters", "eight layers".
_COUNT_RE = re.compile(rf"(?<![\w.])(\d+|(?i:{_COUNT_WORDS}))\s+([a-z]+s)\b")
# Names worth checking: acronyms (ABC, XYZ-19), mixed case (ResNet, GPipe), numbered (Q42).
_FACT_NAME_RE = re.compile(r"\b(?:[A-Z]{2,}[\w-]*|[A-Za-z]+[a-z][A-Z][\w-]*|[A-Z][a-z]*-?\d[\w-]*)")
# A phrase in double or single quotes ("complextropy", 'complextropy'); an apostrophe inside a
# word ("Carroll's") opens and closes none.
_QUOTED_RE = re.compile(r"[\"“]([^\"”]{3,80})[\"”]|(?<!\w)[‘']([^‘’'\"]{3,80})['’](?!\w)")
_PLURAL_NAME_RE = re.compile(r"[A-Z][\w-]*[A-Z][\w-]*s")  # LSTMs, GPUs, ResNets
_DEPTH_NAME_RE = re.compile(r"([A-Za-z]+)-(\d+)")  # ResNet-152
_DEPTH_RE = re.compile(r"\b(\d+)[- ]layers?\b")  # "a 110-layer ResNet"
_DESCRIBED_NAME_RE = re.compile(r"(\w*[A-Z]\w*)-([a-z]+)")  # ImageNet-winning, LaTeX-trained
_VARIANT_WORDS = frozenset({"base", "big", "large", "medium", "mini", "small", "tiny", "xl"})
_YEAR_RE = re.compile(YEAR_PATTERN)
_WORD_EDGES = "?!,.;:()[]\"'“”‘’"
_POSSESSIVE_RE = re.compile(r"['’]s$")
# A number joined to a word by a hyphen names something ("top-5 error", "VGG-16"); a year so
# joined ("ILSVRC-2012") still dates it.
_NAMED_NUMBER_RE = re.compile(r"\b[A-Za-z]+-\d{1,3}(?:\.\d+)?\b(?!\.\d)")
# A number that points to a part of the paper ("Table 2", "Sec. 5.1", "Eq. (4)") counts nothing.
# The words of "Which paper introduced ...?" that ask for the paper, not about its subject.
_WHICH_PAPER_TERMS = frozenset(
    tokenize("paper papers work article post introduced introduces proposed proposes first")
)
_POINTER_NUMBER_RE = re.compile(
    r"\b(?:tables?|tab|figures?|figs?|sections?|secs?|sect|equations?|eqs?|appendix|algorithm"
    r"|theorem|lemma|chapter|corollary|proposition|definition)\.?\s*\(?[A-Z]?\d+(?:\.\d+)*\)?",
    re.IGNORECASE,
)


class Encoder(Protocol):
    """The part of ``paperqa.embedder.Embedder`` attribution uses."""

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
    section: str = ""  # the heading over the quote, where known

    @property
    def label(self) -> str:
        """``[n] Title (year), p. X, § Section``: how every surface lists the source (a web
        page is all "p. 1": its section is what finds the quote)."""
        year = f" ({self.year})" if self.year else ""
        section = f", § {self.section}" if self.section else ""
        return f"[{self.marker}] {self.title}{year}, p. {self.pages}{section}"


@dataclass
class SentenceSupport:
    """How one answer sentence is supported: cited passage indices (0-based) and scores."""

    sentence: str
    cited: list[int]
    supported: bool
    lexical: list[float] = field(default_factory=list)
    semantic: list[float] = field(default_factory=list)
    model_markers: list[int] = field(default_factory=list)

    @property
    def scores(self) -> list[float]:
        """Per passage: lexical and semantic support combined."""
        return [
            LEXICAL_WEIGHT * lx + SEMANTIC_WEIGHT * sm
            for lx, sm in zip(self.lexical, self.semantic, strict=True)
        ]


@dataclass
class Attribution:
    text: str  # the answer with code-placed [n] markers
    sentences: list[SentenceSupport]
    citations: list[Citation]
    unsupported: list[str]


_MARKER_RE = re.compile(r"\s*\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")


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
    """IDF-weighted share of the sentence's (and, weakly, the question's) words in the passage;
    the question's words a long sentence repeats weigh as the question's."""
    own = set(sentence_terms)
    context = set(context_terms)
    context_weight = QUESTION_WEIGHT if len(own) >= _SHORT_SENTENCE else 1.0
    # A sentence that restates the question before its answer ("X applies dropout only to Y
    # because Z") is judged on what it adds: the question's words in it weigh as the question's.
    restated = own & context if len(own - context) >= _SHORT_SENTENCE else set()
    weighted = [
        (t, (context_weight if t in restated else 1.0) * _weight(t, idf, n_passages)) for t in own
    ]
    weighted += [(t, context_weight * _weight(t, idf, n_passages)) for t in context - own]
    total = sum(w for _, w in weighted)
    if total == 0:
        return 0.0
    return sum(w for t, w in weighted if t in passage_terms) / total


def best_quote(sentence: str, passage_text: str, context: str = "") -> str:
    """The passage sentence sharing the most weighted words with ``sentence`` (and context),
    among those that hold every number and capitalised word the sentence adds to the question,
    if any does: the quote of "dropout 0.5" is the sentence with 0.5, and that of "they used
    Adadelta" the one naming Adadelta, not the one sharing most words."""
    candidates = [s for s in split_sentences(passage_text) if len(s) >= 20] or [passage_text]
    cand_terms = [set(tokenize(c)) for c in candidates]
    idf = _idf(cand_terms)
    own, ctx = tokenize(sentence), tokenize(context)
    scores = np.array([lexical_support(own, ts, idf, len(candidates), ctx) for ts in cand_terms])
    numbers = [f.text for f in facts_of(sentence, context) if f.kind == "number"]
    named = capitalised_terms(sentence) - set(ctx)
    holding = [
        named <= terms and (not numbers or _holds_numbers(numbers, NumberText.of(c, terms)))
        for c, terms in zip(candidates, cand_terms, strict=True)
    ]
    if (numbers or named) and any(holding):
        scores = np.where(holding, scores, -1.0)
    quote = candidates[int(np.argmax(scores))]
    if len(quote) > MAX_QUOTE_CHARS:
        quote = quote[: MAX_QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return quote


@dataclass(frozen=True)
class Fact:
    """Something checkable in an answer sentence: a number, a name or a quoted phrase."""

    kind: str  # "number", "name" or "quote"
    text: str
    papers: frozenset[str] = frozenset()  # for a paper's nickname: the paper it names
    counts: str = ""  # for a number, what it counts, where a plural follows it ("parameters")


def facts_of(sentence: str, question: str = "") -> list[Fact]:
    """The numbers, names and quoted phrases of ``sentence`` that are not words of the question."""
    asked = set(tokenize(question))
    found = mentions(sentence, every=True)
    named = {m.name: m.paper for m in found}
    rest = without_paper_names(sentence, found)  # "Deep Speech 2": its number is not a fact
    rest = _POINTER_NUMBER_RE.sub(" ", rest)
    # A quote's closing punctuation is often the sentence's: 'it "comes for free."'.
    quotes = [double or single for double, single in _QUOTED_RE.findall(sentence)]
    facts = [Fact("quote", q.strip(" .,;:!?")) for q in quotes]
    numbers = [*_NUMBER_RE.findall(rest), *(w.lower() for w in _NUMBER_WORD_RE.findall(rest))]
    counted = {m[1].lower(): m[2] for m in reversed(list(_COUNT_RE.finditer(rest)))}
    facts += [
        Fact("number", n, counts=counted.get(n.lower(), ""))
        for n in dict.fromkeys(numbers)
        if not set(tokenize(n)) <= asked
    ]
    names = dict.fromkeys([*_FACT_NAME_RE.findall(sentence), *named])
    facts += [
        Fact("name", n, frozenset([named[n]]) if n in named else frozenset())
        for n in names
        if n in named or not occurs(n, question)
    ]
    return facts


@dataclass(frozen=True)
class NumberText:
    """A text as its numbers are checked in, prepared once per passage: normalised, without
    thousands separators, without the numbers that are part of a name ("top-5", "VGG-16"),
    point to a part of the paper ("Table 2") or to a cited work ("[5]"), with its ``terms``."""

    text: str
    terms: set[str]

    @classmethod
    def of(cls, text: str, terms: set[str] | None = None) -> NumberText:
        """``text`` prepared; ``terms``: its ``tokenize`` terms, when already known."""
        unmarked = without_reference_marks(text)
        if unmarked != text:
            text, terms = unmarked, None
        plain = normalize(text).replace(",", "")
        if _NAMED_NUMBER_RE.search(plain) or _POINTER_NUMBER_RE.search(plain):
            plain = _POINTER_NUMBER_RE.sub(" ", _NAMED_NUMBER_RE.sub(" ", plain))
            return cls(plain, set(tokenize(plain)))
        return cls(plain, set(tokenize(text)) if terms is None else terms)


def holds(fact: Fact, passage: Passage, numbers: NumberText) -> bool:
    """Whether ``passage`` (its text, for a number ``numbers``) bears ``fact`` out. A name in the
    plural ("LSTMs", "GPUs") holds where its singular does, and a name holds with or without
    hyphens. A paper's name holds in its own passages and in one naming the paper otherwise
    (course notes on ReLUs citing "Krizhevsky et al." speak of AlexNet)."""
    if fact.kind == "number":
        return _holds_number(fact.text, numbers) and not _counts_other_things(fact, numbers.text)
    return _holds_name(fact, passage)


def _counts_other_things(fact: Fact, text: str) -> bool:
    """Whether ``text`` writes the number ``fact`` counts something with only as a count of
    something else, or in a score: "20 sentences" or "passes 19/20" bear out no "20 parameters"."""
    if not fact.counts:
        return False
    number = re.escape(fact.text.lower())
    at = (
        rf"(?:(?<=\d)(?P<over>/)|(?<![\w./])){number}(?!\w|\.\d)(?P<under>/\d+)?"
        r"(?:\s+(?P<thing>[a-z]+s)\b)?"
    )
    written = list(re.finditer(at, text, re.IGNORECASE))
    return bool(written) and all(_counts_other(m, fact.counts.lower()) for m in written)


def _counts_other(written: re.Match[str], counted: str) -> bool:
    """Whether a number as ``written`` counts something other than ``counted``: another plural
    follows it, or it is part of a score ("14/20", "20/20") that counts nothing named so."""
    thing = written["thing"]
    if thing and _same_word(thing.lower(), counted):
        return False
    return bool(thing or written["over"] or written["under"])


def _same_word(a: str, b: str) -> bool:
    """Whether two plurals name one thing: the same word, or a short form of it ("params")."""
    singular, other = a.rstrip("s"), b.rstrip("s")
    return singular == other or inflection_of(singular, other, ending=4)


_SHORT_FORM_RE = re.compile(r"[A-Z]{3,6}")
_LETTER_WORD_RE = re.compile(r"[^\W\d_]+")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL_DOMAIN_RE = re.compile(r"\w@([A-Za-z][\w-]*)\.")
_MONTHS = {
    name[:3]: name
    for name in tokenize(
        "january february march april may june july august september october november december"
    )
}


def _holds_name(fact: Fact, passage: Passage) -> bool:
    """``holds`` for a fact that is no number: a name, a paper's among them."""
    if fact.papers and (
        passage.doc in fact.papers
        or any(m.paper in fact.papers for m in mentions(passage.text, every=True))
    ):
        return True
    name = fact.text[:-1] if _PLURAL_NAME_RE.fullmatch(fact.text) else fact.text
    # A web address names nothing it spells: "github.com/.../bert/..." is no mention of BERT.
    text = _URL_RE.sub(" ", passage.text)
    title = passage.chunk.title
    # "NMT" for a paper titled "Neural Machine Translation by ...", whose text spells it out.
    return (
        _occurs_name(name, text)
        or _occurs_name(name, title)
        or name in title_initials(title)
        or _spelled_out(name, text)
    )


def _spelled_out(name: str, text: str) -> bool:
    """Whether ``name``, a short form of three to six capitals, is spelled out in ``text`` by as
    many words in a row with its letters as initials ("SGD": "stochastic gradient descent",
    "LSTM": "long short-term memory"). Two letters match by chance too often to count."""
    if not _SHORT_FORM_RE.fullmatch(name):
        return False
    # Words of one or two letters ("a", "of") stand for nothing; "-" marks where they were.
    initials = "".join(word[0] if len(word) > 2 else "-" for word in _LETTER_WORD_RE.findall(text))
    return name in initials.upper()


def _occurs_name(name: str, text: str) -> bool:
    """``name`` in ``text`` as whole words ("RAG" is not in "averaging"), also with their
    hyphens dropped ("VGG16" in "VGG-16", and back) or read as spaces ("CLEVR-from-pixels" in
    "CLEVR from pixels"), or without their accents ("Grunwald"); a
    model named by its depth also in the other order ("ResNet-152" in "152-layer ResNet"), and a
    name with a describing word hyphened to it by that name ("ImageNet-winning" by "ImageNet").
    """
    if occurs_as_word(name, text) or occurs_as_word(name.replace("-", ""), text.replace("-", "")):
        return True
    if occurs_as_word(name.replace("-", " "), text):
        return True
    if occurs_as_word(fold_accents(name), fold_accents(text)):  # "Grunwald" in "Gr¨unwald"
        return True
    if depth := _DEPTH_NAME_RE.fullmatch(name):
        return occurs(f"{depth[2]}-layer {depth[1]}", text)
    if (described := _DESCRIBED_NAME_RE.fullmatch(name)) and described[2] not in _VARIANT_WORDS:
        return occurs(described[1], text)
    return False


def unheld_question_facts(
    question: str,
    cited: Sequence[Passage],
    context: Sequence[Passage] = (),
    papers: Sequence[Passage] = (),
    fronts: Sequence[Passage] = (),
) -> list[str]:
    """The numbers ``question`` asks about that none of the ``cited`` passages holds, the
    training settings it asks the value of that none of them names ("weight decay", answered
    from a passage giving a dropout rate; ``paperqa.text.settings_unnamed``), and the names
    that neither they nor ``context`` (the other quoted passages of the cited papers) hold;
    a paper named by an author also holds anywhere in ``papers`` (each cited paper's whole text,
    as one passage), and any name holds in their ``fronts`` (title pages: "OpenAI's scaling
    study" names a paper by where its authors work, which the passages that answer never say).

    An answer whose citations never mention the "1001-layer" network the question asks about
    answers a neighbouring question (from passages on shallower ResNets). A name may sit a passage
    away, in the section the cited one belongs to ("the VGGNet case study"), so any quoted passage
    of the cited paper will do. A paper the question names holds where that paper is cited (its
    passages need not repeat its name) or where the quoted passages mention it ("AlexNet" in
    course notes on AlexNet); an answer about "AlexNet" from a ResNet paper that never names it
    is about something else. A year, which dates a paper more often than it states a finding, is
    left out. A question asking why gives its numbers to set the scene ("Why does the coefficient
    start at 0.05?"), and the reason may sit a sentence away from them: they hold, as names do,
    in any quoted passage of a cited paper.
    """
    facts = [
        fact
        for fact in facts_of(question)
        if fact.kind != "quote"
        and not _YEAR_RE.fullmatch(fact.text)
        and not _NUMBER_WORD_RE.fullmatch(fact.text)  # "the two models": a count, not a thing
    ]
    quoted = list({id(p): p for p in [*cited, *context, *fronts]}.values())
    numbered = quoted if asks_why(question) else cited
    numbers = [NumberText.of(p.text) for p in numbered]  # once per passage, not per fact
    depths = _depths_named(question, numbered)
    # An author's name may name the person, not the paper ("Sean Carroll's question", in a post
    # that only says where Carroll asked it), and what the question calls the paper ("the
    # relational RNN paper") its passages need not repeat: both hold anywhere in the cited
    # ``papers``.
    people = {m.name for m in mentions(question, every=True) if m.by_author}
    called = text_descriptions(question, every=True)
    unheld = [
        fact.text
        for fact in facts
        if fact.text not in depths
        and not _held(
            fact,
            numbers,
            [*quoted, *papers] if fact.text in people or occurs(fact.text, called) else quoted,
        )
    ]
    settings = settings_unnamed(question, " ".join(p.text for p in cited)) if cited else []
    # "the NIPS 2012 AlexNet paper": where the paper appeared, which its passages need not say
    described = text_descriptions(question)
    unheld += settings + _unheld_conditions(question, quoted)
    return [text for text in unheld if not (described and occurs(text, described))]


def _depths_named(question: str, passages: Sequence[Passage]) -> set[str]:
    """The depths ``question`` gives ("a 110-layer ResNet") that a passage gives as a network's
    name ("ResNet-110"), where the number is part of the name and no number of its own; not
    where the passage names that network at another depth too ("ResNet-200 ... ResNet-152":
    which of them its figures are about the name does not say)."""
    named: set[str] = set()
    for passage in passages:
        depths: dict[str, set[str]] = {}
        for network, depth in _DEPTH_NAME_RE.findall(passage.text):
            depths.setdefault(network.lower(), set()).add(depth)
        named |= {depth for found in depths.values() if len(found) == 1 for depth in found}
    return set(_DEPTH_RE.findall(question)) & named


def _held(fact: Fact, numbers: list[NumberText], pool: list[Passage]) -> bool:
    """Whether a fact of the question holds: a number in the cited passages (``numbers``),
    a name in a passage of the ``pool``."""
    if fact.kind == "number":
        return any(_holds_number(fact.text, within) for within in numbers)
    return any(_holds_name(fact, p) for p in pool)


def _unheld_conditions(question: str, pool: Sequence[Passage]) -> list[str]:
    """The capitalised words of ``question`` that no passage of ``pool`` holds (each part of a
    hyphenated one, in the plural or not): "Penn Treebank", "Chinese", "English-to-German" set
    a condition that an answer from passages on another benchmark, language or pair ignores."""
    words = _condition_words(question)
    if not words:
        return []
    tokens = [tokenize(text) for p in pool for text in (p.text, p.chunk.title)]
    held = set().union(*tokens)
    # Where the authors work, as their e-mail addresses on the title page say ("...@google.com")
    held |= {domain.lower() for p in pool for domain in _EMAIL_DOMAIN_RE.findall(p.text)}
    held |= {_MONTHS[t] for t in held if t in _MONTHS}  # "Dec. 20, 2018" dates it in December
    # A word the passages write as two ("Penn Tree Bank" for "Penn Treebank") holds too.
    held |= {a + b for words in tokens for a, b in itertools.pairwise(words)}
    return [w for w in words if not set(tokenize(_named_part(w).replace("-", " "))) <= held]


def _named_part(word: str) -> str:
    """A name with a describing word hyphened to it, as that name ("Glorp-style": "Glorp")."""
    described = _DESCRIBED_NAME_RE.fullmatch(word)
    return described[1] if described and described[2] not in _VARIANT_WORDS else word


def _condition_words(question: str) -> list[str]:
    """The runs of capitalised words in ``question`` ("Penn Treebank"), leaving out the first
    word of a sentence, names already checked as names (``_FACT_NAME_RE``), papers' names and
    their authors' names (a paper's text rarely names its own authors)."""
    authors = _reading_list_author_words()
    runs: list[list[str]] = []
    for sentence in split_sentences(without_paper_names(question)):
        after = False  # whether the word before was one of a run
        for raw in sentence.split()[1:]:
            word = _POSSESSIVE_RE.sub("", raw.strip(_WORD_EDGES))
            terms = set(tokenize(word.replace("-", " ")))
            kept = word[:1].isupper() and not _FACT_NAME_RE.fullmatch(word) and terms - authors
            if kept and after:
                runs[-1].append(word)
            elif kept:
                runs.append([word])
            after = bool(kept) and raw == raw.rstrip(",;:)")  # "Chinese, Cantonese": two runs
    return list(dict.fromkeys(" ".join(run) for run in runs))


@cache
def _reading_list_author_words() -> frozenset[str]:
    return frozenset(t for paper in reading_list() for t in author_words(paper.id))


def _holds_numbers(numbers: list[str], within: NumberText) -> bool:
    return all(_holds_number(n, within) for n in numbers)


def _holds_number(number: str, within: NumberText) -> bool:
    """Whether ``within`` holds ``number``: "6" in "N = 6" and "six", "1,024" in "1024", "28.0"
    in "28", "2.5" in "2.50", not "42.5" in "142.5" nor "2" in "25", nor "5" in "top-5", "16"
    in "VGG-16" or "2" in "tensor2tensor" (part of a name, as in answers). A share may change
    form: "50%" holds in "0.5" and "0.5" in "50 %"; so may a large number: "50,000" in "50k"."""
    text = within.text
    if scaled := _SCALED_RE.fullmatch(number):
        return _holds_scaled(scaled[1].replace(",", ""), scaled[2].lower(), text)
    percent = number.endswith("%")
    number = number.rstrip("%").replace(",", "")
    if set(tokenize(number)) <= within.terms or _number_in(number, text):
        return True
    try:
        value = float(number)
    except ValueError:  # a version or section number: "2.5.1"
        return False
    if percent:
        return _number_in(_decimal(value / 100), text)
    if value >= 1000:  # "50,000" in "50k", "1,200,000" in "1.2 million"
        return any(
            _number_in(_decimal(value / factor), text, suffix=after)
            for factor, after, _ in _SCALES.values()
            if value >= factor and value % (factor / 1000) == 0
        )
    return 0 < value < 1 and _number_in(_decimal(value * 100), text, suffix=r"\s*%")


def _holds_scaled(value: str, scale: str, text: str) -> bool:
    """Whether ``text`` holds ``value`` at ``scale`` ("million", or its letter): written with
    it ("6 billion", "6B"), or bare where the passage gives that scale elsewhere (a table's
    column "params × 10^6"); "6 billion" does not hold in "N = 6"."""
    _, after, anywhere = _SCALES[_SCALE_LETTERS.get(scale, scale)]
    if _number_in(value, text, suffix=after):
        return True
    return _number_in(value, text) and re.search(anywhere, text) is not None


# What makes a figure another number: a scale right after it ("40k" is not 40, "6B" not 6).
_NOT_SCALED = r"(?!(?i:-?(?:[kmbt]|bn)\b|\s?-?(?:thousand|million|billion|trillion)\b))"


def _number_in(number: str, text: str, suffix: str = "") -> bool:
    """Whether ``text`` writes ``number`` (followed by ``suffix``; without one, by no scale)."""
    suffix = suffix or _NOT_SCALED
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    zeros = "0*" if "." in number else r"(?:\.0+)?"
    bare = number[1:] if number.startswith("0.") else number  # "0.5" is also written ".5"
    alternatives = "|".join(dict.fromkeys(re.escape(n) for n in (number, bare)))
    pattern = rf"(?<![\w.])(?:{alternatives}){zeros}(?!\d|\.\d){suffix}"
    return bool(re.search(pattern, text))


def capitalised_terms(sentence: str) -> set[str]:
    """The terms of the capitalised words after a sentence's first word ("Adadelta", "Adam"),
    papers' names left out ("Attention Is All You Need: Adam ..." names Adam)."""
    words = without_paper_names(sentence).split()[1:]
    return {t for w in words if w[:1].isupper() for t in tokenize(w)}


def _decimal(value: float) -> str:
    """``value`` written plainly: 0.5, 50, 0.005."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


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
    part = AnswerPart(answer, list(passages), question, passage_vectors)
    return attribute_parts([part], encoder=encoder, years=years)


@dataclass
class AnswerPart:
    """One answer to attribute: its text, the passages it may cite, the question it answers,
    those passages' vectors (None: encoded when needed) and the paper each author name several
    papers share stands for in the question (``QAEngine``'s resolved authors: "Karpathy's
    Shakespeare model" names his post, whose passage is cited before another paper's)."""

    answer: str
    passages: list[Passage]
    question: str = ""
    passage_vectors: np.ndarray | None = None
    authors: Mapping[str, str] = field(default_factory=dict)


def attribute_parts(
    parts: Sequence[AnswerPart],
    *,
    encoder: Encoder | None = None,
    years: dict[str, int | None] | None = None,
) -> Attribution:
    """Attribute answers written separately (one per paper of a split question) as one answer:
    each sentence is judged against its own part's passages and question, and the citations are
    numbered across all parts."""
    supports: list[SentenceSupport] = []
    passages: list[Passage] = []
    quoted_for: list[str] = []
    for part in parts:
        own = _supports(part, encoder)
        for support in own:
            support.cited = [j + len(passages) for j in support.cited]
        supports += own
        passages += part.passages
        quoted_for += [part.question] * len(own)
    if not supports:
        return Attribution(" ".join(strip_markers(p.answer) for p in parts).strip(), [], [], [])
    citations = _citations(supports, passages, quoted_for, years or {})
    unsupported = [s.sentence for s in supports if tokenize(s.sentence) and not s.supported]
    return Attribution(_render(supports), supports, citations, unsupported)


def _supports(part: AnswerPart, encoder: Encoder | None) -> list[SentenceSupport]:
    """How each sentence of one answer is supported by, and cites, that answer's passages."""
    # "... layers.[1] Next" and "... layers. [1] Next": move the marker inside its sentence.
    answer = re.sub(
        r"([.!?])\s*((?:\[\d[\d,;\s–-]*\]\s*)+)",
        lambda m: f" {m.group(2).strip()}{m.group(1)} ",
        part.answer,
    )
    sentences = [s for s in split_sentences(answer) if strip_markers(s)]
    if not sentences or not part.passages:
        return []
    plain = [strip_markers(s) for s in sentences]
    scored = [_scored_words(t, part.question) for t in plain]
    semantic = _semantic_scores(scored, part.passages, part.question, encoder, part.passage_vectors)
    passage_terms = [set(tokenize(p.text)) for p in part.passages]
    idf = _idf(passage_terms)
    numbers = [NumberText.of(p.text, t) for p, t in zip(part.passages, passage_terms, strict=True)]
    found = mentions(part.question, every=True)
    context = _question_terms(part.question, found)
    authors = _named_authors(found)
    named = {m.paper for m in mentions(part.question, authors=part.authors)}
    own = {j for j, p in enumerate(part.passages) if p.doc in named}
    supports = []
    for i, (sentence, text) in enumerate(zip(sentences, plain, strict=True)):
        # "Zaremba, Sutskever and Vinyals apply ...": the authors a paper the question names
        # shares with others name no paper, but their passages need not hold them either.
        own_terms = [t for t in tokenize(scored[i]) if t not in authors]
        lexical = [
            lexical_support(own_terms, terms, idf, len(part.passages), context)
            for terms in passage_terms
        ]
        support = SentenceSupport(
            text, [], False, lexical, [float(x) for x in semantic[i]], parse_markers(sentence)
        )
        _cite_best(support, own)
        if asks_which_paper(part.question):
            _cite_the_papers_named(support, part, passage_terms)
        _hold_facts(support, part.passages, numbers, part.question)
        supports.append(support)
    # Sentences without content words take the citations of the sentence before them.
    for prev, cur in itertools.pairwise(supports):
        if not tokenize(cur.sentence) and prev.supported:
            cur.cited, cur.supported = list(prev.cited), True
    return supports


def _cite_the_papers_named(
    support: SentenceSupport, part: AnswerPart, passage_terms: list[set[str]]
) -> None:
    """A sentence answering "which paper ...?" ("Pointer Networks introduced the pointer
    network.") adds nothing to the question but the papers: it holds where it names the papers
    of passages that have at least half of the question's own words, and cites the closest such
    passage of each."""
    named = {m.paper for m in mentions(support.sentence)}
    wanted = set(_question_terms(part.question)) - _WHICH_PAPER_TERMS
    best: dict[str, int] = {}
    for j, passage in enumerate(part.passages):
        holds = passage.doc in named and len(wanted & passage_terms[j]) * 2 >= len(wanted)
        if holds and support.semantic[j] >= support.semantic[best.get(passage.doc, j)]:
            best[passage.doc] = j
    if best and not support.supported:
        support.cited = sorted(best.values())
        support.supported = True


def _scored_words(sentence: str, question: str) -> str:
    """The words of ``sentence`` its support is scored on. A paper's name is checked as a fact
    (``_hold_facts``), and left in, a long title would swamp the overlap of the sentence's own
    words with the passage; but the name of a model that the question does not use is what the
    sentence says ("RMC stands for Relational Memory Core"), and a sentence that is nothing but a
    paper's name is scored as it is."""
    found = [
        m for m in mentions(sentence, every=True) if not m.by_model or occurs(m.name, question)
    ]
    scored = without_paper_names(sentence, found)
    return scored if tokenize(scored) else sentence


def _question_terms(question: str, found: Sequence[Mention] | None = None) -> list[str]:
    """The question's terms that weigh in a short answer's support, without the names of the
    papers it names (title words, authors: "Hinton and van Camp"), which their passages need not
    repeat (``found``: every one of its mentions, when already known)."""
    found = mentions(question, every=True) if found is None else found
    authors = _named_authors(found)
    return [t for t in tokenize(without_paper_names(question, found)) if t not in authors]


def _named_authors(found: Sequence[Mention]) -> set[str]:
    """The terms of the author names of the papers a text's mentions ``found`` name."""
    return {t for m in found for t in author_words(m.paper)}


def _semantic_scores(
    sentences: list[str],
    passages: Sequence[Passage],
    question: str,
    encoder: Encoder | None,
    passage_vectors: np.ndarray | None,
) -> np.ndarray:
    """Cosine similarity of each sentence (short ones with the question) to each passage."""
    if encoder is None:
        return np.zeros((len(sentences), len(passages)), dtype=np.float32)
    if passage_vectors is None:
        passage_vectors = encoder.encode_passages([p.text for p in passages])
    probes = [
        t if len(tokenize(t)) >= _SHORT_SENTENCE else f"{question} {t}".strip() for t in sentences
    ]
    return encoder.encode_queries(probes) @ passage_vectors.T


def _cite_best(support: SentenceSupport, named: Collection[int] = ()) -> None:
    """Marks the sentence supported or not, and cites its best supporting passage (or a valid
    marker). A passage supports the sentence by its overlap or by its combined score: the passage
    with the best combined score may reach neither while another reaches the overlap. The best is
    one of the ``named`` passages (of the papers the question names) where one of them supports
    the sentence: "0.01", asked of AlexNet, is AlexNet's learning rate, not the one a ResNet
    passage that shares more of the question's words warms up with."""
    if not tokenize(support.sentence):
        return  # nothing checkable ("Yes."), cited with its neighbour
    scores = support.scores
    supporting = [
        j
        for j, score in enumerate(scores)
        if support.lexical[j] >= MIN_LEXICAL or score >= MIN_SCORE
    ]
    support.supported = bool(supporting)
    if not support.supported:
        return
    best = max([j for j in supporting if j in named] or supporting, key=lambda j: scores[j])
    valid = [
        m - 1
        for m in support.model_markers
        if 1 <= m <= len(scores) and scores[m - 1] >= MARKER_MIN_RATIO * scores[best]
    ]
    # One passage per sentence: citing near-ties too measured lower precision on the dev set.
    support.cited = valid or [best]


def _hold_facts(
    support: SentenceSupport,
    passages: Sequence[Passage],
    numbers: list[NumberText],
    question: str,
) -> None:
    """Moves the sentence's citation to the passage(s) holding its facts, or unsupports it."""
    facts = facts_of(support.sentence, question)
    if not facts:
        return
    held = [_held_in(facts, p, within) for p, within in zip(passages, numbers, strict=True)]
    if not support.supported:
        _support_by_facts(support, facts, held)
        return
    if all(len(held[j]) == len(facts) for j in support.cited):
        return
    scores = support.scores
    floor = MOVE_MIN_RATIO * max(scores)
    ranked = [j for j in np.argsort(scores)[::-1].tolist() if scores[j] >= floor and held[j]]
    whole = [j for j in ranked if len(held[j]) == len(facts)]
    if whole:
        support.cited = [whole[0]]
        return
    cover: list[int] = []
    missing = set(facts)
    for j in sorted(ranked, key=lambda j: -len(held[j] & missing)):
        if held[j] & missing and len(cover) < MAX_COVER:
            cover.append(j)
            missing -= held[j]
    if missing:
        support.cited, support.supported = [], False
    else:
        support.cited = cover


def _held_in(facts: list[Fact], passage: Passage, numbers: NumberText) -> set[Fact]:
    """The ``facts`` that ``passage`` holds. A sentence that names papers gives their numbers:
    a passage of another paper that names none of them holds none of its numbers (a dropout
    rate from course notes is not the Pointer Network's)."""
    held = {f for f in facts if holds(f, passage, numbers)}
    named = [f for f in facts if f.papers]
    if named and not any(f in held and _names_there(f, passage) for f in named):
        held = {f for f in held if f.kind != "number"}
    return held


def _names_there(fact: Fact, passage: Passage) -> bool:
    """Whether ``passage`` names the paper of ``fact`` by it: a passage of that paper, or one
    using a name of its own (AlexNet in course notes). A plain word ("Transformer") in another
    paper is the architecture, not the paper: GPipe's "6-billion-parameter Transformer" is not
    the big Transformer's size."""
    return passage.doc in fact.papers or is_made_up(fact.text) or " " in fact.text.strip()


def _support_by_facts(support: SentenceSupport, facts: list[Fact], held: list[set[Fact]]) -> None:
    """Supports a sentence whose numbers and names one passage all holds (and overlaps enough),
    when it states a number or a name other than a paper's: the fact the question asked for."""
    if not any(f.kind == "number" or (f.kind == "name" and not f.papers) for f in facts):
        return
    whole = [
        j
        for j, found in enumerate(held)
        if len(found) == len(facts) and support.lexical[j] >= FACTS_MIN_LEXICAL
    ]
    if whole:
        best = max(whole, key=lambda j: support.lexical[j] + support.semantic[j])
        support.cited, support.supported = [best], True


def _citations(
    supports: list[SentenceSupport],
    passages: Sequence[Passage],
    questions: Sequence[str],
    years: dict[str, int | None],
) -> list[Citation]:
    """One Citation per cited passage, numbered in the order the answer first cites them;
    ``questions``: the question each sentence answers."""
    citations: dict[int, Citation] = {}
    for support, question in zip(supports, questions, strict=True):
        for j in support.cited:
            if j not in citations:
                p = passages[j]
                quote = _without_headings(best_quote(support.sentence, p.text, question), p)
                pages, section = p.place_of(quote)
                citations[j] = Citation(
                    marker=len(citations) + 1,
                    doc=p.doc,
                    title=p.chunk.title,
                    year=years.get(p.doc),
                    pages=pages,
                    quote=quote,
                    chunk_id=p.chunk.id,
                    section=section,
                )
    return list(citations.values())


def _without_headings(quote: str, passage: Passage) -> str:
    """``quote`` without the section headings that run into its first sentence ("3.1 Encoder and
    Decoder Stacks Encoder: The encoder ...", or a widened passage's "Results Setup We ..."):
    those of the chunks the passage holds. The citation names the section instead."""
    headings = [c.section for c in (passage.matched, *passage.context) if c.section]
    stripped = True
    while stripped:
        stripped = False
        for heading in headings:
            rest = quote[len(heading) :].lstrip() if quote.startswith(heading) else ""
            if len(rest) >= 20:
                quote, stripped = rest, True
    return quote


def _render(supports: list[SentenceSupport]) -> str:
    """Join sentences, putting markers (numbered by first citation) before the final punctuation;
    a run of sentences citing the same passages is marked once, at its end. A sentence no passage
    supports is marked ``[unsupported]``."""
    numbers: dict[int, int] = {}
    for s in supports:
        for j in s.cited:
            numbers.setdefault(j, len(numbers) + 1)
    out: list[str] = []
    for i, s in enumerate(supports):
        following = supports[i + 1].cited if i + 1 < len(supports) else None
        marks = ""
        if s.cited and s.cited != following:
            marks = "".join(f"[{n}]" for n in sorted(numbers[j] for j in s.cited))
        elif not s.supported and tokenize(s.sentence):
            marks = UNSUPPORTED_MARK
        out.append(_marked(s.sentence, marks) if marks else s.sentence)
    return " ".join(out)


def _marked(sentence: str, marks: str) -> str:
    """``sentence`` with ``marks`` before its final punctuation ("... of 0.2 [1]."), or after a
    quote or bracket that closes after that punctuation, outside what it quotes
    ('... the name "Glorp." [1]')."""
    match = re.search(r"[.!?:;]+([\"')\]’”]*)$", sentence)
    if match is None or match[1]:
        return f"{sentence} {marks}"
    return f"{sentence[: match.start()].rstrip()} {marks}{sentence[match.start() :]}"
