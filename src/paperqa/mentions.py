"""Which papers a text names: by title, by the name of its model, or by author.

The one module that matches paper names against a text. The names come from two sources:
the reading list (``paperqa.aliases`` on its titles and authors, and its ``known_as`` entries:
"AlexNet", "ResNet"), and an index's metadata (``documents[id]["aliases"]``, written at ingest,
plus ``known_as`` for a listed paper). Two rules match them, for two uses:

- ``mentions(text)``: where a text names a reading-list paper, each paper once with its words
  and position (``every=True``: each time it is named); a name two papers share names neither,
  unless the caller says which paper it means (``authors``: an author's name found by
  ``shared_author_names``, which the answer step resolves by retrieval to split a two-paper
  question), and a model another named paper owns names no paper ("GPipe's multilingual
  Transformer", "GPipe ... its Transformer", "GPipe scaled a Transformer": the architecture
  GPipe trains; "the ResNet in the identity mappings paper"). It puts the named
  papers first in retrieval, splits two-paper questions, gives follow-ups their subject, checks a
  paper's name in a cited sentence and says that a named reading-list paper is not indexed.
- ``PaperNames(documents).match(question)``: how strongly a question names each indexed paper
  (1 / how many papers share the name), on BM25's terms, and which of its terms are names: a
  retrieval feature (``paperqa.retrieve.features``).

In both, a name of several words matches in any case, and so does a one-word name with a capital
or digit after its first letter ("alexnet", "ntm", "cs231n": no English word is written so); a
plain word ("Transformer") and a person's name ("Graves") only as written.

Why two rules and not one: they answer different questions, over different names, and each
answer is relied on as it is. ``mentions`` decides that a text names a paper, and something acts
on it (the paper goes first, the question is split, "not indexed" is said, a cited sentence is
checked), so a name two papers share must name neither and a name inside a longer one gives way
to it; ``PaperNames`` grades evidence for the learned retriever, whose weights were fitted on
those grades, so a shared name still counts (1/2 each) and nothing gives way. ``mentions`` knows
every reading-list paper, indexed or not, by the list's titles, authors and ``known_as``;
``PaperNames`` knows every indexed paper, on the list or not, also by the names ingest found in
its text. And ``PaperNames`` compares BM25's stemmed terms ("residual network" is "residual
networks"), ``mentions`` the characters ("RAG-Token" names RAG; for ``PaperNames`` the word is
"RAG-Token"). On 90 questions and answer sentences written for the check (most naming papers by
title words, author or model name, in lower case, possessive, hyphenated or plural), the two
named different papers in 22; making either follow the other would change what it names.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from paperqa.aliases import author_aliases, document_aliases, title_aliases, title_phrases
from paperqa.readinglist import Paper, papers_by_id, reading_list
from paperqa.text import tokenize

# What a text is called after a shortened title: "the dilated convolutions paper".
_KINDS = ("paper", "tutorial", "post", "blog", "article", "thesis", "notes", "book", "chapter")
# "the identity mappings follow-up paper": a word that places the text among its author's others
_PLACING = r"(?:\s+(?:follow-?up|original|earlier|later|companion|first|\d{4}))?"
_KIND_WORD = rf"(?:{'|'.join(_KINDS)})\b"
_KIND = rf"{_PLACING}\s+{_KIND_WORD}"
_ET_AL_RE = re.compile(r"\s+et\s+al\b\.?", re.IGNORECASE)
# "the NIPS 2012 AlexNet paper", "Hinton and van Camp's COLT'93 paper": up to four words between
# an article or a possessive and what the text is.
_LINK_WORD = r"(?:and|or|with|than|to|the|an?|of|in|on|for|by|versus|vs)\b"
_DESCRIBED_TEXT_RE = re.compile(
    rf"(?:\bthe|['’]s)\s+((?:(?!{_LINK_WORD})[^\s,;:?!]+\s+){{1,4}}?){_KIND_WORD}",
    re.IGNORECASE,
)
_NAMED = "\u2042"  # stands for a paper's name while its description is looked for
_NAMES_A_TEXT = re.compile(rf"(?:['’]s)?{_KIND}", re.IGNORECASE)
# "In the DPR paper, what ...?", "According to Kaplan et al., how ...?": where a question looks,
# before what it asks (no bracket inside but a year's: "For Glorp's retriever (2020), how ...?").
_LEAD_IN_RE = re.compile(
    r"(?:in|for|according\s+to|from)\s+(?P<lead>(?:\((?:19|20)\d\d\)|[^;:?()])+?),\s*"
    r"(?P<rest>(?:(?:roughly|approximately|about|in|on|at|by|for|from|to|with|between|under|"
    r"below|above|over|after|before|during)\s+)*(?:what|which|who|whom|whose|when|where|why|"
    r"how)\b.*)",
    re.IGNORECASE | re.DOTALL,
)
_KIND_WORD_RE = re.compile(rf"\b{_KIND_WORD}", re.IGNORECASE)
# "the two-tower retriever from Glorp (2020)": a year in brackets is how a work is cited.
_CITED_YEAR_RE = re.compile(r"\((?:19|20)\d\d\)")
# Authors listed together: "Glorp, Blorp and van Flub", "Glorp & Blorp".
_AUTHOR = r"[A-Z][\w’'-]*"
_PARTICLE = r"(?:van|von|de|der|da|le)\s+"
_AUTHOR_SEP = r"(?:,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+)"
# After an author's name, the others and the words that make them a text: ", Blorp and Flub's
# 2017 paper's", " et al.'s"; after a title, what the text is ("paper's").
_TEXT_TAIL_RE = re.compile(
    rf"(?:{_AUTHOR_SEP}(?:{_PARTICLE})?{_AUTHOR})*(?i:\s+et\s+al\b\.?)?(?P<own>['’]s)?"
    rf"(?i:{_PLACING}\s+(?P<kind>{_KIND_WORD})(?P<own2>['’]s)?)?"
)
# Before a paper's name, the article or the authors that go with it: "the ", "Glorp, Blorp and
# van ", and before a title, its authors ("Glorp et al.'s ICLR 2015 ").
_TEXT_HEAD_RE = re.compile(
    rf"(?:(?i:\bthe\s+)|(?:{_AUTHOR}{_AUTHOR_SEP})*(?:{_AUTHOR}{_AUTHOR_SEP}(?:{_PARTICLE})?"
    rf"|{_AUTHOR}(?i:\s+et\s+al\b\.?)?['’]s\s+(?:[A-Z0-9][\w’'-]*\s+){{0,3}}))?$"
)
_HEAD_REACH = 200  # characters before a name where its authors may start
_MIN_SURNAME = 4  # shorter surnames (He, Yu, Li) are common words or too ambiguous


@dataclass(frozen=True)
class Mention:
    """A paper named in a text: its id, the words that named it and where they start."""

    paper: str
    name: str
    start: int
    by_author: bool = False  # named by an author ("Kaplan et al."), not by the paper's own name
    by_model: bool = False  # named by the model it introduces ("AlexNet", "Relational Memory Core")


@cache
def _author_names(paper_id: str) -> frozenset[str]:
    """Full names and capitalised surnames of at least four letters, and the handle a post's
    site is named by ("colah", "Colah"), unless the title or an author gives it already
    ("CS231n", "Karpathy")."""
    paper = papers_by_id()[paper_id]
    names = [
        name
        for name in author_aliases(paper.authors)
        if name[:1].isupper() and (" " in name or len(name) >= _MIN_SURNAME)
    ]
    handle = paper.site_handle or ""
    given = {t.lower() for t in [*names, *paper.title.replace(":", " ").split()]}
    if handle and handle.lower() not in given:
        names += [handle.capitalize(), handle]  # as people type it, "colah's post", too
    return frozenset(names)


@cache
def _model_names(paper_id: str) -> frozenset[str]:
    """The names, in lower case, of the model a reading-list paper introduces."""
    return frozenset(name.lower() for name in papers_by_id()[paper_id].known_as)


def author_words(paper_id: str) -> frozenset[str]:
    """The terms of a reading-list paper's author names ("drew", "van", "camp", "hinton")."""
    return frozenset(t for name in _author_names(paper_id) for t in tokenize(name))


def _names(paper: Paper) -> list[str]:
    """Every name of ``paper``: title parts, known names, authors."""
    return [*title_aliases(paper.title, coined=False), *paper.known_as, *_author_names(paper.id)]


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    names = {paper.id: set(_names(paper)) for paper in reading_list()}
    # How many papers go by a name, in any case ("colah" and "Colah" are one paper's).
    shared = Counter(
        lower for paper_names in names.values() for lower in {n.lower() for n in paper_names}
    )
    shortened = {paper.id: title_phrases(paper.title) for paper in reading_list()}
    shared_phrases = shared + Counter(p.lower() for runs in shortened.values() for p in runs)
    patterns = []
    for paper in reading_list():
        own = sorted((n for n in names[paper.id] if shared[n.lower()] == 1), key=len, reverse=True)
        # People type "the coffee automaton paper" and "alexnet": a name of several words or a
        # coined word names the paper in any case; a plain word ("Transformer") and a person's
        # name only as written.
        authors = _author_names(paper.id)
        any_case = [n for n in own if n not in authors and (_is_phrase(n) or is_made_up(n))]
        words = [n for n in own if n not in any_case]
        pattern = f"(?i:{_flexible(paper.title)})"
        if any_case:
            pattern += rf"|(?i:(?<![\w-])(?:{'|'.join(_splittable(n) for n in any_case)})(?!\w))"
        if words:
            pattern += rf"|(?<![\w-])(?:{'|'.join(_flexible(n) for n in words)})(?!\w)"
        # "the dilated convolutions paper": a run of the title's words, followed by what the
        # text is; "the MDL tutorial": its initials, followed by what the title says it is.
        runs = [n for n in shortened[paper.id] if shared_phrases[n.lower()] == 1]
        if runs:
            pattern += rf"|(?i:(?<![\w-])(?:{'|'.join(map(_flexible, runs))})(?={_KIND}))"
        # "the corpus of Dense Passage Retrieval": the title's capitalised opening words, as the
        # title writes them, name it alone.
        lead = _title_lead(paper.title)
        if lead in runs:
            pattern += rf"|(?<![\w-]){_flexible(lead)}(?![\w-])"
        initials = [i for i in title_initials(paper.title) if shared_phrases[i.lower()] == 0]
        kinds = [w for w in _KINDS if re.search(rf"\b{w}\b", paper.title, re.IGNORECASE)]
        if initials and kinds:
            pattern += rf"|(?<![\w-])(?:{'|'.join(initials)})(?=\s+(?i:{'|'.join(kinds)})\b)"
        patterns.append((paper.id, re.compile(pattern)))
    return tuple(patterns)


def _title_lead(title: str) -> str:
    """A title's opening run of capitalised words, after "The" or "A" ("Identity Mappings" of
    "Identity Mappings in Deep Residual Networks"); "" for a single word."""
    words = title.split()
    if words and words[0] in ("The", "A"):
        words = words[1:]
    lead = list(itertools.takewhile(lambda w: w[0].isupper() and not w.endswith(":"), words))
    return " ".join(lead) if len(lead) > 1 else ""


@cache
def title_initials(title: str) -> tuple[str, ...]:
    """The initials of each run of three or more capitalised words of a title ("Minimum
    Description Length": "MDL")."""
    runs = [run.split() for run in title_phrases(title)]
    initials = [
        "".join(word[0] for word in run)
        for run in runs
        if len(run) >= 3 and all(word[0].isupper() for word in run)
    ]
    return tuple(dict.fromkeys(i for i in initials if i.isalpha()))


def _is_phrase(name: str) -> bool:
    return len(re.split(r"[\s-]+", name)) > 1


def is_made_up(word: str) -> bool:
    """Whether a one-word name has a capital or digit after its first letter (AlexNet, NTM, DS2):
    no English word is written so, and people type it in lower case too."""
    return any(c.isupper() or c.isdigit() for c in word[1:])


def nickname(paper_id: str, title: str = "") -> str:
    """The short name a paper goes by: its model's name, else its title before a colon (``title``
    is that of a paper off the reading list)."""
    paper = papers_by_id().get(paper_id)
    if paper and paper.known_as:
        return paper.known_as[0]
    return (paper.title if paper else title).split(":")[0].strip()


def _flexible(name: str) -> str:
    """A regex for ``name`` where a space and a hyphen match each other."""
    return r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", name))


def _splittable(name: str) -> str:
    """``_flexible`` for a name matched in any case, where a made-up word may also be split by a
    space or hyphen where its case changes: people type "Alex net" and "Res-Net"."""
    parts = re.findall(r"[A-Z]*[a-z]+|[A-Z]+(?![a-z])|\d+", name)
    if _is_phrase(name) or not is_made_up(name) or "".join(parts) != name:
        return _flexible(name)
    return r"[\s-]?".join(re.escape(part) for part in parts)


def names_paper(text: str, paper: str, authors: Mapping[str, str] | None = None) -> bool:
    """Whether ``text`` names the reading-list paper ``paper`` (by ``mentions``)."""
    return any(m.paper == paper for m in mentions(text, authors=authors))


def mentions(
    text: str, every: bool = False, authors: Mapping[str, str] | None = None
) -> list[Mention]:
    """The reading-list papers ``text`` names, each once, in the order they are first named;
    with ``every``, each time it is named ("RMC ... in Santoro et al.'s paper": twice).

    ``authors``: author names several papers share (``shared_author_names``), each taken to name
    the one paper the caller chose for it; otherwise such a name names none.
    """
    found = []
    patterns = [
        *_patterns(),
        *((paper, _as_written(name)) for name, paper in (authors or {}).items()),
    ]
    for paper_id, pattern in patterns:
        for match in pattern.finditer(text):
            name = match.group(0)
            by_author = name in _author_names(paper_id)
            by_model = name.lower() in _model_names(paper_id)
            if by_model and _owned(paper_id, match.start(), match.end(), text):
                continue
            found.append(Mention(paper_id, name, match.start(), by_author, by_model))
    found.sort(key=lambda m: m.start)
    # "Residual Networks" inside the title "Identity Mappings in Deep Residual Networks" names
    # that paper only: drop a mention lying inside another paper's longer one.
    found = [
        m
        for m in found
        if not any(
            o is not m
            and len(o.name) > len(m.name)
            and o.start <= m.start
            and m.start + len(m.name) <= o.start + len(o.name)
            for o in found
        )
    ]
    if every:
        return found
    firsts: dict[str, Mention] = {}
    for m in found:
        firsts.setdefault(m.paper, m)
    return list(firsts.values())


# What lies between a paper's name and a model it owns: "GPipe's 128-layer multilingual
# Transformer", "GPipe ... its multilingual Transformer", "GPipe scaled a 6-billion-parameter
# Transformer" (the paper as the one that trains, scales or builds the model).
_MODIFIER = rf"(?!{_LINK_WORD})[\w,.-]+\s+"
_OWNING_VERB = r"(?:train|scale|use|build|built|pre-?train|fine-?tune)\w*"
_OWNER_GAP = re.compile(
    rf"(?:['’]s|[^.?!;]*\bits|\s+{_OWNING_VERB}(?:\s+(?:an?|the|their))?)\s+(?:{_MODIFIER}){{0,4}}",
    re.IGNORECASE,
)
# What lies between a model and the paper named after it that owns it: "the 1001-layer ResNet in
# the identity mappings paper", "what error did the ResNet-1001 reach in 'Identity Mappings'".
_OWNED_GAP = re.compile(
    rf"(?:-\d+)?(?:\s+(?!{_LINK_WORD})[\w-]+){{0,2}}?\s+(?:in|from|of|by)\s+(?:the\s+)?['\"‘“]?",
    re.IGNORECASE,
)

# A model made with another paper's system, named by any of its names: "the multilingual
# Transformer trained with GPipe".
_MADE_WITH_GAP = re.compile(
    rf"(?:-\d+)?\s+{_OWNING_VERB}\s+(?:with|using|on|by)\s+(?:the\s+)?", re.IGNORECASE
)


def without_paper_names(text: str, found: Sequence[Mention] | None = None) -> str:
    """``text`` without the names of the reading-list papers it mentions (``found``: every one of
    those mentions, when already known), and without "et al." (after any author's name)."""
    for m in mentions(text, every=True) if found is None else found:
        end = m.start + len(m.name)
        text = text[: m.start] + " " * (end - m.start) + text[end:]  # later starts stay put
    return " ".join(_ET_AL_RE.sub(" ", text).split())


def names_the_text(text: str, mention: Mention) -> bool:
    """Whether ``mention`` (found in ``text``) names the paper as a text: by an author ("Kaplan
    et al."), or followed by what the text is ("the DPR paper", "the ResNet paper's table"). A
    bare name may name the model or system the paper introduces ("AlexNet's error", "GPipe's
    Transformer", "Deep Speech 2 on Mandarin"), even where it is the title's."""
    end = mention.start + len(mention.name)
    return mention.by_author or bool(_NAMES_A_TEXT.match(text, end))


def text_descriptions(text: str, every: bool = False) -> str:
    """The words that describe a paper ``text`` names as a text, other than its names: where and
    when it appeared and who made it ("COLT'93" in "Hinton and van Camp's COLT'93 paper", "NIPS
    2012" in "the NIPS 2012 AlexNet paper", "GlorpMind" in "GlorpMind's 2018 RMC paper"),
    joined by spaces; "" where there are none. With ``every``, also the words of a description
    that names no paper ("Glorp RNN" in "the Glorp RNN paper")."""
    blanked, left = text, len(text)
    for m in sorted(mentions(text, every=True), key=lambda m: -m.start):
        if m.start + len(m.name) <= left:  # not inside a longer name already blanked
            blanked = f"{blanked[: m.start]} {_NAMED} {blanked[m.start + len(m.name) :]}"
            left = m.start
    blanked = _ET_AL_RE.sub("", blanked)  # "Kaplan et al.'s": the possessive is the paper's
    described = []
    for match in _DESCRIBED_TEXT_RE.finditer(blanked):
        words = match.group(1).split()
        before = blanked[: match.start()].split()
        if every or _NAMED in words or before[-1:] == [_NAMED]:
            owner = [w for w in before[-1:] if w[:1].isupper()] if match[0][0] in "'’" else []
            described += [w for w in [*owner, *words] if w != _NAMED]
    return " ".join(described)


def without_the_text_named(question: str) -> str:
    """``question`` as a reader of the passages alone would ask it: without the words naming the
    paper it asks of as a text, which the passages rarely write. A lead-in that names it goes
    ("In Glorp et al.'s 2017 paper, what ...?" is "What ...?"), and so does the name inside the
    question ("In Glorp and Blorp's Table 1 (...), what ...?" asks of "the paper's Table 1").
    ``question`` itself where it names no paper as a text."""
    lead = _LEAD_IN_RE.fullmatch(question.strip())
    if lead and _names_a_text(lead["lead"]):
        rest = lead["rest"]
        return rest[:1].upper() + rest[1:]
    left = len(question)
    for m in sorted(mentions(question, every=True), key=lambda m: -m.start):
        if m.start + len(m.name) > left or not names_the_text(question, m):
            continue  # inside a name already replaced, or the name of a model
        tail = _TEXT_TAIL_RE.match(question, m.start + len(m.name))
        before = max(0, m.start - _HEAD_REACH)
        head = _TEXT_HEAD_RE.search(question, before, m.start)
        assert tail is not None and head is not None  # every part of them is optional
        own = tail["own2"] if tail["kind"] else tail["own"]
        named = f"the {(tail['kind'] or 'paper').lower()}{own or ''}"
        question = question[: head.start()] + named + question[tail.end() :]
        left = head.start()
    return question


def _names_a_text(words: str) -> bool:
    """Whether ``words`` name a paper as a text: "the DPR paper", "Kaplan et al.", "the dense
    retriever from Glorp (2020)"."""
    found = mentions(words, every=True)
    if any(names_the_text(words, m) for m in found):
        return True
    return bool(_KIND_WORD_RE.search(words) or _CITED_YEAR_RE.search(words))


def _owned(paper: str, start: int, end: int, text: str) -> bool:
    """Whether the model named from ``start`` to ``end`` is a thing that another paper named
    beside it owns, not ``paper``: "GPipe's multilingual Transformer" names GPipe, and the
    architecture it trains; "the ResNet in the identity mappings paper" names that paper. The
    owner is named before the model in its sentence, or by title, author or its own name just
    after it in its clause, or by any name after a verb that made the model with it ("the
    Transformer trained with GPipe")."""
    before = text[max(text.rfind(c, 0, start) for c in ".?!;") + 1 : start]
    if any(
        other.paper != paper and _OWNER_GAP.fullmatch(before[other.start + len(other.name) :])
        for other in mentions(before, every=True)
    ):
        return True
    after = re.split(r"[.?!;,]\s", text[end:], maxsplit=1)[0]
    return any(
        other.paper != paper
        and (
            (not other.by_model and _OWNED_GAP.fullmatch(after[: other.start]))
            or _MADE_WITH_GAP.fullmatch(after[: other.start])
        )
        for other in mentions(after, every=True)
    )


@cache
def _shared_authors() -> dict[str, frozenset[str]]:
    """The author names (as ``_author_names`` keeps them) that several reading-list papers share."""
    papers: dict[str, set[str]] = defaultdict(set)
    for paper in reading_list():
        for name in _author_names(paper.id):
            papers[name].add(paper.id)
    return {name: frozenset(ids) for name, ids in papers.items() if len(ids) > 1}


@cache
def _as_written(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){_flexible(name)}(?!\w)")


def shared_author_names(text: str) -> dict[str, frozenset[str]]:
    """The author names in ``text`` that several reading-list papers share ("Aaronson",
    "Karpathy"), each with those papers: ``mentions`` takes them to name none."""
    return {
        name: papers for name, papers in _shared_authors().items() if _as_written(name).search(text)
    }


def index_names(doc: str, meta: dict[str, Any]) -> list[str]:
    """The names of an indexed paper: its aliases (from its title and authors in an index
    written before aliases existed), and for a reading-list paper the names the list knows its
    model by (the AlexNet paper never calls its network "AlexNet")."""
    aliases = meta.get("aliases")
    if aliases is None:
        aliases = document_aliases(meta.get("title", doc), meta.get("authors") or [])
    listed = papers_by_id().get(doc)
    return [*aliases, *(listed.known_as if listed else [])]


def _is_phrase_in(phrase: tuple[str, ...], tokens: list[str]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


class PaperNames:
    """Matches a question against the names of the indexed papers, on BM25's terms."""

    def __init__(self, documents: dict[str, dict[str, Any]]):
        self._phrases: dict[tuple[str, ...], set[str]] = defaultdict(set)
        # One-word names match as written ("Graves", "Transformer"), a made-up one in any case
        # ("gpipe"): keyed by how the query's words are compared.
        self._words: dict[str, set[str]] = defaultdict(set)
        for doc, meta in documents.items():
            for alias in index_names(doc, meta):
                terms = tuple(tokenize(alias))
                if len(alias.split()) == 1:
                    self._words[alias.lower() if is_made_up(alias) else alias].add(doc)
                elif terms:
                    self._phrases[terms].add(doc)

    def named(self, query: str) -> dict[str, float]:
        """Papers the query names, each with a strength in (0, 1]: 1 / papers sharing the name."""
        return self.match(query)[0]

    def match(self, query: str) -> tuple[dict[str, float], set[str]]:
        """``named``, and the query terms that are part of a paper's name (not its content)."""
        strength: dict[str, float] = defaultdict(float)
        naming: set[str] = set()
        tokens = tokenize(query)
        words = {w.strip("'’.,;:?!()\"") for w in query.split()}
        words |= {w[:-2] for w in words if w.endswith(("'s", "’s"))}
        words |= {w.lower() for w in words}
        matched = []
        for phrase, docs in self._phrases.items():
            if _is_phrase_in(phrase, tokens):
                matched.append(docs)
                naming.update(phrase)
        for word, docs in self._words.items():
            if word in words:
                matched.append(docs)
                naming.update(tokenize(word))
        for docs in matched:
            for doc in docs:
                strength[doc] = max(strength[doc], 1 / len(docs))
        return dict(strength), naming
