import numpy as np
from rank_bm25 import BM25Okapi

from paperqa.retrieve.sparse import BM25Retriever
from paperqa.retrieve.vocabulary import related_terms
from paperqa.text import tokenize
from paperqa.types import Chunk

TEXTS = [  # invented text
    "The lattice mixer is a column of seven gated blocks.",
    "Braided networks ease the training of very deep texture models.",
    "Slot shuffling is applied to the lateral links of the LMN.",
    "We use slot shuffling of rate 0.15 during training.",
    "Dense slot recall uses two lattice readers and an inverted file.",
]


def _retriever() -> BM25Retriever:
    chunks = [Chunk(i, f"doc{i}", f"Title {i}", 1, 1, t) for i, t in enumerate(TEXTS)]
    return BM25Retriever(chunks, [tokenize(t) for t in TEXTS], k1=1.2, b=0.75)


def test_scores_equal_rank_bm25():
    retriever = _retriever()
    reference = BM25Okapi([tokenize(t) for t in TEXTS], k1=1.2, b=0.75)
    for query in ["mixer blocks", "shuffling LMN links", "slot shuffling 0.15", "zzz"]:
        np.testing.assert_allclose(
            retriever.scores(query), reference.get_scores(tokenize(query)), rtol=1e-9
        )


def test_search_ranks_matching_chunk_first():
    results = _retriever().search("How many blocks are in the mixer?", k=3)
    assert results[0].doc == "doc0"
    assert [p.rank for p in results] == list(range(1, len(results) + 1))


def test_search_filters_documents_and_drops_zero_scores():
    results = _retriever().search("training", k=5, docs={"doc3", "doc4"})
    assert {p.doc for p in results} == {"doc3"}
    assert _retriever().search("quantum chromodynamics", k=5) == []


def test_a_question_word_finds_the_words_papers_use_for_it():
    texts = [  # invented
        "Lattice mixers are trained with stochastic gradient descent and momentum 0.85.",
        "The mixer's blocks use a tanh nonlinearity after each braid.",
        "Mixers are evaluated on the Pebble-9K texture set.",
    ]
    chunks = [Chunk(i, f"doc{i}", f"Title {i}", 1, 1, t) for i, t in enumerate(texts)]
    tokens = [tokenize(t) for t in texts]
    plain = BM25Retriever(chunks, tokens, k1=1.2, b=0.75)
    related = BM25Retriever(chunks, tokens, k1=1.2, b=0.75, related_weight=0.5)
    # No passage says "optimizer" or "activation": plain BM25 finds nothing for them.
    assert plain.search("Which optimizer is used?", k=3) == []
    assert plain.search("Which activation function?", k=3) == []
    assert related.search("Which optimizer is used?", k=3)[0].doc == "doc0"
    assert related.search("Which activation function?", k=3)[0].doc == "doc1"
    # A related word counts half a question word: the passage using the question's word wins.
    both = BM25Retriever(
        [*chunks, Chunk(3, "doc3", "T", 1, 1, "The optimizer is sharded.")],
        [*tokens, tokenize("The optimizer is sharded.")],
        k1=1.2,
        b=0.75,
        related_weight=0.5,
    )
    assert both.search("optimizer", k=4)[0].doc == "doc3"


def test_a_part_of_a_hyphenated_name_brings_no_related_words():
    assert related_terms("Which activation function?") == [
        "relu",
        "tanh",
        "sigmoid",
        "rectified",
        "nonlinearity",
    ]
    assert related_terms("How deep is the pre-activation network?") == []


def test_a_greek_letter_typed_out_also_finds_its_symbol():
    chunks = [
        Chunk(0, "doc0", "T", 1, 1, "The Glorp score weights the dense term by λ = 1.1."),
        Chunk(1, "doc1", "T", 1, 1, "The Glorp score weights the sparse term by 0.4."),
        *(Chunk(i, f"doc{i}", "T", 1, 1, f"Zarn net {i} has no score.") for i in range(2, 6)),
    ]
    retriever = BM25Retriever(
        chunks, [tokenize(c.text) for c in chunks], k1=1.2, b=0.75, related_weight=0.5
    )
    assert related_terms("Which lambda weights the Glorp score?") == ["λ"]
    assert retriever.search("Which lambda weights the Glorp score?", k=2)[0].doc == "doc0"
    # Two languages in a question bring the names of languages papers translate between.
    assert "french" in related_terms("Which language pair is used?")
