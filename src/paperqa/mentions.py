"""Which reading-list papers a text names: by title, by the name of its model, or by author.

Used to put the papers a question names first in retrieval, to split two-paper questions, to give
follow-ups their subject, to check a paper's name in a cited sentence, and to say that a named
reading-list paper is not indexed. The names come from the reading list through
``paperqa.aliases`` (titles, their parts, authors) and its ``known_as`` entries ("AlexNet",
"ResNet"); a name two papers share names neither.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from paperqa.aliases import author_aliases, title_aliases
from paperqa.readinglist import Paper, papers_by_id, reading_list

_MIN_SURNAME = 4  # shorter surnames (He, Yu, Li) are common words or too ambiguous


@dataclass(frozen=True)
class Mention:
    """A paper named in a text: its id, the words that named it and where they start."""

    paper: str
    name: str
    start: int
    by_author: bool = False  # named by an author ("Kaplan et al."), not by the paper's own name


@cache
def _author_names(paper_id: str) -> frozenset[str]:
    """Full names and capitalised surnames of at least four letters."""
    return frozenset(
        name
        for name in author_aliases(papers_by_id()[paper_id].authors)
        if name[:1].isupper() and (" " in name or len(name) >= _MIN_SURNAME)
    )


def _names(paper: Paper) -> list[str]:
    """Every name of ``paper``: title parts, known names, authors."""
    return [*title_aliases(paper.title, coined=False), *paper.known_as, *_author_names(paper.id)]


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    names = {paper.id: set(_names(paper)) for paper in reading_list()}
    shared = Counter(name.lower() for paper_names in names.values() for name in paper_names)
    patterns = []
    for paper in reading_list():
        own = sorted((n for n in names[paper.id] if shared[n.lower()] == 1), key=len, reverse=True)
        # People type "the coffee automaton paper": a name of several words names the paper in
        # any case. One word ("Transformer", "RAG") and a person's name only as written.
        phrases = [n for n in own if _is_phrase(n) and n not in _author_names(paper.id)]
        words = [n for n in own if n not in phrases]
        pattern = f"(?i:{_flexible(paper.title)})"
        if phrases:
            pattern += rf"|(?i:(?<![\w-])(?:{'|'.join(_flexible(n) for n in phrases)})(?!\w))"
        if words:
            pattern += rf"|(?<![\w-])(?:{'|'.join(_flexible(n) for n in words)})(?!\w)"
        patterns.append((paper.id, re.compile(pattern)))
    return tuple(patterns)


def _is_phrase(name: str) -> bool:
    return len(re.split(r"[\s-]+", name)) > 1


def nickname(paper_id: str, title: str = "") -> str:
    """The short name a paper goes by: its model's name, else its title before a colon (``title``
    is that of a paper off the reading list)."""
    paper = papers_by_id().get(paper_id)
    if paper and paper.known_as:
        return paper.known_as[0]
    return (paper.title if paper else title).split(":")[0].strip()


def _flexible(name: str) -> str:
    """A regex for ``name`` where a space and a hyphen match each other."""
    return r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", name))


def mentions(text: str) -> list[Mention]:
    """The reading-list papers ``text`` names, each once, in the order they are first named."""
    found = []
    for paper_id, pattern in _patterns():
        match = pattern.search(text)
        if match:
            name = match.group(0)
            by_author = name in _author_names(paper_id)
            found.append(Mention(paper_id, name, match.start(), by_author))
    found.sort(key=lambda m: m.start)
    # "Residual Networks" inside the title "Identity Mappings in Deep Residual Networks" names
    # that paper only: drop a mention lying inside another paper's longer one.
    return [
        m
        for m in found
        if not any(
            o is not m
            and len(o.name) > len(m.name)
            and o.start <= m.start
            and m.start + len(m.name) <= o.start + len(o.name)
            for o in found
        )
    ]
