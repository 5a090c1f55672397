"""The BM25 tokenizer: lower-cased words that survive hyphens, decimals, Greek letters and math.

``pre-activation`` gives ``pre-activation``, ``pre`` and ``activation``; ``15.3%`` gives ``15.3``;
``αN`` stays one token. A light plural rule makes ``layers`` match ``layer``.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:[.\-'’][^\W_]+)*")
_SPLIT = re.compile(r"[\-'’]")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "s",
        "t",
        "according",
        "paper",
        "papers",
    ]
)


def _stem(token: str) -> str:
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        if token.endswith("ies") and len(token) > 4:
            return token[:-3] + "y"
        return token[:-1]
    return token


def tokenize(text: str) -> list[str]:
    """BM25 terms of ``text``, in order, stopwords removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    tokens: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group().rstrip(".")
        parts = [p for p in _SPLIT.split(word) if p]
        if len(parts) > 1:
            tokens.extend(_stem(p) for p in parts if p not in STOPWORDS)
        if word and word not in STOPWORDS:
            tokens.append(_stem(word))
    return tokens
