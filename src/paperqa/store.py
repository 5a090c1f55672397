"""The index directory on disk: metadata, chunks, FAISS vectors and BM25 terms.

Layout::

    indexes/
      CURRENT                 name of the live generation (replaced atomically)
      .lock                   held by the one process writing (``writing``)
      gen-20261124T012300-ab12/
        meta.json             schema version, embedder, chunking, documents, file sizes
        chunks.jsonl          one chunk a line
        dense.faiss           FAISS inner-product index of normalised chunk vectors
        bm25.json             BM25 terms of each chunk

A write holds the lock, builds a whole new generation under a unique temporary name, renames it
into place, then points ``CURRENT`` at it with ``os.replace``: a run killed at any moment leaves
the previous index loadable. The generation that was current before stays on disk, so a reader
that loaded it just before the switch can still read its lazily loaded files; older ones are
removed. A file that is missing, truncated or unreadable raises ``IndexCorruptError``, naming
the file. Nothing here is pickled.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from paperqa.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from paperqa.files import write_atomic
from paperqa.types import Chunk

SCHEMA_VERSION = 1
CURRENT = "CURRENT"
LOCK_FILE = ".lock"
META_FILE = "meta.json"
CHUNKS_FILE = "chunks.jsonl"
DENSE_FILE = "dense.faiss"
BM25_FILE = "bm25.json"
DATA_FILES = (CHUNKS_FILE, DENSE_FILE, BM25_FILE)

_REBUILD_HINT = "rebuild it with `paperqa ingest --source DIR --rebuild`"
_GENERATION_RE = re.compile(r"gen-[0-9T]+-[0-9a-f]+")


def _corrupt(path: Path, reason: str) -> IndexCorruptError:
    return IndexCorruptError(f"index file {path} is damaged ({reason}); {_REBUILD_HINT}")


@dataclass
class IndexStore:
    """A loaded index generation: its metadata and chunks; vectors and terms load on demand."""

    path: Path
    meta: dict[str, Any]
    chunks: list[Chunk]
    _bm25_tokens: list[list[str]] | None = field(default=None, repr=False)
    _reference_list_ids: frozenset[int] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, index_dir: Path) -> IndexStore:
        name = _pointer(index_dir)
        if name is None:
            raise no_index_error(index_dir)
        generation = index_dir / name
        meta = _read_meta(generation / META_FILE, index_dir)  # also when generation is gone
        _check_files(generation, meta)
        chunks = _read_chunks(generation / CHUNKS_FILE, meta)
        return cls(path=generation, meta=meta, chunks=chunks)

    @property
    def documents(self) -> dict[str, dict[str, Any]]:
        return self.meta["documents"]

    @property
    def embedder_name(self) -> str:
        """The embedder that embedded the chunks, as ``Settings.embedder`` named it."""
        return str(self.meta["embedder"]["name"])

    def is_current(self) -> bool:
        """Whether this is still the index's live generation (False once a rebuild replaced it)."""
        try:
            return _pointer(self.path.parent) == self.path.name
        except IndexCorruptError:
            return False

    def check_embedder(self, embedder: str) -> None:
        """Refuses to add one embedder's passage vectors to an index built by another."""
        built_with = self.embedder_name
        if built_with != embedder:
            raise IndexMismatchError(
                f"index was built with embedder {built_with!r}, settings ask for {embedder!r}; "
                f"use the same embedder or {_REBUILD_HINT}"
            )

    def bm25_tokens(self) -> list[list[str]]:
        if self._bm25_tokens is None:
            path = self._data(BM25_FILE)
            try:
                tokens = json.loads(path.read_text("utf-8"))["tokens"]
            except (OSError, ValueError, TypeError, KeyError) as exc:
                raise _corrupt(path, _reason(exc)) from None
            if not isinstance(tokens, list) or len(tokens) != len(self.chunks):
                raise _corrupt(path, f"no term list for each of the {len(self.chunks)} chunks")
            self._bm25_tokens = tokens
        return self._bm25_tokens

    def reference_list_ids(self) -> frozenset[int]:
        """The ids of the chunks in the papers' lists of cited works
        (``Chunk.is_reference_list``)."""
        if self._reference_list_ids is None:
            self._reference_list_ids = frozenset(c.id for c in self.chunks if c.is_reference_list)
        return self._reference_list_ids

    def read_faiss(self):  # -> faiss.Index
        import faiss

        path = self._data(DENSE_FILE)
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise _corrupt(path, _reason(exc)) from None
        if index.ntotal != len(self.chunks) or index.d != int(self.meta["embedder"]["dim"]):
            raise _corrupt(path, f"{index.ntotal} vectors of {index.d} dimensions")
        return index

    def vectors(self) -> np.ndarray:
        """All chunk vectors, in chunk order (reconstructed from the FAISS index)."""
        index = self.read_faiss()
        return index.reconstruct_n(0, index.ntotal)

    def _data(self, name: str) -> Path:
        """A data file of this generation, read lazily; a clear error if it went away."""
        path = self.path / name
        if not self.path.is_dir():
            raise IndexMissingError(
                f"index generation {self.path} was replaced by newer builds while in use; "
                "run the command again"
            )
        return path


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "missing"
    if isinstance(exc, KeyError):
        return f"no {exc} entry"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__


def no_index_error(index_dir: Path) -> IndexMissingError:
    """What to do about a folder without an index: pass the index folder when ``index_dir`` is
    a part of one (a generation, which ingest names when it writes one, or ``CURRENT``), else
    build an index."""
    parent = index_dir.parent
    if (index_dir.name == CURRENT or _GENERATION_RE.fullmatch(index_dir.name)) and (
        parent / CURRENT
    ).is_file():
        return IndexMissingError(
            f"{index_dir} is a part of the index in {parent}/, not an index; pass --index-dir "
            f"{parent}"
        )
    return IndexMissingError(
        f"no index in {index_dir}/; build one with `paperqa ingest --source DIR` "
        "(DIR: a folder of the papers, e.g. one made by `paperqa fetch`)"
    )


def _pointer(index_dir: Path) -> str | None:
    """The generation name ``CURRENT`` holds; None without an index."""
    pointer = index_dir / CURRENT
    if not pointer.is_file():
        return None
    try:
        name = pointer.read_text("utf-8").strip()
    except (OSError, ValueError) as exc:
        raise _corrupt(pointer, _reason(exc)) from None
    if not _GENERATION_RE.fullmatch(name):
        raise _corrupt(pointer, "it names no index generation")
    return name


def _read_meta(path: Path, index_dir: Path) -> dict[str, Any]:
    try:
        meta = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise _corrupt(path, _reason(exc)) from None
    if not isinstance(meta, dict):
        raise _corrupt(path, "not an index description")
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"index in {index_dir}/ has schema version {meta.get('schema_version')}, this "
            f"paperqa reads version {SCHEMA_VERSION}; {_REBUILD_HINT}"
        )
    problem = _meta_problem(meta)
    if problem:
        raise _corrupt(path, problem)
    return meta


# The types of the fields the program reads, checked where present, so that a description that
# parses but was edited or damaged is reported as such instead of failing later, anywhere.
_META_FIELDS: dict[str, type] = {"files": dict, "chunking": dict, "failed": list, "missing": list}
_DOCUMENT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "authors": list,
    "aliases": list,
    "sha256": str,
    "path": str,
    "pages": int,
    "chunks": int,
    "year": (int, type(None)),
}


def _meta_problem(meta: dict[str, Any]) -> str | None:
    """What is wrong with the shape of an index description, or None."""
    embedder = meta.get("embedder")
    if not isinstance(embedder, dict) or not isinstance(embedder.get("name"), str):
        return "no embedder name"
    if not isinstance(embedder.get("dim"), int) or not isinstance(meta.get("n_chunks"), int):
        return "no vector size or chunk count"
    wrong = [
        name for name, kind in _META_FIELDS.items() if not isinstance(meta.get(name, kind()), kind)
    ]
    documents = meta.get("documents")
    if not isinstance(documents, dict) or not all(
        isinstance(doc, dict)
        and all(isinstance(doc[k], kind) for k, kind in _DOCUMENT_FIELDS.items() if k in doc)
        for doc in documents.values()
    ):
        wrong.append("documents")
    return f"malformed {', '.join(wrong)}" if wrong else None


def _check_files(generation: Path, meta: dict[str, Any]) -> None:
    """Every data file is there, with the size and sha256 the writer recorded.

    Indexes written before sizes were recorded are only checked for presence. Hashing the
    files (a few MB for the reading list) costs milliseconds and catches any damage early.
    """
    recorded = meta.get("files") or {}
    for name in DATA_FILES:
        path = generation / name
        try:
            size = path.stat().st_size
            expected = recorded.get(name)
            if not isinstance(expected, dict):
                continue
            if size != expected.get("bytes"):
                raise _corrupt(path, f"{size:,} bytes where {expected.get('bytes'):,} were written")
            if file_sha256(path) != expected.get("sha256"):
                raise _corrupt(path, "its content changed since it was written")
        except OSError as exc:
            raise _corrupt(path, _reason(exc)) from None


def file_sha256(path: Path) -> str:
    """The file's sha256; OSError if it cannot be read (never blocks on a pipe). Also used for
    source files at ingest and for the model cache."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _read_chunks(path: Path, meta: dict[str, Any]) -> list[Chunk]:
    chunks: list[Chunk] = []
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                try:
                    chunk = Chunk.from_dict(json.loads(line))
                except (ValueError, TypeError) as exc:
                    raise _corrupt(path, f"line {number}: {_reason(exc)}") from None
                if chunk.id != len(chunks):
                    raise _corrupt(path, f"line {number} holds chunk {chunk.id}")
                chunks.append(chunk)
    except (OSError, UnicodeDecodeError) as exc:
        raise _corrupt(path, _reason(exc)) from None
    if len(chunks) != meta["n_chunks"]:
        raise _corrupt(path, f"{len(chunks)} chunks where {meta['n_chunks']} were written")
    return chunks


def current_generation(index_dir: Path) -> Path | None:
    """The live generation's directory; None without an index, IndexCorruptError if unusable."""
    name = _pointer(index_dir)
    if name is None:
        return None
    generation = index_dir / name
    if not (generation / META_FILE).is_file():
        raise _corrupt(generation / META_FILE, "missing")
    return generation


# --- Writing ------------------------------------------------------------------------------

_locks: dict[str, tuple[threading.RLock, Any]] = {}  # per index folder: (threads, processes)
_locks_guard = threading.Lock()


@contextmanager
def writing(index_dir: Path) -> Iterator[None]:
    """Holds the index folder's write lock; a second writer says it waits, then waits.

    Between processes the lock is an OS file lock (``filelock``), released with a killed
    process; between threads of one process, a reentrant lock.
    """
    from filelock import FileLock

    index_dir.mkdir(parents=True, exist_ok=True)
    with _locks_guard:
        threads, files = _locks.setdefault(
            str(index_dir.resolve()),
            (threading.RLock(), FileLock(str(index_dir / LOCK_FILE), thread_local=False)),
        )
    _wait_for(threads, index_dir, lambda: threads.acquire(blocking=False))
    try:
        _wait_for(files, index_dir, lambda: _try_file_lock(files))
        try:
            yield
        finally:
            files.release()
    finally:
        threads.release()


def _try_file_lock(lock: Any) -> bool:
    from filelock import Timeout

    try:
        lock.acquire(timeout=0)
    except Timeout:
        return False
    return True


def _wait_for(lock: Any, index_dir: Path, try_now: Any) -> None:
    if not try_now():
        print(
            f"paperqa: another ingest is writing the index in {index_dir}/; waiting for it",
            file=sys.stderr,
            flush=True,
        )
        lock.acquire()


def write_index(
    index_dir: Path,
    meta: dict[str, Any],
    chunks: list[Chunk],
    vectors: np.ndarray,
    bm25_tokens: list[list[str]],
) -> Path:
    """Writes a new generation and makes it current; returns its directory."""
    assert len(chunks) == len(vectors) == len(bm25_tokens)
    with writing(index_dir):
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
        staging = index_dir / f".tmp-{name}"
        staging.mkdir()
        _write_files(staging, meta, chunks, vectors, bm25_tokens)
        generation = index_dir / name
        staging.rename(generation)
        try:
            previous = _pointer(index_dir)
        except IndexCorruptError:  # a damaged pointer is simply replaced
            previous = None
        write_atomic(index_dir / CURRENT, name + "\n")
        _fsync(index_dir)
        _remove_stale(index_dir, keep={name, previous or name})
    return generation


def _write_files(
    staging: Path,
    meta: dict[str, Any],
    chunks: list[Chunk],
    vectors: np.ndarray,
    bm25_tokens: list[list[str]],
) -> None:
    """The data files, then meta.json with their sizes (checked on every load)."""
    import faiss

    with (staging / CHUNKS_FILE).open("w", encoding="utf-8") as out:
        for chunk in chunks:
            out.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
    dense = faiss.IndexFlatIP(int(meta["embedder"]["dim"]))
    if len(vectors):
        dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(dense, str(staging / DENSE_FILE))
    (staging / BM25_FILE).write_text(json.dumps({"tokens": bm25_tokens}), "utf-8")
    files = {
        name: {"bytes": (staging / name).stat().st_size, "sha256": file_sha256(staging / name)}
        for name in DATA_FILES
    }
    meta = {**meta, "schema_version": SCHEMA_VERSION, "n_chunks": len(chunks), "files": files}
    (staging / META_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False), "utf-8")
    for path in staging.iterdir():
        _fsync(path)
    _fsync(staging)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale(index_dir: Path, keep: set[str]) -> None:
    """Drops generations older than the previous one, and leftovers of killed writers.

    Runs under the write lock, so no other writer's staging folder can be in use.
    """
    for entry in index_dir.iterdir():
        if entry.is_dir() and entry.name not in keep and entry.name.startswith(("gen-", ".tmp-")):
            shutil.rmtree(entry, ignore_errors=True)
        elif (
            entry.is_file()
            and entry.name.startswith(f".{CURRENT}.")
            and entry.name.endswith(".tmp")
        ):
            entry.unlink(missing_ok=True)
