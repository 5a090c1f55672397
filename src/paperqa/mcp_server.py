"""``paperqa mcp``: a Model Context Protocol server over stdio, for MCP clients (Claude Desktop,
editors, agents), a thin layer over the retriever and ``QAEngine``.

Two tools, each with a typed output schema (the pydantic models below) that clients read from
``tools/list``, and its result as structured content and as JSON text:

- ``search_papers(query, k, papers)``: the passages retrieval ranks highest (rank, paper id,
  title, year, pages, section, score, text); no LLM, so it answers in a second once the index is
  loaded. ``k`` is at most ``MAX_TOOL_K`` (20, about 30 KB of text): more is refused in one line.
- ``ask_papers(question, papers)``: the cited answer of the local model, as ``paperqa ask``
  gives it (the text with ``[n]`` markers and its source list, and the citations as data).

A paper is ``paper`` (its id) in both tools' results, and a list of them is ``papers`` in both
tools' arguments, as in ``paperqa ask --papers`` and the OpenAI API's ``paperqa.papers``.

Works with the ``mcp`` package 1.10+ (``FastMCP``, the first with output schemas) and 2.x
(``MCPServer``, its new name).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from paperqa.errors import PaperQAError
from paperqa.settings import Settings

try:  # mcp 2.x
    from mcp.server.mcpserver import MCPServer as _SDKServer
    from mcp.server.mcpserver.exceptions import ToolError
except ImportError:  # mcp 1.x
    from mcp.server.fastmcp import FastMCP as _SDKServer
    from mcp.server.fastmcp.exceptions import ToolError

INSTRUCTIONS = (
    "Searches and answers from a local index of research papers (Ilya Sutskever's reading list "
    "by default). Use search_papers to read the passages about a topic with paper and page; use "
    "ask_papers for a short answer written by a local model, each claim citing paper and page."
)


MAX_TOOL_K = 20  # an agent's context, not the index, is the limit here: settings.MAX_K is 100

PapersArg = Annotated[
    list[str] | None,
    Field(
        description=(
            'Only these papers: ids, title words or names (an author, "AlexNet"); empty: all '
            "papers."
        )
    ),
]


class _Place(BaseModel):
    """Where a passage or a quote is: the paper and its pages."""

    paper: str = Field(description="The paper's id, as the tools' papers argument takes it.")
    title: str = Field(description="The paper's title.")
    year: int | None = Field(description="The paper's year, where known.")
    pages: str = Field(description="The page or pages: '3' or '3-4'.")
    section: str | None = Field(description="The section heading over it, where known.")


class SearchPassage(_Place):
    """One passage found by ``search_papers``."""

    rank: int = Field(description="Its place in the ranking, from 1.")
    score: float = Field(description="The retriever's score: higher is closer to the query.")
    text: str = Field(description="The passage's text.")


class SearchResult(BaseModel):
    """What ``search_papers`` returns."""

    query: str = Field(description="The query searched, stripped.")
    passages: list[SearchPassage] = Field(description="The passages, best first.")


class CitedSource(_Place):
    """One source of an ``ask_papers`` answer: what its ``[marker]`` points to."""

    marker: int = Field(description="The n of the answer's [n].")
    quote: str = Field(description="The passage's words that support the claim.")


class AskResult(BaseModel):
    """What ``ask_papers`` returns."""

    answer: str = Field(description="The answer with [n] markers, then a 'Sources:' list.")
    refused: bool = Field(description="True when the papers do not answer the question.")
    citations: list[CitedSource] = Field(description="The sources the markers point to.")
    standalone_question: str = Field(description="The question as it was searched.")


class _Server(_SDKServer):
    """The SDK's server, with arguments that fail the tool's schema refused in one line (the SDK
    passes on pydantic's report: a line per error and a link to its docs)."""

    async def call_tool(self, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().call_tool(name, *args, **kwargs)
        except ToolError as exc:
            if not isinstance(exc.__cause__, ValidationError):
                raise
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or 'arguments'}: {error['msg']}"
                for error in exc.__cause__.errors()
            )
            raise ToolError(f"invalid arguments for {name}: {problems}") from exc.__cause__


def build_server(settings: Settings) -> Any:
    """The MCP server with both tools over the index in ``settings.index_dir``.

    The index is loaded here, so a missing one fails at start with a one-line error; the
    embedder and the chat model load on the first call that needs them. A rebuilt index is
    used from the next call on, as in the app.
    """
    from paperqa.serving import EnginePool

    engines = EnginePool(settings)
    engines.get()  # IndexMissingError now, not on the first tool call
    server = _Server("paperqa", instructions=INSTRUCTIONS, log_level="WARNING")

    @server.tool()
    def search_papers(
        query: Annotated[str, Field(description="What to look for, in words or a question.")],
        k: Annotated[
            int, Field(ge=1, le=MAX_TOOL_K, description=f"How many passages, 1 to {MAX_TOOL_K}.")
        ] = min(settings.k, MAX_TOOL_K),
        papers: PapersArg = None,
    ) -> SearchResult:
        """Find the passages of the papers most relevant to the query (paper, pages, text)."""
        with _tool_errors():
            return search(engines.get(), query, k, papers)

    @server.tool()
    def ask_papers(
        question: Annotated[
            str,
            Field(
                description="A self-contained question about the papers: name the paper or "
                "model (no 'it' or 'that paper'; the tool keeps no conversation)."
            ),
        ],
        papers: PapersArg = None,
    ) -> AskResult:
        """Answer a self-contained question from the papers with the local model; every claim
        cites paper and page. Says so when the papers do not answer it."""
        with _tool_errors():
            return ask(engines.get(), question, papers)

    return server


def search(engine: Any, query: str, k: int, papers: list[str] | None) -> SearchResult:
    """The ``search_papers`` result: the ranked passages with paper, pages and clean text."""
    from paperqa.retrieve import load_retriever
    from paperqa.retrieve.filters import resolve_papers
    from paperqa.text import display_text

    query = engine.settings.check_question(query, "query")
    store = engine.store
    docs = resolve_papers(papers, store)
    passages = load_retriever(engine.settings, store=store).search(query, k, docs)
    found = [
        SearchPassage(
            rank=p.rank,
            paper=p.doc,
            title=p.chunk.title,
            year=store.documents.get(p.doc, {}).get("year"),
            pages=p.chunk.pages,
            section=p.chunk.section or None,
            score=round(p.score, 4),
            text=display_text(p.text),
        )
        for p in passages
    ]
    return SearchResult(query=query, passages=found)


def ask(engine: Any, question: str, papers: list[str] | None = None) -> AskResult:
    """The ``ask_papers`` result: the cited answer text with its sources, and the citations."""
    from paperqa.openai_api import reply_text
    from paperqa.retrieve.filters import resolve_papers

    docs = resolve_papers(papers, engine.store)
    answer = engine.ask(question, papers=docs)
    citations = [
        CitedSource(
            marker=c.marker,
            paper=c.doc,
            title=c.title,
            year=c.year,
            pages=c.pages,
            section=c.section or None,
            quote=c.quote,
        )
        for c in answer.citations
    ]
    return AskResult(
        answer=reply_text(answer),
        refused=answer.refused,
        citations=citations,
        standalone_question=answer.standalone_question,
    )


@contextlib.contextmanager
def _tool_errors() -> Iterator[None]:
    """A user's error as the tool's error message; stray prints kept off the protocol's stdout."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    except PaperQAError as exc:
        raise ToolError(str(exc)) from exc


def serve(settings: Settings) -> None:
    """Run the MCP server on stdin/stdout until the client closes it."""
    server = build_server(settings)
    print(
        f"paperqa mcp: serving the index in {settings.index_dir} over stdio",
        file=sys.stderr,
        flush=True,
    )
    server.run()
