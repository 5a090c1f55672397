"""fetch_reading_list against a real HTTP server on 127.0.0.1 (no other network traffic)."""

from __future__ import annotations

import io
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from paperqa.errors import FetchError, PaperQAError
from paperqa.fetch import LOCK_FILE, fetch_reading_list
from paperqa.readinglist import papers_by_id, reading_list

PDF_ID = "attention-is-all-you-need"
PDF_ID2 = "deep-residual-learning"
WEB_ID = "understanding-lstm-networks"
MULTI_ID = "cs231n-notes"
ERROR_PAGE = b"<!DOCTYPE html><html><head><title>Error</title></head><body>Try later</body></html>"


def _make_pdf(pages: int = 3) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n in range(pages):
        c.drawString(72, 720, f"Test page {n + 1} " + "filler text " * 20)
        c.showPage()
    c.save()
    return buf.getvalue()


def _page(title: str, body: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>".encode()


@dataclass
class Hit:
    path: str
    range: str | None
    status: int
    sent: int
    user_agent: str | None


@dataclass
class Server:
    """A tiny file server: ``routes`` maps paths to bytes; Range support can be switched off."""

    base: str = ""
    routes: dict[str, bytes] = field(default_factory=dict)
    ranges: bool = True
    cut_short: set[str] = field(default_factory=set)  # paths whose body stops half-way
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = server.routes.get(self.path)
            wanted = self.headers.get("Range")
            if body is None:
                self._send(404, b"<html><title>Not found</title></html>", wanted)
                return
            match = re.fullmatch(r"bytes=(\d+)-", wanted or "")
            if server.ranges and match:
                start = int(match.group(1))
                if start >= len(body):
                    self._send(416, b"", wanted)
                    return
                extra = {"Content-Range": f"bytes {start}-{len(body) - 1}/{len(body)}"}
                self._send(206, body[start:], wanted, extra)
            else:
                self._send(200, body, wanted)

        def _send(
            self, status: int, body: bytes, wanted: str | None, extra: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            kind = "application/pdf" if body.startswith(b"%PDF") else "text/html"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if server.ranges:
                self.send_header("Accept-Ranges", "bytes")
            for key, value in (extra or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.path in server.cut_short:
                body = body[: len(body) // 2]
                self.close_connection = True
            # Recorded before the body goes out: the client may finish reading (and the test
            # look at the hits) before this thread would get past the write.
            server.hits.append(
                Hit(self.path, wanted, status, len(body), self.headers.get("User-Agent"))
            )
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # httpx honours proxy variables; the tests must talk to 127.0.0.1 directly.
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return _make_pdf()


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_downloads_and_validates_every_kind(server: Server, pdf: bytes, tmp_path: Path) -> None:
    server.routes = {
        "/paper.pdf": pdf,
        "/lstm.html": _page("Understanding LSTM Networks", "cell state"),
        "/one.html": _page("Image classification", "nearest neighbour"),
        "/two.html": _page("Linear classification", "softmax loss"),
    }
    urls = {
        PDF_ID: [server.url("/paper.pdf")],
        WEB_ID: [server.url("/lstm.html")],
        MULTI_ID: [server.url("/one.html"), server.url("/two.html")],
    }
    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=True)

    assert sorted(report.downloaded) == sorted(urls)
    assert report.skipped == [] and report.failed == {}
    assert (tmp_path / f"{PDF_ID}.pdf").read_bytes() == pdf
    assert len(PdfReader(tmp_path / f"{PDF_ID}.pdf").pages) == 3
    assert (tmp_path / f"{WEB_ID}.html").read_bytes() == server.routes["/lstm.html"]
    joined = (tmp_path / f"{MULTI_ID}.html").read_text("utf-8")
    assert f"<title>{papers_by_id()[MULTI_ID].title}</title>" in joined
    first = joined.index(f"<!-- ===== source: {server.url('/one.html')} ===== -->")
    second = joined.index(f"<!-- ===== source: {server.url('/two.html')} ===== -->")
    assert first < joined.index("nearest neighbour") < second < joined.index("softmax loss")
    assert not list(tmp_path.glob("*.part"))
    assert all(hit.user_agent and hit.user_agent.startswith("paperqa/") for hit in server.hits)


def test_second_run_skips_complete_files(server: Server, pdf: bytes, tmp_path: Path) -> None:
    server.routes = {"/paper.pdf": pdf, "/lstm.html": _page("LSTM", "gates")}
    urls = {PDF_ID: [server.url("/paper.pdf")], WEB_ID: [server.url("/lstm.html")]}
    fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)
    requests_before = len(server.hits)

    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    assert sorted(report.skipped) == sorted(urls)
    assert report.downloaded == [] and report.failed == {}
    assert len(server.hits) == requests_before


def test_invalid_existing_file_is_downloaded_again(
    server: Server, pdf: bytes, tmp_path: Path
) -> None:
    (tmp_path / f"{PDF_ID}.pdf").write_bytes(ERROR_PAGE)
    server.routes = {"/paper.pdf": pdf}
    urls = {PDF_ID: [server.url("/paper.pdf")]}

    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    assert report.downloaded == [PDF_ID]
    assert (tmp_path / f"{PDF_ID}.pdf").read_bytes() == pdf


def test_part_file_resumes_with_range_request(server: Server, pdf: bytes, tmp_path: Path) -> None:
    half = len(pdf) // 2
    (tmp_path / f"{PDF_ID}.pdf.part").write_bytes(pdf[:half])
    server.routes = {"/paper.pdf": pdf}
    urls = {PDF_ID: [server.url("/paper.pdf")]}

    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    assert report.downloaded == [PDF_ID]
    assert (tmp_path / f"{PDF_ID}.pdf").read_bytes() == pdf
    assert not (tmp_path / f"{PDF_ID}.pdf.part").exists()
    [hit] = server.hits
    assert (hit.range, hit.status, hit.sent) == (f"bytes={half}-", 206, len(pdf) - half)


def test_part_file_restarts_when_server_ignores_range(
    server: Server, pdf: bytes, tmp_path: Path
) -> None:
    (tmp_path / f"{PDF_ID}.pdf.part").write_bytes(pdf[:100] + b"stale bytes, another version")
    server.routes = {"/paper.pdf": pdf}
    server.ranges = False
    urls = {PDF_ID: [server.url("/paper.pdf")]}

    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    assert report.downloaded == [PDF_ID]
    assert (tmp_path / f"{PDF_ID}.pdf").read_bytes() == pdf  # overwritten, not appended to
    assert [hit.status for hit in server.hits] == [200]


def test_complete_part_file_is_downloaded_again_after_416(
    server: Server, pdf: bytes, tmp_path: Path
) -> None:
    # A .part holding the whole file (interrupted just before the rename): the server answers
    # 416 to "bytes=<size>-", and the download starts over rather than failing.
    (tmp_path / f"{PDF_ID}.pdf.part").write_bytes(pdf)
    server.routes = {"/paper.pdf": pdf}
    urls = {PDF_ID: [server.url("/paper.pdf")]}

    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    assert report.downloaded == [PDF_ID]
    assert (tmp_path / f"{PDF_ID}.pdf").read_bytes() == pdf
    assert [hit.status for hit in server.hits] == [416, 200]


def test_part_file_that_is_no_pdf_is_not_resumed(
    server: Server, pdf: bytes, tmp_path: Path
) -> None:
    (tmp_path / f"{PDF_ID}.pdf.part").write_bytes(ERROR_PAGE[:40])
    server.routes = {"/paper.pdf": pdf}
    urls = {PDF_ID: [server.url("/paper.pdf")]}

    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    assert report.downloaded == [PDF_ID]
    assert (tmp_path / f"{PDF_ID}.pdf").read_bytes() == pdf
    assert [hit.range for hit in server.hits] == [None]


def test_interrupted_download_keeps_part_and_resumes(
    server: Server, pdf: bytes, tmp_path: Path
) -> None:
    server.routes = {"/paper.pdf": pdf}
    server.cut_short = {"/paper.pdf"}
    urls = {PDF_ID: [server.url("/paper.pdf")]}

    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    reason = report.failed[PDF_ID]
    assert "run again to resume" in reason and "\n" not in reason
    part = tmp_path / f"{PDF_ID}.pdf.part"
    assert 0 < part.stat().st_size < len(pdf)
    assert not (tmp_path / f"{PDF_ID}.pdf").exists()

    kept = part.stat().st_size
    server.cut_short = set()
    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    assert report.downloaded == [PDF_ID]
    assert (tmp_path / f"{PDF_ID}.pdf").read_bytes() == pdf
    assert server.hits[-1].range == f"bytes={kept}-"


def test_html_error_page_instead_of_pdf_is_rejected(
    server: Server, pdf: bytes, tmp_path: Path
) -> None:
    server.routes = {"/blocked.pdf": ERROR_PAGE, "/good.pdf": pdf}
    urls = {
        PDF_ID: [server.url("/blocked.pdf")],
        PDF_ID2: [server.url("/good.pdf")],
        WEB_ID: [server.url("/missing.html")],
    }

    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    assert report.downloaded == [PDF_ID2]
    assert "HTML page" in report.failed[PDF_ID]
    assert "HTTP 404" in report.failed[WEB_ID]
    assert all("\n" not in reason for reason in report.failed.values())
    assert not (tmp_path / f"{PDF_ID}.pdf").exists()
    assert not list(tmp_path.glob("*.part"))


def test_offline_fails_fast_with_advice(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_unused_port()}"
    urls = {PDF_ID: [f"{dead}/a.pdf"], PDF_ID2: [f"{dead}/b.pdf"]}

    with pytest.raises(FetchError) as info:
        fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False, timeout=5)

    message = str(info.value)
    assert isinstance(info.value, PaperQAError)
    assert "paperqa ingest --source DIR" in message and "127.0.0.1" in message
    assert "\n" not in message
    assert [p.name for p in tmp_path.iterdir() if p.name != LOCK_FILE] == []


def test_a_second_fetch_into_the_same_folder_is_refused_while_one_runs(tmp_path: Path) -> None:
    from filelock import FileLock

    with FileLock(str(tmp_path / LOCK_FILE)), pytest.raises(FetchError, match="another"):
        fetch_reading_list(tmp_path, [PDF_ID], progress=False)


def test_connection_error_after_a_success_fails_only_that_file(
    server: Server, pdf: bytes, tmp_path: Path
) -> None:
    first, second = (p.id for p in reading_list() if p.id in {PDF_ID, PDF_ID2})
    server.routes = {"/ok.pdf": pdf}
    dead = f"http://127.0.0.1:{_unused_port()}/gone.pdf"
    urls = {first: [server.url("/ok.pdf")], second: [dead]}

    report = fetch_reading_list(tmp_path, urls, base_urls=urls, progress=False)

    assert report.downloaded == [first]
    assert report.failed[second].startswith("cannot connect to 127.0.0.1")


def test_unknown_id_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="no reading-list paper matches 'no-such-paper'"):
        fetch_reading_list(tmp_path, ["no-such-paper"], progress=False)


def test_papers_are_chosen_by_id_or_title_words_as_elsewhere() -> None:
    from paperqa.fetch import _select

    chosen = {p.id for p in _select(["attention", "residual networks", "gpipe"])}
    assert chosen == {"attention-is-all-you-need", "identity-mappings-resnets", "gpipe"}
