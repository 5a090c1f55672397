"""Citation attribution on hand-made answers and passages."""

from __future__ import annotations

import pytest

from paperqa.generate.citations import (
    attribute,
    best_quote,
    parse_markers,
    strip_markers,
)
from paperqa.settings import Settings
from paperqa.text import split_sentences, tokenize
from paperqa.types import Chunk, Passage

TEXTS = [
    (
        "transformer",
        "Attention Is All You Need",
        3,
        3,
        "Encoder: The encoder is composed of a stack of N = 6 identical layers. Each layer has "
        "two sub-layers. The first is a multi-head self-attention mechanism, and the second is a "
        "simple, position-wise fully connected feed-forward network.",
    ),
    (
        "resnet",
        "Deep Residual Learning for Image Recognition",
        1,
        2,
        "On the ImageNet dataset we evaluate residual nets with a depth of up to 152 layers, 8x "
        "deeper than VGG nets but still having lower complexity. An ensemble of these residual "
        "nets achieves 3.57% error on the ImageNet test set.",
    ),
    (
        "transformer",
        "Attention Is All You Need",
        8,
        8,
        "During training, we employed label smoothing of value 0.1. This hurts perplexity, as the "
        "model learns to be more unsure, but improves accuracy and BLEU score.",
    ),
]
PASSAGES = [
    Passage(Chunk(100 + i, doc, title, start, end, text), 1.0 / (i + 1), i + 1)
    for i, (doc, title, start, end, text) in enumerate(TEXTS)
]


@pytest.fixture(scope="module")
def encoder():
    from paperqa.embedder import get_embedder

    return get_embedder(Settings())


def test_sentences_split_at_ends_not_inside_numbers_or_abbreviations() -> None:
    text = "Smoothing of 0.1 was used, e.g. in training [3]. Residual nets reach 152 layers.\nDone."
    assert split_sentences(text) == [
        "Smoothing of 0.1 was used, e.g. in training [3].",
        "Residual nets reach 152 layers.",
        "Done.",
    ]


def test_markers_are_parsed_and_stripped() -> None:
    assert parse_markers("It has six layers [1][3] and [2, 4] or [5-6].") == [1, 3, 2, 4, 5, 6]
    assert strip_markers("It has six layers [1, 2].") == "It has six layers."


def test_terms_normalize_plurals_numbers_and_stopwords() -> None:
    assert tokenize("The encoder has six identical Layers") == [
        "encoder",
        "6",
        "identical",
        "layer",
    ]


def test_lexical_attribution_picks_the_supporting_passage() -> None:
    result = attribute("Residual nets were evaluated with up to 152 layers on ImageNet.", PASSAGES)
    assert [c.marker for c in result.citations] == [2]
    citation = result.citations[0]
    assert (citation.doc, citation.title, citation.pages, citation.chunk_id) == (
        "resnet",
        "Deep Residual Learning for Image Recognition",
        "1-2",
        101,
    )
    assert citation.quote.startswith("On the ImageNet dataset we evaluate residual nets")
    assert result.text == "Residual nets were evaluated with up to 152 layers on ImageNet [2]."


def test_wrong_model_marker_is_replaced_and_right_one_kept() -> None:
    wrong = attribute("The encoder stacks six identical layers [3].", PASSAGES)
    assert [c.marker for c in wrong.citations] == [1]
    right = attribute("Label smoothing of value 0.1 was employed [3].", PASSAGES)
    assert [c.marker for c in right.citations] == [3]
    out_of_range = attribute("Label smoothing of value 0.1 was employed [9].", PASSAGES)
    assert [c.marker for c in out_of_range.citations] == [3]


def test_marker_after_the_period_stays_with_its_sentence() -> None:
    result = attribute("Label smoothing of 0.1 was used. [3] It hurts perplexity.", PASSAGES)
    assert result.text == "Label smoothing of 0.1 was used. It hurts perplexity [3]."


def test_unsupported_sentence_is_flagged_not_cited() -> None:
    result = attribute(
        "Label smoothing of 0.1 was employed. It was invented at a lunar research base in 1850.",
        PASSAGES,
    )
    assert [c.marker for c in result.citations] == [3]
    assert result.unsupported == ["It was invented at a lunar research base in 1850."]
    assert result.text.endswith("in 1850.")


@pytest.mark.slow
def test_short_answer_uses_the_question(encoder) -> None:
    result = attribute(
        "Six.", PASSAGES, question="How many layers are in the encoder?", encoder=encoder
    )
    assert [c.marker for c in result.citations] == [1]
    assert result.text == "Six [1]."


@pytest.mark.slow
def test_paraphrase_is_attributed_with_embeddings(encoder) -> None:
    result = attribute(
        "Training used a smoothed label distribution with value 0.1, which made the model less "
        "certain but more accurate.",
        PASSAGES,
        encoder=encoder,
    )
    assert [c.doc for c in result.citations] == ["transformer"]
    assert result.citations[0].pages == "8"


@pytest.mark.slow
def test_unrelated_answer_gets_no_citation(encoder) -> None:
    result = attribute("The capital of France is Paris.", PASSAGES, encoder=encoder)
    assert result.citations == []
    assert result.unsupported == ["The capital of France is Paris."]


def test_quote_is_the_best_supporting_sentence() -> None:
    quote = best_quote("The ensemble reaches 3.57% error.", TEXTS[1][4])
    assert (
        quote == "An ensemble of these residual nets achieves 3.57% error on the ImageNet test set."
    )
