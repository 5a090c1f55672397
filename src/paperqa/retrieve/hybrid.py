"""Hybrid retrieval: weighted reciprocal-rank fusion of dense and BM25 rankings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from paperqa.retrieve.base import Retriever
from paperqa.types import Passage


class HybridRetriever:
    """score(chunk) = sum over retrievers of weight / (rrf_k + rank)."""

    name = "hybrid"

    def __init__(
        self,
        retrievers: list[tuple[Retriever, float]],
        rrf_k: int = 60,
        depth: int = 100,
    ):
        self.retrievers = retrievers
        self.rrf_k = rrf_k
        self.depth = depth

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        fused: dict[int, float] = defaultdict(float)
        parts: dict[int, dict[str, float]] = defaultdict(dict)
        chunks = {}
        for retriever, weight in self.retrievers:
            for passage in retriever.search(query, max(k, self.depth), docs):
                chunk_id = passage.chunk.id
                chunks[chunk_id] = passage.chunk
                fused[chunk_id] += weight / (self.rrf_k + passage.rank)
                parts[chunk_id][retriever.name] = passage.score
        ranked = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [
            Passage(chunks[i], fused[i], rank, {**parts[i], self.name: fused[i]})
            for rank, i in enumerate(ranked, start=1)
        ]
