"""Cutting a parsed document into page-aware chunks sized in the embedder's own tokens.

Text is split into sentences, sentences are packed greedily up to the token budget, and each new
chunk repeats the last sentences of the previous one (the overlap). A new section starts a new
chunk. Every chunk knows its pages, its section heading and its character span in the document's
full text (the pages joined by blank lines). Nothing is truncated: a sentence longer than the
budget is cut into word windows that each fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from paperqa.text import passage_text, sentence_spans

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from paperqa.ingest.parse import ParsedDocument

PAGE_SEPARATOR = "\n\n"
_TOKENS_PER_SPECIALS = 2  # [CLS] and [SEP]


@dataclass(frozen=True)
class Span:
    """A sentence (or a window of a long one) of the document, with where it came from."""

    text: str
    page: int
    start: int  # offsets in the document's full text
    end: int
    section: str
    tokens: int


@dataclass(frozen=True)
class ChunkDraft:
    """A chunk before it gets an id in an index."""

    text: str
    page_start: int
    page_end: int
    section: str
    char_start: int
    char_end: int
    tokens: int


def chunk_document(
    doc: ParsedDocument,
    header: str,
    tokenizer: Tokenizer,
    max_tokens: int,
    chunk_tokens: int,
    overlap_tokens: int,
) -> list[ChunkDraft]:
    """Chunks of ``doc`` whose embedding text (header, section, text) fits in ``max_tokens``."""
    spans = _spans(doc, tokenizer)
    drafts: list[ChunkDraft] = []
    current: list[Span] = []

    def budget(section: str) -> int:
        head = len(tokenizer.encode(passage_text(header, section, ""), add_special_tokens=False))
        return max(16, min(chunk_tokens, max_tokens - _TOKENS_PER_SPECIALS - head - 1))

    for span in _split_long(spans, tokenizer, budget):
        used = sum(s.tokens for s in current)
        new_section = bool(current) and span.section != current[-1].section
        if current and (used + span.tokens > budget(current[0].section) or new_section):
            drafts.append(_draft(current))
            current = [] if new_section else _overlap(current, overlap_tokens)
            # The overlap must leave room for the new span.
            while current and sum(s.tokens for s in current) + span.tokens > budget(span.section):
                current.pop(0)
        current.append(span)
    if current:
        drafts.append(_draft(current))
    return drafts


def _spans(doc: ParsedDocument, tokenizer: Tokenizer) -> list[Span]:
    raw: list[tuple[str, int, int, int, str]] = []
    offset = 0
    section = ""
    for page in doc.pages:
        headings = sorted(page.headings)
        for start, end, piece in _sentences(page.text):
            while headings and headings[0][0] <= start:
                section = headings.pop(0)[1]
            raw.append((piece, page.number, offset + start, offset + end, section))
        offset += len(page.text) + len(PAGE_SEPARATOR)
    if not raw:
        return []
    encodings = tokenizer.encode_batch([r[0] for r in raw], add_special_tokens=False)
    return [
        Span(text, page, start, end, section, len(enc.ids))
        for (text, page, start, end, section), enc in zip(raw, encodings, strict=True)
    ]


def _sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, text with whitespace collapsed) of each sentence of a page."""
    return [(a, b, " ".join(text[a:b].split())) for a, b in sentence_spans(text)]


def _split_long(spans: list[Span], tokenizer: Tokenizer, budget) -> list[Span]:
    """Cuts spans longer than the budget into word windows that fit."""
    result: list[Span] = []
    for span in spans:
        limit = budget(span.section)
        if span.tokens <= limit:
            result.append(span)
            continue
        # Cut at word boundaries using the token offsets of the whole span.
        encoding = tokenizer.encode(span.text, add_special_tokens=False)
        offsets = encoding.offsets
        first = 0
        while first < len(offsets):
            last = min(first + limit, len(offsets))
            if last < len(offsets):
                # Step back to the start of a word so no word is split between windows.
                cut = last
                while cut > first + 1 and offsets[cut][0] == offsets[cut - 1][1]:
                    cut -= 1
                if cut > first + 1:  # else one unbroken "word" longer than the budget
                    last = cut
            char_from = offsets[first][0]
            char_to = offsets[last - 1][1]
            text = span.text[char_from:char_to].strip()
            result.append(
                Span(
                    text,
                    span.page,
                    span.start + char_from,
                    span.start + char_to,
                    span.section,
                    last - first,
                )
            )
            first = last
    return result


def _overlap(spans: list[Span], overlap_tokens: int) -> list[Span]:
    """The trailing sentences that reach ``overlap_tokens`` (whole sentences, not cut)."""
    kept: list[Span] = []
    total = 0
    for span in reversed(spans[1:]):  # never the whole previous chunk
        if total >= overlap_tokens or total + span.tokens > 2 * overlap_tokens:
            break
        kept.insert(0, span)
        total += span.tokens
    return kept


def _draft(spans: list[Span]) -> ChunkDraft:
    last = spans[-1]
    return ChunkDraft(
        text=" ".join(s.text for s in spans),
        page_start=spans[0].page,
        page_end=last.page,
        section=spans[0].section,
        char_start=spans[0].start,
        char_end=last.end,
        tokens=sum(s.tokens for s in spans),
    )
