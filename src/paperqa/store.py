"""The index directory on disk: metadata, chunks, FAISS vectors and BM25 terms.

Layout::

    indexes/
      CURRENT                 name of the live generation (replaced atomically)
      gen-20261124T012300-ab12/
        meta.json             schema version, embedder, chunking parameters, documents
        chunks.jsonl          one chunk a line
        dense.faiss           FAISS inner-product index of normalised chunk vectors
        bm25.json             BM25 terms of each chunk

A write builds a whole new generation under a temporary name, renames it into place, then points
``CURRENT`` at it with ``os.replace``: a run killed at any moment leaves the previous index
loadable. Nothing here is pickled.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from paperqa.errors import IndexMismatchError, IndexMissingError
from paperqa.types import Chunk

SCHEMA_VERSION = 1
CURRENT = "CURRENT"
META_FILE = "meta.json"
CHUNKS_FILE = "chunks.jsonl"
DENSE_FILE = "dense.faiss"
BM25_FILE = "bm25.json"

_REBUILD_HINT = "rebuild it with `paperqa ingest --source DIR --rebuild`"


@dataclass
class IndexStore:
    """A loaded index generation: its metadata and chunks; vectors and terms load on demand."""

    path: Path
    meta: dict[str, Any]
    chunks: list[Chunk]
    _bm25_tokens: list[list[str]] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, index_dir: Path) -> IndexStore:
        generation = current_generation(index_dir)
        if generation is None:
            raise IndexMissingError(
                f"no index in {index_dir}/; build one with `paperqa ingest --source DIR` "
                "(DIR: a folder of the papers, e.g. one made by `paperqa fetch`)"
            )
        meta = json.loads((generation / META_FILE).read_text("utf-8"))
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise IndexMismatchError(
                f"index in {index_dir}/ has schema version {meta.get('schema_version')}, this "
                f"paperqa reads version {SCHEMA_VERSION}; {_REBUILD_HINT}"
            )
        with (generation / CHUNKS_FILE).open(encoding="utf-8") as lines:
            chunks = [Chunk.from_dict(json.loads(line)) for line in lines]
        return cls(path=generation, meta=meta, chunks=chunks)

    @property
    def documents(self) -> dict[str, dict[str, Any]]:
        return self.meta["documents"]

    def check_embedder(self, embedder: str) -> None:
        """Refuses to mix query vectors of one embedder with passage vectors of another."""
        built_with = self.meta["embedder"]["name"]
        if built_with != embedder:
            raise IndexMismatchError(
                f"index was built with embedder {built_with!r}, settings ask for {embedder!r}; "
                f"use the same embedder or {_REBUILD_HINT}"
            )

    def bm25_tokens(self) -> list[list[str]]:
        if self._bm25_tokens is None:
            self._bm25_tokens = json.loads((self.path / BM25_FILE).read_text("utf-8"))["tokens"]
        return self._bm25_tokens

    def read_faiss(self):  # -> faiss.Index
        import faiss

        return faiss.read_index(str(self.path / DENSE_FILE))

    def vectors(self) -> np.ndarray:
        """All chunk vectors, in chunk order (reconstructed from the FAISS index)."""
        index = self.read_faiss()
        return index.reconstruct_n(0, index.ntotal)


def current_generation(index_dir: Path) -> Path | None:
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        return None
    generation = index_dir / pointer.read_text("utf-8").strip()
    return generation if (generation / META_FILE).is_file() else None


def write_index(
    index_dir: Path,
    meta: dict[str, Any],
    chunks: list[Chunk],
    vectors: np.ndarray,
    bm25_tokens: list[list[str]],
) -> Path:
    """Writes a new generation and makes it current; returns its directory."""
    import faiss

    assert len(chunks) == len(vectors) == len(bm25_tokens)
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    staging = index_dir / f".tmp-{name}"
    staging.mkdir()
    meta = {**meta, "schema_version": SCHEMA_VERSION, "n_chunks": len(chunks)}
    (staging / META_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False), "utf-8")
    with (staging / CHUNKS_FILE).open("w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
    dense = faiss.IndexFlatIP(int(meta["embedder"]["dim"]))
    if len(vectors):
        dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(dense, str(staging / DENSE_FILE))
    (staging / BM25_FILE).write_text(json.dumps({"tokens": bm25_tokens}), "utf-8")
    for path in staging.iterdir():
        _fsync(path)
    generation = index_dir / name
    staging.rename(generation)
    pointer_tmp = index_dir / f".{CURRENT}.tmp"
    pointer_tmp.write_text(name + "\n", "utf-8")
    _fsync(pointer_tmp)
    os.replace(pointer_tmp, index_dir / CURRENT)
    _remove_stale(index_dir, keep=name)
    return generation


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _remove_stale(index_dir: Path, keep: str) -> None:
    """Drops older generations and leftovers of killed runs."""
    for entry in index_dir.iterdir():
        if entry.is_dir() and entry.name != keep and entry.name.startswith(("gen-", ".tmp-gen-")):
            shutil.rmtree(entry, ignore_errors=True)
