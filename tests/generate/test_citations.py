"""Citation attribution on hand-made answers and passages."""

from __future__ import annotations

import pytest

from paperqa.generate.citations import (
    AnswerPart,
    Fact,
    attribute,
    attribute_parts,
    best_quote,
    facts_of,
    holds,
    parse_markers,
    strip_markers,
    unheld_question_facts,
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
    assert [c.marker for c in result.citations] == [1]  # the first source cited is [1]
    citation = result.citations[0]
    assert (citation.doc, citation.title, citation.pages, citation.chunk_id) == (
        "resnet",
        "Deep Residual Learning for Image Recognition",
        "1-2",
        101,
    )
    assert citation.quote.startswith("On the ImageNet dataset we evaluate residual nets")
    assert result.text == "Residual nets were evaluated with up to 152 layers on ImageNet [1]."


def test_wrong_model_marker_is_replaced_and_right_one_kept() -> None:
    wrong = attribute("The encoder stacks six identical layers [3].", PASSAGES)
    assert [c.chunk_id for c in wrong.citations] == [100]
    right = attribute("Label smoothing of value 0.1 was employed [3].", PASSAGES)
    assert [c.chunk_id for c in right.citations] == [102]
    out_of_range = attribute("Label smoothing of value 0.1 was employed [9].", PASSAGES)
    assert [c.chunk_id for c in out_of_range.citations] == [102]


def test_marker_after_the_period_stays_with_its_sentence() -> None:
    result = attribute("Label smoothing of 0.1 was used. [3] It hurts perplexity.", PASSAGES)
    assert result.text == "Label smoothing of 0.1 was used. It hurts perplexity [1]."


def test_unsupported_sentence_is_flagged_not_cited() -> None:
    result = attribute(
        "Label smoothing of 0.1 was employed. It was invented at a lunar research base in 1850.",
        PASSAGES,
    )
    assert [c.chunk_id for c in result.citations] == [102]
    assert result.unsupported == ["It was invented at a lunar research base in 1850."]
    assert result.text.endswith("in 1850 [unsupported].")


@pytest.mark.slow
def test_short_answer_uses_the_question(encoder) -> None:
    result = attribute(
        "Six.", PASSAGES, question="How many layers are in the encoder?", encoder=encoder
    )
    assert [c.chunk_id for c in result.citations] == [100]
    assert result.text == "Six [1]."


def test_answers_in_parts_cite_only_their_own_passages_numbered_across_parts() -> None:
    result = attribute_parts(
        [
            AnswerPart("The encoder stacks 6 identical layers.", [PASSAGES[0], PASSAGES[2]]),
            AnswerPart(
                "Residual nets reach 152 layers on ImageNet. Label smoothing of 0.1 was employed.",
                [PASSAGES[1]],
            ),
        ]
    )
    assert [(c.marker, c.chunk_id) for c in result.citations] == [(1, 100), (2, 101)]
    # The label-smoothing passage belongs to the first part: the second cannot cite it.
    assert result.unsupported == ["Label smoothing of 0.1 was employed."]
    assert result.text.startswith("The encoder stacks 6 identical layers [1]. Residual nets")


@pytest.mark.slow
def test_a_short_answer_in_a_part_is_judged_with_that_parts_question(encoder) -> None:
    result = attribute_parts(
        [
            AnswerPart("Six.", PASSAGES[:2], "How many layers are in the Transformer encoder?"),
            AnswerPart("152.", PASSAGES[:2], "How deep were the residual nets on ImageNet?"),
        ],
        encoder=encoder,
    )
    assert [c.chunk_id for c in result.citations] == [100, 101]
    assert result.text == "Six [1]. 152 [2]."


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


# An invented passage: a heading run into its first sentence, then the finding further on.
_REGULARISER = (
    "3.2 Noise Mixing the outputs of several different networks is a reliable way to lower "
    "the error, but it costs too much for large networks that already train for days. "
    "A cheaper form of mixing exists. The method, called token noise, replaces each input "
    "token with probability 0.2. The replaced tokens are drawn from the vocabulary. Training "
    "then sees a different corruption of every input, and we optimise with Rmsfold throughout."
)


def test_the_quote_of_a_number_is_a_sentence_that_holds_it() -> None:
    question = "What noise rate did the Mixer paper use, and what did the Blender paper use?"
    quote = best_quote("Mixer: 0.2.", _REGULARISER, question)
    assert quote.startswith("The method, called token noise") and "0.2" in quote
    # No sentence holds the number: the best match by words, as before.
    assert best_quote("Mixer: 0.3.", _REGULARISER, question).startswith("3.2 Noise Mixing")


def test_the_quote_of_a_new_word_is_a_sentence_that_holds_it() -> None:
    passage = _REGULARISER + " Earlier work used this approach to mix the outputs of a paper."
    question = "Which optimiser did the Mixer paper use?"
    quote = best_quote("The Mixer paper used Rmsfold.", passage, question)
    assert "Rmsfold" in quote  # not the sentence sharing the most of the question's words


def test_a_citation_names_its_section_and_its_quote_drops_the_heading_run_into_it() -> None:
    text = "4.2 Noise Schedule The noise rate is 0.2 for every layer of the mixer network."
    chunk = Chunk(3, "mixer", "The Mixer", 5, 5, text, section="4.2 Noise Schedule")
    result = attribute("The mixer uses a noise rate of 0.2 [1].", [Passage(chunk, 1.0, 1)])
    (citation,) = result.citations
    assert citation.section == "4.2 Noise Schedule"
    assert citation.quote == "The noise rate is 0.2 for every layer of the mixer network."
    assert citation.label == "[1] The Mixer, p. 5, § 4.2 Noise Schedule"


def test_sources_are_numbered_in_the_order_first_cited() -> None:
    result = attribute(
        "Label smoothing of value 0.1 was employed. The encoder stacks six identical layers.",
        PASSAGES,
    )
    assert [(c.marker, c.chunk_id) for c in result.citations] == [(1, 102), (2, 100)]
    assert result.text == (
        "Label smoothing of value 0.1 was employed [1]. "
        "The encoder stacks six identical layers [2]."
    )


def test_number_missing_from_the_cited_passage_moves_the_citation() -> None:
    # Words match the encoder passage, but 0.1 is only in the label-smoothing one.
    result = attribute("The encoder stacks identical layers with smoothing 0.1.", PASSAGES)
    assert [c.chunk_id for c in result.citations] == [102]


def test_number_no_passage_holds_makes_the_sentence_unsupported() -> None:
    result = attribute("The encoder is a stack of 12 identical layers.", PASSAGES)
    assert result.citations == []
    assert result.unsupported == ["The encoder is a stack of 12 identical layers."]
    assert "[unsupported]" in result.text


def test_paper_nickname_must_match_the_cited_paper() -> None:
    # The words and the number fit the Transformer passage, but AlexNet is another paper.
    result = attribute("AlexNet used label smoothing of value 0.1.", PASSAGES)
    assert result.citations == [] and result.unsupported


def test_a_long_paper_title_in_the_sentence_does_not_drown_its_support() -> None:
    title = "Keeping Neural Networks Simple by Minimizing the Description Length of the Weights"
    prior = Passage(
        Chunk(
            200,
            "keeping-nn-simple-mdl-weights",
            title,
            5,
            5,
            "If we do not know in advance which weights should be similar, we can model the "
            "weight distribution by an adaptive mixture of Gaussians.",
        ),
        1.0,
        1,
    )
    result = attribute(
        f"The weight distribution in {title} is modelled by an adaptive mixture of Gaussians.",
        [*PASSAGES, prior],
    )
    assert [c.chunk_id for c in result.citations] == [200]
    assert result.unsupported == []


def test_sentence_comparing_two_papers_cites_both() -> None:
    real_ids = {"transformer": "attention-is-all-you-need", "resnet": "deep-residual-learning"}
    passages = [
        Passage(Chunk(p.chunk.id, real_ids[p.doc], p.chunk.title, 1, 1, p.text), p.score, p.rank)
        for p in PASSAGES
    ]
    result = attribute(
        "The Transformer encoder has 6 identical layers, while ResNet reaches 152 layers.",
        passages,
    )
    assert sorted(c.doc for c in result.citations) == list(real_ids.values())


def test_facts_ignore_the_users_own_words() -> None:
    facts = facts_of(
        "The 13 targets include QM9 energies and 11 are within accuracy.", "the 13 QM9 targets"
    )
    assert [f.text for f in facts] == ["11"]


def test_numbers_hold_by_digits_not_by_substrings() -> None:
    def passage(text: str) -> Passage:
        return Passage(Chunk(1, "d", "T", 1, 1, text), 1.0)

    def held(number: str, text: str) -> bool:
        return holds(Fact("number", number), passage(text), set(tokenize(text)))

    assert held("6", "a stack of N = 6 identical layers")
    assert held("6", "six identical layers")
    assert held("4,000", "warmup_steps = 4000")
    assert held("2", "the non-random 2Here we use")  # a footnote mark glued to a word
    assert held("28.0", "a 28% relative improvement")  # the same number, written two ways
    assert held("28", "a 28.0% relative improvement")
    assert held("2.50", "a rate of 2.5 per step")
    assert not held("2.50", "a rate of 2.05 per step")
    assert not held("15.3", "an error of 115.3")
    assert not held("15.30", "an error of 15.35")
    assert not held("2", "we used 25 epochs")
    assert not held("5", "it lowers the top-5 error")  # part of a name, as "5" in an answer's
    assert not held("16", "the Mixer-16 network")  # "Mixer-16" is not a number fact either
    assert held("6", "a 6-layer network") and held("2012", "the Mixer-2012 challenge")


def test_numbers_in_a_papers_name_are_not_facts() -> None:
    facts = facts_of("Deep Speech 2 cuts its error by 40% with ten times more audio.")
    assert [f.text for f in facts if f.kind == "number"] == ["40%"]


def test_a_share_holds_as_a_percentage_or_as_a_fraction() -> None:
    def held(sentence: str, text: str) -> bool:
        passage = Passage(Chunk(1, "glorp", "The Glorp Network", 2, 2, text), 1.0, 1)
        (fact,) = [f for f in facts_of(sentence) if f.kind == "number"]
        return holds(fact, passage, set(tokenize(text)))

    assert held("Dropout was 50% in the hidden layers.", "units dropped with probability 0.5")
    assert held("Dropout was 50% in the hidden layers.", "units dropped with probability .5")
    assert held("Units were dropped with probability 0.5.", "half of them (50 %) are dropped")
    assert not held("Dropout was 50% in the hidden layers.", "with probability 0.05")
    assert not held("Dropout was 5% in the hidden layers.", "with probability 0.5")
    assert not held("Units were dropped with probability 0.5.", "a 5% drop rate")
    assert held("Section 2.5.1 gives the rate.", "as in section 2.5.1 below")
    assert not held("Section 2.5.1 gives the rate.", "as in section 2.5 below")


def test_a_quote_holds_without_the_sentence_punctuation_inside_its_marks() -> None:
    text = "The better prior comes for free with the autoregressive decoder."
    passage = Passage(Chunk(1, "vlae", "VLAE", 2, 2, text), 1.0, 1)
    (fact,) = [f for f in facts_of('The prior essentially "comes for free."') if f.kind == "quote"]
    assert fact.text == "comes for free" and holds(fact, passage, set(tokenize(text)))


def test_a_sentence_whose_number_and_words_a_passage_holds_is_supported_despite_rewording() -> None:
    glorp = (
        "We regularise the Glorp network by zeroing hidden units with probability 0.35 "
        "during training."
    )
    passages = [
        Passage(Chunk(1, "glorp", "The Glorp Network", 2, 2, glorp), 1.0, 1),
        Passage(
            Chunk(2, "other", "Other Paper", 1, 1, "A rate of 0.1 was used for decay."), 0.5, 2
        ),
    ]
    reworded = attribute("Glorp applied dropout of 0.35 to every layer.", passages)
    assert reworded.sentences[0].lexical[0] < 0.35  # below the plain overlap threshold
    assert [c.doc for c in reworded.citations] == ["glorp"]
    invented = attribute("Glorp applied dropout of 0.45 to every layer.", passages)
    assert not invented.citations and invented.unsupported


def test_a_sentence_whose_name_and_words_a_passage_holds_is_supported_despite_rewording() -> None:
    glorp = (
        "We refer to neurons with this nonlinearity as Squashed Exponential Units (SqEUs). Glorp "
        "networks with SqEUs train several times faster than their equivalents with tanh units."
    )
    passages = [
        Passage(Chunk(1, "glorp", "The Glorp Network", 2, 2, glorp), 1.0, 1),
        Passage(Chunk(2, "other", "Other Paper", 1, 1, "The sigmoid saturates at 0 and 1."), 0.5),
    ]
    question = "Which nonlinearity does Glorp use instead of tanh?"
    reworded = attribute("Glorp relies on the SqEU rather than tanh.", passages, question=question)
    assert reworded.sentences[0].lexical[0] < 0.35  # below the plain overlap threshold
    assert [c.doc for c in reworded.citations] == ["glorp"]
    invented = attribute("Glorp relies on the GELU rather than tanh.", passages, question=question)
    assert not invented.citations and invented.unsupported


def test_a_name_in_the_plural_holds_where_its_singular_does() -> None:
    text = "We apply dropout to the non-recurrent connections of the LSTM."
    passage = Passage(Chunk(1, "reg", "Regularization", 5, 5, text), 1.0, 1)
    terms = set(tokenize(text))
    assert holds(Fact("name", "LSTMs"), passage, terms)
    assert not holds(Fact("name", "GRUs"), passage, terms)


def test_a_name_holds_with_or_without_its_hyphens() -> None:
    text = "VGG-16 and ResNet50 are compared on ImageNet."
    passage = Passage(Chunk(1, "cmp", "Comparison", 2, 2, text), 1.0, 1)
    terms = set(tokenize(text))
    assert holds(Fact("name", "VGG16"), passage, terms)
    assert holds(Fact("name", "ResNet-50"), passage, terms)
    assert not holds(Fact("name", "VGG-19"), passage, terms)


def test_question_numbers_the_cited_passages_lack_are_unheld() -> None:
    speedup = "Pipeline parallelism speeds up training of the 24-layer Transformer 3.3x on 8 GPUs."
    cited = [Passage(Chunk(1, "gpipe", "GPipe", 5, 5, speedup), 1.0, 1)]
    assert unheld_question_facts("How much faster was training on 16 GPUs?", cited) == ["16"]
    assert unheld_question_facts("How much faster was training on 8 GPUs?", cited) == []
    # A number must be in the passage cited, not merely elsewhere in the paper.
    other = Passage(Chunk(2, "gpipe", "GPipe", 6, 6, "With 16 GPUs the speed-up is 6x."), 1.0, 2)
    assert unheld_question_facts("How much faster on 16 GPUs?", cited, [other]) == ["16"]


def test_question_names_no_passage_of_the_cited_paper_mentions_are_unheld() -> None:
    table = "FC: [1x1x4096] weights: 102,760,448. The first FC layer contains 100M weights."
    cited = [Passage(Chunk(1, "cs231n-notes", "CS231n", 1, 1, table), 1.0, 1)]
    heading = Passage(Chunk(2, "cs231n-notes", "CS231n", 1, 1, "VGGNet in detail."), 1.0, 2)
    question = "How many weights has the first FC layer of VGGNet?"
    assert unheld_question_facts(question, cited) == ["VGGNet"]
    assert unheld_question_facts(question, cited, [heading]) == []  # its section's heading
    assert unheld_question_facts(
        "How many weights has the first FC layer of GoogLeNet?", cited, [heading]
    ) == ["GoogLeNet"]


def test_a_paper_the_question_names_holds_where_it_is_cited_and_years_are_exempt() -> None:
    text = "Six identical layers are stacked in the encoder, each with two sub-layers."
    cited = [Passage(Chunk(1, "attention-is-all-you-need", "Attention", 3, 3, text), 1.0, 1)]
    question = "How many layers does the encoder of the 2017 Transformer paper stack?"
    assert unheld_question_facts(question, cited) == []
    assert unheld_question_facts("How many layers does the 12-layer ELMo stack?", cited) == [
        "12",
        "ELMo",
    ]


def test_a_paper_the_question_names_must_be_cited_or_mentioned_by_the_cited_passages() -> None:
    question = "What top-1 error does AlexNet reach on CIFAR-100?"
    resnet = "The 1001-layer network reaches 4.62% error on CIFAR-10 and 22.71% on CIFAR-100."
    cited = [Passage(Chunk(1, "identity-mappings-resnets", "Identity", 12, 12, resnet), 1.0, 1)]
    assert unheld_question_facts(question, cited) == ["AlexNet"]
    notes = "On CIFAR-100, AlexNet-style nets reach about 40% top-1 error."
    cited = [Passage(Chunk(2, "cs231n-notes", "CS231n", 3, 3, notes), 1.0, 1)]
    assert unheld_question_facts(question, cited) == []
    # Named in lower case, as people type it.
    question = "Which learning algorithm does the coffee automaton paper train its agent with?"
    thesis = "The agent is trained with the Sarsa algorithm and eligibility traces."
    cited = [Passage(Chunk(3, "machine-super-intelligence", "Legg", 9, 9, thesis), 1.0, 1)]
    assert unheld_question_facts(question, cited) == ["the coffee automaton"]
