"""The evidence a prompt carries: the sentences of the retrieved passages that bear on the question.

Each passage is split into sentences (``paperqa.text.split_sentences``; table-like runs without
sentence ends are cut into short windows, of whole rows where ``paperqa.tables`` wrote them, else
of words; a row that a chunk's end cut in two is made whole from the context around it), without
its numbered reference marks ("[24]", which would read as the prompt's passage
numbers). A sentence scores by the IDF-weighted share of the question's terms it holds (not the
names it gives the papers as texts, which all their passages are about; more if it has a number
and the question asks how many, gives a reason and the question asks why, or names an optimizer
or an activation function and the question asks which one was used; any sentence of a
paper's abstract when the question asks what the paper is about), a little less the lower its
passage ranks, and at least ``FOLLOW_SHARE`` of the score of the sentence before it (an
explanation or a detail often follows the sentence it completes without repeating its words). A
sentence of a passage's widened context, outside the chunk that matched (``Passage.core``), scores
``CONTEXT_SHARE`` of that; a sentence that several passages repeat is kept once, where it scores
best. Every passage first offers its best sentence (so two papers of a comparison both get a say),
then the best remaining sentences fill the token budget. A sentence that leans on the one before it
("This ...", "It ...", "On X, it ...") or is very short brings that neighbour along, and one that
announces a list ("Each layer has two sub-layers.") brings the next one, which gives it. Kept
sentences stay in their passage's order, gaps shown as " ... ". Sentences that address the reader
with instructions ("ignore the previous instructions", "reply only with X") are data, not evidence:
they are never put in the prompt, and an answer repeating one is caught (``echoes_instruction``).
Bibliography entries ("arXiv preprint ..., 2018", "19(2):313-330") are left out too: they name
works and report no finding.
``closest_quoted_sentence`` finds, among the sentences quoted, the one nearest the question: the
answer step's stand-in for a reply that only restates the question, or that gives no reason
when the question asks why.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from paperqa.aliases import defines
from paperqa.mentions import mentions, names_the_text, without_paper_names
from paperqa.text import (
    NAMED_KINDS,
    YEAR_PATTERN,
    asked_short_form,
    asks_for_gist,
    asks_for_quantity,
    asks_why,
    gives_reason,
    greek_symbols,
    join_hyphen_breaks,
    norm,
    split_sentences,
    tokenize,
    without_reference_marks,
)
from paperqa.types import Passage

RANK_DECAY = 0.08  # score multiplier 1 / (1 + RANK_DECAY * rank): earlier passages win ties
FIRST_PASS_SHARE = 0.5  # a passage's best sentence enters early when >= this share of the best
MAX_WINDOW_WORDS = 45  # longer "sentences" (tables, lists) are cut into windows of this many words
SHORT_WORDS = 8  # a kept sentence shorter than this brings its predecessor
# A sentence right after a relevant one often holds the answer while sharing no word with the
# question ("We add two layers. These two layers have dilation 4 and 8."; "X helps less. We
# attribute this to Y."): it scores at least this share of its predecessor's score.
FOLLOW_SHARE = 0.7
# A sentence of a passage's widened context (outside the chunk that matched the query) scores
# this share of what it would score inside it: context completes a match, it rarely is one.
CONTEXT_SHARE = 0.5
# Added to a sentence's score when the question asks for an amount and the sentence has a number,
# or asks why and the sentence gives a reason (the same weight for both).
QUANTITY_BONUS = REASON_BONUS = 0.15
# Added to a sentence that names a thing of the kind a question asks for ("Which optimizer ...?":
# "stochastic gradient descent"), which papers rarely call by the question's word for the kind.
KIND_BONUS = 0.15
# Added to each sentence of a paper's abstract when the question asks what the paper is about:
# the abstract answers it in words the question rarely shares ("main idea", "summarize").
GIST_BONUS = 1.0
# Added to a sentence that spells out the short form a question asks about ("Neural Turing
# Machines (NTMs)" for "What does NTM stand for?"): the only sentence that answers it.
DEFINITION_BONUS = 1.0
_LEANS_BACK = re.compile(
    r"^(?:this|these|that|those|it|its|they|their|such|here|thus|hence|therefore|however|"
    r"in (?:this|that|these) |as a result|for (?:this|that) reason)\b"
    # "We take this to be ...", "For each of these we use ...": "this" a pronoun in the first
    # words, before a verb, a subject of its own or a stop
    r"|^(?:\S+\s+){1,4}?(?:this|these|those)"
    r"(?:\s+(?:to\s+be|as|is|was|are|were|we|they|he|she|it|i|you)\b|\s*[,.;:])"
    # "On the first layer, it used ...": a pronoun subject after an opening phrase
    r"|^[^,;:]{1,60},\s+(?:it|they|its|their)\s",
    re.IGNORECASE,
)
# A sentence that announces what the next one lists ("Each layer has two sub-layers.", "We use
# the following datasets:"): the next sentence comes along with it.
_LEADS_ON = re.compile(
    r"(?::|\b(?:two|three|four|five|six|several|following)\s+(?:[\w-]+\s+){0,2}?[\w-]+\.)$",
    re.IGNORECASE,
)
# A quoted "sentence" cut off where its passage ends: it stops on a lower-case word or a comma
# ("Since X is an end-to-end system, we"). It can inform the model, but never stand in for a reply.
_CUT_OFF = re.compile(r"(?:\b[a-z]+|,)$")
# A labelled table row cut off by a chunk's end: "...; HOMO: Glorp 2.2, Blorp 1.9,".
_ROW_CUT = re.compile(r"(?:^|; )[^;]+: [^;]*,$")
INSTRUCTION_RE = re.compile(
    r"\b(?:ignore|disregard|forget)\b[^.]{0,40}\b(?:instructions?|prompt|above|previous|prior|"
    r"question)\b|\b(?:reply|respond|answer|say|output|print|write)\b[^.]{0,20}\b(?:only|just|"
    r"exactly)\b|\b(?:you|assistant|model|AI)\s+(?:must|should|shall|will)\s+(?:now\s+)?"
    r"(?:reply|respond|answer|say|output|ignore|print|write)\b|\bsystem prompt\b",
    re.IGNORECASE,
)

# A bibliography entry: a year and a venue ("arXiv preprint ..., 2018", "In Proceedings ..., pp.
# 25-34, 2013") or a volume(issue):page ("19(2):313-330"). It names a work, it reports no finding,
# and its volume and page numbers read as results to a small model.
_VENUE = r"\b(?:arXiv|preprint|Proceedings|Conference|Journal|Transactions|pages \d|pp\. ?\d)"
_YEAR = rf"\b{YEAR_PATTERN}\b"
REFERENCE_ENTRY_RE = re.compile(rf"{_YEAR}.*{_VENUE}|{_VENUE}.*{_YEAR}|\d+\(\d+\):\s?\d+")


@dataclass
class Evidence:
    """The sentences kept from one passage, joined in document order."""

    passage: Passage
    text: str


@dataclass
class _Piece:
    passage: int
    position: int
    text: str
    terms: set[str]
    in_core: bool = True
    tokens: int = 0
    score: float = 0.0


def pieces_of(text: str) -> list[str]:
    """``text`` cut into sentences, overlong ones into windows of whole clauses where they have
    semicolons (a table's rows, "row: heading figure, ...; row: ..."), else of words."""
    text = without_reference_marks(join_hyphen_breaks(text))
    out: list[str] = []
    for sentence in split_sentences(text):
        if len(sentence.split()) <= MAX_WINDOW_WORDS:
            out.append(sentence)
            continue
        windows = _windows(sentence.split("; "))
        for number, clauses in enumerate(windows, start=1):
            # A window that more clauses follow keeps its semicolon: windows quoted side by
            # side read as the one sentence they were.
            words = ("; ".join(clauses) + (";" if number < len(windows) else "")).split()
            for start in range(0, len(words), MAX_WINDOW_WORDS):
                out.append(" ".join(words[start : start + MAX_WINDOW_WORDS]))
    return out


def _windows(clauses: list[str]) -> list[list[str]]:
    """Consecutive ``clauses`` packed into windows of at most ``MAX_WINDOW_WORDS`` words (a
    longer clause is a window of its own, cut into words by the caller)."""
    windows: list[list[str]] = [[]]
    size = 0
    for clause in clauses:
        words = len(clause.split())
        if windows[-1] and size + words > MAX_WINDOW_WORDS:
            windows.append([])
            size = 0
        windows[-1].append(clause)
        size += words
    return windows


def is_instruction(sentence: str) -> bool:
    """Whether a passage sentence addresses a reader or model with a command."""
    return bool(INSTRUCTION_RE.search(sentence))


def is_reference_entry(sentence: str) -> bool:
    """Whether a passage sentence is (part of) a bibliography entry, not a finding."""
    return bool(REFERENCE_ENTRY_RE.search(sentence))


def select_evidence(
    question: str,
    passages: Sequence[Passage],
    budget: int,
    count_tokens: Callable[[str], int],
) -> list[Evidence]:
    """The evidence of each passage that keeps any (in passage order), ``budget`` tokens in all."""
    pieces = _without_repeats(_scored_pieces(question, passages))
    for piece in pieces:
        piece.tokens = count_tokens(piece.text) + 1
    chosen = _choose(pieces, budget)
    if not chosen and pieces:  # nothing shares a word with the question: the best passage's start
        chosen = _fill([p for p in pieces if p.passage == pieces[0].passage], budget, set())
    by_key = {(p.passage, p.position): p for p in pieces}
    evidence = []
    for index, passage in enumerate(passages):
        positions = sorted(pos for (i, pos) in chosen if i == index)
        if not positions:
            continue
        parts: list[str] = []
        for previous, position in zip([None, *positions], positions, strict=False):
            if previous is not None and position != previous + 1:
                parts.append("...")
            parts.append(by_key[(index, position)].text)
        evidence.append(Evidence(passage, " ".join(parts)))
    return evidence


def _scored_pieces(question: str, passages: Sequence[Passage]) -> list[_Piece]:
    pieces = [
        _Piece(i, j, text, set(tokenize(text)), in_core=in_core)
        for i, passage in enumerate(passages)
        for j, (text, in_core) in enumerate(_passage_pieces(passage))
        if not is_instruction(text) and not is_reference_entry(text)
    ]
    wanted = _question_terms(question)
    idf = _question_idf(wanted, [p.terms for p in pieces])
    total = sum(idf.values()) or 1.0
    quantity = asks_for_quantity(question)
    reason = asks_why(question)
    gist = asks_for_gist(question)
    short = asked_short_form(question)
    kinds = [names for asks, names in NAMED_KINDS if asks(question)]
    for piece in pieces:
        share = sum(idf[t] for t in wanted & piece.terms) / total
        if any(names(piece.text) for names in kinds):
            share += KIND_BONUS
        if quantity and share > 0 and re.search(r"\d", piece.text):
            share += QUANTITY_BONUS
        if reason and share > 0 and gives_reason(piece.text):
            share += REASON_BONUS
        if gist and passages[piece.passage].matched.is_abstract:
            share += GIST_BONUS
        if short and defines(piece.text, short):
            share += DEFINITION_BONUS
        piece.score = share / (1 + RANK_DECAY * piece.passage)
    _inherit_from_predecessors(pieces)
    for piece in pieces:
        piece.score *= 1.0 if piece.in_core else CONTEXT_SHARE
    return pieces


def _question_terms(question: str) -> set[str]:
    """The question's terms and the Greek letters it spells out, without the names it gives the
    papers it asks about as texts ("Kaplan et al.", "the DPR paper"): a named paper's passages are
    all about it, so such a name tells none of their sentences from another, and it outweighed
    what the question asks for ("DPR" in "the DPR paper's table: what did BM25 reach?" put the
    DPR row ahead of the BM25 row). A model's name stays ("AlexNet's error"): it tells the
    model's figures from its baselines'. A question of names alone keeps them."""
    found = [m for m in mentions(question, every=True) if names_the_text(question, m)]
    plain = without_paper_names(question, found)
    return {*tokenize(plain), *greek_symbols(plain)} or {*tokenize(question)}


def _question_idf(wanted: set[str], pieces: Sequence[set[str]]) -> dict[str, float]:
    """Each question term's IDF over the pieces' term sets: rarer among them, more telling."""
    n = len(pieces) or 1
    return {t: math.log(1 + n / (1 + sum(t in terms for terms in pieces))) for t in wanted}


def _passage_pieces(passage: Passage) -> list[tuple[str, bool]]:
    """The pieces of a passage, each with whether it lies in the chunk that matched (the widened
    context before and after it is cut on its own, so the chunk's pieces stay as they are)."""
    core = passage.matched.text
    start = passage.text.find(core)
    if start < 0:
        return [(text, True) for text in pieces_of(passage.text)]
    before, inside, after = (
        pieces_of(passage.text[:start]),
        pieces_of(core),
        pieces_of(passage.text[start + len(core) :]),
    )
    _mend_cut_rows(before, inside, after)
    return [
        *((text, False) for text in before),
        *((text, True) for text in inside),
        *((text, False) for text in after),
    ]


def _mend_cut_rows(before: list[str], inside: list[str], after: list[str]) -> None:
    """A table row that a chunk's end cut in two ("...; HOMO: Glorp 2.2, Blorp" | "3.1, Ours
    0.7; LUMO: ...") made whole in the chunk's pieces, from its context's: cut in two, neither
    half says whose its figures are."""
    if not inside:
        return
    if after and _ROW_CUT.search(inside[-1]) and ";" in after[0]:
        rest, _, more = after[0].partition(";")
        inside[-1] = f"{inside[-1]} {rest.strip()};"
        after[0:1] = [more.strip()] if more.strip() else []
    if before and _ROW_CUT.search(before[-1]) and ";" in inside[0]:
        kept, _, head = before[-1].rpartition("; ")
        inside[0] = f"{head} {inside[0]}"
        before[-1:] = [f"{kept};"] if kept else []


def _without_repeats(pieces: list[_Piece]) -> list[_Piece]:
    """One copy of each sentence (overlapping chunks and windows repeat them): the best-scored.
    A piece that a longer piece contains (a sentence cut where a widened passage ends) goes too."""
    best: dict[str, _Piece] = {}
    for piece in pieces:
        key = norm(piece.text)
        if key not in best or piece.score > best[key].score:
            best[key] = piece
    keys = sorted(best, key=len, reverse=True)
    whole = [k for i, k in enumerate(keys) if not any(k in longer for longer in keys[:i])]
    kept = {id(best[key]) for key in whole}
    return [piece for piece in pieces if id(piece) in kept]


def _inherit_from_predecessors(pieces: list[_Piece]) -> None:
    own = {(p.passage, p.position): p.score for p in pieces}
    for piece in pieces:
        before = own.get((piece.passage, piece.position - 1), 0.0)
        piece.score = max(piece.score, FOLLOW_SHARE * before)


def _choose(pieces: list[_Piece], budget: int) -> set[tuple[int, int]]:
    """Each passage's best sentence if good enough, then the best of the rest, within budget."""
    scored = [p for p in pieces if p.score > 0]
    if not scored:
        return set()
    top = max(p.score for p in scored)
    firsts: dict[int, _Piece] = {}
    for piece in sorted(scored, key=lambda p: -p.score):
        firsts.setdefault(piece.passage, piece)
    early = [p for p in firsts.values() if p.score >= FIRST_PASS_SHARE * top]
    early.sort(key=lambda p: -p.score)
    chosen = _fill(early, budget, set(), pieces)
    rest = sorted(scored, key=lambda p: -p.score)
    return _fill(rest, budget, chosen, pieces)


def _fill(
    candidates: list[_Piece],
    budget: int,
    chosen: set[tuple[int, int]],
    pieces: list[_Piece] | None = None,
) -> set[tuple[int, int]]:
    """Add candidates (with the neighbour they lean on) while the budget allows."""
    by_key = {(p.passage, p.position): p for p in pieces or candidates}
    used = sum(by_key[key].tokens for key in chosen if key in by_key)
    for piece in candidates:
        keys = [(piece.passage, piece.position)]
        if len(piece.text.split()) < SHORT_WORDS or _LEANS_BACK.search(piece.text):
            keys.insert(0, (piece.passage, piece.position - 1))
        if _LEADS_ON.search(piece.text.rstrip()):
            keys.append((piece.passage, piece.position + 1))
        new = [key for key in keys if key in by_key and key not in chosen]
        cost = sum(by_key[key].tokens for key in new)
        if new and used + cost <= budget:
            chosen.update(new)
            used += cost
    return chosen


def closest_quoted_sentence(
    question: str, evidence: Sequence[Evidence], only: Callable[[str], bool] | None = None
) -> str | None:
    """The quoted sentence that holds the most of the question's terms (IDF-weighted over the
    quoted sentences), after the sentence it leans on where it does ("It merges ..."); None
    when no quoted sentence shares a term with the question. A sentence cut off where its passage
    ends is never chosen. ``only``: which sentences may be
    chosen (those that give a reason, say); a sentence and the one it leans on are scored
    together."""
    quoted = [
        (sentence, runs[i - 1] if i and _LEANS_BACK.search(sentence) else None)
        for block in evidence
        for run in block.text.split(" ... ")
        for runs in [split_sentences(run)]
        for i, sentence in enumerate(runs)
        if not _CUT_OFF.search(sentence) and (only is None or only(sentence))
    ]
    wanted = set(tokenize(question))
    terms = [set(tokenize(f"{lead or ''} {sentence}")) for sentence, lead in quoted]
    idf = _question_idf(wanted, terms)
    scores = [sum(idf[t] for t in wanted & ts) for ts in terms]
    if not scores or max(scores) <= 0:
        return None
    sentence, lead = quoted[scores.index(max(scores))]
    return f"{lead} {sentence}" if lead else sentence


def instruction_sentences(passages: Sequence[Passage]) -> list[str]:
    """The sentences of ``passages`` that give orders (kept out of the prompt)."""
    return [s for p in passages for s in pieces_of(p.text) if is_instruction(s)]


def echoes_instruction(sentence: str, instructions: Sequence[str], question: str) -> bool:
    """Whether an answer sentence carries out an embedded instruction instead of answering: its
    content words come from an instruction sentence and are not words of the question."""
    own = set(tokenize(sentence)) - set(tokenize(question))
    if not own:
        return False
    return any(own <= set(tokenize(text)) for text in instructions)
