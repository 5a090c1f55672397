"""Dense retrieval over a hand-made FAISS index: ranking by similarity, and the paper filter."""

from __future__ import annotations

import numpy as np

from paperqa.retrieve.dense import DenseIndex, DenseRetriever
from paperqa.types import Chunk

# Two papers of two chunks each; each chunk's vector is one axis, so scores are easy to read.
CHUNKS = [
    Chunk(0, "paper-a", "Paper A", 1, 1, "Kettles boil water faster at sea level."),
    Chunk(1, "paper-a", "Paper A", 2, 2, "Copper kettles spread heat evenly."),
    Chunk(2, "paper-b", "Paper B", 1, 1, "Bicycles need their chains oiled."),
    Chunk(3, "paper-b", "Paper B", 2, 2, "Tyre pressure changes with the weather."),
]
# The query leans to paper B: its chunks outrank paper A's unless the filter keeps them out.
QUERY = np.array([[0.3, 0.2, 0.8, 0.5]], dtype=np.float32)


class _Embedder:
    """Every query is QUERY (the retriever only calls encode_queries)."""

    def encode_queries(self, queries: list[str]) -> np.ndarray:
        return np.repeat(QUERY, len(queries), axis=0)


def _retriever() -> DenseRetriever:
    index = DenseIndex(4)
    index.index_data(np.eye(4, dtype=np.float32))
    return DenseRetriever(CHUNKS, index, _Embedder())  # type: ignore[arg-type]


def test_without_a_filter_every_paper_is_ranked_by_similarity() -> None:
    passages = _retriever().search("anything", 3)
    assert [p.chunk.id for p in passages] == [2, 3, 0]
    assert [round(p.score, 3) for p in passages] == [0.8, 0.5, 0.3]


def test_a_search_limited_to_one_paper_returns_only_its_passages() -> None:
    passages = _retriever().search("anything", 3, docs=["paper-a"])
    assert [(p.doc, p.chunk.id) for p in passages] == [("paper-a", 0), ("paper-a", 1)]
    assert [p.rank for p in passages] == [1, 2]
    assert [round(p.score, 3) for p in passages] == [0.3, 0.2]


def test_a_search_limited_to_an_unknown_paper_returns_nothing() -> None:
    assert _retriever().search("anything", 3, docs=["no-such-paper"]) == []
