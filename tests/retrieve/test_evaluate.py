import math

import pytest

from paperqa.retrieve.evaluate import is_hit, percentile, ranking_metrics
from paperqa.text import norm
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


@pytest.mark.slow
def test_hybrid_beats_both_retrievers_on_the_dev_questions(corpus_index, dev_questions, tmp_path):
    import json
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "paperqa.cli", "eval", "retrieval", "--json",
         "--questions", str(dev_questions), "--index-dir", str(corpus_index.index_dir),
         "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    metrics = report["retrievers"]
    assert set(metrics) == {"bm25", "dense", "hybrid"}
    assert report["n_questions"] > 40
    hybrid = metrics["hybrid"]
    assert hybrid["mrr@10"] > metrics["bm25"]["mrr@10"]
    assert hybrid["mrr@10"] > metrics["dense"]["mrr@10"]
    # Floors well below what the default settings measure (0.67, 0.85, 0.98).
    assert hybrid["mrr@10"] >= 0.55
    assert hybrid["hit@5"] >= 0.75
    assert hybrid["hit@20"] >= 0.9
    assert (tmp_path / "retrieval.png").stat().st_size > 1000
    assert "| hybrid |" in (tmp_path / "retrieval.md").read_text()
