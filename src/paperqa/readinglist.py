"""The 30 documents of Ilya Sutskever's reading list, as data.

Ids match the file stems of the local corpus (``shared/corpus/manifest.tsv``), so a folder of
``<id>.pdf`` files, or of files named by arXiv id, maps onto the list without configuration. A
file under any other name is recognised by what it holds: the arXiv stamp of its first page, or
its title.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from paperqa.text import letters_and_digits


@dataclass(frozen=True)
class Paper:
    """One reading-list entry."""

    id: str
    title: str
    authors: list[str]
    year: int
    arxiv_id: str | None
    url: str
    download_urls: list[str]
    kind: str  # "pdf" or "web"
    # The names the field knows the paper's model by ("AlexNet", "ResNet"), when its title
    # and authors do not give them.
    known_as: list[str] = field(default_factory=list)

    @property
    def site_handle(self) -> str | None:
        """The author's handle a post's GitHub Pages site is named by ("colah" of
        colah.github.io): people name the post by it ("Colah's LSTM post")."""
        host = urlsplit(self.url).hostname or ""
        return host.removesuffix(".github.io") if host.endswith(".github.io") else None

    @property
    def short_authors(self) -> str:
        first = self.authors[0]
        return first if len(self.authors) == 1 else f"{first} et al."


@cache
def reading_list() -> tuple[Paper, ...]:
    """All reading-list entries, in the list's order."""
    raw = resources.files("paperqa.data").joinpath("reading_list.json").read_text("utf-8")
    return tuple(Paper(**entry) for entry in json.loads(raw))


@cache
def papers_by_id() -> dict[str, Paper]:
    return {p.id: p for p in reading_list()}


_ARXIV_RE = re.compile(r"(\d{4}\.\d{4,5}|[a-z-]+[_/]\d{7})(v\d+)?", re.IGNORECASE)


def match_file(path: Path) -> Paper | None:
    """The reading-list entry a file is, by its stem (the id) or an arXiv id in its name."""
    stem = path.stem.lower()
    by_id = papers_by_id()
    if stem in by_id:
        return by_id[stem]
    found = _ARXIV_RE.search(stem)
    return _by_arxiv_id(found.group(1).replace("_", "/")) if found else None


def match_content(title: str | None, arxiv_id: str | None) -> Paper | None:
    """The reading-list entry a parsed document is, by its arXiv id or its exact title."""
    paper = _by_arxiv_id(arxiv_id) if arxiv_id else None
    if paper:
        return paper
    wanted = letters_and_digits(title or "")[0]
    for paper in reading_list():
        if wanted and letters_and_digits(paper.title)[0] == wanted:
            return paper
    return None


def _by_arxiv_id(arxiv_id: str) -> Paper | None:
    """The reading-list entry with this arXiv id ("1706.03762", "math/0406077"), in any case."""
    wanted = arxiv_id.lower()
    return next((p for p in reading_list() if p.arxiv_id and p.arxiv_id.lower() == wanted), None)
