"""Downloading the reading list: arXiv PDFs and the authors' pages, resumable and validated.

Each entry lands in ``dest`` as ``<id>.pdf`` or ``<id>.html``. A download is written to
``<name>.part`` (resumed with an HTTP Range request on the next run when the server supports it)
and renamed into place only once complete and checked to be what it claims. An entry made of
several pages (the CS231n notes) becomes one HTML file: the pages' bodies in list order, each after
a ``<!-- ===== source: URL ===== -->`` comment.
"""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from bs4 import BeautifulSoup
from pypdf import PdfReader
from rich.console import RenderableType
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
)

from paperqa import __version__
from paperqa.errors import FetchError, PaperQAError
from paperqa.readinglist import Paper, reading_list

USER_AGENT = f"paperqa/{__version__} (reading-list downloader; python-httpx)"
CONNECT_TIMEOUT = 10.0  # seconds; short, so an offline machine fails fast
LOCK_FILE = ".fetch.lock"  # in the destination folder, while a fetch writes there


@dataclass
class FetchReport:
    """What one run did: ids downloaded, ids already present, ids that failed with a reason."""

    dest: Path
    downloaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        line = (
            f"{len(self.downloaded)} downloaded, {len(self.skipped)} already present, "
            f"{len(self.failed)} failed (in {self.dest})"
        )
        return "\n".join([line, *(f"  {pid}: {why}" for pid, why in self.failed.items())])


class _Invalid(Exception):
    """A file that is not what it claims; the message is the one-line reason."""


def target_path(paper: Paper, dest: Path) -> Path:
    """Where ``paper`` is saved under ``dest``."""
    return dest / f"{paper.id}.{'pdf' if paper.kind == 'pdf' else 'html'}"


def fetch_reading_list(
    dest: Path,
    papers: Collection[str] | None = None,
    *,
    timeout: float = 30.0,
    progress: bool = True,
    base_urls: Mapping[str, Sequence[str]] | None = None,
) -> FetchReport:
    """Download the reading list (or the ids in ``papers``) into ``dest``.

    ``base_urls`` replaces the download URLs of the ids it names (tests point them at a local
    server). Raises FetchError for unknown ids, and, when the very first connection fails (no
    network), with advice to ingest a local folder instead. Other failures are per-file and land
    in ``FetchReport.failed``.
    """
    entries = _select(papers)
    dest.mkdir(parents=True, exist_ok=True)
    from filelock import FileLock, Timeout

    try:  # one fetch per folder: the .part files have fixed names, so that they resume
        with FileLock(str(dest / LOCK_FILE), timeout=0):
            return _fetch_entries(entries, dest, timeout, progress, base_urls)
    except Timeout:
        raise FetchError(
            f"another `paperqa fetch` is downloading into {dest}; wait for it to finish, "
            "or give another --dest"
        ) from None


def _fetch_entries(
    entries: list[Paper],
    dest: Path,
    timeout: float,
    progress: bool,
    base_urls: Mapping[str, Sequence[str]] | None,
) -> FetchReport:
    report = FetchReport(dest=dest)
    connected = False  # once a server answered, a connection error is that file's problem only
    client = httpx.Client(
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
    )
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), _AmountColumn(), disable=not progress
    )
    with client, bar:
        overall = bar.add_task("reading list", total=len(entries))
        for paper in entries:
            target = target_path(paper, dest)
            urls = (base_urls or {}).get(paper.id) or paper.download_urls
            if _is_complete(target):
                report.skipped.append(paper.id)
                bar.advance(overall)
                continue
            task = bar.add_task(paper.id, total=None, bytes=paper.kind == "pdf")
            try:
                if paper.kind == "pdf":
                    _download_pdf(client, urls[0], target, bar, task)
                else:
                    _download_pages(client, paper, urls, target, bar, task)
                report.downloaded.append(paper.id)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if not connected:
                    raise _offline_error(urls[0], exc) from exc
                report.failed[paper.id] = f"cannot connect to {_host(urls[0])}: {_one_line(exc)}"
            except (httpx.HTTPError, _Invalid) as exc:
                connected = True
                report.failed[paper.id] = _reason(exc)
            else:
                connected = True
            bar.remove_task(task)
            bar.advance(overall)
    return report


class _AmountColumn(ProgressColumn):
    """Bytes for a file download, a count for the overall bar and multi-page entries."""

    def __init__(self) -> None:
        super().__init__()
        self._bytes, self._count = DownloadColumn(), MofNCompleteColumn()

    def render(self, task: Task) -> RenderableType:
        return (self._bytes if task.fields.get("bytes") else self._count).render(task)


def _reason(exc: Exception) -> str:
    """One line saying why a file failed."""
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code} from {exc.request.url}"
    if isinstance(exc, httpx.HTTPError):
        return f"download failed ({type(exc).__name__}: {_one_line(exc)}); run again to resume"
    return str(exc)


def _select(papers: Collection[str] | None) -> list[Paper]:
    if papers is None:
        return list(reading_list())
    from paperqa.retrieve.filters import match_papers

    titles = {paper.id: paper.title for paper in reading_list()}
    unmatched = "no reading-list paper matches {entry!r} (ids and titles: `paperqa papers`)"
    try:
        chosen = set(match_papers(list(papers), titles, unmatched))
    except PaperQAError as exc:
        raise FetchError(str(exc)) from None
    return [p for p in reading_list() if p.id in chosen]


def _download_pdf(
    client: httpx.Client, url: str, target: Path, bar: Progress, task: TaskID
) -> None:
    """Stream ``url`` into ``<target>.part`` (resuming a partial one), check it, rename it."""
    part = target.with_name(target.name + ".part")
    if part.exists() and not _head(part).startswith(b"%PDF-"):
        part.unlink()  # not the start of a PDF (an error page cut short): nothing to resume
    for _ in range(2):  # a second pass only when the server refused the resume: start over
        offset = part.stat().st_size if part.exists() else 0
        # identity encoding, so byte offsets in Range requests mean bytes of the file itself
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        with client.stream("GET", url, headers=headers) as response:
            if offset and response.status_code == 416:
                part.unlink()
                continue
            response.raise_for_status()
            resumed = response.status_code == 206
            if resumed and not response.headers.get("content-range", "").startswith(
                f"bytes {offset}-"
            ):
                part.unlink()
                continue
            if not resumed:
                offset = 0  # the server sent the whole file: overwrite the partial one
            length = response.headers.get("content-length")
            bar.update(task, total=offset + int(length) if length else None, completed=offset)
            with part.open("ab" if resumed else "wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
                    bar.advance(task, len(chunk))
        break
    _finish(part, target)


def _download_pages(
    client: httpx.Client,
    paper: Paper,
    urls: Sequence[str],
    target: Path,
    bar: Progress,
    task: TaskID,
) -> None:
    """Fetch a web entry: one page saved as is, several joined into one HTML document."""
    bar.update(task, total=len(urls))
    pages: list[tuple[str, httpx.Response]] = []
    for url in urls:
        response = client.get(url)
        response.raise_for_status()
        _check_html(response.content, url)
        pages.append((url, response))
        bar.advance(task)
    part = target.with_name(target.name + ".part")
    if len(pages) == 1:
        part.write_bytes(pages[0][1].content)
    else:
        part.write_text(_join_pages(paper.title, pages), encoding="utf-8")
    _finish(part, target)


def _join_pages(title: str, pages: Sequence[tuple[str, httpx.Response]]) -> str:
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head><body>',
    ]
    for url, response in pages:
        soup = BeautifulSoup(response.text, "html.parser")
        body = soup.body or soup
        parts += [
            f"<!-- ===== source: {url} ===== -->",
            "<section>",
            body.decode_contents(),
            "</section>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _finish(part: Path, target: Path) -> None:
    """Move a complete ``.part`` into place if it is valid; otherwise delete it and say why."""
    try:
        _validate(part, kind=target.suffix)
    except _Invalid:
        part.unlink(missing_ok=True)
        raise
    part.replace(target)


def _is_complete(target: Path) -> bool:
    """Whether ``target`` is already downloaded and valid (so this run skips it)."""
    try:
        _validate(target)
    except (_Invalid, OSError):
        return False
    return True


def _validate(path: Path, kind: str | None = None) -> None:
    """Raise _Invalid unless ``path`` is a readable PDF / an HTML page, as its suffix claims."""
    kind = kind or path.suffix
    if kind == ".pdf":
        head = _head(path)
        if not head.startswith(b"%PDF-"):
            if _looks_like_html(head):
                raise _Invalid("server sent an HTML page where a PDF was expected")
            raise _Invalid(f"not a PDF (starts with {head[:16]!r})")
        try:
            pages = len(PdfReader(path).pages)
        except Exception as exc:  # pypdf raises many types for damaged files
            raise _Invalid(f"PDF does not parse ({type(exc).__name__}: {exc})") from exc
        if pages < 1:
            raise _Invalid("PDF has no pages")
    else:
        with path.open("rb") as f:
            _check_html(f.read(), path.name)


def _head(path: Path, size: int = 1024) -> bytes:
    with path.open("rb") as f:
        return f.read(size)


def _check_html(content: bytes, where: str) -> None:
    if not _looks_like_html(content):
        raise _Invalid(f"{where} is not an HTML page (no <html> or <title>)")


def _looks_like_html(content: bytes) -> bool:
    text = content[:65536].lower()
    return b"<html" in text or b"<title" in text


def _host(url: str) -> str:
    return httpx.URL(url).host or url


def _offline_error(url: str, exc: Exception) -> FetchError:
    return FetchError(
        f"cannot reach {_host(url)} ({type(exc).__name__}: {_one_line(exc)}); if this machine "
        "is offline, copy the papers (PDF, HTML or Markdown) into a folder and run "
        "`paperqa ingest --source DIR` instead"
    )


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or "no answer"
