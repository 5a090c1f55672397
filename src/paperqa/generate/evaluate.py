"""Answer-quality metrics over a question set (definitions: shared/eval/README.md).

``evaluate_answers`` asks every question through a ``QAEngine`` and scores the replies:
correctness against ``answer_key``, citations of the gold document(s), citation precision,
refusals, and latency, in total and per part of the set (the id's prefix before the first ``-``).
``evaluate_evidence`` stops short of generating: it checks whether the answer is in the
retrieved passages and in the evidence quoted to the model, which tells a retrieval or evidence
miss from a misreading model in seconds.

Questions name one gold document (``doc``, evidence strings in a list) or several (``docs``,
evidence strings keyed by document); both kinds may be mixed in one file.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from paperqa.generate.answer import Answer, QAEngine
from paperqa.generate.citations import strip_markers
from paperqa.retrieve.evaluate import by_part, is_answerable
from paperqa.text import occurs


def meets_key(answer: str, answer_key: list[list[str]]) -> bool:
    """Every group of alternatives has one alternative in the answer (case-insensitive)."""
    collapsed = re.sub(r"\s+", " ", answer).lower()
    return all(
        any(re.sub(r"\s+", " ", alt).lower() in collapsed for alt in group) for group in answer_key
    )


def gold_evidence(item: dict[str, Any]) -> dict[str, list[str]]:
    """Evidence strings keyed by gold document, for ``doc`` and for ``docs`` questions alike."""
    if item.get("docs"):
        answers = item.get("answers") or {}
        if not isinstance(answers, dict):
            answers = {}
        return {d: list(answers.get(d, [])) for d in item["docs"]}
    if item.get("doc"):
        return {item["doc"]: list(item.get("answers") or [])}
    return {}


def score_answer(answer: Answer, item: dict[str, Any]) -> dict[str, Any]:
    """One question's record: correctness, citations checked against the gold document(s)."""
    evidence = gold_evidence(item)
    by_chunk = {p.chunk.id: p for p in answer.passages}
    checked = []
    for c in answer.citations:
        passage = by_chunk.get(c.chunk_id)
        supports = bool(
            c.doc in evidence
            and passage is not None
            and any(occurs(a, passage.text) for a in evidence[c.doc])
        )
        record = {"doc": c.doc, "pages": c.pages, "section": c.section, "quote": c.quote}
        checked.append({**record, "supports": supports})
    answerable = is_answerable(item)
    text = strip_markers(answer.answer)
    cited = {c.doc for c in answer.citations}
    return {
        "id": item.get("id"),
        "question": item["question"],
        "answerable": answerable,
        "answer": answer.answer,
        "refused": answer.refused,
        "correct": answerable
        and not answer.refused
        and meets_key(text, item.get("answer_key", [])),
        "cites_gold": answerable and bool(evidence) and set(evidence) <= cited,
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
    return report(records)


def holds_key(text: str, answer_key: list[list[str]]) -> bool:
    """Every group of alternatives has one alternative in ``text`` (normalised as for evidence
    strings, so PDF line breaks and spacing do not matter)."""
    return all(any(occurs(alt, text) for alt in group) for group in answer_key)


def evaluate_evidence(
    engine: QAEngine, questions: list[dict], limit: int | None = None
) -> dict[str, Any]:
    """Whether the answer can be read where the model looks, without generating: for each
    answerable question, does the retrieved text hold every ``answer_key`` group
    (``key_in_passages``), and does the evidence put in the prompt (``key_in_prompt``)? With the
    prompt's median length in tokens; in total and per part."""
    selected = [q for q in (questions[:limit] if limit else questions) if q.get("answer_key")]
    records = []
    for item in selected:
        prompt = engine.prompt(item["question"])
        passages = " ".join(p.text for p in prompt.passages)
        quoted = " ".join(e.text for e in prompt.evidence)
        records.append(
            {
                "id": item.get("id"),
                "key_in_passages": holds_key(passages, item["answer_key"]),
                "key_in_prompt": holds_key(quoted, item["answer_key"]),
                "prompt_tokens": prompt.tokens,
            }
        )
    return with_parts(records, _evidence_summary)


def _evidence_summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(records) or 1
    tokens = [r["prompt_tokens"] for r in records] or [0]
    return {
        "key_in_passages": round(sum(r["key_in_passages"] for r in records) / n, 4),
        "key_in_prompt": round(sum(r["key_in_prompt"] for r in records) / n, 4),
        "prompt_tokens_p50": int(np.percentile(tokens, 50)),
        "n_questions": len(records),
    }


def report(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Every metric in total, the same metrics per part (``parts``), and the records."""
    return with_parts(records, summarize)


def with_parts(
    records: list[dict[str, Any]], summary: Callable[[list[dict[str, Any]]], dict[str, Any]]
) -> dict[str, Any]:
    """``summary`` of all records, the same per part (``parts``), and the records themselves."""
    parts = {name: summary(items) for name, items in by_part(records).items()}
    return {**summary(records), "parts": parts, "per_question": records}
