"""The papers a question names, first: each named paper's best passages lead the list.

Words like "learning rate" or "beam size" can rank another paper above the one the user asked
about ("What momentum did AlexNet use?"), and a comparison needs evidence from both papers it
names. ``NamedPapersFirst`` wraps a retriever: a question naming one indexed paper (by title,
model name or author, ``paperqa.mentions``) whose passages do not rank first gets that paper's
best passages first, the list cut to its usual length; a question naming two or more gets each
one's best passages, searched within that paper, round-robin, ahead of the rest (the paper the
base retriever ranks higher first), so it may get more than ``k`` passages. Ranks are renumbered
in the new order. A search limited to some papers (``docs``) is left as the
base retriever ranks it.

A question that asks what a paper is about ("What is the main idea of the ResNet paper?",
"Summarize DPR and RAG"; ``paperqa.text.asks_for_gist``), naming it or limited to it, gets that
paper's abstract first and then the best passages of the papers it is about, and no others: the
abstract answers it, in words it rarely shares with the question, and retrieval otherwise brought
a detail of the paper, or the follow-up paper that restates the idea.

A question that asks what a short form stands for ("What does NTM stand for?";
``paperqa.text.asked_short_form``) gets first the passage where a paper spells it out ("Neural
Turing Machines (NTMs)"), for the papers it names or is limited to, else those ranked highest:
the passages most about "NTM" use it and never spell it out.

A question that asks how long something took ("How long did it take to train AlexNet?";
``paperqa.text.asks_for_duration``) is searched with the words durations are given in added: its
own words match "long sequences" and the tables of training costs, not "five to six days".
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from paperqa.aliases import defines
from paperqa.mentions import mentions
from paperqa.retrieve.base import Retriever
from paperqa.text import asked_short_form, asks_for_duration, asks_for_gist
from paperqa.types import Chunk, Passage

# Each named paper gets this many of its passages at the head of the list.
PER_PAPER_PASSAGES = 2
# A question about a paper's gist gets at most this many chunks of its abstract first; one about
# the gist of several papers (at most MAX_GIST_PAPERS) the first chunk of each one's abstract.
ABSTRACT_CHUNKS = 2
MAX_GIST_PAPERS = 3
# A question about what a short form stands for gets the first passage that spells it out in each
# of at most this many papers.
DEFINING_PAPERS = 2
# Added to the search words of a question that asks how long something took.
DURATION_WORDS = "time hours days"


def named_papers(
    question: str, indexed: Collection[str], authors: Mapping[str, str] | None = None
) -> list[str]:
    """The ``indexed`` papers the question names, in the order it names them (``authors``: as
    for ``paperqa.mentions.mentions``)."""
    named = dict.fromkeys(m.paper for m in mentions(question, authors=authors))
    return [doc for doc in named if doc in indexed]


class NamedPapersFirst:
    """``base``'s passages with the papers the query names moved (or searched) to the front."""

    def __init__(self, base: Retriever, indexed: Collection[str], chunks: Sequence[Chunk] = ()):
        self.base = base
        self.name = base.name
        self.indexed = set(indexed)
        self.chunks = chunks

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        if asks_for_duration(query):
            query = f"{query} {DURATION_WORDS}"
        about = self._papers_asked_about(query, docs)
        if about:
            return self._abstracts_first(query, k, about)
        passages = self.base.search(query, k, docs)
        short = asked_short_form(query)
        if short:
            return self._definitions_first(passages, short, query, k, docs)
        if docs:
            return passages
        named = named_papers(query, self.indexed)
        if not named or (len(named) == 1 and passages and passages[0].doc == named[0]):
            return passages
        # The papers in the order the base ranks their best passage (those it left out last):
        # a question that names a model in passing ("the Transformer trained with GPipe") keeps
        # the paper it is about first.
        ranked = [p.doc for p in passages]
        named.sort(key=lambda doc: ranked.index(doc) if doc in ranked else len(ranked))
        per_paper = [self._best_of(doc, query, passages) for doc in named]
        # Round-robin: the best passage of each paper, then the second of each, then the rest.
        interleaved = [p for rank in itertools.zip_longest(*per_paper) for p in rank if p]
        first: dict[int, Passage] = {}
        for passage in interleaved + passages:
            first.setdefault(passage.chunk.id, passage)
        merged = list(first.values())
        if len(named) == 1:
            merged = merged[: max(len(passages), len(interleaved))]
        return [replace(p, rank=rank) for rank, p in enumerate(merged, start=1)]

    def _best_of(self, doc: str, query: str, passages: list[Passage]) -> list[Passage]:
        """The paper's best passages: those in ``passages``, else searched within the paper."""
        own = [p for p in passages if p.doc == doc]
        if len(own) < PER_PAPER_PASSAGES:
            found = self.base.search(query, PER_PAPER_PASSAGES, docs=[doc])
            own += [p for p in found if p.chunk.id not in {q.chunk.id for q in own}]
        return own[:PER_PAPER_PASSAGES]

    def _definitions_first(
        self,
        passages: list[Passage],
        short: str,
        query: str,
        k: int,
        docs: Collection[str] | None,
    ) -> list[Passage]:
        """The first chunk spelling out ``short`` in each of the papers the query names (or
        ``docs``), else of those ``passages`` rank highest, ahead of ``passages``: ``k`` in all."""
        first: dict[str, Chunk] = {}
        for chunk in self.chunks:
            if (
                chunk.doc not in first
                and (not docs or chunk.doc in docs)
                and defines(chunk.text, short)
            ):
                first[chunk.doc] = chunk
        ranked = [*named_papers(query, first), *(p.doc for p in passages), *first]
        papers = [doc for doc in dict.fromkeys(ranked) if doc in first][:DEFINING_PAPERS]
        return _ahead([first[doc] for doc in papers], passages, k)

    def _papers_asked_about(self, query: str, docs: Collection[str] | None) -> list[str]:
        """The papers a question about their gist is about: named, or the ones searched."""
        if not asks_for_gist(query):
            return []
        papers = list(docs) if docs else named_papers(query, self.indexed)
        return papers if len(papers) <= MAX_GIST_PAPERS else []

    def _abstracts_first(self, query: str, k: int, papers: list[str]) -> list[Passage]:
        """Each paper's abstract (up to ``ABSTRACT_CHUNKS`` of its chunks for one paper, the
        first of each for several), then the papers' best passages for ``query``: ``k`` in all,
        or one abstract chunk per paper if that is more."""
        own = self.base.search(query, k, docs=papers)
        per_paper = ABSTRACT_CHUNKS if len(papers) == 1 else 1
        abstracts = [
            chunk
            for paper in papers
            for chunk in [c for c in self.chunks if c.doc == paper and c.is_abstract][:per_paper]
        ]
        return _ahead(abstracts, own, max(k, len(abstracts)))


def _ahead(chunks: list[Chunk], passages: list[Passage], length: int) -> list[Passage]:
    """``chunks`` as passages scored like the best of ``passages``, then the rest of
    ``passages``: ``length`` in all, ranked in that order."""
    score = passages[0].score if passages else 0.0
    shown = {chunk.id for chunk in chunks}
    rest = [p for p in passages if p.matched.id not in shown]
    merged = [*(Passage(chunk, score) for chunk in chunks), *rest][:length]
    return [replace(p, rank=rank) for rank, p in enumerate(merged, start=1)]
