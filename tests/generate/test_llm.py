"""The three LLM backends with the real packaged models (slow), and their error messages."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from importlib.util import find_spec
from pathlib import Path

import httpx
import numpy as np
import pytest

from paperqa.errors import ModelNotAvailableError
from paperqa.generate.gguf import PACKAGED_MODELS, packaged_gguf
from paperqa.generate.llm import (
    llama_cpp_cpu_features,
    load_llm,
    locate_model,
    resolve_backend,
)
from paperqa.settings import Settings

SMALL = "qwen2.5-coder-0.5b-instruct"
QUESTION = [
    {"role": "system", "content": "Answer with one word."},
    {"role": "user", "content": "What is the capital of France?"},
]
HAS_LLAMA_CPP = find_spec("llama_cpp") is not None
needs_llama_cpp = pytest.mark.skipif(
    not HAS_LLAMA_CPP,
    reason="llama-cpp-python is not installed (pip install 'paperqa-local[llamacpp]')",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_auto_backend_prefers_llama_cpp() -> None:
    assert resolve_backend("auto") == ("llama.cpp" if HAS_LLAMA_CPP else "transformers")
    assert resolve_backend("openai") == "openai"


def test_auto_backend_gives_hub_names_and_folders_to_transformers() -> None:
    local = "llama.cpp" if HAS_LLAMA_CPP else "transformers"
    assert resolve_backend("auto", "qwen2.5-coder-1.5b-instruct") == local
    assert resolve_backend("auto", "/models/My-Model.Q4_K_M.GGUF") == local
    assert resolve_backend("auto", "Qwen/Qwen2.5-1.5B-Instruct") == "transformers"
    assert resolve_backend("auto", "/models/qwen-folder") == "transformers"
    assert resolve_backend("llama.cpp", "Qwen/Qwen2.5-1.5B-Instruct") == "llama.cpp"  # as asked


@needs_llama_cpp
def test_llama_cpp_rejects_a_model_that_is_not_gguf(tmp_path) -> None:
    settings = Settings(backend="llama.cpp", model="some-org/some-model", cache_dir=tmp_path)
    with pytest.raises(ModelNotAvailableError, match="GGUF"):
        load_llm(settings)


@needs_llama_cpp
@pytest.mark.parametrize("head", [b"", b"GGUF\x03\x00\x00\x00"])
def test_a_damaged_gguf_file_is_a_one_line_error(tmp_path, head: bytes) -> None:
    damaged = tmp_path / "damaged.gguf"
    damaged.write_bytes(head + np.random.default_rng(0).bytes(100_000))
    settings = Settings(backend="llama.cpp", model=str(damaged), cache_dir=tmp_path)
    with pytest.raises(ModelNotAvailableError, match=r"cannot load .*damaged\.gguf") as caught:
        load_llm(settings)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("backend", ["llama.cpp", "transformers"])
def test_locating_a_missing_gguf_file_fails_without_loading(backend: str, tmp_path) -> None:
    if backend == "llama.cpp" and not HAS_LLAMA_CPP:
        pytest.skip("llama-cpp-python is not installed")
    absent = tmp_path / "absent.gguf"
    with pytest.raises(ModelNotAvailableError, match=r"absent\.gguf'?: GGUF file not found"):
        locate_model(Settings(backend=backend, model=str(absent), cache_dir=tmp_path))
    settings = Settings(backend=backend, model=SMALL)
    locate_model(settings)  # the packaged model is there: nothing raised
    assert (settings.cache_dir / "models" / f"{SMALL}.gguf").is_file()


def test_unreachable_openai_server_is_a_clear_error() -> None:
    settings = Settings(backend="openai", openai_base_url=f"http://127.0.0.1:{_free_port()}/v1")
    llm = load_llm(settings)
    with pytest.raises(ModelNotAvailableError, match="cannot reach"):
        llm.chat(QUESTION, max_tokens=5)


def test_a_server_that_streams_something_else_is_a_clear_error() -> None:
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class NotAChatServer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(b"data: <html>a proxy page</html>\n\n")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), NotAChatServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        llm = load_llm(Settings(backend="openai", openai_base_url=url))
        with pytest.raises(ModelNotAvailableError, match="not a chat completion chunk"):
            llm.chat(QUESTION, max_tokens=5)
    finally:
        server.shutdown()


@pytest.mark.slow
@needs_llama_cpp
def test_llama_cpp_streams_a_greedy_answer() -> None:
    llm = load_llm(Settings(backend="llama.cpp", model=SMALL))
    assert (llm.backend, llm.n_ctx) == ("llama.cpp", 4096)
    deltas = list(llm.stream_chat(QUESTION, max_tokens=10))
    assert len(deltas) >= 1
    assert "paris" in "".join(deltas).lower()
    assert llm.chat(QUESTION, max_tokens=10) == "".join(deltas)  # greedy: reproducible
    assert 15 < llm.count_chat_tokens(QUESTION) < 60


@pytest.mark.slow
@needs_llama_cpp
def test_one_model_serves_threads_one_at_a_time() -> None:
    llm = load_llm(Settings(backend="llama.cpp", model=SMALL))
    answers: list[str] = []
    workers = [
        threading.Thread(target=lambda: answers.append(llm.chat(QUESTION, max_tokens=10)))
        for _ in range(3)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(answers) == 3 and len(set(answers)) == 1


@pytest.mark.slow
def test_transformers_loads_gguf_and_caches_the_conversion() -> None:
    settings = Settings(backend="transformers", model=SMALL)
    llm = load_llm(settings)
    assert llm.backend == "transformers"
    assert "paris" in llm.chat(QUESTION, max_tokens=10).lower()
    converted = list((settings.cache_dir / "transformers").glob("qwen2.5-coder-0.5b-instruct-*"))
    assert converted and (converted[0] / "config.json").is_file()
    prompt_tokens = llm.count_chat_tokens(QUESTION)  # exact, from the chat template
    assert 15 < prompt_tokens < 60


@pytest.mark.slow
def test_openai_backend_against_a_live_llama_cpp_server() -> None:
    missing = [
        m
        for m in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context")
        if find_spec(m) is None
    ]
    if missing:
        pytest.skip(
            f"no local OpenAI-compatible server: missing {', '.join(missing)} "
            "(pip install 'llama-cpp-python[server]')"
        )
    gguf = packaged_gguf(PACKAGED_MODELS[SMALL], Settings().cache_dir)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf),
            "--port",
            str(port),
            "--n_ctx",
            "1024",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, "llama_cpp.server exited"
            assert time.monotonic() < deadline, "llama_cpp.server did not start"
            time.sleep(0.5)
        llm = load_llm(Settings(backend="openai", openai_base_url=base, model=str(gguf)))
        deltas = list(llm.stream_chat(QUESTION, max_tokens=10))
        assert len(deltas) >= 1
        assert "paris" in "".join(deltas).lower()
    finally:
        server.terminate()
        server.wait(timeout=30)


LONG_ANSWER = [
    {"role": "system", "content": "You write long, detailed answers."},
    {"role": "user", "content": "Count from one to two hundred in words, one number a line."},
]


def test_the_stop_flag_ends_a_transformers_generation() -> None:
    import torch

    from paperqa.generate.llm import stop_criteria

    stop = threading.Event()
    criteria = stop_criteria(stop)
    ids = torch.zeros((1, 5), dtype=torch.long)
    assert not criteria(ids, None).any()
    stop.set()
    assert criteria(ids, None).all()


def _closing_frees_the_model(llm) -> None:
    stream = llm.stream_chat(LONG_ANSWER, max_tokens=400)
    first = next(stream)
    assert first
    stream.close()  # what Gradio does when the user presses stop or closes the tab
    # The generation ended: the model is free at once for the next user.
    assert llm._lock.acquire(blocking=False)
    llm._lock.release()
    assert not [t for t in threading.enumerate() if "generate" in t.name]


@pytest.mark.slow
@needs_llama_cpp
def test_closing_a_llama_cpp_stream_ends_the_generation() -> None:
    _closing_frees_the_model(load_llm(Settings(backend="llama.cpp", model=SMALL)))


@pytest.mark.slow
def test_closing_a_transformers_stream_ends_the_generation() -> None:
    _closing_frees_the_model(load_llm(Settings(backend="transformers", model=SMALL)))


@pytest.mark.slow
def test_closing_the_engine_stream_stops_the_model(corpus_index) -> None:
    """What Gradio does when a user closes the tab or presses stop mid-answer."""
    from paperqa.generate.answer import REFUSAL_TEXT, QAEngine

    engine = QAEngine(corpus_index.updated(backend="transformers", model=SMALL))
    stream = engine.stream("How do residual connections help train deep networks?")
    first = next(stream)
    assert isinstance(first, str) and first != REFUSAL_TEXT
    stream.close()
    assert engine.llm._lock.acquire(blocking=False)  # the generation let go of the model
    engine.llm._lock.release()
    assert not [t for t in threading.enumerate() if "generate" in t.name]


@pytest.mark.slow
@needs_llama_cpp
def test_llama_cpp_answers_after_the_embedder_ran_on_the_same_thread() -> None:
    # On CPUs with AMX both PyTorch (the bfloat16 embedder) and llama.cpp use the tile registers
    # of the calling thread; an unpatched llama.cpp build crashes the process on its next answer.
    script = """
from paperqa.embedder import get_embedder
from paperqa.generate.llm import load_llm
from paperqa.settings import Settings
settings = Settings(backend="llama.cpp")
llm, embedder = load_llm(settings), get_embedder(settings)
for country in ("France", "Italy"):
    embedder.encode_passages(["Paris is the capital and largest city of France. " * 12] * 32)
    question = [
        {"role": "system", "content": "Answer with one word."},
        {"role": "user", "content": f"What is the capital of {country}? "
            + "Rome is in Italy. Paris is in France. " * 8},
    ]
    print(llm.chat(question, max_tokens=5))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.lower().split() == ["paris", "rome"]


@needs_llama_cpp
def test_llama_cpp_is_built_for_this_cpu_with_its_amx_kernels_where_it_has_amx() -> None:
    flags = Path("/proc/cpuinfo").read_text().split() if Path("/proc/cpuinfo").exists() else []
    if "amx_int8" not in flags:
        pytest.skip("this CPU has no AMX")
    assert "AMX_INT8" in llama_cpp_cpu_features()


@pytest.mark.usefixtures("unreachable_hub")
def test_a_hub_chat_model_without_network_fails_at_once_saying_why() -> None:
    settings = Settings(backend="transformers", model="some-org/absent-chat-model")
    with pytest.raises(ModelNotAvailableError, match="hub cannot be reached"):
        load_llm(settings)
