"""What ingest tells the user: the documents table, missing reading-list entries and failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from paperqa.ingest.parse import SUPPORTED_SUFFIXES
from paperqa.ingest.pipeline import IngestReport
from paperqa.readinglist import papers_by_id, reading_list
from paperqa.store import IndexStore, current_generation


def print_summary(report: IngestReport, console: Console | None = None) -> None:
    # soft_wrap: a failure stays one line, whatever the width (80 columns when piped)
    console = console or Console(stderr=False, soft_wrap=True)
    if report.files_found == 0 and not report.failed:  # a folder of .txt or .docx files, say
        suffixes = ", ".join(sorted(SUPPORTED_SUFFIXES))
        console.print(
            f"[red]The source folder holds no PDF, HTML or Markdown file ({suffixes}); the "
            "existing index, if any, is unchanged.[/red] Give the folder of the papers: "
            "`paperqa ingest --source DIR`."
        )
        return
    table = Table("id", "pages", "chunks", "quality", "status", title="Indexed documents")
    for doc in report.documents:
        quality = doc.quality if doc.quality == "ok" else f"{doc.quality}: {doc.quality_note}"
        table.add_row(doc.id, str(doc.pages), str(doc.chunks), quality, doc.status)
    console.print(table)
    titles = papers_by_id()
    # A folder of one's own papers, none of them on the reading list, is not missing 30 of them.
    if report.missing and len(report.missing) < len(titles):
        console.print(f"[yellow]Not found in the source folder ({len(report.missing)}):[/yellow]")
        for doc_id in report.missing:
            console.print(f"  {doc_id}: {titles[doc_id].title}")
    if report.failed:
        console.print(f"[red]Files that failed ({len(report.failed)}):[/red]")
        for path, reason in report.failed:
            console.print(f"  {path}: {reason}")
    if report.skipped:
        console.print(f"Skipped, already indexed from another file ({len(report.skipped)}):")
        for skipped in report.skipped:
            console.print(f"  {skipped.path}: {skipped.reason}")
    if report.written:
        gone = ", ".join(d for d in report.removed if d not in report.unreadable)
        if gone:
            console.print(f"Removed from the index (no longer in the source folder): {gone}")
        if report.unreadable:
            failed = ", ".join(report.unreadable)
            console.print(
                f"Removed from the index (its file can no longer be read, above): {failed}"
            )
    for note in report.notes:
        console.print(f"[yellow]Note: {note}.[/yellow]")
    poor = [d.id for d in report.documents if d.quality == "poor"]
    if poor:
        console.print(
            f"[yellow]Poor text quality (answers may miss these): {', '.join(poor)}[/yellow]"
        )
    if not report.documents:
        console.print(
            "[red]No document could be indexed from this folder; the existing index, if any, "
            "is unchanged.[/red] Give the folder of the papers: `paperqa ingest --source DIR`."
        )
        return
    action = "written" if report.written else "already up to date"
    cached = f", {report.cached_vectors} from the vector cache" if report.cached_vectors else ""
    console.print(
        f"{_count(len(report.documents), 'document')}, {_count(report.total_chunks, 'chunk')} "
        f"({report.embedded_chunks} embedded now{cached}); index {action}: {report.index_path} "
        f"in {report.seconds:.1f} s"
    )


def _count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless one: "1 document", "5 chunks"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def papers_table(index_dir: Path) -> list[dict[str, Any]]:
    """Each reading-list entry (and any other indexed document) with its index status."""
    documents: dict[str, Any] = {}
    if current_generation(index_dir) is not None:
        documents = IndexStore.load(index_dir).documents
    rows = []
    for paper in reading_list():
        meta = documents.get(paper.id)
        rows.append(_row(paper.id, paper.title, paper.year, meta))
    for doc_id, meta in sorted(documents.items()):
        if doc_id not in papers_by_id():
            rows.append(_row(doc_id, meta["title"], meta.get("year"), meta))
    return rows


def _row(doc_id: str, title: str, year: int | None, meta: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": doc_id,
        "title": title,
        "year": year,
        "indexed": meta is not None,
        "pages": meta["pages"] if meta else None,
        "chunks": meta["chunks"] if meta else None,
        "quality": meta["quality"] if meta else None,
        "quality_note": meta["quality_note"] if meta else "",
        "status": (meta["quality"] if meta else "not indexed"),
    }
