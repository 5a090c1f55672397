"""The `paperqa` command: a thin layer over the library, options built from `Settings`.

Heavy libraries (torch, sentence-transformers, the LLM runtimes) are imported inside the commands
that need them, so `paperqa search --retriever bm25` starts fast.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sys
import textwrap
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from paperqa.errors import PaperQAError, QuestionFileError, SettingsError
from paperqa.files import report_dir, write_atomic
from paperqa.serving import EnginePool
from paperqa.settings import Settings, env_var

if TYPE_CHECKING:
    from collections.abc import Iterator

    from paperqa.generate.answer import Answer, QAEngine

# Connections the app's socket queues while it starts (uvicorn's default backlog).
LISTEN_BACKLOG = 2048

# Plain click help: typer's rich panels print a type column that reads `<bool>` for every flag.
app = typer.Typer(
    help="Ask questions of Ilya Sutskever's reading list; every answer cites paper and page.\n\n"
    "Start with `paperqa ingest --source DIR` (DIR: the papers, e.g. from `paperqa fetch`), then "
    '`paperqa ask "..."` or `paperqa serve` for the chat app.',
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"max_content_width": 120},
)
eval_app = typer.Typer(
    help="Measure retrieval and answer quality on a question set.", rich_markup_mode=None
)
app.add_typer(eval_app, name="eval")


def _describe(field: str) -> str:
    """The settings field's description, with its default and environment variable."""
    info = Settings.model_fields[field]
    default = "" if info.default_factory or info.default is None else f"default {info.default}; "
    return f"{info.description} ({default}env {env_var(field)})"


def _settings(**overrides: Any) -> Settings:
    """Settings from the environment, with the CLI flags that were given on top (validated)."""
    return Settings.load(**{k: v for k, v in overrides.items() if v is not None})


def _split_list(value: str | None) -> list[str] | None:
    """A comma-separated option as a list (None when not given; an error when it names nothing,
    so that `--papers ,` does not quietly mean every paper)."""
    if value is None:
        return None
    items = [p.strip() for p in value.split(",") if p.strip()]
    if not items:
        raise PaperQAError(f"the list {value!r} names nothing; give comma-separated names")
    return items


IndexDir = Annotated[Path | None, typer.Option(help=_describe("index_dir"))]
RetrieverOpt = Annotated[str | None, typer.Option("--retriever", "-r", help=_describe("retriever"))]
KOpt = Annotated[int | None, typer.Option("-k", help=_describe("k"))]
WordsOpt = Annotated[int | None, typer.Option(help=_describe("passage_words"))]
PapersOpt = Annotated[
    str | None,
    typer.Option(
        help=(
            "Only these papers: comma-separated ids, title words or names (an author, "
            '"AlexNet"); see `paperqa papers`.'
        )
    ),
]
ModelOpt = Annotated[str | None, typer.Option(help=_describe("model"))]
BackendOpt = Annotated[str | None, typer.Option(help=_describe("backend"))]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
QuestionsOpt = Annotated[
    Path | None,
    typer.Option(
        help="Question file (JSONL); default: the dev set, ../shared/eval/questions.dev.jsonl "
        "beside the current folder or the project."
    ),
]
LimitOpt = Annotated[
    int | None, typer.Option(min=1, metavar="N", help="Only the first N questions.")
]


def _out_option(writes: str) -> Any:
    """The ``--out DIR`` option of a command that writes ``writes`` there."""
    return typer.Option(metavar="DIR", help=f"Also write {writes} in this folder.")


@app.command(short_help="Download the reading list into --dest (resumable).")
def fetch(
    dest: Annotated[
        Path | None,
        typer.Option(
            help="Folder the papers are downloaded into, for `paperqa ingest --source` to read "
            "(default papers; env PAPERQA_SOURCE_DIR)."
        ),
    ] = None,
    papers: PapersOpt = None,
) -> None:
    """Download the reading list (arXiv and the authors' pages) into --dest; resumable."""
    from paperqa.fetch import fetch_reading_list

    settings = _settings(source_dir=dest)
    report = fetch_reading_list(settings.source_dir, _split_list(papers))
    typer.echo(report.summary())
    if report.failed:
        raise typer.Exit(1)


@app.command(short_help="Parse, chunk and embed --source into the indexes.")
def ingest(
    source: Annotated[Path | None, typer.Option(help=_describe("source_dir"))] = None,
    index_dir: IndexDir = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Start over instead of updating.")
    ] = False,
    embedder: Annotated[str | None, typer.Option(help=_describe("embedder"))] = None,
    chunk_tokens: Annotated[int | None, typer.Option(help=_describe("chunk_tokens"))] = None,
    chunk_overlap: Annotated[int | None, typer.Option(help=_describe("chunk_overlap"))] = None,
    vector_cache: Annotated[
        bool | None,
        typer.Option("--vector-cache/--no-vector-cache", help=_describe("vector_cache")),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bars.")] = False,
) -> None:
    """Parse, chunk and embed the papers in --source into the dense and BM25 indexes.

    Only new or changed files are processed; removed files are dropped. Exits non-zero when
    no document could be indexed.
    """
    from paperqa.ingest.pipeline import ingest as run_ingest
    from paperqa.ingest.summary import print_summary

    settings = _settings(
        source_dir=source,
        index_dir=index_dir,
        embedder=embedder,
        chunk_tokens=chunk_tokens,
        chunk_overlap=chunk_overlap,
        vector_cache=vector_cache,
    )
    report = run_ingest(settings.source_dir, settings, rebuild=rebuild, progress=not quiet)
    print_summary(report)
    if not report.documents:
        raise typer.Exit(1)


@app.command(short_help="Show the passages ranked highest for QUERY (no LLM).")
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    retriever: RetrieverOpt = None,
    k: KOpt = None,
    passage_words: WordsOpt = None,
    papers: PapersOpt = None,
    index_dir: IndexDir = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the passages retrieval ranks highest for QUERY (no LLM)."""
    from paperqa.retrieve import IndexStore, load_retriever
    from paperqa.retrieve.filters import resolve_papers
    from paperqa.text import display_text

    settings = _settings(retriever=retriever, k=k, passage_words=passage_words, index_dir=index_dir)
    query = settings.check_question(query, "query")
    store = IndexStore.load(settings.index_dir)
    docs = resolve_papers(_split_list(papers), store)
    passages = load_retriever(settings, store=store).search(query, settings.k, docs)
    if as_json:
        typer.echo(json.dumps([p.to_dict() for p in passages], ensure_ascii=False, indent=1))
        return
    if not passages:
        typer.echo("No passage matches.")
    for p in passages:
        year = store.documents.get(p.doc, {}).get("year")
        head = f"{p.chunk.title} ({year})" if year else p.chunk.title
        shown = p.matched  # the snippet is the part that matched; --json gives the whole passage
        typer.echo(f"{p.rank}. {head}, p. {shown.pages}  [{p.doc}, score {p.score:.4f}]")
        text = display_text(shown.text)  # PDF glyphs with no readable character dropped
        snippet = text if len(text) <= 300 else text[:300].rsplit(" ", 1)[0] + " ..."
        typer.echo(f"   {snippet}\n")


@app.command(short_help="Answer QUESTION from the papers, citing paper and page.")
def ask(
    question: Annotated[str, typer.Argument(help="Your question about the papers.")],
    retriever: RetrieverOpt = None,
    k: KOpt = None,
    passage_words: WordsOpt = None,
    papers: PapersOpt = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
    index_dir: IndexDir = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer QUESTION from the papers with a local LLM; every sentence cites paper and page."""
    settings = _settings(
        retriever=retriever,
        k=k,
        passage_words=passage_words,
        model=model,
        backend=backend,
        index_dir=index_dir,
    )
    status = Status()
    try:
        engine, docs = _ready_engine(EnginePool(settings), papers, status, question)
        answer = _answer(engine, question, docs, status)
    finally:
        status.clear()
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
    else:
        typer.echo(_answer_text(answer))
    _exit_now()


# Earlier turns a chat passes on: follow-ups are resolved against the last question.
CHAT_TURNS = 10


@app.command(short_help="Ask question after question, the model loaded once.")
def chat(
    retriever: RetrieverOpt = None,
    k: KOpt = None,
    passage_words: WordsOpt = None,
    papers: PapersOpt = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
    index_dir: IndexDir = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print each answer as one line of JSON (JSON Lines); a question it cannot take "
            'gets {"question", "error"} instead.',
        ),
    ] = False,
) -> None:
    """Ask question after question in the shell, the model loaded once (one per line on stdin).

    A follow-up ("How deep was it?") is read against the previous question, and the chat says
    how it read it. Ctrl-C stops the answer being written; an empty line is skipped; `exit`,
    `quit` or Ctrl-D ends the chat.
    """
    from paperqa.errors import QuestionError

    settings = _settings(
        retriever=retriever,
        k=k,
        passage_words=passage_words,
        model=model,
        backend=backend,
        index_dir=index_dir,
    )
    status = Status()
    engines = EnginePool(settings)
    try:
        engine, docs = _ready_engine(engines, papers, status)
    finally:
        status.clear()
    if sys.stdin.isatty():
        typer.echo("Ready: ask a question (Ctrl-D or `exit` to end).", err=True)
    turns: list[tuple[str, str]] = []
    for question in _typed_questions():
        current = engines.get()
        if current is not engine:  # the index was rebuilt: used from this question on
            engine, docs = current, _papers_in(current, papers)
        try:
            answer = _answer(engine, question, docs, status, turns[-CHAT_TURNS:])
        except (QuestionError, KeyboardInterrupt) as exc:
            _chat_error(question, exc, as_json)
            continue
        _print_chat_answer(answer, as_json)
        turns.append((question, answer.answer))
    _exit_now()


def _print_chat_answer(answer: Answer, as_json: bool) -> None:
    """One answer of the chat: a line of JSON, or the text with how a follow-up was read."""
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    if answer.standalone_question != answer.question:  # a follow-up, read as
        typer.echo(f"(read as: {answer.standalone_question})")
    typer.echo(_answer_text(answer) + "\n")


def _chat_error(question: str, exc: BaseException, as_json: bool) -> None:
    """A question the chat did not answer: its error on stderr, and with ``--json`` a line of
    JSON in the answer's place, so that a script's n-th question still gets the n-th line."""
    if isinstance(exc, KeyboardInterrupt):
        message = "answer stopped"
        typer.echo(f"({message})", err=True)
    else:
        message = " ".join(str(exc).split())
        _say_error(exc)
    if as_json:
        typer.echo(json.dumps({"question": question, "error": message}, ensure_ascii=False))


def _typed_questions() -> Iterator[str]:
    """Lines of stdin, stripped, until end of input, `exit` or `quit`; a prompt on a terminal."""
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input("? ") if interactive else sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            return
        if not line and not interactive:
            return
        text = line.strip()
        if text.lower() in {"exit", "quit"}:
            return
        if text:
            yield text


def _ready_engine(
    engines: EnginePool, papers: str | None, status: Status, question: str | None = None
) -> tuple[QAEngine, list[str] | None]:
    """The engines' default engine with its model loaded and warm, and the papers to search
    (None: all); for a question the gates will likely refuse, the model is left to them."""
    status.show("Loading the index…")
    engine = engines.get()
    docs = _papers_in(engine, papers)
    if question is not None:  # a bad question fails now, not after the model loads
        engine.settings.check_question(question)
        if engine.answered_without_model(question):
            return engine, docs
        if engine.unknown_names(question):
            # It names something no passage mentions: the gates refuse it unless a passage is
            # very close (on dev: 12 of 13 unanswerable questions, no answerable one), so the
            # model is loaded only if they let it through; any other keeps loading it meanwhile.
            engine.warm_up(on_model_load=partial(status.show, "Loading the model…"))
            return engine, docs
    status.show("Loading the model…")
    engine.warm_up()
    return engine, docs


def _papers_in(engine: QAEngine, papers: str | None) -> list[str] | None:
    """The ids of the engine's index that ``--papers`` names (None: all)."""
    from paperqa.retrieve.filters import resolve_papers

    return resolve_papers(_split_list(papers), engine.store)


def _answer(
    engine: QAEngine,
    question: str,
    docs: list[str] | None,
    status: Status,
    history: list[tuple[str, str]] | None = None,
) -> Answer:
    """The answer to ``question``, its progress on the status line."""
    answer: Answer | None = None
    words = 0
    status.show("Searching the papers…")
    try:
        # The answer is printed once, when done: code adds the citation markers after the model
        # has written it, so the streamed draft is only counted on the status line.
        for item in engine.stream(question, history=history, papers=docs):
            if isinstance(item, str):
                words += len(item.split())
                status.show(f"Writing the answer… {words} words")
            else:
                answer = item
    finally:
        status.clear()
    assert answer is not None
    return answer


def _exit_now() -> NoReturn:
    """Exit at once: Python's teardown of torch and transformers adds 1-2 s to every ``ask``, and
    nothing is left to write or release (the answer is printed, no file is open for writing)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


class Status:
    """One transient status line on stderr, when stderr is a terminal; each update replaces it."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.text = ""
        self._shown_at = 0.0

    def show(self, text: str) -> None:
        """Show ``text`` (updates of the same kind at most every 0.2 s)."""
        now = time.monotonic()
        same_kind = self.text.split("…")[0] == text.split("…")[0]
        if text == self.text or (same_kind and now - self._shown_at < 0.2):
            return
        self.text, self._shown_at = text, now
        if self.enabled:
            sys.stderr.write(f"\r\033[K{text}")
            sys.stderr.flush()

    def clear(self) -> None:
        if self.enabled and self.text:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
        self.text = ""


def _answer_text(answer: Answer) -> str:
    """The answer, then its sources (or closest passages) after a blank line, when it has any."""
    sources = _sources_text(answer)
    return f"{answer.answer}\n\n{sources}" if sources else answer.answer


def _sources_text(answer: Answer) -> str:
    """The numbered source list under an answer, or the closest passages under a refusal."""
    lines = []
    if answer.refused:
        if answer.passages:
            lines.append("Closest passages (they do not answer the question):")
        for p in answer.passages[:3]:
            lines.append(f"  - {p.chunk.title}, p. {p.chunk.pages}: {p.text[:160]}...")
        return "\n".join(lines)
    if not answer.citations:  # the collection listed from the index: nothing to cite
        return ""
    lines.append("Sources:")
    for c in answer.citations:
        lines.append(f"  {c.label}  [{c.doc}]")
        lines.append(f'      "{c.quote}"')
    return "\n".join(lines)


@app.command(short_help="List the reading list and what the index holds of it.")
def papers(index_dir: IndexDir = None, as_json: JsonOpt = False) -> None:
    """List the reading list and what the index holds of it (pages, chunks, text quality)."""
    from paperqa.ingest.summary import papers_table
    from paperqa.store import current_generation, no_index_error

    settings = _settings(index_dir=index_dir)
    rows = papers_table(settings.index_dir)
    if current_generation(settings.index_dir) is None:  # a mistyped --index-dir, say
        typer.echo(f"paperqa: note: {no_index_error(settings.index_dir)}", err=True)
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from rich.console import Console, Group
    from rich.table import Table
    from rich.text import Text

    # Each paper's id (what --papers takes) on its own line, never cut; its title folds below it.
    width = max((len(r["id"]) for r in rows), default=2)
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("id / title", min_width=width, max_width=width)
    for name in ("year", "pages", "chunks", "quality"):
        table.add_column(name, no_wrap=True)
    for row in rows:
        table.add_row(
            Group(
                Text(row["id"], style="bold", no_wrap=True, overflow="ignore"),
                Text(row["title"], style="dim"),
            ),
            str(row["year"] or ""),
            str(row["pages"] or "-"),
            str(row["chunks"] or "-"),
            row["status"],
        )
    Console().print(table)


@app.command("settings", short_help="List every setting: its value, variable and meaning.")
def show_settings(as_json: JsonOpt = False) -> None:
    """List every setting: its value now (from the environment), its variable and its meaning.

    An invalid variable is listed with its value as given and what is wrong with it, among the
    others; then the error every other command stops with, and exit status 2."""
    settings, invalid, error = Settings.load_listing()
    values = {**settings.model_dump(mode="json"), **{k: v for k, (v, _) in invalid.items()}}
    if values.get("openai_api_key") not in (None, "", "none"):
        values["openai_api_key"] = "(set)"
    if as_json:
        typer.echo(json.dumps(values, ensure_ascii=False, indent=1))
    else:
        for name, info in Settings.model_fields.items():
            mark = f"  INVALID: {invalid[name][1]}" if name in invalid else ""
            typer.echo(f"{name} = {values[name]!r}  ({env_var(name)}){mark}")
            wrapped = textwrap.wrap(info.description or "", 88, break_on_hyphens=False)
            typer.echo("".join(f"    {line}\n" for line in wrapped), nl=False)
    if error is not None:
        _say_error(error)
        raise typer.Exit(2)


@app.command(short_help="Start the chat app and OpenAI API on http://127.0.0.1:7860.")
def serve(
    host: Annotated[str | None, typer.Option(help=_describe("host"))] = None,
    port: Annotated[int | None, typer.Option(help=_describe("port"))] = None,
    index_dir: IndexDir = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
) -> None:
    """Start the chat app in the browser (default http://127.0.0.1:7860), with the
    OpenAI-compatible API under /v1. The model loads at start; the page also offers the other
    installed models."""
    settings = _settings(host=host, port=port, index_dir=index_dir, model=model, backend=backend)
    listeners = listen_on(settings.host, settings.port)
    try:
        from paperqa.app import launch

        launch(settings, listeners)
    finally:  # closed if the app fails to start too
        for listener in listeners:
            listener.close()


def listen_on(host: str, port: int) -> list[socket.socket]:
    """The app's listening sockets on ``host:port``, one per address the host names (as uvicorn
    would bind: ``localhost`` may name both 127.0.0.1 and ::1), opened before anything heavy
    loads; a one-line PaperQAError when they cannot be (port taken). Listening at once, not
    probing the port and binding later, means a second ``serve`` started together gets that
    error too."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise PaperQAError(f"cannot listen on {host!r}: {exc.strerror}; pass --host") from exc
    listeners: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(found):
            listeners.append(socket.socket(family, kind, proto))
            _listen(listeners[-1], address)
    except OSError as exc:
        for listener in listeners:
            listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise PaperQAError(
                f"port {port} on {host} is taken (another paperqa serve?); stop that "
                f"program or choose another port: --port {port + 1} (or PAPERQA_PORT)"
            ) from exc
        raise PaperQAError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    return listeners


def _listen(listener: socket.socket, address: tuple) -> None:
    """Bind ``listener`` to ``address`` and listen, with the options uvicorn would set."""
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if listener.family == socket.AF_INET6:  # else ::1 and 127.0.0.1 would clash on dual stacks
        listener.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    listener.bind(address)
    # Sockets with SO_REUSEADDR share a port until one of them listens: listen at once.
    listener.listen(LISTEN_BACKLOG)


@app.command(short_help="Serve search_papers and ask_papers to MCP clients (stdio).")
def mcp(
    index_dir: IndexDir = None,
    retriever: RetrieverOpt = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
) -> None:
    """Serve the papers to MCP clients over stdio: tools search_papers and ask_papers."""
    from paperqa.mcp_server import serve as serve_mcp

    serve_mcp(_settings(index_dir=index_dir, retriever=retriever, model=model, backend=backend))


@app.command(short_help="Measure ingest, retrieval, start-up and model speed.")
def bench(
    as_json: JsonOpt = False,
    out: Annotated[Path | None, _out_option("bench.json and bench.md")] = None,
    source: Annotated[
        Path | None,
        typer.Option(
            help="The papers whose full ingest is timed, into a fresh temporary index "
            "(default: the source_dir setting, papers; env PAPERQA_SOURCE_DIR)."
        ),
    ] = None,
    skip_ingest: Annotated[
        bool, typer.Option("--skip-ingest", help="Skip the full-ingest timing.")
    ] = False,
    skip_generation: Annotated[
        bool, typer.Option("--skip-generation", help="Skip the LLM timings.")
    ] = False,
    backends: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated backends to time, or all (the installed ones); default: the "
            "backend setting's, PAPERQA_BACKEND."
        ),
    ] = None,
    models: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated models to time (default: the model setting, PAPERQA_MODEL)."
        ),
    ] = None,
    repeats: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="N",
            help="Runs of each timing (no-change re-ingest, each retriever over the questions, "
            "each cold start); the figures are their medians.",
        ),
    ] = 3,
    index_dir: IndexDir = None,
) -> None:
    """Measure ingest, retrieval, start-up and generation speed on this machine."""
    from paperqa.bench import run_bench

    settings = _settings(index_dir=index_dir, source_dir=source)
    run_bench(
        settings,
        as_json=as_json,
        out=out,
        ingest=not skip_ingest,
        generation=not skip_generation,
        backends=_split_list(backends),
        models=_split_list(models),
        repeats=repeats,
    )


@eval_app.command("retrieval", short_help="Compare the retrievers: hit@k, MRR, nDCG, latency.")
def eval_retrieval(
    questions: QuestionsOpt = None,
    retrievers: Annotated[
        str,
        typer.Option(
            help="Comma-separated retrievers to compare, among bm25, dense, hybrid, learned and "
            "default: the one `ask` uses (the retriever setting, the papers a question names "
            "first)."
        ),
    ] = "bm25,dense,hybrid,default",
    passage_words: WordsOpt = None,
    index_dir: IndexDir = None,
    as_json: JsonOpt = False,
    out: Annotated[Path | None, _out_option("retrieval.json, .md and .png")] = None,
    misses: Annotated[bool, typer.Option("--misses", help="List each retriever's misses.")] = False,
) -> None:
    """Compare the retrievers: hit@k, MRR, nDCG, latency, overall and per question part."""
    from paperqa.retrieve import IndexStore, load_retriever
    from paperqa.retrieve.evaluate import (
        bar_chart,
        evaluate_retriever,
        is_answerable,
        load_questions,
        markdown_table,
    )

    settings = _settings(passage_words=passage_words, index_dir=index_dir)
    names = _retriever_names(retrievers)
    path = _questions_file(questions)
    out = report_dir(out)
    qs = load_questions(path)
    n = sum(1 for q in qs if is_answerable(q))
    if not n:
        raise QuestionFileError(f"no answerable question in {path} (with a paper and evidence)")
    store = IndexStore.load(settings.index_dir)
    results, details = {}, {}
    for name in names:
        # default: exactly what `ask` searches with; the others alone, as baselines
        chosen = None if name == "default" else name
        retriever = load_retriever(settings, chosen, store, named_first=name == "default")
        outcome = evaluate_retriever(retriever, qs, store.chunks, progress=not as_json)
        results[name], details[name] = outcome["metrics"], outcome["per_question"]
    payload = {"n_questions": n, "default": settings.retriever, "retrievers": results}
    table = markdown_table(results)
    if as_json:
        typer.echo(json.dumps(payload, indent=1))
    else:
        typer.echo(f"{n} answerable questions from {path}\n")
        typer.echo(table)
    if misses:
        for name, rows in details.items():
            missed = [r for r in rows if not r["hit@5"]]
            typer.echo(f"\n{name}: {len(missed)} questions without a hit in the top 5", err=as_json)
            for r in missed:
                typer.echo(f"  {r['id']} [{r['doc']}] {r['question']}", err=as_json)
                typer.echo(f"      got: {', '.join(r['top'])}", err=as_json)
    if out:
        write_atomic(out / "retrieval.json", json.dumps(payload, indent=1))
        write_atomic(out / "retrieval.md", table + "\n")
        write_atomic(out / "retrieval.png", bar_chart(results))


@eval_app.command("answers", short_help="Answer a question set: correctness, citations, refusals.")
def eval_answers(
    questions: QuestionsOpt = None,
    limit: LimitOpt = None,
    model: ModelOpt = None,
    backend: BackendOpt = None,
    retriever: RetrieverOpt = None,
    k: KOpt = None,
    passage_words: WordsOpt = None,
    index_dir: IndexDir = None,
    as_json: JsonOpt = False,
    out: Annotated[
        Path | None, _out_option("answers.json, each question's record included,")
    ] = None,
) -> None:
    """Answer a question set and report correctness, citation and refusal metrics, and timings."""
    from paperqa.generate.answer import QAEngine
    from paperqa.generate.evaluate import evaluate_answers
    from paperqa.retrieve.evaluate import load_questions

    settings = _settings(
        model=model,
        backend=backend,
        retriever=retriever,
        k=k,
        passage_words=passage_words,
        index_dir=index_dir,
    )
    qs = load_questions(_questions_file(questions))  # a bad file fails before the model loads
    out = report_dir(out)
    engine = QAEngine(settings)
    # Started as `paperqa ask` starts: the first question is timed and read like the others.
    engine.warm_up()
    # Progress goes to stderr, so --json output on stdout stays clean.
    report = evaluate_answers(engine, qs, limit, progress=True)
    _write_report(out, "answers.json", report)
    _echo_summary(report, as_json)


@eval_app.command(
    "evidence", short_help="Is each answer in the passages and the prompt? (no generation)"
)
def eval_evidence(
    questions: QuestionsOpt = None,
    limit: LimitOpt = None,
    evidence_tokens: Annotated[int | None, typer.Option(help=_describe("evidence_tokens"))] = None,
    model: Annotated[
        str | None,
        typer.Option(
            help="The chat model whose tokenizer measures the prompt (it is loaded, but writes "
            "nothing); default: the model setting, PAPERQA_MODEL."
        ),
    ] = None,
    retriever: RetrieverOpt = None,
    k: KOpt = None,
    passage_words: WordsOpt = None,
    index_dir: IndexDir = None,
    as_json: JsonOpt = False,
    out: Annotated[
        Path | None, _out_option("evidence.json, each question's record included,")
    ] = None,
) -> None:
    """Check, without generating, whether each answer is in the retrieved passages and in the
    evidence quoted to the model (seconds, not the minutes of `eval answers`)."""
    from paperqa.generate.answer import QAEngine
    from paperqa.generate.evaluate import evaluate_evidence
    from paperqa.retrieve.evaluate import load_questions

    settings = _settings(
        model=model,
        retriever=retriever,
        k=k,
        passage_words=passage_words,
        evidence_tokens=evidence_tokens,
        index_dir=index_dir,
    )
    qs = load_questions(_questions_file(questions))
    out = report_dir(out)
    report = evaluate_evidence(QAEngine(settings), qs, limit)
    _write_report(out, "evidence.json", report)
    _echo_summary(report, as_json)


def _retriever_names(given: str) -> list[str]:
    """The comma-separated retriever names of ``eval retrieval``; a one-line error for others."""
    from paperqa.retrieve import RETRIEVER_NAMES

    names = [name.strip() for name in given.split(",") if name.strip()]
    known = ("default", *RETRIEVER_NAMES)
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise SettingsError(
            f"unknown retriever {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose among {', '.join(known)}"
        )
    return names


def _questions_file(given: Path | None) -> Path:
    """The question file given, or the dev set beside the project; a one-line error if none."""
    from paperqa.retrieve.evaluate import default_questions_path

    if given is not None and not given.is_file():
        raise PaperQAError(f"question file not found: {given}")
    path = given or default_questions_path()
    if path is None or not path.is_file():
        raise PaperQAError("no question file; pass --questions FILE")
    return path


def _write_report(out: Path | None, name: str, report: dict[str, Any]) -> None:
    """An evaluation report, per-question records included, as ``out/name`` (when ``out``)."""
    if out:
        write_atomic(out / name, json.dumps(report, indent=1, ensure_ascii=False))


def _echo_summary(report: dict[str, Any], as_json: bool) -> None:
    """An evaluation report without its per-question records, as JSON or as a Markdown table
    with a row per part and one for all (the README's layout)."""
    summary = {key: value for key, value in report.items() if key != "per_question"}
    if as_json:
        typer.echo(json.dumps(summary, indent=1))
        return
    rows = {**summary.get("parts", {}), "all": summary}
    keys = [k for k in summary if k != "parts"]
    typer.echo("| part | " + " | ".join(keys) + " |")
    typer.echo("|---" * (len(keys) + 1) + "|")
    for name, figures in rows.items():
        cells = [_cell(key, figures.get(key)) for key in keys]
        typer.echo(f"| {name} | " + " | ".join(cells) + " |")


def _cell(key: str, value: Any) -> str:
    """A figure as the README prints it: shares to 2 places, seconds to 1, none as a dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}" if key.endswith("_s") else f"{value:.2f}"
    return str(value)


def _say_error(exc: Exception) -> None:
    """``exc`` on stderr as one ``paperqa: error:`` line, whatever its text held."""
    message = " ".join(str(exc).split())
    typer.echo(f"paperqa: error: {message}", err=True)


def main() -> None:
    """Console entry point: one-line errors and a non-zero exit for problems the user must fix."""
    from pydantic import ValidationError

    from paperqa.settings import settings_error

    try:
        app()
    except (PaperQAError, ValidationError, UnicodeError) as exc:
        if isinstance(exc, ValidationError):
            exc = settings_error(exc)
        elif isinstance(exc, UnicodeError):
            exc = PaperQAError(f"an argument is not valid UTF-8 text ({type(exc).__name__})")
        _say_error(exc)
        sys.exit(2)
    except OSError as exc:  # a folder the user named that cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        why = exc.strerror or str(exc)
        if isinstance(exc, FileExistsError) and exc.filename and Path(exc.filename).is_file():
            why = "a file is there, where a folder is needed"
        _say_error(PaperQAError(f"{where}{why}"))
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
