"""Retrieval metrics (DPR's top-k accuracy made passage-level) and the dense/BM25/hybrid comparison.

The metric definitions follow ``shared/eval/README.md``: a retrieved passage is a hit when it comes
from the gold document and contains one of the evidence strings after ``norm``.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from paperqa.retrieve.base import Retriever
from paperqa.text import norm
from paperqa.types import Chunk, Passage

METRICS = ("hit@1", "hit@5", "hit@20", "mrr@10", "ndcg@10", "doc_hit@5", "p50_ms", "p95_ms")
DEPTH = 20


def load_questions(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def default_questions_path() -> Path | None:
    """The dev questions beside the project (``../shared/eval``), when they exist."""
    candidates = [
        Path.cwd() / ".." / "shared" / "eval" / "questions.dev.jsonl",
        Path(__file__).resolve().parents[3] / ".." / "shared" / "eval" / "questions.dev.jsonl",
    ]
    return next((p.resolve() for p in candidates if p.is_file()), None)


def is_hit(chunk: Chunk, question: dict[str, Any]) -> bool:
    if chunk.doc != question["doc"]:
        return False
    text = norm(chunk.text)
    return any(norm(answer) in text for answer in question["answers"])


def ranking_metrics(hits: Sequence[bool], docs_match: Sequence[bool], n_relevant: int) -> dict:
    """Metrics of one ranked list: ``hits[i]`` says whether rank i+1 is a hit.

    ``n_relevant`` is how many hits exist in the whole index (for nDCG's ideal ordering).
    """
    first = next((i for i, h in enumerate(hits) if h), None)
    dcg = sum(1 / math.log2(i + 2) for i, h in enumerate(hits[:10]) if h)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(max(n_relevant, 0), 10)))
    return {
        "hit@1": float(any(hits[:1])),
        "hit@5": float(any(hits[:5])),
        "hit@20": float(any(hits[:20])),
        "mrr@10": 1 / (first + 1) if first is not None and first < 10 else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
        "doc_hit@5": float(any(docs_match[:5])),
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def evaluate_retriever(
    retriever: Retriever,
    questions: list[dict[str, Any]],
    chunks: list[Chunk],
    progress: bool = False,
) -> dict[str, Any]:
    """Averages the metrics over the answerable questions; also returns per-question rows."""
    answerable = [q for q in questions if q.get("answerable", True) and q.get("doc")]
    if answerable:
        retriever.search(answerable[0]["question"], DEPTH)  # warm-up: lazy loads, caches
    rows, latencies, words = [], [], []
    for question in tqdm(answerable, desc=retriever.name, disable=not progress, leave=False):
        started = time.perf_counter()
        passages = retriever.search(question["question"], DEPTH)
        latencies.append((time.perf_counter() - started) * 1000)
        words.extend(len(p.text.split()) for p in passages)
        hits = [is_hit(p.chunk, question) for p in passages]
        n_relevant = sum(is_hit(c, question) for c in chunks if c.doc == question["doc"])
        metrics = ranking_metrics(hits, [p.doc == question["doc"] for p in passages], n_relevant)
        rows.append(
            {
                "id": question["id"],
                "question": question["question"],
                "doc": question["doc"],
                "top": _top(passages),
                **metrics,
            }
        )
    summary: dict[str, Any] = {
        name: statistics.fmean(r[name] for r in rows) if rows else 0.0
        for name in METRICS
        if not name.endswith("_ms")
    }
    summary["p50_ms"] = percentile(latencies, 50)
    summary["p95_ms"] = percentile(latencies, 95)
    summary["avg_passage_words"] = statistics.fmean(words) if words else 0.0
    return {"metrics": summary, "per_question": rows}


def _top(passages: list[Passage]) -> list[str]:
    return [f"{p.doc} p.{p.chunk.pages}" for p in passages[:3]]


def markdown_table(results: dict[str, dict[str, float]]) -> str:
    """One row per retriever, one column per metric."""
    columns = [*METRICS, "avg_passage_words"]
    lines = [
        "| retriever | " + " | ".join(columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for name, metrics in results.items():
        cells = [
            f"{metrics[c]:.1f}" if c.endswith(("_ms", "_words")) else f"{metrics[c]:.3f}"
            for c in columns
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bar_chart(results: dict[str, dict[str, float]], path: Path) -> None:
    """A grouped bar chart of the quality metrics per retriever, saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    quality = [m for m in METRICS if not m.endswith("_ms")]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(len(results), 1)
    for i, (name, metrics) in enumerate(results.items()):
        xs = [j + i * width for j in range(len(quality))]
        ax.bar(xs, [metrics[m] for m in quality], width, label=name)
    ax.set_xticks([j + width * (len(results) - 1) / 2 for j in range(len(quality))], quality)
    ax.set_ylim(0, 1)
    ax.set_ylabel("score")
    ax.set_title("Retrieval on the question set")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
