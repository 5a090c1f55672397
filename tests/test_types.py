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
