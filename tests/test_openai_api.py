"""The OpenAI-compatible API: request checks on a small index, then the ``openai`` client against
the running app over the real corpus and model (slow)."""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from paperqa.app import build_app
from paperqa.errors import ModelNotAvailableError
from paperqa.generate.answer import REFUSAL_TEXT, Answer, Citation, QAEngine
from paperqa.openai_api import ChatMessage, conversation, reply_text, sse_events
from paperqa.settings import Settings
from paperqa.store import write_index
from paperqa.types import Chunk, Passage

QUESTION = "How many layers does the Transformer encoder have?"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The app over a one-chunk index: enough for every check made before the model runs."""
    index_dir = tmp_path_factory.mktemp("index")
    meta = {
        "embedder": {"name": "test", "dim": 4},
        "chunking": {},
        "documents": {
            "doc": {
                "title": "Doc",
                "year": 2017,
                "path": "",
                "kind": "md",
                "pages": 1,
                "chunks": 1,
                "quality": "ok",
                "quality_note": "",
            }
        },
    }
    chunk = Chunk(0, "doc", "Doc", 1, 1, "Some text.")
    write_index(index_dir, meta, [chunk], np.eye(1, 4, dtype=np.float32), [["text"]])
    with TestClient(build_app(Settings(index_dir=index_dir))) as test_client:
        yield test_client


def test_models_lists_paperqa_first(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    ids = [m["id"] for m in body["data"]]
    assert ids[0] == "paperqa" and Settings().model in ids
    assert all(m["object"] == "model" for m in body["data"])


def test_a_model_of_the_list_is_retrieved_by_its_id(client: TestClient) -> None:
    # openai's client.models.retrieve(...): some chat clients check the model they are given
    for model in ("paperqa", Settings().model):
        body = client.get(f"/v1/models/{model}").json()
        assert (body["id"], body["object"]) == (model, "model")
    response = client.get("/v1/models/no-such/model")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "model_not_found" and "'no-such/model'" in error["message"]


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"not json", 400, "not JSON"),
        (b'{"messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400, "nested too deeply"),
        (  # readable JSON, but deeper than reading a message's text may recurse
            b'{"messages": [{"role": "user", "content": '
            + b"[" * 500
            + b'"q"'
            + b"]" * 500
            + b"}]}",
            400,
            "nested too deeply",
        ),
        (b"[1, 2]", 400, "JSON object"),
        (b"{}", 400, "messages"),
        (b'{"messages": []}', 400, "messages"),
        (b'{"messages": [{"role": "assistant", "content": "hi"}]}', 400, "user's question"),
        (b'{"messages": [{"role": "wizard", "content": "hi"}]}', 400, "unknown role"),
        (b'{"messages": [{"role": "user", "content": "  "}]}', 400, "empty"),
        (b'{"messages": [{"role": "user", "content": " "}], "stream": true}', 400, "empty"),
        (b'{"messages": [{"role": "user", "content": 5}]}', 400, "content"),
        (b'{"messages": [{"role": "user", "content": "q"}], "paperqa": {"k": 0}}', 400, "k"),
        (b'{"messages": [{"role": "user", "content": "q"}], "stream": "yes"}', 400, "stream"),
        # The error lists the retrievers the API takes: the default, learned, among them.
        (
            b'{"messages": [{"role": "user", "content": "q"}], "paperqa": {"retriever": "x"}}',
            400,
            "'learned'",
        ),
        (b'{"model": "gpt-9", "messages": [{"role": "user", "content": "q"}]}', 404, "gpt-9"),
        (
            b'{"messages": [{"role": "user", "content": "q"}], "paperqa": {"papers": ["zz9"]}}',
            400,
            "zz9",
        ),
    ],
)
def test_bad_requests_get_openai_style_errors(
    client: TestClient, body: bytes, status: int, words: str
) -> None:
    response = client.post("/v1/chat/completions", content=body)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert words in error["message"]
    assert error["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("method", "path", "status", "words"),
    [
        ("GET", "/v1/chat/completions", 405, "use POST"),
        ("POST", "/v1/models", 405, "use GET"),
        ("POST", "/v1/completions", 404, "POST /v1/chat/completions"),
        ("DELETE", "/v1/models/paperqa", 405, "use GET"),
        ("GET", "/v1/files", 404, "GET /v1/models/{id}"),
    ],
)
def test_other_routes_and_methods_get_openai_style_errors(
    client: TestClient, method: str, path: str, status: int, words: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == status, response.text
    assert words in response.json()["error"]["message"]


def test_without_an_index_chat_is_503(tmp_path: Path) -> None:
    with TestClient(build_app(Settings(index_dir=tmp_path / "none"))) as no_index:
        response = no_index.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": "q"}]}
        )
    assert response.status_code == 503
    assert "paperqa ingest" in response.json()["error"]["message"]


def test_conversation_takes_last_user_message_and_pairs_earlier_turns() -> None:
    messages = [
        ChatMessage(role="system", content="You are helpful."),
        ChatMessage(role="user", content="What is the Transformer?"),
        ChatMessage(role="assistant", content="A model [1].\n\nSources:\n[1] Attention, p. 1"),
        ChatMessage(role="user", content=[{"type": "text", "text": "How many layers?"}]),
    ]
    question, history = conversation(messages)
    assert question == "How many layers?"
    assert history == [("What is the Transformer?", "A model [1].")]


def _answer(refused: bool = False) -> Answer:
    chunk = Chunk(7, "lattice-memory-networks", "Lattice Memory Networks", 3, 3, "K = 7.")
    citation = Citation(1, chunk.doc, chunk.title, 2017, "3", "K = 7.", 7)  # invented
    return Answer(
        question=QUESTION,
        answer=REFUSAL_TEXT if refused else "The mixer has 7 blocks [1].",
        refused=refused,
        citations=[] if refused else [citation],
        passages=[Passage(chunk, 0.9, 1)],
        timings={"total_s": 1.0},
        model="m",
        backend="llama.cpp",
        standalone_question=QUESTION,
    )


def test_reply_text_and_stream_events() -> None:
    assert reply_text(_answer()) == (
        "The mixer has 7 blocks [1].\n\nSources:\n[1] Lattice Memory Networks (2017), p. 3"
    )
    assert reply_text(_answer(refused=True)) == REFUSAL_TEXT
    events = list(sse_events((item for item in ["The", " mixer", _answer()]), "paperqa"))
    assert events[-1] == "data: [DONE]\n\n"
    assert events[1:3] == [": writing\n\n"] * 2  # the raw tokens are kept out of the text
    chunks = [json.loads(e[6:]) for e in events if e.startswith("data: {")]
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0] == {"role": "assistant", "content": ""}  # OpenAI's first chunk
    assert all(set(d) == {"content"} and d["content"] for d in deltas[1:-1])
    assert "".join(d["content"] for d in deltas[1:-1]) == reply_text(_answer())
    assert deltas[-1] == {} and chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["paperqa"]["citations"][0]["doc"] == "lattice-memory-networks"


def _sse_data(lines: Iterator[str]) -> list[Any]:
    """The JSON of each ``data:`` line (``[DONE]`` as a string); comments and blanks left out."""
    return [
        "[DONE]" if line == "data: [DONE]" else json.loads(line.removeprefix("data: "))
        for line in lines
        if line.startswith("data: ")
    ]


def test_a_stream_opens_before_the_answer_is_found(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first chunk reaches the client while retrieval and the model are still at work."""
    opened = threading.Event()  # set once the client has read the first event
    working: list[bool] = []

    def stream(self: QAEngine, question: str, **options: Any) -> Iterator[str | Answer]:
        working.append(opened.wait(timeout=5))  # retrieval and the model, until the client reads
        yield "The"
        yield _answer()

    monkeypatch.setattr(QAEngine, "stream", stream)
    body = {"stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        first = _sse_data(itertools.islice(lines, 1))[0]
        opened.set()
        rest = _sse_data(lines)
    assert working == [True], "the first event came only after the answer was found"
    assert first["object"] == "chat.completion.chunk"
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    text = "".join(chunk["choices"][0]["delta"].get("content", "") for chunk in rest[:-1])
    assert text == reply_text(_answer()) and rest[-1] == "[DONE]"


def test_an_error_after_a_stream_opens_is_its_last_event(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stream(self: QAEngine, question: str, **options: Any) -> Iterator[str | Answer]:
        raise ModelNotAvailableError("no model here")
        yield  # a generator, as QAEngine.stream is

    monkeypatch.setattr(QAEngine, "stream", stream)
    body = {"stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        events = _sse_data(response.iter_lines())
    assert events[0]["choices"][0]["delta"]["role"] == "assistant"
    assert events[1]["error"]["message"] == "no model here" and events[2:] == ["[DONE]"]


# --- The openai client against the running app ------------------------------------------------


@pytest.mark.slow
def test_openai_client_gets_cited_answers(app_url: str) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{app_url}/v1", api_key="unused", timeout=900, max_retries=0)
    assert "paperqa" in [m.id for m in client.models.list()]

    messages = [{"role": "user", "content": QUESTION}]
    reply = client.chat.completions.create(model="paperqa", messages=messages)
    text = reply.choices[0].message.content or ""
    assert "6" in text and re.search(r"\[\d+\]", text) and "Attention Is All You Need" in text
    data = reply.model_extra["paperqa"]
    assert data["citations"][0]["doc"] == "attention-is-all-you-need"
    assert data["passages"] and not data["refused"]

    asked = time.perf_counter()
    chunks = iter(client.chat.completions.create(model="paperqa", messages=messages, stream=True))
    first = next(chunks)
    opened_s = time.perf_counter() - asked
    assert first.choices[0].delta.role == "assistant" and first.choices[0].delta.content == ""
    pieces, last = [], first
    for chunk in chunks:
        pieces.append(chunk.choices[0].delta.content or "")
        last = chunk
    streamed = "".join(pieces)
    assert "6" in streamed and re.search(r"\[\d+\]", streamed)
    assert last.choices[0].finish_reason == "stop"
    data = last.model_extra["paperqa"]
    assert data["citations"][0]["doc"] == "attention-is-all-you-need"
    # The first chunk came before the model's first token (the server's clock starts later).
    assert opened_s < data["timings"]["first_token_s"], (opened_s, data["timings"])


@pytest.mark.slow
def test_a_client_that_leaves_a_stream_frees_the_model_for_the_next(app_url: str) -> None:
    import httpx

    url = f"{app_url}/v1/chat/completions"
    question = "How does the Neural Turing Machine read from memory?"
    body = {"stream": True, "messages": [{"role": "user", "content": question}]}
    with httpx.Client(timeout=300) as client, client.stream("POST", url, json=body) as response:
        for line in response.iter_lines():
            if line.startswith(": writing"):
                break  # the model is writing; then the client goes away
    # The abandoned answer held the model's lock until garbage collection: this waited forever.
    reply = httpx.post(url, json={"messages": [{"role": "user", "content": QUESTION}]}, timeout=120)
    assert reply.status_code == 200 and "6" in reply.json()["choices"][0]["message"]["content"]
