"""Dense retrieval: a FAISS inner-product index over normalised sentence embeddings (DPR-style)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import numpy as np

from paperqa.retrieve.base import allowed_mask, top_passages
from paperqa.types import Chunk, Passage

if TYPE_CHECKING:
    from paperqa.embedder import Embedder


class DenseIndex:
    """A small FAISS indexer in the manner of DPR's: index_data, search_knn (the index store
    reads and writes the file)."""

    def __init__(self, dim: int, index=None):
        import faiss

        self.dim = dim
        self.index = index if index is not None else faiss.IndexFlatIP(dim)

    def index_data(self, vectors: np.ndarray) -> None:
        self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search_knn(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each of shape (queries, k); ids of -1 pad missing results."""
        return self.index.search(np.ascontiguousarray(query_vectors, dtype=np.float32), k)

    @property
    def size(self) -> int:
        return int(self.index.ntotal)


class DenseRetriever:
    """Embeds the query and returns the chunks with the highest cosine similarity."""

    name = "dense"

    def __init__(self, chunks: list[Chunk], index: DenseIndex, embedder: Embedder):
        self.chunks = chunks
        self.index = index
        self.embedder = embedder

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of every chunk to the query."""
        vector = self.embedder.encode_queries([query])
        scores, ids = self.index.search_knn(vector, self.index.size)
        full = np.full(len(self.chunks), -np.inf)
        valid = ids[0] >= 0
        full[ids[0][valid]] = scores[0][valid]
        return full

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        mask = allowed_mask(self.chunks, docs)
        if mask is None:
            vector = self.embedder.encode_queries([query])
            scores, ids = self.index.search_knn(vector, min(k, self.index.size))
            return [
                Passage(self.chunks[i], float(s), rank, {self.name: float(s)})
                for rank, (s, i) in enumerate(zip(scores[0], ids[0], strict=True), start=1)
                if i >= 0
            ]
        return top_passages(self.chunks, self.scores(query), k, mask, self.name)
