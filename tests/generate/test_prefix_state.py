"""A new process loads the saved state after the system prompt and answers as if it had read it."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pytest

from paperqa.generate import prefix_state
from paperqa.generate.gguf import PACKAGED_MODELS, packaged_gguf
from paperqa.generate.llm import LlamaCppLLM
from paperqa.generate.prompts import SYSTEM_PROMPT, USER_TEMPLATE
from paperqa.settings import Settings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(find_spec("llama_cpp") is None, reason="llama-cpp-python not installed"),
]

MODEL = "qwen2.5-coder-1.5b-instruct"  # the default
PREFIX = [
    {"role": "system", "content": SYSTEM_PROMPT},
    {"role": "user", "content": USER_TEMPLATE.format(passages="", question="Warm up.")},
]
QUESTION = [
    {"role": "system", "content": SYSTEM_PROMPT},
    {
        "role": "user",
        "content": USER_TEMPLATE.format(
            passages="[1] Lattice Memory Networks:\nThe mixer is a column of K = 7 gated blocks.",
            question="How many gated blocks does the mixer have?",
        ),
    },
]


def _model(state_dir: Path) -> LlamaCppLLM:
    """A new instance, as a new process would load it."""
    gguf = packaged_gguf(PACKAGED_MODELS[MODEL], Settings().cache_dir)
    return LlamaCppLLM(gguf, MODEL, 2048, None, state_dir=state_dir)


def test_a_saved_prefix_is_loaded_and_gives_the_same_answer(tmp_path: Path) -> None:
    reader = _model(tmp_path)
    reader.warm(PREFIX)  # reads the prefix and saves the state
    prefix_tokens = reader._llama.n_tokens
    (saved,) = tmp_path.glob("*.npz")
    expected = reader.chat(QUESTION, max_tokens=20)
    assert "7" in expected

    loader = _model(tmp_path)
    assert prefix_state.load(loader._llama, saved)
    assert loader._llama.n_tokens == prefix_tokens > 50
    assert loader.chat(QUESTION, max_tokens=20) == expected


def test_a_damaged_state_is_not_loaded_and_is_written_again(tmp_path: Path) -> None:
    _model(tmp_path).warm(PREFIX)
    (saved,) = tmp_path.glob("*.npz")
    saved.write_bytes(saved.read_bytes()[:-200] + bytes(200))
    model = _model(tmp_path)
    assert not prefix_state.load(model._llama, saved)
    model.warm(PREFIX)  # reads it again
    assert prefix_state.load(_model(tmp_path)._llama, saved)
    assert "7" in model.chat(QUESTION, max_tokens=20)
