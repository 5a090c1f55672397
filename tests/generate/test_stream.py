"""QAEngine.stream without the packaged model: two invented papers, ingested for real, and an
OpenAI-compatible server that writes a scripted reply, so that what the engine does with a
model's words (passing them on, checking their citations, refusing) is tested in seconds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scripted_model import scripted_model

from paperqa.generate.answer import REFUSAL_TEXT, Answer, QAEngine
from paperqa.generate.prompts import CHOSEN_PAPERS_REFUSAL_TEXT
from paperqa.ingest.pipeline import ingest
from paperqa.settings import Settings

PAPERS = {  # invented
    "lattice.md": "# Lattice Memory Networks\n\n## Encoder\n\nThe encoder of the lattice memory "
    "network stacks seven gated blocks, each followed by slot shuffling at a rate of 0.15.\n",
    "braids.md": "# Braided Pooling\n\n## Results\n\nBraided pooling trains texture networks of "
    "118 layers and reaches 4.83% error on Pebble-9K. Each network takes nine days to train.\n",
}
BLOCKS = "How many gated blocks does the lattice memory network's encoder stack?"


@pytest.fixture(scope="module")
def model() -> Iterator[Any]:
    with scripted_model() as server:
        yield server


@pytest.fixture(scope="module")
def engine(model: Any, tmp_path_factory: pytest.TempPathFactory) -> QAEngine:
    root = tmp_path_factory.mktemp("stream")
    (root / "papers").mkdir()
    for name, text in PAPERS.items():
        (root / "papers" / name).write_text(text)
    settings = Settings(
        index_dir=root / "index",
        cache_dir=root / "cache",
        backend="openai",
        openai_base_url=model.url,
    )
    ingest(root / "papers", settings, progress=False)
    return QAEngine(settings)


def _stream(engine: QAEngine, model: Any, reply: str, question: str) -> tuple[str, Answer]:
    model.reply, model.requests[:] = reply, []
    items = list(engine.stream(question))
    assert isinstance(items[-1], Answer) and all(isinstance(i, str) for i in items[:-1])
    return "".join(items[:-1]), items[-1]


def test_the_models_words_come_first_then_an_answer_citing_the_passage_that_holds_them(
    engine: QAEngine, model: Any
) -> None:
    words, answer = _stream(engine, model, "The encoder stacks seven gated blocks [1].", BLOCKS)
    assert words.split() == ["The", "encoder", "stacks", "seven", "gated", "blocks", "[1]."]
    assert not answer.refused and answer.answer == "The encoder stacks seven gated blocks [1]."
    (citation,) = answer.citations
    assert (citation.doc, citation.section) == ("lattice", "Encoder")
    # The headings the widened passage runs into its sentence are not part of the quote.
    assert citation.quote.startswith("The encoder of the lattice memory network stacks seven")
    (request,) = model.requests
    assert request["stream"] and request["messages"][-1]["content"].endswith(BLOCKS)
    assert "slot shuffling at a rate of 0.15" in request["messages"][-1]["content"]


def test_a_citation_moves_to_the_passage_that_holds_the_sentences_figure(
    engine: QAEngine, model: Any
) -> None:
    question = "How deep are braided pooling networks, and what rate does slot shuffling use?"
    model.reply = "x"
    engine.ask(question)
    prompt = model.requests[-1]["messages"][-1]["content"]
    first: dict[str, str] = {}
    for marker, name in re.findall(r"\[(\d)\] (Lattice|Braided)", prompt):
        first.setdefault(name, marker)
    lattice, braids = first["Lattice"], first["Braided"]
    # The model cites each figure to the other paper's passage.
    reply = (
        f"Braided pooling networks have 118 layers [{lattice}]. "
        f"Slot shuffling uses 0.15 [{braids}]."
    )
    _, answer = _stream(engine, model, reply, question)
    assert not answer.refused and not answer.unsupported
    assert [c.doc for c in answer.citations] == ["braids", "lattice"]
    assert (
        answer.answer
        == "Braided pooling networks have 118 layers [1]. Slot shuffling uses 0.15 [2]."
    )


def test_an_answer_whose_number_no_passage_holds_is_refused(engine: QAEngine, model: Any) -> None:
    words, answer = _stream(engine, model, "The encoder stacks 12 gated blocks [1].", BLOCKS)
    assert "12" in words  # what the model wrote went out as it wrote it...
    assert answer.refused and answer.answer == REFUSAL_TEXT  # ...but the answer is not kept
    assert answer.unsupported == ["The encoder stacks 12 gated blocks."]


def test_a_question_how_long_something_took_is_answered_only_with_a_span_of_time(
    engine: QAEngine, model: Any
) -> None:
    question = "How long does a braided pooling network take to train?"
    _, answer = _stream(engine, model, "A braided pooling network trains 118 layers [1].", question)
    assert answer.refused and answer.answer == REFUSAL_TEXT  # a number, but not how long
    _, answer = _stream(engine, model, "It takes nine days to train [1].", question)
    assert not answer.refused and answer.answer == "It takes nine days to train [1]."
    assert [c.doc for c in answer.citations] == ["braids"]


def test_the_models_refusal_is_a_refusal(engine: QAEngine, model: Any) -> None:
    _, answer = _stream(engine, model, "Not found in the papers.", BLOCKS)
    assert answer.refused and answer.answer == REFUSAL_TEXT and not answer.citations
    assert len(model.requests) == 1  # the question names no paper: nothing to ask again


def test_a_refusal_is_asked_again_without_the_words_naming_the_paper(
    engine: QAEngine, model: Any
) -> None:
    question = "In the lattice memory paper, how many gated blocks does the encoder stack?"
    _, answer = _stream(engine, model, "Not found in the papers.", question)
    assert answer.refused and answer.answer == REFUSAL_TEXT
    first, again = (request["messages"][-1]["content"] for request in model.requests)
    evidence, asked = first.split("Question: ")
    assert asked == question
    assert again == f"{evidence}Question: How many gated blocks does the encoder stack?"


def test_a_refusal_with_the_one_table_cell_asked_in_front_of_it_is_that_cell(
    model: Any, tmp_path: Path
) -> None:
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "glorp.md").write_text(
        "# Glorp Speech\n\n## Results\n\nTable 2 compares the systems. Clean read: Glorp 4.10, "
        "Blorp 3.25; Noisy street: Glorp 21.5, Blorp 12.75 Table 2: Word error rates.\n"
    )
    settings = Settings(index_dir=tmp_path / "index", backend="openai", openai_base_url=model.url)
    ingest(tmp_path / "papers", settings, progress=False)
    question = "What word error rate does Blorp reach on noisy street speech?"
    words, answer = _stream(QAEngine(settings), model, "Not found in the papers.", question)
    assert words.endswith("Noisy street, Blorp: 12.75.")
    assert not answer.refused and answer.answer == "Noisy street, Blorp: 12.75 [1]."
    assert [c.doc for c in answer.citations] == ["glorp"]


def _items(engine: QAEngine, question: str, papers: list[str] | None) -> tuple[str, Answer]:
    items = list(engine.stream(question, papers=papers))
    assert isinstance(items[-1], Answer)
    return "".join(str(i) for i in items[:-1]), items[-1]


@pytest.mark.parametrize("papers", [None, ["braids"]])
def test_an_off_topic_question_is_refused_without_the_model(
    engine: QAEngine, model: Any, tmp_path: Any, papers: list[str] | None
) -> None:
    # The gates decide before any prompt is built, so a model file that is not there (or one
    # that takes seconds to load) is never opened for a question they refuse...
    question = "Who won the 2018 FIFA World Cup?"
    absent = str(tmp_path / "absent.gguf")
    modelless = QAEngine(engine.settings.updated(model=absent, backend="llama.cpp"))
    words, refused = _items(modelless, question, papers)
    assert modelless._llm is None
    # ... and the refusal is word for word the one an engine with a model gives, unasked.
    model.requests[:] = []
    expected_words, expected = _items(engine, question, papers)
    assert not model.requests
    text = REFUSAL_TEXT if papers is None else CHOSEN_PAPERS_REFUSAL_TEXT.format(papers="braids")
    assert refused.refused and words == expected_words == refused.answer == text
    kept = ("question", "answer", "refused", "citations", "passages", "unsupported")
    assert {k: refused.to_dict()[k] for k in kept} == {k: expected.to_dict()[k] for k in kept}
    assert refused.timings.keys() == expected.timings.keys()


def test_a_model_left_to_the_gates_loads_for_the_first_question_they_let_through(
    engine: QAEngine, model: Any
) -> None:
    # `paperqa ask` leaves the model to the gates for a question they will likely refuse
    loads: list[int] = []
    fresh = QAEngine(engine.settings)
    fresh.warm_up(on_model_load=lambda: loads.append(len(model.requests)))
    model.requests[:] = []
    _, refused = _items(fresh, "Who won the 2018 FIFA World Cup?", None)
    assert refused.refused and not loads and not model.requests and fresh._llm is None
    _, answer = _stream(fresh, model, "The encoder stacks seven gated blocks [1].", BLOCKS)
    assert not answer.refused and loads == [0]  # said before the model was asked anything
    warm, asked = model.requests  # the system prompt read into its cache, then the question
    assert warm["max_tokens"] == 1 and asked["messages"][-1]["content"].endswith(BLOCKS)
    _stream(fresh, model, "The encoder stacks seven gated blocks [1].", BLOCKS)
    assert loads == [0]  # loaded once
