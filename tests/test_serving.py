"""What the chat app and the OpenAI API share: the engine pool and a chat message's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from paperqa.serving import EnginePool, message_text
from paperqa.settings import Settings


@pytest.fixture
def generated_index(tmp_path: Path) -> Settings:
    """An index of three generated Markdown documents (no model needed)."""
    from index_factory import write_small_index

    write_small_index(tmp_path / "index", tmp_path / "src")
    return Settings(index_dir=tmp_path / "index")


def test_message_text_reads_every_gradio_form() -> None:
    question = "How many layers does the Transformer encoder have?"
    assert message_text(question) == question
    assert message_text([{"type": "text", "text": question}]) == question  # Gradio 6
    parts = [{"type": "text", "text": "How many"}, {"type": "text", "text": "layers?"}]
    assert message_text(parts) == "How many layers?"
    with_file = [{"type": "file", "file": {"path": "/tmp/x.pdf"}}, {"type": "text", "text": "Hi"}]
    assert message_text(with_file) == "Hi"
    assert message_text({"text": question, "files": ["/tmp/x.pdf"]}) == question
    assert message_text(None) == ""
    assert "{" not in message_text([{"text": question, "type": "text"}])


def test_a_long_text_part_with_a_dot_is_text_not_a_file_name_too_long() -> None:
    # it looked like a file name ("... 3.2 of ..." has a suffix), too long for the file system
    question = "What does section 3.2 say about " + "the encoder stack, " * 20 + "in short?"
    assert message_text([question]) == question
    assert message_text([f"{'x' * 5000}.pdf"]) == f"{'x' * 5000}.pdf"


def test_engine_pool_shares_one_engine_per_model_and_survives_a_missing_model(
    generated_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    pool = EnginePool(generated_index.model_copy(update={"model": "no-such-model"}))
    assert pool.get() is pool.get()
    assert pool.get(model="other-model") is not pool.get()
    assert not pool.ready
    pool.warm_up()  # the model cannot load: said once, and the app still comes up
    assert pool.ready
    assert "no-such-model" in capsys.readouterr().out
