"""Answer-quality metrics over a question set (definitions: shared/eval/README.md).

``evaluate_answers`` asks every question through a ``QAEngine`` and scores the replies:
correctness against ``answer_key``, citations of the gold document, citation precision,
refusals, and latency.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np

from paperqa.generate.answer import Answer, QAEngine
from paperqa.generate.citations import strip_markers
from paperqa.text import occurs


def meets_key(answer: str, answer_key: list[list[str]]) -> bool:
    """Every group of alternatives has one alternative in the answer (case-insensitive)."""
    collapsed = re.sub(r"\s+", " ", answer).lower()
    return all(
        any(re.sub(r"\s+", " ", alt).lower() in collapsed for alt in group) for group in answer_key
    )


def score_answer(answer: Answer, item: dict[str, Any]) -> dict[str, Any]:
    """One question's record: correctness, citations checked against the gold document."""
    by_chunk = {p.chunk.id: p for p in answer.passages}
    checked = []
    for c in answer.citations:
        passage = by_chunk.get(c.chunk_id)
        supports = bool(
            item.get("doc")
            and c.doc == item["doc"]
            and passage is not None
            and any(occurs(a, passage.text) for a in item.get("answers", []))
        )
        checked.append({"doc": c.doc, "pages": c.pages, "supports": supports})
    answerable = bool(item.get("answerable"))
    text = strip_markers(answer.answer)
    return {
        "id": item.get("id"),
        "question": item["question"],
        "answerable": answerable,
        "answer": answer.answer,
        "refused": answer.refused,
        "correct": answerable
        and not answer.refused
        and meets_key(text, item.get("answer_key", [])),
        "cites_gold": answerable and any(c.doc == item.get("doc") for c in answer.citations),
        "citations": checked,
        "unsupported": answer.unsupported,
        "total_s": answer.timings.get("total_s", 0.0),
        "first_token_s": answer.timings.get("first_token_s", 0.0),
    }


def summarize(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The metrics of the README over per-question records."""
    answerable = [r for r in records if r["answerable"]]
    unanswerable = [r for r in records if not r["answerable"]]
    citations = [c for r in records for c in r["citations"]]

    def share(items: list[Any], flag: str) -> float | None:
        return round(sum(bool(i[flag]) for i in items) / len(items), 4) if items else None

    totals = [r["total_s"] for r in records]
    firsts = [r["first_token_s"] for r in records]
    return {
        "answer_correct": share(answerable, "correct"),
        "cites_gold": share(answerable, "cites_gold"),
        "citation_precision": share(citations, "supports"),
        "refusal_correct": share(unanswerable, "refused"),
        "false_refusal": share(answerable, "refused"),
        "p50_s": round(float(np.percentile(totals, 50)), 3) if totals else None,
        "p95_s": round(float(np.percentile(totals, 95)), 3) if totals else None,
        "ttft_p50_s": round(float(np.percentile(firsts, 50)), 3) if firsts else None,
        "n_questions": len(records),
        "n_citations": len(citations),
    }


def evaluate_answers(
    engine: QAEngine, questions: list[dict], limit: int | None = None, progress: bool = True
) -> dict:
    """Answer each question (the first ``limit``) and return the metrics plus ``per_question``."""
    selected = questions[:limit] if limit else questions
    records = []
    for i, item in enumerate(selected, start=1):
        record = score_answer(engine.ask(item["question"]), item)
        records.append(record)
        if progress:
            verdict = (
                ("refused" if record["refused"] else "ok" if record["correct"] else "wrong")
                if record["answerable"]
                else ("refused" if record["refused"] else "ANSWERED")
            )
            line = f"[{i}/{len(selected)}] {record['total_s']:.1f}s {verdict}"
            print(
                f"{line}: {item['question'][:60]}",
                file=sys.stderr,
                flush=True,
            )
    return {**summarize(records), "per_question": records}
