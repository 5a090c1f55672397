"""Hybrid retrieval: fusing the dense and BM25 rankings into one.

Two fusions, both weighted: reciprocal-rank fusion (``rrf``: weight / (rrf_k + rank)) and score
fusion (``score``: each retriever's scores min-max normalised over its own top ``depth``
candidates, then a weighted sum). On the dev questions score fusion ranked the passage holding
the answer first more often (hit@1 0.54 against 0.43 for RRF, same hit@5), so it is the default.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

import numpy as np

from paperqa.retrieve.base import Retriever, min_max
from paperqa.types import Passage

FUSIONS = ("score", "rrf")


class HybridRetriever:
    """Fuses the rankings of several retrievers, each with a weight."""

    name = "hybrid"

    def __init__(
        self,
        retrievers: list[tuple[Retriever, float]],
        fusion: str = "score",
        rrf_k: int = 60,
        depth: int = 100,
    ):
        if fusion not in FUSIONS:
            raise ValueError(f"unknown fusion {fusion!r}; choose one of {', '.join(FUSIONS)}")
        self.retrievers = retrievers
        self.fusion = fusion
        self.rrf_k = rrf_k
        self.depth = depth

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        fused: dict[int, float] = defaultdict(float)
        parts: dict[int, dict[str, float]] = defaultdict(dict)
        chunks = {}
        for retriever, weight in self.retrievers:
            results = retriever.search(query, max(k, self.depth), docs)
            if not results:
                continue
            normalised = min_max(np.array([p.score for p in results], dtype=np.float64)).tolist()
            for passage, score in zip(results, normalised, strict=True):
                chunk_id = passage.chunk.id
                chunks[chunk_id] = passage.chunk
                parts[chunk_id][retriever.name] = passage.score
                if self.fusion == "rrf":
                    fused[chunk_id] += weight / (self.rrf_k + passage.rank)
                else:
                    fused[chunk_id] += weight * score
        ranked = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [
            Passage(chunks[i], fused[i], rank, {**parts[i], self.name: fused[i]})
            for rank, i in enumerate(ranked, start=1)
        ]
