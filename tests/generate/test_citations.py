"""Citation attribution on hand-made answers and passages."""

from __future__ import annotations

import pytest

from paperqa.generate.citations import (
    MIN_LEXICAL,
    MIN_SCORE,
    AnswerPart,
    Fact,
    NumberText,
    SentenceSupport,
    _cite_best,
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
from paperqa.text import tokenize
from paperqa.types import Chunk, Passage

# Invented papers and sentences (the papers of the reading list must not be committed): a
# heading run into a sentence, a number written as a word elsewhere, percentages and names.
TEXTS = [
    (
        "lmn",
        "Lattice Memory Networks",
        3,
        3,
        "Encoder: Our encoder stacks K = 7 gated blocks, one above the other. Every block holds "
        "three sub-blocks. The first is a lattice read head, and the second is a small, "
        "slot-wise recurrent mixer.",
    ),
    (
        "braided",
        "Braided Pooling for Texture Recognition",
        1,
        2,
        "We train braided nets of up to 118 layers on the Pebble-9K benchmark, five times deeper "
        "than the Quarry baselines yet cheaper to run. Averaged over four seeds, a committee of "
        "braided nets reaches 4.83% error on the Pebble-9K test split.",
    ),
    (
        "lmn",
        "Lattice Memory Networks",
        8,
        8,
        "Throughout training we applied slot shuffling at a rate of 0.15. This raises the "
        "training loss, as the mixer can no longer lean on slot order, but improves recall on "
        "the held-out probes.",
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


def test_markers_are_parsed_and_stripped() -> None:
    assert parse_markers("It has six layers [1][3] and [2, 4] or [5-6].") == [1, 3, 2, 4, 5, 6]
    assert strip_markers("It has six layers [1, 2].") == "It has six layers."


def test_terms_normalize_plurals_numbers_and_stopwords() -> None:
    assert tokenize("The mixer has seven gated Blocks") == [
        "mixer",
        "7",
        "gated",
        "block",
    ]


def test_lexical_attribution_picks_the_supporting_passage() -> None:
    result = attribute("Braided nets were trained with up to 118 layers on Pebble-9K.", PASSAGES)
    assert [c.marker for c in result.citations] == [1]  # the first source cited is [1]
    citation = result.citations[0]
    assert (citation.doc, citation.title, citation.pages, citation.chunk_id) == (
        "braided",
        "Braided Pooling for Texture Recognition",
        "1-2",
        101,
    )
    assert citation.quote.startswith("We train braided nets of up to 118 layers")
    assert result.text == "Braided nets were trained with up to 118 layers on Pebble-9K [1]."


def test_wrong_model_marker_is_replaced_and_right_one_kept() -> None:
    wrong = attribute("The encoder stacks seven gated blocks [3].", PASSAGES)
    assert [c.chunk_id for c in wrong.citations] == [100]
    right = attribute("Slot shuffling at a rate of 0.15 was applied [3].", PASSAGES)
    assert [c.chunk_id for c in right.citations] == [102]
    out_of_range = attribute("Slot shuffling at a rate of 0.15 was applied [9].", PASSAGES)
    assert [c.chunk_id for c in out_of_range.citations] == [102]


def test_marker_after_the_period_stays_with_its_sentence() -> None:
    result = attribute("Slot shuffling of 0.15 was used. [3] It raises the loss.", PASSAGES)
    assert result.text == "Slot shuffling of 0.15 was used. It raises the loss [1]."


def test_a_marker_goes_outside_the_quote_that_closes_a_sentence() -> None:
    result = attribute('We applied slot shuffling "at a rate of 0.15."', PASSAGES)
    assert result.text == 'We applied slot shuffling "at a rate of 0.15." [1]'


def test_unsupported_sentence_is_flagged_not_cited() -> None:
    result = attribute(
        "Slot shuffling of 0.15 was applied. It was invented at a lunar research base in 1850.",
        PASSAGES,
    )
    assert [c.chunk_id for c in result.citations] == [102]
    assert result.unsupported == ["It was invented at a lunar research base in 1850."]
    assert result.text.endswith("in 1850 [unsupported].")


def test_a_sentence_naming_a_passages_paper_answers_which_paper_did_something() -> None:
    # Invented text under a reading-list paper's id. The sentence adds nothing to the question
    # but the paper's name, so its own words barely overlap passages that all say "slotpointing".
    texts = [
        "Slotpointing outputs positions in the input sequence, one at each step.",
        "We train slotpointing on convex hulls.",
        "Slotpointing beats the baseline by a wide margin.",
    ]
    pointer = [
        Passage(Chunk(200 + i, "pointer-networks", "Pointer Networks", 1, 1, text), 0.5, i + 1)
        for i, text in enumerate(texts)
    ]
    sentence, question = (
        "Pointer Networks proposed slotpointing.",
        "Which paper proposed slotpointing?",
    )
    result = attribute(sentence, pointer, question=question)
    assert [c.doc for c in result.citations] == ["pointer-networks"]
    assert result.unsupported == []
    # Asked what slotpointing is, the same sentence says nothing the passages hold.
    assert attribute(sentence, pointer, question="What is slotpointing?").citations == []
    # And the paper named must be that of a passage holding the question's words.
    assert attribute(sentence, PASSAGES, question=question).citations == []
    # A sentence naming several such papers cites a passage of each.
    ntm = Passage(Chunk(300, "neural-turing-machines", "NTM", 1, 1, "Slotpointing helps."), 0.4, 5)
    result = attribute(
        "Pointer Networks and Neural Turing Machines proposed slotpointing.",
        [*pointer, ntm],
        question=question,
    )
    assert {c.doc for c in result.citations} == {"pointer-networks", "neural-turing-machines"}


@pytest.mark.slow
def test_short_answer_uses_the_question(encoder) -> None:
    result = attribute(
        "Seven.",
        PASSAGES,
        question="How many gated blocks does the encoder stack?",
        encoder=encoder,
    )
    assert [c.chunk_id for c in result.citations] == [100]
    assert result.text == "Seven [1]."


def test_answers_in_parts_cite_only_their_own_passages_numbered_across_parts() -> None:
    result = attribute_parts(
        [
            AnswerPart("The encoder stacks 7 gated blocks.", [PASSAGES[0], PASSAGES[2]]),
            AnswerPart(
                "Braided nets reach 118 layers on Pebble-9K. Slot shuffling of 0.15 was applied.",
                [PASSAGES[1]],
            ),
        ]
    )
    assert [(c.marker, c.chunk_id) for c in result.citations] == [(1, 100), (2, 101)]
    # The slot-shuffling passage belongs to the first part: the second cannot cite it.
    assert result.unsupported == ["Slot shuffling of 0.15 was applied."]
    assert result.text.startswith("The encoder stacks 7 gated blocks [1]. Braided nets")


@pytest.mark.slow
def test_a_short_answer_in_a_part_is_judged_with_that_parts_question(encoder) -> None:
    result = attribute_parts(
        [
            AnswerPart("Seven.", PASSAGES[:2], "How many gated blocks does the encoder stack?"),
            AnswerPart("118.", PASSAGES[:2], "How deep were the braided nets on Pebble-9K?"),
        ],
        encoder=encoder,
    )
    assert [c.chunk_id for c in result.citations] == [100, 101]
    assert result.text == "Seven [1]. 118 [2]."


@pytest.mark.slow
def test_paraphrase_is_attributed_with_embeddings(encoder) -> None:
    result = attribute(
        "While it trained, the order of the slots was permuted at a rate of 0.15, so the model "
        "relied less on position and recalled better.",
        PASSAGES,
        encoder=encoder,
    )
    assert [c.doc for c in result.citations] == ["lmn"]
    assert result.citations[0].pages == "8"


def test_a_passage_sharing_enough_words_supports_a_sentence_another_scores_higher_on() -> None:
    # The first passage paraphrases the sentence (high similarity, few shared words) and reaches
    # neither threshold; the second shares enough words. The best combined score is not the test.
    support = SentenceSupport("The mixer forgets old slots.", [], False, [0.29, 0.40], [0.66, 0.30])
    assert support.scores[0] > support.scores[1]
    assert max(support.scores) < MIN_SCORE and support.lexical[0] < MIN_LEXICAL <= 0.40
    _cite_best(support)
    assert support.supported and support.cited == [1]


@pytest.mark.slow
def test_unrelated_answer_gets_no_citation(encoder) -> None:
    result = attribute("The capital of France is Paris.", PASSAGES, encoder=encoder)
    assert result.citations == []
    assert result.unsupported == ["The capital of France is Paris."]


def test_quote_is_the_best_supporting_sentence() -> None:
    quote = best_quote("The committee reaches 4.83% error.", TEXTS[1][4])
    assert quote == (
        "Averaged over four seeds, a committee of braided nets reaches 4.83% error on the "
        "Pebble-9K test split."
    )


# An invented passage: a heading run into its first sentence, then the finding further on.
_REGULARISER = (
    "3.2 Noise Mixing the votes of a dozen small mixers cuts mistakes, yet a dozen large ones "
    "would need a month of compute. Corrupting the input is far cheaper. The method, called "
    "token noise, swaps each input token with probability 0.2. The swapped tokens come from "
    "the vocabulary. Every epoch thus shows a fresh corruption of each input, and we optimise "
    "with Rmsfold throughout."
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
        "Slot shuffling at a rate of 0.15 was applied. The encoder stacks seven gated blocks.",
        PASSAGES,
    )
    assert [(c.marker, c.chunk_id) for c in result.citations] == [(1, 102), (2, 100)]
    assert result.text == (
        "Slot shuffling at a rate of 0.15 was applied [1]. "
        "The encoder stacks seven gated blocks [2]."
    )


def test_number_missing_from_the_cited_passage_moves_the_citation() -> None:
    # Words match the encoder passage, but 0.15 is only in the slot-shuffling one.
    result = attribute("The encoder stacks gated blocks with shuffling 0.15.", PASSAGES)
    assert [c.chunk_id for c in result.citations] == [102]


def test_number_no_passage_holds_makes_the_sentence_unsupported() -> None:
    result = attribute("The encoder stacks 12 gated blocks.", PASSAGES)
    assert result.citations == []
    assert result.unsupported == ["The encoder stacks 12 gated blocks."]
    assert "[unsupported]" in result.text


def test_a_count_written_as_a_word_must_hold_in_the_cited_passage() -> None:
    # The words fit the encoder passage, which says "three" sub-blocks, not two.
    result = attribute("Every gated block holds two sub-blocks.", PASSAGES)
    assert result.citations == [] and result.unsupported
    result = attribute("Every gated block holds Three sub-blocks.", PASSAGES)
    assert [c.chunk_id for c in result.citations] == [100] and not result.unsupported
    # "one" is as often a pronoun, and a count in the question is not a thing to find.
    assert [f.text for f in facts_of("One of the blocks is a read head.")] == []
    cited = [PASSAGES[0]]
    assert unheld_question_facts("What do the two sub-blocks of the encoder do?", cited) == []


@pytest.mark.slow
def test_a_short_answer_is_not_held_back_by_the_authors_the_question_names(encoder) -> None:
    # Hinton and van Camp name a reading-list paper; its passages need not repeat its authors.
    jitter = "Each weight is perturbed with zero-mean Laplace jitter before the forward pass."
    other = "Slot shuffling at a rate of 0.15 raises the training loss."
    passages = [
        Passage(Chunk(1, "keeping-nn-simple-mdl-weights", "Keeping", 4, 4, jitter), 1.0, 1),
        Passage(Chunk(2, "lmn", "Lattice Memory Networks", 8, 8, other), 0.5, 2),
    ]
    question = "What kind of jitter do Hinton and van Camp apply to the weights?"
    result = attribute("Laplace jitter.", passages, question=question, encoder=encoder)
    assert [c.chunk_id for c in result.citations] == [1] and not result.unsupported


def test_a_number_given_for_a_named_paper_must_come_from_it_or_a_passage_naming_it() -> None:
    notes = "Dropout keeps each unit active with probability 0.5 in our course notes."
    own = "All models used one layer of 256 units, trained with plain gradient steps and dropout."
    passages = [
        Passage(Chunk(1, "notes", "Course Notes", 1, 1, notes), 1.0, 1),
        Passage(Chunk(2, "pointer-networks", "Pointer Networks", 6, 6, own), 0.9, 2),
    ]
    result = attribute("The Pointer Network was trained with dropout of 0.5.", passages)
    assert result.citations == [] and result.unsupported
    passages[0] = Passage(
        Chunk(1, "notes", "Notes", 1, 1, notes + " So did the Pointer Network."), 1.0, 1
    )
    result = attribute("The Pointer Network was trained with dropout of 0.5.", passages)
    assert {c.chunk_id for c in result.citations} == {1} and not result.unsupported


def test_a_plain_word_naming_a_paper_in_another_paper_is_the_thing_not_the_paper() -> None:
    # "Transformer" names the Transformer paper as written; in another paper it is the
    # architecture, whose size there is not the paper's model's.
    other = "We train a single 6-billion-parameter multilingual Transformer on 103 languages."
    own = "Table 3: the big model has dmodel = 1024 and dropout 0.3."
    passages = [
        Passage(Chunk(1, "gpipe", "GPipe", 2, 2, other), 1.0, 1),
        Passage(Chunk(2, "attention-is-all-you-need", "Attention", 9, 9, own), 0.9, 2),
    ]
    result = attribute("The big Transformer has 6 billion parameters.", passages)
    assert result.citations == [] and result.unsupported
    # A name of its own ("AlexNet") in course notes still names the paper there.
    notes = "AlexNet has 60 million parameters, most of them in its fully connected layers."
    passages[0] = Passage(Chunk(1, "cs231n-notes", "CS231n", 1, 1, notes), 1.0, 1)
    result = attribute("AlexNet has 60 million parameters.", passages)
    assert [c.doc for c in result.citations] == ["cs231n-notes"] and not result.unsupported


def test_a_papers_name_holds_in_a_passage_citing_the_paper_by_its_author() -> None:
    # Course notes that credit "Krizhevsky et al." with a finding speak of AlexNet.
    notes = (
        "Rectifiers were found to speed up the convergence of gradient descent several times "
        "over saturating units (Krizhevsky et al.), since they do not saturate."
    )
    own = "Our network has eight learned layers: five convolutional and three fully connected."
    passages = [
        Passage(Chunk(1, "cs231n-notes", "CS231n", 1, 1, notes), 1.0, 1),
        Passage(Chunk(2, "imagenet-classification-deep-cnns", "ImageNet", 3, 3, own), 0.9, 2),
    ]
    sentence = "AlexNet uses rectifiers because they speed up the convergence of gradient descent."
    result = attribute(sentence, passages)
    assert [c.doc for c in result.citations] == ["cs231n-notes"] and not result.unsupported
    uncredited = notes.replace(" (Krizhevsky et al.)", "")
    passages[0] = Passage(Chunk(1, "cs231n-notes", "CS231n", 1, 1, uncredited), 1.0, 1)
    assert attribute(sentence, passages).unsupported


def test_a_models_name_the_question_does_not_use_is_the_answer_not_a_papers_name() -> None:
    # Asked what RMC stands for, "Relational Memory Core" answers; it also names the paper.
    text = "Our module, the Relational Memory Core (RMC), keeps its slots in a grid of cells."
    other = "A grid of cells is updated at every step of the lattice memory."
    passages = [
        Passage(Chunk(1, "lmn", "Lattice Memory Networks", 2, 2, other), 1.0, 1),
        Passage(Chunk(2, "relational-rnns", "Relational recurrent", 3, 3, text), 0.9, 2),
    ]
    question = "What does RMC stand for in the relational recurrent neural networks paper?"
    for answer in ("Relational Memory Core.", "RMC stands for Relational Memory Core."):
        result = attribute(answer, passages, question=question)
        assert [c.chunk_id for c in result.citations] == [2] and not result.unsupported


def test_paper_nickname_must_match_the_cited_paper() -> None:
    # The words and the number fit the slot-shuffling passage, but AlexNet is another paper.
    result = attribute("AlexNet applied slot shuffling at a rate of 0.15.", PASSAGES)
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
            "When nobody can tell beforehand which weights ought to agree, their spread is fitted "
            "with a learned blend of Laplace bumps.",
        ),
        1.0,
        1,
    )
    result = attribute(
        f"The spread of the weights in {title} is fitted with a learned blend of Laplace bumps.",
        [*PASSAGES, prior],
    )
    assert [c.chunk_id for c in result.citations] == [200]
    assert result.unsupported == []


def test_sentence_comparing_two_papers_cites_both() -> None:
    # The nicknames name reading-list papers; the passages given their ids are invented.
    real_ids = {"lmn": "attention-is-all-you-need", "braided": "deep-residual-learning"}
    passages = [
        Passage(Chunk(p.chunk.id, real_ids[p.doc], p.chunk.title, 1, 1, p.text), p.score, p.rank)
        for p in PASSAGES
    ]
    result = attribute(
        "The Transformer encoder has 7 gated blocks, while ResNet reaches 118 layers.",
        passages,
    )
    assert sorted(c.doc for c in result.citations) == list(real_ids.values())


def test_facts_ignore_the_users_own_words() -> None:
    facts = facts_of(
        "The 9 probes include QX4 scores and 7 are within tolerance.", "the 9 QX4 probes"
    )
    assert [f.text for f in facts] == ["7"]


def test_numbers_hold_by_digits_not_by_substrings() -> None:
    def passage(text: str) -> Passage:
        return Passage(Chunk(1, "d", "T", 1, 1, text), 1.0)

    def held(number: str, text: str) -> bool:
        return holds(Fact("number", number), passage(text), NumberText.of(text))

    assert held("7", "a column of K = 7 gated blocks")
    assert held("7", "seven gated blocks")
    assert held("3,000", "ramp_steps = 3000")
    assert held("2", "the unshuffled 2Here we take")  # a footnote mark glued to a word
    assert held("31.0", "a 31% relative gain")  # the same number, written two ways
    assert held("31", "a 31.0% relative gain")
    assert held("2.50", "a rate of 2.5 per step")
    assert not held("2.50", "a rate of 2.05 per step")
    assert not held("17.4", "an error of 117.4")
    assert not held("17.40", "an error of 17.45")
    assert not held("2", "we used 25 epochs")
    assert not held("5", "it lowers the top-5 miss rate")  # part of a name, as "5" in an answer's
    assert not held("16", "the Mixer-16 network")  # "Mixer-16" is not a number fact either
    assert not held("2", "code in the zeta2zeta library") and not held("100", "on Q100 chips")
    # a number pointing to a part of the paper counts nothing, in a passage or in an answer
    assert not held("2", "Table 2 lists the gated blocks") and not held("5", "see Sec. 5.1")
    assert held("4", "by Eq. (2), with 4 gated blocks")
    # nor does a mark pointing to a cited work
    assert not held("5", "a columnar net as in Zed et al. [5], but joined")
    assert not held("14", "as before [12, 14]") and held("12", "as before [3], with 12 blocks")
    assert [f.text for f in facts_of("As Table 3 and Figure 2 show, it uses 7 blocks.")] == ["7"]
    assert held("6", "a 6-layer network") and held("2012", "the Mixer-2012 challenge")


def test_a_number_with_a_scale_holds_only_at_that_scale() -> None:
    def held(number: str, text: str) -> bool:
        passage = Passage(Chunk(1, "d", "T", 1, 1, text), 1.0)
        return holds(Fact("number", number), passage, NumberText.of(text))

    facts = facts_of("The big Glorp has 6 billion parameters and a 64k vocabulary.")
    assert [f.text for f in facts if f.kind == "number"] == ["6 billion", "64k"]
    assert not held("6 billion", "The big Glorp stacks N = 6 layers.")
    assert held("6 billion", "a 6-billion-parameter Glorp") and held("6 billion", "a 6B Glorp")
    assert held("1.3B", "a 1.3 billion parameter model") and held("64k", "64K tokens")
    # A bare figure holds where the passage gives the scale elsewhere: a table's column.
    assert held("213 million", "Glorp (big) 6 1024 213 | params × 10^6")
    assert not held("213 million", "Glorp (big) 6 1024 213 | BLEU")
    # And a large number written out holds where the passage writes it with a scale.
    assert held("50,000", "trained on the 50k training clips")
    assert held("1,200,000", "roughly 1.2 million clips") and not held("50,000", "a 500k set")
    # And a bare figure does not hold in the same digits at a scale: 40 is not 40k.
    assert not held("40.0", "then 40K more iterations") and not held("40", "then 40k more")
    assert held("40", "then 40 more iterations") and held("40K", "then 40K more iterations")


def test_a_count_does_not_hold_where_the_passage_counts_other_things_with_it() -> None:
    def held(sentence: str, text: str) -> bool:
        passage = Passage(Chunk(1, "glorp", "Glorp", 2, 2, text), 1.0, 1)
        (fact,) = [f for f in facts_of(sentence) if f.kind == "number"]
        return holds(fact, passage, NumberText.of(text))

    counted = "Each of the 20 sentences is read by a 32 unit glorp cell."
    assert not held("The glorp net has 20 parameters.", counted)
    assert held("The glorp net reads 20 sentences.", counted)
    assert held("The glorp net has 20 parameters.", "It reads 20 sentences; 20 in all.")
    assert held("The glorp stack has 6 layers.", "a stack of N = 6 identical layers")
    assert held("The glorp net uses 8 heads.", "We use 8 glorp heads, or 8 heads.")
    # A score is no count either.
    assert not held("The glorp net has 20 parameters.", "It passes 14/20 tasks; Blorp 20/20.")
    assert held("The glorp net passes 14 tasks.", "It passes 14/20 tasks, more than 12 tasks.")


def test_a_passage_is_prepared_for_numbers_once_without_the_numbers_of_names() -> None:
    terms = set(tokenize("a column of 1,024 gated blocks"))
    assert NumberText.of("a column of 1,024 gated blocks", terms).terms is terms
    within = NumberText.of("the Mixer-16 network has 1,024 gated blocks")
    assert "16" not in within.terms and "1024" in within.terms
    assert "mixer-16" not in within.text and "1024 gated" in within.text


def test_numbers_in_a_papers_name_are_not_facts() -> None:
    facts = facts_of("Deep Speech 2 lowers its error by 17% with a larger vocabulary.")
    assert [f.text for f in facts if f.kind == "number"] == ["17%"]


def test_a_share_holds_as_a_percentage_or_as_a_fraction() -> None:
    def held(sentence: str, text: str) -> bool:
        passage = Passage(Chunk(1, "glorp", "The Glorp Network", 2, 2, text), 1.0, 1)
        (fact,) = [f for f in facts_of(sentence) if f.kind == "number"]
        return holds(fact, passage, NumberText.of(text))

    assert held("Masking was 40% in the glorp cells.", "cells masked with probability 0.4")
    assert held("Masking was 40% in the glorp cells.", "cells masked with probability .4")
    assert held("Cells were masked with probability 0.4.", "two in five (40 %) are masked")
    assert not held("Masking was 40% in the glorp cells.", "with probability 0.04")
    assert not held("Masking was 4% in the glorp cells.", "with probability 0.4")
    assert not held("Cells were masked with probability 0.4.", "a 4% mask rate")
    assert held("Release 2.5.1 gives the rate.", "as in release 2.5.1 below")
    assert not held("Release 2.5.1 gives the rate.", "as in release 2.5 below")


def test_a_quote_holds_without_the_sentence_punctuation_inside_its_marks() -> None:
    text = "The sharper estimate comes at no cost with the lattice decoder."
    passage = Passage(Chunk(1, "lmn", "Lattice Memory Networks", 2, 2, text), 1.0, 1)
    (fact,) = [f for f in facts_of('The estimate simply "comes at no cost."') if f.kind == "quote"]
    assert fact.text == "comes at no cost" and holds(fact, passage, NumberText.of(text))


def test_a_term_in_single_quotes_must_hold_in_the_cited_passage() -> None:
    named = "The notion of complexity that rises and falls we call glimmerance, unlike entropy."
    other = "We call the first notion of lattice complexity apparent complexity, and the lattice's"
    passages = [
        Passage(Chunk(1, "lmn", "Lattice Memory Networks", 2, 2, other + " second one."), 1.0, 1),
        Passage(Chunk(2, "lmn", "Lattice Memory Networks", 3, 3, named), 0.9, 2),
    ]
    sentence = "The authors call the lattice's notion of complexity 'glimmerance'."
    assert [(f.kind, f.text) for f in facts_of(sentence)] == [("quote", "glimmerance")]
    assert [c.chunk_id for c in attribute(sentence, passages).citations] == [2]
    assert facts_of("The authors' lattice and the models' outputs differ.") == []


def test_a_sentence_whose_number_and_words_a_passage_holds_is_supported_despite_rewording() -> None:
    glorp = (
        "The Glorp network is regularised by silencing each hidden unit with probability 0.35 "
        "while it trains."
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
        "Each unit of the Glorp network passes its input through a clipped sine: these are "
        "Folded Sine Units (FoSUs). With FoSUs the Glorp network needs a fifth of the steps it "
        "takes with tanh."
    )
    passages = [
        Passage(Chunk(1, "glorp", "The Glorp Network", 2, 2, glorp), 1.0, 1),
        Passage(Chunk(2, "other", "Other Paper", 1, 1, "The sigmoid saturates at 0 and 1."), 0.5),
    ]
    question = "Which nonlinearity does Glorp use instead of tanh?"
    reworded = attribute("Glorp relies on the FoSU rather than tanh.", passages, question=question)
    assert reworded.sentences[0].lexical[0] < 0.35  # below the plain overlap threshold
    assert [c.doc for c in reworded.citations] == ["glorp"]
    invented = attribute("Glorp relies on the GELU rather than tanh.", passages, question=question)
    assert not invented.citations and invented.unsupported


def test_a_name_in_the_plural_holds_where_its_singular_does() -> None:
    text = "We add gating noise to the lateral links of the LMN."
    passage = Passage(Chunk(1, "lmn", "Lattice Memory Networks", 5, 5, text), 1.0, 1)
    numbers = NumberText.of(text)
    assert holds(Fact("name", "LMNs"), passage, numbers)
    assert not holds(Fact("name", "QRNs"), passage, numbers)


def test_a_name_holds_with_or_without_its_hyphens() -> None:
    text = "QRV-16 and LatNet50 are compared on Pebble-9K and on QRV from pixels."
    passage = Passage(Chunk(1, "cmp", "Comparison", 2, 2, text), 1.0, 1)
    numbers = NumberText.of(text)
    assert holds(Fact("name", "QRV16"), passage, numbers)
    assert holds(Fact("name", "LatNet-50"), passage, numbers)
    assert holds(Fact("name", "QRV-from-pixels"), passage, numbers)
    assert not holds(Fact("name", "QRV-from-text"), passage, numbers)
    assert not holds(Fact("name", "QRV-19"), passage, numbers)


def test_a_depth_named_model_holds_either_way_and_a_described_name_by_the_name() -> None:
    text = "The 152-layer QuorNet costs 9.1 GFLOPs; a Pebble-trained one is smaller."  # invented
    passage = Passage(Chunk(1, "quor", "QuorNet", 6, 6, text), 1.0, 1)
    numbers = NumberText.of(text)
    assert holds(Fact("name", "QuorNet-152"), passage, numbers)
    assert not holds(Fact("name", "QuorNet-101"), passage, numbers)
    assert holds(Fact("name", "QuorNet-winning"), passage, numbers)
    assert not holds(Fact("name", "HexNet-winning"), passage, numbers)
    assert not holds(Fact("name", "QuorNet-large"), passage, numbers)  # a variant: not described
    question = "How many FLOPs does the QuorNet-152 need?"
    assert unheld_question_facts(question, [passage]) == []


def test_a_condition_typed_with_a_straight_apostrophe_holds_where_the_paper_prints_a_curly_one():
    text = "We ran the glorp LSTM on the GLRP’14 Blorp to Flub dataset; dropout 0.2 was best."
    cited = [Passage(Chunk(1, "glorp", "Glorp", 6, 6, text), 1.0, 1)]
    question = "Which dropout was best for the glorp LSTM on GLRP'14 Blorp-to-Flub?"
    assert unheld_question_facts(question, cited) == []
    assert unheld_question_facts(question.replace("Flub", "Quux"), cited) == [
        "GLRP'14 Blorp-to-Quux"
    ]


def test_a_name_inside_another_word_is_not_held() -> None:
    # "VERAG" is in "averaging" letter for letter; an answer from this passage is about other heads.
    cited = [Passage(Chunk(1, "other", "Other", 5, 5, "We use 8 heads, averaging them."), 1.0, 1)]
    assert unheld_question_facts("How many heads does the VERAG retriever use?", cited) == ["VERAG"]
    named = [Passage(Chunk(2, "verag", "V", 3, 3, "VERAG's retriever has 12 heads."), 1.0, 1)]
    assert unheld_question_facts("How many heads does the VERAG retriever use?", named) == []


def test_a_name_spelled_only_in_a_web_address_is_not_held() -> None:
    text = "Code: https://github.com/glorp-lab/verag/blob/main/README.md. We use 8 heads."
    cited = [Passage(Chunk(1, "other", "Other", 5, 5, text), 1.0, 1)]
    assert unheld_question_facts("How many heads does the VERAG retriever use?", cited) == ["VERAG"]


def test_a_training_setting_the_cited_passages_never_name_is_unheld() -> None:
    text = "We apply dropout to each Glorp block with Pdrop = 0.2."
    cited = [Passage(Chunk(1, "glorp", "Glorp", 7, 7, text), 1.0, 1)]
    assert unheld_question_facts("What weight decay did the Glorp net use?", cited) == [
        "weight decay"
    ]
    assert unheld_question_facts("What dropout rate did the Glorp net use?", cited) == []


def test_question_numbers_the_cited_passages_lack_are_unheld() -> None:
    speedup = "Braid scheduling trains the 20-layer lattice mixer 2.7x faster on 6 chips."
    cited = [Passage(Chunk(1, "braid", "Braid", 5, 5, speedup), 1.0, 1)]
    assert unheld_question_facts("How much faster was training on 12 chips?", cited) == ["12"]
    assert unheld_question_facts("How much faster was training on 6 chips?", cited) == []
    # A number must be in the passage cited, not merely elsewhere in the paper.
    other = Passage(Chunk(2, "braid", "Braid", 6, 6, "With 12 chips the speed-up is 4.1x."), 1.0, 2)
    assert unheld_question_facts("How much faster on 12 chips?", cited, [other]) == ["12"]
    # ... unless it sets the scene of a question asking why: the reason follows a sentence on.
    assert unheld_question_facts("Why is it faster on 12 chips?", cited, [other]) == []
    assert unheld_question_facts("Why is it faster on 24 chips?", cited, [other]) == ["24"]


def test_a_depth_the_question_gives_holds_in_the_name_a_passage_gives_the_network() -> None:
    # "a 110-layer QuorNet" is the "QuorNet-110" of the passage, though a name's number is no
    # number of its own there ("16" in "VGG-16" counts nothing).
    text = "Gating the shortcut gives 8.70%, far behind the QuorNet-110 baseline."
    cited = [Passage(Chunk(1, "quornet", "QuorNet", 3, 3, text), 1.0, 1)]
    question = "What error does gating the shortcut of a 110-layer QuorNet reach?"
    assert unheld_question_facts(question, cited) == []
    assert unheld_question_facts(question.replace("110", "164"), cited) == ["164"]
    # A number the question gives otherwise still holds only as a number of the passage.
    assert unheld_question_facts("What error on 110 chips?", cited) == ["110"]
    # Beside another depth of the same network, the name does not say which the figure is of.
    text = "Our QuorNet-200 takes 3 weeks to train, while QuorNet-110 gives 6.4%."
    both = [Passage(Chunk(2, "quornet", "QuorNet", 4, 4, text), 1.0, 1)]
    assert unheld_question_facts("How long does a 110-layer QuorNet train?", both) == ["110"]


def test_a_name_with_a_describing_word_hyphened_to_it_is_held_by_that_name() -> None:
    text = "HL(λ) was about 1.7 times slower than Glorp(λ) per time step."
    cited = [Passage(Chunk(1, "thesis", "Thesis", 90, 90, text), 1.0, 1)]
    assert unheld_question_facts("How much slower was the Glorp-style learner?", cited) == []
    assert unheld_question_facts("How much slower was the Blorp-style learner?", cited) == [
        "Blorp-style"
    ]


def test_where_the_authors_work_holds_in_their_e_mail_addresses_on_the_title_page() -> None:
    front = "Braid: Easy Pipelines Ada Quux adaq@glorpco.com Abstract We train ..."
    fronts = [Passage(Chunk(1, "braid", "Braid", 1, 1, front), 0.0, 0)]
    text = "We found the bubble overhead negligible when M ≥ 4 × K."
    cited = [Passage(Chunk(2, "braid", "Braid", 3, 3, text), 1.0, 1)]
    question = "For the pipelining library from Glorpco, when is the bubble negligible?"
    assert unheld_question_facts(question, cited, fronts=fronts) == []
    assert unheld_question_facts(question, cited) == ["Glorpco"]
    other = question.replace("Glorpco", "Blorpco")
    assert unheld_question_facts(other, cited, fronts=fronts) == ["Blorpco"]


def test_a_month_the_question_names_holds_where_the_passage_abbreviates_it() -> None:
    text = "We use the Glorp dump from Dec. 20, 2018, cut into 21,015,324 blocks."
    cited = [Passage(Chunk(1, "glorp", "Glorp", 4, 4, text), 1.0, 1)]
    assert unheld_question_facts("How many blocks did the December dump give?", cited) == []
    assert unheld_question_facts("How many blocks did the November dump give?", cited) == [
        "November"
    ]


def test_a_benchmark_or_language_the_question_names_in_capitals_must_be_held_too() -> None:
    # An answer from the Pebble-9K results does not say how the braided nets fare on Gravel Bank
    # or in German: a condition the question sets in capitalised words must be in the passages.
    results = "Braided nets reach 4.83% error on the Pebble-9K test split and on English text."
    cited = [Passage(Chunk(1, "braided", "Braided Pooling", 2, 2, results), 1.0, 1)]
    question = "What error do braided nets reach on Gravel Bank, and on German-English text?"
    assert unheld_question_facts(question, cited) == ["Gravel Bank", "German-English"]
    assert unheld_question_facts("What error do braided nets reach on English text?", cited) == []
    # Plurals hold by their singular; a sentence's first word and authors' names are not asked.
    assert unheld_question_facts("Which Splits do the braided nets use? Test error?", cited) == []
    assert unheld_question_facts("What error does Vinyals report for braided nets?", cited) == []
    # A word the passage writes as two holds: "Pebble Set" answers for "Pebbleset".
    spaced = [Passage(Chunk(2, "braided", "Braided Pooling", 2, 2, "On the Pebble Set."), 1.0, 1)]
    assert unheld_question_facts("What error on the Pebbleset?", spaced) == []
    assert unheld_question_facts("What error on Gravelset?", spaced) == ["Gravelset"]


def test_question_names_no_passage_of_the_cited_paper_mentions_are_unheld() -> None:
    table = "MX: [1x1x2048] weights: 37,748,736. The first MX layer holds 37M weights."
    cited = [Passage(Chunk(1, "vision-notes", "Vision Notes", 1, 1, table), 1.0, 1)]
    heading = Passage(Chunk(2, "vision-notes", "Vision Notes", 1, 1, "HexNet in detail."), 1.0, 2)
    question = "How many weights has the first MX layer of HexNet?"
    assert unheld_question_facts(question, cited) == ["HexNet"]
    assert unheld_question_facts(question, cited, [heading]) == []  # its section's heading
    assert unheld_question_facts(
        "How many weights has the first MX layer of TriNet?", cited, [heading]
    ) == ["TriNet"]


def test_a_short_form_of_the_cited_papers_title_is_held_by_the_title() -> None:
    # The passage spells out what the question shortens to the title's initials.
    answer = "Each glyph is embedded in 512 dimensions before the lattice decoder reads it."
    title = "Gated Lattice Translation with Learned Glyphs"
    cited = [Passage(Chunk(1, "glorp", title, 4, 4, answer), 1.0, 1)]
    assert unheld_question_facts("How many dimensions embed a glyph in GLT?", cited) == []
    # Other initials stay unheld: of words not in a row, or of another paper's title.
    assert unheld_question_facts("How many dimensions embed a glyph in GTL?", cited) == ["GTL"]
    assert unheld_question_facts("How many dimensions embed a glyph in BLT?", cited) == ["BLT"]


def test_an_author_the_question_sets_the_scene_with_holds_anywhere_in_the_cited_paper() -> None:
    # Carroll (an author of the coffee automaton paper) appears in the post's opening only.
    answer = "We call this rise and fall of structure glorpiness."
    cited = [Passage(Chunk(1, "glorp-post", "Glorp", 2, 2, answer), 1.0, 1)]
    opening = "Carroll and Zorn asked why structure rises and then falls as a system mixes."
    whole = Passage(Chunk(-1, "glorp-post", "Glorp", 1, 3, f"{opening}\n{answer}"), 0.0)
    question = "What name is coined for Carroll's notion of structure that rises and falls?"
    assert unheld_question_facts(question, cited) == ["Carroll"]
    assert unheld_question_facts(question, cited, papers=[whole]) == []
    # Other names must still be in the quoted passages: the paper's text elsewhere may be on
    # another data set or person ("Zorn", "Gravel Bank"); so must a number.
    for asked, lacking in [("Zorn", "Zorn"), ("Gravel Bank", "Gravel Bank"), ("12 chips", "12")]:
        other = f"What name is coined for {asked}'s notion of structure?"
        assert unheld_question_facts(other, cited, papers=[whole]) == [lacking]


def test_what_a_question_calls_the_paper_holds_anywhere_in_it() -> None:
    # The paper says "RNN" once, on its first page; the passage that answers never does.
    answer = "The GLRN reaches a perplexity of 31.2 on the rarest words."
    whole = "We call the gated lattice RNN a GLRN.\n" + answer
    cited = [Passage(Chunk(1, "glorp", "Gated Lattice Recurrent Nets", 9, 9, answer), 1.0, 1)]
    papers = [Passage(Chunk(-1, "glorp", "Gated Lattice Recurrent Nets", 1, 9, whole), 0.0)]
    asked = "In the lattice {} paper, what perplexity does the GLRN reach on the rarest words?"
    assert unheld_question_facts(asked.format("RNN"), cited) == ["RNN"]
    assert unheld_question_facts(asked.format("RNN"), cited, papers=papers) == []
    # A paper that never says what the question calls it is another paper.
    assert unheld_question_facts(asked.format("LSTM"), cited, papers=papers) == ["LSTM"]


def test_a_paper_the_question_names_holds_where_it_is_cited_and_years_are_exempt() -> None:
    text = "Nine gated blocks sit in the encoder, each split into three sub-blocks."  # invented
    cited = [Passage(Chunk(1, "attention-is-all-you-need", "Attention", 3, 3, text), 1.0, 1)]
    question = "How many layers does the encoder of the 2017 Transformer paper stack?"
    assert unheld_question_facts(question, cited) == []
    assert unheld_question_facts("How many layers does the 12-layer QuorNet stack?", cited) == [
        "12",
        "QuorNet",
    ]


def test_a_paper_the_question_names_must_be_cited_or_mentioned_by_the_cited_passages() -> None:
    question = "What top-1 error does AlexNet reach on PEBBLE-100?"
    braided = "The 707-layer network reaches 5.31% error on PEBBLE-10 and 27.48% on PEBBLE-100."
    cited = [Passage(Chunk(1, "braided", "Braided", 12, 12, braided), 1.0, 1)]
    assert unheld_question_facts(question, cited) == ["AlexNet"]
    notes = "On PEBBLE-100, AlexNet-style nets reach about 35% top-1 error."
    cited = [Passage(Chunk(2, "vision-notes", "Vision Notes", 3, 3, notes), 1.0, 1)]
    assert unheld_question_facts(question, cited) == []
    # Named in lower case, as people type it.
    question = "Which learning algorithm does the coffee automaton paper train its agent with?"
    thesis = "The agent learns with the Quillon update and decaying credit traces."
    cited = [Passage(Chunk(3, "agent-notes", "Agent Notes", 9, 9, thesis), 1.0, 1)]
    assert unheld_question_facts(question, cited) == ["the coffee automaton"]


def test_a_short_answer_cites_the_paper_the_question_names_where_it_holds_there() -> None:
    # Invented sentences under the ids of two reading-list papers ("AlexNet" names the first).
    named = Passage(
        Chunk(
            300,
            "imagenet-classification-deep-cnns",
            "ImageNet",
            6,
            6,
            "The step size started at 0.05 and was cut twice before the end.",
        ),
        1.0,
        1,
    )
    other = Passage(
        Chunk(
            301,
            "deep-residual-learning",
            "Residual",
            7,
            7,
            "The initial step size of 0.5 "
            "was too large for our deepest nets, so we use 0.05 as the initial step size.",
        ),
        0.9,
        2,
    )
    part = AnswerPart("0.05.", [named, other], "What initial step size did AlexNet use?")
    result = attribute_parts([part])
    assert [c.doc for c in result.citations] == ["imagenet-classification-deep-cnns"]


def test_an_author_several_papers_share_names_the_paper_resolved_for_the_question() -> None:
    question = "How many hidden units per layer did Karpathy's glorp model have?"
    other = "Glorp model settings: hidden units per layer 512, layers 3, glorp controller size 512."
    post = "We can now afford a larger glorp model: 3 layers with 512 hidden nodes on each layer."
    passages = [
        Passage(Chunk(1, "neural-turing-machines", "NTM", 22, 22, other), 1.0, 1),
        Passage(Chunk(2, "unreasonable-effectiveness-of-rnns", "RNN", 1, 1, post), 0.9, 2),
    ]
    answer = "Karpathy's glorp model had 512 hidden units per layer."
    alone = attribute_parts([AnswerPart(answer, passages, question)])
    assert [c.doc for c in alone.citations] == ["neural-turing-machines"]
    resolved = {"Karpathy": "unreasonable-effectiveness-of-rnns"}
    told = attribute_parts([AnswerPart(answer, passages, question, authors=resolved)])
    assert [c.doc for c in told.citations] == ["unreasonable-effectiveness-of-rnns"]


def test_where_a_named_paper_appeared_need_not_be_held() -> None:
    # "GLORPCONF'21" says where the named paper appeared; its passages never say so.
    text = "Nine gated blocks sit in the encoder, each split into three sub-blocks."  # invented
    cited = [Passage(Chunk(1, "attention-is-all-you-need", "Attention", 3, 3, text), 1.0, 1)]
    question = "How many layers does the encoder in Vaswani et al.'s GLORPCONF'21 paper stack?"
    assert unheld_question_facts(question, cited) == []
    assert (
        unheld_question_facts("How many layers does the GLORPCONF Transformer paper stack?", cited)
        == []
    )
    # A name beside no named paper is still a fact to hold: "the GLORPCONF paper" names none.
    assert unheld_question_facts("How many layers does the GLORPCONF paper stack?", cited) == [
        "GLORPCONF"
    ]


@pytest.mark.slow
def test_a_sentence_restating_the_question_is_judged_on_what_it_adds(encoder) -> None:
    # Invented text under a real paper whose authors (Sutskever, Vinyals) other papers share.
    reason = "Noise on the carry path makes it hard for the cell to keep a tally over long spans."
    other = "The Blorp cell has two carry paths and one read-out gate."
    passages = [
        Passage(Chunk(1, "rnn-regularization", "Recurrent", 2, 2, f"{other} {reason}"), 1.0, 1),
        Passage(Chunk(2, "lmn", "Lattice Memory Networks", 8, 8, other), 0.5, 2),
    ]
    question = (
        "Why do Zaremba, Sutskever and Vinyals put jitter only on the stacked Glorp links and "
        "not on the links from one step to the next?"
    )
    answer = (
        "Zaremba, Sutskever and Vinyals put jitter only on the stacked Glorp links and not on the "
        "links from one step to the next because the cell must keep a tally over long spans."
    )
    result = attribute(answer, passages, question=question, encoder=encoder)
    assert [c.chunk_id for c in result.citations] == [1] and not result.unsupported


def test_a_short_form_holds_where_its_words_are_spelled_out_in_a_row() -> None:
    text = (
        "Glorp, a long short-term memory, learns by stochastic gradient descent at a rate of 0.1."
    )
    passage = Passage(Chunk(1, "glorp", "Glorp", 3, 3, text), 1.0, 1)
    numbers = NumberText.of(text)
    assert holds(Fact("name", "SGD"), passage, numbers)
    assert holds(Fact("name", "LSTM"), passage, numbers)
    assert not holds(Fact("name", "SGA"), passage, numbers)
    assert not holds(Fact("name", "GD"), passage, numbers)  # two letters match by chance
    assert not holds(Fact("name", "STD"), passage, numbers)  # initials of words not in a row
    question = "What SGD rate does Glorp learn with?"
    assert unheld_question_facts(question, [passage]) == []
    assert unheld_question_facts(question.replace("SGD", "RMSP"), [passage]) == ["RMSP"]
