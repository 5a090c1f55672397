"""Questions about a paper itself (who wrote it, when it appeared, its title) or about the
collection (how many papers, which), answered from the index.

"Who wrote the GPipe paper?" and "What year is the NTM paper from?" ask about the paper, not
about what it says. A model reading passages answers them from whatever names and years the
passages hold, which are mostly those of works the paper cites ("1988 [1]"). The index records
each paper's title, authors and year (from the reading list, or the file itself), so such a
question is answered from that record, with no model, and cites the paper's first page, where
its title and authors are printed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from paperqa.generate.citations import MAX_QUOTE_CHARS, Citation
from paperqa.mentions import Mention, mentions
from paperqa.text import split_sentences
from paperqa.types import Chunk, Passage

# The question itself must ask: "Why do the authors of the ResNet paper use ...?" does not.
_ASKS = r"^\W*(?:(?:can you |could you |please )?(?:tell me|say) )?"
_AUTHORS_RE = re.compile(
    _ASKS + r"(?:who (?:wrote|authored|are the authors|were the authors|is the author"
    r"|was the author)\b|(?:what|which) (?:are|were) the (?:names of the )?authors of\b"
    r"|(?:list|name) the authors of\b|(?:the )?authors? of\b[^?]*\??\W*$|whose (?:paper|post)\b)"
    r"|\b(?:written|authored) by (?:whom|who)\W*$",
    re.IGNORECASE,
)
# The verb ends the question: "When was the GPipe paper published?", not "When was the
# learning rate lowered after the error appeared to plateau?".
_PUBLISHED = (
    r"(?:published|released|posted|written|appear(?:ed)?|come out|came out)"
    r"(?: first| on arxiv| online)?\W*$"
)
_YEAR_RE = re.compile(
    "|".join(
        [
            _ASKS + r"(?:in )?(?:what|which) year\b.*\b(?:" + _PUBLISHED + r"|from\W*$)",
            _ASKS + r"when (?:was|were|did|is)\b.*\b" + _PUBLISHED,
            r"\b(?:publication|release) (?:year|date)\b|\byear of (?:publication|release)\b",
        ]
    ),
    re.IGNORECASE,
)
# "What is the title of the DPR paper?": the model answered from a passage's cited titles.
_TITLE_RE = re.compile(
    _ASKS + r"(?:what(?:'s| is| was) the (?:full |exact )?title of\b"
    r"(?! (?:the )?(?:table|figure|fig|section|chapter|appendix)\b)"
    r"|what(?:'s| is| was) [^?]*\b(?:paper|post|article)(?:'s)? (?:full |exact )?title\W*$)",
    re.IGNORECASE,
)
# "How many papers are in the collection?", "Which papers do you have?", "List the papers."
_IN_IT = r" in (?:the|this|your) (?:collection|index|library|corpus)"
_COLLECTION_RE = re.compile(
    _ASKS
    + rf"(?:how many (?:papers|documents|texts|sources) (?:are (?:there|indexed)(?:{_IN_IT})?"
    + rf"|are{_IN_IT}|do you (?:have|know))"
    + r"|(?:which|what) (?:papers|documents|texts|sources) (?:are (?:there|indexed|available)"
    + rf"(?:{_IN_IT})?|are{_IN_IT}|do you (?:have|know))"
    + rf"|(?:list|show)(?: me)? (?:all )?(?:the |your )?(?:papers|documents)(?:{_IN_IT})?)\W*$",
    re.IGNORECASE,
)
_CAPITALISED_RE = re.compile(r"\b[A-Z][\w-]*")
# A second question joined to the first ("..., and what BLEU did it reach?") needs the passages.
_SECOND_QUESTION_RE = re.compile(
    r"(?:\band\b|\bbut\b|,|;)\s+(?:what|how|which|why|where|does|did|do|is|are|was|were|can)\b",
    re.IGNORECASE,
)


def asks_for_record(question: str) -> bool:
    """Whether the question asks only who wrote a paper, when it appeared or its title."""
    if _SECOND_QUESTION_RE.search(question):
        return False
    return any(rx.search(question) for rx in (_AUTHORS_RE, _YEAR_RE, _TITLE_RE))


def asks_about_collection(question: str) -> bool:
    """Whether the question asks how many papers there are, or which ("List the papers.")."""
    return bool(_COLLECTION_RE.search(question))


def collection_answer(documents: dict[str, dict[str, Any]]) -> RecordAnswer:
    """The indexed papers, counted and listed with their years, oldest first."""
    ordered = sorted(documents.values(), key=lambda meta: (meta.get("year") or 0, meta["title"]))
    titles = "; ".join(
        f"{meta['title']} ({meta['year']})" if meta.get("year") else meta["title"]
        for meta in ordered
    )
    noun = "paper" if len(ordered) == 1 else "papers"
    return RecordAnswer(f"The collection holds {len(ordered)} {noun}: {titles}.", [], [])


@dataclass
class RecordAnswer:
    """An answer from the index's record of the papers: its text, citations and title pages."""

    text: str
    citations: list[Citation]
    passages: list[Passage]


def record_answer(
    question: str,
    documents: dict[str, dict[str, Any]],
    chunks: list[Chunk],
    papers: Collection[str] | None = None,
) -> RecordAnswer | None:
    """The answer to a question about who wrote the papers it names, or when they appeared;
    None when it asks something else, names no indexed paper, or a paper's authors are unknown.

    ``papers`` is the user's paper filter: a question naming none of them ("Who wrote this
    paper?") is about the one paper chosen, if just one is."""
    if asks_about_collection(question):
        return collection_answer(documents)
    if not asks_for_record(question):
        return None
    found = mentions(question)
    if _unnamed_names(question, found):
        return None  # "Who wrote AlexNet and VGG?": VGG is no paper here, so say nothing
    named = [doc for doc in dict.fromkeys(m.paper for m in found) if doc in documents]
    if papers:
        chosen = list(papers)
        named = [doc for doc in named if doc in chosen] or (chosen if len(chosen) == 1 else [])
    if not named or not all(documents[doc].get("authors") for doc in named):
        return None
    first_chunks = {doc: _title_page(doc, chunks) for doc in named}
    if any(chunk is None for chunk in first_chunks.values()):
        return None
    year_only = bool(_YEAR_RE.search(question)) and not _AUTHORS_RE.search(question)
    sentences, citations, passages = [], [], []
    for marker, doc in enumerate(named, start=1):
        meta, chunk = documents[doc], first_chunks[doc]
        assert chunk is not None
        sentences.append(f"{_describe(meta, year_only)} [{marker}].")
        citations.append(_citation(marker, doc, meta, chunk))
        passages.append(Passage(chunk=chunk, score=1.0, rank=marker))
    return RecordAnswer(" ".join(sentences), citations, passages)


def _describe(meta: dict[str, Any], year_only: bool) -> str:
    """ "Title (year) is by A, B and C", or for a question about the year alone, "Title, by A et
    al., appeared in year"."""
    authors, year = meta["authors"], meta.get("year")
    if year_only and year:
        short = authors[0] if len(authors) == 1 else f"{authors[0]} et al."
        return f"{meta['title']}, by {short}, appeared in {year}"
    return f"{meta['title']}{f' ({year})' if year else ''} is by {_joined(authors)}"


def _unnamed_names(question: str, found: list[Mention]) -> list[str]:
    """Capitalised words and acronyms of the question that name no paper (after its first word)."""
    spans = [(m.start, m.start + len(m.name)) for m in found]
    return [
        name.group()
        for name in _CAPITALISED_RE.finditer(question)
        if name.start() > 0 and not any(a <= name.start() < b for a, b in spans)
    ]


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _folded(text: str) -> str:
    """``text`` as lower-case letters and digits without accents: "Gr¨unwald" is "grunwald"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).lower()


def _title_page(doc: str, chunks: list[Chunk]) -> Chunk | None:
    """The paper's first chunk: its title page, where its authors are printed."""
    own = [chunk for chunk in chunks if chunk.doc == doc]
    return min(own, key=lambda chunk: (chunk.page_start, chunk.id)) if own else None


def _citation(marker: int, doc: str, meta: dict[str, Any], chunk: Chunk) -> Citation:
    """The title page cited, quoting its sentence that names the first author (accents aside:
    pypdf gives "Gr¨unwald" for Grünwald), else its first sentence."""
    surname = _folded(re.split(r"\s+et al\b|\s*\(", meta["authors"][0])[0].split()[-1])
    sentences = split_sentences(chunk.text)
    quote = next((s for s in sentences if surname in _folded(s)), sentences[0] if sentences else "")
    return Citation(
        marker=marker,
        doc=doc,
        title=meta["title"],
        year=meta.get("year"),
        pages=str(chunk.page_start),
        quote=quote[:MAX_QUOTE_CHARS],
        chunk_id=chunk.id,
    )
