"""An ONNX copy of the embedder, so that a process that only searches never imports torch.

Importing torch, transformers and sentence-transformers costs a cold ``paperqa ask`` about 5 s of
its start on 2 cores; ONNX Runtime and ``tokenizers`` load in 0.3 s and encode a question in a few
milliseconds. Ingest, which has the sentence-transformers model loaded anyway, exports its
transformer once (float32, the pooling done here) into the cache folder, under a key made of the
model folder's files (names, sizes, modification times): replacing the model makes a new export.

The exported copy computes the float32 vectors of the model (to a cosine of 1e-6), so a query it
encodes matches passages that torch embedded. Only models made of a transformer, mean or CLS
pooling and normalisation are exported; for others, and for a model named by hub id, the embedder
keeps using torch. An export that cannot be loaded is treated as missing by searches; one whose
files are missing or cut short is written again by the next ingest. An export that fails is
recorded beside its folder and not tried again until one of the libraries it depends on changes.
Deleting it, or the record, is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from paperqa.files import remove_all_but_newest, temporary_path, write_atomic

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "encoder.json"
LOCK_FILE = ".lock"
BATCH_SIZE = 32
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_POOLING = ("mean", "cls")
# An export is kept only if it encodes these as the model does, to this cosine at least.
CHECK_TEXTS = ["Dropout", "The encoder is a stack of six identical layers."]
MIN_AGREEMENT = 0.99
MAX_EXPORTS = 3  # exports kept in the cache; older ones are removed when one is written
FAILED_SUFFIX = ".failed"  # beside an export's folder: why writing it failed, and with what
# The libraries an export depends on: a failure is tried again once one of them changes.
EXPORT_LIBRARIES = ("torch", "transformers", "sentence-transformers", "onnx", "onnxruntime")


def export_key(location: str) -> str | None:
    """The key of a model folder's export: its path and its files' names, sizes and times (None
    for a hub name, which has no folder to stat)."""
    folder = Path(location)
    if not folder.is_dir():
        return None
    digest = hashlib.sha256(str(folder.resolve()).encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


class OnnxEncoder:
    """Encodes texts into L2-normalised float32 vectors with an exported transformer."""

    def __init__(self, folder: Path) -> None:
        """Loads an export; raises ``OSError`` or ``ValueError`` when it is missing or damaged."""
        from onnxruntime import InferenceSession, SessionOptions
        from tokenizers import Tokenizer

        config = json.loads((folder / CONFIG_FILE).read_text())
        self.pooling: str = config["pooling"]
        self.inputs: list[str] = list(config["inputs"])
        self.dim = int(config["dim"])
        self.prompts: dict[str, str] = dict(config["prompts"])  # the model's own text prefixes
        if self.pooling not in _POOLING or not set(self.inputs) <= set(_INPUTS):
            raise ValueError(f"unknown pooling or inputs in {folder / CONFIG_FILE}")
        self._tokenizer: Tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(int(config["max_tokens"]))
        self._tokenizer.enable_padding(pad_id=int(config["pad_id"]), pad_token=config["pad_token"])
        options = SessionOptions()
        options.log_severity_level = 3  # its warnings about unused initialisers are noise here
        try:
            self._session: InferenceSession = InferenceSession(
                str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own types for a bad graph
            raise ValueError(f"{folder / MODEL_FILE}: {exc}") from exc

    def encode(self, texts: list[str]) -> np.ndarray:
        """The vectors of ``texts``, batched by length so that little is padded."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            vectors[rows] = self._encode_batch([texts[i] for i in rows])
        return vectors

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (hidden,) = self._session.run(None, {name: feeds[name] for name in self.inputs})
        if self.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            mask = feeds["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.ascontiguousarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` holds a whole export (its graph as long as when written), checked
    without loading it: ingest asks this on every run."""
    try:
        config = json.loads((folder / CONFIG_FILE).read_text())
        graph_bytes = (folder / MODEL_FILE).stat().st_size
        return graph_bytes == config["model_bytes"] and (folder / TOKENIZER_FILE).is_file()
    except (OSError, ValueError, KeyError, TypeError):
        return False


def load_export(folder: Path) -> OnnxEncoder | None:
    """The export in ``folder``, or None when there is none or it cannot be read."""
    if not (folder / CONFIG_FILE).is_file():
        return None
    try:
        return OnnxEncoder(folder)
    except (OSError, ValueError, KeyError, ImportError, json.JSONDecodeError):
        return None


def export(model: Any, folder: Path) -> bool:
    """Exports a loaded SentenceTransformer into ``folder`` (written under a temporary name and
    renamed, one exporter at a time); False when the model is not of a kind this module runs."""
    from filelock import FileLock

    plan = _plan(model)
    if plan is None:
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(folder.parent / LOCK_FILE)):
        if is_complete(folder):
            return True
        tmp = temporary_path(folder)
        try:
            _write_export(model, plan, tmp)
            _check_export(model, tmp)
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(folder)  # a damaged export
            os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        # A model reinstalled elsewhere gets a new key; its old export would stay forever.
        exports = [p for p in folder.parent.iterdir() if p.is_dir() and not p.name.startswith(".")]
        remove_all_but_newest(exports, MAX_EXPORTS)
    return True


def failed_before(folder: Path) -> str | None:
    """Why writing the export into ``folder`` failed with the libraries installed now, or None
    (never tried, or tried with other versions)."""
    try:
        record = json.loads(_failure_file(folder).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("versions") != _versions():
        return None
    return str(record.get("reason", ""))


def remember_failure(folder: Path, reason: str) -> None:
    """Records that the export into ``folder`` failed, so that each later process does not load
    the model again to fail the same way (best effort: an unwritable cache only costs time)."""
    record = json.dumps({"versions": _versions(), "reason": reason})
    with contextlib.suppress(OSError):
        folder.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(_failure_file(folder), record)


def _failure_file(folder: Path) -> Path:
    return folder.with_name(folder.name + FAILED_SUFFIX)


def _versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {}
    for name in EXPORT_LIBRARIES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return versions


def _check_export(model: Any, folder: Path) -> None:
    """Raises ``ValueError`` unless the export encodes a padded batch as the model does (bfloat16
    weights in the model differ from the export's float32 ones by a cosine of about 0.001)."""
    expected = model.encode(CHECK_TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    agreement = np.sum(OnnxEncoder(folder).encode(CHECK_TEXTS) * expected, axis=1)
    if float(agreement.min()) < MIN_AGREEMENT:
        raise ValueError(f"the export disagrees with the model (cosine {agreement.min():.3f})")


def _plan(model: Any) -> dict[str, Any] | None:
    """The export's config for a transformer + pooling (+ normalise) model, else None."""
    modules = list(model)
    kinds = [type(m).__name__ for m in modules]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        return None
    pooling = getattr(modules[1], "pooling_mode", None) or modules[1].get_pooling_mode_str()
    tokenizer = model.tokenizer
    fast = getattr(tokenizer, "backend_tokenizer", None)
    if pooling not in _POOLING or fast is None or tokenizer.pad_token is None:
        return None
    sample = tokenizer(["a sample text"], return_tensors="pt")
    return {
        "pooling": pooling,
        "inputs": [name for name in _INPUTS if name in sample],
        "max_tokens": int(model.max_seq_length),
        "dim": int(modules[0].auto_model.config.hidden_size),  # mean or CLS of hidden states
        "prompts": dict(getattr(model, "prompts", None) or {}),
        "pad_id": int(tokenizer.pad_token_id),
        "pad_token": str(tokenizer.pad_token),
        "tokenizer": fast.to_str(),
        "sample": sample,
    }


def _write_export(model: Any, plan: dict[str, Any], folder: Path) -> None:
    import torch

    folder.mkdir(parents=True)
    inputs = plan["inputs"]
    # Loaded again in float32: the model at hand may hold bfloat16 weights.
    source = model[0].auto_model
    transformer = type(source).from_pretrained(source.name_or_path, dtype=torch.float32).eval()

    class HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.transformer(**dict(zip(inputs, tensors, strict=True))).last_hidden_state

    axes = {name: {0: "batch", 1: "tokens"} for name in [*inputs, "hidden"]}
    # The tracer warns about branches on shapes that are fixed for an encoder (no cache, a mask
    # always given); the test of this module checks padded batches against torch.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            HiddenStates(),
            tuple(plan["sample"][name] for name in inputs),
            str(folder / MODEL_FILE),
            input_names=inputs,
            output_names=["hidden"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    (folder / TOKENIZER_FILE).write_text(plan["tokenizer"])
    config = {k: v for k, v in plan.items() if k not in ("tokenizer", "sample")}
    config["model_bytes"] = (folder / MODEL_FILE).stat().st_size
    (folder / CONFIG_FILE).write_text(json.dumps(config, indent=1))
