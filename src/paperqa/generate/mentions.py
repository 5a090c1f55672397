"""Which reading-list papers a question names: by title, by a common nickname, or by author.

Used to answer two-paper questions with evidence from both papers, to give follow-ups their subject,
and to say that a named reading-list paper is not indexed. Nicknames are the names the papers are
generally known by (AlexNet, ResNet, DPR), not wording from any question set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from paperqa.readinglist import Paper, reading_list

# Names a paper goes by besides its title; matched case-sensitively on word boundaries.
ALIASES: dict[str, tuple[str, ...]] = {
    "first-law-of-complexodynamics": ("Complexodynamics", "complextropy"),
    "unreasonable-effectiveness-of-rnns": ("char-rnn", "Unreasonable Effectiveness"),
    "understanding-lstm-networks": ("Understanding LSTM",),
    "rnn-regularization": ("RNN regularization",),
    "keeping-nn-simple-mdl-weights": ("Hinton and van Camp", "Hinton & van Camp", "van Camp"),
    "pointer-networks": ("Pointer Network", "Pointer Networks", "Ptr-Net"),
    "imagenet-classification-deep-cnns": ("AlexNet", "Krizhevsky"),
    "order-matters-seq2seq-for-sets": ("Order Matters", "Read-Process-and-Write"),
    "gpipe": ("GPipe",),
    "deep-residual-learning": ("ResNet", "ResNets", "residual nets", "residual networks"),
    "dilated-convolutions": ("dilated convolutions", "dilated convolution", "Yu and Koltun"),
    "neural-message-passing-quantum-chemistry": ("MPNN", "MPNNs", "Gilmer"),
    "attention-is-all-you-need": ("Transformer", "Vaswani"),
    "nmt-jointly-learning-to-align-and-translate": ("Bahdanau", "RNNsearch"),
    "identity-mappings-resnets": ("identity mappings", "Identity Mappings"),
    "relational-reasoning-module": ("Relation Network", "Relation Networks"),
    "variational-lossy-autoencoder": ("VLAE", "Lossy Autoencoder"),
    "relational-rnns": ("Relational Memory Core", "RMC", "relational RNN"),
    "coffee-automaton": ("Coffee Automaton", "coffee automaton"),
    "neural-turing-machines": ("Neural Turing Machine", "NTM", "NTMs"),
    "deep-speech-2": ("Deep Speech 2", "DS2"),
    "scaling-laws-neural-lms": ("Kaplan", "scaling laws", "scaling law"),
    "mdl-tutorial": ("MDL tutorial", "Grünwald", "Grunwald"),
    "machine-super-intelligence": ("Legg",),
    "kolmogorov-complexity-algorithmic-randomness": ("Uspensky", "Vereshchagin"),
    "cs231n-notes": ("CS231n",),
    "multi-token-prediction": ("multi-token prediction", "Multi-token prediction"),
    "dense-passage-retrieval": ("DPR", "Karpukhin"),
    "retrieval-augmented-generation": ("RAG", "Retrieval-Augmented Generation"),
    "zephyr": ("Zephyr",),
}


_MIN_SURNAME = 4  # shorter surnames (He, Yu) are common words or too ambiguous


@dataclass(frozen=True)
class Mention:
    """A paper named in a text: its id, the words that named it and where they start."""

    paper: str
    name: str
    start: int


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    surnames = [_surname(paper) for paper in reading_list()]
    patterns = []
    for paper, surname in zip(reading_list(), surnames, strict=True):
        names = [*ALIASES.get(paper.id, ()), _short_title(paper)]
        if len(surname) >= _MIN_SURNAME and surnames.count(surname) == 1:
            names.append(surname)  # "Zaremba et al.", "Olah's essay"; not "He" nor "Vinyals"
        alternation = "|".join(_flexible(n) for n in sorted(set(names), key=len, reverse=True))
        title = _flexible(paper.title)
        patterns.append((paper.id, re.compile(rf"(?i:{title})|(?<![\w-])(?:{alternation})(?!\w)")))
    return tuple(patterns)


def _flexible(name: str) -> str:
    """A regex for ``name`` where a space and a hyphen match each other."""
    return r"[\s-]+".join(re.escape(part) for part in re.split(r"[\s-]+", name))


def _surname(paper: Paper) -> str:
    first = re.sub(r"\(.*?\)|\bet al\.?", "", paper.authors[0]).split()
    return first[-1] if first else ""


def _short_title(paper: Paper) -> str:
    """The title before a colon ("GPipe", "Deep Speech 2"), or the whole title."""
    return paper.title.split(":")[0].strip()


def mentions(text: str) -> list[Mention]:
    """The reading-list papers ``text`` names, each once, in the order they are first named."""
    found = []
    for paper_id, pattern in _patterns():
        match = pattern.search(text)
        if match:
            found.append(Mention(paper_id, match.group(0), match.start()))
    found.sort(key=lambda m: m.start)
    # "Residual Networks" inside the title "Identity Mappings in Deep Residual Networks" names
    # that paper only: drop a mention lying inside another paper's longer one.
    return [
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
