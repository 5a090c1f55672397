import json

import numpy as np
import pytest

from paperqa.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
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


def test_a_generation_folder_given_as_the_index_names_the_index_folder(tmp_path):
    # ingest prints the generation it wrote ("index written: DIR/gen-..."): a user may pass it
    generation = _write(tmp_path / "index")
    for wrong in (generation, tmp_path / "index" / CURRENT):
        with pytest.raises(IndexMissingError) as missing:
            IndexStore.load(wrong)
        assert f"--index-dir {tmp_path / 'index'}" in str(missing.value)
        assert "build one" not in str(missing.value)


def test_new_generation_replaces_old_keeps_the_previous_one_and_cleans_up(tmp_path):
    first = _write(tmp_path, n=2)
    reader = IndexStore.load(tmp_path)
    second = _write(tmp_path, n=3)
    assert current_generation(tmp_path) == second
    assert len(IndexStore.load(tmp_path).chunks) == 3
    # A reader that loaded the previous generation before the switch can still read it.
    assert not reader.is_current()
    assert reader.bm25_tokens() == [["t0"], ["t1"]]
    assert len(reader.vectors()) == 2
    third = _write(tmp_path, n=1)
    assert not first.exists() and second.exists() and third.exists()


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


def _read_everything(index_dir):
    store = IndexStore.load(index_dir)
    store.bm25_tokens()
    store.vectors()


def _damage(path, how):
    data = path.read_bytes()
    if how == "missing":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":  # same size, random bytes: only the content check can tell
        path.write_bytes(np.random.default_rng(0).bytes(len(data)))
    else:  # "empty"
        path.write_bytes(b"")


@pytest.mark.parametrize("how", ["missing", "truncated", "garbage", "empty"])
@pytest.mark.parametrize("name", ["meta.json", "chunks.jsonl", "dense.faiss", "bm25.json"])
def test_each_damaged_file_is_named_with_the_rebuild_hint(tmp_path, name, how):
    generation = _write(tmp_path, n=5)
    _damage(generation / name, how)
    with pytest.raises(IndexCorruptError) as caught:
        _read_everything(tmp_path)
    message = str(caught.value)
    assert name in message and "--rebuild" in message
    assert "\n" not in message


def _without_embedder_name(meta):
    del meta["embedder"]["name"]


@pytest.mark.parametrize(
    "edit, named",
    [
        (_without_embedder_name, "embedder name"),
        (lambda meta: meta.update(files="abc"), "files"),
        (lambda meta: meta.update(documents={"doc": "a title"}), "documents"),
        (lambda meta: meta["documents"]["doc"].update(authors="Vaswani"), "documents"),
    ],
)
def test_a_description_that_parses_but_has_wrong_fields_is_damage(tmp_path, edit, named):
    generation = _write(tmp_path)
    meta = json.loads((generation / "meta.json").read_text())
    edit(meta)
    (generation / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(IndexCorruptError, match=f"meta.json is damaged .*{named}.*--rebuild"):
        IndexStore.load(tmp_path)


@pytest.mark.parametrize("name", ["chunks.jsonl", "dense.faiss", "bm25.json"])
def test_damage_is_caught_in_indexes_without_recorded_checksums(tmp_path, name):
    generation = _write(tmp_path, n=5)
    meta = json.loads((generation / "meta.json").read_text())
    del meta["files"]
    (generation / "meta.json").write_text(json.dumps(meta))
    _damage(generation / name, "truncated" if name == "chunks.jsonl" else "garbage")
    with pytest.raises(IndexCorruptError, match=name.replace(".", r"\.")):
        _read_everything(tmp_path)


def test_a_damaged_pointer_is_named_and_a_rebuild_replaces_it(tmp_path):
    _write(tmp_path, n=2)
    (tmp_path / CURRENT).write_bytes(b"\xff\xfe../../etc")
    with pytest.raises(IndexCorruptError, match="CURRENT"):
        IndexStore.load(tmp_path)
    _write(tmp_path, n=3)
    assert len(IndexStore.load(tmp_path).chunks) == 3


def test_writers_use_unique_temporary_names_and_leave_none_behind(tmp_path):
    for n in (1, 2, 3):
        _write(tmp_path, n=n)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.name != ".lock"]
    assert leftovers == []
    assert len([p for p in tmp_path.iterdir() if p.name.startswith("gen-")]) == 2


def test_the_write_lock_makes_a_second_writer_wait(tmp_path, capfd, monkeypatch):
    import threading

    from filelock import FileLock, Timeout

    from paperqa import store

    tries: list[bool] = []  # the second writer's tries at the lock: whether each got it
    tried = threading.Event()
    wait_for = store._wait_for

    def recorded_wait_for(lock, index_dir, try_now):
        def recorded_try() -> bool:
            tries.append(try_now())
            tried.set()
            return tries[-1]

        wait_for(lock, index_dir, recorded_try)

    done = []
    with store.writing(tmp_path):
        # What another process sees: the lock file is held.
        with pytest.raises(Timeout):
            FileLock(str(tmp_path / ".lock")).acquire(timeout=0)
        monkeypatch.setattr(store, "_wait_for", recorded_wait_for)
        thread = threading.Thread(target=lambda: done.append(_write(tmp_path, n=2)))
        thread.start()
        assert tried.wait(timeout=60)  # waits for the try; 60 s only ends a hang
        assert tries == [False] and not done  # the second writer waits for the first
        assert thread.is_alive() and current_generation(tmp_path) is None
    thread.join()
    assert done and len(IndexStore.load(tmp_path).chunks) == 2
    assert "waiting" in capfd.readouterr().err
