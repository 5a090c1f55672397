"""Small PDFs made with reportlab for parser tests: text pages, image-only pages, encryption."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

FILLER = (
    "the model learns a simple representation of the data and the network predicts each word"
    " from the previous words while training improves the results on every test set"
)
TOP = 740  # y of the first line on a letter page
LINE = 14


def make_pdf(
    path: Path,
    pages: list[list[str]],
    *,
    header: str | None = None,
    page_numbers: bool = False,
    title: str | None = None,
    author: str | None = None,
) -> Path:
    """A PDF whose pages hold the given lines, with an optional running header and page numbers."""
    pdf = canvas.Canvas(str(path), pagesize=letter)
    if title:
        pdf.setTitle(title)
    if author:
        pdf.setAuthor(author)
    for number, lines in enumerate(pages, start=1):
        pdf.setFont("Helvetica", 11)
        y = TOP
        if header:
            pdf.drawString(72, y + 20, header)
        for line in lines:
            pdf.drawString(72, y, line)
            y -= LINE
        if page_numbers:
            pdf.drawString(300, 40, str(number))
        pdf.showPage()
    pdf.save()
    return path


def make_image_only_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF with drawn shapes and no text layer, like a scan before OCR."""
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for _ in range(pages):
        pdf.setFillGray(0.3)
        pdf.rect(72, 300, 400, 300, fill=1)
        pdf.circle(300, 200, 50, fill=1)
        pdf.showPage()
    pdf.save()
    return path


def encrypt_pdf(source: Path, target: Path, user_password: str, owner_password: str) -> Path:
    """``source`` encrypted with RC4-128 (no extra crypto package needed to read it back)."""
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def paragraph_lines(words: int = 120, width: int = 12) -> list[str]:
    """Plain English filler lines, enough text for a page to count as having a text layer."""
    vocabulary = FILLER.split(" ")
    text = [vocabulary[i % len(vocabulary)] for i in range(words)]
    return [" ".join(text[i : i + width]) for i in range(0, words, width)]


def make_title_page_pdf(path: Path, title: str, authors: str, stamp: str | None = None) -> Path:
    """A paper's first page as arXiv prints it: the title in large type, the authors below in
    smaller type, body text, and optionally the arXiv stamp set sideways in the left margin."""
    pdf = canvas.Canvas(str(path), pagesize=letter)
    pdf.setFont("Helvetica-Bold", 17)
    pdf.drawString(72, TOP, title)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, TOP - 30, authors)
    for number, line in enumerate(paragraph_lines(), start=3):
        pdf.drawString(72, TOP - number * LINE, line)
    if stamp:
        pdf.saveState()
        pdf.setFont("Times-Roman", 20)
        pdf.translate(30, 250)
        pdf.rotate(90)
        pdf.drawString(0, 0, stamp)
        pdf.restoreState()
    pdf.showPage()
    pdf.save()
    return path
