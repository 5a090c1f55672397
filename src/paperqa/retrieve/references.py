"""Reference lists left out of search results.

A paper's list of cited works shares a question's rarest words (a dataset's name, an author, a
title) without saying anything about them: "What perplexity does X reach on Penn Treebank?"
retrieved two chunks of X's reference list, one of them citing the Penn Treebank, and the
model read that as a sign the paper reports it. ``WithoutReferenceLists`` wraps a retriever
and drops such chunks (``IndexStore.reference_list_ids``), asking its base for more until ``k``
are left.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from paperqa.retrieve.base import Retriever
from paperqa.types import Passage

# Passages asked beyond ``k`` at first: about one chunk in ten is in a reference list.
EXTRA_PASSAGES = 10


class WithoutReferenceLists:
    """``base``'s passages, less those from reference lists, renumbered."""

    def __init__(self, base: Retriever, listed: Collection[int]):
        self.base = base
        self.name = base.name
        self._listed = listed  # the ids of the chunks to leave out

    def search(self, query: str, k: int, docs: Collection[str] | None = None) -> list[Passage]:
        asked = k + EXTRA_PASSAGES if self._listed else k
        while True:
            found = self.base.search(query, asked, docs)
            kept = [p for p in found if p.chunk.id not in self._listed]
            if len(kept) >= k or len(found) < asked:
                break
            asked *= 4
        return [replace(p, rank=rank) for rank, p in enumerate(kept[:k], start=1)]
