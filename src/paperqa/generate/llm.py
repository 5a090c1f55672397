"""One chat-LLM interface with three backends: llama.cpp, transformers and OpenAI-compatible HTTP.

Every backend streams text deltas for a list of chat messages, decodes greedily (answers are
reproducible), counts prompt tokens with the model's own tokenizer where it has one, and serialises
generation under a lock so one loaded model can serve several threads (Gradio users).
Heavy imports (torch, transformers, llama_cpp) happen inside the backends, not at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from paperqa.errors import ModelNotAvailableError
from paperqa.files import temporary_path
from paperqa.generate import prefix_state
from paperqa.generate.gguf import packaged_model, q8_0_copy, resolve_gguf
from paperqa.models import OFFLINE_NOTE, on_disk_or_hub
from paperqa.settings import Settings

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": str}

# Chat templates add a few tokens around each message (<|im_start|>role\n ... <|im_end|>\n).
_PER_MESSAGE_OVERHEAD = 8

LLAMA_CPP_HINT = "pip install 'paperqa-local[llamacpp]' (llama-cpp-python)"


class LLM(ABC):
    """A loaded chat model. ``stream_chat`` yields text as it is generated."""

    name: str
    backend: str
    n_ctx: int

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @abstractmethod
    def count_tokens(self, text: str) -> int:
        """Tokens in ``text`` by this model's tokenizer (an upper estimate where it has none)."""

    def count_chat_tokens(self, messages: list[Message]) -> int:
        """Tokens of a whole chat prompt, including the template's per-message overhead."""
        overhead = _PER_MESSAGE_OVERHEAD * (len(messages) + 1)
        return overhead + sum(self.count_tokens(m["content"]) for m in messages)

    def stream_chat(self, messages: list[Message], *, max_tokens: int) -> Iterator[str]:
        """Yield the reply's text deltas; only one generation runs at a time per model."""
        with self._lock:
            yield from self._stream(messages, max_tokens)

    def chat(self, messages: list[Message], *, max_tokens: int) -> str:
        return "".join(self.stream_chat(messages, max_tokens=max_tokens))

    def warm(self, messages: list[Message]) -> None:
        """Reads ``messages`` into the model's cache (the prefix every prompt shares)."""
        self.chat(messages, max_tokens=1)

    @abstractmethod
    def _stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]: ...


class LlamaCppLLM(LLM):
    """A GGUF file run by llama-cpp-python."""

    backend = "llama.cpp"

    def __init__(
        self,
        path: Path,
        name: str,
        n_ctx: int,
        threads: int | None,
        lookup_tokens: int = 0,
        state_dir: Path | None = None,
    ) -> None:
        """``lookup_tokens`` > 0 turns on prompt-lookup decoding: up to that many draft tokens are
        copied from the prompt where the answer repeats it, and verified in one batch.
        ``state_dir`` keeps the state after ``warm``'s prefix (``generate.prefix_state``)."""
        super().__init__()
        try:
            from llama_cpp import Llama
            from llama_cpp.llama_speculative import LlamaPromptLookupDecoding
        except ImportError as exc:
            raise ModelNotAvailableError(f"the llama.cpp backend needs {LLAMA_CPP_HINT}") from exc
        self.name = name
        self.n_ctx = n_ctx
        self._path = path
        self._state_dir = state_dir
        draft = LlamaPromptLookupDecoding(num_pred_tokens=lookup_tokens) if lookup_tokens else None
        try:
            self._llama = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=threads or os.cpu_count(),
                seed=0,
                # Reads a prompt about 4% faster on 2 CPU cores (560 tokens: 4.62 s -> 4.44 s).
                flash_attn=True,
                draft_model=draft,
                # llama-cpp-python 0.3.36 sizes its logits buffer for one batch unless asked for
                # all logits, and drafting then fails on the first prompt longer than a batch.
                logits_all=bool(draft),
                verbose=False,
            )
        except ValueError as exc:  # llama.cpp says only "Failed to load model from file"
            raise ModelNotAvailableError(
                f"llama.cpp cannot load {path}: not a GGUF model it reads (damaged, cut short, or "
                "a newer format); check the file or give another --model"
            ) from exc

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def warm(self, messages: list[Message]) -> None:
        """Loads the state after ``messages`` saved by an earlier process, else reads them and
        saves it: a new process then skips reading the system prompt (about 2 s on 2 cores)."""
        if self._state_dir is None:
            return super().warm(messages)
        path = prefix_state.state_file(self._state_dir, self._path, self.n_ctx, messages)
        with self._lock:
            if prefix_state.load(self._llama, path):
                return None
        super().warm(messages)
        with self._lock:
            prefix_state.save(self._llama, path)
        return None

    def _stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        self._keep_only_the_system_prompt(messages)
        chunks = self._llama.create_chat_completion(
            messages=messages,  # type: ignore[arg-type]
            max_tokens=max_tokens,
            temperature=0.0,
            top_k=1,
            stream=True,
        )
        for chunk in chunks:
            delta = chunk["choices"][0]["delta"].get("content")  # type: ignore[index]
            if delta:
                yield delta

    def _keep_only_the_system_prompt(self, messages: list[Message]) -> None:
        """Forget what the cache holds after the system prompt (a few tokens short of its end:
        the count leaves out the chat template's marks), so that every prompt is read on from
        the same point. llama.cpp reuses all that a prompt shares with the one before it (a
        question asked again: all but its last token), and what it computes depends on where
        reading starts: asked twice in a row, 2 of 17 dev questions got another answer, and a
        chat or an eval run could answer a question otherwise than `paperqa ask`."""
        if messages and messages[0]["role"] == "system":
            shared = self.count_tokens(messages[0]["content"])
            self._llama.n_tokens = min(self._llama.n_tokens, shared)


class TransformersLLM(LLM):
    """Any causal LM transformers can load: hub name, local directory, or a GGUF file.

    GGUF files are dequantized on load (slow); the result is saved once under
    ``<cache_dir>/transformers/`` and later loads read that directory instead.
    """

    backend = "transformers"

    def __init__(self, model: str, settings: Settings) -> None:
        super().__init__()
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise ModelNotAvailableError(
                "the transformers backend needs: pip install torch transformers"
            ) from exc
        if settings.threads:
            torch.set_num_threads(settings.threads)
        self.name = model
        source = _transformers_source(model, settings)
        online = isinstance(source, tuple) or on_disk_or_hub(source)
        try:
            if isinstance(source, tuple):
                directory, gguf_file = source
                self._tokenizer = AutoTokenizer.from_pretrained(directory, gguf_file=gguf_file)
                self._model = AutoModelForCausalLM.from_pretrained(directory, gguf_file=gguf_file)
            else:
                self._tokenizer = AutoTokenizer.from_pretrained(source)
                self._model = AutoModelForCausalLM.from_pretrained(source)
        except (OSError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if online else OFFLINE_NOTE
            raise ModelNotAvailableError(
                f"model {model!r} could not be loaded by transformers: {reason}"
            ) from exc
        if isinstance(source, tuple):
            _save_converted(self._model, self._tokenizer, _converted_dir(model, source, settings))
        self._model.eval()
        window = (
            getattr(self._model.config, "max_position_embeddings", None) or settings.context_tokens
        )
        self.n_ctx = min(settings.context_tokens, int(window))

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer(text, add_special_tokens=False)["input_ids"])

    def count_chat_tokens(self, messages: list[Message]) -> int:
        return len(self._render(messages))

    def _render(self, messages: list[Message]) -> list[int]:
        ids = self._tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, tokenize=True, return_dict=False
        )
        if isinstance(ids, dict) or hasattr(ids, "keys"):  # some versions return a BatchEncoding
            ids = ids["input_ids"]
        return list(ids)

    def _stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        import torch
        from transformers import TextIteratorStreamer

        input_ids = torch.tensor([self._render(messages)])
        streamer = TextIteratorStreamer(self._tokenizer, skip_prompt=True, skip_special_tokens=True)
        kwargs: dict[str, Any] = {
            "input_ids": input_ids,
            "attention_mask": torch.ones_like(input_ids),
            "max_new_tokens": max_tokens,
            "do_sample": False,
            "streamer": streamer,
            "pad_token_id": self._tokenizer.pad_token_id or self._tokenizer.eos_token_id,
        }
        errors: list[BaseException] = []
        stop = threading.Event()  # set when the consumer closes this generator (user pressed stop)
        kwargs["stopping_criteria"] = stop_criteria(stop)

        def generate() -> None:
            try:
                with torch.inference_mode():
                    self._model.generate(**kwargs)
            except BaseException as exc:  # surfaced in the consuming thread below
                errors.append(exc)
                streamer.end()

        worker = threading.Thread(target=generate, daemon=True)
        worker.start()
        try:
            for text in streamer:
                if text:
                    yield text
        finally:  # also on close(): stop generating at the next token, then free the lock
            stop.set()
            worker.join()
        if errors:
            raise errors[0]


def stop_criteria(stop: threading.Event) -> Any:
    """A transformers StoppingCriteriaList that ends generation once ``stop`` is set."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList

    class StopFlag(StoppingCriteria):
        def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
            return torch.full((input_ids.shape[0],), stop.is_set(), dtype=torch.bool)

    return StoppingCriteriaList([StopFlag()])


def _transformers_source(model: str, settings: Settings) -> str | tuple[str, str]:
    """A directory/hub name to load, or (directory, gguf file name) for a not-yet-converted GGUF."""
    gguf = resolve_gguf(model, settings.cache_dir)
    if gguf is None:
        return str(Path(model).expanduser()) if Path(model).expanduser().exists() else model
    if find_spec("gguf") is None:
        raise ModelNotAvailableError("loading GGUF files with transformers needs: pip install gguf")
    converted = _converted_dir(model, (str(gguf.parent), gguf.name), settings)
    if (converted / "config.json").is_file():
        return str(converted)
    return str(gguf.parent), gguf.name


def _converted_dir(model: str, source: tuple[str, str], settings: Settings) -> Path:
    packaged = packaged_model(model)
    if packaged is not None:
        key = f"{packaged.name}-{packaged.sha256[:12]}"
    else:
        path = Path(source[0]) / source[1]
        stat = path.stat()
        tag = f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()
        key = f"{path.stem}-{hashlib.sha256(tag).hexdigest()[:12]}"
    return Path(settings.cache_dir).expanduser() / "transformers" / key


def _save_converted(model: Any, tokenizer: Any, directory: Path) -> None:
    """Save a dequantized model atomically (temp dir + rename) so a crash leaves no half copy."""
    if (directory / "config.json").is_file():
        return
    if any("gguf" in type(module).__name__.lower() for module in model.modules()):
        return  # weights kept in GGUF blocks (newer transformers): nothing dense to save
    # The weights are plain tensors now; drop the GGUF marker so save_pretrained accepts them.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    import shutil

    tmp = temporary_path(directory)
    tmp.parent.mkdir(parents=True, exist_ok=True)
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        os.replace(tmp, directory)
    except OSError:  # another process won the race (its copy is as good as ours), or no room
        pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class OpenAILLM(LLM):
    """Any OpenAI-compatible chat server (vLLM, TGI, Ollama, llama.cpp's server) over httpx."""

    backend = "openai"

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        import httpx

        self.name = settings.model
        self.n_ctx = settings.context_tokens
        self._url = settings.openai_base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=self._url,
            headers={"Authorization": f"Bearer {settings.openai_api_key}"},
            timeout=httpx.Timeout(300.0, connect=5.0),
        )

    def count_tokens(self, text: str) -> int:
        # No tokenizer on this side: ~3 characters a token over-counts English text, which only
        # makes the context budget conservative.
        return len(text) // 3 + 1

    def _stream(self, messages: list[Message], max_tokens: int) -> Iterator[str]:
        import httpx

        body = {
            "model": self.name,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0.0,
            "stream": True,
        }
        try:
            with self._client.stream("POST", "/chat/completions", json=body) as response:
                if response.status_code != 200:
                    detail = response.read().decode("utf-8", "replace")[:200]
                    raise ModelNotAvailableError(
                        f"server {self._url} answered HTTP {response.status_code}: {detail}"
                    )
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[len("data:") :].strip()
                    if data == "[DONE]":
                        break
                    delta = _delta(data)
                    if delta is None:
                        raise ModelNotAvailableError(
                            f"server {self._url} sent a stream event that is not a chat "
                            f"completion chunk: {data[:200]}"
                        )
                    if delta:
                        yield delta
        except httpx.HTTPError as exc:
            raise ModelNotAvailableError(
                f"cannot reach the OpenAI-compatible server at {self._url}: {exc}"
            ) from exc


def _delta(data: str) -> str | None:
    """The text of one streamed chat-completion chunk ("" when it has none); None when the
    event is not such a chunk."""
    try:
        event = json.loads(data)
        choices = event.get("choices") or [{}]
        return (choices[0].get("delta") or {}).get("content") or ""
    except (ValueError, AttributeError, IndexError, TypeError):
        return None


_LOADED: dict[tuple[Any, ...], LLM] = {}
_LOAD_LOCK = threading.Lock()


def available_backends() -> list[str]:
    """Local backends that can run here, llama.cpp first when installed (openai needs a server)."""
    return (["llama.cpp"] if find_spec("llama_cpp") is not None else []) + ["transformers"]


def llama_cpp_cpu_features() -> list[str]:
    """The CPU features llama.cpp was compiled to use here (``AMX_INT8`` among them where its
    AMX kernels read prompts); empty without llama-cpp-python."""
    if find_spec("llama_cpp") is None:
        return []
    import llama_cpp

    return re.findall(r"(\w+) = 1", llama_cpp.llama_print_system_info().decode())


def resolve_backend(backend: str, model: str | None = None) -> str:
    """``auto`` means llama.cpp when llama-cpp-python is importable and ``model`` is a GGUF file
    or a packaged name (or not given), else transformers (a hub name or a model folder)."""
    if backend != "auto":
        return backend
    gguf = model is None or packaged_model(model) is not None or model.lower().endswith(".gguf")
    return available_backends()[0] if gguf else "transformers"


def load_llm(settings: Settings) -> LLM:
    """The chat model the settings name, loaded once per process and shared."""
    backend = resolve_backend(settings.backend, settings.model)
    key = (
        backend,
        settings.model,
        settings.context_tokens,
        settings.threads,
        str(settings.cache_dir),
        settings.prompt_lookup_tokens,
        settings.model_weights,
    )
    if backend == "openai":
        key += (settings.openai_base_url, settings.openai_api_key)
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = _load(backend, settings)
        return _LOADED[key]


def locate_model(settings: Settings) -> None:
    """Finds the model's files without loading the model (assembling a packaged GGUF on its first
    use), so that a model that is not there fails at once, before anything slow starts."""
    backend = resolve_backend(settings.backend, settings.model)
    if backend == "llama.cpp":
        _llama_cpp_gguf(settings)
    elif backend == "transformers":
        _transformers_source(settings.model, settings)


def _load(backend: str, settings: Settings) -> LLM:
    if backend == "openai":
        return OpenAILLM(settings)
    if backend == "transformers":
        return TransformersLLM(settings.model, settings)
    if backend == "llama.cpp":
        return LlamaCppLLM(
            _llama_cpp_gguf(settings),
            settings.model,
            settings.context_tokens,
            settings.threads,
            settings.prompt_lookup_tokens,
            Path(settings.cache_dir).expanduser() / "llm-state",
        )
    raise ModelNotAvailableError(f"unknown backend {backend!r}")


def _llama_cpp_gguf(settings: Settings) -> Path:
    if find_spec("llama_cpp") is None:
        raise ModelNotAvailableError(f"the llama.cpp backend needs {LLAMA_CPP_HINT}")
    path = resolve_gguf(settings.model, settings.cache_dir)
    if path is None:
        raise ModelNotAvailableError(
            f"model {settings.model!r}: the llama.cpp backend needs a GGUF file or a packaged "
            "model name (qwen2.5-coder-1.5b-instruct, qwen2.5-coder-0.5b-instruct); for a hub "
            "name or a model folder use --backend transformers (or auto)"
        )
    packaged = packaged_model(settings.model)
    if packaged is None or not _in_8_bit_blocks(settings):
        return path
    try:
        return q8_0_copy(packaged, path)
    except ModelNotAvailableError as exc:
        if settings.model_weights == "q8_0":
            raise ModelNotAvailableError(f"{exc}; or PAPERQA_MODEL_WEIGHTS=as-packaged") from None
        print(f"paperqa: {exc}; reading the packaged file instead", file=sys.stderr, flush=True)
        return path


def _in_8_bit_blocks(settings: Settings) -> bool:
    """Whether llama.cpp reads a packaged model from its Q8_0 copy (``model_weights``)."""
    if settings.model_weights == "auto":
        return "AMX_INT8" in llama_cpp_cpu_features()
    return settings.model_weights == "q8_0"
