"""Question answering: retrieve passages, prompt the LLM, attribute citations, or refuse.

``QAEngine`` is the one entry point (CLI, web app, evaluation). It holds one index and one LLM
per process; several threads may call it at once (generation is serialised inside the LLM).

A question that asks two papers for a fact each is split into one question per paper
(``paperqa.generate.decompose``); each part is answered from its own paper's passages in a chat of
its own, and the parts' answers are attributed together.

A question that asks only who wrote the papers it names or when they appeared is answered from the
index's record of them, without the model (``paperqa.generate.bibliography``).

A question is refused with ``REFUSAL_TEXT`` (and the closest passages shown) when retrieval finds
nothing similar enough to it (decided before any prompt is built, so without loading the model),
when the model says the passages do not answer (asked again, where the question names its paper
as a text, without that name: ``without_the_text_named``), or when no sentence of the model's
answer is supported by any passage. An answer whose cited passages never mention a number the
question asks about ("1001-layer"), or whose cited papers' passages never mention a
name it asks about, or that cites neither the paper the question names nor a passage mentioning
it, answers a neighbouring question: it is refused with ``UNHELD_TEXT``, which says what they
lack. A reply that only restates the question gives way to the quoted sentence closest to it
(``paperqa.generate.replies``), or is refused where that sentence adds nothing either; one that
copies a quoted sentence without its bracketed detail ("(41 vs. 29)") gets it back
(``paperqa.generate.brackets``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from paperqa.errors import QuestionError
from paperqa.generate.bibliography import RecordAnswer, record_answer
from paperqa.generate.brackets import restore_brackets
from paperqa.generate.citations import (
    AnswerPart,
    Citation,
    attribute_parts,
    unheld_question_facts,
)
from paperqa.generate.comparison import Comparison
from paperqa.generate.decompose import PaperQuestion, split_by_paper
from paperqa.generate.evidence import (
    Evidence,
    echoes_instruction,
    instruction_sentences,
    select_evidence,
)
from paperqa.generate.prompts import (
    CHOSEN_PAPERS_REFUSAL_TEXT,
    LIST_HINT,
    MODEL_REFUSAL,
    NOT_INDEXED_TEXT,
    PART_NOT_FOUND_TEXT,
    PASSAGE_TEMPLATE,
    REFUSAL_TEXT,
    SYSTEM_PROMPT,
    UNHELD_TEXT,
    USER_TEMPLATE,
)
from paperqa.generate.replies import (
    denial_instead,
    gives_the_kind_asked,
    is_refusal,
    list_in_one_sentence,
    name_the_papers,
    quoted_instead,
    reason_instead,
    the_cell_asked,
    with_the_cell_asked,
    with_the_count_asked,
    with_the_named_rows_column,
    with_the_row_asked,
)
from paperqa.generate.rewrite import rewrite_question
from paperqa.mentions import (
    mentions,
    names_paper,
    nickname,
    shared_author_names,
    without_paper_names,
    without_the_text_named,
)
from paperqa.readinglist import papers_by_id
from paperqa.retrieve.named import named_papers
from paperqa.settings import Settings
from paperqa.text import (
    asks_for_gist,
    asks_for_list,
    asks_which_paper,
    display_text,
    split_sentences,
    tokenize,
)
from paperqa.types import Passage

if TYPE_CHECKING:
    from paperqa.generate.llm import LLM, Message
    from paperqa.retrieve import IndexStore

# The marks around the quoted passages (prompts.USER_TEMPLATE); in a passage they become « ».
_QUOTE_MARKS = re.compile(r"<{3,}|>{3,}")

__all__ = ["REFUSAL_TEXT", "Answer", "Citation", "QAEngine", "build_messages", "is_refusal"]

# Evidence budget of a prompt built outside an engine: the default of the setting.
EVIDENCE_TOKENS: int = Settings.model_fields["evidence_tokens"].default
# ... and this much more evidence per paper beyond the first (`paperqa eval evidence` on the
# two-paper dev questions: every fact of the answer key is in 7 of 12 prompts at the default
# budget, 9 of 12 at 700 tokens).
EXTRA_PAPER_SHARE = 0.4
# Names: words with inner capitals or digits (XyzNet, ABC-7, Q42), a name and its version in any
# case (gpt-3), or capitalised words that do not start the sentence (Mamba, Kaplan).
_NAME_RE = re.compile(
    r"\b[A-Za-z]\w*(?:[A-Z]|\d)[\w-]*\b|\b[A-Za-z]+-\d[\w.-]*\b|"
    r"(?<!^)(?<![.?!]\s)\b[A-Z][a-z][\w-]*"
)
# A model and its version ("gpt-3", "resnet-1001"): known only as a whole, not by its parts.
_VERSIONED_RE = re.compile(r"[a-z][a-z\d]*-\d[\d.]*[a-z]?")
# Tokens kept free besides the answer itself, for chat-template tokens the estimate misses.
CONTEXT_MARGIN = 32


@dataclass
class Answer:
    """A reply: the answer text with [n] markers, its citations, and the passages it saw."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    passages: list[Passage]
    timings: dict[str, float]
    model: str | None  # the model and backend that wrote it; None when none did (the record,
    backend: str | None  # a question refused before any prompt)
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
                    "section": c.section,
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


def _rows_of(vectors: np.ndarray, passages: list[Passage], used: list[Passage]) -> np.ndarray:
    """The rows of ``vectors`` (one per passage of ``passages``) that belong to ``used``."""
    index = {id(p): i for i, p in enumerate(passages)}
    return vectors[[index[id(p)] for p in used]]


def _asks_gist_it_found(part: _Part) -> bool:
    """Whether ``part`` asks what a paper is about and retrieval found its abstract, or found
    only passages of the papers it names: "What is the main idea?" of a chosen paper, or
    "Summarize the CS231n notes." (which have no abstract), shares few words with them, yet
    they answer it."""
    if not asks_for_gist(part.question) or not part.retrieved:
        return False
    if any(p.matched.is_abstract for p in part.retrieved):
        return True
    named = {m.paper for m in mentions(part.question)}
    return bool(named) and all(p.doc in named for p in part.retrieved)


def _short_title(title: str) -> str:
    """A paper's title without a trailing note in brackets ("(course notes, Modules 1-2)")."""
    return re.sub(r"\s*\([^()]*\)$", "", title)


def passage_block(number: int, passage: Passage, text: str | None = None) -> str:
    """A passage (or ``text``, its evidence) as the prompt quotes it, under its paper's short name:
    a reading-list paper's nickname, another paper's title up to any colon."""
    chunk = passage.chunk
    body = display_text(text if text is not None else passage.text)
    body = _QUOTE_MARKS.sub(lambda m: "«" if m[0][0] == "<" else "»", body)  # cannot end the quote
    return PASSAGE_TEMPLATE.format(number=number, name=nickname(chunk.doc, chunk.title), text=body)


def build_messages(
    question: str,
    passages: list[Passage],
    llm: LLM,
    max_new_tokens: int,
    evidence_tokens: int = EVIDENCE_TOKENS,
) -> tuple[list[Message], list[Passage]]:
    """The chat messages, and the passages whose evidence they quote (in prompt order)."""
    messages, evidence = build_prompt(question, passages, llm, max_new_tokens, evidence_tokens)
    return messages, [e.passage for e in evidence]


def chat_messages(question: str, evidence: list[Evidence]) -> list[Message]:
    """The system prompt, and the user message quoting ``evidence`` block by block
    (``passage_block``) before ``question``."""
    blocks = [passage_block(i, e.passage, e.text) for i, e in enumerate(evidence, start=1)]
    asked = f"{question}\n{LIST_HINT}" if asks_for_list(question) else question
    user = USER_TEMPLATE.format(passages="\n\n".join(blocks), question=asked)
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def build_prompt(
    question: str,
    passages: list[Passage],
    llm: LLM,
    max_new_tokens: int,
    evidence_tokens: int = EVIDENCE_TOKENS,
) -> tuple[list[Message], list[Evidence]]:
    """The chat messages, and the evidence of each passage they quote (in prompt order).

    The evidence is about ``evidence_tokens`` tokens of the passages' sentences that bear on the
    question, never more than the model's window leaves beside the answer. Raises QuestionError
    when the question alone leaves no room.
    """
    budget = llm.n_ctx - max_new_tokens - CONTEXT_MARGIN
    room = budget - llm.count_chat_tokens(chat_messages(question, []))
    if room <= 0:
        raise QuestionError(
            f"question too long for the model's {llm.n_ctx}-token context window; shorten it"
        )
    evidence = select_evidence(question, passages, min(room, evidence_tokens), llm.count_tokens)
    while evidence:
        messages = chat_messages(question, evidence)
        if llm.count_chat_tokens(messages) <= budget or len(evidence) == 1:
            break
        evidence.pop()  # the headers did not fit beside the sentences: drop the weakest block
    else:
        return chat_messages(question, []), []
    while llm.count_chat_tokens(messages) > budget:  # one block, still too long: cut its end
        words = evidence[0].text.split()
        evidence[0].text = " ".join(words[: max(1, len(words) * 3 // 4)])
        messages = chat_messages(question, evidence)
        if len(words) == 1:
            break
    return messages, evidence


@dataclass
class Prompt:
    """The chat(s) for one question (one per paper when it is split by paper), the evidence they
    quote, the passages retrieved, and the chats' length in model tokens."""

    chats: list[list[Message]]
    evidence: list[Evidence]
    passages: list[Passage]
    tokens: int


@dataclass
class _Part:
    """What one prompt to the model would ask, and all the relevance gates need to decide whether
    to ask it: its question, the passages retrieved for it, its evidence budget in tokens, and the
    paper it is limited to when the question was split."""

    question: str
    retrieved: list[Passage]
    evidence_tokens: int
    paper: str | None = None


@dataclass
class _Chat:
    """One prompt to the model: its messages and the evidence they quote."""

    messages: list[Message]
    evidence: list[Evidence]

    def asking(self, question: str) -> list[Message]:
        """The same evidence before another question."""
        return chat_messages(question, self.evidence)


@dataclass
class _Run:
    """One question on its way through ``QAEngine.stream``: its text and stage timings."""

    question: str
    start: float
    standalone: str = ""
    papers: list[str] | None = None  # the user's paper filter
    comparison: Comparison | None = None  # what a question comparing two papers compares
    authors: dict[str, str] = field(default_factory=dict)  # see ``QAEngine._resolved_authors``
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
        self._papers: dict[str, Passage] = {}  # each paper's whole text (``_whole_paper``)
        self._on_model_load: Callable[[], None] | None = None  # see warm_up

    @property
    def llm(self) -> LLM:
        """The chat model, loaded on first use (ModelNotAvailableError if it cannot be)."""
        with self._lock:
            if self._llm is None:
                from paperqa.generate.llm import load_llm

                self._llm = load_llm(self.settings)
            return self._llm

    @property
    def model_loaded(self) -> bool:
        """Whether the chat model is loaded already (``llm`` then returns at once)."""
        return self._llm is not None

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
        run.papers = papers
        run.standalone = rewrite_question(run.question, history)
        missing = self.not_indexed(run.standalone)
        if missing:
            yield missing
            yield self._finish(run, missing, True, [], by_model=False)
            return
        record = self._record_answer(run)
        if record is not None:
            yield record.answer
            yield record
            return
        passages, parts = self._parts(run, retriever, k, papers)
        vectors, on_topic = self._relevance(run, passages, parts)
        if not any(on_topic):
            refusal = self._refusal(run)
            yield refusal
            yield self._finish(run, refusal, True, passages, by_model=False)
            return
        answered: list[AnswerPart] = []
        used: list[Passage] = []
        unanswered: list[str] = []  # papers whose part of a split question finds no answer
        for part, chat in zip(parts, self._asked_chats(parts, on_topic), strict=True):
            raw, quoted = MODEL_REFUSAL, []
            if chat:
                if used:
                    yield "\n"
                raw = yield from self._reply(run, part.question, chat)
                quoted = [e.passage for e in chat.evidence]
                used += quoted
            evidence = [e.text for e in chat.evidence] if chat else []
            if not is_refusal(raw) and gives_the_kind_asked(part.question, raw, evidence):
                rows = _rows_of(vectors, passages, quoted)
                if asks_which_paper(part.question):  # the model points to passages, by number
                    titles = [self.store.documents[p.doc]["title"] for p in quoted]
                    papers = [(p.doc, _short_title(t)) for p, t in zip(quoted, titles, strict=True)]
                    raw = name_the_papers(raw, dict(enumerate(papers, start=1)))
                raw = with_the_cell_asked(raw, part.question, evidence)
                raw = with_the_row_asked(raw, part.question, evidence)
                raw = with_the_named_rows_column(raw, part.question, evidence)
                raw = with_the_count_asked(raw, part.question, evidence)
                text = self._part_answer(raw, part.paper)
                answered.append(AnswerPart(text, quoted, part.question, rows, run.authors))
            elif part.paper:
                unanswered.append(part.paper)
        yield self._closed(run, self._attributed(run, answered, used), answered, unanswered)

    def _reply(self, run: _Run, question: str, chat: _Chat) -> Generator[str, None, str]:
        """The model's reply to ``chat``, as it is written. A refusal is asked again without the
        words naming the paper asked of, which its passages seldom write: told "Glorp et al.'s
        2017 paper", the model refused with the answer in front of it. A refusal with the one table
        cell the question names in front of it is that cell (``the_cell_asked``)."""
        written = list_in_one_sentence((yield from self._generate(run, chat.messages)))
        raw = _in_the_passages_words(question, written, chat.evidence)
        plain = without_the_text_named(question)
        if is_refusal(raw) and plain != question:
            yield "\n"
            written = list_in_one_sentence((yield from self._generate(run, chat.asking(plain))))
            raw = _in_the_passages_words(question, written, chat.evidence)
        quoted = [e.text for e in chat.evidence]
        cell = the_cell_asked(question, quoted) if is_refusal(raw) else None
        if cell:
            yield f"\n{cell}"
            return cell
        return raw

    def _closed(
        self, run: _Run, answer: Answer, answered: list[AnswerPart], unanswered: list[str]
    ) -> Answer:
        """``answer`` with what is said after the parts: which paper of a split question found
        no answer, or which side of a comparison the two figures favour."""
        if answer.refused:
            return answer
        if unanswered:
            titles = [self.store.documents[paper]["title"] for paper in unanswered]
            answer.answer += "".join(" " + PART_NOT_FOUND_TEXT.format(title=t) for t in titles)
        elif run.comparison and len(answered) == 2:
            verdict = run.comparison.verdict((answered[0].answer, answered[1].answer))
            answer.answer += f" {verdict}" if verdict else ""
        return answer

    def _by_paper(
        self, run: _Run, split: list[PaperQuestion], retriever: str | None, k: int | None
    ) -> tuple[list[Passage], list[_Part]]:
        """A question split into one question per paper (``split_by_paper``): the passages of
        each part, searched in its paper only, and the parts, each to be asked of its own."""
        found = [self._retrieve(run, retriever, k, [p.paper], p.text) for p in split]
        budget = self.settings.evidence_tokens
        parts = [_Part(s.text, own, budget, s.paper) for s, own in zip(split, found, strict=True)]
        return [p for own in found for p in own], parts

    def _part_answer(self, raw: str, paper: str | None) -> str:
        """One chat's answer as a sentence; when the chat was one paper's part of a split
        question, headed by that paper's title unless it names the paper itself."""
        ended = raw.rstrip("\"'’”)").endswith((".", "?", "!")) or raw.endswith("]")
        text = raw if ended else raw + "."
        if paper is None or names_paper(text, paper):
            return text
        return f"{self.store.documents[paper]['title']}: {text}"

    def _generate(self, run: _Run, messages: list[Message]) -> Generator[str, None, str]:
        """Yield the model's text as it is written; return the whole of it."""
        pieces: list[str] = []
        generate_start = time.perf_counter()
        for delta in self.llm.stream_chat(messages, max_tokens=self.settings.max_new_tokens):
            run.timings.setdefault("first_token_s", time.perf_counter() - run.start)
            pieces.append(delta)
            yield delta
        run.timings["generate_s"] = (
            run.timings.get("generate_s", 0.0) + time.perf_counter() - generate_start
        )
        return "".join(pieces).strip()

    def prompt(
        self,
        question: str,
        *,
        retriever: str | None = None,
        k: int | None = None,
        papers: list[str] | None = None,
    ) -> Prompt:
        """What the model would be given for ``question`` (no history), without generating: for
        measuring whether the evidence holds the answer (``paperqa eval evidence``)."""
        run = _Run(question=self._check_question(question), start=time.perf_counter())
        self._check_papers(papers)
        run.standalone = run.question
        passages, parts = self._parts(run, retriever, k, papers)
        chats = [self._chat(part) for part in parts]
        evidence = [e for chat in chats for e in chat.evidence]
        tokens = sum(self.llm.count_chat_tokens(chat.messages) for chat in chats)
        return Prompt([chat.messages for chat in chats], evidence, passages, tokens)

    def _parts(
        self, run: _Run, retriever: str | None, k: int | None, papers: list[str] | None
    ) -> tuple[list[Passage], list[_Part]]:
        """The retrieved passages, and what to ask of them: the whole question, or one question
        per paper for a question that splits that way (``split_by_paper``). No model is needed
        yet: the gates decide on these which parts to build a prompt for (``_asked_chats``)."""
        if papers:
            split = []
        else:
            run.authors = self._resolved_authors(run.standalone)
            split = split_by_paper(run.standalone, self.store.documents, run.authors)
        if split:
            run.comparison = split[0].comparison
            return self._by_paper(run, split, retriever, k)
        passages = self._retrieve(run, retriever, k, papers)
        if not papers:
            passages = self._named_paper_first(run.standalone, passages, run.authors)
        budget = self._evidence_tokens(run.standalone)
        return passages, [_Part(run.standalone, passages, budget)]

    def _resolved_authors(self, question: str) -> dict[str, str]:
        """Author names that several indexed papers share, where the question names none of
        those papers, each taken to name the one whose passages match the question best:
        "Legg's measure and Aaronson's complextropy" asks Legg's thesis and the blog post where
        Aaronson defines complextropy, not his coffee automaton paper."""
        from paperqa.retrieve import load_retriever

        shared = shared_author_names(question)
        if not shared:
            return {}  # most questions: no need to look for the papers they name
        named = {m.paper for m in mentions(question)}
        resolved: dict[str, str] = {}
        for name, papers in shared.items():
            candidates = sorted(p for p in papers if p in self.store.documents)
            if not candidates or named & papers:
                continue  # "Krizhevsky, Sutskever and Hinton": the authors of a named paper
            searcher = load_retriever(self.settings, store=self.store, named_first=False)
            best = searcher.search(question, 1, docs=candidates)  # the retriever is cached
            if best:
                resolved[name] = best[0].doc
        return resolved

    def _named_paper_first(
        self, question: str, passages: list[Passage], authors: dict[str, str]
    ) -> list[Passage]:
        """For a question that names one paper (``authors``: as resolved for it), the same
        passages with all of that paper's before any other's, so the model reads it first:
        retrieval leads with its best two, and "How many heads does Transformer use?" was
        answered "32" from GPipe's Transformer, third, ahead of the paper's own "h = 8", fifth."""
        named = named_papers(question, self.store.documents, authors)
        if len(named) != 1:
            return passages
        return sorted(passages, key=lambda p: p.doc != named[0])  # stable: each keeps its order

    def _evidence_tokens(self, question: str) -> int:
        """The evidence budget of a whole question's prompt: more for one naming several papers."""
        extra = max(0, len(named_papers(question, self.store.documents)) - 1)
        return int(self.settings.evidence_tokens * (1 + EXTRA_PAPER_SHARE * extra))

    def _asked_chats(self, parts: list[_Part], on_topic: list[bool]) -> list[_Chat | None]:
        """The prompt of each part the gates let through (None for the others), all built before
        the model writes: a question the gates refuse never loads the model."""
        self._load_left_model()
        return [
            self._chat(part) if asked else None for part, asked in zip(parts, on_topic, strict=True)
        ]

    def _chat(self, part: _Part) -> _Chat:
        """The prompt for ``part``; measuring it loads the model, whose tokenizer counts it."""
        budget = part.evidence_tokens
        messages, evidence = build_prompt(
            part.question, part.retrieved, self.llm, self.settings.max_new_tokens, budget
        )
        return _Chat(messages, evidence)

    def warm_up(self, on_model_load: Callable[[], None] | None = None) -> None:
        """Load the retriever, embedder and LLM, and run the fixed system prompt through the LLM
        once, so the first question neither loads anything nor re-reads the cached prefix.

        The model loads and reads the system prompt in a second thread while the retriever and
        embedder load here (importing torch and sentence-transformers takes seconds), so a cold
        start waits for the slower of the two, not for both. A model whose files are missing fails
        before either starts.

        With ``on_model_load`` (`paperqa ask`, whose one question the gates may refuse) the model
        is left to the first question they let through, which calls ``on_model_load`` and then
        loads it and reads the system prompt; a question they refuse never loads it.
        """
        from paperqa.generate.llm import locate_model

        if self._llm is None and on_model_load is not None:
            self._on_model_load = on_model_load
            self._warm_search()
            return
        if self._llm is None:
            locate_model(self.settings)

        with ThreadPoolExecutor(max_workers=1) as pool:
            model_ready = pool.submit(self._read_system_prompt)
            self._warm_search()
            model_ready.result()  # a model that cannot load raises here

    def _warm_search(self) -> None:
        """Load the retriever and the embedder."""
        from paperqa.retrieve import load_retriever

        load_retriever(self.settings, None, self.store).search("warm up", 1)
        self.embedder.encode_queries(["warm up"])

    def _load_left_model(self) -> None:
        """Load the model ``warm_up(on_model_load)`` left to the first question that needs it."""
        on_model_load, self._on_model_load = self._on_model_load, None
        if on_model_load is not None and self._llm is None:
            on_model_load()
            self._read_system_prompt()

    def _read_system_prompt(self) -> None:
        user = USER_TEMPLATE.format(passages="", question="Warm up.")
        self.llm.warm(
            [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]
        )

    def not_indexed(self, question: str) -> str | None:
        """What to say when the question names reading-list papers the index lacks (and no
        indexed one): that they are on the list, and how to add them. None otherwise."""
        named = mentions(question)
        missing = [m.paper for m in named if m.paper not in self.store.documents]
        if not missing or len(missing) < len(named):
            return None
        listed = papers_by_id()
        names = " and ".join(
            f"'{listed[p].title}' ({listed[p].short_authors}, {listed[p].year})" for p in missing
        )
        plural = len(missing) > 1
        return NOT_INDEXED_TEXT.format(
            names=names, verb="are" if plural else "is", pronoun="them" if plural else "it"
        )

    def answered_without_model(self, question: str) -> bool:
        """Whether the question is answered from the reading list or the index's record of the
        papers (``not_indexed``, ``paperqa.generate.bibliography``): no model is needed."""
        return bool(self.not_indexed(question) or self._record(question, None))

    def _record(self, question: str, papers: list[str] | None) -> RecordAnswer | None:
        record = record_answer(question, self.store.documents, self.store.chunks, papers)
        if record is None or self.unknown_names(question):  # "...AlexNet and VGG?": no VGG here
            return None
        return record

    def _record_answer(self, run: _Run) -> Answer | None:
        """The answer to a question about who wrote a paper or when, from the index's record."""
        record = self._record(run.standalone, run.papers)
        if record is None:
            return None
        run.timings["first_token_s"] = time.perf_counter() - run.start
        return self._finish(
            run, record.text, False, record.passages, record.citations, by_model=False
        )

    def _off_topic(self, question: str, best: float, one_paper_part: bool = False) -> bool:
        """Whether retrieval found nothing close enough to the question to ask the model.

        One paper's part of a split question ("..., and which optimizer did Bahdanau et al.
        use?") is searched in the paper the user named, so it is not held to ``min_relevance``
        (set on whole questions; a part's words are fewer): the model reads that paper's passages.
        """
        if best < self.settings.min_relevance and not one_paper_part:
            return True
        limit = self.settings.unknown_name_max_relevance
        return bool(self.unknown_names(question)) and best < limit

    def _retrieve(
        self,
        run: _Run,
        retriever: str | None,
        k: int | None,
        papers: list[str] | None,
        query: str | None = None,
    ) -> list[Passage]:
        """The passages for ``query`` (default: the question), the papers it names first
        (``paperqa.retrieve.named``) unless ``papers`` limits the search."""
        from paperqa.retrieve import load_retriever

        query = query or run.standalone
        searcher = load_retriever(self.settings, retriever, self.store)
        passages = searcher.search(query, k or self.settings.k, docs=papers or None)
        run.timings["retrieve_s"] = time.perf_counter() - run.start
        return passages

    def _relevance(
        self, run: _Run, passages: list[Passage], parts: list[_Part]
    ) -> tuple[np.ndarray, list[bool]]:
        """The passages' vectors, and for each part whether retrieval found anything close enough
        to its question to ask the model (``_off_topic``)."""
        if not passages:
            return np.zeros((0, 1), dtype=np.float32), [False] * len(parts)
        # The chunks that matched, not their widened context: the gates were set on chunks.
        vectors = self.embedder.encode_passages([p.matched.text for p in passages])
        # Each question also without the papers' names: a name the passages never write
        # ("CS231n") must not make a question on the paper seem off-topic.
        asked = [(part.question, without_paper_names(part.question)) for part in parts]
        queries = self.embedder.encode_queries([text for pair in asked for text in pair])
        on_topic = []
        for i, part in enumerate(parts):
            relevance = _rows_of(vectors, passages, part.retrieved) @ queries[2 * i : 2 * i + 2].T
            best = float(relevance.max(initial=-1.0))
            own_paper = part.paper is not None or _asks_gist_it_found(part)
            on_topic.append(not self._off_topic(part.question, best, own_paper))
        run.timings["relevance_s"] = time.perf_counter() - run.start - run.timings["retrieve_s"]
        return vectors, on_topic

    def _attributed(self, run: _Run, answered: list[AnswerPart], used: list[Passage]) -> Answer:
        """The final answer: the model's text (one part per chat that did not refuse) with
        citations, or a refusal.

        Sentences are attributed against the whole retrieved passages: on the dev set this cited
        the supporting passage more often than attributing against the quoted sentences alone.

        Sentences that carry out an instruction found inside a passage ("reply only with X") are
        not answers: they are dropped and listed as unsupported; if nothing else is left, the
        question is refused.
        """
        instructions = instruction_sentences(used)
        followed: list[str] = []
        kept = []
        for part in answered:
            sentences = split_sentences(part.answer)
            echoes = [s for s in sentences if echoes_instruction(s, instructions, run.standalone)]
            followed += echoes
            if len(echoes) < len(sentences):
                text = " ".join(s for s in sentences if s not in echoes) if echoes else part.answer
                kept.append(replace(part, answer=text))
        if not kept:
            return self._finish(run, self._refusal(run), True, used, unsupported=followed)
        clock = time.perf_counter()
        years = {doc: info.get("year") for doc, info in self.store.documents.items()}
        attribution = attribute_parts(kept, encoder=self.embedder, years=years)
        run.timings["attribute_s"] = time.perf_counter() - clock
        unsupported = followed + attribution.unsupported
        if not attribution.citations:
            return self._finish(run, self._refusal(run), True, used, unsupported=unsupported)
        unheld = self._unheld(run, kept, attribution.citations, used)
        if unheld:
            names = " or ".join(f'"{name}"' for name in unheld)
            text = UNHELD_TEXT.format(refusal=self._refusal(run), names=names)
            dropped = [s.sentence for s in attribution.sentences]
            return self._finish(run, text, True, used, unsupported=followed + dropped)
        text = attribution.text
        if asks_which_paper(run.standalone):  # "The paper introduced X [1]."
            cited = {c.marker: (c.doc, _short_title(c.title)) for c in attribution.citations}
            text = name_the_papers(text, cited)
        return self._finish(run, text, False, used, attribution.citations, unsupported)

    @staticmethod
    def _refusal(run: _Run) -> str:
        """The refusal: of the whole collection, or of the papers the user chose."""
        if not run.papers:
            return REFUSAL_TEXT
        return CHOSEN_PAPERS_REFUSAL_TEXT.format(papers=", ".join(run.papers))

    def _unheld(
        self, run: _Run, kept: list[AnswerPart], citations: list[Citation], used: list[Passage]
    ) -> list[str]:
        """The numbers the question asks about that no cited passage mentions, and the names (and
        uncited papers) that no quoted passage of a cited paper mentions; a paper named by an
        author may be mentioned anywhere in a cited paper (``unheld_question_facts``). A question
        split by paper is left alone: its lead sentences name things of the other paper."""
        if len(kept) != 1 or kept[0].question != run.standalone:
            return []
        cited_ids = {c.chunk_id for c in citations}
        cited_docs = sorted({c.doc for c in citations})
        cited = [p for p in used if p.chunk.id in cited_ids]
        context = [p for p in used if p.doc in cited_docs]
        papers = [self._whole_paper(doc) for doc in cited_docs]
        fronts = [p for doc in cited_docs if (p := self._title_page(doc))]
        return unheld_question_facts(run.standalone, cited, context, papers, fronts)

    def _title_page(self, doc: str) -> Passage | None:
        """The paper's first chunk when it is its title page (no heading of its own, the abstract
        next): title, authors and their affiliations."""
        own = (c for c in self.store.chunks if c.doc == doc)
        first, second = next(own, None), next(own, None)
        if first is None or second is None or first.section or second.section.lower() != "abstract":
            return None
        return Passage(first, 0.0)

    def _whole_paper(self, doc: str) -> Passage:
        """One passage holding all of the paper's text (its chunks, overlaps and all)."""
        if doc not in self._papers:  # two threads at once both build it: no harm
            chunks = [c for c in self.store.chunks if c.doc == doc]
            text = "\n".join(c.text for c in chunks)
            whole = replace(chunks[0], id=-1, text=text, page_end=chunks[-1].page_end)
            self._papers[doc] = Passage(whole, 0.0)
        return self._papers[doc]

    def _finish(
        self,
        run: _Run,
        text: str,
        refused: bool,
        shown: list[Passage],
        citations: list[Citation] | None = None,
        unsupported: list[str] | None = None,
        by_model: bool = True,
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
            model=self.settings.model if by_model else None,
            backend=self._backend_name() if by_model else None,
            standalone_question=run.standalone,
            unsupported=unsupported or [],
        )

    def unknown_names(self, question: str) -> list[str]:
        """Names in the question that no indexed passage contains (by the BM25 tokenizer). A
        hyphenated name is known by its parts ("LaTeX-trained" where "LaTeX" is), but a versioned
        one only as a whole: "GPT-2" does not make "GPT-3" known. A name of an indexed paper is
        known though its passages never write it ("Colah's post": the handle of its site)."""
        with self._lock:
            if self._vocabulary is None:
                self._vocabulary = {t for tokens in self.store.bm25_tokens() for t in tokens}
        papers = {m.name for m in mentions(question) if m.paper in self.store.documents}
        return [
            name
            for name in _NAME_RE.findall(question)
            if name not in papers
            and any(
                t not in self._vocabulary
                for t in tokenize(name)
                if "-" not in t or _VERSIONED_RE.fullmatch(t)
            )
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

        return resolve_backend(self.settings.backend, self.settings.model)


def _in_the_passages_words(question: str, raw: str, evidence: list[Evidence]) -> str:
    """The model's reply with what the quoted passages say put in where it falls short: the
    closest quoted sentence for a restatement of the question, for a bare "Yes" that the passage
    plays down, or for a reply to "why" that gives no reason, and a bracket the reply dropped
    from a sentence it copied."""
    raw = quoted_instead(question, raw, evidence)
    raw = denial_instead(question, raw, evidence)
    raw = reason_instead(question, raw, evidence)
    return restore_brackets(raw, [e.text for e in evidence])
