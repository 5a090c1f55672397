"""Evidence pages: a generated PDF rendered with and without a highlighted quote, and bad input."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pdf_factory import make_pdf
from PIL import Image

from paperqa.evidence import (
    MAX_QUOTE_CHARS,
    BadQuoteError,
    check_quote,
    evidence_router,
    evidence_url,
    find_quote,
    letters_and_digits,
    quote_page,
)

LINES = [  # invented text
    "The mixer is built from a column of K = 7 gated blocks.",
    "Each gated block ends in a small, slot-",
    "wise fully recurrent read-out network.",
    "Slot shuffling is applied at a rate of 0.15 to every block.",
]


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    pdf = make_pdf(tmp_path / "paper.pdf", [LINES, ["A second page about something else."]])
    note = tmp_path / "note.md"
    note.write_text("# A note\n")
    documents = {
        "paper": {"path": str(pdf), "kind": "pdf"},
        "note": {"path": str(note), "kind": "md"},
        "gone": {"path": str(tmp_path / "gone.pdf"), "kind": "pdf"},
        "damaged": {"path": str(tmp_path / "damaged.pdf"), "kind": "pdf"},
    }
    (tmp_path / "damaged.pdf").write_bytes(b"%PDF-1.4 replaced since ingest")
    app = FastAPI()

    def pdf_file(doc_id: str) -> Path | None:
        meta = documents.get(doc_id)
        return Path(meta["path"]) if meta and meta["kind"] == "pdf" else None

    app.include_router(evidence_router(pdf_file))
    return TestClient(app)


def _pixels(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def _yellow(image: Image.Image) -> int:
    """Pixels tinted by the highlight: red and green high, blue clearly lower."""
    r, g, b = np.asarray(image, dtype=np.int32).transpose(2, 0, 1)
    return int(((r > 200) & (g > 150) & (b < 160)).sum())


def test_a_quote_on_the_page_is_highlighted(client: TestClient) -> None:
    plain = client.get("/evidence/paper/1.png")
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "image/png"
    marked = client.get("/evidence/paper/1.png", params={"quote": "K = 7"})
    assert marked.status_code == 200
    assert marked.content != plain.content
    assert _yellow(_pixels(plain.content)) == 0
    assert _yellow(_pixels(marked.content)) > 100
    assert _pixels(marked.content).size == _pixels(plain.content).size


def test_hyphenated_and_respaced_quotes_are_found(client: TestClient) -> None:
    plain = _yellow(_pixels(client.get("/evidence/paper/1.png").content))
    quote = "a small,  slot-wise fully recurrent READ-OUT network"
    across_lines = _pixels(client.get("/evidence/paper/1.png", params={"quote": quote}).content)
    one_line = _pixels(client.get("/evidence/paper/1.png", params={"quote": "K = 7"}).content)
    assert _yellow(across_lines) > _yellow(one_line) > plain


def test_a_quote_elsewhere_leaves_the_page_plain(client: TestClient) -> None:
    plain = client.get("/evidence/paper/2.png").content
    other = client.get("/evidence/paper/2.png", params={"quote": LINES[0]}).content
    assert other == plain


@pytest.mark.parametrize(
    "path",
    [
        "/evidence/zephyr/1.png",  # no such paper
        "/evidence/paper/3.png",  # no such page
        "/evidence/paper/0.png",
        "/evidence/paper/x.png",
        "/evidence/note/1.png",  # not a PDF
        "/evidence/gone/1.png",  # ingested, file removed since
        "/evidence/damaged/1.png",  # ingested, file no longer a PDF
        "/evidence/..%2Fpaper/1.png",
    ],
)
def test_unknown_paper_or_page_is_404(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("quote", ["x" * (MAX_QUOTE_CHARS + 1), "bad\x00quote", "a\x1bb"])
def test_bad_quote_is_400(client: TestClient, quote: str) -> None:
    response = client.get("/evidence/paper/1.png", params={"quote": quote})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_quote_matching_ignores_case_spacing_hyphens_and_ligatures() -> None:
    page, _ = letters_and_digits("The ﬁrst block is slot-\nwise; K = 7 here.")
    assert find_quote(page, "the first block is slotwise") is not None
    assert find_quote(page, "K=7") is not None
    # Only its longest sentence occurs: that sentence is found.
    span = find_quote(page, "Not on the page at all, no. The first block is slot-wise.")
    assert span is not None and page[span[0] : span[1]] == "thefirstblockisslotwise"
    assert find_quote(page, "completely different words") is None
    assert find_quote(page, "...") is None


def test_quote_checks_and_urls() -> None:
    assert check_quote("  fine quote\n") == "fine quote"
    with pytest.raises(BadQuoteError):
        check_quote("\x07")
    url = evidence_url("paper", 3, "K = 7 \uf8f1 blocks\x00")
    assert url == "/evidence/paper/3.png?quote=K%20%3D%207%20blocks"
    assert evidence_url("paper", 3, None) == "/evidence/paper/3.png"


def test_quote_page_picks_the_page_of_a_passage_that_holds_the_quote(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "two.pdf", [["The first page says hello."], LINES])
    assert quote_page(pdf, 1, 2, "Slot shuffling is applied at a rate of 0.15") == 2
    assert quote_page(pdf, 1, 2, "The first page says hello.") == 1
    assert quote_page(pdf, 1, 2, "words on no page at all") == 1
    assert quote_page(tmp_path / "gone.pdf", 3, 4, "anything") == 3
    (tmp_path / "damaged.pdf").write_bytes(b"%PDF-1.4 and nothing else")
    assert quote_page(tmp_path / "damaged.pdf", 3, 4, "anything") == 3
