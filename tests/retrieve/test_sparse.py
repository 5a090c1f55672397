import numpy as np
from rank_bm25 import BM25Okapi

from paperqa.retrieve.sparse import BM25Retriever
from paperqa.text import tokenize
from paperqa.types import Chunk

TEXTS = [
    "The Transformer encoder is a stack of six identical layers.",
    "Residual networks ease the training of very deep networks.",
    "Dropout is applied to the non-recurrent connections of the LSTM.",
    "We use label smoothing of value 0.1 during training.",
    "Dense passage retrieval uses two BERT encoders and FAISS.",
]


def _retriever() -> BM25Retriever:
    chunks = [Chunk(i, f"doc{i}", f"Title {i}", 1, 1, t) for i, t in enumerate(TEXTS)]
    return BM25Retriever(chunks, [tokenize(t) for t in TEXTS], k1=1.2, b=0.75)


def test_scores_equal_rank_bm25():
    retriever = _retriever()
    reference = BM25Okapi([tokenize(t) for t in TEXTS], k1=1.2, b=0.75)
    for query in ["encoder layers", "dropout LSTM connections", "label smoothing 0.1", "zzz"]:
        np.testing.assert_allclose(
            retriever.scores(query), reference.get_scores(tokenize(query)), rtol=1e-9
        )


def test_search_ranks_matching_chunk_first():
    results = _retriever().search("How many layers are in the encoder?", k=3)
    assert results[0].doc == "doc0"
    assert [p.rank for p in results] == list(range(1, len(results) + 1))


def test_search_filters_documents_and_drops_zero_scores():
    results = _retriever().search("training", k=5, docs={"doc3", "doc4"})
    assert {p.doc for p in results} == {"doc3"}
    assert _retriever().search("quantum chromodynamics", k=5) == []
