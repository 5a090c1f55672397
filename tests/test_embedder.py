"""The embedder puts the model's own query and document prompts before the text, unless told,
and says why when its model cannot be had."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from paperqa.embedder import Embedder
from paperqa.errors import ModelNotAvailableError
from paperqa.models import resolve_embedder

QUERY_PROMPT = "task: search result | query: "
DOCUMENT_PROMPT = "title: none | text: "


@pytest.fixture(scope="module")
def prompted_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged MiniLM, with query and document prompts in its sentence-transformers config,
    as EmbeddingGemma ships them."""
    source = Path(resolve_embedder("sentence-transformers/all-MiniLM-L6-v2"))
    folder = tmp_path_factory.mktemp("prompted") / "model"
    folder.mkdir()
    for item in source.iterdir():
        (folder / item.name).symlink_to(item)
    config = folder / "config_sentence_transformers.json"
    config.unlink()
    prompts = {"query": QUERY_PROMPT, "document": DOCUMENT_PROMPT}
    config.write_text(json.dumps({"prompts": prompts, "default_prompt_name": None}))
    return folder


def test_the_models_own_prompts_are_used(prompted_model: Path) -> None:
    embedder = Embedder(str(prompted_model))
    assert (embedder.query_prefix, embedder.passage_prefix) == (QUERY_PROMPT, DOCUMENT_PROMPT)
    plain = Embedder("sentence-transformers/all-MiniLM-L6-v2")
    assert (plain.query_prefix, plain.passage_prefix) == ("", "")
    query = "How many layers does the encoder have?"
    prompted = embedder.encode_queries([query])
    assert np.allclose(prompted, plain.encode_queries([QUERY_PROMPT + query]), atol=1e-3)
    assert not np.allclose(prompted, plain.encode_queries([query]), atol=1e-3)


def test_prefixes_set_in_settings_win_over_the_model(prompted_model: Path) -> None:
    embedder = Embedder(str(prompted_model), query_prefix="", passage_prefix="passage: ")
    assert (embedder.query_prefix, embedder.passage_prefix) == ("", "passage: ")


@pytest.mark.usefixtures("unreachable_hub")
def test_a_hub_tokenizer_without_network_fails_at_once_saying_why() -> None:
    from paperqa.embedder import _tokenizer

    with pytest.raises(ModelNotAvailableError, match="hub cannot be reached"):
        _tokenizer("some-org/absent-tokenizer", Path("no-cache"))


def test_a_missing_assembled_embedder_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotAvailableError, match=r"get_embeddinggemma\.py"):
        _ = Embedder("embeddinggemma-300m").model


@pytest.mark.usefixtures("unreachable_hub")
def test_a_hub_embedder_without_network_fails_at_once_saying_why() -> None:
    # Without the check the hub library retries for about a minute, then says nothing of why.
    with pytest.raises(ModelNotAvailableError, match="hub cannot be reached") as error:
        _ = Embedder("some-org/absent-embedder").model
    assert "\n" not in str(error.value)
