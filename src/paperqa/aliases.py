"""The names a paper goes by: title phrases, its authors, and the names it coins ("NTM", "GPipe").

Ingest derives them from the reading-list entry (title, authors) and from the paper's own text
(acronyms it defines on its title page and abstract, names it says it calls something, coined
names it uses often) and stores them in the index metadata; retrieval matches them against the
question. Nothing here comes from questions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence

from paperqa.text import STOPWORDS, author_name, fold_accents

OPENING_CHARS = 5000  # about the title page and abstract of a paper
MIN_COINED_USES = 8  # a coined name used this often in its paper is what the paper is about

# "Neural Turing Machines (NTMs)", "Pointer Net (Ptr-Net)": a parenthesised short form.
_PAREN = re.compile(r"\(([A-Za-z][A-Za-z0-9\-]{1,11})\)")
# "we call it GPipe", "which we term the Relational Memory Core": a name the authors give.
_NAMING = re.compile(
    r"\b(?i:we|which we|that we)\s+(?:call|name|dub|term|coin|refer to as)\s+"
    r"(?:(?:it|this|them|these|the|our)(?:\s+[a-z][\w\-]*){0,2}\s+)?(?:an?\s+|the\s+)?[\"“']?"
    r"([A-Z][\w\-]*(?:\s+[A-Z][\w\-]*){0,3})"
)
_TOKEN = re.compile(r"\b[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)*\b")
_NOT_NAMES = frozenset(["arxiv", "corr", "openreview", "biorxiv", "pmlr"])
_MATH = re.compile(r"^(?:log|exp|max|min|arg|sin|cos|tanh)[A-Z0-9_]", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+(?:[\-'][^\W_]+)*")
_NOT_ENDS = STOPWORDS | {"via"}  # words a shortened title neither starts nor ends with


def author_aliases(authors: Iterable[str]) -> list[str]:
    """Each author's full name and surname ("Jared Kaplan", "Kaplan"), also as typed without
    accents ("Grunwald" for "Grünwald"); "et al." notes dropped."""
    names: list[str] = []
    for name in map(author_name, authors):
        if not name:
            continue
        for spelling in dict.fromkeys((name, fold_accents(name))):
            names.append(spelling)
            surname = spelling.split()[-1]
            if surname != spelling:
                names.append(surname)
    return names


def title_aliases(title: str, coined: bool = True) -> list[str]:
    """The title, its parts around a colon ("GPipe", "Deep Speech 2"), coined words in it
    (unless ``coined`` is false: "ImageNet" in a title may name a dataset, not the paper)."""
    names = [title.strip()]
    if ":" in title:
        names.extend(part.strip() for part in title.split(":") if part.strip())
    if coined:
        names.extend(coined_words(title))
    return names


def title_phrases(title: str) -> list[str]:
    """The runs of two or more of the title's words that start and end with a content word, as
    people shorten a title ("Identity Mappings", "Dilated Convolutions", "Scaling Laws"), longest
    first; not the whole title, nor a part of it around a colon."""
    words = title.replace(":", " : ").split()
    phrases = []
    for size in range(len(words) - 1, 1, -1):
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            if not all(_WORD.fullmatch(word) for word in run):
                continue  # a colon or "&"
            if run[0].lower() in _NOT_ENDS or run[-1].lower() in _NOT_ENDS:
                continue
            phrases.append(" ".join(run))
    whole = {name.lower() for name in title_aliases(title, coined=False)}
    return [p for p in dict.fromkeys(phrases) if p.lower() not in whole]


def is_coined(token: str) -> bool:
    """A made-up name: inner capitals or letters mixed with digits (GPipe, Ptr-Net, CS231n).

    Plain words, capitalised words and plural acronyms ("LSTMs") are not.
    """
    if len(token) < 3 or not any(c.islower() for c in token):
        return False
    if token.endswith("s") and token[:-1].isupper():
        return False
    inner_capital = any(c.isupper() and token[i] != "-" for i, c in enumerate(token[1:]))
    # Digits make a name inside a word (CS231n), not after a hyphen (top-3, ABC-2019).
    return inner_capital or ("-" not in token and any(c.isdigit() for c in token))


def coined_words(text: str) -> list[str]:
    """The coined names of ``text``, in order of appearance."""
    return [m.group() for m in _TOKEN.finditer(text) if is_coined(m.group())]


def defined_acronyms(text: str) -> list[str]:
    """Short forms the text defines, with their long forms: "Neural Turing Machine", "NTM"."""
    return [name for long_form, short in _definitions(text) for name in (long_form, short)]


def defines(text: str, short: str) -> bool:
    """Whether ``text`` spells out the short form ``short`` ("Neural Turing Machines (NTMs)"),
    in any case."""
    wanted = short.lower()
    return wanted in text.lower() and any(s.lower() == wanted for _, s in _definitions(text))


def _definitions(text: str) -> Iterator[tuple[str, str]]:
    """Each (long form, short form) the text defines, in order."""
    for match in _PAREN.finditer(text):
        short = match.group(1)
        if short.endswith("s") and sum(c.isupper() for c in short[:-1]) >= 2:
            short = short[:-1]  # NTMs -> NTM
        if sum(c.isupper() for c in short) < 2 or short.isdigit():
            continue
        words = _WORD.findall(text[max(0, match.start() - 160) : match.start()])
        long_form = _long_form(short, words[-(len(short) + 4) :])
        if long_form:
            yield long_form, short


def _long_form(short: str, words: Sequence[str]) -> str | None:
    """The fewest trailing ``words`` whose letters spell ``short`` in order (Schwartz-Hearst).

    The first letter of the short form must start a word; stopwords may sit inside.
    """
    letters = [c.lower() for c in short if c.isalnum()]
    for start in range(len(words) - 1, -1, -1):
        candidate = words[start:]
        if candidate[0].lower() in STOPWORDS or candidate[0][0].lower() != letters[0]:
            continue
        if _spells(letters, " ".join(candidate).lower()):
            content = [w for w in candidate if w.lower() not in STOPWORDS]
            if len(content) <= len(letters) + 1:
                return " ".join(candidate)
            return None
    return None


def _spells(letters: list[str], text: str) -> bool:
    """Whether ``letters`` occur in order in ``text``, the first at its start, each word used."""
    position = 0
    for i, letter in enumerate(letters):
        found = text.find(letter, position)
        if found < 0 or (i == 0 and found != 0):
            return False
        position = found + 1
    # Every content word must contribute a letter: no long forms padded with extra words.
    words = [w for w in text.split() if w not in STOPWORDS]
    return len(words) <= len(letters)


def given_names(text: str) -> list[str]:
    """Names the authors give to what they introduce: "we call it GPipe" -> "GPipe"."""
    names = [m.group(1).rstrip(".,;:") for m in _NAMING.finditer(text)]
    # One plain capitalised word ("we call these Residual Units" cut short) is no name.
    return [n for n in names if " " in n or is_coined(n) or n.isupper()]


def frequent_coined(opening: str, text: str, min_uses: int = MIN_COINED_USES) -> list[str]:
    """Coined names ("GPipe", "RNNsearch") on the title page that the whole text uses often.

    A name only the body uses is usually someone else's model ("AlexNet" in course notes), so
    it must appear in ``opening`` too. Reference-list words ("arXiv") and math ("log2") are no
    names.
    """
    candidates = set(coined_words(opening))
    counts = Counter(
        word
        for word in coined_words(text)
        if word in candidates
        and len(word) >= 4
        and word.lower() not in _NOT_NAMES
        and not _MATH.match(word)
    )
    return [name for name, n in counts.most_common(5) if n >= min_uses]


def document_aliases(
    title: str, authors: Iterable[str], opening: str = "", full_text: str = ""
) -> list[str]:
    """All aliases of a document, deduplicated (case-insensitively) in a stable order.

    ``opening`` is the title page and abstract (acronym definitions and given names there name
    the paper's own contribution); ``full_text`` tells which of its coined names the paper uses
    often.
    """
    opening = opening[:OPENING_CHARS]
    candidates = [
        *title_aliases(title),
        *author_aliases(authors),
        *defined_acronyms(opening),
        *given_names(opening),
        *frequent_coined(opening, full_text),
    ]
    seen: set[str] = set()
    aliases: list[str] = []
    for name in candidates:
        name = " ".join(name.split())
        if len(name) >= 2 and name.lower() not in seen:
            seen.add(name.lower())
            aliases.append(name)
    return aliases
