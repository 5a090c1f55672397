"""Which papers a question names: by title words, author ("Kaplan et al.") or coined name ("NTM").

The names come from the index metadata (``documents[id]["aliases"]``, written at ingest from the
reading list and each paper's own title page); an index without them falls back to the names the
reading-list title and authors give. A reading-list paper also goes by the names the list knows
its model by (``known_as``: "AlexNet", "Transformer"), as in ``paperqa.mentions``, so a
question that names the model favours the paper in retrieval as it does in the answer step. A
name several papers share counts for less (1 / how many).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from paperqa.aliases import document_aliases
from paperqa.readinglist import papers_by_id
from paperqa.text import tokenize


def _is_phrase_in(phrase: tuple[str, ...], tokens: list[str]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


class PaperNames:
    """Matches a question against the names of the indexed papers."""

    def __init__(self, documents: dict[str, dict[str, Any]]):
        self._phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
        # One-word names match only as written (case-sensitive): "Graves", "NTM", "GPipe".
        self._words: dict[str, set[str]] = defaultdict(set)
        self._title_terms: dict[str, set[str]] = {}
        reading_list_papers = papers_by_id()
        for doc, meta in documents.items():
            aliases = meta.get("aliases")
            if aliases is None:
                aliases = document_aliases(meta.get("title", doc), meta.get("authors") or [])
            listed = reading_list_papers.get(doc)
            for alias in [*aliases, *(listed.known_as if listed else [])]:
                terms = tuple(tokenize(alias))
                if len(alias.split()) == 1:
                    self._words[alias].add(doc)
                elif terms:
                    self._phrases[terms].add(doc)
            self._title_terms[doc] = set(tokenize(meta.get("title", "")))
        n_docs = max(len(documents), 1)
        title_df: dict[str, int] = defaultdict(int)
        for terms in self._title_terms.values():
            for term in terms:
                title_df[term] += 1
        self._title_idf = {t: math.log((n_docs + 1) / (df + 0.5)) for t, df in title_df.items()}

    def named(self, query: str) -> dict[str, float]:
        """Papers the query names, each with a strength in (0, 1]: 1 / papers sharing the name."""
        return self.match(query)[0]

    def match(self, query: str) -> tuple[dict[str, float], set[str]]:
        """``named``, and the query terms that are part of a paper's name (not its content)."""
        strength: dict[str, float] = defaultdict(float)
        naming: set[str] = set()
        tokens = tokenize(query)
        words = {w.strip("'’.,;:?!()\"") for w in query.split()}
        words |= {w[:-2] for w in words if w.endswith(("'s", "’s"))}
        matched = []
        for phrase, docs in self._phrases.items():
            if _is_phrase_in(phrase, tokens):
                matched.append(docs)
                naming.update(phrase)
        for word, docs in self._words.items():
            if word in words:
                matched.append(docs)
                naming.update(tokenize(word))
        for docs in matched:
            for doc in docs:
                strength[doc] = max(strength[doc], 1 / len(docs))
        return dict(strength), naming

    def title_overlap(self, query: str) -> dict[str, float]:
        """Per paper: the share of its title's (idf-weighted) terms that the query contains."""
        terms = set(tokenize(query))
        overlap = {}
        for doc, title in self._title_terms.items():
            total = sum(self._title_idf[t] for t in title)
            shared = sum(self._title_idf[t] for t in title & terms)
            if shared and total:
                overlap[doc] = shared / total
        return overlap
