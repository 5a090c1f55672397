"""Follow-up questions become standalone questions by rule."""

from __future__ import annotations

import pytest

from paperqa.generate.rewrite import rewrite_question

RESNET = [("What problem do residual connections solve in the ResNet paper?", "Degradation.")]


def test_no_history_leaves_question_alone() -> None:
    assert rewrite_question("  How does it work? ", None) == "How does it work?"
    assert rewrite_question("How does it work?", []) == "How does it work?"


def test_pronoun_takes_previous_subject() -> None:
    assert rewrite_question("How deep was it on CIFAR-10?", RESNET) == (
        "How deep was ResNet on CIFAR-10?"
    )
    assert rewrite_question("What optimizer did they use?", RESNET) == (
        "What optimizer did ResNet use?"
    )


def test_paper_reference_becomes_named_paper() -> None:
    assert rewrite_question("What dataset did that paper use?", RESNET) == (
        "What dataset did the ResNet paper use?"
    )
    history = [("Summarize Attention Is All You Need", "...")]
    assert rewrite_question("Who wrote this paper?", history) == (
        "Who wrote the paper 'Attention Is All You Need'?"
    )


def test_self_contained_question_is_unchanged() -> None:
    question = "How does the Transformer use positional encodings?"
    assert rewrite_question(question, RESNET) == question
    dummy_it = "Why is it necessary to scale dot products in the Transformer?"
    assert rewrite_question(dummy_it, RESNET) == dummy_it


def test_without_a_subject_the_previous_question_is_appended() -> None:
    rewritten = rewrite_question("What about the decoder?", RESNET)
    assert rewritten.startswith("What about the decoder?")
    assert RESNET[0][0] in rewritten


def test_a_short_question_about_a_concept_or_the_papers_stands_on_its_own() -> None:
    history = [("How is the coffee automaton simulated?", "In Python.")]
    questions = ("Explain what complextropy is.", "What is dropout?", "Define sophistication.")
    for question in (*questions, "Which papers use dropout?"):
        assert rewrite_question(question, history) == question
    # Short questions that name nothing of their own still lean on the one before.
    for question in ("What is the decoder?", "Explain the results.", "Which optimizer?"):
        assert RESNET[0][0] in rewrite_question(question, RESNET)


def test_subject_carries_over_several_turns() -> None:
    history = [
        ("How many layers does the Transformer encoder have?", "Six."),
        ("What optimizer did it use?", "Adam."),
    ]
    assert rewrite_question("What learning rate did it use?", history) == (
        "What learning rate did Transformer use?"
    )


def test_follow_up_keeps_its_own_names_and_resolves_it_to_the_paper() -> None:
    history = [("On ImageNet, what error did the residual networks reach?", "3.57%.")]
    assert rewrite_question("How does it compare with VGG?", history) == (
        "How does ResNet compare with VGG?"
    )
    history = [("What accuracy does AlexNet reach on ImageNet?", "...")]
    assert rewrite_question("And what dropout did it use?", history) == (
        "And what dropout did AlexNet use?"
    )


def test_a_follow_up_opening_with_and_is_read_against_the_previous_question() -> None:
    history = [("What accuracy did the Relation Network reach on CLEVR?", "95.5%.")]
    rewritten = rewrite_question("And what was the previous best?", history)
    assert rewritten.startswith("And what was the previous best?")
    assert "Relation Network" in rewritten  # "And" is no name of its own


def test_a_long_conversation_is_read_in_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from paperqa.generate import rewrite

    calls = []
    original = rewrite._against
    monkeypatch.setattr(rewrite, "_against", lambda *a: calls.append(a) or original(*a))
    history = [("How many layers does the Transformer encoder have?", "Six.")] * 50
    rewritten = rewrite_question("What optimizer did it use?", history)
    assert rewritten == "What optimizer did Transformer use?"
    assert len(calls) == 50  # each turn once; the calls doubled with every turn before


def test_a_long_earlier_question_is_clipped_where_it_is_appended() -> None:
    history = [("What about the decoder " + "and more " * 2000 + "?", "An answer.")]
    rewritten = rewrite_question("And what else?", history)
    assert rewritten.startswith("And what else? (follow-up to: What about the decoder")
    assert len(rewritten) < 400


# (previous question, follow-up, how the follow-up is read)
NEW_SUBJECTS = [
    (
        "What dropout rate did the Transformer use?",
        "What about AlexNet?",
        "What dropout rate did the AlexNet use?",
    ),
    ("What batch size did GPipe use?", "Same for DS2?", "What batch size did DS2 use?"),
    ("How deep is ResNet-152?", "And ResNet-1001?", "How deep is ResNet-1001?"),
    (
        "What is the top-5 error on ImageNet?",
        "And on CIFAR-10?",
        "What is the top-5 error on CIFAR-10?",
    ),
    # Naming no paper or name: another thing asked for in place of the last one.
    (
        "What optimizer did ResNet use?",
        "And the learning rate?",
        "What learning rate did ResNet use?",
    ),
    (
        "How many GPUs did AlexNet use?",
        "What about the batch size?",
        "What batch size did AlexNet use?",
    ),
    (
        "What is the top-5 error of ResNet-152?",
        "And the top-1 error?",
        "What is the top-1 error of ResNet-152?",
    ),
]


@pytest.mark.parametrize(("previous", "question", "standalone"), NEW_SUBJECTS)
def test_a_question_that_is_only_a_new_subject_or_thing_asks_the_last_question_of_it(
    previous: str, question: str, standalone: str
) -> None:
    assert rewrite_question(question, [(previous, "...")]) == standalone


def test_a_new_subject_of_another_kind_gets_the_last_question_as_context() -> None:
    # A paper asked about, then a language: "Mandarin" does not take the paper's place.
    previous = "What WER does Deep Speech 2 reach on English?"
    assert rewrite_question("And on Mandarin?", [(previous, "...")]) == (
        f"And on Mandarin? (follow-up to: {previous})"
    )


def test_a_follow_up_naming_no_other_thing_of_that_kind_gets_the_last_question_as_context() -> None:
    # "What problem do they solve?" asks for a problem; the decoder is no other problem.
    previous = RESNET[0][0]
    assert rewrite_question("And why?", RESNET) == f"And why? (follow-up to: {previous})"
    assert rewrite_question("What about the decoder?", RESNET) == (
        f"What about the decoder? (follow-up to: {previous})"
    )


@pytest.mark.parametrize(
    ("previous", "question", "standalone"),
    [
        (
            "What optimizer did the Glorp network use?",
            "How many steps?",
            "How many steps did the Glorp network use?",
        ),
        (
            "What optimizer did the Glorp network use?",
            "What learning rate schedule?",
            "What learning rate schedule did the Glorp network use?",
        ),
        (
            "What is the top-5 error of QuorNet-152?",
            "What top-1 error?",
            "What is the top-1 error of QuorNet-152?",
        ),
    ],
)
def test_a_bare_what_or_how_many_asks_the_last_question_for_that_thing(
    previous: str, question: str, standalone: str
) -> None:
    assert rewrite_question(question, [(previous, "...")]) == standalone


def test_why_alone_asks_the_reason_for_the_last_answer() -> None:
    turn = ("Where does the Glorp network apply dropout?", "It drops only the lateral links [1].")
    for question in ("Why?", "And why?", "Why is that?", "how come?"):
        assert rewrite_question(question, [turn]) == (
            "Why is it that Glorp drops only the lateral links?"
        )
    said = (turn[0], "The dropout mask is shared across the links [1]. It helps.")
    assert rewrite_question("Why?", [said]) == (
        "Why is it that the dropout mask is shared across the links?"
    )
    # A refusal or a one-word answer states nothing to ask why of.
    for answer in ("The papers in this collection don't answer that.", "Degradation."):
        assert rewrite_question("Why?", [(turn[0], answer)]) == (f"Why? (follow-up to: {turn[0]})")
