import csv
import logging
import random
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from pdf_factory import (
    encrypt_pdf,
    make_image_only_pdf,
    make_pdf,
    make_title_page_pdf,
    paragraph_lines,
)
from pypdf import PdfReader

from paperqa.errors import ParseError
from paperqa.ingest.clean import Vocabulary
from paperqa.ingest.parse import SUPPORTED_SUFFIXES, parse_file


def _words(text: str) -> str:
    """Lowercase with single spaces, for phrase checks that ignore line breaks."""
    return " ".join(text.lower().split())


def _full_text(doc) -> str:
    return "\n\n".join(p.text for p in doc.pages)


@pytest.fixture
def paper(tmp_path: Path) -> Path:
    """A 4-page paper with a running header, page numbers, headings and hyphenated breaks."""
    pages = [
        ["1 Introduction", *paragraph_lines(), "We learn a repre-", "sentation of the input."],
        [*paragraph_lines(), "2 Method", *paragraph_lines(60), "Training is time-", "consuming."],
        ["2.1 Details", "8 GPUs were used for training in all runs.", *paragraph_lines()],
        ["References", *paragraph_lines(40)],
    ]
    return make_pdf(
        tmp_path / "paper.pdf",
        pages,
        header="Journal of Testing, Volume 7",
        page_numbers=True,
        title="A Small Test Paper",
        author="Ada Lovelace, Alan Turing",
    )


def test_pdf_pages_text_and_metadata(paper: Path) -> None:
    doc = parse_file(paper)
    assert doc.kind == "pdf"
    assert [p.number for p in doc.pages] == [1, 2, 3, 4]
    assert doc.title == "A Small Test Paper"
    assert doc.authors == ["Ada Lovelace", "Alan Turing"]
    assert doc.quality == "ok" and doc.quality_note == ""
    assert "the model learns a simple representation" in _words(doc.pages[0].text)


def test_pdf_running_header_and_page_numbers_are_dropped(paper: Path) -> None:
    doc = parse_file(paper)
    for page in doc.pages:
        assert "Journal of Testing" not in page.text
        lines = [ln.strip() for ln in re.split(r"\n+", page.text)]
        assert str(page.number) not in lines


def test_pdf_hyphenated_line_breaks(paper: Path) -> None:
    text = _full_text(parse_file(paper))
    assert "a representation of the input" in _words(text)
    assert "time-consuming" in text  # a real compound keeps its hyphen


def test_pdf_numbered_headings_with_offsets(paper: Path) -> None:
    doc = parse_file(paper)
    found = [h for p in doc.pages for _, h in p.headings]
    assert found == ["1 Introduction", "2 Method", "2.1 Details", "References"]
    for page in doc.pages:
        for offset, heading in page.headings:
            assert page.text[offset:].startswith(heading)
    # A wrapped line that starts with a number is not a section heading.
    assert "8 GPUs were used" not in found


def test_pdf_metadata_title_that_is_a_file_name_is_ignored(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "m.pdf", [paragraph_lines()], title="BookVersion.dvi")
    assert parse_file(path).title is None


def test_encrypted_pdf_needs_password(paper: Path, tmp_path: Path) -> None:
    locked = encrypt_pdf(paper, tmp_path / "locked.pdf", "secret", "owner")
    with pytest.raises(ParseError, match="encrypted PDF, a password is required") as err:
        parse_file(locked)
    assert "\n" not in str(err.value)


def test_encrypted_pdf_with_empty_user_password_is_read(paper: Path, tmp_path: Path) -> None:
    restricted = encrypt_pdf(paper, tmp_path / "restricted.pdf", "", "owner")
    doc = parse_file(restricted)
    assert len(doc.pages) == 4
    assert "representation" in doc.pages[0].text


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    with pytest.raises(ParseError, match="corrupt PDF"):
        parse_file(path)


def test_truncated_pdf(paper: Path, tmp_path: Path) -> None:
    data = paper.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError, match="truncated"):
        parse_file(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(ParseError, match=r"empty file \(0 bytes\)"):
        parse_file(path)


def test_tiny_pdf(tmp_path: Path) -> None:
    path = tmp_path / "tiny.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(ParseError, match="too small"):
        parse_file(path)


def test_file_named_pdf_that_is_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "page.pdf"
    path.write_text("<html><body>Sorry, this is a login page.</body></html>")
    with pytest.raises(ParseError, match="not a PDF"):
        parse_file(path)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = make_image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(ParseError, match="no text layer"):
        parse_file(path)


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    docx = tmp_path / "notes.docx"
    docx.write_bytes(b"PK\x03\x04")
    with pytest.raises(ParseError, match=r"unsupported file type \.docx"):
        parse_file(docx)
    with pytest.raises(ParseError, match="not found"):
        parse_file(tmp_path / "absent.pdf")
    assert {".pdf", ".html", ".htm", ".md", ".markdown"} == SUPPORTED_SUFFIXES


def test_pypdf_warnings_stay_off_the_terminal(
    paper: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture
) -> None:
    # A wrong startxref offset: pypdf recovers but logs warnings while doing so.
    data = paper.read_bytes().replace(b"startxref\n", b"startxref\n1")
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(data)
    with caplog.at_level(logging.WARNING):
        PdfReader(damaged).pages[0].extract_text()
    assert any(r.name.startswith("pypdf") for r in caplog.records)  # pypdf alone is noisy

    caplog.clear()
    with caplog.at_level(logging.WARNING):
        doc = parse_file(damaged)
    assert len(doc.pages) == 4
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert capsys.readouterr().err == ""


HTML_PAGE = """<!DOCTYPE html>
<html><head><title>My Blog » Blog Archive » Why Sorting Is Hard</title>
<style>body { color: red }</style><script>var tracker = "analytics";</script></head>
<body>
<div id="header"><h1>My Blog</h1><nav><a href="/">Home</a> <a href="/about">About me</a></nav></div>
<div class="content">
  <div class="post" id="post-1">
    <h2>Why Sorting Is Hard</h2>
    <div class="entry">
      <p>Sorting looks easy, but comparison sorts need n log n comparisons in the worst case.</p>
      <p>This lower bound follows from counting the leaves of a decision tree.</p>
      <h3>Beyond comparisons</h3>
      <p>Radix sort escapes the bound by looking at the digits of the keys themselves.</p>
      <div class="share-buttons">Share on Twitter</div>
    </div>
  </div>
  <h3 id="comments">2 Responses to "Why Sorting Is Hard"</h3>
  <ol class="commentlist">
    <li><cite>Bob</cite> Says: <p>Great post, but what about bogosort and its friends?</p></li>
    <li><cite>Eve</cite> Says: <p>I think the lower bound argument has a subtle gap here.</p></li>
  </ol>
</div>
<div id="sidebar"><h2>Archives</h2><ul><li>March 2011</li><li>April 2011</li></ul></div>
<footer>Copyright 2011 My Blog. Powered by WordPress.</footer>
</body></html>
"""


def test_html_keeps_the_post_and_drops_comments_nav_and_sidebar(tmp_path: Path) -> None:
    path = tmp_path / "post.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    doc = parse_file(path)
    assert doc.kind == "html"
    assert len(doc.pages) == 1 and doc.pages[0].number == 1
    assert doc.title == "Why Sorting Is Hard"
    text = doc.pages[0].text
    assert "n log n comparisons" in text and "digits of the keys" in text
    for noise in ("bogosort", "subtle gap", "Responses", "About me", "Archives", "Copyright",
                  "tracker", "color: red", "Share on Twitter"):  # fmt: skip
        assert noise not in text, noise
    headings = [h for _, h in doc.pages[0].headings]
    assert headings == ["Why Sorting Is Hard", "Beyond comparisons"]
    for offset, heading in doc.pages[0].headings:
        assert text[offset:].startswith(heading)


def test_html_article_element_is_preferred(tmp_path: Path) -> None:
    body = "<p>" + "Slot shuffling lets every reader see every other slot. " * 12 + "</p>"
    page = (
        "<html><head><title>Notes</title></head><body><nav>Menu Home</nav>"
        f"<article><h1>On Shuffling</h1>{body}</article>"
        "<section class='comments'><p>" + "A reader comment that is long. " * 40 + "</p></section>"
        "</body></html>"
    )
    path = tmp_path / "notes.htm"
    path.write_text(page, encoding="utf-8")
    doc = parse_file(path)
    assert doc.pages[0].text.startswith("On Shuffling")
    assert "reader comment" not in doc.pages[0].text
    assert "Menu" not in doc.pages[0].text


def test_html_sidebar_before_the_content_does_not_take_the_page_with_it(tmp_path: Path) -> None:
    body = "<p>" + "Braided pooling makes very deep texture networks trainable. " * 10 + "</p>"
    page = (
        "<html><head><title>Texture Nets</title></head><body><div id='wrap'>"
        "<div class='col'><h2>Recent Posts</h2><ul><li>An older post title</li></ul></div>"
        f"<div class='col-main'><h1>Texture Nets</h1>{body}{body}</div>"
        "</div></body></html>"
    )
    path = tmp_path / "deep.html"
    path.write_text(page, encoding="utf-8")
    text = parse_file(path).pages[0].text
    assert text.startswith("Texture Nets\n\nBraided pooling")
    assert "older post" not in text and "Recent Posts" not in text


MARKDOWN = """---
layout: post
comments: true
title:  "Slot Models"
date:   2016-03-14 09:30:00
---

Intro text with a [link to code](https://github.com/example/slot-models) and *emphasis*.

<div class="imgcap">
<img src="/assets/diagram.jpeg">
<div class="thecap">Each circle is a slot.</div>
</div>

![a diagram](/assets/other.png)

## Lattice Networks

**Slots**. Lattice networks read and write rows of slots.

- first point
- second point

```python
# this comment is code, not a heading
print("hello")
```

<!-- ===== source: notes/part2.md ===== -->
---
layout: page
permalink: /part2/
---

## Part Two

Text of the second part.
"""


def test_markdown_front_matter_html_images_links_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "post.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = parse_file(path)
    assert doc.kind == "md"
    assert doc.title == "Slot Models"
    text = doc.pages[0].text
    assert text.startswith("Intro text with a link to code and emphasis.")
    for gone in ("layout:", "permalink", "https://", "<div", "<img", "![", "](", "**", "source:"):
        assert gone not in text, gone
    assert "Each circle is a slot." in text
    assert "• first point" in text
    assert 'print("hello")' in text
    headings = [h for _, h in doc.pages[0].headings]
    assert headings == ["Lattice Networks", "Part Two"]
    for offset, heading in doc.pages[0].headings:
        assert text[offset:].startswith(heading)


@pytest.mark.parametrize("name", ["junk.md", "junk.html"])
def test_binary_data_under_a_text_name_is_an_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(random.Random(3).randbytes(20_000))
    with pytest.raises(ParseError, match=rf"{name}: binary data, not (MD|HTML) text"):
        parse_file(path)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("name", ["notes.md", "notes.html"])
def test_utf16_and_utf32_text_with_a_byte_order_mark_is_read(
    tmp_path: Path, name: str, codec: str
) -> None:
    # Windows editors save "Unicode" text as UTF-16 with a byte order mark: text, not binary data
    body = "The naïve lattice keeps 42 slots; each valve wipes the slots it is given. " * 4
    text = (
        f"# Valve Notes\n\n{body}\n"
        if name.endswith(".md")
        else (
            f"<html><head><title>Valve Notes</title></head><body><h1>Valve Notes</h1>"
            f"<p>{body}</p></body></html>"
        )
    )
    bom = {"utf-16": "", "utf-16-be": "\ufeff", "utf-32": ""}[codec]  # utf-16/32 write one
    path = tmp_path / name
    path.write_bytes((bom + text).encode(codec))
    doc = parse_file(path)
    assert doc.title == "Valve Notes"
    assert "The naïve lattice keeps 42 slots" in _full_text(doc)


def test_html_nested_too_deeply_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * 2000 + "text" + "</div>" * 2000 + "</body></html>")
    with pytest.raises(ParseError, match=r"deep\.html: HTML nested too deeply"):
        parse_file(path)


def test_markdown_without_text_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.markdown"
    path.write_text("---\ntitle: Nothing\n---\n\n![only an image](x.png)\n", encoding="utf-8")
    with pytest.raises(ParseError, match="no readable text"):
        parse_file(path)


# ---------------------------------------------------------------------------------------------
# The real corpus


def _manifest(corpus_dir: Path) -> list[dict[str, str]]:
    with (corpus_dir / "manifest.tsv").open(encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle, delimiter="\t") if row["local_file"]]


@pytest.fixture(scope="module")
def corpus_docs(corpus_dir: Path) -> dict[str, object]:
    rows = _manifest(corpus_dir)
    with ProcessPoolExecutor(max_workers=2) as pool:  # as ingest parses: about half the time
        docs = pool.map(parse_file, [corpus_dir / row["local_file"] for row in rows])
        return {row["id"]: doc for row, doc in zip(rows, docs, strict=True)}


@pytest.mark.slow
def test_every_corpus_file_parses_with_the_manifest_page_count(corpus_dir, corpus_docs) -> None:
    for row in _manifest(corpus_dir):
        doc = corpus_docs[row["id"]]
        expected = int(row["pages"]) if row["pages"] else 1
        assert len(doc.pages) == expected, row["id"]
        assert sum(len(p.text) for p in doc.pages) > 5000, row["id"]


@pytest.mark.slow
def test_clean_corpus_papers_are_ok_and_unrepaired(corpus_docs) -> None:
    garbled = {"keeping-nn-simple-mdl-weights", "kolmogorov-complexity-algorithmic-randomness"}
    for doc_id, doc in corpus_docs.items():
        if doc_id not in garbled:
            assert (doc.quality, doc.quality_note) == ("ok", ""), doc_id


@pytest.mark.slow
def test_attention_paper(corpus_docs) -> None:
    doc = corpus_docs["attention-is-all-you-need"]
    assert doc.quality == "ok"
    headings = [h for p in doc.pages for _, h in p.headings]
    assert "3.2.1 Scaled Dot-Product Attention" in headings
    assert "5.4 Regularization" in headings
    text = _full_text(doc)
    assert "arXiv:1706.03762v7" not in text  # the arXiv side stamp
    assert "Scaled Dot-Product Attention" in text


@pytest.mark.slow
def test_iclr_running_header_is_dropped(corpus_docs) -> None:
    text = _full_text(corpus_docs["dilated-convolutions"])
    assert "Published as a conference paper at ICLR 2016" not in text
    assert "dilated convolutions" in text.lower()


@pytest.mark.slow
def test_mdl_paper_is_flagged_and_repaired(corpus_docs) -> None:
    doc = corpus_docs["keeping-nn-simple-mdl-weights"]
    assert doc.quality == "repaired"
    assert "broken word spacing repaired on 9/9 pages" in doc.quality_note
    assert "decimal points read as colons put back" in doc.quality_note
    text = _full_text(doc)
    assert "/#" not in text
    assert "relative error was 0.286" in text and " : 286" not in text
    assert "starts at .05 and" in text
    words = _words(text)
    for phrase in (
        "adding gaussian noise",
        "the expected squared error",
        "the amount of information in the weights",
        "university of toronto",
        "computed efficiently",
    ):
        assert phrase in words, phrase
    vocab = Vocabulary()
    tokens = [t for t in re.findall(r"[A-Za-z]{2,}", text)]
    assert sum(map(vocab.is_english, tokens)) / len(tokens) > 0.9


@pytest.mark.slow
def test_kolmogorov_ocr_excerpt_is_flagged(corpus_docs) -> None:
    doc = corpus_docs["kolmogorov-complexity-algorithmic-randomness"]
    assert doc.quality in ("repaired", "poor")
    assert "OCR artifacts" in doc.quality_note
    assert "Algorithmic statistics" in doc.pages[0].text  # was 'Algorithm ic statistics'


@pytest.mark.slow
def test_first_law_html_has_the_post_without_reader_comments(corpus_dir, corpus_docs) -> None:
    doc = corpus_docs["first-law-of-complexodynamics"]
    text = doc.pages[0].text
    assert doc.title == "The First Law of Complexodynamics"
    page_size = (corpus_dir / "web" / "first-law-of-complexodynamics.html").stat().st_size
    assert len(text) < 0.15 * page_size  # the post is ~15k characters, the page ~230 kB
    assert "Setting Time Aright" in text  # first paragraph
    assert "xkcd" in text  # last paragraph
    for marker in ("Comment #", "Responses to", " Says:"):
        assert marker not in text, marker


@pytest.mark.slow
def test_markdown_corpus_files(corpus_docs) -> None:
    rnn = corpus_docs["unreasonable-effectiveness-of-rnns"]
    assert rnn.title == "The Unreasonable Effectiveness of Recurrent Neural Networks"
    assert "Character-Level Language Models" in [h for _, h in rnn.pages[0].headings]
    notes = corpus_docs["cs231n-notes"].pages[0]
    assert "permalink:" not in notes.text and "<!--" not in notes.text
    assert len(notes.headings) > 50


def test_a_pdf_without_a_metadata_title_takes_the_largest_type_of_its_first_page(
    tmp_path: Path,
) -> None:
    path = make_title_page_pdf(
        tmp_path / "2101.99999v2.pdf",
        "Lattice Memories for Sparse Recall",
        "Ada Quill, Bo Marsh",
        stamp="arXiv:2101.99999v2 [cs.LG] 3 Feb 2021",
    )
    doc = parse_file(path)
    assert doc.title == "Lattice Memories for Sparse Recall"  # not the stamp, not the authors
    assert doc.arxiv_id == "2101.99999"


def test_a_first_page_of_body_text_alone_gives_no_title(tmp_path: Path) -> None:
    doc = parse_file(make_pdf(tmp_path / "notes.pdf", [paragraph_lines()]))
    assert doc.title is None and doc.arxiv_id is None
