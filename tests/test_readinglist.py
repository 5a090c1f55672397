import csv
from pathlib import Path

from paperqa.readinglist import match_file, papers_by_id, reading_list

MANIFEST = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "manifest.tsv"


def test_thirty_entries_with_unique_ids_and_download_urls():
    papers = reading_list()
    assert len(papers) == 30
    assert len({p.id for p in papers}) == 30
    for paper in papers:
        assert paper.title and paper.authors and paper.year > 1900
        assert all(url.startswith("https://") for url in paper.download_urls)
        if paper.arxiv_id:
            assert paper.download_urls == [f"https://arxiv.org/pdf/{paper.arxiv_id}"]


def test_ids_match_the_corpus_manifest():
    if not MANIFEST.is_file():
        import pytest

        pytest.skip("no ../shared/corpus/manifest.tsv")
    with MANIFEST.open() as handle:
        ids = {row["id"] for row in csv.DictReader(handle, delimiter="\t")}
    assert ids == set(papers_by_id())


def test_files_match_by_id_or_arxiv_id():
    assert match_file(Path("papers/gpipe.pdf")).id == "gpipe"
    assert match_file(Path("2005.11401v4.pdf")).id == "retrieval-augmented-generation"
    assert match_file(Path("math_0406077.pdf")).id == "mdl-tutorial"
    assert match_file(Path("my-thesis.pdf")) is None
