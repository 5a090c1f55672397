"""The Gradio chat app: a thin web layer over ``QAEngine`` and the index, like the CLI.

``build_app(settings)`` returns a FastAPI app holding the Gradio UI at ``/``, the named API
endpoint ``/ask`` (answer JSON, for ``gradio_client``), ``/pdf/{doc_id}``, which serves the
source file of an ingested document (the PDF, opened at ``#page=N`` by the browser) and nothing
else on disk, the page images ``/evidence/{doc_id}/{page}.png``, the OpenAI-compatible API under
``/v1`` and ``/healthz``. ``launch(settings, listeners)`` runs it with uvicorn on the sockets
``paperqa serve`` opened on ``settings.host:settings.port``.

One QAEngine per (model, backend) is shared by every browser session; each session keeps its
own conversation in Gradio state, so no user sees another's chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import re
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import gradio as gr
from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, PlainTextResponse

from paperqa.errors import IndexMismatchError, IndexMissingError, PaperQAError, QuestionError
from paperqa.retrieve import RETRIEVER_NAMES, IndexStore
from paperqa.serving import EnginePool, installed_backends, installed_models, message_text
from paperqa.settings import Settings

if TYPE_CHECKING:
    from paperqa.generate.answer import Answer, Citation
    from paperqa.types import Chunk

# Generation is serialised by the model's lock, so more parallel workers would only wait on it;
# two lets one question retrieve while another generates. Everyone else sees a queue position.
CONCURRENCY = 2
QUEUE_MAX = 64
MAX_HISTORY_TURNS = 50
# Seconds open connections and running generations get to finish once the app is told to stop.
SHUTDOWN_GRACE_S = 2.0

ChatMessages = list[dict[str, Any]]
History = list[tuple[str, str]]

CSS = """
.pqa-sources { font-size: 0.95rem; }
.pqa-sources h3 { margin: 0.2rem 0 0.6rem; font-size: 1rem; }
.pqa-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 0.6rem 0.8rem; margin-bottom: 0.6rem; background: var(--background-fill-secondary); }
.pqa-head { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: baseline; }
.pqa-marker { font-weight: 700; color: var(--color-accent); }
.pqa-meta { color: var(--body-text-color-subdued); }
.pqa-quote { margin: 0.4rem 0; padding-left: 0.7rem; border-left: 3px solid var(--color-accent);
  font-style: italic; }
.pqa-source details summary { cursor: pointer; color: var(--body-text-color-subdued); }
.pqa-passage { white-space: pre-wrap; margin: 0.4rem 0 0; line-height: 1.45; }
.pqa-passage mark { background: #fde68a; color: inherit; }
.pqa-evidence { display: block; max-width: 100%; margin-top: 0.4rem; border: 1px solid
  var(--border-color-primary); }
.pqa-note { color: var(--body-text-color-subdued); font-size: 0.85rem; }
.pqa-refusal { border-left: 4px solid #f59e0b; padding-left: 0.7rem; }
.pqa-error { border-left: 4px solid #dc2626; padding-left: 0.7rem; }
"""

# On a screen 768 px wide or less Gradio draws an open sidebar over the whole page, so a phone
# would open on the settings: there the sidebar starts closed (its toggle still opens it).
NARROW_SCREEN_JS = """
() => {
  if (window.innerWidth > 768) return;
  const close = () => {
    const toggle = document.querySelector('.sidebar.open .toggle-button');
    if (toggle) toggle.click();
    return Boolean(toggle) || Boolean(document.querySelector('.sidebar'));
  };
  if (close()) return;
  const timer = setInterval(() => { if (close()) clearInterval(timer); }, 100);
  setTimeout(() => clearInterval(timer), 10000);
}
"""


def launch(settings: Settings, listeners: list[socket.socket]) -> None:
    """Serve the app on ``listeners``, the sockets ``paperqa.cli.listen_on`` opened on
    ``settings.host:settings.port``, until interrupted."""
    import uvicorn

    app = build_app(settings)
    engines: EnginePool | None = getattr(app.state, "engines", None)
    if engines is not None:
        # Load the default model now, not on the first question.
        threading.Thread(target=engines.warm_up, daemon=True).start()
    host = f"[{settings.host}]" if ":" in settings.host else settings.host  # an IPv6 address
    print(
        f"paperqa: serving on http://{host}:{settings.port}; loading the model "
        "(a line says when it is ready to answer)",
        flush=True,
    )
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
    )
    logging.getLogger("uvicorn.error").addFilter(_not_a_cancelled_task)
    with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C during shutdown
        _server_class()(config).run(sockets=listeners)
    # A generation still running in a worker thread would keep the process alive until it
    # ends: give it the same grace, then leave.
    exit_timer = threading.Timer(SHUTDOWN_GRACE_S, os._exit, args=(0,))
    exit_timer.daemon = True
    exit_timer.start()


def _not_a_cancelled_task(record: logging.LogRecord) -> bool:
    """Drops the traceback of the app's lifespan task, cancelled when SIGTERM or Ctrl-C stops the
    server at once (``_server_class``): an orderly exit, which starlette reports to uvicorn as a
    failed shutdown."""
    if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
        return False
    return not str(record.msg).rstrip().endswith("CancelledError")


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, but SIGTERM/Ctrl-C stop it at once.

        An open browser tab holds a heartbeat stream open; uvicorn's graceful shutdown would
        wait for the user to close it, so the app seemed to ignore SIGTERM.
        """

        def handle_exit(self, sig: int, frame: Any) -> None:
            super().handle_exit(sig, frame)
            self.force_exit = True

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            """Stop on SIGINT/SIGTERM without re-raising the signal once stopped.

            uvicorn re-raises it after shutdown, which turned Ctrl-C into a traceback and
            exit status 1.
            """
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            stop_signals = (signal.SIGINT, signal.SIGTERM)
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in stop_signals}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server


def build_app(settings: Settings) -> FastAPI:
    """The FastAPI app: the PDF route, then the Gradio UI (with its queue) mounted at ``/``."""
    app = FastAPI(title="paperqa")
    _refuse_unused_routes(app)
    try:
        store: IndexStore | None = IndexStore.load(settings.index_dir)
        problem = None
    except (IndexMissingError, IndexMismatchError) as exc:
        store, problem = None, str(exc)
    engines = EnginePool(settings) if store is not None else None
    app.state.engines = engines

    def current_store() -> IndexStore | None:
        """The live index (a rebuild is picked up without a restart)."""
        if engines is None:
            return store
        try:
            return engines.get().store
        except PaperQAError:  # the new build is unusable: keep serving the one loaded
            return store

    def current_documents() -> dict[str, dict[str, Any]]:
        live = current_store()
        return live.documents if live is not None else {}

    @app.get("/pdf/{doc_id}", response_model=None)
    def source_file(doc_id: str) -> FileResponse | PlainTextResponse:
        """The ingested file of ``doc_id``: PDFs inline, HTML/Markdown as plain text."""
        live = current_store()
        meta = live.documents.get(doc_id) if live is not None else None
        path = _servable(meta, live.meta.get("source") if live is not None else None)
        if path is None:
            raise HTTPException(status_code=404, detail="no ingested document with that id")
        if meta is not None and meta.get("kind") == "pdf":
            return FileResponse(path, media_type="application/pdf")
        return PlainTextResponse(path.read_text("utf-8", errors="replace"))

    from paperqa.evidence import evidence_router
    from paperqa.openai_api import openai_router

    app.include_router(evidence_router(lambda doc_id: _pdf_file(current_store(), doc_id)))
    app.include_router(openai_router(engines, lambda: installed_models(settings), problem or ""))

    @app.get("/healthz")
    def health() -> dict[str, Any]:
        """For scripts and tests: is there an index, and is the default model loaded?"""
        return {
            "index": store is not None,
            "documents": len(current_documents()),
            "model_ready": engines is not None and engines.ready,
        }

    if store is None or engines is None:
        blocks = _no_index_blocks(settings, problem or "")
    else:
        blocks = _chat_blocks(settings, store, engines)
    return _mounted(app, blocks)


def _mounted(app: FastAPI, blocks: gr.Blocks) -> FastAPI:
    """``app`` with ``blocks``, queued, at ``/``, in the page's theme, style and script."""
    blocks.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_MAX)
    return gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        theme=gr.themes.Soft(),
        css=CSS,
        js=NARROW_SCREEN_JS,
        footer_links=["api"],
    )


# Gradio routes this app never needs: file uploads (and their progress), audio recordings,
# the URL proxy, the dev-mode reloader, run history and the "vibe" code editor.
_UNUSED_ROUTE_RE = re.compile(
    r"/(?:upload|upload_progress|process_recording|dev/reload|run-history)(?:/|$)"
    r"|/proxy=|/(?:undo-)?vibe-",
    re.IGNORECASE,
)


def _refuse_unused_routes(app: FastAPI) -> None:
    """Answers 404 on the routes above, however the path is spelled (case, slashes, encoding)."""
    from urllib.parse import unquote

    from fastapi.responses import JSONResponse

    @app.middleware("http")
    async def refuse(request: Any, call_next: Any) -> Any:
        path = re.sub(r"/+", "/", unquote(unquote(request.url.path)))
        if _UNUSED_ROUTE_RE.search(path):
            return JSONResponse({"detail": "not available"}, status_code=404)
        return await call_next(request)


def _pdf_file(store: IndexStore | None, doc_id: str) -> Path | None:
    """The servable file of ``doc_id`` if it is an ingested PDF (for the evidence route)."""
    meta = store.documents.get(doc_id) if store is not None else None
    if meta is None or meta.get("kind") != "pdf":
        return None
    return _servable(meta, store.meta.get("source") if store is not None else None)


def _servable(meta: dict[str, Any] | None, source: str | None) -> Path | None:
    """The file of an ingested document, if it is a regular file inside the source folder."""
    if not meta or not meta.get("path"):
        return None
    try:
        path = Path(meta["path"]).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if source and not path.is_relative_to(Path(source).resolve()):
        return None  # e.g. a link to /etc/passwd ingested by an older paperqa
    return path if path.is_file() else None


def history_pairs(history: Any) -> list[tuple[str, str]]:
    """Earlier turns as (question, answer) pairs; QuestionError unless that is what was sent."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)) or len(history) > MAX_HISTORY_TURNS:
        raise QuestionError(
            f"history must be a list of at most {MAX_HISTORY_TURNS} [question, answer] pairs"
        )
    pairs = []
    for turn in history:
        if (
            not isinstance(turn, (list, tuple))
            or len(turn) != 2
            or not all(isinstance(text, str) for text in turn)
        ):
            raise QuestionError("history must be a list of [question, answer] pairs of text")
        pairs.append((turn[0], turn[1]))
    return pairs


def _paper_list(papers: Any) -> list[str] | None:
    if papers is None or papers == []:
        return None
    if isinstance(papers, str):
        return [papers]
    if not isinstance(papers, (list, tuple)) or not all(isinstance(p, str) for p in papers):
        raise QuestionError("papers must be a list of paper ids or title words")
    return list(papers)


# --- UI -------------------------------------------------------------------------------------


def _no_index_blocks(settings: Settings, problem: str) -> gr.Blocks:
    with gr.Blocks(title="paperqa", analytics_enabled=False) as blocks:
        gr.Markdown("# paperqa")
        gr.Markdown(
            f"""## No index to answer from yet

{html.escape(problem)}

Build one, then restart this app:

```
paperqa fetch --dest papers      # or use your own folder of PDFs, HTML and Markdown
paperqa ingest --source papers --index-dir {settings.index_dir}
paperqa serve --index-dir {settings.index_dir}
```
""",
            elem_id="pqa-no-index",
        )
    return blocks


def _chat_blocks(settings: Settings, store: IndexStore, engines: EnginePool) -> gr.Blocks:
    from paperqa.ingest.summary import papers_table

    rows = papers_table(settings.index_dir)
    indexed = {r["id"] for r in rows if r["indexed"]}
    with gr.Blocks(title="paperqa", analytics_enabled=False) as blocks:
        history = gr.State([])  # per session: [(question, answer text), ...]
        controls, clear = _sidebar(settings, rows)
        gr.Markdown(
            f"# paperqa\nAsk Ilya Sutskever's reading list: {len(indexed)} documents, "
            f"{len(store.chunks):,} passages, answered by a local model. "
            "Every claim cites paper and page."
        )
        with gr.Tabs():
            with gr.Tab("Ask"):
                tab = _ask_tab()
            with gr.Tab("Reading list"):
                _reading_list_tab(rows)
        respond = _responder(engines, store, indexed)
        _wire_asking(settings, tab, history, controls, clear, respond)
        gr.api(_api_ask(settings, store, engines), api_name="ask", concurrency_id="answer")
    return blocks


def _wire_asking(
    settings: Settings,
    tab: _AskTab,
    history: gr.State,
    controls: list[Any],
    clear: gr.Button,
    respond: Any,
) -> None:
    """Enter and Ask take the question and lock the box until the answer ends; Stop, New
    conversation and the chat's clear button cancel a running answer."""
    asked = gr.State("")  # the question the running answer is for; "" when none was taken
    locks = [tab.question, tab.send, tab.stop]
    answers = []
    for trigger in (tab.question.submit, tab.send.click):
        answer = trigger(
            _question_taker(settings),
            [tab.question, tab.chat],
            [asked, tab.chat, tab.sources, *locks],
            queue=False,
            api_visibility="private",
        ).then(
            respond,
            [asked, tab.chat, history, *controls],
            [tab.chat, history, tab.sources],
            api_visibility="private",
            show_progress="minimal",
            concurrency_id="answer",
        )
        # After the answer, an error or a cancel (which runs this too).
        answer.then(_unlocked, None, locks, queue=False, api_visibility="private")
        answers.append(answer)
    tab.stop.click(
        _stopped,
        [tab.chat],
        [tab.chat, tab.sources, *locks],
        cancels=answers,
        queue=False,
        api_visibility="private",
    )
    for reset in (clear.click, tab.chat.clear):
        reset(
            lambda: ([], [], _idle_sources(), "", *_unlocked()),
            None,
            [tab.chat, history, tab.sources, tab.question, *locks],
            cancels=answers,
            queue=False,
            api_visibility="private",
        )


def _sidebar(settings: Settings, rows: list[dict[str, Any]]) -> tuple[list[Any], gr.Button]:
    """The settings sidebar: retriever, k, paper filter, model, backend; and the reset button."""
    paper_choices = [
        (f"{r['title']} ({r['year']})" + ("" if r["indexed"] else " — not indexed"), r["id"])
        for r in rows
    ]
    models = installed_models(settings)
    backends = installed_backends(settings)
    with gr.Sidebar(label="Settings", open=True, width=300):
        gr.Markdown("### Retrieval")
        retriever = gr.Radio(
            list(RETRIEVER_NAMES),
            value=settings.retriever,
            label="Retriever",
            info="learned = hybrid rescored by weights fitted on the dev questions; hybrid = "
            f"dense + BM25 ({settings.fusion} fusion); dense = embeddings; bm25 = word matches",
        )
        k = gr.Slider(1, 20, value=settings.k, step=1, label="Passages")
        papers = gr.Dropdown(
            paper_choices,
            value=[],
            multiselect=True,
            label="Only these papers",
            info="Empty: search all indexed papers.",
        )
        gr.Markdown("### Model", visible=len(models) > 1 or len(backends) > 1)
        model = gr.Dropdown(models, value=models[0], label="Model", visible=len(models) > 1)
        backend = gr.Dropdown(
            backends, value=backends[0], label="Backend", visible=len(backends) > 1
        )
        clear = gr.Button("New conversation", variant="secondary")
    return [retriever, k, papers, model, backend], clear


class _AskTab(NamedTuple):
    chat: gr.Chatbot
    question: gr.Textbox
    send: gr.Button
    stop: gr.Button
    sources: gr.HTML


def _ask_tab() -> _AskTab:
    chat = gr.Chatbot(
        label="Conversation",
        height=460,
        elem_id="pqa-chat",
        buttons=["copy"],
        feedback_options=None,
        placeholder="Ask about the papers, e.g. *What does the transformer replace "
        "recurrence with?* Follow-up questions use the conversation.",
    )
    with gr.Row():
        # No max_length: the browser would cut a long paste silently; the question's length is
        # checked when it is sent (``_question_taker``), with the error the CLI and API give.
        question = gr.Textbox(
            placeholder="Your question about the papers… (Enter to send)",
            show_label=False,
            scale=8,
            elem_id="pqa-question",
            autofocus=True,
        )
        send = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="pqa-ask")
        stop = gr.Button(
            "Stop", variant="stop", scale=1, min_width=80, visible=False, elem_id="pqa-stop"
        )
    sources = gr.HTML(_idle_sources(), elem_id="pqa-sources")
    return _AskTab(chat, question, send, stop, sources)


def _reading_list_tab(rows: list[dict[str, Any]]) -> None:
    gr.Markdown(_reading_list_summary(rows))
    gr.Dataframe(
        _reading_list_frame(rows),
        headers=["Paper", "Year", "Indexed", "Pages", "Chunks", "Text quality"],
        interactive=False,
        wrap=True,
        max_height=720,
        column_widths=["50%", "8%", "9%", "8%", "9%", "16%"],
        elem_id="pqa-papers",
    )


STOPPED_TEXT = "**Stopped** before the answer was finished."


def _question_taker(settings: Settings):
    """The first step of asking, not queued, so a waiting user sees the question was taken: it
    shows the question and locks the box and Ask until the answer ends. An empty box changes
    nothing; a question ``check_question`` refuses (too long, no words) is not sent, and the
    panel under the chat says why in the line the CLI and the API give."""

    def take(text: Any, messages: ChatMessages) -> tuple[Any, ...]:
        text = message_text(text)
        if not text.strip():
            return "", *[gr.skip()] * 5
        try:
            question = settings.check_question(text)
        except QuestionError as exc:
            return "", gr.skip(), _error_html(str(exc)), gr.skip(), gr.skip(), gr.skip()
        return (
            question,
            [*(messages or []), {"role": "user", "content": question}],
            _status_html("Waiting for the model…"),
            gr.update(value="", interactive=False),
            gr.update(interactive=False),
            gr.update(visible=True),
        )

    return take


def _unlocked() -> tuple[Any, Any, Any]:
    """The question box and Ask usable again, Stop hidden (after an answer, an error, a stop)."""
    return gr.update(interactive=True), gr.update(interactive=True), gr.update(visible=False)


def _stopped(messages: ChatMessages) -> tuple[Any, ...]:
    """What Stop leaves: the question, answered by a note instead of a half-written answer. The
    conversation history, written only when an answer is finished, keeps no turn for it."""
    messages = list(messages or [])
    if messages and messages[-1].get("role") == "assistant":
        messages = messages[:-1]  # the half-written answer
    if messages and messages[-1].get("role") == "user":
        messages.append({"role": "assistant", "content": STOPPED_TEXT})
    panel = _status_html("Stopped: no sources for an unfinished answer.", state="stopped")
    return messages, panel, *_unlocked()


def _check_choice(what: str, value: str, offered: list[str]) -> None:
    """Refuses a value the page never offered (a crafted call could name any local file)."""
    if value not in offered:
        raise PaperQAError(f"unknown {what} {value!r}; choose one of {', '.join(offered)}")


def _responder(engines: EnginePool, store: IndexStore, indexed: set[str]):
    """The streaming handler that answers the question ``_question_taker`` took."""

    def respond(
        question: str,
        messages: ChatMessages,
        turns: History,
        retriever_name: str,
        n: float,
        chosen: list[str],
        model_name: str,
        backend_name: str,
    ) -> Iterator[tuple[Any, ...]]:
        if not question:  # an empty box: leave the page as it is (no yield would blank it)
            yield gr.skip(), gr.skip(), gr.skip()
            return
        wanted = [p for p in chosen or [] if p in indexed]
        reply = [*messages, {"role": "assistant", "content": ""}]
        try:
            if chosen and not wanted:
                raise PaperQAError("None of the chosen papers is indexed; clear the paper filter.")
            _check_choice("model", model_name, installed_models(engines.settings))
            _check_choice("backend", backend_name, installed_backends(engines.settings))
            engine = engines.get(model_name, backend_name)
            if not engine.model_loaded:  # `serve` is still loading it, or it is loaded now
                yield gr.skip(), gr.skip(), _status_html("Loading the model…")
                _ = engine.llm  # loads it, or waits for the warm-up loading it
            yield gr.skip(), gr.skip(), _status_html("Searching the papers…")
            checked = engine.settings.updated(retriever=retriever_name, k=n)
            stream = engine.stream(
                question,
                history=turns,
                retriever=checked.retriever,
                k=checked.k,
                papers=wanted or None,
            )
            answer = None
            for item in stream:
                if isinstance(item, str):
                    first = not reply[-1]["content"]
                    reply[-1]["content"] += item
                    yield reply, turns, _status_html("Writing the answer…") if first else gr.skip()
                else:
                    answer = item
        except PaperQAError as exc:
            reply[-1]["content"] = f"⚠️ {exc}"
            yield reply, turns, _error_html(str(exc))
            return
        assert answer is not None, "QAEngine.stream ended without an Answer"
        reply[-1]["content"] = answer_markdown(answer)
        documents = engine.store.documents
        yield reply, [*turns, (question, answer.answer)], sources_html(answer, documents)

    return respond


def _api_ask(settings: Settings, store: IndexStore, engines: EnginePool):
    """The ``/ask`` API endpoint: the answer JSON, as ``paperqa ask --json`` prints it."""

    def ask(
        question: str,
        retriever: str = settings.retriever,
        k: int = settings.k,
        papers: list[str] | None = None,
        history: list[list[str]] | None = None,
    ) -> dict:
        """Answer a question from the papers; returns the answer JSON (as `paperqa ask --json`).

        papers: ids, title words or names (an author) to search only those papers; history: earlier
        [question, answer] pairs of the conversation.
        """
        from paperqa.retrieve.filters import resolve_papers

        try:
            question = settings.check_question(question)
            checked = settings.updated(retriever=retriever or settings.retriever, k=k)
            turns = history_pairs(history)
            engine = engines.get()
            docs = resolve_papers(_paper_list(papers), engine.store)
            result = engine.ask(
                question, history=turns, retriever=checked.retriever, k=checked.k, papers=docs
            )
        except PaperQAError as exc:
            raise gr.Error(str(exc), print_exception=False) from exc  # the caller reads it
        return result.to_dict()

    return ask


# --- Rendering ------------------------------------------------------------------------------


def pdf_link(doc: str, page: int | None, kind: str | None) -> str:
    """URL of the app's route serving the document, at ``page`` for PDFs."""
    return f"/pdf/{doc}#page={page}" if kind == "pdf" and page else f"/pdf/{doc}"


def answer_markdown(answer: Answer) -> str:
    """The chat bubble of a finished answer: the text, or a marked refusal, and timings."""
    timing = answer.timings
    writer = f"{answer.model} ({answer.backend})" if answer.model else "no model needed"
    foot = (
        f"\n\n<sub>{writer} · first token "
        f"{timing.get('first_token_s', 0):.1f} s · total {timing.get('total_s', 0):.1f} s</sub>"
    )
    if answer.refused and not answer.passages:  # nothing searched, no model run (a paper the
        return f"**Not answered by the papers.** {answer.answer}"  # index lacks)
    if answer.refused:
        return (
            f"**Not answered by the papers.** {answer.answer}\n\n"
            "The closest passages are listed below the chat." + foot
        )
    cited = "; ".join(c.label for c in answer.citations)
    return answer.answer + (f"\n\n**Sources:** {cited}" if cited else "") + foot


def sources_html(answer: Answer, documents: dict[str, dict[str, Any]]) -> str:
    """The sources panel: each citation with its quote and passage, then the other passages.

    ``documents`` is the index metadata (``IndexStore.documents``): year and file kind per id.
    """
    by_chunk = {p.chunk.id: p for p in answer.passages}
    parts: list[str] = []
    if answer.standalone_question and answer.standalone_question != answer.question:
        searched = html.escape(answer.standalone_question)
        parts.append(f"<p class='pqa-note pqa-searched'>Follow-up searched as: “{searched}”</p>")
    if answer.refused and not answer.passages:
        parts.append("<h3 class='pqa-refusal'>No answer in the papers.</h3>")
    elif answer.refused:
        parts.append(
            "<h3 class='pqa-refusal'>No answer in the papers. The closest passages "
            "(none of them answers the question):</h3>"
        )
        parts += [_card(p.chunk, documents, None, None) for p in answer.passages]
    else:
        parts.append(f"<h3>Sources ({len(answer.citations)})</h3>")
        if not answer.citations:
            parts.append("<p class='pqa-note'>The answer cites no passage.</p>")
        for c in answer.citations:
            passage = by_chunk.get(c.chunk_id)
            chunk = passage.chunk if passage is not None else None
            parts.append(_card(chunk, documents, c.marker, c.quote, c))
        cited = {c.chunk_id for c in answer.citations}
        others = [p for p in answer.passages if p.chunk.id not in cited]
        if others:
            cards = "".join(_card(p.chunk, documents, None, None) for p in others)
            parts.append(
                f"<details class='pqa-others'><summary>Other retrieved passages "
                f"({len(others)})</summary>{cards}</details>"
            )
    return f"<div class='pqa-sources' data-state='done'>{''.join(parts)}</div>"


def _card(
    chunk: Chunk | None,
    documents: dict[str, dict[str, Any]],
    marker: int | None,
    quote: str | None,
    citation: Citation | None = None,
) -> str:
    """One source: title, year, pages, link to the page, the quote and the passage in context."""
    doc = citation.doc if citation is not None else chunk.doc if chunk is not None else ""
    meta = documents.get(doc, {})
    title = citation.title if citation is not None else chunk.title if chunk is not None else doc
    year = citation.year if citation is not None else meta.get("year")
    pages = citation.pages if citation is not None else chunk.pages if chunk is not None else ""
    kind = meta.get("kind")
    page = _source_page(chunk, pages, meta.get("path") if kind == "pdf" else None, quote)
    label = f"open PDF at p. {page}" if kind == "pdf" else "open source file"
    head = (
        (f"<span class='pqa-marker'>[{marker}]</span>" if marker is not None else "")
        + f"<b>{html.escape(title)}</b>"
        + f"<span class='pqa-meta'>{f'({year}) · ' if year else ''}p. {html.escape(pages)}</span>"
        + f"<a href='{pdf_link(doc, page, kind)}' target='_blank' class='pqa-open'>{label} ↗</a>"
    )
    body = f"<blockquote class='pqa-quote'>“{html.escape(quote)}”</blockquote>" if quote else ""
    if chunk is not None:
        section = f" · {html.escape(chunk.section)}" if chunk.section else ""
        body += (
            f"<details><summary>Passage in context (p. {chunk.pages}{section})</summary>"
            f"<p class='pqa-passage'>{_highlight(chunk.text, quote)}</p></details>"
        )
    if kind == "pdf" and page and quote:
        body += _evidence_html(doc, page, quote)
    return (
        f"<div class='pqa-source' data-doc='{html.escape(doc)}'>"
        f"<div class='pqa-head'>{head}</div>{body}</div>"
    )


def _source_page(
    chunk: Chunk | None, pages: str, pdf_path: str | None, quote: str | None
) -> int | None:
    """The page a source card links to and shows: the one its quote is on, where the passage
    spans a page break and the PDF can tell; else the first of the cited pages."""
    page = _first_page(pages) or (chunk.page_start if chunk is not None else None)
    if pdf_path and quote and chunk is not None and chunk.page_end > chunk.page_start:
        from paperqa.evidence import quote_page

        page = quote_page(pdf_path, chunk.page_start, chunk.page_end, quote)
    return page


def _evidence_html(doc: str, page: int, quote: str) -> str:
    """The cited page as an image with the quote highlighted, loaded when the reader opens it."""
    from paperqa.evidence import evidence_url

    src = html.escape(evidence_url(doc, page, quote))
    return (
        f"<details class='pqa-page'><summary>Page {page} with the quote highlighted</summary>"
        f"<img class='pqa-evidence' src='{src}' loading='lazy' "
        f"alt='Page {page} of {html.escape(doc)}, the quoted text highlighted'></details>"
    )


def _first_page(pages: str) -> int | None:
    head = pages.split("-")[0].strip()
    return int(head) if head.isdigit() else None


def _highlight(text: str, quote: str | None) -> str:
    """The passage, HTML-escaped, with the quoted sentence marked where it occurs verbatim."""
    escaped = html.escape(text)
    if quote:
        q = html.escape(quote.strip())
        if q and q in escaped:
            return escaped.replace(q, f"<mark>{q}</mark>", 1)
    return escaped


def _status_html(text: str, state: str = "working") -> str:
    return f"<div class='pqa-sources' data-state='{state}'><p class='pqa-note'>{text}</p></div>"


def _error_html(text: str) -> str:
    return f"<div class='pqa-sources pqa-error' data-state='error'><p>{html.escape(text)}</p></div>"


def _idle_sources() -> str:
    return (
        "<div class='pqa-sources' data-state='idle'><p class='pqa-note'>Sources of the answer "
        "appear here: quoted sentence, passage in context and a link to the page.</p></div>"
    )


def _reading_list_summary(rows: list[dict[str, Any]]) -> str:
    from paperqa.readinglist import papers_by_id

    listed = papers_by_id()
    indexed = [r for r in rows if r["indexed"]]
    missing = [r["title"] for r in rows if not r["indexed"]]
    flagged = [r for r in indexed if r["quality"] != "ok"]
    on_list = sum(1 for r in indexed if r["id"] in listed)
    others = [r["title"] for r in indexed if r["id"] not in listed]
    text = f"**{on_list} of the {len(listed)} reading-list papers indexed**"
    text += f", and {len(others)} other document(s): {'; '.join(others)}." if others else "."
    if missing:
        text += " Not indexed: " + "; ".join(missing) + "."
    if flagged:
        text += "\n\nText-quality flags: " + "; ".join(
            f"*{r['title']}*: {r['quality']}"
            + (f" ({r['quality_note']})" if r["quality_note"] else "")
            for r in flagged
        )
    return text


def _reading_list_frame(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            r["title"],
            r["year"] or "",
            "yes" if r["indexed"] else "no",
            r["pages"] if r["pages"] is not None else "",
            r["chunks"] if r["chunks"] is not None else "",
            r["status"] if r["indexed"] else "—",
        ]
        for r in rows
    ]
