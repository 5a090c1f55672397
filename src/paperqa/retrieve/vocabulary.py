"""The words papers use for what a question names otherwise, for the BM25 side of a search.

A question asks for AlexNet's "optimizer" or "activation function"; the paper says "stochastic
gradient descent ... momentum of 0.9" and "ReLU nonlinearity", so BM25 ranks neither passage.
``RELATED_TERMS`` maps a question word to such words (general machine-learning usage, written
without looking at any question set) and a Greek letter's name to its symbol ("lambda": "λ");
``BM25Retriever`` also scores them, at a fraction of a question term's weight
(``Settings.bm25_related_weight``).
"""

from __future__ import annotations

import re

from paperqa.text import greek_symbols, tokenize

_HYPHENATED = re.compile(r"\S+-\S+")

# (words a question may use, words papers use for the same thing). Not "error" and "accuracy":
# they are two figures, and a question about one was answered with the other.
_GROUPS = (
    ("optimizer optimiser", "sgd adam momentum gradient descent rmsprop adagrad"),
    ("activation nonlinearity", "relu tanh sigmoid rectified nonlinearity activation"),
    ("regularization regularisation overfitting", "dropout decay penalty regularization"),
    ("depth", "layer"),
    ("hardware", "gpu tpu cpu"),
    ("schedule", "warmup decay anneal"),
    ("objective", "loss"),
    ("loss", "objective"),
    ("dataset", "corpus benchmark"),
    ("corpus", "dataset"),
    ("initialization initialisation initialize", "init xavier glorot"),
    ("language languages", "english french german chinese mandarin spanish russian czech"),
)


def _related_terms() -> dict[str, tuple[str, ...]]:
    related: dict[str, tuple[str, ...]] = {}
    for asked, used in _GROUPS:
        for term in tokenize(asked):
            related[term] = tuple(dict.fromkeys(related.get(term, ()) + tuple(tokenize(used))))
    return related


RELATED_TERMS = _related_terms()


def related_terms(query: str) -> list[str]:
    """The BM25 terms (``paperqa.text.tokenize``) papers use for the words of ``query``, without
    those the query has. A part of a hyphenated name ("pre-activation") is not a word of it."""
    terms = tokenize(query)
    words = tokenize(_HYPHENATED.sub(" ", query))
    found = dict.fromkeys(t for word in words for t in RELATED_TERMS.get(word, ()))
    found.update(dict.fromkeys(greek_symbols(query)))
    return [t for t in found if t not in terms]
