"""Reference lists left out of search results."""

from __future__ import annotations

from paperqa.retrieve.references import EXTRA_PASSAGES, WithoutReferenceLists
from paperqa.retrieve.sparse import BM25Retriever
from paperqa.text import tokenize
from paperqa.types import Chunk

FINDING = "The glorp mixer reaches a perplexity of 41.2 on the Blorp corpus."
CITATION = "[7] A. Zorp. The Blorp corpus of annotated Blorp text. In Proceedings, 2011."


def _chunks(citations: int) -> list[Chunk]:
    """One finding, ``citations`` reference-list chunks that share more of the query's words,
    then filler."""
    listed = [
        Chunk(i, "paper-a", "A", 9, 9, f"{CITATION} Blorp corpus perplexity.", section="References")
        for i in range(citations)
    ]
    finding = Chunk(citations, "paper-a", "A", 3, 3, FINDING, section="4 Results")
    filler = [
        Chunk(citations + 1 + i, "paper-b", "B", 1, 1, f"Convolution {i}.") for i in range(20)
    ]
    return [*listed, finding, *filler]


def _search(chunks: list[Chunk], query: str, k: int) -> list:
    bm25 = BM25Retriever(chunks, [tokenize(c.text) for c in chunks], k1=1.2, b=0.75)
    listed = frozenset(c.id for c in chunks if c.is_reference_list)
    return WithoutReferenceLists(bm25, listed).search(query, k)


def test_reference_list_chunks_give_way_to_the_passages_below_them() -> None:
    chunks = _chunks(2)
    found = _search(chunks, "What perplexity on the Blorp corpus?", 1)
    assert [p.chunk.text for p in found] == [FINDING]
    assert found[0].rank == 1


def test_more_candidates_are_asked_for_when_the_first_ones_are_all_reference_lists() -> None:
    chunks = _chunks(EXTRA_PASSAGES + 3)  # more listed chunks than the first request brings
    found = _search(chunks, "What perplexity on the Blorp corpus?", 1)
    assert [p.chunk.text for p in found] == [FINDING]
