import csv
from pathlib import Path

import pytest
from pdf_factory import make_title_page_pdf
from reportlab.pdfgen import canvas

from paperqa.errors import IndexMismatchError
from paperqa.ingest.pipeline import discover, document_id, ingest
from paperqa.settings import Settings
from paperqa.store import IndexStore

# Invented text (the papers of the reading list must not be committed).
SLOT_TEXT = """# Understanding lattices

## Valves

The reset valve decides which slots to wipe from the lattice memory. The fill valve
decides which slots to write. The read valve decides which slots to show.
"""


def _pdf(path: Path, pages: list[str]) -> Path:
    c = canvas.Canvas(str(path))
    for text in pages:
        y = 800
        for line in text.splitlines():
            c.drawString(72, y, line)
            y -= 14
        c.showPage()
    c.save()
    return path


def _settings(tmp_path: Path) -> Settings:
    return Settings(index_dir=tmp_path / "index", cache_dir=tmp_path / "cache")


def _one_paper_indexed(tmp_path: Path) -> tuple[Path, Settings]:
    """A source folder of one invented paper, and the settings of the index built from it."""
    source = tmp_path / "papers"
    source.mkdir()
    (source / "one.md").write_text(SLOT_TEXT)
    settings = _settings(tmp_path)
    ingest(source, settings, progress=False)
    return source, settings


def test_document_ids_follow_the_reading_list():
    assert document_id(Path("1706.03762v7.pdf")) == "attention-is-all-you-need"
    assert document_id(Path("dense-passage-retrieval.pdf")) == "dense-passage-retrieval"
    assert document_id(Path("My Own Notes.md")) == "my-own-notes"


def test_an_accented_name_keeps_its_letters_in_the_id():
    # the id is what --papers takes: "ber-netze" for "Über Netze" could not be guessed
    assert document_id(Path("Über Netze.md")) == "uber-netze"
    assert document_id(Path("Résumé — notes.pdf")) == "resume-notes"
    assert document_id(Path("注意.md")) == "document"  # no Latin letter to keep


def test_discover_skips_hidden_files_readme_and_other_types(tmp_path):
    for name in ["a.pdf", "b.md", "c.html", "README.md", ".hidden.pdf", "d.txt", "e.pdf.part"]:
        (tmp_path / name).write_text("x")
    assert [p.name for p in discover(tmp_path)] == ["a.pdf", "b.md", "c.html"]


def test_bad_files_are_reported_and_the_rest_indexed(tmp_path):
    source = tmp_path / "papers"
    source.mkdir()
    _pdf(source / "good-paper.pdf", ["Lattice weights are computed with a softmax.", "Page 2"])
    (source / "notes.md").write_text(SLOT_TEXT)
    (source / "corrupt.pdf").write_bytes(b"%PDF-1.4\n garbage that is not a pdf")
    (source / "empty.pdf").write_bytes(b"")
    settings = _settings(tmp_path)
    report = ingest(source, settings, progress=False)
    assert sorted(d.id for d in report.documents) == ["good-paper", "notes"]
    failed = {Path(p).name: reason for p, reason in report.failed}
    assert set(failed) == {"corrupt.pdf", "empty.pdf"}
    assert all(reason and "\n" not in reason for reason in failed.values())
    assert "attention-is-all-you-need" in report.missing
    store = IndexStore.load(settings.index_dir)
    assert {c.doc for c in store.chunks} == {"good-paper", "notes"}
    assert store.meta["failed"] and store.meta["documents"]["notes"]["kind"] == "md"


def test_different_files_with_one_name_are_both_indexed_and_copies_skipped(tmp_path):
    source = tmp_path / "papers"
    for folder in ("a", "b", "c"):
        (source / folder).mkdir(parents=True)
    (source / "a" / "paper.md").write_text(SLOT_TEXT)
    (source / "b" / "paper.md").write_text(SLOT_TEXT.replace("reset valve", "drain valve"))
    (source / "c" / "paper.md").write_text(SLOT_TEXT)  # a copy of a/paper.md
    (source / "c" / "copy of the paper.md").write_text(SLOT_TEXT)  # renamed
    report = ingest(source, _settings(tmp_path), progress=False)
    ids = sorted(d.id for d in report.documents)
    assert len(ids) == 2 and ids[0] == "paper" and ids[1].startswith("paper-")
    assert not report.failed
    kept = str(source / "a" / "paper.md")
    assert sorted((Path(s.path).name, s.reason) for s in report.skipped) == [
        ("copy of the paper.md", f"a copy of {kept}"),
        ("paper.md", f"a copy of {kept}"),
    ]
    store = IndexStore.load(tmp_path / "index")
    assert any("drain valve" in c.text for c in store.chunks if c.doc == ids[1])


def test_chunks_larger_than_the_embedder_reads_are_cut_and_the_report_says_so(tmp_path):
    source = tmp_path / "papers"
    source.mkdir()
    (source / "notes.md").write_text(SLOT_TEXT)
    settings = _settings(tmp_path)
    assert ingest(source, settings, progress=False).notes == []
    wide = settings.model_copy(update={"chunk_tokens": 1000})
    report = ingest(source, wide, rebuild=True, progress=False)
    assert len(report.notes) == 1
    assert "not the 1000 tokens of chunk_tokens" in report.notes[0]


def test_incremental_update_embeds_only_what_changed(tmp_path):
    source = tmp_path / "papers"
    source.mkdir()
    (source / "one.md").write_text(SLOT_TEXT)
    (source / "two.md").write_text("# Two\n\nBraided pooling helps optimisation.\n")
    (source / "three.md").write_text("# Three\n\nBM25 ranks documents by term frequency.\n")
    settings = _settings(tmp_path)
    first = ingest(source, settings, progress=False)
    assert first.written and first.embedded_chunks == first.total_chunks

    again = ingest(source, settings, progress=False)
    assert not again.written and again.embedded_chunks == 0

    (source / "two.md").write_text("# Two\n\nBraided shortcuts keep slots flowing.\n")
    (source / "three.md").unlink()
    (source / "four.md").write_text("# Four\n\nSlot shuffling regularises mixers.\n")
    update = ingest(source, settings, progress=False)
    status = {d.id: d.status for d in update.documents}
    assert status == {"one": "unchanged", "two": "changed", "four": "new"}
    assert update.removed == ["three"]
    assert update.embedded_chunks == 2
    store = IndexStore.load(settings.index_dir)
    assert {c.doc for c in store.chunks} == {"one", "two", "four"}
    assert "Braided shortcuts" in " ".join(c.text for c in store.chunks if c.doc == "two")
    # The reused vectors still find their chunk.
    from paperqa.retrieve import load_retriever

    hit = load_retriever(settings, "dense", store).search("reset valve lattice memory", 1)[0]
    assert hit.doc == "one"


@pytest.mark.parametrize("version", ["reading", "terms"])
def test_an_index_read_by_another_version_of_the_reader_reads_its_files_again(tmp_path, version):
    import json

    from paperqa.store import META_FILE, current_generation

    source, settings = _one_paper_indexed(tmp_path)
    meta_path = current_generation(settings.index_dir) / META_FILE
    meta = json.loads(meta_path.read_text())
    if version == "reading":
        meta["chunking"]["reading"] -= 1  # as an older paperqa wrote it
    else:
        del meta["chunking"]["terms"]  # as paperqa wrote it before it recorded its terms' version
    meta_path.write_text(json.dumps(meta))
    again = ingest(source, settings, progress=False)
    # The file is read again (its text may read otherwise now); its vectors come from the cache.
    assert again.written and [d.status for d in again.documents] == ["new"]
    assert again.embedded_chunks == 0


def test_vectors_stay_with_their_chunks_whatever_the_file_order(tmp_path):
    # Path order (a/zeta, z/alpha) differs from document-id order (alpha, zeta).
    source = tmp_path / "papers"
    (source / "a").mkdir(parents=True)
    (source / "z").mkdir()
    (source / "a" / "zeta.md").write_text("# Zeta\n\nThe reset valve wipes slots away.\n")
    (source / "z" / "alpha.md").write_text("# Alpha\n\nFAISS indexes dense vectors.\n")
    settings = _settings(tmp_path)
    ingest(source, settings, progress=False)
    from paperqa.retrieve import load_retriever

    dense = load_retriever(settings, "dense")
    assert dense.search("reset valve", 1)[0].doc == "zeta"
    assert dense.search("dense vector index library", 1)[0].doc == "alpha"


def test_rebuild_with_another_embedder_is_refused_without_rebuild(tmp_path):
    source, settings = _one_paper_indexed(tmp_path)
    other = settings.model_copy(update={"embedder": "some-org/another-embedder"})
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        ingest(source, other, progress=False)


@pytest.mark.slow
def test_real_corpus_index(corpus_dir, corpus_index):
    store = IndexStore.load(corpus_index.index_dir)
    with (corpus_dir / "manifest.tsv").open() as handle:
        manifest = {row["id"]: row for row in csv.DictReader(handle, delimiter="\t")}
    local = {doc_id for doc_id, row in manifest.items() if row["local_file"]}
    assert set(store.documents) == local
    assert store.meta["missing"] == ["zephyr"]
    for chunk in store.chunks:
        meta = store.documents[chunk.doc]
        assert 1 <= chunk.page_start <= chunk.page_end <= meta["pages"]
        assert chunk.text.strip()
    for doc_id, meta in store.documents.items():
        if manifest[doc_id]["pages"]:
            assert meta["pages"] == int(manifest[doc_id]["pages"]), doc_id
        assert meta["sha256"] == manifest[doc_id]["sha256"]
    assert store.documents["keeping-nn-simple-mdl-weights"]["quality"] != "ok"
    assert store.documents["attention-is-all-you-need"]["quality"] == "ok"


@pytest.mark.slow
def test_real_corpus_second_run_embeds_nothing(corpus_dir, corpus_index):
    report = ingest(corpus_dir, corpus_index, progress=False)
    assert report.embedded_chunks == 0
    assert not report.written
    assert len(report.documents) == 29


# --- Files that cannot be read, links, garbage text ------------------------------------------


def test_unreadable_files_and_links_are_named_and_the_rest_ingested(tmp_path):
    import os

    source = tmp_path / "papers"
    source.mkdir()
    (source / "good.md").write_text(SLOT_TEXT)
    (source / "folder.pdf").mkdir()  # open() fails: what an unreadable file looks like to root
    os.mkfifo(source / "pipe.pdf")  # reading it would block forever
    (source / "dangling.pdf").symlink_to(tmp_path / "deleted.pdf")
    outside = tmp_path / "private.md"
    outside.write_text("# Private\n\nA secret that lives outside the source folder.\n")
    (source / "notes.md").symlink_to(outside)
    (source / "inside.md").symlink_to(source / "good.md")  # a link within the folder is fine
    settings = _settings(tmp_path)
    report = ingest(source, settings, progress=False)
    failed = {Path(p).name: reason for p, reason in report.failed}
    assert set(failed) == {"folder.pdf", "pipe.pdf", "dangling.pdf", "notes.md"}
    assert "broken link" in failed["dangling.pdf"]
    assert "outside the source folder" in failed["notes.md"]
    assert all("\n" not in reason for reason in failed.values())
    store = IndexStore.load(settings.index_dir)
    assert set(store.documents) == {"good"}
    # The link within the folder is read, and found to be good.md again.
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [
        ("inside.md", f"a copy of {source / 'good.md'}")
    ]
    assert not any("secret" in c.text for c in store.chunks)


def test_a_file_whose_hash_step_fails_is_skipped_not_fatal(tmp_path):
    import os

    from paperqa.ingest.pipeline import IngestReport, _plan

    os.mkfifo(tmp_path / "pipe.pdf")  # the hash step must neither block nor raise
    (tmp_path / "good.md").write_text(SLOT_TEXT)
    report = IngestReport(index_path=None)
    _, to_parse = _plan([tmp_path / "pipe.pdf", tmp_path / "good.md"], None, report)
    assert [p.name for _, p, _ in to_parse] == ["good.md"]
    assert report.failed[0][0].endswith("pipe.pdf") and "cannot be read" in report.failed[0][1]


def test_a_pdf_of_random_glyphs_is_flagged_poor_in_papers(tmp_path):
    import random

    from pdf_factory import make_pdf

    from paperqa.ingest.summary import papers_table

    rng = random.Random(7)
    glyphs = [chr(c) for c in range(0x21, 0x7F)] + [chr(c) for c in range(0xA1, 0x100)]

    def line() -> str:
        return " ".join(
            "".join(rng.choice(glyphs) for _ in range(rng.randint(2, 8))) for _ in range(10)
        )

    source = tmp_path / "papers"
    source.mkdir()
    make_pdf(source / "glyphs.pdf", [[line() for _ in range(40)] for _ in range(3)])
    _pdf(source / "fine.pdf", [SLOT_TEXT.replace("#", "")] * 2)
    settings = _settings(tmp_path)
    ingest(source, settings, progress=False)
    rows = {r["id"]: r for r in papers_table(settings.index_dir)}
    assert rows["glyphs"]["status"] == "poor"
    assert "unreadable text" in rows["glyphs"]["quality_note"]
    assert rows["fine"]["status"] == "ok"


# --- Two writers, a killed writer ------------------------------------------------------------


def _papers(folder: Path, count: int) -> Path:
    from pdf_factory import make_pdf

    folder.mkdir()
    words = ["gates", "residual", "attention", "memory", "layers", "training", "errors", "data"]
    for n in range(count):
        pages = [
            [
                f"Paper {n} (codeword{n}) on page {page} studies "
                f"{words[(n + page + i) % len(words)]} and "
                f"{words[(n * page + i) % len(words)]} in line {i} of its argument."
                for i in range(12)
            ]
            for page in range(1, 5)
        ]
        make_pdf(folder / f"paper-{n:02d}.pdf", pages)
    return folder


def _cli(*args: str, **kwargs):
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "paperqa.cli", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs,
    )  # fmt: skip


def _search_works(index_dir: Path) -> None:
    search = _cli("search", "codeword1", "-r", "bm25", "-k", "1", "--index-dir", str(index_dir))
    out, err = search.communicate(timeout=300)
    assert search.returncode == 0, err
    assert "[paper-01," in out, out


def test_two_concurrent_rebuilds_leave_a_working_index(tmp_path):
    source = _papers(tmp_path / "papers", 4)
    index_dir = tmp_path / "index"
    args = ("ingest", "--source", str(source), "--index-dir", str(index_dir), "--quiet")
    writers = [_cli(*args, "--rebuild") for _ in range(2)]
    results = [w.communicate(timeout=600) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], results
    store = IndexStore.load(index_dir)
    assert len(store.documents) == 4
    assert len(store.bm25_tokens()) == len(store.chunks) == len(store.vectors())
    _search_works(index_dir)
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".tmp-")]


def test_kill_9_during_a_rebuild_leaves_the_index_and_no_worker(tmp_path):
    import os
    import signal

    import psutil

    source = _papers(tmp_path / "papers", 2)
    index_dir = tmp_path / "index"
    ingest(source, _settings(tmp_path), progress=False)
    before = IndexStore.load(index_dir).path
    more = _papers(tmp_path / "more", 40)  # parsing 40 files keeps the workers busy a while
    writer = _cli("ingest", "--source", str(more), "--index-dir", str(index_dir), "--rebuild")
    parent = psutil.Process(writer.pid)
    workers: list[psutil.Process] = []
    while writer.poll() is None and len(workers) < 2:
        workers = parent.children(recursive=True)
    assert len(workers) >= 2, "the rebuild ended before its parse workers were seen"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive, f"parse workers outlived the killed ingest: {alive}"
    assert IndexStore.load(index_dir).path == before
    _search_works(index_dir)


def test_aliases_come_from_the_reading_list_and_the_title_page(tmp_path):
    source = tmp_path / "papers"
    source.mkdir()
    opening = (
        "Abstract. We couple slot mixers to a lattice of writable cells. We call the\n"
        "resulting model a Tape Recall Engine (TRE), trained end to end."
    )  # invented: the file is named as a reading-list paper, its text is not that paper's
    _pdf(source / "neural-turing-machines.pdf", [opening, "The TRE copies streams."])
    settings = _settings(tmp_path)
    ingest(source, settings, progress=False)
    aliases = IndexStore.load(settings.index_dir).documents["neural-turing-machines"]["aliases"]
    assert aliases[0] == "Neural Turing Machines"  # the reading-list title
    assert "Graves" in aliases and "Alex Graves" in aliases  # its first author
    assert "TRE" in aliases and "Tape Recall Engine" in aliases  # defined on its first page


def test_the_tests_cached_index_is_keyed_by_the_code_that_builds_an_index() -> None:
    from conftest import REPO, ingest_code

    package = REPO / "src" / "paperqa"
    code = {path.relative_to(package).as_posix() for path in ingest_code(package)}
    # imported by the pipeline through other modules, or inside a function, or read as data
    assert {"embedder.py", "models.py", "ingest/chunk.py", "data/reading_list.json"} <= code
    assert not code & {"cli.py", "app.py", "retrieve/learned.py", "data/fusion.json"}


def test_a_renamed_reading_list_paper_is_known_by_its_stamp_or_title(tmp_path):
    source = tmp_path / "papers"
    source.mkdir()
    # Titles and arXiv ids are the reading list's; the text on the pages is invented.
    make_title_page_pdf(
        source / "download (3).pdf", "Lattice Memories", "A. Quill", stamp="arXiv:1811.06965v5"
    )
    make_title_page_pdf(source / "to read.pdf", "Pointer Networks", "A. Quill")
    make_title_page_pdf(source / "pointer-networks.pdf", "Pointer Networks", "B. Marsh")
    make_title_page_pdf(source / "my-draft.pdf", "Pointer Networks Revisited", "A. Quill")
    settings = _settings(tmp_path)
    report = ingest(source, settings, progress=False)
    ids = {Path(d.path).name: d.id for d in report.documents}
    assert ids == {
        "download (3).pdf": "gpipe",
        "pointer-networks.pdf": "pointer-networks",  # its name claims the paper first
        "to read.pdf": "to-read",
        "my-draft.pdf": "my-draft",
    }
    documents = IndexStore.load(settings.index_dir).documents
    assert documents["gpipe"]["in_reading_list"] and documents["gpipe"]["year"] == 2018
    assert documents["my-draft"]["title"] == "Pointer Networks Revisited"
    assert "gpipe" not in report.missing
    assert report.notes == [
        "to read.pdf looks like pointer-networks, which another file of the folder already is; "
        "both are indexed, this one as to-read"
    ]
    again = ingest(source, settings, progress=False)
    assert {d.id: d.status for d in again.documents}["gpipe"] == "unchanged"


def test_a_renamed_paper_alone_is_known_by_its_title(tmp_path):
    source = tmp_path / "papers"
    source.mkdir()
    make_title_page_pdf(source / "to read.pdf", "Pointer Networks", "A. Quill")
    report = ingest(source, _settings(tmp_path), progress=False)
    assert [d.id for d in report.documents] == ["pointer-networks"]


def test_a_copy_of_a_file_that_failed_fails_too_and_is_not_called_indexed(tmp_path):
    source = tmp_path / "papers"
    source.mkdir()
    (source / "notes.md").write_text(SLOT_TEXT)
    (source / "a.pdf").write_bytes(b"not a pdf at all, " * 20)
    (source / "b.pdf").write_bytes(b"not a pdf at all, " * 20)  # a copy of a.pdf
    report = ingest(source, _settings(tmp_path), progress=False)
    failed = {Path(p).name: reason for p, reason in report.failed}
    assert set(failed) == {"a.pdf", "b.pdf"}
    assert failed["b.pdf"].startswith(failed["a.pdf"]) and "a copy of" in failed["b.pdf"]
    assert report.skipped == []


def test_a_second_version_of_a_paper_is_indexed_when_the_first_fails(tmp_path):
    source = tmp_path / "papers"
    for folder in ("a", "b"):
        (source / folder).mkdir(parents=True)
    (source / "a" / "pointer-networks.pdf").write_bytes(b"not a pdf at all, " * 20)
    (source / "b" / "pointer-networks.md").write_text(SLOT_TEXT)  # invented text
    settings = _settings(tmp_path)
    report = ingest(source, settings, progress=False)
    assert [(d.id, Path(d.path).parent.name) for d in report.documents] == [
        ("pointer-networks", "b")
    ]
    assert [Path(p).parent.name for p, _ in report.failed] == ["a"]
    assert report.skipped == []
    (source / "a" / "pointer-networks.pdf").unlink()
    _pdf(source / "a" / "pointer-networks.pdf", ["Slot mixers copy streams.", "Page 2"])
    again = ingest(source, settings, progress=False)  # both read: the first one wins again
    assert [Path(d.path).parent.name for d in again.documents] == ["a"]
    assert [Path(s.path).parent.name for s in again.skipped] == ["b"]


def test_a_file_that_fails_now_is_not_said_to_have_left_the_folder(tmp_path):
    from rich.console import Console

    from paperqa.ingest.summary import print_summary

    texts = {
        "notes": SLOT_TEXT,
        "other": "# Other\n\nBraided pooling helps optimisation.\n",
        "gone": "# Gone\n\nSlot shuffling regularises mixers.\n",
    }
    source = tmp_path / "papers"
    source.mkdir()
    for name, text in texts.items():
        (source / f"{name}.md").write_text(text)
    settings = _settings(tmp_path)
    ingest(source, settings, progress=False)
    (source / "other.md").write_bytes(b"\x00\x01 binary now" * 10)  # damaged, still there
    (source / "gone.md").unlink()
    report = ingest(source, settings, progress=False)
    assert report.removed == ["gone", "other"] and report.unreadable == ["other"]
    console = Console(record=True, width=200)
    print_summary(report, console)
    text = console.export_text()
    assert "Removed from the index (no longer in the source folder): gone\n" in text
    assert "Removed from the index (its file can no longer be read, above): other\n" in text


def test_a_file_whose_name_is_not_utf8_fails_alone(tmp_path):
    import os

    source = tmp_path / "papers"
    source.mkdir()
    (source / "notes.md").write_text(SLOT_TEXT)
    with open(os.fsencode(source) + b"/caf\xe9 notes.md", "w") as latin1_named:
        latin1_named.write(SLOT_TEXT.replace("reset valve", "drain valve"))
    report = ingest(source, _settings(tmp_path), progress=False)
    assert [d.id for d in report.documents] == ["notes"]
    [(path, reason)] = report.failed
    assert path == f"{source}/caf\\xe9 notes.md"  # printable, the odd byte shown
    assert "not valid UTF-8" in reason


def test_a_skipped_file_is_one_record_and_the_summary_says_what_it_repeats(tmp_path):
    from rich.console import Console

    from paperqa.ingest.pipeline import SkippedFile
    from paperqa.ingest.summary import print_summary

    source = tmp_path / "papers"
    for folder in ("a", "b", "c"):
        (source / folder).mkdir(parents=True)
    _pdf(source / "a" / "pointer-networks.pdf", ["Slot mixers copy streams.", "Page 2"])
    (source / "b" / "pointer-networks.md").write_text(SLOT_TEXT)  # the same paper, as text
    (source / "c" / "notes.md").write_text(SLOT_TEXT)  # the same bytes as b's
    report = ingest(source, _settings(tmp_path), progress=False)
    first = str(source / "a" / "pointer-networks.pdf")
    second = str(source / "b" / "pointer-networks.md")
    assert sorted(report.skipped, key=lambda s: s.path) == [
        SkippedFile(second, first, copy=False),
        SkippedFile(str(source / "c" / "notes.md"), second, copy=True),
    ]
    assert not hasattr(report, "skipped_copies")  # one way to say it
    console = Console(record=True, width=400)
    print_summary(report, console)
    text = console.export_text()
    assert "Skipped, already indexed from another file (2):\n" in text
    assert f"  {second}: the same reading-list paper as {first}\n" in text
    assert f"  {source / 'c' / 'notes.md'}: a copy of {second}\n" in text


def test_a_wrong_source_leaves_no_index_folder_and_no_lock_behind(tmp_path):
    from paperqa.errors import PaperQAError

    settings = _settings(tmp_path)
    with pytest.raises(PaperQAError, match="does not exist"):
        ingest(tmp_path / "no such folder", settings, progress=False)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("not a paper")
    report = ingest(notes, settings, progress=False)
    assert report.files_found == 0 and not report.written and not report.documents
    assert not settings.index_dir.exists()  # before: an index folder holding only .lock


def test_lock_files_left_by_earlier_runs_are_never_taken_for_papers_or_index(tmp_path):
    # filelock keeps a lock file after release on purpose (deleting it lets two processes lock
    # two inodes under one name), so every run finds those of the runs before it
    from paperqa.ingest.summary import papers_table

    source = tmp_path / "papers"
    source.mkdir()
    (source / "notes.md").write_text(SLOT_TEXT)
    (source / ".fetch.lock").write_text("")  # what `paperqa fetch --dest papers` leaves
    (source / ".notes.md.lock").write_text("")
    settings = _settings(tmp_path)
    first = ingest(source, settings, progress=False)
    (source / "notes.md").write_text(SLOT_TEXT.replace("reset valve", "drain valve"))
    again = ingest(source, settings, progress=False)  # a new generation, the lock file there
    for report in (first, again):
        assert [d.id for d in report.documents] == ["notes"]
        assert (report.failed, report.skipped, report.removed) == ([], [], [])
    assert again.documents[0].status == "changed"
    kept = sorted(p.name for p in settings.index_dir.iterdir())
    assert kept[:2] == [".lock", "CURRENT"] and len(kept) == 4  # and two generations
    assert [row["id"] for row in papers_table(settings.index_dir) if row["indexed"]] == ["notes"]
