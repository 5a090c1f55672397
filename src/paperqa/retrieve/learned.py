"""The default retriever: dense + BM25 candidates, rescored by a linear model over finer evidence.

Stage one fuses dense and BM25 as the hybrid does (each min-max normalised over its own top
``depth`` by ``base.min_max``, summed) and keeps the best ``candidates`` chunks, plus the best
BM25 chunks of the papers the question names. Stage two scores each candidate by ``weights ·
standardised features`` (``paperqa.retrieve.features``). The weights, feature means and scales
are fitted by ``eval/fit_fusion.py`` on the dev questions and shipped in
``paperqa/data/fusion.json``.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from paperqa.retrieve.base import allowed_mask, min_max, neighbour_id, top_ids
from paperqa.retrieve.dense import DenseRetriever
from paperqa.retrieve.features import FEATURES, FeatureScorer
from paperqa.retrieve.sparse import BM25Retriever
from paperqa.types import Chunk, Passage

FUSION_FILE = "fusion.json"


@dataclass(frozen=True)
class FusionModel:
    """A linear scorer over standardised features: ``weights · (x - mean) / scale``."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    candidates: int = 50
    named_candidates: int = 10

    def score(self, rows: np.ndarray) -> np.ndarray:
        return ((rows - self.mean) / self.scale) @ self.weights

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FusionModel:
        if tuple(data["features"]) != FEATURES:
            raise ValueError("fusion weights were fitted for other features; rerun fit_fusion.py")
        return cls(
            tuple(data["features"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["weights"], dtype=np.float64),
            int(data.get("candidates", 50)),
            int(data.get("named_candidates", 10)),
        )

    @classmethod
    def shipped(cls) -> FusionModel:
        """The weights in ``paperqa/data/fusion.json``."""
        raw = resources.files("paperqa.data").joinpath(FUSION_FILE).read_text("utf-8")
        return cls.from_dict(json.loads(raw))


class LearnedRetriever:
    """Two stages: hybrid candidates, then a learned rescoring of them."""

    name = "learned"

    def __init__(
        self,
        dense: DenseRetriever,
        bm25: BM25Retriever,
        documents: dict[str, dict[str, Any]],
        model: FusionModel | None = None,
        depth: int = 100,
    ):
        self.chunks: list[Chunk] = bm25.chunks
        self.dense = dense
        self.bm25 = bm25
        self.model = model or FusionModel.shipped()
        self.depth = depth
        self._docs = np.array([c.doc for c in self.chunks])
        idf = {t: float(v) for t, v in bm25.bm25.idf.items()}
        self.scorer = FeatureScorer(self.chunks, idf, documents)

    def candidates(
        self, query: str, docs: Collection[str] | None = None, at_least: int = 0
    ) -> tuple[list[int], np.ndarray]:
        """Stage one: the candidate chunk ids (``at_least`` of them if there are as many) and
        their feature rows."""
        mask = allowed_mask(self.chunks, docs)
        dense = self.dense.scores(query)
        bm25 = self.bm25.scores(query)
        bm25 = np.where(bm25 > 0, bm25, -np.inf)  # as BM25 search: no shared term, no result
        if mask is not None:
            dense = np.where(mask, dense, -np.inf)
            bm25 = np.where(mask, bm25, -np.inf)
        fused = _normalised_top(dense, self.depth) + _normalised_top(bm25, self.depth)
        fused = np.where(np.isfinite(dense) | np.isfinite(bm25), fused, -np.inf)
        info = self.scorer.query(query)
        ids = top_ids(fused, max(self.model.candidates, at_least))
        named = [d for d in info.named if not docs or d in docs]
        if named and self.model.named_candidates:
            in_named = np.isin(self._docs, named)
            extra = top_ids(np.where(in_named, bm25, -np.inf), self.model.named_candidates)
            seen = set(ids)
            ids += [i for i in extra if i not in seen]
        stage = {
            "hybrid": fused[ids],
            "dense": dense[ids],
            "bm25": np.maximum(bm25[ids], 0),
            "before": self._neighbour(fused, ids, -1),
            "after": self._neighbour(fused, ids, +1),
        }
        stage = {k: np.where(np.isfinite(v), v, 0.0) for k, v in stage.items()}
        return ids, self.scorer.features(info, ids, stage)

    def _neighbour(self, fused: np.ndarray, ids: list[int], step: int) -> np.ndarray:
        """The fused score of the chunk ``step`` away from each candidate, in the same paper."""
        values = []
        for i in ids:
            j = neighbour_id(self.chunks, i, step)
            values.append(float(fused[j]) if j is not None and np.isfinite(fused[j]) else 0.0)
        return np.asarray(values)

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        ids, rows = self.candidates(query, docs, at_least=k)
        if not ids:
            return []
        scores = self.model.score(rows)
        order = np.argsort(-scores, kind="stable")[:k]
        return [
            Passage(
                self.chunks[ids[i]],
                float(scores[i]),
                rank,
                {
                    **dict(zip(FEATURES, map(float, rows[i]), strict=True)),
                    self.name: float(scores[i]),
                },
            )
            for rank, i in enumerate(order, start=1)
        ]


def _normalised_top(scores: np.ndarray, depth: int) -> np.ndarray:
    """Scores min-max normalised over the top ``depth`` (as the hybrid does); others 0."""
    result = np.zeros(len(scores))
    top = top_ids(scores, depth)
    if top:
        result[top] = min_max(scores[top])
    return result
