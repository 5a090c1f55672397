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
    hits = retrieve.load_retriever(settings, "bm25").search("reset gate lattice memory", 1)
    assert hits[0].doc == "doc-0"
    assert str(first) in _cached_generations()

    second = write_small_index(settings.index_dir)
    retriever = retrieve.load_retriever(settings, "bm25", IndexStore.load(settings.index_dir))
    assert retriever.search("braided pooling", 1)[0].doc == "doc-1"
    assert str(second) in _cached_generations()
    assert str(first) not in _cached_generations()


def test_queries_are_embedded_by_the_model_named_in_the_index(tmp_path: Path) -> None:
    from paperqa.embedder import Embedder
    from paperqa.models import resolve_embedder
    from paperqa.store import write_index

    # Another embedder (a copy of MiniLM under its own path), named only by the index.
    model = tmp_path / "other-embedder"
    model.mkdir()
    for item in Path(resolve_embedder("all-minilm-l6-v2")).iterdir():
        (model / item.name).symlink_to(item)
    index_dir = write_small_index(tmp_path / "index").parent
    store = IndexStore.load(index_dir)
    vectors = Embedder(str(model)).encode_passages([c.text for c in store.chunks])
    meta = {**store.meta, "embedder": {"name": str(model), "dim": vectors.shape[1]}}
    tokens = store.bm25_tokens()
    write_index(index_dir, meta, store.chunks, vectors, tokens)

    settings = Settings(index_dir=index_dir, passage_words=0)  # the default embedder
    dense = retrieve.load_retriever(settings, "dense", named_first=False)
    assert dense.embedder.name == str(model)
    assert dense.search("Which gate wipes slots from memory?", 1)[0].doc == "doc-0"


def test_a_new_query_prefix_gets_its_own_dense_retriever(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index", passage_words=0)
    write_small_index(settings.index_dir)
    plain = retrieve.load_retriever(settings, "dense", named_first=False)
    prefixed = retrieve.load_retriever(
        settings.updated(query_prefix="query: "), "dense", named_first=False
    )
    assert plain.embedder.query_prefix == ""
    assert prefixed.embedder.query_prefix == "query: "
