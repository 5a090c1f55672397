import numpy as np
import pytest

from paperqa.retrieve.features import FEATURES, FeatureScorer, TitleOverlap
from paperqa.types import Chunk

DOCUMENTS = {
    "lm": {"title": "Language model training", "authors": ["Ann Okafor"], "aliases": ["Okafor"]},
    "cv": {"title": "Image classifiers", "authors": ["Bo Li"], "aliases": []},
}
CHUNKS = [
    # Query words far apart, no number next to them.
    Chunk(0, "lm", "L", 1, 1, "The warmup was long. Many other things happened. The learning "
          "rate schedule decayed slowly over the whole run of training."),
    # Query words together, with the number the question asks for.
    Chunk(1, "lm", "L", 2, 2, "We use a learning rate warmup of 2500 steps. Then it decays."),
    Chunk(2, "cv", "C", 1, 1, "A learning rate warmup of 800 steps is used for the classifier."),
]  # fmt: skip
IDF = {"learning": 1.0, "rate": 1.0, "warmup": 2.0, "step": 1.5, "long": 0.5, "okafor": 3.0}


def _rows(query: str) -> dict[int, dict[str, float]]:
    scorer = FeatureScorer(CHUNKS, IDF, DOCUMENTS)
    ids = [0, 1, 2]
    stage = {name: np.zeros(3) for name in ("hybrid", "dense", "bm25", "before", "after")}
    rows = scorer.features(scorer.query(query), ids, stage)
    assert rows.shape == (3, len(FEATURES))
    return {i: dict(zip(FEATURES, row, strict=True)) for i, row in zip(ids, rows, strict=True)}


def test_words_kept_together_beat_words_scattered():
    rows = _rows("How long was the learning rate warmup in steps?")
    assert rows[1]["window"] > rows[0]["window"]
    assert rows[1]["sentence"] > rows[0]["sentence"]
    assert rows[1]["bigram"] > rows[0]["bigram"]


def test_a_quantity_question_favours_a_number_beside_its_words():
    rows = _rows("How many warmup steps did the learning rate schedule use?")
    assert rows[1]["quantity"] == 1.0 and rows[0]["quantity"] == 0.0
    assert rows[1]["number_window"] > rows[0]["number_window"]
    # Not a quantity question: no number features.
    assert _rows("Why use a learning rate warmup?")[1]["number_window"] == 0.0


def test_the_named_paper_is_marked_and_its_name_is_not_content():
    rows = _rows("How many warmup steps did Okafor use?")
    assert rows[1]["named"] == 1.0 and rows[2]["named"] == 0.0
    # "Okafor" is in no passage; leaving it out, passage 2 covers the content words fully.
    assert rows[2]["coverage"] == pytest.approx(1.0)


def test_numbers_in_the_question_must_be_found():
    rows = _rows("Was the warmup 2500 steps?")
    assert rows[1]["numbers"] == 1.0 and rows[2]["numbers"] == 0.0


def test_a_why_question_favours_a_sentence_that_gives_a_reason():
    chunks = [
        Chunk(0, "lm", "L", 1, 1, "The warmup of the learning rate lasts 2500 steps."),
        Chunk(1, "lm", "L", 2, 2, "The warmup is needed because the learning rate is large."),
    ]
    scorer = FeatureScorer(chunks, IDF, DOCUMENTS)
    stage = {name: np.zeros(2) for name in ("hybrid", "dense", "bm25", "before", "after")}
    column = FEATURES.index("reason")
    why = scorer.features(scorer.query("Why is a learning rate warmup used?"), [0, 1], stage)
    assert why[1, column] > 0.0 and why[0, column] == 0.0
    # A question that does not ask why gets no reason feature at all.
    what = scorer.features(scorer.query("What learning rate warmup is used?"), [0, 1], stage)
    assert not what[:, column].any()


TITLED = {
    "ntm": {"title": "Neural Turing Machines"},
    "scaling": {"title": "Scaling Laws for Neural Language Models"},
    "pointer": {"title": "Pointer Networks"},
}


def test_title_overlap_weights_rare_title_words():
    overlap = TitleOverlap(TITLED).overlap("scaling of neural models")
    assert overlap["scaling"] > overlap.get("ntm", 0.0)
    assert 0 < overlap["scaling"] < 1
