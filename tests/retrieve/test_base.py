import numpy as np

from paperqa.retrieve.base import min_max, top_ids


def test_top_ids_are_the_best_finite_scores_best_first() -> None:
    scores = np.array([0.2, -np.inf, 0.9, 0.5, np.nan])
    assert top_ids(scores, 2) == [2, 3]
    assert top_ids(scores, 10) == [2, 3, 0]
    assert top_ids(np.full(3, -np.inf), 2) == []


def test_min_max_spans_a_ranking_from_one_to_zero() -> None:
    assert min_max(np.array([4.0, 3.0, 2.0])).tolist() == [1.0, 0.5, 0.0]
    assert min_max(np.array([2.0, 2.0])).tolist() == [1.0, 1.0]  # one value: all count fully
