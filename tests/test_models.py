"""Model names resolved to local files: packaged copies first, then paths, then hub names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paperqa.models import prefixes_for, resolve_embedder


def test_packaged_embedder_resolves_by_hub_name_or_short_name_offline() -> None:
    by_hub_name = Path(resolve_embedder("sentence-transformers/all-MiniLM-L6-v2"))
    by_short_name = Path(resolve_embedder("all-minilm-l6-v2"))
    assert by_hub_name == by_short_name
    assert (by_hub_name / "config.json").is_file()
    assert os.environ["HF_HUB_OFFLINE"] == "1"  # the packaged copy never asks the hub


def test_local_directory_wins_and_unknown_names_pass_through(tmp_path: Path) -> None:
    model_dir = tmp_path / "my-embedder"
    model_dir.mkdir()
    assert resolve_embedder(str(model_dir)) == str(model_dir)
    assert resolve_embedder("some-org/some-embedder") == "some-org/some-embedder"


def test_prefixes_follow_the_model_family() -> None:
    assert prefixes_for("intfloat/e5-small-v2") == ("query: ", "passage: ")
    assert prefixes_for("BAAI/bge-small-en-v1.5")[0].startswith("Represent this sentence")
    assert prefixes_for("sentence-transformers/all-MiniLM-L6-v2") == ("", "")


def test_an_assembled_embedder_resolves_to_the_cache_once_it_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_embedder("embeddinggemma-300m") == "embeddinggemma-300m"  # not assembled yet
    folder = tmp_path / ".cache" / "paperqa" / "models" / "embeddinggemma-300m"
    folder.mkdir(parents=True)
    (folder / "modules.json").write_text("[]")
    assert resolve_embedder("EmbeddingGemma-300M") == str(folder)
    assert resolve_embedder("google/embeddinggemma-300m") == str(folder)


@pytest.mark.usefixtures("unreachable_hub")
def test_an_unreachable_hub_switches_the_hub_library_offline() -> None:
    import huggingface_hub.constants

    from paperqa.models import hub_reachable

    assert hub_reachable() is False
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert huggingface_hub.constants.HF_HUB_OFFLINE is True  # read at import: set as well


def test_an_embedder_assembled_into_another_cache_dir_is_found_there(tmp_path: Path) -> None:
    """`scripts/get_embeddinggemma.py --cache-dir DIR` with PAPERQA_CACHE_DIR=DIR."""
    folder = tmp_path / "models" / "embeddinggemma-300m"
    folder.mkdir(parents=True)
    (folder / "modules.json").write_text("[]")
    assert resolve_embedder("embeddinggemma-300m", tmp_path) == str(folder)
    location = Path(resolve_embedder("embeddinggemma-300m", tmp_path / "elsewhere"))
    assert location != folder
