"""Turning a user's paper filter (ids or title words) into document ids of the index."""

from __future__ import annotations

from paperqa.errors import PaperQAError
from paperqa.store import IndexStore


def resolve_papers(wanted: list[str] | None, store: IndexStore) -> list[str] | None:
    """Document ids matching each entry of ``wanted`` by id, or by all of its words in the title.

    None means no filter. An entry that matches nothing is an error, so a typo does not
    silently search everything or nothing.
    """
    if not wanted:
        return None
    documents = store.documents
    result: list[str] = []
    for entry in wanted:
        key = entry.strip().lower()
        if key in documents:
            result.append(key)
            continue
        words = key.split()
        matches = [
            doc_id
            for doc_id, meta in documents.items()
            if all(w in meta["title"].lower() or w in doc_id for w in words)
        ]
        if not matches:
            raise PaperQAError(f"no indexed paper matches {entry!r} (see `paperqa papers`)")
        result.extend(matches)
    return sorted(set(result))
