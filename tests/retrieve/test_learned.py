import numpy as np
import pytest

from paperqa.retrieve.features import FEATURES
from paperqa.retrieve.learned import FusionModel, LearnedRetriever
from paperqa.retrieve.sparse import BM25Retriever
from paperqa.text import passage_text, tokenize
from paperqa.types import Chunk


def _model(**weights: float) -> FusionModel:
    n = len(FEATURES)
    w = np.array([weights.get(f, 0.0) for f in FEATURES])
    return FusionModel(FEATURES, np.zeros(n), np.ones(n), w, candidates=10, named_candidates=5)


def test_model_scores_are_the_weighted_standardised_features():
    rows = np.zeros((2, len(FEATURES)))
    rows[0, FEATURES.index("bm25")] = 1.0
    rows[1, FEATURES.index("named")] = 1.0
    assert list(_model(bm25=1.0, named=2.0).score(rows)) == [1.0, 2.0]


def test_shipped_weights_load_and_match_the_features():
    model = FusionModel.shipped()
    assert model.features == FEATURES
    assert model.weights.shape == (len(FEATURES),) and np.all(model.scale > 0)
    assert model.weights[FEATURES.index("hybrid")] > 0


def test_weights_for_other_features_are_refused():
    with pytest.raises(ValueError, match="other features"):
        FusionModel.from_dict({"features": ["x"], "mean": [0], "scale": [1], "weights": [1]})


# Invented papers and text (the papers of the reading list must not be committed).
DOCUMENTS = {
    "lm": {"title": "Lattice Memory Networks", "authors": ["Ines Marrow"], "aliases": []},
    "sw": {
        "title": "Sparse Widening of Slot Mixers",
        "authors": ["Tobias Okonkwo"],
        "aliases": ["Tobias Okonkwo", "Okonkwo"],
    },
}
CHUNKS = [
    Chunk(0, "lm", "Lattice Memory Networks", 7, 7, "The learning rate climbs linearly over "
          "2500 warmup steps of the schedule and then stays flat."),
    Chunk(1, "lm", "Lattice Memory Networks", 7, 7, "Slot shuffling is applied to each gated "
          "block at a rate of 0.15."),
    Chunk(2, "sw", "Sparse Widening of Slot Mixers", 7, 7, "A 1200 step linear warmup opens "
          "the learning rate schedule, and a step decay closes it."),
    Chunk(3, "sw", "Sparse Widening of Slot Mixers", 8, 8, "Recall grows as a power of the "
          "slot count, the stream length and the compute."),
]  # fmt: skip


@pytest.fixture(scope="module")
def retriever():
    from paperqa.embedder import get_embedder
    from paperqa.retrieve.dense import DenseIndex, DenseRetriever
    from paperqa.settings import Settings

    texts = [passage_text(c.title, c.section, c.text) for c in CHUNKS]
    embedder = get_embedder(Settings())
    index = DenseIndex(embedder.dim)
    index.index_data(embedder.encode_passages(texts))
    bm25 = BM25Retriever(CHUNKS, [tokenize(t) for t in texts], k1=1.2, b=0.75)
    return LearnedRetriever(DenseRetriever(CHUNKS, index, embedder), bm25, DOCUMENTS)


@pytest.mark.slow
def test_the_named_paper_wins_between_two_similar_passages(retriever):
    retriever.model = _model(hybrid=1.0, named=5.0)
    top = retriever.search("How long was the learning rate warmup in Okonkwo et al.?", 2)
    assert [p.chunk.id for p in top] == [2, 3]  # both passages of the named paper first
    assert top[0].scores["named"] == 1.0 and top[0].rank == 1


@pytest.mark.slow
def test_neighbour_scores_stay_inside_a_paper(retriever):
    retriever.model = _model(hybrid=1.0)
    ids, rows = retriever.candidates("warmup steps of the learning rate schedule")
    by_id = dict(zip(ids, rows, strict=True))
    assert by_id[0][FEATURES.index("before")] == 0.0  # first chunk of its paper
    assert by_id[2][FEATURES.index("before")] == 0.0  # chunk 1 is another paper's
    assert by_id[0][FEATURES.index("after")] > 0.0


@pytest.mark.slow
def test_paper_filter_and_shipped_weights_rank_the_evidence_first(retriever):
    retriever.model = FusionModel.shipped()
    top = retriever.search("How many warmup steps did the lattice network use?", 3, docs=["lm"])
    assert {p.doc for p in top} == {"lm"}
    assert top[0].chunk.id == 0
    assert retriever.search("anything", 3, docs=["missing"]) == []


@pytest.mark.slow
def test_more_passages_than_candidates_can_be_asked_for(retriever):
    from dataclasses import replace

    retriever.model = replace(_model(hybrid=1.0), candidates=2, named_candidates=0)
    assert len(retriever.candidates("learning rate")[0]) == 2
    assert len(retriever.search("learning rate", 4)) == len(CHUNKS)
