"""The llama.cpp state after the fixed system prompt, kept on disk: a new process need not read it.

Every prompt starts with the same system prompt, and llama.cpp reuses the part of its cache that a
new prompt shares with the previous one. A new process still has to read that prefix once: about
2 s of a cold ``paperqa ask`` on 2 cores. The first process to read it saves llama.cpp's state
(about 4 MB: the prefix's keys and values and its tokens) to the cache folder. Later processes
load that state instead of reading the prefix again; the numbers loaded are the same ones the
reading would compute.

A file is named by a hash of everything its content depends on: the model file (path, size,
modification time), the llama.cpp build and the CPU features it uses, the context size and the
prompt. It is an ``.npz`` read without pickle, with the sha256 of the state inside. A file that
is damaged or that llama.cpp refuses is ignored, and the prefix is read and saved again.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from paperqa.files import remove_all_but_newest, write_atomic

MAX_FILES = 8  # states kept; older ones are removed when one is written


def state_file(folder: Path, model_path: Path, n_ctx: int, messages: list[Any]) -> Path:
    """Where the state after ``messages`` for this model, build and context size is kept."""
    import llama_cpp

    stat = model_path.stat()
    parts = [
        str(model_path.resolve()),
        f"{stat.st_size}:{stat.st_mtime_ns}",
        llama_cpp.__version__,
        llama_cpp.llama_print_system_info().decode(errors="replace"),
        str(n_ctx),
        json.dumps(messages, sort_keys=True),
    ]
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]
    return folder / f"{digest}.npz"


def load(llama: Any, path: Path) -> bool:
    """Puts the saved state into ``llama`` (a ``llama_cpp.Llama``); False if there is none or it
    cannot be used, and then ``llama`` is left as it was."""
    from llama_cpp.llama import LlamaState

    try:
        with np.load(path, allow_pickle=False) as saved:
            data, tokens = saved["state"], saved["tokens"]
            digest = str(saved["sha256"])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return False
    if hashlib.sha256(data.tobytes()).hexdigest() != digest or len(tokens) > llama.n_ctx():
        return False
    input_ids = np.zeros(llama.n_ctx(), dtype=np.intc)
    input_ids[: len(tokens)] = tokens
    scores = np.zeros((len(tokens), llama.n_vocab()), dtype=np.single)  # recomputed on use
    state = LlamaState(input_ids, scores, len(tokens), data.tobytes(), data.size, 0)
    try:
        llama.load_state(state)
    except (RuntimeError, ValueError):
        llama.reset()
        return False
    return True


def save(llama: Any, path: Path) -> None:
    """Saves the state of ``llama`` to ``path``; a cache that cannot be written only costs time."""
    state = llama.save_state()
    data = np.frombuffer(state.llama_state, dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        state=data,
        tokens=np.asarray(state.input_ids[: state.n_tokens], dtype=np.intc),
        sha256=np.array(hashlib.sha256(data.tobytes()).hexdigest()),
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, buffer.getvalue())
        remove_all_but_newest(list(path.parent.glob("*.npz")), MAX_FILES)
    except OSError:
        pass
