"""Shared fixtures: the real corpus and one real index of it, built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paperqa.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def _corpus_dir() -> Path:
    configured = os.environ.get("PAPERQA_CORPUS_DIR")
    return Path(configured) if configured else (REPO / ".." / "shared" / "corpus").resolve()


def _questions_file() -> Path:
    return (REPO / ".." / "shared" / "eval" / "questions.dev.jsonl").resolve()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The local copy of the reading list (``../shared/corpus``); tests skip without it."""
    path = _corpus_dir()
    if not (path / "manifest.tsv").is_file():
        pytest.skip(f"real corpus not found at {path} (set PAPERQA_CORPUS_DIR)")
    return path


@pytest.fixture(scope="session")
def dev_questions() -> Path:
    path = _questions_file()
    if not path.is_file():
        pytest.skip(f"dev questions not found at {path}")
    return path


@pytest.fixture(scope="session")
def corpus_index(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at a real index of the corpus, built once for the whole session.

    ``PAPERQA_TEST_INDEX=DIR`` reuses an index already built from the corpus (for development).
    """
    from paperqa.ingest.pipeline import ingest

    existing = os.environ.get("PAPERQA_TEST_INDEX")
    if existing:
        return Settings(index_dir=Path(existing))
    settings = Settings(index_dir=tmp_path_factory.mktemp("corpus-index"))
    report = ingest(corpus_dir, settings, progress=False)
    assert report.documents, "the corpus index could not be built"
    return settings
