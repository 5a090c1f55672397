"""The vector cache gives back exactly what the embedder computed, and never costs an ingest."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from paperqa import vector_cache
from paperqa.embedder import Embedder
from paperqa.ingest.pipeline import ingest
from paperqa.settings import Settings
from paperqa.store import IndexStore
from paperqa.vector_cache import MAX_FILES, VectorCache

PAPERS = {  # invented text
    "slots.md": "# Memory\n\nThe reset valve decides which slots to wipe from the lattice.\n",
    "braided.md": "# Braids\n\nBraided shortcuts let a 118-layer network train.\n",
    "bm25.md": "# Ranking\n\nBM25 saturates term frequency with k1 and normalises length.\n",
}


def _papers(folder: Path) -> Path:
    folder.mkdir()
    for name, text in PAPERS.items():
        (folder / name).write_text(text)
    return folder


def test_a_rebuild_takes_every_vector_from_the_cache(tmp_path: Path) -> None:
    source = _papers(tmp_path / "papers")
    settings = Settings(index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    first = ingest(source, settings, progress=False)
    assert first.embedded_chunks == first.total_chunks == 3 and first.cached_vectors == 0
    vectors = IndexStore.load(settings.index_dir).vectors()

    rebuilt = ingest(source, settings, rebuild=True, progress=False)
    assert (rebuilt.embedded_chunks, rebuilt.cached_vectors) == (0, 3)
    assert np.array_equal(IndexStore.load(settings.index_dir).vectors(), vectors)

    uncached = settings.model_copy(update={"vector_cache": False})
    fresh = ingest(source, uncached, rebuild=True, progress=False)
    assert (fresh.embedded_chunks, fresh.cached_vectors) == (3, 0)
    assert np.allclose(IndexStore.load(settings.index_dir).vectors(), vectors, atol=1e-5)


def test_a_damaged_or_unwritable_cache_only_costs_time(tmp_path: Path, capfd) -> None:
    source = _papers(tmp_path / "papers")
    settings = Settings(index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")
    ingest(source, settings, progress=False)
    for path in (tmp_path / "cache" / "vectors").rglob("vectors-*.npz"):
        path.write_bytes(b"not a zip file")
    again = ingest(source, settings, rebuild=True, progress=False)
    assert (again.embedded_chunks, again.cached_vectors) == (3, 0)

    blocked = tmp_path / "a-file"
    blocked.write_text("the cache folder cannot be made under a file")
    unwritable = settings.model_copy(update={"cache_dir": blocked})
    report = ingest(source, unwritable, rebuild=True, progress=False)
    assert report.written and report.embedded_chunks == 3
    warning = capfd.readouterr().err.strip().splitlines()
    assert any(line.startswith("paperqa: vectors not cached in") for line in warning)


def test_files_are_merged_and_foreign_shapes_ignored(tmp_path: Path) -> None:
    cache = VectorCache(tmp_path, dim=4)
    rng = np.random.default_rng(0)
    stored = {}
    for batch in range(MAX_FILES + 2):
        texts = [f"passage {batch}-{i}" for i in range(3)]
        vectors = rng.normal(size=(3, 4)).astype(np.float32)
        cache.store(texts, vectors)
        stored.update(zip(texts, vectors, strict=True))
    assert len(list(tmp_path.glob("vectors-*.npz"))) <= MAX_FILES
    texts = [*stored, "never stored"]
    found, missing = cache.lookup(texts)
    assert missing == [len(texts) - 1]
    assert np.array_equal(found[:-1], np.stack(list(stored.values())))
    assert VectorCache(tmp_path, dim=8).lookup(["passage 0-0"])[1] == [0]


@pytest.mark.parametrize("prefix", ["", "passage: "])
def test_the_fingerprint_follows_the_model_and_its_prefix(prefix: str) -> None:
    plain = Embedder("sentence-transformers/all-MiniLM-L6-v2")
    same = Embedder("sentence-transformers/all-MiniLM-L6-v2", passage_prefix=prefix)
    assert (plain.fingerprint == same.fingerprint) == (prefix == "")


def test_a_full_cache_keeps_the_vectors_used_or_written_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vector_cache, "MAX_VECTORS", 6)
    cache = VectorCache(tmp_path, dim=4)
    batches = [[f"passage {batch}-{i}" for i in range(3)] for batch in range(MAX_FILES + 1)]
    for age, texts in enumerate(batches[:MAX_FILES]):
        before = set(tmp_path.glob("vectors-*.npz"))
        cache.store(texts, np.ones((3, 4), dtype=np.float32))
        (written,) = set(tmp_path.glob("vectors-*.npz")) - before
        os.utime(written, (1000 + age, 1000 + age))  # written long ago, oldest first
    assert cache.lookup([batches[0][0], batches[0][0]])[1] == []  # the oldest file is used now

    cache.store(batches[-1], np.ones((3, 4), dtype=np.float32))  # one file too many: a merge

    assert len(list(tmp_path.glob("vectors-*.npz"))) == 1
    assert cache.lookup(batches[0])[1] == [] and cache.lookup(batches[-1])[1] == []
    assert cache.lookup(batches[1])[1] == cache.lookup(batches[MAX_FILES - 1])[1] == [0, 1, 2]
