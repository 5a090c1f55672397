"""Splitting a two-paper question into one question per paper."""

from __future__ import annotations

import pytest

from paperqa.generate.decompose import PaperQuestion, split_by_paper
from paperqa.readinglist import reading_list

INDEXED = {paper.id for paper in reading_list()} - {"zephyr"}


def test_a_question_turning_to_a_second_paper_splits_there() -> None:
    parts = split_by_paper(
        "What batch size did AlexNet use, and according to Kaplan et al., how does the loss "
        "scale with model size?",
        INDEXED,
    )
    assert parts == [
        PaperQuestion("What batch size did AlexNet use?", "imagenet-classification-deep-cnns"),
        PaperQuestion(
            "According to Kaplan et al., how does the loss scale with model size?",
            "scaling-laws-neural-lms",
        ),
    ]


@pytest.mark.parametrize(
    ("question", "second"),
    [
        (
            "What dropout rate did the Transformer use, and what did AlexNet use?",
            "What dropout rate did AlexNet use?",
        ),
        (
            "How many GPUs did AlexNet train on, and how many did the Transformer use?",
            "How many GPUs did the Transformer train on?",
        ),
        (
            "What dropout rate did the Transformer use, and what did Kaplan et al. use?",
            "What dropout rate did Kaplan et al. use?",
        ),
        (
            "What learning rate did the Transformer paper use, and what did the GPipe paper use?",
            "What learning rate did the GPipe paper use?",
        ),
        (
            "How deep is ResNet-152, and how deep is the Transformer?",
            "How deep is the Transformer?",
        ),
    ],
)
def test_a_second_half_that_asks_nothing_of_its_own_asks_what_the_first_asks(
    question: str, second: str
) -> None:
    # "What did AlexNet use?" alone would ask AlexNet's passages for anything at all.
    assert split_by_paper(question, INDEXED)[1].text == second


def test_the_same_benchmark_is_the_one_the_first_half_names() -> None:
    parts = split_by_paper(
        "What BLEU does the Transformer reach on WMT 2014 English-to-German, and what score does "
        "GPipe report for its big model on the same task?",
        INDEXED,
    )
    second = "What score does GPipe report for its big model on WMT 2014 English-to-German?"
    assert parts[1].text == second
    # A lower-case word or two before the name go with it; an article does not.
    parts = split_by_paper(
        "What accuracy does AlexNet reach on held-out ImageNet, and what top-1 error does GPipe "
        "report for its giant classifier on the same benchmark?",
        INDEXED,
    )
    second = "What top-1 error does GPipe report for its giant classifier on held-out ImageNet?"
    assert parts[1].text == second
    # A table or figure of the first paper is none of the second's.
    parts = split_by_paper(
        "What BLEU does the Transformer paper give in Table 2, and what does GPipe report for "
        "its big model in the same table?",
        INDEXED,
    )
    assert parts[1].text == "What does GPipe report for its big model in the same table?"
    # A second half asking its own thing keeps its words.
    parts = split_by_paper(
        "What dropout rate did the Transformer use, and what optimizer did AlexNet use?", INDEXED
    )
    assert parts[1].text == "What optimizer did AlexNet use?"
    parts = split_by_paper(
        "What is the largest model in Kaplan et al.'s experiments, and what is the largest "
        "model trained in the GPipe paper?",
        INDEXED,
    )
    assert parts[1].text == "What is the largest model trained in the GPipe paper?"


def test_the_turn_nearest_the_second_paper_is_the_split_and_the_lead_stays_first() -> None:
    parts = split_by_paper(
        "Both use attention. How many heads does the Transformer use and what is their size, "
        "and what does the Pointer Networks paper point at?",
        INDEXED,
    )
    assert [p.paper for p in parts] == ["attention-is-all-you-need", "pointer-networks"]
    assert parts[0].text == (
        "Both use attention. How many heads does the Transformer use and what is their size?"
    )
    assert parts[1].text == "What does the Pointer Networks paper point at?"


def test_a_turn_may_open_with_a_preposition_before_its_question_word() -> None:
    parts = split_by_paper(
        "What label smoothing did the Transformer use, and with what momentum did Krizhevsky et "
        "al. train their network?",
        INDEXED,
    )
    assert parts == [
        PaperQuestion("What label smoothing did the Transformer use?", "attention-is-all-you-need"),
        PaperQuestion(
            "With what momentum did Krizhevsky et al. train their network?",
            "imagenet-classification-deep-cnns",
        ),
    ]


def test_a_turn_may_open_with_up_to_or_into() -> None:
    parts = split_by_paper(
        "What dropout did AlexNet use, and up to what depth did ResNet go?", INDEXED
    )
    assert [p.paper for p in parts] == [
        "imagenet-classification-deep-cnns",
        "deep-residual-learning",
    ]
    assert parts[1].text == "Up to what depth did ResNet go?"
    parts = split_by_paper(
        "What does AlexNet normalize, and into what does the NTM write its memory?", INDEXED
    )
    assert parts[1] == PaperQuestion(
        "Into what does the NTM write its memory?", "neural-turing-machines"
    )


def test_a_short_second_half_asks_the_first_ones_thing_where_the_first_names_its_paper_twice() -> (
    None
):
    parts = split_by_paper(
        "What beam width did Bahdanau et al. use to decode with RNNsearch, and what did AlexNet"
        " use?",
        INDEXED,
    )
    assert parts[1] == PaperQuestion(
        "What beam width did AlexNet use?", "imagenet-classification-deep-cnns"
    )


def test_a_model_owned_by_the_paper_a_half_names_leaves_that_half_to_the_paper() -> None:
    # The ResNet of the identity mappings paper, the Transformer GPipe trains: each half asks
    # the paper it names, not the model's own paper.
    parts = split_by_paper(
        "What depth did the ResNet reach in 'Identity Mappings in Deep Residual Networks', and"
        " how many GPUs did GPipe train the Transformer on?",
        INDEXED,
    )
    assert parts == [
        PaperQuestion(
            "What depth did the ResNet reach in 'Identity Mappings in Deep Residual Networks'?",
            "identity-mappings-resnets",
        ),
        PaperQuestion("How many GPUs did GPipe train the Transformer on?", "gpipe"),
    ]


def test_an_author_several_papers_share_splits_where_the_caller_chose_the_paper() -> None:
    question = "What test does Legg propose for his measure, and how does Aaronson define the"
    question += " complextropy of a string?"
    assert split_by_paper(question, INDEXED) == []  # "Aaronson" alone names neither of his
    parts = split_by_paper(question, INDEXED, {"Aaronson": "first-law-of-complexodynamics"})
    assert parts == [
        PaperQuestion("What test does Legg propose for his measure?", "machine-super-intelligence"),
        PaperQuestion(
            "How does Aaronson define the complextropy of a string?",
            "first-law-of-complexodynamics",
        ),
    ]


def test_a_measure_of_the_second_paper_set_beside_the_first_is_asked_of_it() -> None:
    parts = split_by_paper(
        "How many GPUs did AlexNet train on, compared with the number of GPUs used for the "
        "big Transformer?",
        INDEXED,
    )
    assert parts == [
        PaperQuestion("How many GPUs did AlexNet train on?", "imagenet-classification-deep-cnns"),
        PaperQuestion(
            "What was the number of GPUs used for the big Transformer?",
            "attention-is-all-you-need",
        ),
    ]
    present = split_by_paper(
        "How many heads does the Transformer have compared to the number of layers in GPipe's "
        "AmoebaNet?",
        INDEXED,
    )
    assert present[1].text == "What is the number of layers in GPipe's AmoebaNet?"


def test_line_breaks_and_runs_of_spaces_do_not_move_the_split() -> None:
    parts = split_by_paper(
        "Both use attention.\n\nHow many heads  does the Transformer use,\nand what does the "
        "Pointer Networks paper point at?",
        INDEXED,
    )
    assert [p.text for p in parts] == [
        "Both use attention. How many heads does the Transformer use?",
        "What does the Pointer Networks paper point at?",
    ]


def test_comparisons_and_single_paper_questions_are_not_split() -> None:
    for question in (
        "How many layers does the Transformer encoder have, and what is its model size?",
        "What is GPipe, and how does it compare with data parallelism?",
    ):
        assert split_by_paper(question, INDEXED) == [], question


def test_a_paper_missing_from_the_index_is_not_asked_alone() -> None:
    question = "What does AlexNet use for pooling, and what does Zephyr distil?"
    assert split_by_paper(question, INDEXED) == []
    assert [p.paper for p in split_by_paper(question, INDEXED | {"zephyr"})] == [
        "imagenet-classification-deep-cnns",
        "zephyr",
    ]


def test_a_question_asking_the_same_of_each_paper_is_asked_of_each_by_name() -> None:
    parts = split_by_paper(
        "AlexNet and the Transformer both regularise with dropout. What rate does each use?",
        INDEXED,
    )
    lead = "AlexNet and the Transformer both regularise with dropout."
    assert parts == [
        PaperQuestion(f"{lead} What rate does AlexNet use?", "imagenet-classification-deep-cnns"),
        PaperQuestion(f"{lead} What rate does Transformer use?", "attention-is-all-you-need"),
    ]
    parts = split_by_paper(
        "Pointer Networks and Order Matters both output sets.\nWhat tasks are studied in each "
        "of them?",
        INDEXED,
    )
    assert [p.text.split(". ")[1] for p in parts] == [
        "What tasks are studied in Pointer Networks?",
        "What tasks are studied in Order Matters?",
    ]
    # A paper named by an author is asked about by its own short name.
    parts = split_by_paper(
        "Kaplan et al. and AlexNet both use warmup. How long is it in each?", INDEXED
    )
    assert [p.text.rsplit(". ", 1)[1] for p in parts] == [
        "How long is it in Scaling Laws for Neural Language Models?",
        "How long is it in AlexNet?",
    ]


def test_a_comparison_of_two_papers_asks_each_for_its_measure() -> None:
    parts = split_by_paper(
        "Both are big. Which network is deeper: the pre-activation ResNet of the identity "
        "mappings follow-up paper, or the multilingual Transformer that the GPipe authors "
        "trained? Give both depths.",
        INDEXED | {"identity-mappings-resnets", "gpipe"},
    )
    # A side naming a paper and a model (ResNet, Transformer) asks the paper it names.
    assert [(p.text, p.paper) for p in parts] == [
        (
            "Both are big. How many layers does the pre-activation ResNet of the identity "
            "mappings follow-up paper have?",
            "identity-mappings-resnets",
        ),
        (
            "Both are big. How many layers does the multilingual Transformer that the GPipe "
            "authors trained have?",
            "gpipe",
        ),
    ]
    # Each part carries the comparison, for the verdict once both are answered.
    assert parts[0].comparison is parts[1].comparison is not None
    assert parts[0].comparison.measure == "is deeper"
    assert [p.text for p in split_by_paper("Which was faster, AlexNet or GPipe?", INDEXED)] == [
        "How fast was AlexNet?",
        "How fast was GPipe?",
    ]
    parts = split_by_paper("Which has more layers: AlexNet or the Transformer?", INDEXED)
    assert parts[1].text == "How many layers does the Transformer have?"


def test_a_comparison_within_one_paper_or_of_unindexed_papers_is_not_split() -> None:
    assert split_by_paper("Which is larger, AlexNet or the AlexNet ensemble?", INDEXED) == []
    assert split_by_paper("Which is deeper, AlexNet or the Zephyr model?", INDEXED) == []


def test_two_papers_named_side_by_side_are_each_asked_the_question() -> None:
    assert [
        p.text for p in split_by_paper("What optimizer did AlexNet and GPipe use?", INDEXED)
    ] == [
        "What optimizer did AlexNet use?",
        "What optimizer did GPipe use?",
    ]
    parts = split_by_paper(
        "What batch sizes were used by both AlexNet and by the Transformer?", INDEXED
    )
    assert [p.text for p in parts] == [
        "What batch sizes were used by AlexNet?",
        "What batch sizes were used by the Transformer?",
    ]
    assert [p.paper for p in parts] == [
        "imagenet-classification-deep-cnns",
        "attention-is-all-you-need",
    ]
    for question in (
        "What were AlexNet's and GPipe's batch sizes?",
        "What batch sizes did AlexNet and GPipe use, respectively?",
    ):
        assert [p.text for p in split_by_paper(question, INDEXED)][1] in (
            "What were GPipe's batch sizes?",
            "What batch sizes did GPipe use?",
        ), question
    # "Compare ..." and "differ in" ask for the thing compared.
    assert [
        p.text for p in split_by_paper("Compare the dropout rates of AlexNet and GPipe.", INDEXED)
    ] == [
        "What are the dropout rates of AlexNet?",
        "What are the dropout rates of GPipe?",
    ]
    # "each of" before the pair, or "each" of something inside them, is asked of each.
    parts = split_by_paper("What dropout rate does each of AlexNet and GPipe use?", INDEXED)
    assert parts[0].text == "What dropout rate does AlexNet use?"
    parts = split_by_paper("How many layers does each block have in ResNet and in GPipe?", INDEXED)
    assert parts[1].text == "How many layers does each block have in GPipe?"
    parts = split_by_paper("How do AlexNet and GPipe differ in their choice of hardware?", INDEXED)
    assert parts[1].text == "What is the choice of hardware of GPipe?"


def test_a_pair_asked_about_together_is_not_split() -> None:
    for question in (
        "What is the difference between AlexNet and GPipe?",
        "Which results of the GPipe paper compare GPipe and AlexNet?",
        "Do AlexNet and GPipe use the same optimizer?",
        "What do AlexNet and GPipe have in common?",
        "How do AlexNet and GPipe relate to each other?",
        "What does AlexNet use, and ReLU?",  # a pair must name two papers
    ):
        assert split_by_paper(question, INDEXED) == [], question


def test_a_question_asked_again_of_a_second_paper_by_its_name_alone_is_asked_of_each() -> None:
    for question in (
        "What dropout rate did AlexNet use, and the Transformer?",
        "What dropout rate did AlexNet use? And the Transformer?",
        "What dropout rate did AlexNet use? What about the Transformer?",
    ):
        assert [p.text for p in split_by_paper(question, INDEXED)] == [
            "What dropout rate did AlexNet use?",
            "What dropout rate did the Transformer use?",
        ], question
    # More than a name is a question of its own, for the other forms.
    assert (
        split_by_paper("What rate did AlexNet use? And what of its many kind heirs?", INDEXED) == []
    )


@pytest.mark.parametrize(
    ("question", "papers", "second"),
    [
        # The last sentence sets the order, not the lead that names the papers the other way.
        (
            "The GPipe paper trains a Transformer. How many heads does the Transformer paper's "
            "base model use, and how many partitions did GPipe use?",
            ["attention-is-all-you-need", "gpipe"],
            "How many partitions did GPipe use?",
        ),
        # "The first paper" and "the second paper" are the ones the lead named, in its order.
        (
            "Zaremba et al. regularized LSTMs; Graves et al. gave them memory. In the first "
            "paper, how many units does the large LSTM have, and what does the second paper's "
            "head read?",
            ["rnn-regularization", "neural-turing-machines"],
            "What does Graves's head read?",
        ),
    ],
)
def test_a_two_paper_question_splits_in_the_order_its_last_sentence_asks(
    question: str, papers: list[str], second: str
) -> None:
    parts = split_by_paper(question, INDEXED)
    assert [p.paper for p in parts] == papers
    assert parts[1].text == second


def test_the_first_paper_without_a_lead_naming_both_is_a_paper_of_the_one_asked() -> None:
    alone = "In Grunwald's tutorial, when was the first paper on MDL, and what is a Ptr-Net?"
    assert "the first paper" in split_by_paper(alone, INDEXED)[0].text


def test_which_one_in_the_second_half_asks_for_what_the_first_half_asks_for() -> None:
    parts = split_by_paper(
        "Which optimizer did AlexNet use, and which one did Kaplan et al. use for their runs?",
        INDEXED,
    )
    assert [part.text for part in parts] == [
        "Which optimizer did AlexNet use?",
        "Which optimizer did Kaplan et al. use for their runs?",
    ]


def test_a_lead_before_a_dash_goes_with_the_first_half() -> None:
    parts = split_by_paper(
        "AlexNet and the Transformer both use dropout — what rate does AlexNet use, and how "
        "many warmup steps did the Transformer take?",
        INDEXED,
    )
    assert [part.text for part in parts] == [
        "AlexNet and the Transformer both use dropout. What rate does AlexNet use?",
        "How many warmup steps did the Transformer take?",
    ]


def test_a_question_naming_two_papers_in_no_form_read_is_asked_whole_of_each() -> None:
    question = "AlexNet vs the Transformer, on dropout — which one relied on it more?"
    assert split_by_paper(question, INDEXED) == [
        PaperQuestion(
            f"{question} (Answer for AlexNet only.)", "imagenet-classification-deep-cnns"
        ),
        PaperQuestion(f"{question} (Answer for Transformer only.)", "attention-is-all-you-need"),
    ]
    for question in (
        "How deep is AlexNet compared with the Transformer?",
        "Which of AlexNet and GPipe used dropout?",
        "Which paper, AlexNet or GPipe, used dropout?",
    ):
        assert [part.paper for part in split_by_paper(question, INDEXED)] == [
            "imagenet-classification-deep-cnns",
            "attention-is-all-you-need" if "Transformer" in question else "gpipe",
        ]
    # One thing asked of a paper's model, of the two together, or nothing set side by side.
    for question in (
        "How big was the multilingual Transformer trained with GPipe?",
        "How does the dropout of AlexNet differ from that of the Transformer?",
        "Which results of the GPipe paper compare GPipe and AlexNet?",
    ):
        assert split_by_paper(question, INDEXED) == [], question


def test_a_possessive_name_asked_again_by_a_phrase_is_not_read_as_an_ellipsis() -> None:
    question = "Perplexities: Kaplan et al.'s largest model on WebText2, and the NTM on copying?"
    parts = split_by_paper(question, INDEXED)
    assert [part.paper for part in parts] == ["scaling-laws-neural-lms", "neural-turing-machines"]
    assert all(part.text.startswith(question) for part in parts)  # asked whole, not mangled


def test_how_about_a_phrase_asks_the_first_half_of_that_phrase() -> None:
    parts = split_by_paper(
        "How many layers does the context module of the dilated convolutions paper have, and how "
        "about the largest Transformer trained with GPipe?",
        INDEXED,
    )
    assert [part.text for part in parts] == [
        "How many layers does the context module of the dilated convolutions paper have?",
        "How many layers does the largest Transformer trained with GPipe have?",
    ]


def test_a_second_half_asking_the_first_halfs_thing_of_a_phrase_asks_that_thing() -> None:
    parts = split_by_paper(
        "What top-1 error did the deepest net in the ResNet paper get on ImageNet, and what did "
        "the widest model trained with GPipe get?",
        INDEXED,
    )
    assert parts[1] == PaperQuestion(
        "What top-1 error did the widest model trained with GPipe get on ImageNet?", "gpipe"
    )


def test_how_a_measure_of_one_paper_compares_with_that_of_the_other_asks_each_for_it() -> None:
    parts = split_by_paper(
        "How did the batch size of AlexNet in its ImageNet runs compare with that of the Glorp "
        "model in GPipe?",
        INDEXED,
    )
    assert [(p.text, p.paper) for p in parts] == [
        (
            "What was the batch size of AlexNet in its ImageNet runs?",
            "imagenet-classification-deep-cnns",
        ),
        ("What was the batch size of the Glorp model in GPipe?", "gpipe"),
    ]
    parts = split_by_paper(
        "How does the depth of the deepest net in the ResNet paper compare with the one trained "
        "in GPipe?",
        INDEXED,
    )
    assert parts[1].text == "What is the depth of the one trained in GPipe?"
    parts = split_by_paper(
        "Compare AlexNet's top-1 error on ImageNet with the top-1 error of GPipe's giant model.",
        INDEXED,
    )
    assert [p.text for p in parts] == [
        "What is AlexNet's top-1 error on ImageNet?",
        "What is the top-1 error of GPipe's giant model?",
    ]
    parts = split_by_paper("How does AlexNet's learning rate compare to GPipe's?", INDEXED)
    assert [p.text for p in parts] == [
        "What is AlexNet's learning rate?",
        "What is GPipe's learning rate?",
    ]


@pytest.mark.parametrize(
    "question",
    [
        # The first half is a statement, and not one of what the paper gives: asked alone it
        # asks nothing.
        "AlexNet was trained on two GTX 580 GPUs; what hardware did the GPipe paper use?",
        # "it" in the second half is what the first half's answer names.
        "Which optimizer did AlexNet train with, and what learning rate does the GPipe paper "
        "give it?",
    ],
)
def test_halves_that_do_not_stand_alone_leave_the_question_whole_for_each(question: str) -> None:
    parts = split_by_paper(question, INDEXED)
    assert [p.paper for p in parts] == ["imagenet-classification-deep-cnns", "gpipe"]
    assert all(p.text.startswith(question) and p.text.endswith("only.)") for p in parts)


def test_a_paper_named_by_its_authors_is_answered_for_under_its_own_name() -> None:
    # "Hinton and van Camp" left "(Answer for Camp only.)"; the passages are headed by the name.
    question = "Hinton and van Camp vs AlexNet, on noise — which one relied on it more?"
    parts = split_by_paper(question, INDEXED)
    assert parts[0].text.endswith(
        "(Answer for Keeping Neural Networks Simple by Minimizing the Description Length of the "
        "Weights only.)"
    )
    assert parts[1].text.endswith("(Answer for AlexNet only.)")


def test_they_in_a_second_half_is_its_own_subject() -> None:
    parts = split_by_paper(
        "What optimizer did AlexNet use, and what do the GPipe authors add to the micro-batches "
        "before they are sent?",
        INDEXED,
    )
    assert (
        parts[1].text == "What do the GPipe authors add to the micro-batches before they are sent?"
    )


def test_a_thing_owned_by_the_second_of_two_papers_is_not_asked_of_the_first() -> None:
    parts = split_by_paper("Compare the depths of AlexNet and GPipe's giant classifier.", INDEXED)
    assert [p.text for p in parts] == [
        "What are the depths of AlexNet?",
        "What are the depths of GPipe's giant classifier?",
    ]


def test_a_first_half_stating_what_its_paper_gives_asks_for_it() -> None:
    parts = split_by_paper(
        "AlexNet reports a top-5 error on ImageNet; what does GPipe's AmoebaNet reach on the "
        "same benchmark?",
        INDEXED,
    )
    assert [p.text for p in parts] == [
        "What top-5 error on ImageNet does AlexNet report?",
        "What does GPipe's AmoebaNet reach on ImageNet?",
    ]
