"""Shared fixtures: the real corpus, one real index of it and the running app, once per session.

Models converted during the tests (the transformers backend dequantizes a GGUF file: ~2.4 GB)
go to a temporary cache removed at the end of the session. The assembled GGUF files are shared
with the user's cache (``~/.cache/paperqa/models``, or ``PAPERQA_CACHE_DIR``'s), so they are
assembled once per machine, as a user's first run would.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paperqa.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def _corpus_dir() -> Path:
    configured = os.environ.get("PAPERQA_CORPUS_DIR")
    return Path(configured) if configured else (REPO / ".." / "shared" / "corpus").resolve()


def _questions_file() -> Path:
    return (REPO / ".." / "shared" / "eval" / "questions.dev.jsonl").resolve()


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The local copy of the reading list (``../shared/corpus``); tests skip without it."""
    path = _corpus_dir()
    if not (path / "manifest.tsv").is_file():
        pytest.skip(f"real corpus not found at {path} (set PAPERQA_CORPUS_DIR)")
    return path


@pytest.fixture(scope="session")
def dev_questions() -> Path:
    path = _questions_file()
    if not path.is_file():
        pytest.skip(f"dev questions not found at {path}")
    return path


@pytest.fixture(scope="session", autouse=True)
def model_cache() -> Iterator[Path]:
    """A temporary ``PAPERQA_CACHE_DIR`` for the session, its ``models/`` the user's own."""
    user_models = Settings().cache_dir.expanduser() / "models"
    user_models.mkdir(parents=True, exist_ok=True)
    cache = Path(tempfile.mkdtemp(prefix="paperqa-test-cache-"))
    (cache / "models").symlink_to(user_models, target_is_directory=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERQA_CACHE_DIR", str(cache))  # subprocesses (CLI, app) inherit it
        yield cache
    shutil.rmtree(cache, ignore_errors=True)


def say(config: pytest.Config, text: str) -> None:
    """A line on the terminal now, even while pytest captures output."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(f"[paperqa tests] {text}")


@pytest.fixture(scope="session")
def corpus_index(
    corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Settings:
    """Settings pointing at a real index of the corpus, built once for the whole session.

    ``PAPERQA_TEST_INDEX=DIR`` reuses an index already built from the corpus (for development).
    """
    from paperqa.ingest.pipeline import ingest

    existing = os.environ.get("PAPERQA_TEST_INDEX")
    if existing:
        say(request.config, f"using the index in {existing} (PAPERQA_TEST_INDEX)")
        return Settings(index_dir=Path(existing))
    settings = Settings(index_dir=tmp_path_factory.mktemp("corpus-index"))
    say(
        request.config,
        f"building an index of the corpus in {corpus_dir} for the slow tests: on 2 cores about "
        "1 minute with bfloat16 (AMX), 10 without (PAPERQA_TEST_INDEX=DIR reuses a built one)",
    )
    started = time.perf_counter()
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():  # the ingest progress bars, live
        report = ingest(corpus_dir, settings, progress=True)
    assert report.documents, "the corpus index could not be built"
    say(
        request.config,
        f"index built: {len(report.documents)} documents in {time.perf_counter() - started:.0f} s",
    )
    return settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(
    corpus_index: Settings, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """``python app.py`` on a free loopback port, shared by the session's tests once its model is
    loaded (the browser, ``gradio_client`` and ``openai`` tests)."""
    import httpx

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "app.py", "--port", str(port)]
    command += ["--index-dir", str(corpus_index.index_dir)]
    say(request.config, f"starting the app on {url} and loading its model (about a minute)")
    log_path = tmp_path_factory.mktemp("app") / "app.log"  # a file: a full pipe would block it
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            if process.poll() is not None:
                out = log_path.read_text(errors="replace")
                pytest.fail(f"app.py exited with {process.returncode}:\n{out[-3000:]}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2).json()["model_ready"]:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            pytest.fail("app did not become ready")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
