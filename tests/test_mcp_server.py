"""``paperqa mcp`` driven by the ``mcp`` client library over stdio, as an MCP client runs it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from paperqa.mcp_server import MAX_TOOL_K
from paperqa.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _call(index_dir: Path, calls: list[tuple[str, dict[str, Any]]]) -> tuple[list[Any], list]:
    """Start ``paperqa mcp`` over stdio, list its tools, make the calls; the tools and results."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "paperqa.cli", "mcp", "--index-dir", str(index_dir)],
        env=env,
        cwd=str(ROOT),
    )

    async def session() -> tuple[list[Any], list]:
        async with stdio_client(server) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            tools = (await client.list_tools()).tools
            results = [await client.call_tool(name, args) for name, args in calls]
            return tools, results

    return anyio.run(session)


def _data(result: Any) -> dict[str, Any]:
    """A tool result's structured data (or its JSON text content)."""
    structured = getattr(result, "structured_content", None) or getattr(
        result, "structuredContent", None
    )
    if structured:
        return structured.get("result", structured)
    return json.loads(result.content[0].text)


def _error(result: Any) -> bool:
    return bool(getattr(result, "is_error", None) or getattr(result, "isError", None))


def test_mcp_without_an_index_exits_with_one_line(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "paperqa.cli", "mcp", "--index-dir", str(tmp_path / "none")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=None)
    assert result.returncode == 2
    assert "paperqa ingest" in result.stderr and result.stderr.strip().count("\n") == 0


@pytest.mark.slow
def test_search_papers_over_stdio(corpus_index: Settings) -> None:
    tools, (found, filtered, bad) = _call(
        corpus_index.index_dir,
        [
            ("search_papers", {"query": "residual dropout rate Transformer", "k": 5}),
            ("search_papers", {"query": "training", "k": 3, "papers": ["pointer networks"]}),
            ("search_papers", {"query": "attention", "papers": ["no such paper zz9"]}),
        ],
    )
    assert {"search_papers", "ask_papers"} <= {tool.name for tool in tools}
    passages = _data(found)["passages"]
    assert len(passages) == 5
    assert {"paper", "title", "pages", "text"} <= set(passages[0])
    assert "attention-is-all-you-need" in [p["paper"] for p in passages[:3]]
    assert {p["paper"] for p in _data(filtered)["passages"]} == {"pointer-networks"}
    assert _error(bad) and "zz9" in bad.content[0].text


@pytest.mark.slow
def test_ask_papers_over_stdio(corpus_index: Settings) -> None:
    _, (result,) = _call(
        corpus_index.index_dir,
        [("ask_papers", {"question": "How many layers does the Transformer encoder have?"})],
    )
    data = _data(result)
    assert not data["refused"]
    assert "6" in data["answer"] and re.search(r"\[\d+\]", data["answer"])
    assert data["citations"][0]["paper"] == "attention-is-all-you-need"


@pytest.mark.slow
def test_ask_papers_answers_from_the_papers_given(corpus_index: Settings) -> None:
    question = "What dropout probability is used?"  # several papers use dropout
    _, (result, unknown) = _call(
        corpus_index.index_dir,
        [
            ("ask_papers", {"question": question, "papers": ["AlexNet"]}),
            ("ask_papers", {"question": question, "papers": ["no such paper"]}),
        ],
    )
    data = _data(result)
    assert not data["refused"] and "0.5" in data["answer"]
    assert {c["paper"] for c in data["citations"]} == {"imagenet-classification-deep-cnns"}
    assert _error(unknown) and "no such paper" in unknown.content[0].text


@pytest.mark.parametrize(
    ("query", "expected"),
    [("   ", "is empty"), ("x" * 5000, "the limit is"), ("\x00\x01", "control characters")],
)
def test_search_refuses_a_bad_query_as_the_cli_does(
    tmp_path: Path, query: str, expected: str
) -> None:
    from index_factory import write_small_index

    from paperqa.errors import QuestionError
    from paperqa.generate.answer import QAEngine
    from paperqa.mcp_server import search

    settings = Settings(index_dir=tmp_path / "index")
    write_small_index(settings.index_dir)
    with pytest.raises(QuestionError, match=expected):
        search(QAEngine(settings), query, 3, None)


def test_arguments_that_fail_the_schema_are_refused_in_one_line(tmp_path: Path) -> None:
    from index_factory import write_small_index

    write_small_index(tmp_path / "index")
    calls = [
        ("search_papers", {"query": "gate", "k": 0}),
        ("search_papers", {"query": "gate", "k": "many"}),
        ("search_papers", {"k": 3}),
        ("search_papers", {"query": "gate", "k": 100}),  # 136 KB of passages over the corpus
        ("search_papers", {"query": "gate", "k": MAX_TOOL_K}),
    ]
    tools, results = _call(tmp_path / "index", calls)
    messages = [result.content[0].text for result in results[:4]]
    assert all(_error(result) for result in results[:4])
    assert all("\n" not in m and "pydantic" not in m for m in messages), messages
    assert "invalid arguments for search_papers: k: Input should be greater than" in messages[0]
    assert "k: Input should be a valid integer" in messages[1]
    assert "query: Field required" in messages[2]
    assert messages[3].endswith("k: Input should be less than or equal to 20"), messages[3]
    assert not _error(results[4]) and _data(results[4])["passages"]
    k = _schema(tools, "search_papers", "input")["properties"]["k"]
    assert (k["minimum"], k["maximum"]) == (1, MAX_TOOL_K) and "1 to 20" in k["description"]


def _schema(tools: list[Any], name: str, which: str) -> dict[str, Any]:
    """A tool's input or output JSON schema, as ``tools/list`` gave it."""
    (tool,) = [tool for tool in tools if tool.name == name]
    snake, camel = f"{which}_schema", f"{which}Schema"
    return getattr(tool, snake, None) or getattr(tool, camel, None) or {}


def _fields(schema: dict[str, Any], *path: str) -> dict[str, str]:
    """The JSON types of an object's fields, ``path`` naming array fields down to it."""
    node = schema
    for name in path:
        node = node["properties"][name]["items"]
        node = schema.get("$defs", {}).get(node.get("$ref", "").rpartition("/")[2], node)
    assert set(node["required"]) == set(node["properties"])
    return {
        field: spec.get("type") or "|".join(t["type"] for t in spec["anyOf"])
        for field, spec in node["properties"].items()
    }


def test_tools_publish_typed_output(tmp_path: Path) -> None:
    from index_factory import write_small_index

    write_small_index(tmp_path / "index")
    calls = [("search_papers", {"query": "forget gate", "k": 2})]
    tools, (found,) = _call(tmp_path / "index", calls)
    search = _schema(tools, "search_papers", "output")
    assert _fields(search) == {"query": "string", "passages": "array"}
    assert _fields(search, "passages") == {
        "rank": "integer", "paper": "string", "title": "string", "year": "integer|null",
        "pages": "string", "section": "string|null", "score": "number", "text": "string",
    }  # fmt: skip
    ask = _schema(tools, "ask_papers", "output")
    assert _fields(ask) == {
        "answer": "string", "refused": "boolean", "citations": "array",
        "standalone_question": "string",
    }  # fmt: skip
    assert _fields(ask, "citations") == {
        "marker": "integer", "paper": "string", "title": "string", "year": "integer|null",
        "pages": "string", "section": "string|null", "quote": "string",
    }  # fmt: skip
    described = {
        _schema(tools, name, "output")["$defs"][model]["properties"]["paper"]["description"]
        for name, model in (("search_papers", "SearchPassage"), ("ask_papers", "CitedSource"))
    }  # one name, one meaning: the id that search_papers' papers argument takes
    assert described == {"The paper's id, as the tools' papers argument takes it."}
    assert all("papers" in _schema(tools, t.name, "input")["properties"] for t in tools)
    assert '"doc"' not in json.dumps(
        [_schema(tools, t.name, w) for t in tools for w in ("input", "output")]
    )
    structured = getattr(found, "structured_content", None) or found.structuredContent
    best = structured["passages"][0]
    assert (best["rank"], best["paper"], best["section"]) == (1, "doc-0", None)
    assert best["text"] == json.loads(found.content[0].text)["passages"][0]["text"]


def test_a_rebuilt_index_is_searched_from_the_next_call_on(tmp_path: Path) -> None:
    # as the app does: a client keeps its MCP server running while the user ingests new papers
    import numpy as np
    from index_factory import write_small_index

    from paperqa.mcp_server import build_server
    from paperqa.store import IndexStore, write_index
    from paperqa.types import Chunk

    settings = Settings(index_dir=tmp_path / "index", retriever="bm25", passage_words=0)
    write_small_index(settings.index_dir)
    server = build_server(settings)

    def found(query: str) -> str:
        return str(anyio.run(server.call_tool, "search_papers", {"query": query, "k": 1}))

    assert "doc-0" in found("reset gate lattice")
    old = IndexStore.load(settings.index_dir)
    meta = {**old.meta, "documents": {**old.documents, "fresh": {**old.documents["doc-0"]}}}
    text = "Quasar lattices hum at dawn."
    chunks = [*old.chunks, Chunk(len(old.chunks), "fresh", "Fresh", 1, 1, text)]
    tokens = [*old.bm25_tokens(), [w.lower().strip(".") for w in text.split()]]
    vectors = np.eye(len(chunks), 384, dtype=np.float32)
    write_index(settings.index_dir, meta, chunks, vectors, tokens)
    assert "fresh" in found("quasar lattices")
