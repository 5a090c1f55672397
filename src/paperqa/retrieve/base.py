"""The retriever interface every retriever shares, and the helpers they use: paper masks,
neighbouring chunks, the top passages (or ids) of a score array, and the min-max normalisation
of a ranking that score fusion sums (the hybrid's and the learned retriever's first stage)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

import numpy as np

from paperqa.types import Chunk, Passage


class Retriever(Protocol):
    """Ranks the chunks of an index for a query."""

    name: str

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        """The ``k`` best passages for ``query``, best first, optionally only from ``docs``."""
        ...


def allowed_mask(chunks: list[Chunk], docs: Collection[str] | None) -> np.ndarray | None:
    """Boolean mask of the chunks that belong to ``docs`` (None: no filter)."""
    if not docs:
        return None
    wanted = set(docs)
    return np.fromiter((c.doc in wanted for c in chunks), dtype=bool, count=len(chunks))


def neighbour_id(chunks: Sequence[Chunk], index: int, step: int) -> int | None:
    """The id of the chunk ``step`` places from chunk ``index`` in the same paper, if any (chunk
    ids are list indices, a paper's chunks consecutive)."""
    j = index + step
    if 0 <= j < len(chunks) and chunks[j].doc == chunks[index].doc:
        return j
    return None


def top_passages(
    chunks: list[Chunk], scores: np.ndarray, k: int, mask: np.ndarray | None, name: str
) -> list[Passage]:
    """The ``k`` highest-scoring chunks as passages (chunks outside ``mask`` excluded)."""
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    k = min(k, len(scores))
    if k <= 0:
        return []
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best], kind="stable")]
    return [
        Passage(chunks[i], float(scores[i]), rank, {name: float(scores[i])})
        for rank, i in enumerate(best, start=1)
        if np.isfinite(scores[i])
    ]


def top_ids(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the ``k`` highest finite scores, best first."""
    finite = np.flatnonzero(np.isfinite(scores))
    k = min(k, len(finite))
    if k <= 0:
        return []
    best = finite[np.argpartition(-scores[finite], k - 1)[:k]]
    return [int(i) for i in best[np.argsort(-scores[best], kind="stable")]]


def min_max(best_first: np.ndarray) -> np.ndarray:
    """A ranking's scores (best first, finite) min-max normalised over it: the best 1, the last
    0; all 1 when they are equal."""
    low, high = float(best_first[-1]), float(best_first[0])
    spread = high - low
    return (best_first - low) / spread if spread > 0 else np.ones(len(best_first))
