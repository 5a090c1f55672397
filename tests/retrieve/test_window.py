"""Passage windows: a retrieved chunk comes back with the text around it in its paper."""

from __future__ import annotations

from paperqa.retrieve.sparse import BM25Retriever
from paperqa.retrieve.window import WindowRetriever, widen
from paperqa.text import tokenize
from paperqa.types import Chunk

SETUP = "We train the mixer on five chips for thirty hours."  # invented text
MATCH = "The optimizer is Rmsfold with decay values of 0.85 and 0.97."
DETAIL = "The learning rate follows a warmup of 2500 steps."
LATER = "Results on the test set appear in the last table."


def _chunks() -> list[Chunk]:
    """One paper cut into three overlapping chunks (each repeats the sentence before it), then
    the first chunk of another paper."""
    texts = [f"{SETUP} {MATCH}", f"{MATCH} {DETAIL}", f"{DETAIL} {LATER}"]
    chunks = [Chunk(i, "paper-a", "A", i + 2, i + 2, t) for i, t in enumerate(texts)]
    return [*chunks, Chunk(3, "paper-b", "B", 1, 1, "Another paper about braided networks.")]


def test_a_chunk_grows_with_its_neighbours_text_without_repeating_the_overlap() -> None:
    chunks = _chunks()
    wide = widen(chunks, chunks[1], 100)
    assert wide.text == f"{SETUP} {MATCH} {DETAIL} {LATER}"
    assert (wide.page_start, wide.page_end) == (2, 4)
    assert wide.id == 1


def test_the_budget_is_split_between_before_and_after() -> None:
    chunks = _chunks()
    budget = len(chunks[1].text.split()) + 4
    wide = widen(chunks, chunks[1], budget)
    assert wide.text == f"thirty hours. {MATCH} {DETAIL} Results on"
    assert len(wide.text.split()) == budget


def test_a_side_without_text_leaves_its_share_to_the_other() -> None:
    chunks = _chunks()
    budget = len(chunks[2].text.split()) + 6  # the last chunk of paper-a: nothing after it
    wide = widen(chunks, chunks[2], budget)
    assert wide.text == f"decay values of 0.85 and 0.97. {DETAIL} {LATER}"
    assert (wide.page_start, wide.page_end) == (3, 4)


def test_a_window_never_crosses_into_another_paper_and_short_budgets_change_nothing() -> None:
    chunks = _chunks()
    assert "braided" not in widen(chunks, chunks[2], 100).text
    assert widen(chunks, chunks[3], 100) == chunks[3]  # alone in its paper
    assert widen(chunks, chunks[1], 5) == chunks[1]  # already longer than the budget


def test_the_window_retriever_returns_the_matched_chunk_in_context() -> None:
    others = ["Convolutions share weights.", "Pooling halves the map.", "Batch norm helps."]
    chunks = _chunks() + [Chunk(4 + i, "paper-c", "C", 1, 1, t) for i, t in enumerate(others)]
    bm25 = BM25Retriever(chunks, [tokenize(c.text) for c in chunks], k1=1.2, b=0.75)
    top = WindowRetriever(bm25, chunks, 100).search("Rmsfold decay values warmup", 1)[0]
    assert top.chunk.id == 1
    assert top.core == chunks[1] and top.matched.text == f"{MATCH} {DETAIL}"
    assert SETUP in top.text and LATER in top.text  # what the reader and the model see
    assert top.chunk.pages == "2-4"
    assert top.place_of(DETAIL)[0] == "3"  # a quote from the matched chunk cites its page
    # A quote from the text around it cites the page of the neighbouring chunk it came from.
    assert top.place_of(SETUP)[0] == "2" and top.place_of(LATER)[0] == "4"
    assert top.place_of(f"{SETUP} {MATCH} {DETAIL} {LATER}")[0] == "2-4"  # it spans them all


def test_a_quote_from_the_text_around_the_match_is_given_the_section_it_lies_in() -> None:
    texts = [(SETUP, "2 Training"), (MATCH, "3 Optimizer"), (LATER, "4 Results")]
    chunks = [Chunk(i, "post", "P", 1, 1, t, section=h) for i, (t, h) in enumerate(texts)]
    bm25 = BM25Retriever(chunks, [tokenize(c.text) for c in chunks], k1=1.2, b=0.75)
    top = WindowRetriever(bm25, chunks, 100).search("Adam beta values", 1)[0]
    assert top.chunk.id == 1 and top.text == f"{SETUP} {MATCH} {LATER}"
    assert [top.place_of(q)[1] for q in (MATCH, SETUP, LATER)] == [
        "3 Optimizer",
        "2 Training",
        "4 Results",
    ]
    assert top.place_of(f"{SETUP} {MATCH}")[1] == ""  # across two sections: none is named
