"""An OpenAI-compatible chat API over the app's engines, for any client that speaks it.

``GET /v1/models`` lists ``paperqa`` (the configured model) and the other installed chat models
(``GET /v1/models/{id}`` gives one);
``POST /v1/chat/completions`` answers the last user message from the papers, the earlier user and
assistant turns being the conversation. The reply's text is the cited answer (``[n]`` markers)
followed by a short source list (paper, page); the citations and passages also come back as data
in a ``paperqa`` field of the response (and of the last chunk of a stream).

A stream opens at once with OpenAI's first chunk (``delta`` ``{"role": "assistant", "content":
""}``), before retrieval, so a client with a short read timeout sees the answer begin. The text
follows once its citations are placed: code puts the ``[n]`` markers in after the model has
written the whole answer, so the model's raw tokens are not sent (an SSE comment is sent for each
of them instead, which keeps proxies from timing out). Errors are OpenAI-style JSON
(``{"error": {"message", "type", "param", "code"}}``) with 400 for bad input, 404 for an unknown
model and 503 when there is no index or model to answer with; an error met after a stream has
opened (a model that cannot load) is its last event but ``[DONE]``, as ``{"error": ...}``.

Optional non-standard request field: ``"paperqa": {"papers": [...], "retriever": "bm25", "k": 8}``
(the ``extra_body`` of the ``openai`` package).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import AsyncGenerator, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError
from starlette.concurrency import run_in_threadpool

from paperqa.errors import (
    IndexMismatchError,
    IndexMissingError,
    ModelNotAvailableError,
    PaperQAError,
)
from paperqa.serving import message_text
from paperqa.settings import MAX_K, RetrieverName

if TYPE_CHECKING:
    from paperqa.generate.answer import Answer, QAEngine
    from paperqa.serving import EnginePool

MODEL_ID = "paperqa"
SOURCES_HEADING = "Sources:"
_ROLES = {"system", "developer", "user", "assistant", "tool", "function"}
MAX_DEPTH = 32  # nesting a request may have: a chat request nests 5 deep
_PIECE = re.compile(r"\S+\s*|\s+")  # words with their trailing space: the streamed pieces


class APIError(Exception):
    """An error answered as OpenAI does: HTTP status and an ``error`` object."""

    def __init__(
        self, status: int, message: str, code: str | None = None, param: str | None = None
    ):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param

    def body(self) -> dict[str, Any]:
        kind = "invalid_request_error" if self.status < 500 else "server_error"
        return {
            "error": {"message": self.message, "type": kind, "param": self.param, "code": self.code}
        }


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[Any] | None = None  # text, or OpenAI content parts


class PaperqaOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    papers: list[str] | None = None
    retriever: RetrieverName | None = None
    k: int | None = Field(None, ge=1, le=MAX_K)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, ...: accepted, unused

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: StrictBool = False  # "yes" is refused, as OpenAI's API refuses it
    paperqa: PaperqaOptions | None = None


def openai_router(
    engines: EnginePool | None, models: Callable[[], list[str]], problem: str = ""
) -> APIRouter:
    """The ``/v1`` routes over ``engines``; ``models()`` lists the installed chat models."""
    router = APIRouter(prefix="/v1")
    created = int(time.time())

    def model_object(model: str) -> dict[str, Any]:
        return {"id": model, "object": "model", "created": created, "owned_by": "paperqa"}

    @router.get("/models")
    def list_models() -> dict[str, Any]:
        """The models a client may name: ``paperqa`` (the configured one) and the installed ones."""
        return {"object": "list", "data": [model_object(m) for m in [MODEL_ID, *models()]]}

    @router.get("/models/{model:path}", response_model=None)
    def retrieve_model(model: str) -> dict[str, Any] | JSONResponse:
        """One model of the list (OpenAI's "retrieve model"), or a 404 naming the list."""
        if model in (MODEL_ID, *models()):
            return model_object(model)
        error = _no_such_model(model)
        return JSONResponse(error.body(), status_code=error.status)

    @router.post("/chat/completions", response_model=None)
    async def chat_completions(request: Request) -> JSONResponse | StreamingResponse:
        """Answer the last user message from the papers (stream or not), as OpenAI does."""
        try:
            chat = _parse(await request.body())
            engine = _engine(engines, problem, chat.model, models)
            question, history = conversation(chat.messages)
            options = _options(engine, chat.paperqa)
            question = engine.settings.check_question(question)  # a 400 before a stream opens
            stream = engine.stream(question, history=history, **options)
            if not chat.stream:
                answer = await run_in_threadpool(_last, stream)
                return JSONResponse(completion(answer, chat.model))
        except APIError as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        except PaperQAError as exc:
            error = _api_error(exc)
            return JSONResponse(error.body(), status_code=error.status)
        return _ClosingStream(
            _until_disconnect(sse_events(stream, chat.model)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @router.api_route("/{path:path}", methods=_METHODS, include_in_schema=False)
    def unknown_route(path: str, request: Request) -> JSONResponse:
        """OpenAI-style errors for the rest of /v1 (the chat page would answer a bare 404)."""
        error = _unknown_route(request.method, path.strip("/"))
        return JSONResponse(error.body(), status_code=error.status)

    return router


_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_ROUTES = {"models": "GET", "models/{id}": "GET", "chat/completions": "POST"}


def _unknown_route(method: str, path: str) -> APIError:
    """405 for a known path asked with another method, else 404 naming what exists."""
    route = "models/{id}" if path.startswith("models/") else path
    if route in _ROUTES:
        return APIError(405, f"use {_ROUTES[route]} for /v1/{path}, not {method}")
    offered = ", ".join(f"{m} /v1/{p}" for p, m in _ROUTES.items())
    return APIError(404, f"no route /v1/{path}; this server offers {offered}", code="not_found")


def _parse(raw: bytes) -> ChatRequest:
    try:
        body = json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise APIError(400, f"the request body is not JSON: {exc}") from exc
    except RecursionError:  # json's decoder recurses once per nested array or object
        raise APIError(400, "the request body is nested too deeply to read") from None
    if not isinstance(body, dict):
        raise APIError(400, "the request body must be a JSON object")
    if _depth(body) > MAX_DEPTH:
        raise APIError(400, "the request body is nested too deeply to read")
    try:
        return ChatRequest.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise APIError(400, f"{where}: {first['msg']}", param=where or None) from exc


def _depth(value: Any) -> int:
    """How deeply ``value``'s lists and objects nest, counted without recursing."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            todo.extend((child, level + 1) for child in children)
    return deepest


def _engine(
    engines: EnginePool | None, problem: str, model: str, models: Callable[[], list[str]]
) -> QAEngine:
    if engines is None:
        raise APIError(503, problem or "no index to answer from", code="index_missing")
    if model == MODEL_ID:
        return engines.get()
    if model not in models():
        raise _no_such_model(model)
    return engines.get(model)


def _no_such_model(model: str) -> APIError:
    return APIError(
        404, f"the model {model!r} does not exist; see GET /v1/models", "model_not_found"
    )


def conversation(messages: list[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The question (the last user message) and the earlier (question, answer) turns."""
    turns: list[tuple[str, str]] = []
    for i, message in enumerate(messages):
        if message.role not in _ROLES:
            raise APIError(400, f"unknown role {message.role!r}", param=f"messages.{i}.role")
        if message.role in ("user", "assistant"):
            turns.append((message.role, message_text(message.content).strip()))
    if not turns or turns[-1][0] != "user":
        raise APIError(400, "the last message must be the user's question", param="messages")
    history: list[tuple[str, str]] = []
    asked: str | None = None
    for role, text in turns[:-1]:
        if role == "user":
            asked = text
        elif asked is not None:
            history.append((asked, text.split(f"\n\n{SOURCES_HEADING}")[0]))
            asked = None
    return turns[-1][1], history


def _options(engine: QAEngine, options: PaperqaOptions | None) -> dict[str, Any]:
    if options is None:
        return {}
    from paperqa.retrieve.filters import resolve_papers

    return {
        "papers": resolve_papers(options.papers, engine.store),
        "retriever": options.retriever,
        "k": options.k,
    }


def _api_error(exc: PaperQAError) -> APIError:
    unavailable = (IndexMissingError, IndexMismatchError, ModelNotAvailableError)
    if isinstance(exc, unavailable):
        return APIError(503, str(exc), code=type(exc).__name__)
    return APIError(400, str(exc), code=type(exc).__name__)


def _last(stream: Iterator[str | Answer]) -> Answer:
    from paperqa.generate.answer import Answer

    for item in stream:
        if isinstance(item, Answer):
            return item
    raise AssertionError("QAEngine.stream ended without an Answer")


def reply_text(answer: Answer) -> str:
    """The assistant message: the cited answer, then one line per source (paper, page)."""
    if answer.refused or not answer.citations:
        return answer.answer
    lines = [c.label for c in answer.citations]
    return f"{answer.answer}\n\n{SOURCES_HEADING}\n" + "\n".join(lines)


def paperqa_field(answer: Answer) -> dict[str, Any]:
    """The answer as data: citations (with quotes), passages, refusal, timings, model."""
    data = answer.to_dict()
    data.pop("answer")
    return data


def completion(answer: Answer, model: str) -> dict[str, Any]:
    """A ``chat.completion`` object for a finished answer."""
    text = reply_text(answer)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "paperqa": paperqa_field(answer),
    }


class _ClosingStream(StreamingResponse):
    """A StreamingResponse that closes its events however it ends. When the client leaves,
    ``send`` fails and Starlette leaves the events suspended: ours would hold the model's lock,
    and every later answer would wait, until garbage collection happened to free them."""

    async def stream_response(self, send: Any) -> None:
        try:
            await super().stream_response(send)
        finally:
            await self.body_iterator.aclose()  # type: ignore[union-attr]


async def _until_disconnect(events: Generator[str, None, None]) -> AsyncGenerator[str, None]:
    """``events`` stepped in a worker thread, and closed (between two steps) when closed."""
    guard = threading.Lock()  # close only between two steps, never while one is running
    done = object()

    def step() -> Any:
        with guard:
            return next(events, done)

    def close() -> None:
        with guard:
            events.close()

    try:
        while (item := await run_in_threadpool(step)) is not done:
            yield item
    finally:  # on a disconnect this runs cancelled: no await here, a thread closes the stream
        threading.Thread(target=close, daemon=True).start()


def sse_events(stream: Generator[str | Answer, None, None], model: str) -> Iterator[str]:
    """The ``chat.completion.chunk`` events of a streamed answer: the assistant's role before
    ``stream`` is started, then the cited text, the ``paperqa`` data and ``[DONE]``."""
    from paperqa.generate.answer import Answer

    chunk_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        body = {"id": chunk_id, "object": "chat.completion.chunk", "created": created,
                "model": model, "choices": [choice], **extra}  # fmt: skip
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    answer: Answer | None = None
    try:
        yield event({"role": "assistant", "content": ""})  # at once: retrieval has not begun
        for item in stream:
            if isinstance(item, Answer):
                answer = item
            else:
                yield ": writing\n\n"
    except PaperQAError as exc:
        yield f"data: {json.dumps(_api_error(exc).body())}\n\n"
        yield "data: [DONE]\n\n"
        return
    finally:  # closed early (the client left): the engine's stream releases the model now
        stream.close()
    assert answer is not None, "QAEngine.stream ended without an Answer"
    for piece in _PIECE.findall(reply_text(answer)):
        yield event({"content": piece})
    yield event({}, "stop", paperqa=paperqa_field(answer))
    yield "data: [DONE]\n\n"
