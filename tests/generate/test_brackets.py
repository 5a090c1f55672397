"""A reply that copies a quoted sentence without its bracketed detail gets the detail back."""

from __future__ import annotations

from paperqa.generate.brackets import restore_brackets

# Invented text (the papers of the reading list must not be committed).
SCORES = (
    "With the small window the Glorp agent scored about 12 points more than the Blorp agent "
    "(41 vs. 29), and with the full view it nearly doubled its score."
)
PROXY = (
    "Instead of running every plan, we rank plans by a cheap proxy (e.g., the length of a "
    "Blorp code) before the costly search."
)


def test_a_dropped_figure_comes_back_where_the_reply_stops() -> None:
    reply = "The Glorp agent scored about 12 points more than the Blorp agent [1]."
    assert restore_brackets(reply, [SCORES]) == (
        "The Glorp agent scored about 12 points more than the Blorp agent (41 vs. 29) [1]."
    )


def test_a_dropped_example_comes_back_where_the_reply_goes_on_as_the_sentence() -> None:
    reply = "They use a cheap proxy before the costly search [2]."
    assert "proxy (e.g., the length of a Blorp code) before the costly search" in restore_brackets(
        reply, ["Unrelated opening sentence.", PROXY]
    )


def test_a_reply_that_goes_on_otherwise_is_left_as_it_is() -> None:
    reply = "The Glorp agent scored about 12 points more than the Blorp agent on every maze [1]."
    assert restore_brackets(reply, [SCORES]) == reply


def test_a_reply_that_holds_the_detail_already_is_left_as_it_is() -> None:
    reply = "The Glorp agent scored 41, about 12 points more than the Blorp agent's 29 [1]."
    assert restore_brackets(reply, [SCORES]) == reply


def test_references_and_single_words_in_brackets_are_no_detail() -> None:
    quoted = [
        "The Glorp agent was trained with plain gradient steps (Smith et al., 2011) for a week.",
        "The Glorp agent was trained with plain gradient steps (see Table 2) for a week.",
        "The Glorp agent was trained with plain gradient steps (GPS) for a week.",
    ]
    reply = "The Glorp agent was trained with plain gradient steps [1]."
    assert restore_brackets(reply, quoted) == reply


def test_fewer_than_three_copied_terms_are_no_copy() -> None:
    reply = "It was the Blorp agent [1]."
    assert restore_brackets(reply, [SCORES]) == reply
