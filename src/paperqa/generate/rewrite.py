"""Follow-up questions in a chat, rewritten into standalone questions by cheap rules (no LLM call).

A question that leans on the conversation ("How deep was it?", "What dataset did that paper
use?", "What about the decoder?") gets the subject of the previous question: the reading-list
paper it named (by title or nickname, ``paperqa.mentions``), else its first named thing
(``Neural Turing Machine``), replaces only the words that refer back ("that paper", "it"); every
other word of the user's question is kept. When no subject can be found, the previous question is
appended as context, which still steers retrieval.

A question that is only a new subject ("What about AlexNet?", "And on CIFAR-10?") asks the
previous question of it: "What dropout rate did the Transformer use?" then "What about AlexNet?"
is "What dropout rate did the AlexNet use?", where the new subject takes the old one's place
(both papers, or both other names). One that names no paper or name ("And the learning rate?")
asks for that instead of what the previous question asked for: "What optimizer did ResNet use?"
then "And the learning rate?" is "What learning rate did ResNet use?", and so does a bare "How
many warmup steps?" ("How many warmup steps did the Transformer use?").

"Why?" ("And why?", "Why is that?") asks the reason for the previous answer's first sentence:
"Why is it that AlexNet trained on two GTX 580 3GB GPUs?".
"""

from __future__ import annotations

import re

from paperqa.generate.citations import strip_markers
from paperqa.generate.prompts import CHOSEN_PAPERS_REFUSAL_TEXT, REFUSAL_TEXT
from paperqa.mentions import mentions, nickname
from paperqa.readinglist import reading_list
from paperqa.text import STOPWORDS, split_sentences

_PAPER_REF = re.compile(
    r"\b(?:this|that|the same|the|same|their|its)\s+(?:paper|article|work|study|post|blog post)\b",
    re.IGNORECASE,
)
_THING_REF = re.compile(
    r"\b(?:this|that|the same)\s+(?:model|method|approach|architecture|network|technique|idea)\b",
    re.IGNORECASE,
)
_PRONOUN = re.compile(r"\b(it|its|they|them|their|this|that|these|those)\b", re.IGNORECASE)
_PERSONAL = frozenset({"it", "its", "they", "them", "their"})
# "is it necessary to ...", "it is common to ...": "it" that refers to nothing.
_DUMMY_IT = re.compile(r"\b(?:is|was)\s+it\s+\w+\s+to\b|\bit\s+(?:is|was)\s+\w+\s+to\b", re.I)
_FOLLOW_UP_START = re.compile(
    r"^\s*(?:and|also|so|then|what about|how about|why|and why|what else)\b", re.IGNORECASE
)
# Capitalised or alphanumeric names: "ResNet", "Neural Turing Machine", "XYZ-19", "GPipe".
_NAME = re.compile(
    r"\b(?:[A-Z][\w-]*[A-Z0-9][\w-]*|[A-Z][a-z]+(?:\s+[A-Z][\w-]*)+|[A-Z][a-z]{2,})\b"
)
_QUESTION_WORDS = frozenset(
    ["What", "How", "Why", "Which", "Who", "When", "Where", "Does", "Do", "Is", "Are", "Can", "In"]
)
# "What is dropout?", "Explain what complextropy is.": a question about a concept it names
# without "the" or a pronoun stands on its own, however short; "What is the decoder?" does not.
# Nor does one that asks which papers do something ("Which papers use dropout?").
_STANDS_ALONE = re.compile(
    r"^\s*(?:what\s+(?:is|are)|what's|explain\s+what|explain|define|describe)\s+"
    r"(?!(?:what|the|this|that|these|those|it|its|they|them|their)\b)\w"
    r"|^\s*(?:which|what)\s+(?:papers|posts|works|authors)\b",
    re.IGNORECASE,
)
# "What about AlexNet?", "And on CIFAR-10?", "Same for GPipe?": a new subject for the last question.
_NEW_SUBJECT = re.compile(
    r"^\s*(?:and\s+)?(?:(?:what|how)\s+about|same\s+for|and)\s+"
    r"(?:(?:for|in|on|with)\s+)?(?:the\s+)?(?P<subject>[^?.!]+?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
MAX_SUBJECT_WORDS = 4
# What a question asks for: the words between "what/which" (or "how many/much") and its verb
# ("What optimizer did ...", "How many GPUs were ..."), or after "what is the" up to "of/on/in"
# ("What is the top-5 error of ...", "What is the decoder?").
_ASKED_FOR = re.compile(
    r"^\s*(?:(?:what|which)\s+(?!is\b|was\b|are\b|were\b)|how\s+(?:many|much)\s+)"
    r"(?P<aspect>[\w-]+(?:\s+[\w-]+){0,2}?)\s+"
    r"(?P<rest>(?:did|does|do|is|was|were|are|has|have|had)\b.*)$"
    r"|^\s*what\s+(?:is|was|are|were)\s+the\s+(?P<noun>[\w-]+(?:\s+[\w-]+){0,2}?)"
    r"(?=\s+(?:of|on|in|for)\b|\s*[?.]?\s*$)",
    re.IGNORECASE,
)
# The verbs of a question that asks what something had or used, whose thing asked for another
# thing can take the place of: "What optimizer did ResNet use?", but not "What problem do
# residual connections solve?" (then "What about the decoder?" is no other problem).
_HAVING_VERB = re.compile(
    r"\b(?:use[sd]?|ha(?:ve|s|d)|reach(?:ed)?|achieved?|get|got|report(?:ed)?|train(?:ed)?"
    r"|employ(?:ed)?|adopt(?:ed)?|appl(?:y|ied)|set|cho(?:o)?se|need(?:ed)?|take|took)\b",
    re.IGNORECASE,
)
# Words that make a new "subject" something other than a thing asked for ("And why?", "And it?").
_NOT_ASPECT = frozenset(
    [
        "why",
        "how",
        "what",
        "when",
        "where",
        "who",
        "which",
        "it",
        "its",
        "they",
        "their",
        "this",
        "that",
        "these",
        "those",
        "also",
        "so",
        "then",
        "else",
    ]
)
# "Why?", "And why?", "Why is that?", "How come?": the reason for the previous answer.
_WHY_ALONE = re.compile(
    r"^\s*(?:(?:and|but|so)\s+)?(?:why(?:\s+(?:is|was)\s+(?:that|this|it)(?:\s+so)?|\s+so)?"
    r"|how\s+come|for\s+what\s+reason)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# An answer shorter than this ("Degradation.") states nothing a "why" can be asked of.
MIN_STATEMENT_WORDS = 4
# How the answers that state nothing begin: a refusal, of all papers or of the ones chosen.
_REFUSALS = (REFUSAL_TEXT, CHOSEN_PAPERS_REFUSAL_TEXT.split("{")[0])
# "How many steps?", "What learning rate schedule?": a thing asked for, with no verb or subject.
_BARE_ASK = re.compile(
    r"^\s*(?:and\s+)?(?P<wh>what|which|how\s+many|how\s+much)\s+"
    r"(?P<aspect>[\w-]+(?:\s+[\w-]+){0,3}?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_AUXILIARIES = frozenset(["is", "was", "are", "were", "did", "does", "do", "has", "have", "had"])
# The most of a previous question appended to a follow-up as its context.
MAX_CONTEXT_CHARS = 300
# Words that start a request, capitalised only because they start it ("Explain ...", "And ...").
_OPENING_WORDS = frozenset(["tell", "explain", "compare", "describe", "give", "list", "please"])


def rewrite_question(question: str, history: list[tuple[str, str]] | None = None) -> str:
    """A standalone form of ``question`` given earlier (question, answer) turns."""
    question = question.strip()
    if not history:
        return question
    previous = _standalone_previous(history)
    return _why_of(question, history[-1][1], previous) or _against(question, previous)


def _why_of(question: str, answer: str, previous: str) -> str | None:
    """ "Why?" (or "And why?", "Why is that?") asked of the previous answer's first sentence,
    when it states something: "Why is it that dropout is applied only to the non-recurrent
    connections?", an opening "It" or "They" being the previous question's subject. None for
    another question, or after a refusal or a one-word answer."""
    if not _WHY_ALONE.match(question) or answer.startswith(_REFUSALS):
        return None
    sentences = split_sentences(strip_markers(answer))
    first = sentences[0].rstrip(" .!?") if sentences else ""
    words = first.split()
    if len(words) < MIN_STATEMENT_WORDS:
        return None
    subject = _paper_title(previous) or _subject(previous)
    if subject and words[0].lower() in ("it", "they"):
        first = " ".join([subject, *words[1:]])
    elif words[0].lower() in STOPWORDS:  # "The ...": not a name
        first = first[0].lower() + first[1:]
    return f"Why is it that {first}?"


def _against(question: str, previous: str) -> str:
    """``question`` made standalone against ``previous``, itself a standalone question."""
    previous = _clip(previous)
    asked_again = _asked_of_new_subject(question, previous) or _bare_ask(question, previous)
    if asked_again:
        return asked_again
    # "And on Mandarin?" says nothing on its own, though it names something.
    if not (_is_follow_up(question) or _NEW_SUBJECT.match(question)):
        return question
    paper = _paper_title(previous)
    subject = paper or _subject(previous)
    if subject is None:
        return f"{question} (follow-up to: {previous})"
    rewritten = question
    if _PAPER_REF.search(rewritten):
        label = f"the paper {paper!r}" if paper else f"the {subject} paper"
        return _PAPER_REF.sub(label, rewritten, count=1)
    if _THING_REF.search(rewritten):
        return _THING_REF.sub(subject, rewritten, count=1)
    match = _PRONOUN.search(_DUMMY_IT.sub(lambda m: " " * len(m.group(0)), rewritten))
    if match and match.group(1).lower() in {"it", "they", "them", "this", "that", "these", "those"}:
        return rewritten[: match.start()] + subject + rewritten[match.end() :]
    if match:  # possessive: its/their
        return rewritten[: match.start()] + f"{subject}'s" + rewritten[match.end() :]
    return f"{question} (follow-up to: {previous})"


def _asked_of_new_subject(question: str, previous: str) -> str | None:
    """``previous`` with its subject replaced by the one ``question`` names ("What about
    AlexNet?"), when that is all it says and both subjects are papers, or neither is."""
    match = _NEW_SUBJECT.match(question)
    if not match or len(match.group("subject").split()) > MAX_SUBJECT_WORDS:
        return None
    new, old = match.group("subject"), _subject(previous)
    if _subject(new) is None:
        return _asked_for_instead(new, previous)
    if old is None:
        return None
    # The whole word the old subject starts: "ResNet-152", not "ResNet" of it.
    where = re.search(rf"(?<![\w-]){re.escape(old)}[\w-]*", previous)
    if where is None or bool(mentions(new)) != bool(mentions(previous)):
        return None
    if where.group(0).lower() == new.lower():
        return None
    return previous[: where.start()] + new + previous[where.end() :]


def _asked_for_instead(aspect: str, previous: str, wh: str = "What") -> str | None:
    """``previous`` asking for ``aspect`` ("the learning rate") instead of what it asked for
    ("What optimizer did ResNet use?": "What learning rate did ResNet use?"; ``wh`` "How many":
    "How many steps did ResNet use?"), or None when ``aspect`` is no plain noun phrase or
    ``previous`` has no such form."""
    words = aspect.split()
    if not words or any(w.lower() in _NOT_ASPECT for w in words):
        return None
    match = _ASKED_FOR.match(previous)
    if match is None:
        return None
    if match.group("noun"):
        if wh.lower() not in ("what", "which"):
            return None
        return previous[: match.start("noun")] + aspect + previous[match.end("noun") :]
    if not _HAVING_VERB.search(match.group("rest")):
        return None
    return f"{wh} {aspect} {match.group('rest')}"


def _bare_ask(question: str, previous: str) -> str | None:
    """``previous`` asking for what a question of only "what/which/how many" and a noun asks
    ("How many steps?" after "What optimizer did the Transformer use?": "How many steps did the
    Transformer use?"), where the noun names nothing of its own (``_asked_for_instead``)."""
    match = _BARE_ASK.match(question)
    if match is None or _subject(match.group("aspect")) is not None:
        return None
    words = match.group("aspect").split()
    if any(w.lower() in _AUXILIARIES for w in words):
        return None
    wh = " ".join(match.group("wh").split()).capitalize()
    return _asked_for_instead(" ".join(words), previous, wh)


def _standalone_previous(history: list[tuple[str, str]]) -> str:
    """The last question of ``history``, itself made standalone against the turns before it."""
    standalone = ""
    for asked, _answer in history:  # one pass: each turn against the one before it
        standalone = _against(asked.strip(), standalone) if standalone else asked.strip()
    return standalone


def _clip(previous: str) -> str:
    """A previous question short enough to append as context (earlier turns are not checked
    for length the way the question is)."""
    if len(previous) <= MAX_CONTEXT_CHARS:
        return previous
    return previous[:MAX_CONTEXT_CHARS].rsplit(" ", 1)[0] + "…"


def _is_follow_up(question: str) -> bool:
    explicit = _PAPER_REF.search(question) or _THING_REF.search(question)
    pronoun = _PRONOUN.search(_DUMMY_IT.sub("", question))
    if _paper_title(question) or _subject(question):
        # A question naming something leans on history only through references like "it".
        return bool(explicit or (pronoun and pronoun.group(1).lower() in _PERSONAL))
    # "Which optimizer?", "What dataset?": a short question leans on the one before it.
    short = len(question.split()) <= 4 and not _STANDS_ALONE.search(question)
    return bool(explicit or pronoun or _FOLLOW_UP_START.search(question) or short)


def _paper_title(text: str) -> str | None:
    """A reading-list title quoted in full in ``text``."""
    lowered = text.lower()
    for paper in reading_list():
        if paper.title.lower() in lowered:
            return paper.title
    return None


def _subject(text: str) -> str | None:
    """The paper ``text`` names (its nickname), else its first named thing that is not a
    sentence-initial question word: "residual nets ... on ImageNet" is about ResNet."""
    named = mentions(text)
    if named:
        first = named[0]
        own_name = not first.by_author and first.name[:1].isupper()
        return first.name if own_name else nickname(first.paper)
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        while words and _is_opening_word(words[0]):
            words = words[1:]
        if words:
            return " ".join(words)
    return None


def _is_opening_word(word: str) -> bool:
    """A question word or common word, not a name: "What", "And", "Also", "Explain"."""
    lowered = word.lower()
    return word in _QUESTION_WORDS or lowered in STOPWORDS or lowered in _OPENING_WORDS
