"""The optional cross-encoder stage: it reorders the base retriever's candidates by its scores."""

from __future__ import annotations

import pytest

from paperqa.errors import ModelNotAvailableError
from paperqa.models import resolve_embedder
from paperqa.retrieve.rerank import RerankingRetriever
from paperqa.retrieve.sparse import BM25Retriever
from paperqa.text import passage_text, tokenize
from paperqa.types import Chunk

TEXTS = [  # invented text
    "The mixer is a column of seven gated blocks with braided links.",
    "Each block of the mixer has a lattice read sub-block.",
    "The writer blocks also look over the output of the mixer column.",
    "Slot shuffling is applied to the lateral links of the LMN.",
]


def _base() -> BM25Retriever:
    chunks = [Chunk(i, f"doc{i}", f"Title {i}", 1, 1, t) for i, t in enumerate(TEXTS)]
    return BM25Retriever(chunks, [tokenize(t) for t in TEXTS], k1=1.2, b=0.75)


def test_reranker_orders_the_candidates_by_cross_encoder_score() -> None:
    import torch

    torch.manual_seed(0)  # a model directory without a trained head gets a random one
    base = _base()
    # Any local transformer directory loads as a cross-encoder: here the packaged MiniLM.
    reranker = RerankingRetriever(base, resolve_embedder("all-MiniLM-L6-v2"), depth=3)
    query = "mixer blocks"
    candidates = base.search(query, 3)
    results = reranker.search(query, 2)

    pairs = [(query, passage_text(p.chunk.title, p.chunk.section, p.text)) for p in candidates]
    scores = reranker.model.predict(pairs, show_progress_bar=False)
    expected = sorted(range(len(candidates)), key=lambda i: -float(scores[i]))[:2]
    assert [p.chunk.id for p in results] == [candidates[i].chunk.id for i in expected]
    assert [p.rank for p in results] == [1, 2]
    assert results[0].scores["rerank"] == pytest.approx(float(scores[expected[0]]), abs=1e-5)
    assert "bm25" in results[0].scores  # the first stage's score is kept beside the reranker's
    assert reranker.search("zzz unknown words", 2) == []


def test_a_reranker_that_cannot_load_is_a_one_line_error(tmp_path) -> None:
    with pytest.raises(ModelNotAvailableError, match="reranker") as info:
        RerankingRetriever(_base(), str(tmp_path / "no-such-cross-encoder"))
    assert "\n" not in str(info.value)
