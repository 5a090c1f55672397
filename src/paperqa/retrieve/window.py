"""Passage windows: each retrieved chunk widened with the text around it in its paper.

Chunks are kept small (200 word pieces) so that their vectors and BM25 terms stay focused; the
passage handed back is the chunk plus the neighbouring text of the same paper, up to about
``words`` words, split evenly before and after (what one side lacks, the other side gets). This
is sentence-window retrieval: an explanation or a figure often sits just outside the chunk that
matched. The answer step quotes only the sentences that bear on the question, so a wider
passage does not lengthen the prompt.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from paperqa.retrieve.base import Retriever, neighbour_id
from paperqa.types import Chunk, Passage

# Characters of a chunk's opening used to find where it starts inside the chunk before it.
_PROBE_CHARS = 40


def widened(base: Retriever, chunks: Sequence[Chunk], words: int) -> Retriever:
    """``base`` with its passages widened to about ``words`` words (``base`` itself for 0)."""
    return WindowRetriever(base, chunks, words) if words else base


class WindowRetriever:
    """Returns ``base``'s passages with each chunk widened to about ``words`` words."""

    def __init__(self, base: Retriever, chunks: Sequence[Chunk], words: int):
        self.base = base
        self.name = base.name
        self.chunks = chunks
        self.words = words

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        return [self._widened(p) for p in self.base.search(query, k, docs)]

    def _widened(self, passage: Passage) -> Passage:
        chunk = passage.chunk
        around = _neighbours(self.chunks, chunk)
        wide = _widen(chunk, around, self.words)
        if wide is chunk:
            return passage
        context = tuple(c for c in around if c is not None)
        return replace(passage, chunk=wide, core=chunk, context=context)


def widen(chunks: Sequence[Chunk], chunk: Chunk, words: int) -> Chunk:
    """``chunk`` with up to ``words`` words in all, the extra ones from its neighbours' text.

    Pages and character offsets grow to cover the neighbours that gave words (a bound: the
    words taken from a neighbour that spans two pages may all lie on one of them).
    """
    return _widen(chunk, _neighbours(chunks, chunk), words)


def _widen(chunk: Chunk, around: tuple[Chunk | None, Chunk | None], words: int) -> Chunk:
    """``widen``, with the chunks ``around`` it (before, after) already looked up."""
    budget = words - len(chunk.text.split())
    if budget <= 0:
        return chunk
    prev, after_chunk = around
    before = _text_before(prev, chunk).split()
    after = _text_after(chunk, after_chunk).split()
    n_after = min(len(after), max(budget // 2, budget - len(before)))
    n_before = min(len(before), budget - n_after)
    if n_before == n_after == 0:
        return chunk
    first = prev if n_before and prev is not None else chunk
    last = after_chunk if n_after and after_chunk is not None else chunk
    text = " ".join([*before[len(before) - n_before :], chunk.text, *after[:n_after]])
    return replace(
        chunk,
        text=text,
        page_start=first.page_start,
        page_end=last.page_end,
        char_start=first.char_start,
        char_end=last.char_end,
    )


def _neighbours(chunks: Sequence[Chunk], chunk: Chunk) -> tuple[Chunk | None, Chunk | None]:
    """The chunks just before and just after ``chunk`` in its paper (None where there is none)."""
    return _neighbour(chunks, chunk, -1), _neighbour(chunks, chunk, +1)


def _neighbour(chunks: Sequence[Chunk], chunk: Chunk, step: int) -> Chunk | None:
    j = neighbour_id(chunks, chunk.id, step)
    return None if j is None else chunks[j]


def _text_before(prev: Chunk | None, chunk: Chunk) -> str:
    """The text of ``prev`` that ``chunk`` does not repeat (consecutive chunks overlap)."""
    if prev is None:
        return ""
    start = prev.text.rfind(chunk.text[:_PROBE_CHARS])
    return prev.text if start < 0 else prev.text[:start]


def _text_after(chunk: Chunk, following: Chunk | None) -> str:
    """The text of ``following`` that ``chunk`` does not already hold."""
    if following is None:
        return ""
    start = chunk.text.rfind(following.text[:_PROBE_CHARS])
    return following.text if start < 0 else following.text[len(chunk.text) - start :]
