import math

import pytest

from paperqa.retrieve.evaluate import is_hit, norm, percentile, ranking_metrics
from paperqa.types import Chunk


def test_norm_follows_the_eval_definition():
    assert norm("12 %") == norm("12%")
    assert norm("repre-\n  sentation") == "representation"
    assert norm("ﬁne Tuning") == "finetuning"


def test_hit_needs_gold_document_and_evidence():
    question = {"doc": "a", "answers": ["six identical layers"]}
    assert is_hit(Chunk(0, "a", "A", 1, 1, "a stack of six\nidentical  layers"), question)
    assert not is_hit(Chunk(0, "b", "B", 1, 1, "six identical layers"), question)
    assert not is_hit(Chunk(0, "a", "A", 1, 1, "five layers"), question)


def test_ranking_metrics_first_hit_at_rank_three():
    hits = [False, False, True, False, True] + [False] * 15
    docs = [False, True, True, False, True] + [False] * 15
    m = ranking_metrics(hits, docs, n_relevant=2)
    assert m["hit@1"] == 0.0
    assert m["hit@5"] == 1.0
    assert m["hit@20"] == 1.0
    assert m["mrr@10"] == pytest.approx(1 / 3)
    dcg = 1 / math.log2(4) + 1 / math.log2(6)
    ideal = 1 / math.log2(2) + 1 / math.log2(3)
    assert m["ndcg@10"] == pytest.approx(dcg / ideal)
    assert m["doc_hit@5"] == 1.0


def test_hit_after_rank_ten_scores_no_mrr():
    hits = [False] * 12 + [True]
    m = ranking_metrics(hits, hits, n_relevant=1)
    assert m["mrr@10"] == 0.0
    assert m["ndcg@10"] == 0.0
    assert m["hit@5"] == 0.0
    assert m["hit@20"] == 1.0


def test_perfect_ranking_has_ndcg_one():
    m = ranking_metrics([True, True, False], [True, True, False], n_relevant=2)
    assert m["ndcg@10"] == pytest.approx(1.0)
    assert m["mrr@10"] == 1.0


def test_percentile_interpolates():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 95) == 5
    assert percentile([], 50) == 0.0
