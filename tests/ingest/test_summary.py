"""What ingest tells the user: papers dropped or not, and where the vectors came from."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from paperqa.ingest.pipeline import DocumentReport, IngestReport
from paperqa.ingest.summary import print_summary
from paperqa.readinglist import reading_list


def _printed(report: IngestReport) -> str:
    console = Console(record=True, width=200)
    print_summary(report, console)
    return console.export_text()


def test_an_empty_folder_does_not_claim_papers_were_dropped() -> None:
    report = IngestReport(index_path=None, removed=["attention-is-all-you-need"], written=False)
    text = _printed(report)
    assert "Removed" not in text and "Dropped" not in text
    assert "existing index, if any, is unchanged" in text
    assert "paperqa ingest --source DIR" in text


def test_a_folder_without_a_file_to_read_says_which_files_ingest_reads() -> None:
    text = _printed(IngestReport(index_path=None, files_found=0))  # .txt or .docx files, say
    assert "no PDF, HTML or Markdown file" in text and ".pdf" in text
    assert "Indexed documents" not in text  # no empty table
    assert "existing index, if any, is unchanged" in text
    failed = IngestReport(index_path=None, files_found=1, failed=[("a.pdf", "not a PDF file")])
    assert "no PDF, HTML or Markdown file" not in _printed(failed)


def test_a_written_index_names_what_it_removed() -> None:
    report = IngestReport(index_path=Path("ix"), removed=["gpipe"], written=True)
    assert "Removed from the index (no longer in the source folder): gpipe" in _printed(report)


def test_the_last_line_says_how_many_vectors_came_from_the_cache() -> None:
    doc = DocumentReport("notes", "Notes", "notes.md", 1, 5, "ok", "", "new")
    report = IngestReport(index_path=Path("ix"), documents=[doc], written=True)
    report.embedded_chunks, report.cached_vectors = 2, 3
    assert "1 document, 5 chunks (2 embedded now, 3 from the vector cache)" in _printed(report)
    report.embedded_chunks, report.cached_vectors = 5, 0
    assert "(5 embedded now); index written" in _printed(report)
    one_chunk = DocumentReport("tiny", "Tiny", "tiny.md", 1, 1, "ok", "", "new")
    report.documents = [doc, one_chunk]
    assert "2 documents, 6 chunks" in _printed(report)
    report.documents = [one_chunk]
    assert "1 document, 1 chunk (" in _printed(report)


def test_each_failure_stays_on_one_line_when_piped(capsys) -> None:
    reason = "no text layer (scanned or image-only PDF); run OCR on it first"
    path = "/papers/a_rather_long_file_name_for_a_scanned_field_report.pdf"
    print_summary(IngestReport(index_path=None, failed=[(path, reason)]))  # stdout: 80 columns
    assert f"  {path}: {reason}\n" in capsys.readouterr().out


def test_a_folder_of_ones_own_papers_is_not_told_the_reading_list_is_missing() -> None:
    own = IngestReport(index_path=Path("ix"), missing=[p.id for p in reading_list()])
    assert "Not found" not in _printed(own)
    some = IngestReport(index_path=Path("ix"), missing=["gpipe"])
    assert "Not found in the source folder (1):" in _printed(some)
