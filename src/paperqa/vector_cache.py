"""Passage vectors computed before, so that an index built again embeds only text it has not seen.

A rebuild after a change to the cleaning or chunking code, a second index of the same papers, or
``ingest --rebuild`` mostly re-embeds passages whose text is unchanged; on a CPU without bfloat16
that is most of an ingest's time. The cache keeps each vector under the sha256 of its passage, in
a folder per embedder fingerprint (``Embedder.fingerprint``: its weights, tokenizer, prefix,
precision and library versions), so a vector is only ever reused for the same text and model.

Each ingest adds one ``.npz`` file (keys as raw digests, vectors as float32), written under a
unique temporary name and renamed into place, and read with ``allow_pickle=False``; past
``MAX_FILES`` files they are merged into one under a lock, keeping at most ``MAX_VECTORS``: those
of the files written or read from most recently (a lookup that finds vectors in a file marks it
used). A file that cannot be read is skipped (its passages are embedded again), and a cache that
cannot be written only costs time: deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from paperqa.files import write_atomic

if TYPE_CHECKING:
    from collections.abc import Iterator

    from paperqa.embedder import Embedder

MAX_FILES = 8
# About 20 chunkings of the reading list; 150 MB of 384-dimension vectors.
MAX_VECTORS = 100_000
LOCK_FILE = ".lock"


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class VectorCache:
    """The vectors one embedder computed, by the sha256 of their text."""

    def __init__(self, folder: Path, dim: int):
        self.folder = folder
        self.dim = dim

    def lookup(self, texts: list[str]) -> tuple[np.ndarray, list[int]]:
        """Vectors for ``texts`` (rows of zeros where unknown) and the indices of the unknown."""
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        places: dict[bytes, list[int]] = {}  # the texts not found yet, by key
        for i, text in enumerate(texts):
            places.setdefault(text_key(text), []).append(i)
        for path in self._files():  # the most recent first; older files only for what is left
            if not places:
                break
            found = [(places.pop(key), row) for key, row in self._entries(path) if key in places]
            for rows, row in found:
                vectors[rows] = row
            if found:
                _mark_used(path)
        return vectors, sorted(i for rows in places.values() for i in rows)

    def store(self, texts: list[str], vectors: np.ndarray) -> None:
        """Adds the vectors of ``texts``; a cache that cannot be written is left as it is."""
        if not texts:
            return
        keys = np.frombuffer(b"".join(map(text_key, texts)), dtype=np.uint8).reshape(-1, 32)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_file(self.folder, keys, vectors)
            if len(self._files()) > MAX_FILES:
                self._merge()
        except OSError as exc:
            print(f"paperqa: vectors not cached in {self.folder} ({exc})", file=sys.stderr)

    def _files(self) -> list[Path]:
        """The cache's files, the most recently written or used first."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob("vectors-*.npz"), key=_modified, reverse=True)

    def _entries(self, path: Path) -> Iterator[tuple[bytes, np.ndarray]]:
        """The keys and vectors of one file; none when it is unreadable or of another shape."""
        read = _read_file(path, self.dim)
        if read is not None:
            yield from zip(map(bytes, read[0]), read[1], strict=True)

    def _newest(self, files: list[Path]) -> dict[bytes, np.ndarray]:
        """Up to ``MAX_VECTORS`` vectors, from the most recent files first."""
        known: dict[bytes, np.ndarray] = {}
        for path in files:
            for key, row in self._entries(path):
                if len(known) >= MAX_VECTORS:
                    return known
                known.setdefault(key, row)
        return known

    def _merge(self) -> None:
        """Merges the files into one, unless another process is doing it."""
        from filelock import FileLock, Timeout

        try:
            with FileLock(str(self.folder / LOCK_FILE), timeout=0):
                files = self._files()
                known = self._newest(files)
                merged = None
                if known:
                    keys = np.frombuffer(b"".join(known), dtype=np.uint8).reshape(-1, 32)
                    merged = _write_file(self.folder, keys, np.stack(list(known.values())))
                for path in files:
                    if path != merged:
                        path.unlink(missing_ok=True)
                _remove_stale_temporaries(self.folder)
        except Timeout:
            pass


def _write_file(folder: Path, keys: np.ndarray, vectors: np.ndarray) -> Path:
    """Writes one file, named by its content; returns its path."""
    buffer = io.BytesIO()
    np.savez(buffer, keys=keys, vectors=np.asarray(vectors, dtype=np.float32))
    data = buffer.getvalue()
    path = folder / f"vectors-{hashlib.sha256(data).hexdigest()[:16]}.npz"
    write_atomic(path, data)
    return path


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed by another process's merge meanwhile
        return 0.0


def _mark_used(path: Path) -> None:
    """Dates a file now, so that a merge keeps its vectors before older ones."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _remove_stale_temporaries(folder: Path, older_than_s: float = 3600) -> None:
    """Temporary files left by a process killed while writing."""
    for path in folder.glob(".vectors-*.tmp"):
        try:
            if time.time() - path.stat().st_mtime > older_than_s:
                path.unlink()
        except OSError:
            pass


def _read_file(path: Path, dim: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The keys and vectors of one file, or None when it is unreadable or not of this shape."""
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    keys_fit = keys.dtype == np.uint8 and keys.ndim == 2 and keys.shape[1] == 32
    vectors_fit = vectors.dtype == np.float32 and vectors.shape == (len(keys), dim)
    return (keys, vectors) if keys_fit and vectors_fit else None


def encode_passages_cached(
    embedder: Embedder, texts: list[str], cache_root: Path, progress: bool = False
) -> tuple[np.ndarray, int]:
    """The passage vectors of ``texts``, embedding only those not in the cache under
    ``cache_root``; also how many came from the cache."""
    cache = VectorCache(cache_root / embedder.fingerprint[:16], embedder.dim)
    vectors, missing = cache.lookup(texts)
    if missing:
        new_texts = [texts[i] for i in missing]
        fresh = embedder.encode_passages(new_texts, progress=progress)
        vectors[missing] = fresh
        cache.store(new_texts, fresh)
    return vectors, len(texts) - len(missing)
