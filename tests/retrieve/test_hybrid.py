from collections.abc import Collection

import pytest

from paperqa.retrieve.hybrid import HybridRetriever
from paperqa.types import Chunk, Passage

CHUNKS = [Chunk(i, f"doc{i}", f"T{i}", 1, 1, f"text {i}") for i in range(6)]


class FixedRanking:
    """Returns a fixed ranking of chunk ids, to check the fusion arithmetic alone."""

    def __init__(self, name: str, order: list[int]):
        self.name = name
        self.order = order

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        ids = [i for i in self.order if docs is None or CHUNKS[i].doc in docs][:k]
        return [Passage(CHUNKS[i], 1.0 / r, r) for r, i in enumerate(ids, start=1)]


def test_rrf_rewards_agreement():
    hybrid = HybridRetriever(
        [(FixedRanking("dense", [0, 1, 2]), 1.0), (FixedRanking("bm25", [1, 3, 0]), 1.0)],
        fusion="rrf",
        rrf_k=60,
    )
    results = hybrid.search("q", k=4)
    # chunk 1: 1/62 + 1/61; chunk 0: 1/61 + 1/63; chunk 3: 1/62; chunk 2: 1/63
    assert [p.chunk.id for p in results] == [1, 0, 3, 2]
    assert results[0].score == pytest.approx(1 / 62 + 1 / 61)
    assert set(results[0].scores) == {"dense", "bm25", "hybrid"}


def test_weights_shift_the_ranking():
    dense, bm25 = FixedRanking("dense", [0, 1]), FixedRanking("bm25", [1, 0])
    for fusion in ("rrf", "score"):
        first = HybridRetriever([(dense, 2.0), (bm25, 1.0)], fusion=fusion).search("q", 1)
        assert first[0].chunk.id == 0
        first = HybridRetriever([(dense, 1.0), (bm25, 2.0)], fusion=fusion).search("q", 1)
        assert first[0].chunk.id == 1


def test_score_fusion_normalises_each_retriever_to_its_own_range():
    # FixedRanking scores are 1/rank: dense gives chunk 0 → 1, 1 → 1/2, 2 → 1/3 (min-max 1, .25, 0);
    # bm25 gives chunk 2 → 1, 0 → 1/2 (min-max 1, 0).
    hybrid = HybridRetriever(
        [(FixedRanking("dense", [0, 1, 2]), 1.0), (FixedRanking("bm25", [2, 0]), 1.0)]
    )
    results = hybrid.search("q", k=3)
    assert [p.chunk.id for p in results] == [0, 2, 1]
    assert [p.score for p in results] == pytest.approx([1.0, 1.0, 0.25])


def test_unknown_fusion_is_refused():
    with pytest.raises(ValueError, match="unknown fusion"):
        HybridRetriever([], fusion="max")


def test_filter_is_passed_to_both_retrievers():
    for fusion in ("rrf", "score"):
        hybrid = HybridRetriever(
            [(FixedRanking("dense", [0, 1, 2]), 1.0), (FixedRanking("bm25", [2, 1, 0]), 1.0)],
            fusion=fusion,
        )
        assert {p.doc for p in hybrid.search("q", 5, docs={"doc2"})} == {"doc2"}
