"""Plain data records shared by ingest, retrieval and generation."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from paperqa.text import YEAR_PATTERN, occurs

_ABSTRACT_WORD = re.compile(r"\bAbstract\b")
_ABSTRACT_WITHIN_CHARS = 600
# The heading of a paper's list of cited works, after any section number ("12 References").
_REFERENCE_LIST_HEADING = re.compile(
    r"^[\dIVX.]*\s*(?:(?:additional |selected )?references|bibliography|works cited"
    r"|literature cited)$",
    re.IGNORECASE,
)
# What shows a chunk under that heading to be cited works, not a figure or an appendix that
# follows it without a heading of its own (the Transformer paper's attention visualisations).
_CITED_WORK = re.compile(
    rf"\b{YEAR_PATTERN}\b.*\b{YEAR_PATTERN}\b"
    r"|\b(?:arXiv|preprint|Proceedings|Transactions|Journal|doi)\b",
    re.DOTALL,
)


@dataclass(frozen=True)
class Chunk:
    """A page-aware piece of one document: the unit that is indexed and retrieved.

    Pages are 1-based indices into the PDF file; web pages (HTML, Markdown) have a single page 1.
    ``char_start``/``char_end`` are offsets into the document's cleaned full text.
    """

    id: int
    doc: str
    title: str
    page_start: int
    page_end: int
    text: str
    section: str = ""
    char_start: int = 0
    char_end: int = 0

    @property
    def pages(self) -> str:
        """Human-readable page range: ``"3"`` or ``"3-4"``."""
        if self.page_start == self.page_end:
            return str(self.page_start)
        return f"{self.page_start}-{self.page_end}"

    @property
    def is_abstract(self) -> bool:
        """Whether the chunk is its paper's abstract: in a section headed "Abstract", or, in a
        paper whose abstract got no heading of its own, the chunk with "Abstract" in the paper's
        first lines (after the title and authors)."""
        if self.section:
            return self.section.strip().lower() == "abstract"
        match = _ABSTRACT_WORD.search(self.text)
        return match is not None and self.char_start + match.start() < _ABSTRACT_WITHIN_CHARS

    @property
    def is_reference_list(self) -> bool:
        """Whether the chunk is part of its paper's list of cited works: under a "References"
        heading, and citing works (years, venues)."""
        return bool(
            _REFERENCE_LIST_HEADING.match(self.section.strip()) and _CITED_WORK.search(self.text)
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(**data)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the score and rank that retrieval gave it.

    When retrieval widens the chunk with the text around it (``paperqa.retrieve.window``),
    ``chunk`` holds the widened text and pages, ``core`` the chunk as indexed (the part that
    matched the query) and ``context`` the neighbouring chunks the widening drew on.
    """

    chunk: Chunk
    score: float
    rank: int = 0
    scores: dict[str, float] = field(default_factory=dict)
    core: Chunk | None = None
    context: tuple[Chunk, ...] = ()

    @property
    def doc(self) -> str:
        return self.chunk.doc

    @property
    def text(self) -> str:
        return self.chunk.text

    @property
    def matched(self) -> Chunk:
        """The chunk that matched the query, as indexed, without any widening."""
        return self.core or self.chunk

    def in_matched(self, quote: str) -> bool:
        """Whether ``quote`` lies in the chunk that matched (not in the widened context)."""
        return self.core is None or occurs(quote.rstrip("…"), self.core.text)

    def source_of(self, quote: str) -> Chunk | None:
        """The indexed chunk ``quote`` lies in: the one that matched, or a neighbour the passage
        was widened with; None when it lies in none of them whole (it spans two)."""
        if self.in_matched(quote):
            return self.matched
        return next((c for c in self.context if occurs(quote.rstrip("…"), c.text)), None)

    def place_of(self, quote: str) -> tuple[str, str]:
        """The pages to cite for ``quote`` and the section heading over it: those of the chunk it
        lies in (the widened passage may reach a page further), else the whole passage's pages
        and no section."""
        source = self.source_of(quote)
        return (source.pages, source.section) if source else (self.chunk.pages, "")

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the CLI prints: doc, title, pages, score, text and the chunk metadata."""
        c = self.chunk
        return {
            "doc": c.doc,
            "title": c.title,
            "pages": c.pages,
            "page_start": c.page_start,
            "page_end": c.page_end,
            "section": c.section,
            "score": round(self.score, 6),
            "rank": self.rank,
            "chunk_id": c.id,
            "text": c.text,
        }
