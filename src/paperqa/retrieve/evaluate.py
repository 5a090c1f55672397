"""Retrieval metrics (DPR's top-k accuracy made passage-level) and the dense/BM25/hybrid comparison.

The metric definitions follow ``shared/eval/README.md``: a retrieved passage is a hit when it comes
from the gold document and contains one of the evidence strings after ``norm``. Two-paper questions
(``docs``, with ``answers`` keyed by document) count at rank k when each document has a hit by k.
Every figure is also given per part, the part being a question id's prefix before the first ``-``.
"""

from __future__ import annotations

import io
import json
import math
import operator
import statistics
import time
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

from tqdm import tqdm

from paperqa.errors import QuestionFileError
from paperqa.retrieve.base import Retriever
from paperqa.text import norm
from paperqa.types import Chunk, Passage

METRICS = ("hit@1", "hit@5", "hit@20", "mrr@10", "ndcg@10", "doc_hit@5", "p50_ms", "p95_ms")
DEPTH = 20


def load_questions(path: Path) -> list[dict[str, Any]]:
    """The questions of a JSONL file; a one-line error naming the first line that is not one."""
    questions = []
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    questions.append(_question(line, f"{path}, line {number}"))
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionFileError(f"cannot read {path} ({type(exc).__name__})") from exc
    if not questions:
        raise QuestionFileError(f"no questions in {path}")
    return questions


def _question(line: str, where: str) -> dict[str, Any]:
    try:
        question = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QuestionFileError(f"{where}: not JSON ({exc.msg})") from exc
    if not isinstance(question, dict):
        raise QuestionFileError(f"{where}: not a JSON object")
    for field in ("id", "question"):
        if not isinstance(question.get(field), str) or not question[field].strip():
            raise QuestionFileError(f"{where}: no {field!r} text")
    return question


def default_questions_path() -> Path | None:
    """The dev questions beside the project (``../shared/eval``), when they exist."""
    candidates = [
        Path.cwd() / ".." / "shared" / "eval" / "questions.dev.jsonl",
        Path(__file__).resolve().parents[3] / ".." / "shared" / "eval" / "questions.dev.jsonl",
    ]
    return next((p.resolve() for p in candidates if p.is_file()), None)


def question_docs(question: dict[str, Any]) -> list[str]:
    """The documents a question needs: ``docs`` (two-paper questions) or its one ``doc``."""
    if question.get("docs"):
        return list(question["docs"])
    return [question["doc"]] if question.get("doc") else []


def evidence(question: dict[str, Any], doc: str) -> list[str]:
    """The evidence strings of ``doc`` for a question (``answers`` may be keyed by document)."""
    answers = question.get("answers") or []
    if isinstance(answers, dict):
        return list(answers.get(doc, []))
    return list(answers) if doc in question_docs(question) else []


def is_answerable(question: dict[str, Any]) -> bool:
    return bool(question.get("answerable", True) and question_docs(question))


def part_of(question_id: str | None) -> str:
    """The part a question belongs to: its id's prefix before the first ``-`` ("all" if none)."""
    return (question_id or "").split("-", 1)[0] or "all"


def by_part(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per-question rows grouped by the part of their ``id``, parts in the order first seen."""
    parts: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        parts.setdefault(part_of(row.get("id")), []).append(row)
    return parts


def is_hit(chunk: Chunk, question: dict[str, Any]) -> bool:
    """Whether the chunk comes from a needed document and holds one of its evidence strings."""
    if chunk.doc not in question_docs(question):
        return False
    text = norm(chunk.text)
    return any(norm(answer) in text for answer in evidence(question, chunk.doc))


def _covered(found: Sequence[str | None], wanted: int) -> list[bool]:
    """For each rank: whether the documents found up to it reach all ``wanted`` documents."""
    seen: set[str] = set()
    result = []
    for doc in found:
        if doc is not None:
            seen.add(doc)
        result.append(len(seen) >= wanted)
    return result


def ranking_metrics(
    hits: Sequence[bool],
    docs_match: Sequence[bool],
    n_relevant: int,
    complete: Sequence[bool] | None = None,
    docs_complete: Sequence[bool] | None = None,
) -> dict:
    """Metrics of one ranked list: ``hits[i]`` says whether rank i+1 is a hit.

    ``n_relevant`` is how many hits exist in the whole index (for nDCG's ideal ordering).
    ``complete[i]`` says whether the hits up to rank i+1 cover every needed document (two-paper
    questions; by default any hit does), ``docs_complete`` the same for ``doc_hit``.
    """
    complete = list(accumulate(hits, operator.or_)) if complete is None else complete
    if docs_complete is None:
        docs_complete = list(accumulate(docs_match, operator.or_))
    first = next((i for i, c in enumerate(complete) if c), None)
    dcg = sum(1 / math.log2(i + 2) for i, h in enumerate(hits[:10]) if h)
    # A widened passage can hold the evidence that no indexed chunk holds whole, so the list may
    # have more hits than the index: the ideal ordering has at least the list's own hits.
    n_ideal = max(n_relevant, sum(hits[:10]))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(n_ideal, 10)))
    return {
        "hit@1": float(any(complete[:1])),
        "hit@5": float(any(complete[:5])),
        "hit@20": float(any(complete[:20])),
        "mrr@10": 1 / (first + 1) if first is not None and first < 10 else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
        "doc_hit@5": float(any(docs_complete[:5])),
    }


def question_metrics(
    passages: Sequence[Passage], question: dict[str, Any], chunks: Sequence[Chunk]
) -> dict[str, float]:
    """The ranking metrics of one question's retrieved passages (one- or two-paper question)."""
    docs = question_docs(question)
    hit_docs = [p.doc if is_hit(p.chunk, question) else None for p in passages]
    matched = [p.doc if p.doc in docs else None for p in passages]
    n_relevant = sum(is_hit(c, question) for c in chunks if c.doc in docs)
    return ranking_metrics(
        [d is not None for d in hit_docs],
        [d is not None for d in matched],
        n_relevant,
        _covered(hit_docs, len(docs)),
        _covered(matched, len(docs)),
    )


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarize(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The metrics averaged over ``rows`` (per-question results), latency percentiles, words."""
    summary: dict[str, Any] = {
        name: statistics.fmean(r[name] for r in rows) if rows else 0.0
        for name in METRICS
        if not name.endswith("_ms")
    }
    latencies = [r["ms"] for r in rows]
    words = [w for r in rows for w in r["words"]]
    summary["p50_ms"] = percentile(latencies, 50)
    summary["p95_ms"] = percentile(latencies, 95)
    summary["avg_passage_words"] = statistics.fmean(words) if words else 0.0
    summary["n"] = len(rows)
    return summary


def summarize_by_part(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """``summarize`` over all rows, with the same figures per part under ``parts``."""
    parts = by_part(rows)
    return {**summarize(rows), "parts": {name: summarize(rs) for name, rs in parts.items()}}


def evaluate_retriever(
    retriever: Retriever,
    questions: list[dict[str, Any]],
    chunks: list[Chunk],
    progress: bool = False,
) -> dict[str, Any]:
    """Averages the metrics over the answerable questions, overall and per part.

    Returns ``metrics`` (with ``parts``) and ``per_question`` rows.
    """
    answerable = [q for q in questions if is_answerable(q)]
    if answerable:
        retriever.search(answerable[0]["question"], DEPTH)  # warm-up: lazy loads, caches
    rows = []
    for question in tqdm(answerable, desc=retriever.name, disable=not progress, leave=False):
        started = time.perf_counter()
        passages = retriever.search(question["question"], DEPTH)
        elapsed = (time.perf_counter() - started) * 1000
        rows.append(
            {
                "id": question["id"],
                "question": question["question"],
                "doc": ",".join(question_docs(question)),
                "top": _top(passages),
                "ms": elapsed,
                "words": [len(p.text.split()) for p in passages],
                **question_metrics(passages, question, chunks),
            }
        )
    return {"metrics": summarize_by_part(rows), "per_question": rows}


def _top(passages: list[Passage]) -> list[str]:
    return [f"{p.doc} p.{p.chunk.pages}" for p in passages[:3]]


def markdown_table(results: dict[str, dict[str, Any]]) -> str:
    """One row per retriever, then one per retriever and part; one column per metric."""
    columns = [*METRICS, "avg_passage_words"]
    lines = [
        "| retriever | part | n | " + " | ".join(columns) + " |",
        "|---|---|---|" + "---|" * len(columns),
    ]
    rows = [(name, "all", metrics) for name, metrics in results.items()]
    rows += [
        (name, part, figures)
        for name, metrics in results.items()
        for part, figures in metrics.get("parts", {}).items()
    ]
    for name, part, metrics in rows:
        cells = [
            f"{metrics[c]:.1f}" if c.endswith(("_ms", "_words")) else f"{metrics[c]:.3f}"
            for c in columns
        ]
        lines.append(f"| {name} | {part} | {metrics.get('n', '')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def bar_chart(results: dict[str, dict[str, float]]) -> bytes:
    """A grouped bar chart of the quality metrics per retriever, as PNG."""
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
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=120)
    plt.close(fig)
    return png.getvalue()
