"""The retriever cache: one retriever per index generation, old generations let go."""

from __future__ import annotations

from pathlib import Path

from index_factory import write_small_index

from paperqa import retrieve
from paperqa.settings import Settings
from paperqa.store import IndexStore


def _cached_generations() -> set[str]:
    return {key[0] for key in retrieve._cache}


def test_a_rebuilt_index_replaces_the_cached_retriever(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index")
    first = write_small_index(settings.index_dir)
    hits = retrieve.load_retriever(settings, "bm25").search("forget gate cell state", 1)
    assert hits[0].doc == "doc-0"
    assert str(first) in _cached_generations()

    second = write_small_index(settings.index_dir)
    retriever = retrieve.load_retriever(settings, "bm25", IndexStore.load(settings.index_dir))
    assert retriever.search("residual connections", 1)[0].doc == "doc-1"
    assert str(second) in _cached_generations()
    assert str(first) not in _cached_generations()
