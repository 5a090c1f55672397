"""Comparisons read as the measure to ask of each side."""

from __future__ import annotations

import pytest

from paperqa.generate.comparison import Comparison, parse_comparison, positive


def _asked(sentence: str) -> list[list[str]]:
    return [[c.asked_of(side) for side in c.sides] for c in parse_comparison(sentence)]


def test_which_then_the_two_sides_asks_each_for_the_measure() -> None:
    assert _asked("Which net is deeper: the Glorp net, or the Blorp net? ") == []  # no "?" end
    assert _asked("Which net is deeper: the Glorp net, or the Blorp net?") == [
        ["How many layers does the Glorp net have?", "How many layers does the Blorp net have?"]
    ]
    assert _asked("Which was faster, Glorp or Blorp?") == [
        ["How fast was Glorp?", "How fast was Blorp?"]
    ]
    assert _asked("Which has more heads: Glorp or Blorp?") == [
        ["How many heads does Glorp have?", "How many heads does Blorp have?"]
    ]
    assert _asked("Which paper used a larger batch size, Glorp or Blorp?") == [
        ["What batch size did Glorp use?", "What batch size did Blorp use?"]
    ]
    assert _asked("Which uses more dropout: Glorp or Blorp?") == [
        ["How much dropout does Glorp use?", "How much dropout does Blorp use?"]
    ]
    assert _asked("Which used more GPUs, Glorp or Blorp?")[0][0] == "How many GPUs did Glorp use?"


def test_a_measure_with_the_words_that_place_it_is_asked_whole() -> None:
    assert _asked("Which net had more heads per block: Glorp, or Blorp?") == [
        ["How many heads per block did Glorp have?", "How many heads per block did Blorp have?"]
    ]
    assert _asked("Which used more cosine decay steps: Glorp or Blorp?")[0][1] == (
        "How many cosine decay steps did Blorp use?"
    )
    assert _asked("Which used the larger Adam batch for Glorp-QA fine-tuning: A or B?") == [
        [
            "What Adam batch for Glorp-QA fine-tuning did A use?",
            "What Adam batch for Glorp-QA fine-tuning did B use?",
        ]
    ]


def test_a_measure_reported_or_got_is_asked_with_its_verb_and_where_it_was_taken() -> None:
    assert _asked("Which reported the lower top-1 error: Glorp, or Blorp?") == [
        ["What top-1 error did Glorp report?", "What top-1 error did Blorp report?"]
    ]
    assert _asked("On Glorp-QA, which got the higher exact match: A or B?") == [
        ["On Glorp-QA, what exact match did A get?", "On Glorp-QA, what exact match did B get?"]
    ]
    assert _asked("Did Glorp reach a lower perplexity than Blorp?") == [
        ["What perplexity did Glorp reach?", "What perplexity did Blorp reach?"]
    ]
    [comparison] = parse_comparison("Which reported the lower error: Glorp or Blorp?")
    verdict = comparison.verdict(("Glorp: 4.1 points [1].", "Blorp: 3.2 points [2]."))
    assert verdict == "By these figures, Blorp reported the lower error."


def test_a_thing_had_and_an_action_done_are_asked_of_each() -> None:
    assert _asked("Which of Glorp and Blorp has the lower top-5 error on ImageNet?") == [
        [
            "What top-5 error on ImageNet does Glorp have?",
            "What top-5 error on ImageNet does Blorp have?",
        ]
    ]
    assert _asked("Which trained for longer: the Glorp net or Blorp?") == [
        ["How long did the Glorp net train?", "How long did Blorp train?"]
    ]
    assert (
        _asked("Which converges faster, Glorp or Blorp?")[0][0] == "How fast does Glorp converge?"
    )


def test_which_of_a_pair_reads_each_and_as_a_possible_parting() -> None:
    assert _asked("Which of Glorp and Blorp is more accurate?") == [
        ["How accurate is Glorp?", "How accurate is Blorp?"]
    ]
    parts = parse_comparison("Which of Glorp and Zorp and Blorp has more layers?")
    assert [c.sides for c in parts] == [
        ("Glorp", "Zorp and Blorp"),
        ("Glorp and Zorp", "Blorp"),
    ]


def test_than_sets_the_second_side_after_the_measure() -> None:
    assert _asked("Is the Glorp net wider than the Blorp net?") == [
        ["How wide is the Glorp net?", "How wide is the Blorp net?"]
    ]
    assert _asked("Did Glorp use a bigger learning rate than Blorp did?") == [
        ["What learning rate did Glorp use?", "What learning rate did Blorp use?"]
    ]
    assert _asked("Does Glorp have fewer parameters than Blorp?") == [
        ["How many parameters does Glorp have?", "How many parameters does Blorp have?"]
    ]


def test_questions_that_compare_nothing_read_as_no_comparison() -> None:
    for sentence in (
        "Which optimizer does Glorp use?",
        "What is deeper in Glorp than in Blorp?",
        "Which net, Glorp or Blorp, came first?",
        "How deep is Glorp compared with Blorp?",
        "Which is deeper Glorp or Blorp?",  # the two sides are set off by a colon or comma
    ):
        assert parse_comparison(sentence) == [], sentence


def test_the_verdict_names_the_side_the_two_figures_favour() -> None:
    deeper = parse_comparison("Which net is deeper: the Glorp net on CIFAR-10, or Blorp?")[0]
    answers = ("The Glorp net on CIFAR-10 has 1001 layers [1].", "Blorp has a 128-layer stack [2].")
    # The side's own "10" is no figure of the answer; "128-layer" counts as 128 layers.
    assert deeper.verdict(answers) == "By these figures, the Glorp net on CIFAR-10 is deeper."
    lower = parse_comparison("Which of Glorp and Blorp has the lower error?")[0]
    assert lower.verdict(("Glorp has an error of 15.3%.", "Blorp has an error of 4.5%.")) == (
        "By these figures, Blorp has the lower error."
    )
    was = parse_comparison("Was Glorp deeper than Blorp?")[0]
    assert was.verdict(("Glorp had 9 layers.", "Blorp had 4 layers.")) == (
        "By these figures, Glorp was deeper."
    )
    than = parse_comparison("Did Glorp use a higher rate than Blorp?")[0]
    assert than.verdict(("Glorp used 0.1.", "Blorp used 0.5.")) == (
        "By these figures, Blorp used a higher rate."
    )


def test_no_verdict_where_the_figures_do_not_settle_it() -> None:
    deeper = parse_comparison("Which is deeper, Glorp or Blorp?")[0]
    for answers in (
        ("Glorp has 12 layers.", "Blorp has 12 layers."),  # a tie
        ("Glorp has 12 layers.", "Blorp has 8 blocks."),  # other units
        ("Glorp has 12 layers and 8 heads.", "Blorp has 6 layers."),  # two figures
        ("Glorp has twelve layers.", "Blorp has 6 layers."),  # none
    ):
        assert deeper.verdict(answers) is None, answers
    # Which way a figure counts is not the comparison's word where the figure may be an error
    # rate or a time: "more accurate" answered with error rates, "faster" with days.
    for question, answers in (
        ("Which trains faster, Glorp or Blorp?", ("Glorp takes 3 days.", "Blorp takes 5 days.")),
        ("Which is more accurate, Glorp or Blorp?", ("Glorp errs on 15%.", "Blorp errs on 4%.")),
        ("Is Glorp better than Blorp?", ("Glorp scores 71.", "Blorp scores 80.")),
    ):
        assert parse_comparison(question)[0].verdict(answers) is None, question


def test_a_counted_measure_wins_over_the_adjective() -> None:
    assert Comparison(("A", "B"), adjective="deep").asked_of("A") == "How many layers does A have?"
    assert Comparison(("A", "B"), adjective="wide").asked_of("B") == "How wide is B?"


@pytest.mark.parametrize(
    ("comparative", "plain"),
    [
        ("deeper", "deep"),
        ("larger", "large"),
        ("bigger", "big"),
        ("smaller", "small"),
        ("wider", "wide"),
        ("simpler", "simple"),
        ("earlier", "early"),
        ("faster", "fast"),
        ("better", "good"),
        ("more accurate", "accurate"),
    ],
)
def test_a_comparative_gives_its_plain_adjective(comparative: str, plain: str) -> None:
    assert positive(comparative) == plain


def test_a_time_taken_to_do_something_is_asked_and_settled_of_each() -> None:
    took = parse_comparison("Which took longer to train: Glorp or the Blorp net?")[0]
    assert [took.asked_of(side) for side in took.sides] == [
        "How long did Glorp take to train?",
        "How long did the Blorp net take to train?",
    ]
    assert took.verdict(("Glorp: 3.5 days [1].", "The Blorp net: 5 days [2].")) == (
        "By these figures, the Blorp net took longer to train."
    )
    assert _asked("Did Glorp take longer to converge than Blorp?")[0][1] == (
        "How long did Blorp take to converge?"
    )
    days = parse_comparison("Did Glorp or the Blorp net take more days to train?")[0]
    assert days.asked_of("Glorp") == "How many days did Glorp take to train?"
    assert days.verdict(("Glorp: 6 days [1].", "The Blorp net: 3.5 days [2].")) == (
        "By these figures, Glorp took more days to train."
    )


def test_two_sides_joined_by_or_before_the_measure_are_asked_each() -> None:
    assert _asked("Did Glorp or the Blorp net use more warmup steps?") == [
        ["How many warmup steps did Glorp use?", "How many warmup steps did the Blorp net use?"]
    ]
    assert _asked("Is Glorp or Blorp wider?") == [["How wide is Glorp?", "How wide is Blorp?"]]
    trained = parse_comparison("Did Glorp or Blorp train longer?")[0]
    assert [trained.asked_of(side) for side in trained.sides] == [
        "How long did Glorp train?",
        "How long did Blorp train?",
    ]
    assert trained.verdict(("Glorp trained for 9 days.", "Blorp trained for 4 days.")) == (
        "By these figures, Glorp trained longer."
    )


def test_a_thing_made_is_asked_by_its_size_and_other_openings_read_as_which() -> None:
    made = parse_comparison("Which paper trained the deeper CIFAR-10 net: Glorp or Blorp?")[0]
    assert made.asked_of("Glorp") == "How deep was the CIFAR-10 net that Glorp trained?"
    assert made.verdict(("1202 layers [1].", "1001 layers [2].")) == (
        "By these figures, Glorp trained the deeper CIFAR-10 net."
    )
    assert _asked("Who used a larger batch size: Glorp or Blorp?")[0][0] == (
        "What batch size did Glorp use?"
    )
    assert _asked("The Glorp net vs. Blorp: which had more layers?") == [
        ["How many layers did the Glorp net have?", "How many layers did Blorp have?"]
    ]
    assert _asked("Glorp vs Blorp — which one trained with the bigger minibatch?")[0] == [
        "What minibatch did Glorp train with?",
        "What minibatch did Blorp train with?",
    ]
    assert _asked("Glorp vs. Blorp: which was trained with a larger learning rate?")[0][1] == (
        "What learning rate was Blorp trained with?"
    )
