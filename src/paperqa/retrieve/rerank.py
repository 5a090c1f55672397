"""Optional cross-encoder reranking on top of any retriever (off unless a model is configured)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from paperqa.errors import ModelNotAvailableError
from paperqa.retrieve.base import Retriever
from paperqa.text import passage_text
from paperqa.types import Passage


class RerankingRetriever:
    """Takes ``depth`` candidates from ``base`` and reorders them with a cross-encoder."""

    def __init__(self, base: Retriever, model_name: str, depth: int = 30):
        from sentence_transformers import CrossEncoder

        from paperqa.models import resolve_embedder

        self.base = base
        self.name = base.name
        self.depth = depth
        try:
            self.model = CrossEncoder(resolve_embedder(model_name), device="cpu")
        except Exception as exc:
            raise ModelNotAvailableError(
                f"reranker {model_name!r} could not be loaded ({type(exc).__name__}); "
                "give a local cross-encoder directory or unset PAPERQA_RERANKER"
            ) from exc

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        candidates = self.base.search(query, max(k, self.depth), docs)
        if not candidates:
            return []
        pairs = [
            (query, passage_text(p.chunk.title, p.chunk.section, p.chunk.text)) for p in candidates
        ]
        scores = self.model.predict(pairs, show_progress_bar=False)
        order = sorted(range(len(candidates)), key=lambda i: -float(scores[i]))[:k]
        return [
            replace(
                candidates[i],
                score=float(scores[i]),
                rank=rank,
                scores={**candidates[i].scores, "rerank": float(scores[i])},
            )
            for rank, i in enumerate(order, start=1)
        ]
