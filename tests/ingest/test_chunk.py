import itertools
from pathlib import Path

import pytest

from paperqa.embedder import max_tokens_for, tokenizer_for
from paperqa.ingest.chunk import PAGE_SEPARATOR, chunk_document
from paperqa.ingest.parse import PageText, ParsedDocument
from paperqa.settings import Settings
from paperqa.text import passage_text

SENTENCE = "Braided pooling keeps the training of very deep texture networks steady. "  # invented


@pytest.fixture(scope="module")
def tokenizer():
    return tokenizer_for(Settings())


def _doc(pages: list[str], headings: list[list[tuple[int, str]]] | None = None) -> ParsedDocument:
    headings = headings or [[] for _ in pages]
    return ParsedDocument(
        path=Path("x.pdf"),
        kind="pdf",
        title=None,
        authors=[],
        pages=[
            PageText(i + 1, t, h) for i, (t, h) in enumerate(zip(pages, headings, strict=False))
        ],
    )


def _full_text(doc: ParsedDocument) -> str:
    return PAGE_SEPARATOR.join(p.text for p in doc.pages)


def test_chunks_fit_the_embedder_with_title_and_section(tokenizer):
    title = "A Rather Long Title About Braided Pooling for Texture Recognition in the Wild"
    doc = _doc([SENTENCE * 40, SENTENCE * 40], [[(0, "3.1 Braided Pooling")], []])
    max_tokens = max_tokens_for(Settings())
    chunks = chunk_document(doc, title, tokenizer, max_tokens, 200, 40)
    assert len(chunks) > 4
    for chunk in chunks:
        full = tokenizer.encode(passage_text(title, chunk.section, chunk.text))
        assert len(full.ids) <= max_tokens  # never truncated by the embedder


def test_pages_offsets_and_sections(tokenizer):
    page1 = "Introduction text here. " * 5 + "The first page ends here."
    page2 = "2 Method\n\nThe second page starts here. " + "More method text. " * 5
    doc = _doc([page1, page2], [[], [(0, "2 Method")]])
    chunks = chunk_document(doc, "T", tokenizer, 256, 200, 0)
    full = _full_text(doc)
    assert [(c.page_start, c.page_end) for c in chunks] == [(1, 1), (2, 2)]
    assert chunks[1].section == "2 Method"
    for chunk in chunks:
        assert " ".join(full[chunk.char_start : chunk.char_end].split()) == chunk.text


def test_consecutive_chunks_overlap(tokenizer):
    text = " ".join(f"Sentence number {i} talks about topic {i}." for i in range(120))
    chunks = chunk_document(_doc([text]), "T", tokenizer, 256, 100, 30)
    assert len(chunks) > 3
    for first, second in itertools.pairwise(chunks):
        assert second.char_start < first.char_end  # shared sentences
        assert second.char_start > first.char_start


def test_a_sentence_longer_than_the_budget_is_split_not_truncated(tokenizer):
    words = [f"token{i}" for i in range(600)]
    chunks = chunk_document(_doc([" ".join(words)]), "T", tokenizer, 256, 200, 0)
    assert len(chunks) > 1
    assert " ".join(c.text for c in chunks).split() == words
    assert all(c.tokens <= 200 for c in chunks)


def test_empty_document_gives_no_chunks(tokenizer):
    assert chunk_document(_doc(["   "]), "T", tokenizer, 256, 200, 40) == []
