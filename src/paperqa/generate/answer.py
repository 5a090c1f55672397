"""Question answering: retrieve passages, prompt the LLM, attribute citations, or refuse.

``QAEngine`` is the one entry point (CLI, web app, evaluation). It holds one index and one LLM
per process; several threads may call it at once (generation is serialised inside the LLM).

A question is refused with ``REFUSAL_TEXT`` (and the closest passages shown) when retrieval finds
nothing similar enough to it, when the model says the passages do not answer, or when no sentence
of the model's answer is supported by any passage.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from paperqa.errors import QuestionError
from paperqa.generate.citations import Citation, attribute
from paperqa.generate.prompts import (
    MODEL_REFUSAL,
    PASSAGE_TEMPLATE,
    REFUSAL_TEXT,
    SYSTEM_PROMPT,
    USER_TEMPLATE,
)
from paperqa.generate.rewrite import rewrite_question
from paperqa.settings import Settings
from paperqa.text import normalize, split_sentences, tokenize
from paperqa.types import Passage

if TYPE_CHECKING:
    from paperqa.generate.llm import LLM, Message
    from paperqa.retrieve import IndexStore

__all__ = ["REFUSAL_TEXT", "Answer", "Citation", "QAEngine", "build_messages", "is_refusal"]

# Cosine similarity (embedder) between the question and its closest passage below which the
# question is refused without asking the model. Set by measurement on the dev set.
MIN_RELEVANCE = 0.12
# A question naming something (LoRA, Mamba, FIFA) the indexed papers never mention is refused
# unless retrieval still finds a passage at least this similar.
UNKNOWN_NAME_MAX_RELEVANCE = 0.7
# Names: words with inner capitals or digits (LoRA, GPT-4, QM9), or capitalised words that do not
# start the sentence (Mamba, Kaplan).
_NAME_RE = re.compile(r"\b[A-Za-z]\w*(?:[A-Z]|\d)[\w-]*\b|(?<!^)(?<![.?!]\s)\b[A-Z][a-z][\w-]*")
# Tokens kept free besides the answer itself, for chat-template tokens the estimate misses.
CONTEXT_MARGIN = 32

_REFUSAL_RE = re.compile(
    r"don'?t answer|do(?:es)?(?: not|n'?t) (?:answer|contain|mention|provide|include|discuss|"
    r"specify|say|state|describe|address|cover)|no (?:information|mention|details?)\b|"
    r"not (?:mentioned|provided|specified|stated|discussed|covered|included|available)|"
    r"cannot (?:answer|be answered|determine|find)|can'?t (?:answer|determine|find)|unable to",
    re.IGNORECASE,
)


@dataclass
class Answer:
    """A reply: the answer text with [n] markers, its citations, and the passages it saw."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    passages: list[Passage]
    timings: dict[str, float]
    model: str
    backend: str
    standalone_question: str
    unsupported: list[str] = field(default_factory=list)  # answer sentences no passage supports

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [
                {
                    "marker": c.marker,
                    "doc": c.doc,
                    "title": c.title,
                    "year": c.year,
                    "pages": c.pages,
                    "quote": c.quote,
                }
                for c in self.citations
            ],
            "unsupported": self.unsupported,
            "passages": [
                {
                    "doc": p.doc,
                    "title": p.chunk.title,
                    "pages": p.chunk.pages,
                    "score": round(p.score, 6),
                    "text": p.text,
                }
                for p in self.passages
            ],
            "timings": {key: round(value, 3) for key, value in self.timings.items()},
            "model": self.model,
            "backend": self.backend,
        }


def is_refusal(text: str) -> bool:
    """Whether the model's reply says the passages do not answer (checked on its first sentence)."""
    text = text.strip()
    if not text:
        return True
    lowered = normalize(text)
    if any(normalize(r).rstrip(".") in lowered for r in (REFUSAL_TEXT, MODEL_REFUSAL)):
        return True
    first = split_sentences(text)[0]
    return bool(_REFUSAL_RE.search(first))


def passage_block(number: int, passage: Passage, text: str | None = None) -> str:
    chunk = passage.chunk
    pages = f"page {chunk.pages}" if chunk.page_start == chunk.page_end else f"pages {chunk.pages}"
    body = text if text is not None else passage.text
    body = re.sub(r"\s+", " ", re.sub(r"-\s*\n\s*", "", body)).strip()
    return PASSAGE_TEMPLATE.format(number=number, title=chunk.title, pages=pages, text=body)


def build_messages(
    question: str, passages: list[Passage], llm: LLM, max_new_tokens: int
) -> tuple[list[Message], list[Passage]]:
    """The chat messages, and the passages that fit the model's window with room for the answer.

    Passages are dropped from the weakest (last) up; if even the best one alone does not fit, its
    text is cut to what fits. Raises QuestionError when the question alone leaves no room.
    """
    budget = llm.n_ctx - max_new_tokens - CONTEXT_MARGIN

    def render(blocks: list[str]) -> list[Message]:
        user = USER_TEMPLATE.format(passages="\n\n".join(blocks), question=question)
        return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]

    used = list(passages)
    while used:
        messages = render([passage_block(i, p) for i, p in enumerate(used, start=1)])
        if llm.count_chat_tokens(messages) <= budget:
            return messages, used
        if len(used) == 1:
            break
        used.pop()
    if llm.count_chat_tokens(render([])) > budget:
        raise QuestionError(
            f"question too long for the model's {llm.n_ctx}-token context window; shorten it"
        )
    if not used:
        return render([]), []
    words = passages[0].text.split()
    low, high = 0, len(words)  # longest prefix of the best passage that fits
    while low < high:
        mid = (low + high + 1) // 2
        if (
            llm.count_chat_tokens(render([passage_block(1, used[0], " ".join(words[:mid]))]))
            <= budget
        ):
            low = mid
        else:
            high = mid - 1
    return render([passage_block(1, used[0], " ".join(words[:low]))]), used


@dataclass
class _Run:
    """One question on its way through ``QAEngine.stream``: its text and stage timings."""

    question: str
    start: float
    standalone: str = ""
    timings: dict[str, float] = field(default_factory=dict)


class QAEngine:
    """Answers questions over one index with one LLM; safe to share between threads."""

    def __init__(self, settings: Settings) -> None:
        from paperqa.retrieve import IndexStore

        self.settings = settings
        self.store: IndexStore = IndexStore.load(settings.index_dir)  # IndexMissingError early
        self._lock = threading.Lock()
        self._llm: LLM | None = None
        self._vocabulary: set[str] | None = None

    @property
    def llm(self) -> LLM:
        """The chat model, loaded on first use (ModelNotAvailableError if it cannot be)."""
        with self._lock:
            if self._llm is None:
                from paperqa.generate.llm import load_llm

                self._llm = load_llm(self.settings)
            return self._llm

    @property
    def embedder(self):  # -> paperqa.embedder.Embedder
        from paperqa.embedder import get_embedder

        return get_embedder(self.settings)

    def ask(self, question: str, **options: Any) -> Answer:
        """The final Answer of ``stream`` (text deltas discarded)."""
        for item in self.stream(question, **options):
            if isinstance(item, Answer):
                return item
        raise AssertionError("stream ended without an Answer")

    def stream(
        self,
        question: str,
        *,
        history: list[tuple[str, str]] | None = None,
        retriever: str | None = None,
        k: int | None = None,
        papers: list[str] | None = None,
    ) -> Iterator[str | Answer]:
        """Yield answer text deltas as the model writes them, then the final Answer."""
        run = _Run(question=self._check_question(question), start=time.perf_counter())
        self._check_papers(papers)
        run.standalone = rewrite_question(run.question, history)
        passages, vectors, best = self._retrieve(run, retriever, k, papers)
        unknown = self.unknown_names(run.standalone)
        if best < MIN_RELEVANCE or (unknown and best < UNKNOWN_NAME_MAX_RELEVANCE):
            yield REFUSAL_TEXT
            yield self._finish(run, REFUSAL_TEXT, True, passages)
            return
        llm = self.llm
        messages, used = build_messages(run.standalone, passages, llm, self.settings.max_new_tokens)
        pieces: list[str] = []
        generate_start = time.perf_counter()
        for delta in llm.stream_chat(messages, max_tokens=self.settings.max_new_tokens):
            run.timings.setdefault("first_token_s", time.perf_counter() - run.start)
            pieces.append(delta)
            yield delta
        raw = "".join(pieces).strip()
        run.timings["generate_s"] = time.perf_counter() - generate_start
        yield self._attributed(run, raw, used, vectors[: len(used)])

    def _retrieve(
        self, run: _Run, retriever: str | None, k: int | None, papers: list[str] | None
    ) -> tuple[list[Passage], np.ndarray, float]:
        """The passages, their vectors, and the best cosine similarity to the question."""
        from paperqa.retrieve import load_retriever

        searcher = load_retriever(self.settings, retriever, self.store)
        passages = searcher.search(run.standalone, k or self.settings.k, docs=papers or None)
        run.timings["retrieve_s"] = time.perf_counter() - run.start
        if not passages:
            return passages, np.zeros((0, 1), dtype=np.float32), 0.0
        vectors = self.embedder.encode_passages([p.text for p in passages])
        relevance = vectors @ self.embedder.encode_queries([run.standalone])[0]
        run.timings["relevance_s"] = time.perf_counter() - run.start - run.timings["retrieve_s"]
        return passages, vectors, float(relevance.max())

    def _attributed(self, run: _Run, raw: str, used: list[Passage], vectors: np.ndarray) -> Answer:
        """The final answer: the model's text with citations, or a refusal."""
        if is_refusal(raw):
            return self._finish(run, REFUSAL_TEXT, True, used)
        clock = time.perf_counter()
        years = {doc: info.get("year") for doc, info in self.store.documents.items()}
        attribution = attribute(
            raw,
            used,
            question=run.standalone,
            encoder=self.embedder,
            passage_vectors=vectors,
            years=years,
        )
        run.timings["attribute_s"] = time.perf_counter() - clock
        if not attribution.citations:
            return self._finish(run, REFUSAL_TEXT, True, used)
        return self._finish(
            run, attribution.text, False, used, attribution.citations, attribution.unsupported
        )

    def _finish(
        self,
        run: _Run,
        text: str,
        refused: bool,
        shown: list[Passage],
        citations: list[Citation] | None = None,
        unsupported: list[str] | None = None,
    ) -> Answer:
        run.timings.setdefault("first_token_s", time.perf_counter() - run.start)
        run.timings["total_s"] = time.perf_counter() - run.start
        return Answer(
            question=run.question,
            answer=text,
            refused=refused,
            citations=citations or [],
            passages=shown,
            timings=run.timings,
            model=self.settings.model,
            backend=self._backend_name(),
            standalone_question=run.standalone,
            unsupported=unsupported or [],
        )

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question that no indexed passage contains (by the BM25 tokenizer)."""
        with self._lock:
            if self._vocabulary is None:
                self._vocabulary = {t for tokens in self.store.bm25_tokens() for t in tokens}
        return [
            name
            for name in _NAME_RE.findall(question)
            if any(t not in self._vocabulary for t in tokenize(name))
        ]

    def _check_question(self, question: str) -> str:
        return self.settings.check_question(question)

    def _check_papers(self, papers: list[str] | None) -> None:
        unknown = sorted(set(papers or []) - set(self.store.documents))
        if unknown:
            raise QuestionError(f"unknown paper id(s) {', '.join(unknown)}; see `paperqa papers`")

    def _backend_name(self) -> str:
        if self._llm is not None:
            return self._llm.backend
        from paperqa.generate.llm import resolve_backend

        return resolve_backend(self.settings.backend)
