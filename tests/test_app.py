"""The chat app: routes on small generated indexes, then the running app in a real browser.

The slow tests use ``python app.py`` running over an index of the real corpus (the ``app_url``
fixture of conftest.py, shared with the ``openai`` client test) and drive it with headless
Chromium (Playwright) and with ``gradio_client``. With
``PAPERQA_SCREENSHOT=docs/screenshot.png`` the browser test saves a screenshot of an answer.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from paperqa.app import answer_markdown, build_app, sources_html
from paperqa.generate.answer import REFUSAL_TEXT, Answer, Citation
from paperqa.readinglist import papers_by_id
from paperqa.serving import EnginePool
from paperqa.settings import Settings
from paperqa.store import write_index
from paperqa.types import Chunk, Passage

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("PAPERQA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSWER_TIMEOUT_MS = 600_000  # a cold CPU model may need minutes for its first answer


def _document(path: Path, kind: str, title: str) -> dict:
    return {
        "title": title,
        "year": 2017,
        "authors": [],
        "pages": 1,
        "chunks": 1,
        "quality": "ok",
        "quality_note": "",
        "path": str(path),
        "kind": kind,
        "sha256": "",
    }


@pytest.fixture
def small_index(tmp_path: Path) -> Settings:
    """An index of two generated files (a PDF and a Markdown note) outside the index folder."""
    from reportlab.pdfgen import canvas

    files = tmp_path / "papers"
    files.mkdir()
    pdf = files / "attention-is-all-you-need.pdf"
    page = canvas.Canvas(str(pdf))
    page.drawString(72, 720, "Shuffling replaces gating.")  # invented text
    page.save()
    note = files / "note.md"
    note.write_text("# A note\n\n<script>alert(1)</script> plain text.\n")
    (tmp_path / "secret.txt").write_text("not ingested")
    chunks = [
        Chunk(0, "attention-is-all-you-need", "Attention Is All You Need", 1, 1, "Shuffling."),
        Chunk(1, "note", "A note", 1, 1, "plain text."),
    ]
    meta = {
        "embedder": {"name": "test", "dim": 4},
        "chunking": {},
        "documents": {
            "attention-is-all-you-need": _document(pdf, "pdf", "Attention Is All You Need"),
            "note": _document(note, "md", "A note"),
        },
    }
    index_dir = tmp_path / "index"
    write_index(index_dir, meta, chunks, np.eye(2, 4, dtype=np.float32), [["a"], ["b"]])
    return Settings(index_dir=index_dir)


def test_no_index_page_says_how_to_build_one(tmp_path: Path) -> None:
    with TestClient(build_app(Settings(index_dir=tmp_path / "none"))) as client:
        config = client.get("/config").text
        assert "No index to answer from yet" in config
        assert "paperqa ingest --source" in config
        assert client.get("/healthz").json()["index"] is False
        assert client.get("/pdf/attention-is-all-you-need").status_code == 404


def test_pdf_route_serves_only_ingested_files(small_index: Settings) -> None:
    with TestClient(build_app(small_index)) as client:
        pdf = client.get("/pdf/attention-is-all-you-need")
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert "attachment" not in pdf.headers.get("content-disposition", "")
        assert pdf.content.startswith(b"%PDF")

        note = client.get("/pdf/note")  # Markdown/HTML: the source as text, never as a page
        assert note.headers["content-type"].startswith("text/plain")
        assert "<script>" in note.text

        for path in ("/pdf/zephyr", "/pdf/..%2Fsecret.txt", "/pdf/../secret.txt", "/pdf/"):
            assert client.get(path).status_code == 404, path


def test_evidence_route_renders_ingested_pdf_pages(small_index: Settings) -> None:
    """The app serves the pages of the ingested PDF (the highlight itself: test_evidence.py)."""
    from paperqa.evidence import render_page
    from paperqa.retrieve import IndexStore

    documents = IndexStore.load(small_index.index_dir).documents
    pdf = Path(documents["attention-is-all-you-need"]["path"])
    with TestClient(build_app(small_index)) as client:
        page = client.get("/evidence/attention-is-all-you-need/1.png")
        assert page.status_code == 200 and page.headers["content-type"] == "image/png"
        assert page.content == render_page.__wrapped__(pdf, pdf.stat().st_mtime_ns, 1, "")
        assert client.get("/evidence/attention-is-all-you-need/2.png").status_code == 404
        assert client.get("/evidence/note/1.png").status_code == 404
        assert client.get("/evidence/zephyr/1.png").status_code == 404


def test_pdf_route_404_when_ingested_file_is_gone(small_index: Settings) -> None:
    from paperqa.retrieve import IndexStore

    path = Path(IndexStore.load(small_index.index_dir).documents["note"]["path"])
    path.unlink()
    with TestClient(build_app(small_index)) as client:
        assert client.get("/pdf/note").status_code == 404


def test_reading_list_marks_missing_papers(small_index: Settings) -> None:
    with TestClient(build_app(small_index)) as client:
        config = client.get("/config").json()
    dropdowns = [c["props"] for c in config["components"] if c["type"] == "dropdown"]
    papers = next(p for p in dropdowns if p["label"] == "Only these papers")
    labels = {value: label for label, value in papers["choices"]}
    assert set(labels) >= set(papers_by_id())  # all 30 titles are offered
    assert not labels["attention-is-all-you-need"].endswith("not indexed")
    assert labels["zephyr"].endswith("— not indexed")
    summary = json.dumps(config)
    assert "1 of the 30 reading-list papers indexed" in summary
    assert "1 other document(s): A note" in summary


def _answer(refused: bool) -> Answer:
    passages = [
        Passage(Chunk(7, "attention-is-all-you-need", "Attention <Is> All", 3, 3, _TEXT), 0.9, 1),
        Passage(Chunk(9, "note", "A note", 1, 1, "Unrelated text."), 0.2, 2),
    ]
    quote = "The lattice reader relies on slot shuffling alone."
    citation = Citation(1, "attention-is-all-you-need", "Attention <Is> All", 2017, "3", quote, 7)
    return Answer(
        question="q",
        answer=REFUSAL_TEXT if refused else "It uses slot shuffling [1].",
        refused=refused,
        citations=[] if refused else [citation],
        passages=passages,
        timings={"retrieve_s": 0.1, "first_token_s": 0.5, "total_s": 2.0},
        model="m",
        backend="transformers",
        standalone_question="q",
    )


_TEXT = "Plain mixers are slow. The lattice reader relies on slot shuffling alone. More text."
_DOCS = {
    "attention-is-all-you-need": {"kind": "pdf", "year": 2017},
    "note": {"kind": "md", "year": None},
}


def test_sources_show_quote_passage_and_page_link() -> None:
    panel = sources_html(_answer(refused=False), _DOCS)
    assert "Sources (1)" in panel
    assert "Attention &lt;Is&gt; All" in panel and "<Is>" not in panel
    assert "href='/pdf/attention-is-all-you-need#page=3'" in panel
    assert "<mark>The lattice reader relies on slot shuffling alone.</mark>" in panel
    evidence = "src='/evidence/attention-is-all-you-need/3.png?quote=The%20lattice%20reader"
    assert evidence in panel
    assert panel.count("class='pqa-evidence'") == 1  # cited PDF pages only, not the note
    assert "Other retrieved passages (1)" in panel and "href='/pdf/note'" in panel
    bubble = answer_markdown(_answer(refused=False))
    assert bubble.startswith("It uses slot shuffling [1].")
    assert "[1] Attention <Is> All (2017), p. 3" in bubble
    assert "<sub>m (transformers) · first token 0.5 s" in bubble


def test_an_answer_no_model_wrote_names_no_model() -> None:
    answer = _answer(refused=False)  # as an answer from the index's record of who wrote a paper
    answer.model = answer.backend = None
    assert "<sub>no model needed · first token 0.5 s" in answer_markdown(answer)


def test_a_source_links_to_the_page_its_quote_is_on(tmp_path: Path) -> None:
    from pdf_factory import make_pdf

    pdf = make_pdf(
        tmp_path / "paper.pdf",
        [["A first page."], ["Plain mixers are slow."], ["Shuffling is all it uses."]],
    )
    text = "Plain mixers are slow. Shuffling is all it uses."
    chunk = Chunk(4, "attention-is-all-you-need", "Attention", 2, 3, text)
    citation = Citation(1, chunk.doc, "Attention", 2017, "2-3", "Shuffling is all it uses.", 4)
    answer = _answer(refused=False)
    answer.citations, answer.passages = [citation], [Passage(chunk, 0.9, 1)]
    documents = {chunk.doc: {"kind": "pdf", "year": 2017, "path": str(pdf)}}
    panel = sources_html(answer, documents)
    assert "href='/pdf/attention-is-all-you-need#page=3'" in panel  # not the passage's first page
    assert "open PDF at p. 3" in panel and "/evidence/attention-is-all-you-need/3.png" in panel


def test_a_refusal_without_passages_promises_none() -> None:
    from paperqa.cli import _sources_text

    answer = _answer(refused=True)  # as for a reading-list paper the index lacks
    answer.passages = []
    bubble, panel = answer_markdown(answer), sources_html(answer, _DOCS)
    assert "closest passages" not in bubble.lower() and "first token" not in bubble
    assert "closest passages" not in panel.lower() and "No answer in the papers." in panel
    assert _sources_text(answer) == ""


def test_refusal_is_shown_as_refusal_with_closest_passages() -> None:
    answer = _answer(refused=True)
    panel = sources_html(answer, _DOCS)
    assert "closest passages" in panel and "Sources (" not in panel
    assert panel.count("class='pqa-source'") == 2
    assert answer_markdown(answer).startswith("**Not answered by the papers.** " + REFUSAL_TEXT)


# --- The running app, over the real corpus ----------------------------------------------------


@pytest.mark.slow
def test_pdf_link_of_real_index_opens_pdf(app_url: str) -> None:
    response = httpx.get(f"{app_url}/pdf/attention-is-all-you-need")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert httpx.get(f"{app_url}/pdf/zephyr").status_code == 404  # on the list, not ingested


@pytest.mark.slow
def test_api_ask_returns_answer_json_to_concurrent_callers(app_url: str) -> None:
    from gradio_client import Client

    transformer = "What does the Transformer architecture use instead of recurrence?"
    layers = "How are the layers trained?"
    # Two callers at once: each gets the answer to its own question.
    first = Client(app_url, verbose=False).submit(
        question=transformer, retriever="hybrid", k=5, api_name="/ask"
    )
    second = Client(app_url, verbose=False).submit(
        question=layers, papers=["deep residual"], api_name="/ask"
    )
    result, filtered = first.result(timeout=900), second.result(timeout=900)

    assert set(result) >= {"question", "answer", "refused", "citations", "passages", "timings"}
    assert result["question"] == transformer
    assert result["refused"] is False
    assert "attention" in result["answer"].lower(), result["answer"]
    assert "attention-is-all-you-need" in {c["doc"] for c in result["citations"]}
    assert filtered["question"] == layers
    assert "layer" in filtered["answer"].lower(), filtered["answer"]
    # Title words select papers, as in the CLI: both ResNet papers have "deep residual".
    resnets = {"deep-residual-learning", "identity-mappings-resnets"}
    assert filtered["passages"] and {p["doc"] for p in filtered["passages"]} <= resnets
    assert {c["doc"] for c in filtered["citations"]} <= resnets
    print(f"\nfirst: {result['answer']!r}\nsecond: {filtered['answer']!r}, {filtered['refused']}")

    follow_up = Client(app_url, verbose=False).predict(
        question="How many layers does its encoder stack have?",
        history=[[transformer, result["answer"]]],
        api_name="/ask",
    )
    assert "Transformer" in follow_up["standalone_question"]


README_QUESTION = "How many layers does the Transformer encoder have?"


def _ask_in_page(page, question: str) -> None:
    box = page.locator("#pqa-question textarea")
    box.fill(question)
    box.press("Enter")


def _last_answer(page) -> str:
    """The text of the last finished answer bubble (waits for its sources)."""
    page.locator("#pqa-sources [data-state=done]").wait_for(timeout=ANSWER_TIMEOUT_MS)
    return page.locator("#pqa-chat [data-testid=bot]").last.inner_text()


@pytest.mark.slow
def test_browser_answers_cites_refuses_and_isolates_sessions(app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(app_url)
        sources = page.locator("#pqa-sources")

        # The README's question: the answer streams in, states 6 and cites the Transformer paper.
        started = time.perf_counter()
        _ask_in_page(page, README_QUESTION)
        bot = page.locator("#pqa-chat [data-testid=bot]").last
        expect(bot).not_to_be_empty(timeout=ANSWER_TIMEOUT_MS)
        first_token = time.perf_counter() - started
        answer = _last_answer(page)
        print(
            f"\nbrowser: first token {first_token:.2f} s, full answer "
            f"{time.perf_counter() - started:.2f} s: {answer!r}"
        )
        assert re.search(r"\b(6|six)\b", answer.split("Sources:")[0], re.I), answer
        cited = sources.locator(".pqa-source[data-doc=attention-is-all-you-need]").first
        expect(cited).to_be_visible()
        expect(bot).to_contain_text("Attention Is All You Need")

        # Clicking a source shows the passage with its page and a link to that page of the PDF.
        cited.locator("summary").first.click()
        passage = cited.locator(".pqa-passage")
        expect(passage).to_be_visible()
        assert len(passage.inner_text()) > 100
        href = cited.locator("a.pqa-open").get_attribute("href") or ""
        assert href.startswith("/pdf/attention-is-all-you-need#page=")
        pdf = page.request.get(app_url + href.split("#")[0])
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

        # Opening its page shows the page image with the quote highlighted.
        cited.locator(".pqa-page summary").click()
        image = cited.locator("img.pqa-evidence")
        expect(image).to_be_visible()
        src = image.get_attribute("src") or ""
        assert src.startswith("/evidence/attention-is-all-you-need/") and "?quote=" in src
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0",
            arg=image.element_handle(),
            timeout=60_000,
        )
        assert page.request.get(app_url + src).headers["content-type"] == "image/png"
        if shot := os.environ.get("PAPERQA_SCREENSHOT"):
            Path(shot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shot, full_page=True)

        # A follow-up in this session and a question in another session, at the same time:
        # each gets the answer to its own question, and neither sees the other's chat.
        other = browser.new_page()
        other.goto(app_url)
        other.locator("#pqa-question textarea").wait_for()
        _ask_in_page(page, "And how many attention heads does it use?")
        _ask_in_page(other, "What does the Transformer use instead of recurrence?")
        expect(page.locator("#pqa-chat [data-testid=user]")).to_have_count(2)
        expect(page.locator("#pqa-chat [data-testid=bot]")).to_have_count(
            2, timeout=ANSWER_TIMEOUT_MS
        )
        follow_up = _last_answer(page)
        assert re.search(r"\b(8|eight)\b", follow_up.split("Sources:")[0], re.I), follow_up
        expect(sources.locator(".pqa-searched")).to_contain_text("Transformer")
        expect(other.locator("#pqa-chat [data-testid=user]")).to_have_count(1)
        other_answer = _last_answer(other)
        assert "attention" in other_answer.split("Sources:")[0].lower(), other_answer
        other.close()

        # An out-of-scope question is refused, with the closest passages instead of sources.
        _ask_in_page(page, "What is the best recipe for banana bread?")
        expect(page.locator("#pqa-chat [data-testid=user]")).to_have_count(3)
        expect(page.locator("#pqa-chat [data-testid=bot]")).to_have_count(
            3, timeout=ANSWER_TIMEOUT_MS
        )
        expect(page.locator("#pqa-chat [data-testid=bot]").last).to_contain_text(
            "Not answered by the papers", timeout=ANSWER_TIMEOUT_MS
        )
        expect(sources).to_contain_text("closest passages")

        # The clear button empties the conversation.
        page.get_by_role("button", name="New conversation").click()
        expect(page.locator("#pqa-chat [data-testid=user]")).to_have_count(0)
        browser.close()


# --- Robustness: bad API values, unused routes, traversal, links, reload, SIGTERM ------------


@pytest.fixture
def generated_index(tmp_path: Path) -> Settings:
    """Three Markdown documents in ``tmp_path/src`` and an index of them (no model needed)."""
    from index_factory import write_small_index

    write_small_index(tmp_path / "index", tmp_path / "src")
    (tmp_path / "secret.txt").write_text("root:x:0:0 not to be served")
    return Settings(index_dir=tmp_path / "index")


def _api_ask(client: TestClient, *data: object) -> tuple[str, dict]:
    """Calls the named ``/ask`` endpoint over HTTP as gradio_client does: (event, payload)."""
    event = client.post("/gradio_api/call/ask", json={"data": list(data)}).json()["event_id"]
    stream = client.get(f"/gradio_api/call/ask/{event}").text
    kind = stream.split("\n", 1)[0].removeprefix("event: ").strip()
    payload = stream.split("data: ", 1)[1].strip() if "data: " in stream else "null"
    return kind, json.loads(payload) or {}


BAD_API_CALLS = [
    (["What is a gate?", "hybrid", -3, None, None], "k = -3"),
    (["What is a gate?", "hybrid", 100000, None, None], "k = 100000"),
    (["What is a gate?", "hybrid", "many", None, None], "k = 'many'"),
    (["What is a gate?", "foo", 5, None, None], "retriever = 'foo'"),
    (["What is a gate?", "hybrid", 5, None, "not a list"], "history must be"),
    (["What is a gate?", "hybrid", 5, None, [["only a question"]]], "history must be"),
    (["What is a gate?", "hybrid", 5, None, [[1, 2]]], "history must be"),
    (["What is a gate?", "hybrid", 5, None, [{"q": "a"}]], "history must be"),
    (["What is a gate?", "hybrid", 5, 42, None], "papers must be"),
    (["\x00\x01\x02", "hybrid", 5, None, None], "control characters"),
    (["", "hybrid", 5, None, None], "empty"),
    (["x" * 5000, "hybrid", 5, None, None], "the limit is"),
]


def test_api_refuses_bad_values_with_one_clear_line(generated_index: Settings, capfd) -> None:
    with TestClient(build_app(generated_index)) as client:
        for data, expected in BAD_API_CALLS:
            kind, payload = _api_ask(client, *data)
            message = payload.get("error") or ""
            assert kind == "error" and expected in message, (data, payload)
            assert "\n" not in message and "Traceback" not in message, message
    assert "Traceback" not in capfd.readouterr().err  # the caller's mistake fills no server log


UPLOADS = [
    "/gradio_api/upload",
    "/gradio_api/upload/",
    "/gradio_api//upload",
    "/gradio_api/UPLOAD",
    "/gradio_api/%75pload",
    "/upload",
    "/gradio_api/process_recording",
]


def test_uploads_are_turned_off(generated_index: Settings) -> None:
    with TestClient(build_app(generated_index)) as client:
        for path in UPLOADS:
            response = client.post(path, files={"files": ("x.txt", b"payload")})
            assert response.status_code in (403, 404, 405), (path, response.text[:200])
        assert client.get("/gradio_api/upload_progress?upload_id=x").status_code == 404


TRAVERSALS = [
    "/pdf/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/pdf/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/pdf/%252e%252e%252fsecret.txt",
    "/pdf/..%2Fsecret.txt",
    "/pdf/....//....//etc/passwd",
    "/pdf/doc-0%2F..%2F..%2Fsecret.txt",
    "/pdf/%2Fetc%2Fpasswd",
    "/gradio_api/file=/etc/passwd",
    "/gradio_api/file=../../../../../../etc/passwd",
    "/gradio_api/file=%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/gradio_api/file/etc/passwd",
    "/gradio_api/file/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/gradio_api/proxy=file:///etc/passwd",
    "/static/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/assets/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/svelte/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/gradio_api/custom_component/x/y/z/..%2F..%2F..%2Fetc%2Fpasswd",
    "/gradio_api/run-history/records/a/b/assets/..%2F..%2Fetc%2Fpasswd",
]


def test_path_traversal_is_refused_on_every_file_route(generated_index: Settings) -> None:
    with TestClient(build_app(generated_index)) as client:
        assert client.get("/pdf/doc-0").status_code == 200  # the route itself works
        for path in TRAVERSALS:
            response = client.get(path)
            leaked = "root:x:0:0" in response.text
            assert not leaked and response.status_code != 200, (path, response.status_code)


def test_a_link_out_of_the_source_folder_is_never_served(generated_index: Settings) -> None:
    """An index built by an older paperqa that followed notes.md -> /etc/passwd."""
    from paperqa.retrieve import IndexStore

    store = IndexStore.load(generated_index.index_dir)
    source = Path(store.meta["source"])
    link = source / "linked.md"
    link.symlink_to(source.parent / "secret.txt")
    store.documents["doc-1"]["path"] = str(link)
    (store.path / "meta.json").write_text(json.dumps(store.meta))  # keeps the recorded hashes
    with TestClient(build_app(generated_index)) as client:
        assert client.get("/pdf/doc-1").status_code == 404
        assert client.get("/pdf/doc-2").status_code == 200


def test_a_running_app_picks_up_a_rebuilt_index(generated_index: Settings, tmp_path: Path) -> None:
    from index_factory import write_small_index

    with TestClient(build_app(generated_index)) as client:
        engines = client.app.state.engines
        first = engines.get()
        assert client.get("/pdf/doc-0").text.startswith("# Document 0")
        (tmp_path / "src" / "doc-0.md").unlink()
        write_small_index(generated_index.index_dir, tmp_path / "newer")  # a rebuild
        assert client.get("/pdf/doc-0").status_code == 200  # now the file in newer/
        second = engines.get()
        assert second is not first and second.store.is_current()
        assert second.store.meta["source"].endswith("newer")
        assert engines.get() is second  # no reload while the index stays the same


def _free_port() -> int:
    import socket as sockets

    with sockets.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_the_app_stops_on_sigterm_and_ctrl_c_with_a_browser_attached(
    generated_index: Settings, signal_name: str
) -> None:
    import signal

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "--port", str(port),
         "--index-dir", str(generated_index.index_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        # An open tab holds this stream open; it used to keep the server from stopping.
        with httpx.stream("GET", f"{base}/gradio_api/heartbeat/test-session", timeout=30) as beat:
            next(beat.iter_lines())
            time.sleep(3)  # a server stopped a few seconds after start logged its lifespan task
            server.send_signal(getattr(signal, signal_name))
            server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    output = server.stdout.read()
    assert server.returncode in (0, 130, -signal.SIGINT, -signal.SIGTERM), output
    assert "Traceback" not in output and "Error" not in output, output


def test_chat_refuses_a_model_or_backend_the_page_never_offered(generated_index: Settings) -> None:
    from paperqa.app import _responder
    from paperqa.store import IndexStore

    pool = EnginePool(generated_index)
    respond = _responder(pool, IndexStore.load(generated_index.index_dir), set())
    question = [{"role": "user", "content": [{"type": "text", "text": "What is attention?"}]}]
    for model, backend in [("/etc/passwd", "llama.cpp"), (generated_index.model, "no-backend")]:
        asked = "What is attention?"
        *_, (reply, _turns, panel) = respond(asked, question, [], "hybrid", 5, [], model, backend)
        assert "unknown" in reply[-1]["content"] and "pqa-error" in panel
    assert not pool._engines  # nothing was loaded for the crafted values


# --- Asking on the page: empty box, lock and Stop, too long, loading (scripted model) --------

LATTICE = (  # invented
    "# Lattice Memory Networks\n\n## Encoder\n\nThe encoder of the lattice memory network "
    "stacks seven gated blocks, each followed by slot shuffling at a rate of 0.15.\n"
)
BLOCKS = "How many gated blocks does the lattice memory network's encoder stack?"
REPLY = "The encoder stacks seven gated blocks [1]."
CONTROLS = ["hybrid", 5, []]


@pytest.fixture(scope="module")
def scripted_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Settings]]:
    """The scripted model server and settings answering from an index of LATTICE through it."""
    from scripted_model import scripted_model

    from paperqa.ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("page")
    (root / "papers").mkdir()
    (root / "papers" / "lattice.md").write_text(LATTICE)
    local = Settings(index_dir=root / "index", cache_dir=root / "cache")
    ingest(root / "papers", local, progress=False)
    with scripted_model() as model:
        yield model, local.updated(backend="openai", openai_base_url=model.url)


def _page_handlers(settings: Settings) -> tuple[Any, Any]:
    from paperqa.app import _question_taker, _responder
    from paperqa.store import IndexStore

    store = IndexStore.load(settings.index_dir)
    respond = _responder(EnginePool(settings), store, set(store.documents))
    return _question_taker(settings), respond


def _model_choice(settings: Settings) -> list[str]:
    return [settings.model, "openai"]


def test_an_empty_box_leaves_the_chat_sources_and_history_as_they_are(scripted_app) -> None:
    _model, settings = scripted_app
    take, respond = _page_handlers(settings)
    chat = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    for text in ("", "   ", " \n\t "):
        asked, *updates = take(text, chat)
        assert asked == "" and all(u == {"__type__": "update"} for u in updates)  # gr.skip()
        # The answering step runs after it anyway: it must not blank the chat (no yield did).
        yields = list(respond(asked, chat, [("q", "a")], *CONTROLS, *_model_choice(settings)))
        assert yields and all(u == {"__type__": "update"} for y in yields for u in y), yields


def test_a_too_long_question_is_refused_with_the_cli_error_not_cut(scripted_app) -> None:
    from paperqa.errors import QuestionError

    _model, settings = scripted_app
    with TestClient(build_app(settings)) as client:
        config = client.get("/config").json()
    box = next(
        c["props"] for c in config["components"] if c["props"].get("elem_id") == "pqa-question"
    )
    assert not box.get("max_length")  # the browser cut a long paste to the limit, silently
    take, _ = _page_handlers(settings)
    pasted = ("why do gated blocks help " * 100)[:2499] + "?"  # 2,500 characters
    with pytest.raises(QuestionError) as refused:
        settings.check_question(pasted)
    asked, chat, panel, box_update, send, stop = take(pasted, [])
    assert asked == "" and chat == {"__type__": "update"}  # not sent, the chat unchanged
    assert html.escape(str(refused.value)) in panel and "pqa-error" in panel
    assert "2,500 characters; the limit is 2,000" in panel
    assert box_update == send == stop == {"__type__": "update"}  # the text stays to be shortened


def test_asking_locks_the_box_and_shows_stop_until_the_answer_ends(scripted_app) -> None:
    from paperqa.app import _unlocked

    _model, settings = scripted_app
    with TestClient(build_app(settings)) as client:
        config = client.get("/config").json()
    ids = {c["props"].get("elem_id"): c["id"] for c in config["components"]}
    stop = next(c["props"] for c in config["components"] if c["id"] == ids["pqa-stop"])
    assert stop["visible"] is False and stop["value"] == "Stop"
    deps = config["dependencies"]
    answers = {  # the queued steps that answer (they take the settings too)
        d["id"]
        for d in deps
        if d["backend_fn"] and ids["pqa-chat"] in d["outputs"] and len(d["inputs"]) > 3
    }
    on_stop = [d for d in deps if [ids["pqa-stop"], "click"] in d["targets"]]
    cancelled = {i for d in on_stop for i in d["cancels"]}
    assert len(answers) == 2 and answers <= cancelled, (answers, cancelled)
    take, _ = _page_handlers(settings)
    asked, chat, _panel, box, send, shown = take(f"  {BLOCKS} ", [])
    assert asked == BLOCKS and chat == [{"role": "user", "content": BLOCKS}]
    assert box["interactive"] is False and box["value"] == ""
    assert send["interactive"] is False and shown["visible"] is True
    box, send, hidden = _unlocked()
    assert box["interactive"] is True and send["interactive"] is True
    assert hidden["visible"] is False


def test_stop_leaves_the_question_with_a_note_and_the_next_question_is_answered(
    scripted_app,
) -> None:
    from paperqa.app import STOPPED_TEXT, _stopped

    model, settings = scripted_app
    take, respond = _page_handlers(settings)
    model.reply, model.delay = REPLY, 0.2
    asked, chat, *_ = take(BLOCKS, [])
    running = respond(asked, chat, [], *CONTROLS, *_model_choice(settings))
    for partial, turns, _ in running:  # noqa: B007
        if partial != {"__type__": "update"} and partial[-1]["content"]:
            break  # the model has written a word
    assert turns == []  # no turn is recorded before the answer is finished
    running.close()  # what Gradio does to the handler when Stop cancels it
    chat, panel, box, _send, stop = _stopped(partial)
    assert chat == [
        {"role": "user", "content": BLOCKS},
        {"role": "assistant", "content": STOPPED_TEXT},
    ]
    assert "Stopped" in panel and box["interactive"] and not stop["visible"]
    model.delay = 0.0  # the model's lock was freed: the next question is answered at once
    asked, chat, *_ = take("How many blocks again?", chat)
    *_, (reply, turns, panel) = respond(asked, chat, [], *CONTROLS, *_model_choice(settings))
    assert reply[-1]["content"].startswith("The encoder stacks seven gated blocks")
    assert turns == [("How many blocks again?", "The encoder stacks seven gated blocks [1].")]
    assert "data-state='done'" in panel


def test_a_question_before_the_model_is_loaded_says_loading_the_model(scripted_app) -> None:
    model, settings = scripted_app
    model.reply, model.delay = REPLY, 0.0
    take, respond = _page_handlers(settings)  # a new pool: no model loaded yet

    def statuses() -> list[str]:
        asked, chat, *_ = take(BLOCKS, [])
        panels = [y[2] for y in respond(asked, chat, [], *CONTROLS, *_model_choice(settings))]
        return re.findall(
            r"<p class='pqa-note'>([^<]*)</p>",
            "".join(p for p in panels if isinstance(p, str) and "working" in p),
        )

    assert statuses() == ["Loading the model…", "Searching the papers…", "Writing the answer…"]
    assert statuses() == ["Searching the papers…", "Writing the answer…"]  # loaded now


@pytest.fixture
def scripted_app_url(scripted_app) -> Iterator[str]:
    """The app over the LATTICE index, answered by the scripted model, on a free port."""
    import threading

    import uvicorn

    _model, settings = scripted_app
    config = uvicorn.Config(build_app(settings), host="127.0.0.1", port=_free_port())
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.slow
def test_browser_empty_enter_stop_and_a_too_long_paste(scripted_app, scripted_app_url) -> None:
    from playwright.sync_api import expect, sync_playwright

    model, _settings = scripted_app
    model.reply, model.delay = REPLY, 0.0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(scripted_app_url)
        box, sources = page.locator("#pqa-question textarea"), page.locator("#pqa-sources")
        bots = page.locator("#pqa-chat [data-testid=bot]")
        ask = page.get_by_role("button", name="Ask", exact=True)
        _ask_in_page(page, BLOCKS)
        expect(sources.locator("[data-state=done]")).to_be_visible(timeout=60_000)
        for blank in ("", "   "):  # Enter and Ask on an empty box keep chat and sources
            _ask_in_page(page, blank)
            ask.click()
        page.wait_for_timeout(2000)
        expect(bots).to_have_count(1)
        expect(bots.last).to_contain_text("seven gated blocks")
        expect(sources.locator("[data-state=done]")).to_be_visible()

        model.delay = 0.5  # an answer that takes a while: the box locks, Stop cancels it
        _ask_in_page(page, "How many gated blocks are there?")
        expect(page.locator("#pqa-stop")).to_be_visible()
        expect(box).to_be_disabled()
        expect(ask).to_be_disabled()
        expect(bots).to_have_count(2, timeout=30_000)  # a word is written
        page.locator("#pqa-stop").click()
        expect(bots.last).to_contain_text("Stopped")
        expect(page.locator("#pqa-stop")).to_be_hidden()
        expect(box).to_be_enabled()
        page.wait_for_timeout(3000)  # nothing of the stopped answer arrives later
        expect(bots.last).to_contain_text("Stopped")

        model.delay = 0.0  # the next question is answered
        _ask_in_page(page, "What follows each gated block?")
        expect(bots).to_have_count(3, timeout=30_000)
        expect(sources.locator("[data-state=done]")).to_be_visible(timeout=60_000)
        expect(bots.last).to_contain_text("seven gated blocks")

        pasted = ("why do gated blocks help " * 100)[:2499] + "?"
        _ask_in_page(page, pasted)
        expect(sources).to_contain_text("the question is 2,500 characters; the limit is 2,000")
        assert len(box.input_value()) == 2500  # not cut
        expect(bots).to_have_count(3)
        browser.close()


@pytest.mark.slow
def test_on_a_phone_the_settings_start_closed_and_the_question_box_is_free(
    scripted_app_url,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height, sidebar_open in ((390, 844, False), (1280, 800, True)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(scripted_app_url)
            box = page.locator("#pqa-question textarea")
            expect(box).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1000)  # the sidebar's slide ends
            sidebar = page.locator(".sidebar")
            expect(sidebar).to_have_class(
                re.compile(r"\bopen\b") if sidebar_open else re.compile(r"^(?!.*\bopen\b)")
            )
            # Nothing covers the box: a tap on its centre lands on it, and typing fills it.
            on_top = page.evaluate(
                """() => { const box = document.querySelector('#pqa-question textarea');
                const r = box.getBoundingClientRect();
                const x = r.x + r.width / 2, y = r.y + r.height / 2;
                return document.elementFromPoint(x, y) === box; }"""
            )
            assert on_top, f"the question box is covered at {width} px"
            box.click()
            page.keyboard.type("dropout?")
            assert box.input_value() == "dropout?"
            page.close()
        browser.close()
