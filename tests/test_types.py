"""The records passed between stages: what a passage cites for a quote."""

from __future__ import annotations

from paperqa.types import Chunk, Passage

CORE = "2.1 Mixing Layers The mixer stacks four identical layers. Each layer adds noise."
WIDENED = f"The previous section ends here on page 2. {CORE} 2.2 Training We train for a week."


def _passage() -> Passage:
    core = Chunk(7, "mixer", "The Mixer", 3, 3, CORE, section="2.1 Mixing Layers")
    widened = Chunk(7, "mixer", "The Mixer", 2, 4, WIDENED, section="2.1 Mixing Layers")
    return Passage(widened, 1.0, 1, core=core)


def test_a_quote_in_the_matched_chunk_cites_its_page_and_section() -> None:
    passage = _passage()
    quote = "The mixer stacks four identical layers."
    assert passage.place_of(quote) == ("3", "2.1 Mixing Layers")


def test_a_quote_from_the_widened_context_cites_the_whole_span_and_no_section() -> None:
    passage = _passage()
    quote = "We train for a week."
    assert passage.place_of(quote) == ("2-4", "")  # in 2.2, which the passage does not record


def test_a_chunk_is_the_abstract_under_that_heading_or_where_the_paper_opens_with_it() -> None:
    text = "Abstract We present a residual learning framework."
    assert Chunk(0, "p", "T", 1, 1, "We present ...", section="ABSTRACT").is_abstract
    assert not Chunk(1, "p", "T", 1, 1, text, section="1 Introduction").is_abstract
    assert Chunk(2, "p", "T", 1, 1, "Title, Authors, Lab " + text).is_abstract
    assert not Chunk(3, "p", "T", 4, 4, text, char_start=9000).is_abstract  # "Abstract" later on


def test_a_chunk_is_in_the_reference_list_when_it_cites_works_under_that_heading() -> None:
    entry = "[4] A. Glorp. Braided mixers. arXiv preprint arXiv:1901.00001, 2019."
    two_years = "Blorp, B. Mixing layers, 2017. Glorp, A. Noise in mixers, 2018."
    assert Chunk(0, "p", "T", 9, 9, entry, section="References").is_reference_list
    assert Chunk(1, "p", "T", 9, 9, two_years, section="12 REFERENCES").is_reference_list
    assert Chunk(2, "p", "T", 9, 9, entry, section="Bibliography").is_reference_list
    assert not Chunk(3, "p", "T", 4, 4, entry, section="4 Results").is_reference_list
    # A figure after the list, under no heading of its own, is not part of it.
    figure = "Figure 5: Attention of head 3 for the word 'glorp'. Best viewed in color."
    assert not Chunk(4, "p", "T", 13, 13, figure, section="References").is_reference_list
