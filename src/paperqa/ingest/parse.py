"""Turning a PDF, HTML or Markdown file into cleaned page texts with headings and a quality verdict.

PDFs are read with pypdf (its warnings silenced), page by page; HTML is reduced to its main
content (no navigation, sidebars or reader comments); Markdown is stripped of front matter, inline
HTML and link targets. HTML and Markdown documents are one page. Every problem a user can fix
raises ``ParseError`` with a one-line reason.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import DependencyError

from paperqa.errors import ParseError
from paperqa.ingest.clean import (
    assemble,
    clean_pages,
    count_glyph_codes,
    decode_glyph_codes,
    drop_running_lines,
    normalize_unicode,
    words,
)
from paperqa.tables import label_table_rows

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".pdf", ".html", ".htm", ".md", ".markdown"})

# Raised whenever parsing or cleaning gives a file other text (2: decimal points read as colons
# put back; 3: table headings sharing a last word, lines naming a group of rows): an index read
# by another version reads its files again on its next update.
READING_VERSION = 3
MIN_PDF_BYTES = 100  # below this a file cannot hold a PDF page
MIN_TEXT_CHARS = 20  # less text than this over a whole PDF: scanned or image-only


@dataclass
class PageText:
    """One page of cleaned text; ``headings`` are (char offset in ``text``, heading) pairs."""

    number: int
    text: str
    headings: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class ParsedDocument:
    """A parsed file: its pages (HTML and Markdown have one), metadata and text-quality verdict."""

    path: Path
    kind: Literal["pdf", "html", "md"]
    title: str | None
    authors: list[str]
    pages: list[PageText]
    quality: Literal["ok", "repaired", "poor"] = "ok"
    quality_note: str = ""
    arxiv_id: str | None = None  # from the "arXiv:1706.03762v7 [cs.CL]" stamp of a first page


def parse_file(path: Path) -> ParsedDocument:
    """Parse one file; raises ``ParseError`` with a one-line reason when it has no usable text."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise ParseError(f"{path.name}: unsupported file type {suffix or '(none)'} ({supported})")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParseError(f"{path}: file not found") from None
    except OSError as exc:
        raise ParseError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not data.strip():
        raise ParseError(f"{path.name}: empty file ({len(data)} bytes)")
    if suffix == ".pdf":
        return _parse_pdf(path, data)
    data = _utf8_from_bom(data)
    if b"\x00" in data[:8192]:  # no text format of ours has NUL bytes; binary data has many
        raise ParseError(f"{path.name}: binary data, not {suffix[1:].upper()} text")
    if suffix in (".html", ".htm"):
        try:
            return _parse_html(path, data)
        except RecursionError:  # the parser and the text walk recurse once per nesting level
            raise ParseError(f"{path.name}: HTML nested too deeply to read") from None
    return _parse_markdown(path, data)


# UTF-32 first: its little-endian mark begins with UTF-16's
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _utf8_from_bom(data: bytes) -> bytes:
    """UTF-16 or UTF-32 text that starts with a byte order mark (Windows' "Unicode" text) as
    UTF-8 with its mark, which the Markdown and HTML readers take; other bytes unchanged."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).encode("utf-8-sig")
            except UnicodeDecodeError:  # not that text after all: binary data
                return data
    return data


# ---------------------------------------------------------------------------------------------
# Shared: assembling pages, headings


def _finish(
    path: Path,
    kind: Literal["pdf", "html", "md"],
    title: str | None,
    authors: list[str],
    pages_lines: list[list[str]],
    headings: _HeadingFinder | list[set[int]],
    repairs: list[str] | None = None,
) -> ParsedDocument:
    """Clean and check the pages' lines, find headings (or take the given heading lines), assemble.

    A PDF's flattened tables are read row by row (``paperqa.tables``).

    ``repairs`` are notes on repairs already made (glyph codes decoded).
    """
    cleaned = clean_pages(pages_lines, repairs or [])
    pages = []
    for number, lines in enumerate(cleaned.pages, start=1):
        if isinstance(headings, list):  # given as line numbers, which a rewrite would move
            heading_lines = headings[number - 1]
        else:
            lines = label_table_rows(lines)
            heading_lines = headings.find(lines)
        text, found = assemble(lines, heading_lines)
        pages.append(PageText(number, text, found))
    note = "; ".join(cleaned.notes)
    return ParsedDocument(path, kind, title, authors, pages, cleaned.quality, note)


_NAMED_HEADINGS = words(
    "abstract introduction background conclusion conclusions discussion references bibliography"
    " acknowledgments acknowledgements acknowledgment acknowledgement appendix appendices"
    " experiments results methods method summary contents preface notation"
) | {"related work", "future work", "experimental results", "experimental setup"}
_NUMBERED_RE = re.compile(
    r"^(?P<num>(?:\d{1,2}|[A-H])(?:\.\d{1,2}){0,3})\.?\s+(?P<title>[A-Z][^\n]{1,90})$"
)
_CHAPTER_RE = re.compile(
    r"^(?:chapter|part|appendix)\s+(?:\d{1,2}|[A-H]|[IVX]{1,4})\b.{0,60}$", re.I
)

_DOT_LEADERS_RE = re.compile(r"(?:\.\s?){3,}")
Number = tuple[int, ...]


class _HeadingFinder:
    """Finds section-heading lines in a PDF, keeping numbered headings in a plausible sequence.

    A line '3.2 Attention' is a heading only if its number can follow the last accepted one
    (a child, a next sibling, or a next ancestor), which rejects wrapped lines such as
    '4 machines for testing' and table rows.
    """

    def __init__(self) -> None:
        self.last: Number | None = None

    def find(self, lines: list[str]) -> set[int]:
        found = set()
        for i, raw in enumerate(lines):
            line = raw.strip()
            if not line or len(line) > 100 or _DOT_LEADERS_RE.search(line):
                continue  # table-of-contents lines are not the sections themselves
            m = _NUMBERED_RE.match(line)
            named = re.sub(r"^(?:\d{1,2}|[IVX]{1,4}|[A-H])\.?\s+", "", line).rstrip(":")
            if (named.lower() in _NAMED_HEADINGS and named[0].isupper()) or _CHAPTER_RE.match(line):
                found.add(i)
                if m:
                    self.last = self._number(m.group("num"))
            elif m and self._title_like(m.group("title")):
                number = self._number(m.group("num"))
                if self._follows(number):
                    self.last = number
                    found.add(i)
        return found

    @staticmethod
    def _title_like(title: str) -> bool:
        tokens = title.split()
        return (
            len(tokens) <= 10
            and not title.endswith((".", ",", ";"))
            and not re.search(r"\s\d{1,4}$", title)  # a table-of-contents entry's page number
            and not re.match(r"\w+\.\s", title)  # 'Example. Consider ...', 'Theorem. Let ...'
            and not re.search(r"[=<>|]|\d\S*\s+\d", title)
            # a run-in heading merged with its paragraph: 'interpretation For large ...'
            and not (len(tokens) > 6 and re.search(r"[a-z] [A-Z][a-z]+ [a-z]", title))
            and sum(c.isalpha() for c in title) >= 0.7 * len(title.replace(" ", ""))
        )

    @staticmethod
    def _number(num: str) -> Number:
        # Appendix letters count from 100 so that they follow any chapter number.
        return tuple(100 + ord(p) - ord("A") if p.isalpha() else int(p) for p in num.split("."))

    def _follows(self, number: Number) -> bool:
        if self.last is None:
            return number[-1] in (0, 1)
        if number == (100,) or number == (100, 1):
            return self.last[0] < 100  # the first appendix
        if number == (*self.last, 1):
            return True
        for k in range(len(self.last)):
            following = (*self.last[:k], self.last[k] + 1)
            # also the first subsection when the section's own heading was missed
            if number in (following, (*following, 1), (*following, 1, 1)):
                return True
        return False


# ---------------------------------------------------------------------------------------------
# PDF


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Keep pypdf's font and structure warnings off the user's terminal."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _parse_pdf(path: Path, data: bytes) -> ParsedDocument:
    texts, failed, title, authors = _read_pdf(path.name, data)
    arxiv = _ARXIV_STAMP_RE.search(texts[0])
    pages_lines = [normalize_unicode(t).split("\n") for t in texts]
    repairs = []
    glyph_pages = sum(1 for t in texts if count_glyph_codes(t) >= 3)
    if glyph_pages:  # decoded before running lines are matched, so that '/1/2' reads '12'
        pages_lines = [[decode_glyph_codes(ln) for ln in lines] for lines in pages_lines]
        repairs.append(f"glyph codes decoded on {glyph_pages}/{len(texts)} pages")
    pages_lines = drop_running_lines(pages_lines)
    doc = _finish(path, "pdf", title, authors, pages_lines, _HeadingFinder(), repairs)
    if failed:
        note = f"text extraction failed on {failed}/{len(texts)} pages"
        doc.quality_note = f"{doc.quality_note}; {note}" if doc.quality_note else note
    doc.arxiv_id = arxiv.group(1) if arxiv else None
    return doc


def _read_pdf(name: str, data: bytes) -> tuple[list[str], int, str | None, list[str]]:
    """Raw text of every page, the number of pages that failed, and the metadata title/authors."""
    if b"%PDF-" not in data[:1024]:
        raise ParseError(f"{name}: not a PDF file (no %PDF header)")
    if len(data) < MIN_PDF_BYTES:
        raise ParseError(f"{name}: file too small to be a PDF ({len(data)} bytes)")
    if b"%%EOF" not in data[-1024:]:
        raise ParseError(f"{name}: truncated or corrupt PDF (no %%EOF end marker)")
    with _quiet_pypdf():
        try:
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    opened = reader.decrypt("")  # owner-only encryption opens with ""
                except DependencyError:
                    raise ParseError(
                        f"{name}: encrypted PDF; opening it needs the 'cryptography' package"
                    ) from None
                if opened == PasswordType.NOT_DECRYPTED:
                    raise ParseError(f"{name}: encrypted PDF, a password is required")
            page_count = len(reader.pages)
        except ParseError:
            raise
        except Exception as exc:  # pypdf raises many types on damaged files
            raise ParseError(f"{name}: corrupt PDF ({_first_line(exc)})") from None
        if page_count == 0:
            raise ParseError(f"{name}: the PDF has no pages")
        texts: list[str] = []
        failed = 0
        first_page_title = None
        for number, page in enumerate(reader.pages):
            try:
                if number == 0:
                    text, first_page_title = _first_page(page)
                else:
                    text = page.extract_text()
                texts.append(text or "")
            except Exception:  # one damaged page must not lose the others
                failed += 1
                texts.append("")
        title, authors = _pdf_metadata(reader)
        title = title or first_page_title
    if sum(len(t.strip()) for t in texts) < MIN_TEXT_CHARS:
        if failed:
            raise ParseError(f"{name}: corrupt PDF (text extraction failed on {failed} pages)")
        raise ParseError(f"{name}: no text layer (scanned or image-only PDF); run OCR on it first")
    return texts, failed, title, authors


# The stamp arXiv prints up the left margin of a paper's first page.
_ARXIV_STAMP_RE = re.compile(r"arXiv:\s?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
_SMALL_CAPS_SHARE = 0.7  # small capitals: the rest of each word is set at 0.7-0.8 of its first


def _first_page(page: PageObject) -> tuple[str, str | None]:
    """The page's text, and its title: the run of text set in the largest type, read upright.

    A PDF without a title in its metadata (most arXiv papers) would otherwise be named by its
    file name. The margin stamp of arXiv is set sideways, so it is left out.
    """
    runs: list[tuple[float, str]] = []  # (type size, text); size 0 for spaces and line breaks

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if not any(abs(matrix[i]) > 1e-6 for matrix in (cm, tm) for i in (1, 2)):
            runs.append((abs(size * (tm[3] * cm[3] or 1.0)) if text.strip() else 0.0, text))

    text = page.extract_text(visitor_text=visit)
    sizes = [size for size, run in runs if sum(c.isalpha() for c in run) >= 2]
    return text, _plausible_title(_largest_type(runs, max(sizes))) if sizes else None


def _largest_type(runs: list[tuple[float, str]], largest: float) -> str:
    """The first stretch of ``runs`` set at ``largest`` (or in its small capitals), as one line."""
    start = next(i for i, (size, _) in enumerate(runs) if size >= 0.98 * largest)
    title = []
    for size, run in runs[start:]:
        small_caps = size >= _SMALL_CAPS_SHARE * largest and not any(c.islower() for c in run)
        if size and size < 0.98 * largest and not small_caps:
            break
        title.append(run)
    return " ".join("".join(title).split())


def _plausible_title(title: str) -> str | None:
    """``title`` if it reads like one: a few words, mostly letters."""
    letters = sum(c.isalpha() for c in title)
    if not 2 <= len(title.split()) <= 30 or letters < 0.7 * len(title.replace(" ", "")):
        return None
    return title


_BAD_TITLE_RE = re.compile(
    r"(\.(dvi|pdf|docx?|tex|ps|eps|indd|rtf)$)|^(untitled|title|document|slide \d+)$|^\W*$", re.I
)
_BAD_AUTHOR_RE = re.compile(r"\b(la|pdf)?tex\b|admin|^user$|owner|unknown|^\W*$|@|\d{3}", re.I)


def _pdf_metadata(reader: PdfReader) -> tuple[str | None, list[str]]:
    """Title and authors from the PDF's info dictionary when they look like real ones."""
    try:
        meta = reader.metadata
        raw_title = str(meta.title or "") if meta else ""
        raw_author = str(meta.author or "") if meta else ""
    except Exception:
        return None, []
    title = re.sub(r"^Microsoft (Word|PowerPoint) - ", "", " ".join(raw_title.split()))
    if len(title) < 4 or len(title) > 300 or _BAD_TITLE_RE.search(title):
        title = ""
    authors = [
        a.strip()
        for a in re.split(r";|,|\band\b|&", " ".join(raw_author.split()))
        if a.strip() and not _BAD_AUTHOR_RE.search(a)
    ]
    return title or None, authors


# ---------------------------------------------------------------------------------------------
# HTML

_NOISE_TAGS = sorted(
    words(
        "script style noscript template svg iframe form button input select textarea nav aside"
        " footer canvas object embed link meta head"
    )
)
_NOISE_ATTR_RE = re.compile(
    r"comment|respond|sidebar|widget|footer|navbar|^nav|menu|breadcrumb|share|social|related"
    r"|cookie|advert|disqus|postmetadata|pingback|trackback|subscribe|newsletter|skip-link",
    re.I,
)
_NOISE_HEADING_RE = re.compile(
    r"^(\d+\s+)?(responses?|comments?|replies|reactions)\b|^(leave a (reply|comment)|more posts"
    r"|related (posts|articles)|share this|you may also like|recent posts|archives|categories)",
    re.I,
)
_KEEP = ("html", "body", "article", "main")
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = words(
    "p div section article main header ul ol li dl dt dd pre blockquote figure figcaption table"
    " thead tbody tr td th caption address details summary hr h1 h2 h3 h4 h5 h6"
)
_MAIN_CLASS_RE = re.compile(r"entry-content|post-content|article-content|post-body|article-body")


def _is_noise(tag: Tag) -> bool:
    if tag.name in _KEEP:
        return False
    names = [tag.get("id") or "", *(tag.get("class") or [])]
    if any(_NOISE_ATTR_RE.search(str(n)) for n in names if n):
        return True
    if tag.name in _HEADING_TAGS:
        return bool(_NOISE_HEADING_RE.match(tag.get_text(" ", strip=True)))
    if tag.name in ("section", "div", "ol", "ul"):  # a block opened by a 'Comments' heading
        first = next(
            (c for c in tag.children if isinstance(c, Tag) and c.get_text(strip=True)), None
        )
        return bool(
            first is not None
            and first.name in _HEADING_TAGS
            and _NOISE_HEADING_RE.match(first.get_text(" ", strip=True))
        )
    return False


def _text_len(tag: Tag) -> int:
    return len(tag.get_text(" ", strip=True))


def _main_content(soup: BeautifulSoup) -> Tag:
    """The element holding the document's main text: semantic tags first, else densest <p> block."""
    body = soup.body or soup
    articles = [a for a in body.find_all("article") if _text_len(a) >= 500]
    if len(articles) == 1:
        return articles[0]
    for candidate in (
        body.find("main"),
        body.find(attrs={"role": "main"}),
        body.find(class_=_MAIN_CLASS_RE),
    ):
        if isinstance(candidate, Tag) and _text_len(candidate) >= 500:
            return candidate
    scores: dict[int, tuple[int, Tag]] = {}
    for p in body.find_all(["p", "pre", "blockquote"]):
        parent = p.parent
        if isinstance(parent, Tag):
            old = scores.get(id(parent), (0, parent))[0]
            scores[id(parent)] = (old + len(p.get_text(" ", strip=True)), parent)
    if not scores:
        return body
    best = max(scores.values(), key=lambda s: s[0])[1]
    # Widen to take in the post's own title when it sits just outside the paragraphs' block.
    while not _starts_with_heading(best) and isinstance(best.parent, Tag):
        if best.parent.name in ("body", "html", "[document]"):
            break
        if _text_len(best.parent) > 1.1 * _text_len(best) + 200:
            break
        best = best.parent
    return best


def _starts_with_heading(tag: Tag) -> bool:
    first = tag.find([*_HEADING_TAGS, "p"])
    return first is not None and first.name in _HEADING_TAGS


def _html_blocks(root: Tag) -> list[tuple[str, bool]]:
    """Paragraph texts of ``root`` in order, each with whether it is a heading."""
    blocks: list[tuple[str, bool]] = []
    inline: list[str] = []

    def flush() -> None:
        text = " ".join("".join(inline).split())
        if text:
            blocks.append((text, False))
        inline.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                inline.append(str(child))
            elif isinstance(child, Tag):
                if child.name in _HEADING_TAGS:
                    flush()
                    text = " ".join(child.get_text(" ").split())
                    if text:
                        blocks.append((text, True))
                elif child.name == "pre":
                    flush()
                    blocks.append((child.get_text(), False))
                elif child.name in _BLOCK_TAGS:
                    flush()
                    walk(child)
                    flush()
                elif child.name == "br":
                    inline.append(" ")
                else:
                    walk(child)

    walk(root)
    flush()
    return blocks


def _lines_from_blocks(blocks: list[tuple[str, bool]]) -> tuple[list[str], set[int]]:
    lines: list[str] = []
    headings: set[int] = set()
    for text, is_heading in blocks:
        if is_heading:
            headings.add(len(lines))
        lines.append(normalize_unicode(text))
        lines.append("")
    return lines, headings


def _parse_html(path: Path, data: bytes) -> ParsedDocument:
    soup = BeautifulSoup(data, "html.parser")
    titles = [
        " ".join(str(m.get("content", "")).split())
        for m in soup.find_all("meta", attrs={"property": "og:title"})
    ]
    page_title = " ".join(soup.title.get_text().split()) if soup.title else ""
    authors = [
        " ".join(str(m.get("content", "")).split())
        for m in soup.find_all("meta", attrs={"name": re.compile(r"^(author|citation_author)$")})
    ]
    for tag in soup.find_all(_NOISE_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if not tag.decomposed and _is_noise(tag):
            tag.decompose()
    root = _main_content(soup)
    blocks = _html_blocks(root)
    if sum(len(text) for text, _ in blocks) < MIN_TEXT_CHARS:
        raise ParseError(f"{path.name}: no readable text in the HTML page")
    headings = [text for text, is_heading in blocks if is_heading]
    title = (titles[0] if titles and titles[0] else None) or _pick_title(page_title, headings)
    lines, heading_lines = _lines_from_blocks(blocks)
    return _finish(path, "html", title, [a for a in authors if a], [lines], [heading_lines])


def _pick_title(page_title: str, headings: list[str]) -> str | None:
    """The article's part of a '<site> » <post>' page title, else the first heading."""
    parts = [p.strip() for p in re.split(r"\s+(?:»|\||--|–|—|::|-)\s+", page_title) if p.strip()]
    for part in parts:
        if any(part.lower() == h.lower() for h in headings):
            return part
    if parts:
        return max(parts, key=len)
    return headings[0] if headings else None


# ---------------------------------------------------------------------------------------------
# Markdown

_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_FRONT_MATTER_RE = re.compile(r"^---[ \t]*\n((?:[ \t]*(?:[\w-]+:.*|-.*|#.*)?\n)*?)---[ \t]*$", re.M)
_MD_SUBS = [
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"<(svg|script|style|math)\b.*?</\1\s*>", re.S | re.I), ""),
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"!\[[^\]]*\]\[[^\]]*\]"), ""),
    (re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)"), r"\1"),  # [text](url) -> text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref] -> text
    (re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M), ""),  # [ref]: url
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # blockquote markers
    (re.compile(r"^\s*[-*+]\s+(?=\S)", re.M), "• "),  # bullets start their own paragraph
]
_ATX_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT_RE = re.compile(r"^\s{0,3}(=+|-+)\s*$")


def _parse_markdown(path: Path, data: bytes) -> ParsedDocument:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = normalize_unicode(text)
    front_title = None
    front = re.match(r"\s*(?:<!--.*?-->\s*)*---[ \t]*\n(.*?)\n---[ \t]*\n", text, re.S)
    if front and (m := re.search(r"^title:\s*[\"']?(.+?)[\"']?\s*$", front.group(1), re.M)):
        front_title = m.group(1)

    lines: list[str] = []
    headings: set[int] = set()
    h1: list[str] = []
    for segment, is_code in _md_segments(text):
        if is_code:
            lines.extend([*segment.splitlines(), ""])
            continue
        segment = _FRONT_MATTER_RE.sub("", segment)
        for pattern, repl in _MD_SUBS:
            segment = pattern.sub(repl, segment)
        for line in segment.split("\n"):
            atx = _ATX_RE.match(line)
            if atx:
                if atx.group(1) == "#":
                    h1.append(atx.group(2))
                lines.append("")
                headings.add(len(lines))
                lines.extend([atx.group(2), ""])
            elif _SETEXT_RE.match(line) and lines and lines[-1].strip() and len(lines[-1]) < 100:
                headings.add(len(lines) - 1)
                lines.append("")
            else:
                lines.append(line)
    if sum(len(ln.strip()) for ln in lines) < MIN_TEXT_CHARS:
        raise ParseError(f"{path.name}: no readable text in the Markdown file")
    title = front_title or (h1[0] if h1 else None)
    return _finish(path, "md", title, [], [lines], [headings])


def _md_segments(text: str) -> Iterator[tuple[str, bool]]:
    """Alternate prose and fenced code blocks (fence lines dropped, code kept as text)."""
    prose: list[str] = []
    code: list[str] | None = None
    fence = ""
    for line in text.split("\n"):
        m = _FENCE_RE.match(line)
        if code is None and m:
            yield "\n".join(prose), False
            prose, code, fence = [], [], m.group(1)
        elif code is not None and m and m.group(1) == fence:
            yield "\n".join(code), True
            code = None
        elif code is not None:
            code.append(line)
        else:
            prose.append(line)
    if code is not None:
        prose.extend(code)
    yield "\n".join(prose), False
