"""Evidence pages: one page of an ingested PDF as a PNG, the quoted text highlighted.

pypdfium2 renders the page and finds where the quote's characters lie on it; pypdf stays the
parser of the index. A quote is matched on letters and digits only (case, spaces, punctuation,
hyphenation and ligatures differ between the two libraries' text), so ``N = 6`` finds "N = 6"
and ``position-wise`` finds "position-" + line break + "wise". When the whole quote is not on
the page, its longest sentence, then its longest prefix or suffix of at least ``MIN_MATCH``
characters is highlighted; when nothing matches the plain page is returned.

``evidence_router(pdf_file)`` serves the app's ``/evidence/{doc_id}/{page}.png`` route;
``pdf_file(doc_id)`` is the app's own answer to "which ingested PDF may be served for this id"
(None: 404), so the route reads no other file on disk.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from paperqa.errors import PaperQAError
from paperqa.text import display_text, letters_and_digits, split_sentences

MAX_QUOTE_CHARS = 1000
SCALE = 1.5  # 108 dpi: readable, ~1 s to render and encode a page on one core
MIN_MATCH = 12  # letters and digits a partial match needs to count
HIGHLIGHT = (255, 214, 0, 96)  # translucent yellow over the text
OUTLINE = (230, 150, 0, 255)
CACHE_SIZE = 32  # renders kept in memory (a page is ~150-400 kB of PNG)

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF units

# PDFium is not thread-safe: one render or text search at a time in the process.
_PDFIUM = threading.Lock()


class EvidenceNotFound(PaperQAError):
    """No such document, no such page of it, or the document is not a PDF."""


class BadQuoteError(PaperQAError):
    """The quote to highlight is too long or holds control characters."""


def check_quote(quote: str | None) -> str:
    """The quote, stripped; raises BadQuoteError for one that is too long or has control chars."""
    quote = (quote or "").strip()
    if len(quote) > MAX_QUOTE_CHARS:
        raise BadQuoteError(f"the quote is {len(quote)} characters; the limit is {MAX_QUOTE_CHARS}")
    if any(unicodedata.category(c) in ("Cc", "Cs") and not c.isspace() for c in quote):
        raise BadQuoteError("the quote holds control characters")
    return quote


class EvidenceRenderer:
    """Renders pages of the PDFs that ``pdf_file(doc_id)`` names (None: no such servable PDF)."""

    def __init__(self, pdf_file: Callable[[str], Path | None]) -> None:
        self._pdf_file = pdf_file

    def png(self, doc_id: str, page: int, quote: str | None = None) -> bytes:
        """PNG of page ``page`` (1-based) of ``doc_id``, with ``quote`` highlighted if found."""
        quote = check_quote(quote)
        path = self._pdf_file(doc_id)
        if path is None or not path.is_file():
            raise EvidenceNotFound(f"no ingested PDF with id {doc_id!r}")
        return render_page(path, path.stat().st_mtime_ns, page, quote)


@lru_cache(maxsize=CACHE_SIZE)
def render_page(path: Path, mtime_ns: int, page: int, quote: str) -> bytes:
    """PNG bytes of a page with the quote's boxes drawn; cached by file version, page and quote."""
    import pypdfium2 as pdfium

    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise EvidenceNotFound(f"{path.name} cannot be opened as a PDF ({exc})") from exc
        try:
            if not 1 <= page <= len(pdf):
                raise EvidenceNotFound(f"{path.name} has no page {page} (it has {len(pdf)})")
            pdf_page = pdf[page - 1]
            boxes = quote_boxes(pdf_page.get_textpage(), quote) if quote else []
            bitmap = pdf_page.render(scale=SCALE)
            image = bitmap.to_pil()
            corners = [_to_pixels(bitmap.get_posconv(pdf_page), box) for box in boxes]
        finally:
            pdf.close()
    return _encode(image, corners)


def quote_page(path: str | Path, first: int, last: int, quote: str) -> int:
    """The page of ``first..last`` where most of the quote lies (a passage may span a page
    break); ``first`` when the file cannot be read or the quote is on none of them."""
    try:
        path = Path(path)
        return _quote_page(path, path.stat().st_mtime_ns, first, last, check_quote(quote))
    except (OSError, PaperQAError):
        return first


@lru_cache(maxsize=256)
def _quote_page(path: Path, mtime_ns: int, first: int, last: int, quote: str) -> int:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    best, best_length = first, 0
    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            return first
        try:
            for page in range(max(first, 1), min(last, len(pdf)) + 1):
                textpage = pdf[page - 1].get_textpage()
                count = textpage.count_chars()
                text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))
                span = find_quote(letters_and_digits(text)[0], quote)
                if span is not None and span[1] - span[0] > best_length:
                    best, best_length = page, span[1] - span[0]
        except pdfium.PdfiumError:
            return first
        finally:
            pdf.close()
    return best


def quote_boxes(textpage: Any, quote: str) -> list[Box]:
    """Boxes (one per line of text) covering the best match of ``quote`` on the page."""
    import pypdfium2.raw as pdfium_c

    count = textpage.count_chars()
    text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage, i)) for i in range(count))
    haystack, positions = letters_and_digits(text)
    span = find_quote(haystack, quote)
    if span is None:
        return []
    first, last = positions[span[0]], positions[span[1] - 1]
    textpage.count_rects()  # PDFium computes rectangles once for the whole page first
    rects = textpage.count_rects(first, last - first + 1)
    return [textpage.get_rect(i) for i in range(rects)]


def find_quote(haystack: str, quote: str) -> tuple[int, int] | None:
    """Where in ``haystack`` the quote (or its best part) lies, as letter/digit offsets."""
    needle, _ = letters_and_digits(quote)
    if not needle:
        return None
    start = haystack.find(needle)
    if start >= 0:
        return start, start + len(needle)
    sentences = sorted((letters_and_digits(s)[0] for s in split_sentences(quote)), key=len)
    for sentence in reversed(sentences):
        start = haystack.find(sentence) if len(sentence) >= MIN_MATCH else -1
        if start >= 0:
            return start, start + len(sentence)
    return _longest_end_match(haystack, needle)


def _longest_end_match(haystack: str, needle: str) -> tuple[int, int] | None:
    """The longest prefix, else suffix, of ``needle`` (>= MIN_MATCH) found in ``haystack``."""
    best: tuple[int, int] | None = None
    for piece in (lambda n: needle[:n], lambda n: needle[-n:]):
        low, high = MIN_MATCH - 1, len(needle)  # a prefix that occurs has shorter ones occur too
        while low < high:
            mid = (low + high + 1) // 2
            if piece(mid) in haystack:
                low = mid
            else:
                high = mid - 1
        if low >= MIN_MATCH and (best is None or low > best[1] - best[0]):
            start = haystack.find(piece(low))
            best = (start, start + low)
    return best


def _to_pixels(posconv: Any, box: Box) -> tuple[float, float, float, float]:
    left, bottom, right, top = box
    x0, y0 = posconv.to_bitmap(left, top)
    x1, y1 = posconv.to_bitmap(right, bottom)
    pad = 2
    return min(x0, x1) - pad, min(y0, y1) - pad, max(x0, x1) + pad, max(y0, y1) + pad


def _encode(image: Any, corners: list[tuple[float, float, float, float]]) -> bytes:
    from PIL import Image, ImageDraw

    image = image.convert("RGBA")
    if corners:
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for box in corners:
            draw.rectangle(box, fill=HIGHLIGHT, outline=OUTLINE, width=2)
        image = Image.alpha_composite(image, overlay)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG")
    return out.getvalue()


def evidence_router(pdf_file: Callable[[str], Path | None]):  # -> fastapi.APIRouter
    """The app's ``GET /evidence/{doc_id}/{page}.png?quote=...`` route over ``pdf_file``."""
    from fastapi import APIRouter, HTTPException, Query
    from fastapi.responses import Response

    renderer = EvidenceRenderer(pdf_file)
    router = APIRouter()

    @router.get("/evidence/{doc_id}/{page}.png", response_class=Response)
    def evidence(doc_id: str, page: str, quote: str | None = Query(None)) -> Response:
        """The page as PNG with the quote highlighted; 404 unknown paper/page, 400 bad quote."""
        if not page.isdigit():
            raise HTTPException(status_code=404, detail=f"no page {page!r}")
        try:
            png = renderer.png(doc_id, int(page), quote)
        except EvidenceNotFound as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        except BadQuoteError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from exc
        return Response(png, media_type="image/png", headers={"Cache-Control": "max-age=3600"})

    return router


def evidence_url(doc_id: str, page: int, quote: str | None) -> str:
    """The app-relative URL of a page's evidence image (the quote cut to what the route takes)."""
    from urllib.parse import quote as escape

    url = f"/evidence/{escape(doc_id, safe='')}/{page}.png"
    text = display_text(quote or "")[:MAX_QUOTE_CHARS]
    return f"{url}?quote={escape(text, safe='')}" if text else url
