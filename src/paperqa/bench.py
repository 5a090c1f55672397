"""`paperqa bench`: how long a user waits at every stage, measured on this machine.

Figures are medians over repeated runs (these machines are noisy); each comes with its target
where the project has one. Nothing here asserts: it prints figures.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from paperqa.errors import PaperQAError
from paperqa.files import report_dir, write_atomic
from paperqa.generate.llm import llama_cpp_cpu_features
from paperqa.retrieve.evaluate import default_questions_path, load_questions, percentile
from paperqa.settings import Settings

TARGETS = {
    "ingest_total_s": ("<=", 90.0),
    "hybrid_p50_ms": ("<=", 20.0),
    "learned_p50_ms": ("<=", 300.0),
    "cold_search_s": ("<=", 2.0),
    "cold_ask_answer_s": ("<=", 12.0),
}
# Questions for the generation timings: generic, not from any question set.
GENERATION_QUESTIONS = [
    "What is the main contribution of the Transformer architecture?",
    "How do residual connections help train deep networks?",
    "What does dense passage retrieval use to encode passages?",
]
SEARCH_QUERIES = [
    "scaled dot-product attention",
    "dropout regularization of recurrent networks",
    "minimum description length principle",
    "pipeline parallelism with micro-batches",
    "power law of loss against model size",
]


def machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "llama_cpp_cpu": " ".join(llama_cpp_cpu_features()),
    }


def _max_rss_mb() -> float:
    """The highest resident memory this process ever had (the kernel's own count)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, else KiB


class PeakMemory:
    """The peak resident memory (MB) of this process and its children while a block runs.

    A thread samples the resident size; when the block raised the process's all-time peak
    (``ru_maxrss``), that exact figure is used, since no sample can miss it.
    """

    def __init__(self, interval_s: float = 0.05) -> None:
        self.interval_s = interval_s
        self.mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._before = _max_rss_mb()
        self.mb = self._current_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.mb = max(self.mb, self._current_mb())
        after = _max_rss_mb()
        if after > self._before:
            self.mb = max(self.mb, after)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.mb = max(self.mb, self._current_mb())

    @staticmethod
    def _current_mb() -> float:
        process = psutil.Process()
        total = process.memory_info().rss
        for child in process.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total / 2**20


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_ingest(settings: Settings, source: Path, repeats: int = 3) -> dict[str, float]:
    """A full ingest of ``source`` into a fresh temporary index (with an empty vector cache, so
    every chunk is embedded), no-change re-runs, and a rebuild from the cached vectors; beside
    each timing, how many chunks that ingest embedded and how many vectors it took from the
    cache, which say what was timed."""
    from paperqa.ingest.pipeline import ingest

    with tempfile.TemporaryDirectory(prefix="paperqa-bench-") as tmp:
        update = {"index_dir": Path(tmp) / "index", "cache_dir": Path(tmp), "vector_cache": True}
        local = settings.model_copy(update=update)
        with PeakMemory() as peak:
            full = ingest(source, local, rebuild=True, progress=False)
        index_bytes = _dir_bytes(full.index_path) if full.index_path else 0
        again = [ingest(source, local, progress=False) for _ in range(repeats)]
        rebuilt = ingest(source, local, rebuild=True, progress=False)
        return {
            "ingest_total_s": full.seconds,
            "ingest_embedded_chunks": full.embedded_chunks,
            "ingest_cached_vectors": full.cached_vectors,
            "parse_pages_per_s": full.parsed_pages / max(full.timings.get("parse_s", 0), 1e-9),
            "embed_chunks_per_s": full.embedded_chunks / max(full.timings.get("embed_s", 0), 1e-9),
            "reingest_nochange_s": statistics.median(r.seconds for r in again),
            "reingest_embedded_chunks": sum(r.embedded_chunks for r in again),
            "rebuild_cached_vectors_s": rebuilt.seconds,
            "rebuild_embedded_chunks": rebuilt.embedded_chunks,
            "rebuild_cached_vectors": rebuilt.cached_vectors,
            "index_bytes": index_bytes,
            "chunks": full.total_chunks,
            "ingest_peak_rss_mb": peak.mb,
        }


def bench_retrieval(settings: Settings, repeats: int = 3) -> dict[str, float]:
    """Query latency of each retriever with the index loaded (warm), over the question set."""
    from paperqa.retrieve import IndexStore, load_retriever

    path = default_questions_path()
    queries = [q["question"] for q in load_questions(path)] if path else SEARCH_QUERIES
    store = IndexStore.load(settings.index_dir)
    figures: dict[str, float] = {}
    with PeakMemory() as peak:
        for name in ("bm25", "dense", "hybrid", "learned"):
            # the default as `ask` searches with it; the others alone
            retriever = load_retriever(
                settings, name, store, named_first=name == settings.retriever
            )
            retriever.search(queries[0], 20)
            latencies = []
            for _ in range(repeats):
                for query in queries:
                    started = time.perf_counter()
                    retriever.search(query, settings.k)
                    latencies.append((time.perf_counter() - started) * 1000)
            figures[f"{name}_p50_ms"] = percentile(latencies, 50)
            figures[f"{name}_p95_ms"] = percentile(latencies, 95)
    figures["retrieval_peak_rss_mb"] = peak.mb
    return figures


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "paperqa.cli", *args]


def bench_cold_start(settings: Settings, repeats: int = 3, ask: bool = True) -> dict[str, float]:
    """New processes, as a user starts them: a BM25 search, and an `ask` to its whole answer."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    index = ["--index-dir", str(settings.index_dir)]
    searches = []
    for query in itertools.islice(itertools.cycle(SEARCH_QUERIES), repeats):
        started = time.perf_counter()
        _run_timed(_cli("search", query, "-r", "bm25", *index), env)
        searches.append(time.perf_counter() - started)
    figures = {"cold_search_s": statistics.median(searches)}
    if ask:
        answers = []
        for question in itertools.islice(itertools.cycle(GENERATION_QUESTIONS), repeats):
            started = time.perf_counter()
            # Piped, `ask` prints the answer whole once it is checked: this is the whole answer.
            _run_timed(_cli("ask", question, *index), env)
            answers.append(time.perf_counter() - started)
        figures["cold_ask_answer_s"] = statistics.median(answers)
    return figures


def _run_timed(command: list[str], env: dict[str, str]) -> None:
    """Runs a timed ``paperqa`` command; PaperQAError with its error line when it fails, whose
    time would read as a figure (a cold `ask` without its model ends in a second)."""
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        why = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        why = why.removeprefix("paperqa: error: ")
        raise PaperQAError(f"cold `paperqa {command[3]}` failed: {why}")


def bench_generation(settings: Settings, backend: str, model: str) -> dict[str, float]:
    """Time to first token, tokens per second and whole-answer time for one backend and model."""
    from paperqa.generate.llm import load_llm
    from paperqa.retrieve import load_retriever

    local = settings.model_copy(update={"backend": backend, "model": model})
    with PeakMemory() as peak:
        started = time.perf_counter()
        llm = load_llm(local)
        load_s = time.perf_counter() - started
        ttfts, rates, totals = _time_answers(llm, load_retriever(local), local)
    return {
        "load_s": load_s,
        "ttft_s": statistics.median(ttfts),
        "tokens_per_s": statistics.median(rates),
        "answer_total_s": statistics.median(totals),
        "peak_rss_mb": peak.mb,
    }


def _time_answers(llm: Any, retriever: Any, local: Settings) -> tuple[list[float], ...]:
    """Time to first token, tokens per second and total time of each generation question."""
    from paperqa.generate.answer import build_messages

    ttfts, rates, totals = [], [], []
    for question in GENERATION_QUESTIONS:
        passages = retriever.search(question, local.k)
        messages, _ = build_messages(
            question, passages, llm, local.max_new_tokens, local.evidence_tokens
        )
        started = time.perf_counter()
        first = None
        pieces = []
        for piece in llm.stream_chat(messages, max_tokens=local.max_new_tokens):
            if first is None:
                first = time.perf_counter() - started
            pieces.append(piece)
        total = time.perf_counter() - started
        tokens = llm.count_tokens("".join(pieces))
        ttfts.append(first or total)
        totals.append(total)
        rates.append(tokens / max(total - (first or 0), 1e-9))
    return ttfts, rates, totals


def run_bench(
    settings: Settings,
    *,
    as_json: bool = False,
    out: Path | None = None,
    ingest: bool = True,
    generation: bool = True,
    backends: list[str] | None = None,
    models: list[str] | None = None,
    repeats: int = 3,
) -> dict[str, Any]:
    """Runs every stage, each timing ``repeats`` times, and prints the figures (a table, or
    JSON)."""
    if ingest and not Path(settings.source_dir).is_dir():
        raise PaperQAError(
            f"bench times a full ingest of {settings.source_dir}, which is not a folder: give "
            "--source DIR (the papers) or --skip-ingest"
        )
    runs = _generation_runs(settings, backends, models) if generation else []
    out = report_dir(out)
    report: dict[str, Any] = {"machine": machine()}

    def note(text: str) -> None:
        if not as_json:
            print(text, file=sys.stderr, flush=True)

    if ingest:
        source = settings.source_dir
        note(f"ingest: full build of {source} into a temporary index ...")
        report.update(bench_ingest(settings, source, repeats))
    note("retrieval latency ...")
    report.update(bench_retrieval(settings, repeats))
    note("cold start ...")
    report.update(bench_cold_start(settings, repeats, ask=generation))
    if generation:
        generation_figures: dict[str, dict[str, float]] = {}
        for backend, model in runs:
            note(f"generation: {backend} / {model} ...")
            generation_figures[f"{backend}:{model}"] = bench_generation(settings, backend, model)
        for model in models or [settings.model]:
            # The same GGUF model through transformers, relative to llama.cpp as the reference.
            ours = generation_figures.get(f"transformers:{model}")
            reference = generation_figures.get(f"llama.cpp:{model}")
            if ours and reference:
                report[f"transformers_vs_llama_cpp_tokens_per_s:{model}"] = (
                    ours["tokens_per_s"] / reference["tokens_per_s"]
                )
        report["generation"] = generation_figures
    report["process_peak_rss_mb"] = _max_rss_mb()
    if out:
        write_atomic(out / "bench.json", json.dumps(report, indent=1))
        write_atomic(out / "bench.md", table(report) + "\n")
    print(json.dumps(report, indent=1) if as_json else table(report))
    return report


def _generation_runs(
    settings: Settings, backends: list[str] | None, models: list[str] | None
) -> list[tuple[str, str]]:
    """The (backend, model) pairs whose generation is timed, each checked before anything is
    timed: an unknown backend or a model that is not there fails at once, not after the
    retrieval and cold-start timings."""
    from paperqa.generate.llm import available_backends, locate_model, resolve_backend

    runs = []
    for model in models or [settings.model]:
        chosen = backends or [resolve_backend(settings.backend, model)]
        for backend in available_backends() if chosen == ["all"] else chosen:
            # an unknown backend is a SettingsError, a model not there a ModelNotAvailableError
            locate_model(settings.updated(backend=backend, model=model))
            runs.append((backend, model))
    return runs


def table(report: dict[str, Any]) -> str:
    """The figures as a Markdown table, each beside its target."""
    lines = ["| figure | value | target |", "|---|---|---|"]
    for key, value in report.items():
        if key in ("machine", "generation"):
            continue
        target = TARGETS.get(key)
        mark = ""
        if target:
            ok = value <= target[1] if target[0] == "<=" else value >= target[1]
            mark = f"{target[0]} {target[1]:g} {'(met)' if ok else '(missed)'}"
        lines.append(
            f"| {key} | {value:.3f} | {mark} |"
            if isinstance(value, float)
            else f"| {key} | {value} | {mark} |"
        )
    for name, figures in report.get("generation", {}).items():
        for key, value in figures.items():
            lines.append(f"| {name} {key} | {value:.2f} | |")
    info = report["machine"]
    lines.append(
        f"\nmachine: {info['processor']}, {info['cores']} cores, {info['memory_gb']} GB, "
        f"Python {info['python']}, {info['platform']}"
        + (f"; llama.cpp uses {info['llama_cpp_cpu']}" if info.get("llama_cpp_cpu") else "")
    )
    return "\n".join(lines)
