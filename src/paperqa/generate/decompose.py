"""Splitting a two-paper question into one question per paper.

"How many warmup steps did the Transformer use, and how long was the warmup in Kaplan et al.?" asks
two papers for one fact each. The 1.5B model, given both papers' evidence at once, often answers
one half and misreads or invents the other; given one half and one paper's evidence, it answers as
well as it does a single-paper question. ``split_by_paper`` finds where the question's last
sentence turns to the second paper (", and what ...", "; how ...", ", and according to ...", ", and
up to how many ...") and returns the two halves, each with the paper it asks about. Sentences
before the last one usually introduce the first paper ("X uses GRUs. How many hidden units does it
have, and ...?", as does a clause before a dash: "A and B both use dropout — what rate ...?"), so
they stay with the first half; "which one" in the second half is what the first asks for. A second
half that asks nothing of its own ("..., and what did B use?", "how many did B use?") asks what the
first half asks, of B, as does one asking "what did S get?" of a subject S of its own, and "on the
same benchmark" is the one the first half names ("on Glorp-QA"). A first half that states what its
paper gives ("A reports a score on X; what does B reach?") asks for it; halves that still do not
stand alone (no question, or "it" pointing back into the first) leave the question whole for
each paper, as below.
A question that asks the same of both papers ("A and B both learn their prior. What form does it
take in each?", "What dropout rate does each use?") is asked of each paper by its name, after the
lead sentences. A question that sets a measure of the first paper beside one of the second ("How
long did A train, compared with the training time of B?") asks for the second as "What was the
training time of B?", and "How did the X of A compare with that of B?" (or "Compare A's X with
the X of B.") asks each for its X. A
comparison ("Which is deeper, A or B?", ``paperqa.generate.comparison``)
asks each paper for its measure. Two papers named side by side ("What optimizer did A and B use?",
"Compare the X of A and B.") are each asked the question with the pair replaced by its name
(a thing of the second's, "A and B's Y", asked of the second alone), and a
question asked again of the second paper by its name alone ("What dropout did A use, and B?", "...
A use? And B?") is asked of each. A question naming two papers in none of these forms that asks two
things or sets two side by side ("Which of A and B used dropout?", "A vs. B, on dropout: which
relied on it more?") is asked whole of each paper, for its part only; one about the two together
("the difference between A and B") is not split, nor is a question that names other than two
papers. An author's name that several papers share ("Aaronson") names the one the caller chose for
it (``authors``), and none otherwise.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from paperqa.generate.comparison import Comparison, parse_comparison
from paperqa.mentions import Mention, mentions, names_paper, nickname, without_paper_names
from paperqa.text import split_sentences, tokenize

# The words a question (or its next part) opens with.
_WH_WORD = r"(?:what|how|which|who|whom|whose|where|when|why)\b"
# A dash before the question proper: "A and B both use dropout — what rate does each use?"
_DASH_RE = re.compile(rf"\s+(?:[—–]|--?)\s+(?={_WH_WORD})", re.IGNORECASE)
# Words that set two things side by side or ask a second one: ", and", " or ", "vs.", "? And".
_TWO_ASKS_RE = re.compile(r"\s(?:and|or|vs\.?|versus|compared)\s|[?;—–]\s+\S|\s-\s", re.IGNORECASE)
# "Which results compare A and B?", "the gap between A and B": one thing asked of the two.
_ASKED_TOGETHER_RE = re.compile(r"\b(?:compares?|between|among)\b", re.IGNORECASE)
# "..., and how about X?", and the first half it asks again of X: "How many layers does A have"
_ABOUT_RE = re.compile(r"(?:how|what)\s+about\s+(?P<what>.+?)\s*\??", re.IGNORECASE)
_ASKED_OF_RE = re.compile(
    r"(?P<stem>how\s+(?:many|much)\s+[\w-]+(?:\s+[\w-]+)?|how\s+[\w-]+|(?:what|which)\s+[\w-]+"
    r"(?:\s+[\w-]+)?)\s+(?P<aux>does|did|do|is|was|are|were)\s+\S.*?"
    r"(?:\s+(?P<verb>have|has|had|use|uses|used|reach|reached|get|got|take|took|train|need))?",
    re.IGNORECASE,
)
# A sentence that asks: a question word anywhere, or an auxiliary verb first ("Did A use ...?").
_QUESTION_RE = re.compile(
    rf"\b{_WH_WORD}|^(?:is|are|was|were|do|does|did|has|have|had|can|could|would|will)\b",
    re.IGNORECASE,
)
# A second half's word that points back into the first: "how many parameters does it have?"
# ("they" is more often the half's own subject: "what do A add to the weights ... they hold?")
_POINTS_BACK_RE = re.compile(r"\bit\b", re.IGNORECASE)
# A statement of what a paper gives, and the plain form of its verb: "A reports a score on X".
_STATING_VERBS = {
    "reports": "report",
    "uses": "use",
    "gives": "give",
    "reaches": "reach",
    "achieves": "achieve",
    "obtains": "obtain",
    "gets": "get",
    "trains": "train",
    "proposes": "propose",
    "introduces": "introduce",
}
_STATED_RE = re.compile(
    rf"(?P<subject>[^,;]+?)\s+(?P<verb>{'|'.join(_STATING_VERBS)})\s+(?:an?|the|its|their)\s+"
    r"(?P<thing>[^,;]+?)\s*[?.]?",
    re.IGNORECASE,
)
# "How did the error of A in 2012 compare with that of B?", "How does A's X compare to B's?"
_HOW_COMPARE_RE = re.compile(
    r"how\s+(?P<aux>did|does|do)\s+(?P<first>.+?)\s+compare\s+(?:with|to|against)\s+"
    r"(?P<second>.+?)\s*\?",
    re.IGNORECASE,
)
# "Compare A's top-5 error with the top-5 error of B.": the same, asked as a command.
_COMPARE_WITH_RE = re.compile(
    r"compare\s+(?P<first>.+?)\s+(?:with|to|against)\s+(?P<second>.+?)\s*[.?!]?",
    re.IGNORECASE,
)
# "that of B", "the one trained in B": the first side's thing, of the second paper; and the
# first side's thing itself, before the word that joins it to its paper ("the error of A").
_OF = r"(?:of|in|for|from)"
_THAT_OF_RE = re.compile(
    rf"(?:(?P<that>that|those)\s+(?={_OF}\s)|(?=the\s+ones?\b))", re.IGNORECASE
)
_THING_OF_RE = re.compile(rf"(?P<what>.+?)\s+(?P<prep>{_OF})\s")
# A second half asking the first half's thing of a subject of its own: "..., and what did the
# 1001-layer net in B get?" asks "What CIFAR-10 error did the 1001-layer net in B get?".
_AGAIN_RE = re.compile(
    r"(?P<wh>what|which)\s+(?P<aux>did|does|do|was|were|is|are)\s+(?P<subject>.+?)\s+"
    r"(?P<verb>[a-z]+)\s*\??",
    re.IGNORECASE,
)
# "which one(s)" in a second half, and the thing a first half asks for: "Which optimizer did ..."
_ONE_RE = re.compile(r"(?P<which>which|what)\s+ones?\b", re.IGNORECASE)
_ASKED_THING_RE = re.compile(
    r"(?:which|what)\s+(?P<thing>[\w-]+(?:\s+[\w-]+){0,3}?)\s+"
    r"(?:did|does|do|is|was|are|were|has|had|have)\b",
    re.IGNORECASE,
)
# Where a question turns to its next part: ", and what/how/which/... " or "; ".
_TURN_RE = re.compile(
    r",?\s+and\s+(?=according\s+to\b|(?:(?:at|by|for|from|in|into|of|on|over|to|under|with"
    rf"|up\s+to)\s+)?{_WH_WORD})|;\s+",
    re.IGNORECASE,
)
# "..., compared with the training time of B?": a measure of the second paper set beside the
# first's. Only a measure named with "of/in/for/on/by": "compared with VGG" names no question.
_COMPARED_RE = re.compile(
    r",?\s+(?:compared|as\s+compared)\s+(?:with|to)\s+(?=the\s+[\w\s-]+?\s(?:of|in|for|on|by)\s)",
    re.IGNORECASE,
)
_PAST_RE = re.compile(r"\b(?:did|was|were|had)\b", re.IGNORECASE)
# A last sentence that asks the same of both papers: "... in each?", "... for both papers?",
# "What rate does each use?", "What do both report?".
_EACH_RE = re.compile(
    r"\b(?P<prep>in|for|of|from|by|with)\s+(?:each|both)(?:\s+(?:of\s+(?:them|the\s+two"
    r"(?:\s+\w+)?)|papers?|models?|networks?|cases?|one))?(?=\s*[?.,;:]|\s*$)"
    r"|\b(?P<aux>do|does|did)\s+(?:each|both)(?:\s+of\s+them)?\b",
    re.IGNORECASE,
)


# A paper pointed to by the order the question named it in: "the first paper's", "the latter".
_ORDINAL_RE = re.compile(
    r"\bthe\s+(?:(?P<which>first|second)\s+(?:paper|one|work|article)|(?P<which2>former|latter))"
    r"\b(?P<own>['’]s)?",
    re.IGNORECASE,
)
# Two papers named side by side: "A and B", "A and by B", "A or B", "A vs. B".
# "A's and B's rates": the first's possessive goes, the second's stays with the rest.
_JOINT_RE = re.compile(
    r"(?:['’]s)?\s*,?\s+(?:and|or|vs\.?|versus)\s+(?:(?:by|in|for|of|from|with|on|to)\s+)?"
    r"(?P<det>the\s+)?",
    re.IGNORECASE,
)
# "B's Glorp classifier" after "A and": a thing of the second paper's, up to a preposition,
# a clause or the end.
_OWNED_RE = re.compile(
    r"['’]s\s+[^,.;:?!]*?(?=\s+(?:in|on|for|with|at|from|by|during|when|and|or)\b|[,.;:?!]|$)",
    re.IGNORECASE,
)
# "..., respectively": said of a pair, not of one of its papers.
_RESPECTIVELY_RE = re.compile(r",?\s+respectively\b", re.IGNORECASE)
_BEFORE_PAIR_RE = re.compile(
    r"(?:\b(?P<both>both|either|each\s+of)\s+)?(?P<det>\bthe\s+)?$", re.IGNORECASE
)
# "the difference between A and B" and "results that compare A and B" ask one thing of the two
# together, and "Which of A and B ...?", "Which paper, A or B, ...?" which one it is.
_TOGETHER_RE = re.compile(
    r"(?:\b(?:between|among|compar\w*)|^(?:which|who|what)(?:\s+\w+)?\s*(?:,|\bof))\s+(?:both\s+)?"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)
# "Do A and B use the same retriever?", "What do A and B have in common?": the pair together.
_JOINTLY_RE = re.compile(
    r"\b(?:same|similar\w*|common|together|differ\w*|difference|each other|one another|"
    r"jointly|combined?|both of them)\b",
    re.IGNORECASE,
)
# "Compare the dropout rates of A and B." asks "What are the dropout rates of A and B?".
_COMPARE_RE = re.compile(r"^compare\s+(?P<what>.+?)\s*[.?!]?$", re.IGNORECASE)
# "How do A and B differ in their schedules?" asks "What are the schedules of A and B?".
_DIFFER_RE = re.compile(
    r"^how\s+(?:do|did|does)\s+(?P<pair>.+?)\s+differ\s+(?:in|on)\s+(?:their\s+|the\s+)?"
    r"(?P<what>.+?)\s*\?$",
    re.IGNORECASE,
)
# "..., and B?", "And B?", "What about B?": the question before asked again of B.
_ELLIPSIS_RE = re.compile(
    r"(?:^|,\s*)(?:and|what\s+about|how\s+about)\s+(?:(?:for|in|of|with|by)\s+)?"
    r"(?P<other>[^,?]+?)\s*\?$",
    re.IGNORECASE,
)
# "..., and what does B reach on the same benchmark?": what the first half names after "on".
_SAME_RE = re.compile(
    r"\b(?P<prep>on|in|for|at|with|from|under|over)\s+the\s+same\s+\w+(?:\s+set)?\b",
    re.IGNORECASE,
)
# Up to two lower-case words before a name, not an article: "open" in "on open Natural Questions".
_MODIFIERS = r"(?:(?!(?:the|a|an|its|their|this|that|each|both)\b)[a-z][\w-]*\s+){0,2}"
_PART_OF_PAPER_RE = re.compile(r"(?:Table|Figure|Fig|Section|Sec|Eq|Appendix)\b")
# Words naming a paper as a text, which tell nothing of what a half asks: "the Glorp paper".
_TEXT_TERMS = frozenset(tokenize("paper papers work article post study thesis tutorial notes"))
# Verbs a half asks with, which say nothing of what it asks for: "How many GPUs did A train on,
# and how many did B use?" asks B for GPUs too.
_ASKING_VERBS = frozenset(
    tokenize(
        "use used get got report reported reach reached achieve achieved need needed employ"
        " employed apply applied train trained take took run ran"
    )
)
MAX_OWN_TERMS = 1  # an elliptic second half's words beyond its name and verb: "how many"
MAX_ELLIPSIS_WORDS = 3  # besides the paper's name: "the", "paper", "'s paper"
_NAMING_WORDS_RE = re.compile(r"\b(?:the|paper|et\s+al)\b\.?|['’]s\b", re.IGNORECASE)


@dataclass(frozen=True)
class PaperQuestion:
    """One part of a split question: its text and the paper it asks about, and the comparison
    it is one side of, when the question compares the two papers' things."""

    text: str
    paper: str
    comparison: Comparison | None = None


def split_by_paper(
    question: str, indexed: Collection[str], authors: Mapping[str, str] | None = None
) -> list[PaperQuestion]:
    """The question's two parts, one per paper, or [] when it does not split that way.

    ``indexed``: the papers that can be searched; the question must name exactly two of them.
    ``authors``: author names several papers share, each with the paper it is taken to name
    (``paperqa.mentions.mentions``).
    """
    question = " ".join(question.split())  # as split_sentences gives the sentences
    sentences = split_sentences(question)
    which = _split_which(sentences, indexed, authors or {})
    if which:
        return which
    found = mentions(question, authors=authors)
    named = list(dict.fromkeys(m.paper for m in found))
    if len(named) != 2 or not all(paper in indexed for paper in named) or not sentences:
        return []
    last = sentences[-1]
    start = question.rfind(last)
    lead = question[:start].strip()
    # "A and B both use dropout — what rate does A use, and ...?": a lead before the dash.
    dash = _DASH_RE.search(last)
    if dash:
        lead = f"{lead} {last[: dash.start()]}.".strip()
        last = last[dash.end() :][0].upper() + last[dash.end() + 1 :]
    authors = authors or {}
    if {m.paper for m in mentions(lead, authors=authors)} >= set(named):
        last = _ordinals_named(last, found, named)
    turned = _split_at_turn(named, lead, last, authors)
    if turned and not _halves_stand_alone(turned):
        turned = _statement_asked(turned)
        if not _halves_stand_alone(turned):
            return _whole_of_each(question, found)
    return (
        turned
        or _split_compared(named, lead, last, authors)
        or _split_compared_how(named, lead, last, authors)
        or _split_each(found, lead, last, authors)
        or _split_pair(lead, last, authors)
        or _split_ellipsis(lead, last, authors)
        or _asked_whole_of_each(question, found)
    )


def _asked_whole_of_each(question: str, found: list[Mention]) -> list[PaperQuestion]:
    """A question naming two papers in no form read above, asked whole of each paper, for its
    part only: "... (Answer for A only.)". One paper's evidence at a time keeps the small model
    from answering one paper's part from the other's passages. Only a question that asks two
    things or sets two beside each other ("and", "or", "vs.", a second question), and not one
    about the two together ("differ", "the same", "compare A and B"): "the Transformer trained
    with GPipe" names GPipe's model, which asks nothing of the Transformer paper."""
    together = _JOINTLY_RE.search(question) or _ASKED_TOGETHER_RE.search(question)
    if together or not _TWO_ASKS_RE.search(question):
        return []
    return _whole_of_each(question, found)


def _whole_of_each(question: str, found: list[Mention]) -> list[PaperQuestion]:
    """The question asked whole of each paper it names (``found``), for that paper's part."""
    firsts = list({m.paper: m for m in reversed(found)}.values())[::-1]
    # The name of an author's paper as its passages are headed ("Answer for Camp only." was
    # all "Hinton and van Camp" left).
    return [
        PaperQuestion(f"{question} (Answer for {_answered_name(question, m)} only.)", m.paper)
        for m in firsts
    ]


def _answered_name(question: str, mention: Mention) -> str:
    return nickname(mention.paper) if mention.by_author else _written_name(question, mention)


def _halves_stand_alone(parts: list[PaperQuestion]) -> bool:
    """Whether each half of a question split at its turn asks something by itself: its last
    sentence is a question ("DPR reports a score on NQ; what does RAG reach?" has a statement
    for its first half), and the second half points back to nothing in the first ("..., and how
    many parameters do the notes say it has?")."""
    last_sentences = [split_sentences(part.text)[-1] for part in parts]
    return all(_QUESTION_RE.search(s) for s in last_sentences) and not _POINTS_BACK_RE.search(
        parts[1].text
    )


def _statement_asked(parts: list[PaperQuestion]) -> list[PaperQuestion]:
    """``parts`` with a first half that states what its paper gives ("DPR reports an exact-match
    score on NQ") asked as a question ("What exact-match score on NQ does DPR report?")."""
    first = parts[0]
    *lead, last = split_sentences(first.text)
    stated = _STATED_RE.fullmatch(last)
    if not stated:
        return parts
    verb = _STATING_VERBS[stated["verb"].lower()]
    asked = f"What {stated['thing']} does {stated['subject']} {verb}?"
    return [PaperQuestion(" ".join([*lead, asked]), first.paper), *parts[1:]]


def _split_at_turn(
    named: list[str], lead: str, last: str, authors: Mapping[str, str]
) -> list[PaperQuestion]:
    """The question split where its last sentence turns to the second paper ("What did A report,
    and what did B report?"); the lead sentences go with the first part."""
    in_last = mentions(last, authors=authors)
    asked = list(dict.fromkeys(m.paper for m in in_last))
    # The order the last sentence asks in: "A uses B's block. What did B reach, and A?"
    first, second = asked if sorted(asked) == sorted(named) else named
    later = [m.start for m in in_last if m.paper == second]
    turns = [m for m in _TURN_RE.finditer(last) if later and m.start() < later[0]]
    if not turns:
        return []
    turn = turns[-1]  # the turn just before the second paper's name
    head, tail = last[: turn.start()].rstrip(" ,"), last[turn.end() :].strip()
    if not head or not tail:
        return []
    first_part = _first_part(lead, head, first, authors)
    if not first_part:
        return []
    second_part = _second_part(head, tail, first, second, authors)
    second_part = second_part[0].upper() + second_part[1:]
    if not second_part.endswith("?"):
        second_part += "?"
    return [PaperQuestion(first_part, first), PaperQuestion(second_part, second)]


def _second_part(head: str, tail: str, first: str, second: str, authors: Mapping[str, str]) -> str:
    """The second half's question: its own words, "the same benchmark" named as the first half
    names it, and the first half asked again of the second paper where the second half asks
    nothing of its own ("What dropout did A use, and what did B use?": "What did B use?" would
    ask the second paper's passages for anything at all)."""
    in_head = mentions(head, every=True, authors=authors)
    elliptic = _asks_nothing_new(head, in_head, tail, authors)
    tail = _one_named(_same_as_named(tail, head), head)
    firsts = [m for m in in_head if m.paper == first]
    seconds = [m for m in mentions(tail, every=True, authors=authors) if m.paper == second]
    if not firsts or not seconds or not elliptic:
        return _about_asked(head, tail) or _asked_again(head, tail) or tail
    was, now = firsts[0], seconds[0]
    before = head[: was.start].removesuffix("the ")  # the article the second half gives its name
    article = "the " if tail[: now.start].endswith("the ") else ""
    # "did A use to train A's model": where the first half names its paper again, what follows
    # its name is the first paper's own, and the second half's own words follow B's.
    after = (
        tail[now.start + len(_written_name(tail, now)) :]
        if len(firsts) > 1
        else head[was.start + len(_written_name(head, was)) :]
    )
    return before + article + _written_name(tail, now) + after


def _same_as_named(tail: str, head: str) -> str:
    """``tail`` with "on the same benchmark" named as ``head`` names it after the same word
    ("on Glorp-QA", "on open Glorp-QA"); as it was where ``head`` names nothing so (or only a table
    or figure)."""
    same = _SAME_RE.search(tail)
    if not same:
        return tail
    named = re.search(
        rf"\b(?i:{same['prep']})\s+(?P<what>{_MODIFIERS}[A-Z0-9][\w'’.-]*(?:\s+[A-Z0-9][\w'’.-]*)*)",
        head,
    )
    if not named or _PART_OF_PAPER_RE.match(named["what"]):
        return tail
    return f"{tail[: same.start()]}{same['prep']} {named['what']}{tail[same.end() :]}"


def _about_asked(head: str, tail: str) -> str | None:
    """ "how about X?" after a first half asking "How many layers does A have": "How many layers
    does X have?", X standing for the first half's whole subject; None for another second half
    or a first half not asked so."""
    about = _ABOUT_RE.fullmatch(tail)
    asked = _ASKED_OF_RE.fullmatch(head)
    if not about or not asked:
        return None
    verb = f" {asked['verb']}" if asked["verb"] else ""
    return f"{asked['stem']} {asked['aux']} {about['what']}{verb}?"


def _asked_again(head: str, tail: str) -> str | None:
    """ "what did S get?" after a first half asking "What CIFAR-10 error did A get on X": "What
    CIFAR-10 error did S get on X?"; None for another second half or a first half not asked so.
    Only with a verb that says nothing of what is asked ("get", "use", "report", ...)."""
    again = _AGAIN_RE.fullmatch(tail)
    thing = _ASKED_THING_RE.match(head)
    if not again or not thing or again["verb"].lower() not in _ASKING_VERBS:
        return None
    verb = re.search(rf"\b{again['verb']}\b", head[thing.end() :], re.IGNORECASE)
    rest = head[thing.end() + verb.end() :] if verb else ""
    wh, aux, subject = again["wh"], again["aux"], again["subject"]
    return f"{wh} {thing['thing']} {aux} {subject} {again['verb']}{rest}?"


def _one_named(tail: str, head: str) -> str:
    """``tail`` with "which one" asking for what ``head`` asks for ("Which optimizer did A use,
    and which one did B use?": "which optimizer did B use?"); as it was otherwise."""
    one = _ONE_RE.match(tail)
    thing = _ASKED_THING_RE.match(head)
    if not one or not thing:
        return tail
    return f"{one['which']} {thing['thing']}{tail[one.end() :]}"


def _asks_nothing_new(
    head: str, in_head: list[Mention], tail: str, authors: Mapping[str, str]
) -> bool:
    """Whether ``tail`` says next to nothing of its own, its paper's name, its verb and "the
    same task" aside ("and what did B use?", "how many did B use?"), and only what ``head``
    (whose paper mentions are ``in_head``) asks: then it asks what ``head`` asks."""
    asked = set(tokenize(without_paper_names(head, in_head)))
    tail = _SAME_RE.sub(" ", tail)
    own = set(tokenize(without_paper_names(tail, mentions(tail, every=True, authors=authors))))
    own -= _TEXT_TERMS | _ASKING_VERBS
    return len(own) <= MAX_OWN_TERMS and own <= asked and bool(asked - own - _TEXT_TERMS)


def _written_name(text: str, mention: Mention) -> str:
    """The paper's name as ``text`` writes it, with its depth, "et al." or "paper" ("ResNet-152",
    "Kaplan et al.")."""
    end = mention.start + len(mention.name)
    et_al = re.match(r"-\d+\b|\s+et\s+al\.|\s+paper\b", text[end:])
    return text[mention.start : end + (et_al.end() if et_al else 0)]


def _ordinals_named(last: str, found: list[Mention], named: list[str]) -> str:
    """``last`` with "the first paper" and "the second paper" ("the former", "the latter") given
    the names the lead sentences gave the two papers, in the order they named them: "A was
    followed by B. In the first paper, what ..., and what does the second paper's ...?" asks A,
    then B. (Without a lead naming both, "the first paper" is a paper of the one asked about.)"""
    names = {m.paper: m.name for m in reversed(found)}

    def named_so(match: re.Match[str]) -> str:
        which = (match["which"] or match["which2"]).lower()
        paper = named[0] if which in ("first", "former") else named[1]
        return names[paper] + (match["own"] or "")

    return _ORDINAL_RE.sub(named_so, last)


def _first_part(lead: str, head: str, paper: str, authors: Mapping[str, str]) -> str | None:
    """The first half of a split question: the lead sentences and the last one's head, as a
    question; None when it no longer names its ``paper``."""
    text = f"{lead} {head}?".strip()
    return text if names_paper(text, paper, authors) else None


def _split_compared(
    named: list[str], lead: str, last: str, authors: Mapping[str, str]
) -> list[PaperQuestion]:
    """The question split where it sets the second paper's measure beside the first's ("How long
    did A train, compared with the training time of B?"): the second part asks for that measure
    ("What was the training time of B?"), in the tense of the first."""
    first, second = named
    turn = _COMPARED_RE.search(last)
    if not turn:
        return []
    head, tail = last[: turn.start()].rstrip(" ,"), last[turn.end() :].strip().rstrip("?. ")
    first_part = _first_part(lead, head, first, authors)
    if not first_part or not names_paper(tail, second, authors):
        return []
    verb = "was" if _PAST_RE.search(head) else "is"
    return [PaperQuestion(first_part, first), PaperQuestion(f"What {verb} {tail}?", second)]


def _split_compared_how(
    named: list[str], lead: str, last: str, authors: Mapping[str, str]
) -> list[PaperQuestion]:
    """ "How did the top-5 error of A compare with that of B?" asked as "What was the top-5 error
    of A?" and "What was the top-5 error of B?" ("How does A's X compare to B's?": A's X and
    B's X; "Compare A's X with the X of B."); each side must name its paper."""
    how = _HOW_COMPARE_RE.fullmatch(last) or _COMPARE_WITH_RE.fullmatch(last)
    if not how:
        return []
    first, second = how["first"], how["second"]
    that = _THAT_OF_RE.match(second)
    measure = _THING_OF_RE.match(first)
    owner = re.match(r".+?['’]s\s+(?P<what>.+)", first)
    if that and measure:
        # "that of B" keeps its own "of"; "the one trained in B" takes the first side's.
        joined = "" if that["that"] else f" {measure['prep']}"
        second = f"{measure['what']}{joined} {second[that.end() :]}"
    elif owner and re.fullmatch(r".+?['’]s", second):
        second = f"{second} {owner['what']}"
    sides = [(first, named[0]), (second, named[1])]
    if not all(names_paper(text, paper, authors) for text, paper in sides):
        return []
    verb = "was" if (how.groupdict().get("aux") or "").lower() == "did" else "is"
    return [PaperQuestion(f"{lead} What {verb} {text}?".strip(), paper) for text, paper in sides]


def _split_each(
    found: list[Mention], lead: str, last: str, authors: Mapping[str, str]
) -> list[PaperQuestion]:
    """The same question asked of each paper ("A and B both learn a prior. What form does it
    take in each?"), by the name the question gives the paper (``found``: the question's
    mentions; its short name when the question names it by an author). The lead sentences,
    which say what "it" is, go with both."""
    matches = list(_EACH_RE.finditer(last))
    if not matches:
        return []
    each = matches[-1]
    if any(m.start >= each.start() for m in mentions(last, authors=authors)):
        return []  # "does each of A and B use": not a question to ask of one paper by name
    word = each.group("prep") or each.group("aux")
    before, after = last[: each.start()], last[each.end() :]
    names: dict[str, str] = {}
    for m in found:
        names.setdefault(m.paper, nickname(m.paper) if m.by_author else m.name)
    return [
        PaperQuestion(f"{lead} {before}{word} {name}{after}".strip(), paper)
        for paper, name in names.items()
    ]


def _split_which(
    sentences: list[str], indexed: Collection[str], authors: Mapping[str, str]
) -> list[PaperQuestion]:
    """A comparison of two papers' things ("Which network is deeper: A, or B? Give both
    depths.") asked of each: "How many layers does A have?", and of B. The small model, given
    both papers' evidence at once, declines or answers one; the two answers are what the reader
    compares. Sentences before the comparison go with both; those after it ("Give both.") ask
    nothing new. [] unless each side names one indexed paper, not the other's."""
    for at, sentence in enumerate(sentences):
        for comparison in parse_comparison(sentence):
            papers = [_side_paper(side, authors) for side in comparison.sides]
            first, second = papers
            if first is None or second is None or first == second:
                continue
            if first not in indexed or second not in indexed:
                return []
            lead = " ".join(sentences[:at])
            return [
                PaperQuestion(f"{lead} {comparison.asked_of(side)}".strip(), paper, comparison)
                for side, paper in zip(comparison.sides, (first, second), strict=True)
            ]
    return []


def _side_paper(side: str, authors: Mapping[str, str]) -> str | None:
    """The one paper one side of a comparison names; a paper named by its own name or an author
    before one named by the model it introduces ("the multilingual Transformer that the GPipe
    authors trained" is GPipe's)."""
    found = mentions(side, authors=authors)
    own = {m.paper for m in found if not m.by_model} or {m.paper for m in found}
    return own.pop() if len(own) == 1 else None


def _split_pair(lead: str, last: str, authors: Mapping[str, str]) -> list[PaperQuestion]:
    """The same question asked of each of two papers named side by side ("What optimizer did A
    and B use?", "For A and B, what was ...?"), the pair replaced by each name in turn. "Compare
    the X of A and B." and "How do A and B differ in X?" ask for the X of each. Not "between A
    and B", "the same X", "in common": those ask one thing of both."""
    last = _as_question(_RESPECTIVELY_RE.sub("", last))
    pair = None if _JOINTLY_RE.search(last) else _named_pair(last, authors)
    if pair is None:
        return []
    (start, end), names, papers = pair
    # "the parameters of A and B's Glorp classifier": the Glorp classifier is B's alone.
    owned = _OWNED_RE.match(last, end)
    after = [last[owned.end() if owned else end :], last[end:]]
    return [
        PaperQuestion(f"{lead} {last[:start]}{name}{rest}".strip(), paper)
        for name, paper, rest in zip(names, papers, after, strict=True)
    ]


def _as_question(sentence: str) -> str:
    """ "Compare the X of A and B." and "How do A and B differ in X?" as "What is/are the X of A
    and B?"; other sentences as they are."""
    compare = _COMPARE_RE.match(sentence)
    if compare:
        return _what_is(compare["what"])
    differ = _DIFFER_RE.match(sentence)
    if differ:
        return _what_is(f"the {differ['what']} of {differ['pair']}")
    return sentence


def _what_is(what: str) -> str:
    head = re.split(r"\s+(?:of|in|for|used|between)\s+", what, maxsplit=1)[0].split()[-1]
    verb = "are" if re.search(r"[^s]s$", head) else "is"
    return f"What {verb} {what}?"


def _named_pair(
    sentence: str, authors: Mapping[str, str]
) -> tuple[tuple[int, int], tuple[str, str], tuple[str, str]] | None:
    """Where ``sentence`` names two papers side by side: the span of the pair, the words naming
    each ("the Transformer", "AlexNet") and the two papers; None when it names no such pair."""
    found = mentions(sentence, every=True, authors=authors)
    for first, second in itertools.pairwise(found):
        if first.paper == second.paper:
            continue
        joint = _JOINT_RE.fullmatch(sentence, first.start + len(first.name), second.start)
        if not joint:
            continue
        before = _BEFORE_PAIR_RE.search(sentence, 0, first.start)
        if before is None or _TOGETHER_RE.search(sentence, 0, before.start()):
            return None
        start = before.start("det") if before["det"] else first.start
        first_words = sentence[start : first.start + len(first.name)]
        second_words = f"{joint['det'] or ''}{second.name}"
        span = (before.start() if before["both"] else start, second.start + len(second.name))
        return span, (first_words, second_words), (first.paper, second.paper)
    return None


def _split_ellipsis(lead: str, last: str, authors: Mapping[str, str]) -> list[PaperQuestion]:
    """A question asked of one paper, then of the other by its name alone ("What dropout did A
    use, and B?", "What dropout did A use? And B?"): the first asked again with B for A."""
    ellipsis = _ELLIPSIS_RE.search(last)
    if not ellipsis:
        return []
    asked = (lead + " " + last[: ellipsis.start()]).strip() if ellipsis.start() else lead
    asked = asked if asked.endswith("?") else asked.rstrip(" ,.") + "?"
    others = mentions(ellipsis["other"], authors=authors)
    firsts = mentions(asked, every=True, authors=authors)
    if len(others) != 1 or len({m.paper for m in firsts}) != 1:
        return []
    other, first = others[0], firsts[-1]
    if other.paper == first.paper or _extra_words(ellipsis["other"], other.name):
        return []
    end = first.start + len(_written_name(asked, first))
    # "A's large LSTM on PTB, and B on WikiText?": B stands for all of "A's ...", not for A.
    if asked[end:].startswith(("'s", "’s")) and not _only_named(ellipsis["other"], other.name):
        return []
    again = f"{asked[: first.start]}{ellipsis['other']}{asked[end:]}"
    return [PaperQuestion(asked, first.paper), PaperQuestion(again, other.paper)]


def _extra_words(words: str, name: str) -> bool:
    """Whether ``words`` say more than a paper's name ("the Transformer paper" does not)."""
    return len(words.replace(name, " ").split()) > MAX_ELLIPSIS_WORDS


def _only_named(words: str, name: str) -> bool:
    """Whether ``words`` name the paper and say nothing else: "the Glorp paper", "Glorp et al."."""
    return not _NAMING_WORDS_RE.sub(" ", words.replace(name, " ")).split()
