"""Ingest: a folder of papers in, a dense and a BM25 index out, incrementally.

Files are matched to reading-list entries by the id or arXiv id in their name, or else by
content (the arXiv stamp or title of their first page); any other file is ingested under its own
name. Each is parsed, chunked, embedded and written as a new index generation. Documents whose
bytes did not change keep their chunks and vectors from the previous index; removed files are
dropped. A new chunk whose text the same embedder has embedded before takes its vector from
the vector cache (``paperqa.vector_cache``). One bad file never stops the others: it is
reported with a one-line reason.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from paperqa.aliases import document_aliases
from paperqa.embedder import Embedder, get_embedder, max_tokens_for, tokenizer_for
from paperqa.errors import PaperQAError, ParseError
from paperqa.ingest.chunk import ChunkDraft, chunk_document
from paperqa.ingest.parse import (
    READING_VERSION,
    SUPPORTED_SUFFIXES,
    ParsedDocument,
    parse_file,
)
from paperqa.readinglist import match_content, match_file, papers_by_id, reading_list
from paperqa.settings import Settings
from paperqa.store import IndexStore, current_generation, file_sha256, write_index, writing
from paperqa.text import TERMS_VERSION, document_header, passage_text, tokenize
from paperqa.types import Chunk
from paperqa.vector_cache import encode_passages_cached


@dataclass
class DocumentReport:
    """What ingest did with one document."""

    id: str
    title: str
    path: str
    pages: int
    chunks: int
    quality: str
    quality_note: str
    status: str  # "new", "changed" or "unchanged"


@dataclass(frozen=True)
class SkippedFile:
    """A file left out because another file gave the index its document."""

    path: str
    kept: str  # the file indexed in its place
    copy: bool  # the same bytes as ``kept``; else another file of the same reading-list paper

    @property
    def reason(self) -> str:
        """What the summary says after the path: "a copy of papers/a.pdf"."""
        how = "a copy of" if self.copy else "the same reading-list paper as"
        return f"{how} {self.kept}"


@dataclass
class IngestReport:
    """The outcome of one ingest run, for the summary table and for tests."""

    index_path: Path | None
    documents: list[DocumentReport] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # reading-list ids with no file
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)
    skipped: list[SkippedFile] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # removed: their file failed this time
    embedded_chunks: int = 0  # new chunks run through the embedder
    cached_vectors: int = 0  # new chunks whose vector came from the vector cache
    parsed_pages: int = 0
    written: bool = False
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # parse_s, chunk_s, embed_s, write_s
    notes: list[str] = field(default_factory=list)  # settings the run could not follow as given
    files_found: int | None = None  # the PDF, HTML and Markdown files of the folder

    @property
    def total_chunks(self) -> int:
        return sum(d.chunks for d in self.documents)


@dataclass
class _Prepared:
    """A document ready to go into the index: its chunks, and vectors when reused."""

    meta: dict[str, Any]
    chunks: list[Chunk]
    vectors: np.ndarray | None
    tokens: list[list[str]]
    status: str
    new_slice: slice = field(
        default_factory=lambda: slice(0, 0)
    )  # where a new document's texts sit among those to embed


def discover(source: Path, problems: list[tuple[str, str]] | None = None) -> list[Path]:
    """The files under ``source`` that paperqa can read, sorted.

    Hidden files and a folder's own README are skipped: they describe the folder, not a paper.
    A candidate that cannot be read (a broken link, a link leading outside ``source``, a
    folder or pipe with a paper's name) is left out and added to ``problems`` with its reason.
    """
    if source.is_file():
        raise PaperQAError(f"{source} is a file: give the folder that holds the papers")
    if not source.is_dir():
        raise PaperQAError(
            f"source folder {source} does not exist (try `paperqa fetch --dest {source}`)"
        )
    root = source.resolve()
    found = []
    for path in sorted(source.rglob("*")):
        if (
            path.suffix.lower() not in SUPPORTED_SUFFIXES
            or any(part.startswith(".") for part in path.relative_to(source).parts)
            or path.stem.lower() == "readme"
        ):
            continue
        reason = _unreadable(path, root)
        if reason is None:
            found.append(path)
        elif problems is not None:
            problems.append((_printable(str(path)), _printable(reason)))
    return found


def _printable(text: str) -> str:
    """A file name's text with the bytes that are not UTF-8 shown as ``\\xNN``."""
    return os.fsencode(text).decode("utf-8", "backslashreplace")


def _unreadable(path: Path, root: Path) -> str | None:
    """Why ``path`` must not be ingested, or None when it is a regular file inside ``root``."""
    if _printable(str(path)) != str(path):  # the index and its report are UTF-8 text
        return "its name is not valid UTF-8 text; rename it"
    try:
        resolved = path.resolve()
        if not resolved.exists():
            return f"broken link to {os.readlink(path)}; skipped"
        if not resolved.is_relative_to(root):
            return f"leads outside the source folder (to {resolved}); refused"
        mode = resolved.stat().st_mode
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        return f"cannot be read ({_os_reason(exc)}); skipped"
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
        return f"{kind}, not a paper; skipped"
    if not os.access(resolved, os.R_OK):
        return "cannot be read (permission denied); skipped"
    return None


def _os_reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc) or type(exc).__name__


def document_id(path: Path) -> str:
    """The reading-list id of a file, or a slug of its name."""
    paper = match_file(path)
    if paper:
        return paper.id
    ascii_name = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "document"


def _parse(path: Path) -> ParsedDocument | str:
    """Runs in a worker process: the parsed document, or a one-line reason it failed."""
    try:
        return parse_file(path)
    except ParseError as exc:
        return str(exc).removeprefix(f"{path.name}: ")  # the report shows the path already
    except Exception as exc:  # a parser bug must not stop the other files
        return f"could not be read ({type(exc).__name__}: {exc})".splitlines()[0]


def _chunking_params(settings: Settings, max_tokens: int) -> dict[str, Any]:
    return {
        "chunk_tokens": settings.chunk_tokens,
        "chunk_overlap": settings.chunk_overlap,
        "max_tokens": max_tokens,
        "text": "header+section+text",
        "reading": READING_VERSION,
        "terms": TERMS_VERSION,
    }


def ingest(
    source: Path, settings: Settings, *, rebuild: bool = False, progress: bool = True
) -> IngestReport:
    """Builds or updates the index in ``settings.index_dir`` from the files in ``source``.

    The source folder is read before the index folder is locked, so that a wrong ``--source``
    (missing, or holding no paper) leaves no index folder and no lock file behind: a run with
    no file to index writes nothing, and reads the old index without the lock as searches do.
    """
    started = time.perf_counter()
    report = IngestReport(index_path=None)
    files = discover(source, report.failed)
    report.files_found = len(files)
    # one writer at a time, from reading the old index on
    with writing(settings.index_dir) if files else contextlib.nullcontext():
        _ingest(source, files, settings, rebuild, progress, report)
    report.seconds = time.perf_counter() - started
    return report


def _ingest(
    source: Path,
    files: list[Path],
    settings: Settings,
    rebuild: bool,
    progress: bool,
    report: IngestReport,
) -> None:
    previous = None if rebuild else _current_index(settings)  # refuses another embedder early
    max_tokens = max_tokens_for(settings)
    if settings.chunk_tokens > max_tokens:
        report.notes.append(
            f"chunks are cut to what {settings.embedder} reads ({max_tokens} tokens with their "
            f"header), not the {settings.chunk_tokens} tokens of chunk_tokens"
        )
    chunking = _chunking_params(settings, max_tokens)
    if previous is not None and previous.meta["chunking"] != chunking:
        previous = None  # chunking or reading changed: nothing can be reused
    old_docs = previous.documents if previous else {}
    prepared, to_parse = _plan(files, previous, report)

    clock = time.perf_counter()
    parsed = _parse_all([p for _, p, _ in to_parse], progress)
    report.timings["parse_s"] = time.perf_counter() - clock
    report.parsed_pages = sum(len(r.pages) for r in parsed if not isinstance(r, str))
    clock = time.perf_counter()
    new_texts = _chunk_parsed(to_parse, parsed, settings, max_tokens, old_docs, prepared, report)
    report.timings["chunk_s"] = time.perf_counter() - clock
    _fail_copies(report)
    _list_documents(report, prepared, old_docs)

    failures = [{"path": p, "reason": r} for p, r in report.failed]
    unchanged = not new_texts and not report.removed and previous is not None
    if not prepared or (unchanged and previous.meta.get("failed") == failures):
        report.index_path = previous.path if prepared and previous else None
        if report.index_path is not None:
            get_embedder(settings).ensure_export(progress)
        return

    clock = time.perf_counter()
    embedder = get_embedder(settings)
    new_vectors, report.cached_vectors = _embed(embedder, new_texts, settings, progress)
    report.embedded_chunks = len(new_texts) - report.cached_vectors
    report.timings["embed_s"] = time.perf_counter() - clock
    clock = time.perf_counter()
    meta = {
        "embedder": {"name": settings.embedder, "dim": embedder.dim},
        "chunking": chunking,
        "missing": report.missing,
        "failed": failures,
        "source": str(source.resolve()),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    report.index_path = _write(settings.index_dir, meta, prepared, new_vectors)
    report.timings["write_s"] = time.perf_counter() - clock
    embedder.ensure_export(progress)  # searches then encode questions without importing torch
    report.written = True


def _embed(
    embedder: Embedder, texts: list[str], settings: Settings, progress: bool
) -> tuple[np.ndarray, int]:
    """The passage vectors of ``texts``, and how many of them the vector cache held."""
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32), 0
    if not settings.vector_cache:
        return embedder.encode_passages(texts, progress=progress), 0
    cache_root = Path(settings.cache_dir).expanduser() / "vectors"
    return encode_passages_cached(embedder, texts, cache_root, progress)


def _current_index(settings: Settings) -> IndexStore | None:
    """The current index, if any; raises when it was built with another embedder."""
    if current_generation(settings.index_dir) is None:
        return None
    previous = IndexStore.load(settings.index_dir)
    previous.check_embedder(settings.embedder)
    return previous


def _plan(
    files: list[Path], previous: IndexStore | None, report: IngestReport
) -> tuple[dict[str, _Prepared], list[tuple[str, Path, str]]]:
    """Unchanged documents taken from ``previous``, and the (id, path, sha256) to parse."""
    old_docs = previous.documents if previous else {}
    seen: dict[str, Path] = {}
    by_content: dict[str, Path] = {}
    prepared: dict[str, _Prepared] = {}
    to_parse: list[tuple[str, Path, str]] = []
    previous_vectors: np.ndarray | None = None  # read from the old index on first reuse
    shas: dict[str, str] = {}
    for path in files:
        try:
            sha = file_sha256(path)
        except OSError as exc:
            report.failed.append((str(path), f"cannot be read ({_os_reason(exc)}); skipped"))
            continue
        doc_id = _unique_id(_known_id(path, sha, old_docs), sha, shas)
        kept = by_content.get(sha) or seen.get(doc_id)
        if kept is not None and sha not in by_content and doc_id not in prepared:
            # another version of a paper whose first file is still to be read: read it too, to
            # take its place should that file fail (_chunk_parsed skips it otherwise)
            by_content[sha] = path
            to_parse.append((doc_id, path, sha))
            continue
        if kept is not None:
            report.skipped.append(SkippedFile(str(path), str(kept), copy=sha in by_content))
            continue
        seen[doc_id], shas[doc_id], by_content[sha] = path, sha, path
        old = old_docs.get(doc_id)
        if previous is not None and old and old["sha256"] == sha:
            if previous_vectors is None:
                previous_vectors = previous.vectors()
            meta = {**old, "path": str(path.resolve())}
            prepared[doc_id] = _reuse(previous, previous_vectors, doc_id, meta)
        else:
            to_parse.append((doc_id, path, sha))
    return prepared, to_parse


def _fail_copies(report: IngestReport) -> None:
    """A copy of a file that failed fails for the same reason: it was skipped as one already
    indexed, which it is not."""
    reasons = dict(report.failed)
    copies = [s for s in report.skipped if s.copy and s.kept in reasons]
    for copy in copies:
        report.skipped.remove(copy)
        report.failed.append((copy.path, f"{reasons[copy.kept]} ({copy.reason})"))


def _known_id(path: Path, sha: str, old_docs: dict[str, Any]) -> str:
    """``document_id``, or the reading-list id the index gave these bytes under another name
    (recognised by content), so that a renamed paper is not parsed again."""
    doc_id = document_id(path)
    if doc_id in papers_by_id():
        return doc_id
    listed = [old for old, meta in old_docs.items() if meta["sha256"] == sha]
    return next((old for old in listed if old in papers_by_id()), doc_id)


def _unique_id(doc_id: str, sha: str, taken: dict[str, str]) -> str:
    """``doc_id``, or for another file whose name gives a taken id ("a/paper.pdf" and
    "b/paper.pdf") an id with its content hash. A reading-list paper keeps its id: two files that
    the list takes for one paper (its PDF and its HTML) are one document, and the second is
    skipped, as is a second copy of any file."""
    if doc_id not in taken or taken[doc_id] == sha or doc_id in papers_by_id():
        return doc_id
    return f"{doc_id}-{sha[:8]}"


def _chunk_parsed(
    to_parse: list[tuple[str, Path, str]],
    parsed: list[ParsedDocument | str],
    settings: Settings,
    max_tokens: int,
    old_docs: dict[str, Any],
    prepared: dict[str, _Prepared],
    report: IngestReport,
) -> list[str]:
    """Chunks each parsed document into ``prepared``; returns the texts to embed, in order."""
    tokenizer = tokenizer_for(settings)
    new_texts: list[str] = []
    named_ids = {doc_id for doc_id, _, _ in to_parse}
    read: dict[str, Path] = {}  # the file each document was read from
    for (doc_id, path, sha), result in zip(to_parse, parsed, strict=True):
        if doc_id in read:  # a second version of that paper (see _plan)
            report.skipped.append(SkippedFile(str(path), str(read[doc_id]), copy=False))
            continue
        if isinstance(result, str):
            report.failed.append((str(path), result))
            continue
        doc_id = _listed_id(doc_id, result, named_ids | set(prepared), report)
        doc_meta = _document_meta(doc_id, path, sha, result)
        header = document_header(doc_meta["title"], doc_meta["authors"], doc_meta["year"])
        drafts = chunk_document(
            result, header, tokenizer, max_tokens, settings.chunk_tokens, settings.chunk_overlap
        )
        if not drafts:
            report.failed.append((str(path), "no text left after cleanup; skipped"))
            continue
        chunks = [_chunk(doc_id, doc_meta["title"], d) for d in drafts]
        texts = [passage_text(header, c.section, c.text) for c in chunks]
        doc_meta["chunks"] = len(chunks)
        status = "changed" if doc_id in old_docs else "new"
        item = _Prepared(doc_meta, chunks, None, [tokenize(t) for t in texts], status)
        item.new_slice = slice(len(new_texts), len(new_texts) + len(texts))
        prepared[doc_id], read[doc_id] = item, path
        new_texts.extend(texts)
    return new_texts


def _list_documents(
    report: IngestReport, prepared: dict[str, _Prepared], old_docs: dict[str, Any]
) -> None:
    """Fills the report's documents, removed and missing reading-list entries."""
    report.removed = sorted(set(old_docs) - set(prepared))
    failed_paths = {str(Path(path).resolve()) for path, _ in report.failed}
    report.unreadable = [d for d in report.removed if old_docs[d].get("path") in failed_paths]
    listed = {p.id for p in reading_list()}
    left_out = [f for f, _ in report.failed] + [s.path for s in report.skipped]
    failed_ids = {document_id(Path(f)) for f in left_out}
    report.missing = sorted(listed - set(prepared) - failed_ids)
    for doc_id in sorted(prepared):
        item = prepared[doc_id]
        m = item.meta
        report.documents.append(
            DocumentReport(
                doc_id,
                m["title"],
                m["path"],
                m["pages"],
                m["chunks"],
                m["quality"],
                m["quality_note"],
                item.status,
            )
        )


def _write(
    index_dir: Path, meta: dict[str, Any], prepared: dict[str, _Prepared], new_vectors: np.ndarray
) -> Path:
    """Writes all documents, in id order, as a new index generation."""
    chunks, vectors, tokens, documents = [], [], [], {}
    for doc_id in sorted(prepared):
        item = prepared[doc_id]
        if item.vectors is None:
            item.vectors = new_vectors[item.new_slice]
        for chunk in item.chunks:
            chunks.append(Chunk(**{**chunk.to_dict(), "id": len(chunks)}))
        vectors.append(item.vectors)
        tokens.extend(item.tokens)
        documents[doc_id] = item.meta
    meta = {**meta, "documents": documents}
    return write_index(index_dir, meta, chunks, np.concatenate(vectors), tokens)


def _parse_all(paths: list[Path], progress: bool) -> list[ParsedDocument | str]:
    if not paths:
        return []
    bar = tqdm(total=len(paths), desc="Parsing", unit="file", disable=not progress)
    if len(paths) == 1:
        results = [_parse(paths[0])]
        bar.update(1)
    else:
        with ProcessPoolExecutor(
            max_workers=2, initializer=_die_with_parent, initargs=(os.getpid(),)
        ) as pool:
            results = []
            for result in pool.map(_parse, paths):
                results.append(result)
                bar.update(1)
    bar.close()
    return results


def _die_with_parent(parent: int) -> None:
    """In a parse worker: be killed when the ingest process dies (even by kill -9), on Linux."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the call above took effect
        os._exit(1)


def _reuse(
    previous: IndexStore, vectors: np.ndarray, doc_id: str, meta: dict[str, Any]
) -> _Prepared:
    """An unchanged document's chunks, vectors and terms, taken from the previous index."""
    positions = [i for i, c in enumerate(previous.chunks) if c.doc == doc_id]
    all_tokens = previous.bm25_tokens()
    return _Prepared(
        meta,
        [previous.chunks[i] for i in positions],
        vectors[positions],
        [all_tokens[i] for i in positions],
        "unchanged",
    )


def _listed_id(doc_id: str, parsed: ParsedDocument, taken: set[str], report: IngestReport) -> str:
    """The reading-list id of a file its name did not match, when its content shows which paper
    it is (an arXiv stamp, its title) and no other file of the folder is that paper; a note
    when another file is (two versions of one paper, both indexed)."""
    if doc_id in papers_by_id():
        return doc_id
    paper = match_content(parsed.title, parsed.arxiv_id)
    if paper is None:
        return doc_id
    if paper.id in taken:
        report.notes.append(
            f"{parsed.path.name} looks like {paper.id}, which another file of the folder already "
            f"is; both are indexed, this one as {doc_id}"
        )
        return doc_id
    return paper.id


def _document_meta(doc_id: str, path: Path, sha: str, parsed: ParsedDocument) -> dict[str, Any]:
    paper = papers_by_id().get(doc_id)
    title = paper.title if paper else (parsed.title or path.stem)
    authors = paper.authors if paper else parsed.authors
    return {
        "title": title,
        "year": paper.year if paper else None,
        "authors": authors,
        "arxiv_id": paper.arxiv_id if paper else None,
        "in_reading_list": paper is not None,
        "pages": len(parsed.pages),
        "chunks": 0,
        "quality": parsed.quality,
        "quality_note": parsed.quality_note,
        "path": str(path.resolve()),
        "kind": parsed.kind,
        "sha256": sha,
        "aliases": _aliases(title, authors, parsed),
    }


def _aliases(title: str, authors: list[str], parsed: ParsedDocument) -> list[str]:
    """The names the paper goes by: its title and authors, and what its own text names."""
    texts = [page.text for page in parsed.pages]
    return document_aliases(title, authors, "\n\n".join(texts[:2]), "\n\n".join(texts))


def _chunk(doc_id: str, title: str, draft: ChunkDraft) -> Chunk:
    return Chunk(
        id=-1,
        doc=doc_id,
        title=title,
        page_start=draft.page_start,
        page_end=draft.page_end,
        text=draft.text,
        section=draft.section,
        char_start=draft.char_start,
        char_end=draft.char_end,
    )


__all__ = ["DocumentReport", "IngestReport", "discover", "ingest"]
