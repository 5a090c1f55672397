"""What the chat app and the OpenAI-compatible API share: one engine per model, the models and
backends installed here, and the text of a chat message in any form a client sends it."""

from __future__ import annotations

import threading
import time
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paperqa.errors import PaperQAError
from paperqa.settings import Settings

if TYPE_CHECKING:
    from paperqa.generate.answer import QAEngine


class EnginePool:
    """One QAEngine per (model, backend), created on first use and shared by all sessions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engines: dict[tuple[str, str], QAEngine] = {}
        self._lock = threading.Lock()
        self._ready = threading.Event()

    def get(self, model: str | None = None, backend: str | None = None) -> QAEngine:
        from paperqa.generate.llm import resolve_backend

        model = model or self.settings.model
        key = (model, resolve_backend(backend or self.settings.backend, model))
        with self._lock:
            engine = self._engines.get(key)
            # A rebuilt index is used from the next question on; the LLM stays loaded.
            if engine is None or not engine.store.is_current():
                from paperqa.generate.answer import QAEngine

                update = {"model": key[0], "backend": key[1]}
                self._engines[key] = QAEngine(self.settings.updated(**update))
            return self._engines[key]

    @property
    def ready(self) -> bool:
        """Whether ``warm_up`` has finished loading the default model."""
        return self._ready.is_set()

    def warm_up(self) -> None:
        """Load the default engine's retriever and model and run the fixed prompt once."""
        started = time.perf_counter()
        try:
            self.get().warm_up()
        except PaperQAError as exc:  # shown again, to the user, on their first question
            print(f"paperqa: {exc}", flush=True)
        else:
            seconds = time.perf_counter() - started
            print(f"paperqa: ready: model loaded and warmed in {seconds:.0f} s", flush=True)
        self._ready.set()


def installed_models(settings: Settings) -> list[str]:
    """The configured model first, then the other packaged chat models that are installed."""
    from paperqa.generate.gguf import PACKAGED_MODELS

    models = [settings.model]
    for name, packaged in PACKAGED_MODELS.items():
        if name != settings.model and all(find_spec(m) for m in packaged.modules()):
            models.append(name)
    return models


def installed_backends(settings: Settings) -> list[str]:
    """Backends that can run here; the configured one (``auto`` resolved) first."""
    from paperqa.generate.llm import available_backends, resolve_backend

    available = available_backends()
    first = resolve_backend(settings.backend, settings.model)
    return [first] + [b for b in available if b != first]


def message_text(content: Any) -> str:
    """The text of a chat message in any form Gradio sends it.

    Gradio 6 sends a message's ``content`` as a list of parts (``[{"type": "text", "text":
    ...}]``, files as ``{"type": "file", ...}``); older forms are a plain string, a multimodal
    ``{"text": ..., "files": [...]}`` dict, or a file tuple. Files carry no question text.
    """
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        if content.get("type", "text") == "text" and isinstance(content.get("text"), str):
            return content["text"]
        return message_text(content.get("content")) if "content" in content else ""
    if isinstance(content, (list, tuple)):
        texts = [message_text(part) for part in content if not _is_file_part(part)]
        return " ".join(t for t in texts if t).strip()
    text = getattr(content, "text", None)  # gradio's own message-part objects
    return text if isinstance(text, str) else ""


def _is_file_part(part: Any) -> bool:
    if isinstance(part, dict):
        return part.get("type") == "file" or "path" in part or "file" in part
    if not isinstance(part, str) or Path(part).suffix == "":
        return False
    try:
        return Path(part).is_file()
    except OSError:  # text with a dot, too long for a file name ("... 3.2 of ...")
        return False
