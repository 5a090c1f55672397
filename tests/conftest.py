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


@pytest.fixture(scope="session")
def user_cache_dir() -> Path:
    """The user's own paperqa cache, read before ``model_cache`` replaces it for the session."""
    return Settings().cache_dir.expanduser()


@pytest.fixture(scope="session", autouse=True)
def model_cache(user_cache_dir: Path) -> Iterator[Path]:
    """A temporary ``PAPERQA_CACHE_DIR`` for the session, its ``models/`` the user's own."""
    user_models = user_cache_dir / "models"
    user_models.mkdir(parents=True, exist_ok=True)
    cache = Path(tempfile.mkdtemp(prefix="paperqa-test-cache-"))
    (cache / "models").symlink_to(user_models, target_is_directory=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PAPERQA_CACHE_DIR", str(cache))  # subprocesses (CLI, app) inherit it
        yield cache
    shutil.rmtree(cache, ignore_errors=True)


@pytest.fixture
def unreachable_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hub endpoint that never resolves (RFC 6761's ``.invalid``); offline mode restored after."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_ENDPOINT", "https://hub.invalid")
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)


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
    corpus_dir: Path,
    user_cache_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Settings:
    """Settings pointing at a real index of the corpus, for the whole session.

    The index is built once per machine for each version of what it is made from (see
    ``index_fingerprint``) and kept in the user's cache under ``test-index/``; each session works
    on its own copy. ``PAPERQA_TEST_INDEX=DIR`` uses an index already built from the corpus.
    """
    existing = os.environ.get("PAPERQA_TEST_INDEX")
    if existing:
        say(request.config, f"using the index in {existing} (PAPERQA_TEST_INDEX)")
        return Settings(index_dir=Path(existing))
    copy = tmp_path_factory.mktemp("corpus-index") / "index"
    _copy_cached_corpus_index(corpus_dir, user_cache_dir, copy, request.config)
    return Settings(index_dir=copy)


def index_fingerprint(corpus_dir: Path) -> str:
    """What an index of the corpus is made from: the papers (and where they are: the index
    records their paths), the code that builds it (``ingest_code``), the installed packages and
    the CPU's features (bfloat16 or float32 embeddings)."""
    import hashlib
    from importlib.metadata import distributions

    digest = hashlib.sha256(str(corpus_dir.resolve()).encode())
    package = REPO / "src" / "paperqa"
    for root, paths in ((corpus_dir, corpus_dir.rglob("*")), (package, ingest_code(package))):
        for path in sorted(p for p in paths if p.is_file()):  # not where the clone is
            digest.update(f"{path.relative_to(root)}\0".encode() + path.read_bytes())
    installed = sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions())
    digest.update("\n".join(installed).encode())
    cpuinfo = Path("/proc/cpuinfo")
    flags = [line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")]
    digest.update((flags[0] if flags else sys.platform).encode())
    return digest.hexdigest()[:16]


def ingest_code(package: Path) -> set[Path]:
    """The modules ``paperqa.ingest.pipeline`` imports, directly or not (imports inside functions
    included), their packages' ``__init__.py``, and the data files they name: a change anywhere
    else (the CLI, the app, retrieval, generation) leaves an index as it was."""
    import ast

    def module_file(name: str) -> Path | None:
        folder = package.joinpath(*name.split(".")[1:])
        for path in (folder / "__init__.py", folder.with_suffix(".py")):
            if path.is_file():
                return path
        return None

    found: dict[Path, str] = {}  # module file: its source
    pending = ["paperqa.ingest.pipeline"]
    while pending:
        name = pending.pop()
        path = module_file(name)
        if path is None or path in found:
            continue
        found[path] = path.read_text("utf-8")
        pending += [name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1)]  # packages
        for node in ast.walk(ast.parse(found[path])):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("paperqa"):
                pending += [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                pending += [a.name for a in node.names if a.name.startswith("paperqa")]
    sources = "".join(found.values())
    data = {path for path in (package / "data").iterdir() if path.name in sources}
    return set(found) | data


def _copy_cached_corpus_index(
    corpus_dir: Path, user_cache_dir: Path, destination: Path, config: pytest.Config
) -> None:
    """Copies the cached index for this fingerprint to ``destination`` (tests may write to their
    copy), building it first if it is missing or damaged.

    All under a lock: a build goes to a temporary folder, then is renamed into place, and the
    indexes of older fingerprints are removed once a new one is in place.
    """
    from filelock import FileLock

    from paperqa.errors import PaperQAError
    from paperqa.store import IndexStore

    cache = user_cache_dir / "test-index"
    cache.mkdir(parents=True, exist_ok=True)
    cached = cache / index_fingerprint(corpus_dir)
    with FileLock(str(cache / ".lock")):
        if cached.is_dir():
            try:
                IndexStore.load(cached)
                say(config, f"using the index of the corpus built earlier by this code ({cached})")
            except PaperQAError:
                shutil.rmtree(cached)
        if not cached.is_dir():
            _build_into_cache(corpus_dir, cached, Settings(cache_dir=user_cache_dir), config)
        shutil.copytree(cached, destination)


def _build_into_cache(
    corpus_dir: Path, cached: Path, settings: Settings, config: pytest.Config
) -> None:
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=cached.parent))
    try:
        _build_corpus_index(corpus_dir, settings.model_copy(update={"index_dir": building}), config)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    building.rename(cached)
    for other in cached.parent.iterdir():
        if other.is_dir() and other != cached:
            shutil.rmtree(other, ignore_errors=True)


def _build_corpus_index(corpus_dir: Path, settings: Settings, config: pytest.Config) -> None:
    """Ingests the corpus; a passage embedded by an earlier build (of other code) takes its
    vector from the user's vector cache."""
    from paperqa.ingest.pipeline import ingest

    say(
        config,
        f"building an index of the corpus in {corpus_dir} for the slow tests, kept for later runs "
        "of the same code: on 2 cores about 1 minute with bfloat16 (AMX), 10 without, 1-2 when "
        "an earlier build left its vectors in the vector cache",
    )
    started = time.perf_counter()
    capture = config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():  # the ingest progress bars, live
        report = ingest(corpus_dir, settings, progress=True)
    assert report.documents, "the corpus index could not be built"
    say(
        config,
        f"index built: {len(report.documents)} documents in {time.perf_counter() - started:.0f} s "
        f"({report.cached_vectors} of {report.total_chunks} vectors from the vector cache)",
    )


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
