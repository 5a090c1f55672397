"""Turning a user's paper filter (ids, title words or names) into document ids of the index."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from paperqa.errors import PaperQAError
from paperqa.mentions import index_names
from paperqa.store import IndexStore


def resolve_papers(wanted: list[str] | None, store: IndexStore) -> list[str] | None:
    """Document ids matching each entry of ``wanted``: by id, by all of its words in the title,
    or by a name the paper goes by (an author, "AlexNet", "NTM").

    None means no filter. An entry that matches nothing is an error, so a typo does not
    silently search everything or nothing.
    """
    if not wanted:
        return None
    titles = {doc_id: meta["title"] for doc_id, meta in store.documents.items()}

    @cache
    def names() -> dict[str, list[str]]:
        return {doc_id: index_names(doc_id, meta) for doc_id, meta in store.documents.items()}

    unmatched = "no indexed paper matches {entry!r} (see `paperqa papers`)"
    return match_papers(wanted, titles, unmatched, names)


def match_papers(
    wanted: list[str],
    titles: dict[str, str],
    unmatched: str,
    names: Callable[[], dict[str, list[str]]] | None = None,
) -> list[str]:
    """The ids of ``titles`` (id: title) that each entry names: its id, all of its words in the
    title or id, or else one of the paper's ``names`` (a call that gives id: names, made only
    for an entry that names no id or title), in any case. ``unmatched`` (formatted with
    ``entry``) is the error for an entry that names none."""
    result: list[str] = []
    for entry in wanted:
        key = entry.strip().lower()
        if not key:  # its no words would be in every title: it would choose every paper
            raise PaperQAError(f"the paper list entry {entry!r} names no paper; remove it")
        if key in titles:
            result.append(key)
            continue
        words = key.split()
        matches = [
            doc_id
            for doc_id, title in titles.items()
            if all(w in title.lower() or w in doc_id for w in words)
        ]
        if not matches and names is not None:
            matches = [d for d, known in names().items() if key in {n.lower() for n in known}]
        if not matches:
            raise PaperQAError(unmatched.format(entry=entry))
        result.extend(matches)
    return sorted(set(result))
