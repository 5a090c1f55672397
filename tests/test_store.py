import json

import numpy as np
import pytest

from paperqa.errors import IndexMismatchError, IndexMissingError
from paperqa.store import CURRENT, IndexStore, current_generation, write_index
from paperqa.types import Chunk


def _write(index_dir, n=3, name="emb"):
    chunks = [Chunk(i, "doc", "Doc", i + 1, i + 1, f"text {i}") for i in range(n)]
    vectors = np.eye(n, 4, dtype=np.float32)
    meta = {"embedder": {"name": name, "dim": 4}, "chunking": {}, "documents": {"doc": {}}}
    return write_index(index_dir, meta, chunks, vectors, [[f"t{i}"] for i in range(n)])


def test_roundtrip(tmp_path):
    _write(tmp_path)
    store = IndexStore.load(tmp_path)
    assert [c.text for c in store.chunks] == ["text 0", "text 1", "text 2"]
    assert store.bm25_tokens() == [["t0"], ["t1"], ["t2"]]
    np.testing.assert_array_equal(store.vectors(), np.eye(3, 4, dtype=np.float32))
    assert store.meta["n_chunks"] == 3


def test_missing_index_says_how_to_build(tmp_path):
    with pytest.raises(IndexMissingError, match="paperqa ingest"):
        IndexStore.load(tmp_path / "nothing")


def test_new_generation_replaces_old_and_cleans_up(tmp_path):
    first = _write(tmp_path, n=2)
    second = _write(tmp_path, n=3)
    assert current_generation(tmp_path) == second
    assert not first.exists()
    assert len(IndexStore.load(tmp_path).chunks) == 3


def test_killed_write_leaves_previous_index_loadable(tmp_path):
    _write(tmp_path, n=2)
    # A run killed mid-write leaves a staging directory and a half-written pointer file.
    (tmp_path / ".tmp-gen-killed").mkdir()
    (tmp_path / ".tmp-gen-killed" / "chunks.jsonl").write_text("{broken")
    (tmp_path / f".{CURRENT}.tmp").write_text("gen-killed")
    assert len(IndexStore.load(tmp_path).chunks) == 2
    _write(tmp_path, n=1)
    assert not (tmp_path / ".tmp-gen-killed").exists()


def test_embedder_mismatch_is_refused(tmp_path):
    _write(tmp_path, name="model-a")
    store = IndexStore.load(tmp_path)
    store.check_embedder("model-a")
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        store.check_embedder("model-b")


def test_schema_mismatch_is_refused(tmp_path):
    generation = _write(tmp_path)
    meta = json.loads((generation / "meta.json").read_text())
    meta["schema_version"] = 999
    (generation / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(IndexMismatchError, match="schema version 999"):
        IndexStore.load(tmp_path)


def test_index_files_are_not_pickles(tmp_path):
    generation = _write(tmp_path)
    for path in generation.iterdir():
        assert not path.read_bytes().startswith(b"\x80"), f"{path.name} looks like a pickle"
