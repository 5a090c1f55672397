"""Questions about who wrote a paper or when it appeared, answered from the index's record.

The records are the reading list's; the title pages are invented one-liners holding the names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scripted_model import scripted_model

from paperqa.generate.answer import QAEngine
from paperqa.generate.bibliography import asks_about_collection, asks_for_record, record_answer
from paperqa.ingest.pipeline import ingest
from paperqa.readinglist import papers_by_id
from paperqa.settings import Settings
from paperqa.types import Chunk

PAPERS = ("neural-turing-machines", "dense-passage-retrieval", "retrieval-augmented-generation")


def _documents() -> dict[str, dict[str, Any]]:
    listed = papers_by_id()
    return {
        doc: {"title": listed[doc].title, "authors": listed[doc].authors, "year": listed[doc].year}
        for doc in PAPERS
    }


def _chunks() -> list[Chunk]:
    documents = _documents()
    chunks = []
    for doc, meta in documents.items():
        names = " ".join(meta["authors"])
        chunks.append(Chunk(len(chunks), doc, meta["title"], 2, 2, "Later text of the paper."))
        chunks.append(Chunk(len(chunks), doc, meta["title"], 1, 1, f"{meta['title']} {names}"))
    return chunks


def _answer(question: str, papers: list[str] | None = None):
    return record_answer(question, _documents(), _chunks(), papers)


def test_the_year_of_a_paper_comes_from_its_record_citing_its_title_page() -> None:
    answer = _answer("What year was the Neural Turing Machines paper published?")
    assert answer is not None
    assert answer.text == "Neural Turing Machines, by Alex Graves et al., appeared in 2014 [1]."
    (citation,) = answer.citations
    assert (citation.doc, citation.pages) == ("neural-turing-machines", "1")
    assert "Alex Graves" in citation.quote
    assert [p.chunk.page_start for p in answer.passages] == [1]


def test_the_title_page_quoted_names_the_author_however_pypdf_set_the_accent() -> None:
    # pypdf gives "Grünwald" as "Gr¨unwald"; the record has the name as written.
    documents = {
        "mdl-tutorial": {"title": "A Tutorial", "authors": ["Peter Grünwald"], "year": 2004}
    }
    page = "A Tutorial Introduction Peter Gr¨unwald Centrum voor Wiskunde. Kruislaan 413."
    chunks = [Chunk(0, "mdl-tutorial", "A Tutorial", 1, 1, page)]
    answer = record_answer("Who wrote the MDL tutorial?", documents, chunks, None)
    assert answer is not None and "Gr¨unwald" in answer.citations[0].quote


def test_the_authors_of_each_paper_named_are_listed_with_a_citation_each() -> None:
    answer = _answer("Who wrote the DPR and RAG papers?")
    assert answer is not None
    first, second = answer.text.split(" [1]. ")
    assert first.startswith("Dense Passage Retrieval") and "Vladimir Karpukhin" in first
    assert "Danqi Chen and Wen-tau Yih" in first
    assert second.startswith("Retrieval-Augmented Generation") and second.endswith("[2].")
    assert [c.doc for c in answer.citations] == list(PAPERS[1:])


def test_a_question_about_the_chosen_paper_names_none() -> None:
    answer = _answer("Who are the authors of this paper?", papers=["neural-turing-machines"])
    assert answer is not None and "Alex Graves, Greg Wayne and Ivo Danihelka" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "What memory size does the Neural Turing Machine use?",  # about the content
        "Who wrote the DPR paper and what batch size did it use?",  # a second question
        "Who are the authors of DPR and BERT?",  # BERT is no paper here
        "Who wrote the paper that introduced dropout?",  # names no paper
    ],
)
def test_other_questions_are_left_to_the_model(question: str) -> None:
    assert _answer(question) is None


def test_only_questions_about_authors_or_date_ask_for_the_record() -> None:
    assert asks_for_record("When was GPipe published?")
    assert asks_for_record("Who is the author of the MDL tutorial?")
    assert not asks_for_record("When was the learning rate decayed?")
    assert not asks_for_record("Who proposed the attention mechanism?")
    assert asks_for_record("In what year did the ResNet paper come out?")
    assert asks_for_record("Authors of the GPipe paper?")


def test_a_papers_title_comes_from_its_record() -> None:
    # The model answered "British Cycling", a title the paper cites.
    answer = _answer("What is the title of the DPR paper?")
    assert answer is not None
    assert answer.text.startswith("Dense Passage Retrieval for Open-Domain Question Answering")
    assert not asks_for_record("What is the title of Table 2 in the DPR paper?")


def test_the_collection_is_counted_and_listed_from_the_index() -> None:
    answer = _answer("How many papers are in the collection?")
    assert answer is not None and answer.citations == []
    assert answer.text == (
        "The collection holds 3 papers: Neural Turing Machines (2014); Dense Passage Retrieval "
        "for Open-Domain Question Answering (2020); Retrieval-Augmented Generation for "
        "Knowledge-Intensive NLP Tasks (2020)."
    )
    assert asks_about_collection("Which papers do you have?")
    assert not asks_about_collection("How many papers use dropout?")
    assert not asks_about_collection("Which papers are about Kolmogorov complexity?")


def test_a_question_that_only_mentions_a_papers_authors_or_dates_asks_about_its_content() -> None:
    # Answered "... is by Kaiming He, ..." from the record, where the passages were needed.
    assert not asks_for_record("Why do the authors of the ResNet paper use projection shortcuts?")
    assert not asks_for_record("What did the authors of GPipe find about micro-batches?")
    assert not asks_for_record("When was the learning rate lowered after the error appeared flat?")
    assert _answer("How do the authors of the DPR paper pick hard negatives?") is None


def test_the_engine_answers_from_the_record_without_a_model(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "neural-turing-machines.md").write_text(
        "# Neural Turing Machines\n\nAlex Graves, Greg Wayne, Ivo Danihelka\n\n## Memory\n\n"
        "The memory matrix has 97 rows of 13 slots each.\n"  # invented
    )
    with scripted_model() as model:
        settings = Settings(
            index_dir=tmp_path / "index",
            cache_dir=tmp_path / "cache",
            backend="openai",
            openai_base_url=model.url,
        )
        ingest(papers, settings, progress=False)
        absent = str(tmp_path / "absent.gguf")
        engine = QAEngine(settings.updated(model=absent, backend="llama.cpp"))
        assert engine.answered_without_model("Who wrote Neural Turing Machines?")
        answer = engine.ask("Who wrote Neural Turing Machines?")
        assert engine._llm is None and not model.requests
    assert not answer.refused
    assert answer.answer.endswith("is by Alex Graves, Greg Wayne and Ivo Danihelka [1].")
    assert [(c.doc, c.pages) for c in answer.citations] == [("neural-turing-machines", "1")]
