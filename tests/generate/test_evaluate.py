"""Answer metrics: answer keys, citation checks, and a small real run (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paperqa.generate.answer import REFUSAL_TEXT, Answer, QAEngine
from paperqa.generate.citations import Citation
from paperqa.generate.evaluate import (
    evaluate_answers,
    evaluate_evidence,
    holds_key,
    meets_key,
    report,
    score_answer,
)
from paperqa.settings import Settings
from paperqa.types import Chunk, Passage

# Invented text (the papers of the reading list must not be committed).
GOLD = Passage(Chunk(7, "paper-a", "Paper A", 3, 3, "We stack K = 7 gat-\ned blocks."), 0.9, 1)
OTHER = Passage(Chunk(8, "paper-b", "Paper B", 1, 1, "Unrelated text about seven things."), 0.5, 2)
ITEM = {
    "id": "x",
    "question": "How many blocks?",
    "doc": "paper-a",
    "answerable": True,
    "answers": ["K = 7 gated blocks"],
    "answer_key": [["7", "seven"], ["block"]],
}


def _answer(text: str, cited: list[Passage], refused: bool = False) -> Answer:
    citations = [
        Citation(i + 1, p.doc, p.chunk.title, None, p.chunk.pages, p.text, p.chunk.id)
        for i, p in enumerate(cited)
    ]
    timings = {"total_s": 2.0, "first_token_s": 1.0}
    return Answer("q", text, refused, citations, [GOLD, OTHER], timings, "m", "b", "q")


def test_answer_key_needs_every_group() -> None:
    assert meets_key("It has seven  Blocks.", ITEM["answer_key"])
    assert not meets_key("It has seven slots.", ITEM["answer_key"])


def test_holds_key_reads_text_as_the_pdf_breaks_it() -> None:
    assert holds_key(GOLD.text, [["K = 7", "seven"], ["gated blocks"]])
    assert not holds_key(GOLD.text, [["7"], ["mixer"]])


def test_score_answer_checks_citations_against_the_gold_passage() -> None:
    record = score_answer(_answer("The model has 7 blocks [1][2].", [GOLD, OTHER]), ITEM)
    assert record["correct"] and record["cites_gold"] and not record["refused"]
    assert [c["supports"] for c in record["citations"]] == [True, False]
    assert {"doc", "pages", "section", "quote"} <= set(record["citations"][0])  # what users read


def test_a_question_without_an_answerable_field_is_scored_as_retrieval_reads_it() -> None:
    unmarked = {k: v for k, v in ITEM.items() if k != "answerable"}  # a user's own question file
    record = score_answer(_answer("The model has 7 blocks [1].", [GOLD]), unmarked)
    assert record["answerable"] and record["correct"]


def test_markers_do_not_count_as_answer_content() -> None:
    record = score_answer(_answer("Blocks are stacked [7].", [GOLD]), ITEM)
    assert not record["correct"]


def test_refusal_of_an_unanswerable_question() -> None:
    item = {**ITEM, "doc": None, "answerable": False, "answers": [], "answer_key": []}
    record = score_answer(_answer(REFUSAL_TEXT, [], refused=True), item)
    assert record["refused"] and not record["correct"] and not record["cites_gold"]


TWO_PAPERS = {
    "id": "xd-1",
    "question": "How many blocks, and what else?",
    "docs": ["paper-a", "paper-b"],
    "answerable": True,
    "answers": {"paper-a": ["K = 7 gated blocks"], "paper-b": ["seven things"]},
    "answer_key": [["7"], ["things"]],
}


def test_two_paper_question_needs_every_gold_paper_cited() -> None:
    both = score_answer(_answer("7 blocks [1] and seven things [2].", [GOLD, OTHER]), TWO_PAPERS)
    assert both["cites_gold"] and both["correct"]
    assert [c["supports"] for c in both["citations"]] == [True, True]
    one = score_answer(_answer("7 blocks and things [1].", [GOLD]), TWO_PAPERS)
    assert not one["cites_gold"] and one["correct"]


def test_report_gives_every_figure_per_part_and_in_total() -> None:
    records = [
        score_answer(_answer("The model has 7 blocks [1].", [GOLD]), {**ITEM, "id": "dev-1"}),
        score_answer(_answer("Blocks [1].", [OTHER]), {**ITEM, "id": "d2-1"}),
        score_answer(_answer("7 blocks [1] and seven things [2].", [GOLD, OTHER]), TWO_PAPERS),
    ]
    result = report(records)
    assert set(result["parts"]) == {"dev", "d2", "xd"}
    assert result["answer_correct"] == round(2 / 3, 4)
    assert result["parts"]["dev"]["answer_correct"] == 1.0
    assert result["parts"]["d2"]["answer_correct"] == 0.0
    assert result["parts"]["d2"]["citation_precision"] == 0.0
    assert result["parts"]["xd"]["cites_gold"] == 1.0
    assert set(result["parts"]["dev"]) == set(result) - {"parts", "per_question"}


@pytest.mark.slow
def test_evaluate_answers_on_real_dev_questions(
    corpus_index: Settings, dev_questions: Path
) -> None:
    engine = QAEngine(corpus_index)
    questions = [
        json.loads(line) for line in dev_questions.read_text().splitlines() if line.strip()
    ]
    sample = [next(q for q in questions if q["answerable"])]
    sample.append(next(q for q in questions if not q["answerable"]))
    result = evaluate_answers(engine, sample, progress=False)
    assert result["n_questions"] == 2 and len(result["per_question"]) == 2
    first, second = result["per_question"]
    assert [first["id"], second["id"]] == [q["id"] for q in sample]
    # The answerable one is answered right, from its paper; the other is refused.
    assert not first["refused"] and first["correct"], first["answer"]
    assert sample[0]["doc"] in {c["doc"] for c in first["citations"]}, first["citations"]
    assert not second["answerable"] and second["refused"], "an unanswerable question was answered"
    assert result["answer_correct"] == 1.0
    assert result["cites_gold"] == 1.0
    assert result["false_refusal"] == 0.0
    assert result["refusal_correct"] == 1.0
    assert 0.0 < result["citation_precision"] <= 1.0  # a citation of the gold passage at least
    assert result["p50_s"] > 0 and result["ttft_p50_s"] > 0


@pytest.mark.slow
def test_evaluate_evidence_tells_a_prompt_that_holds_the_answer(corpus_index: Settings) -> None:
    engine = QAEngine(corpus_index)
    question = "How many layers does the Transformer encoder have?"
    held = {"id": "a-1", "question": question, "answer_key": [["N = 6"], ["identical layers"]]}
    missing = {"id": "b-1", "question": question, "answer_key": [["N = 6"], ["zqxv"]]}
    result = evaluate_evidence(engine, [held, missing, {**held, "answer_key": []}])
    assert [r["key_in_prompt"] for r in result["per_question"]] == [True, False]
    assert result["parts"]["a"]["key_in_prompt"] == 1.0
    absent = {"key_in_passages": 0.0, "key_in_prompt": 0.0}
    assert result["parts"]["b"] == {**result["parts"]["a"], **absent}
    tokens = result["per_question"][0]["prompt_tokens"]
    assert 100 < tokens <= corpus_index.evidence_tokens + 400  # the evidence, headers, system
