"""Text building blocks shared by every stage: one normaliser, one sentence splitter, one tokenizer.

- ``normalize`` (matching: NFKC, lower case, PDF hyphenation joined, whitespace collapsed) and
  ``norm`` (the evaluation's form of it: all whitespace removed, so ``12 %`` matches ``12%``).
- ``sentence_spans`` / ``split_sentences``: sentences of a page or of an answer, not cut after
  common abbreviations ("et al.", "Fig.") or inside numbers, each with the closing quote or
  bracket after its end.
- ``tokenize``: the terms that BM25 indexes and that citation checks compare. ``sub-layer``
  gives ``sub-layer``, ``sub`` and ``layer``; ``42.5%`` gives ``42.5``; ``βk`` stays one
  token; number words become digits and a light plural rule makes ``layers`` match ``layer``.
- ``fold_accents``: a name as people type it without accents ("Grunwald" for "Grünwald"), and
  ``greek_symbols``: a Greek letter as papers print it ("λ" for "lambda").
- ``document_header`` / ``passage_text``: what is embedded and indexed for a chunk.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_HYPHEN_BREAK = re.compile(r"-\s*\n\s*")
_WHITESPACE = re.compile(r"\s+")
# A year of the last two centuries ("1993", "2017"): a date, rarely a finding.
YEAR_PATTERN = r"(?:19|20)\d\d"


# A numbered reference mark ("[24]", "[2, 34, 49]", "[3-5]"), not an index like "w[0]".
_REFERENCE_MARK = re.compile(r"\s?(?<![\w\]])\[[1-9]\d{0,2}(?:\s*[,–-]\s*\d{1,3})*\]")


def without_reference_marks(text: str) -> str:
    """``text`` without numbered reference marks: in a prompt whose passages are numbered [1],
    [2], ... they cost tokens and read like passage numbers."""
    return _REFERENCE_MARK.sub("", text)


# Accents a PDF extracts as characters of their own, beside the letter: "Gr¨unwald", "O˘guz".
_SPACING_ACCENTS = re.compile("[\u00a8\u00b4\u00b8\u02c6\u02c7\u02d8\u02d9\u02da\u02dc`]")


@lru_cache(maxsize=256)  # a paper's whole text is folded once, not once per name
def fold_accents(text: str) -> str:
    """``text`` without accents, as people type names: "Grünwald", and a PDF's "Gr¨unwald", read
    "Grunwald". Only for comparing names: ``normalize`` keeps them, as the evaluation does."""
    decomposed = unicodedata.normalize("NFKD", _SPACING_ACCENTS.sub("", text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def join_hyphen_breaks(text: str) -> str:
    """``text`` with words a PDF hyphenated across a line break joined ("repre-\\nsentation")."""
    return _HYPHEN_BREAK.sub("", text)


def normalize(text: str) -> str:
    """NFKC, lower case, hyphen-line-breaks joined, whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _WHITESPACE.sub(" ", join_hyphen_breaks(text)).strip()


def norm(text: str) -> str:
    """``normalize`` with all whitespace removed: the evaluation's ``norm`` (shared/eval)."""
    return normalize(text).replace(" ", "")


def occurs(needle: str, text: str) -> bool:
    """Whether ``needle`` occurs in ``text`` after ``norm`` (robust to PDF line breaks)."""
    wanted = norm(needle)
    return bool(wanted) and wanted in norm(text)


def occurs_as_word(needle: str, text: str) -> bool:
    """Whether ``needle`` occurs in ``text`` (after ``normalize``) as whole words, in the plural
    or the possessive too, or after a unit's prefix: "RAG" in "RAG's retriever", not in
    "averaging"; "FLOPs" in "GFLOPs". A needle of letters only may follow a figure, as a unit
    does: "GB" in "36GB"."""
    wanted = normalize(needle)
    if not wanted:
        return False
    start = r"(?:(?<![^\W_])|(?<=\d))" if wanted.isalpha() else r"(?<![^\W_])"
    pattern = rf"{start}[kmgtp]?{re.escape(wanted)}(?:'s|’s|s|es)?(?![^\W_])"
    return re.search(pattern, normalize(text)) is not None


def letters_and_digits(text: str) -> tuple[str, list[int]]:
    """``text`` reduced to lower-case letters and digits (NFKC), with each one's index in it."""
    kept: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char).lower():
            if piece.isalnum():
                kept.append(piece)
                positions.append(index)
    return "".join(kept), positions


def display_text(text: str) -> str:
    """``text`` fit to show a person: PDF hyphen breaks joined, whitespace collapsed, and control,
    private-use and unassigned characters (glyphs a PDF font maps to nothing readable) dropped."""
    text = join_hyphen_breaks(text)
    kept = "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs", "Cn")
    )
    return _WHITESPACE.sub(" ", kept).strip()


# --- Sentences ------------------------------------------------------------------------------

# A sentence ends at . ! ? (and the closing quotes or brackets after it, which it keeps) before a
# space and a capital, digit or opening bracket, at a blank line, or before a list item on a new
# line.
_BOUNDARY = re.compile(
    r"(?<=[.!?])(?P<close>[\"'’”)\]]*)\s+(?=[\"'“(\[]?[A-Z0-9])|\n\s*\n\s*"
    r"|\n(?=\s*(?:[-*•]|\d+[.)])\s)"
)
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "al",
        "fig",
        "figs",
        "eq",
        "eqs",
        "eqn",
        "eqns",
        "sec",
        "sect",
        "tab",
        "vs",
        "cf",
        "approx",
        "resp",
        "no",
        "ref",
        "refs",
        "vol",
        "pp",
        "ch",
    ]
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of each sentence of ``text``, surrounding whitespace excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end("close") if match.group("close") is not None else match.start()
        before = text[start : match.start()]
        last_word = before.rsplit(None, 1)[-1].lower().strip("([{\"'“‘.") if before.strip() else ""
        if "\n" not in match.group() and (
            last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha())
        ):
            continue  # "et al. 2017", "(Fig. 3", "J. Smith": not an end
        _add_span(text, start, end, spans)
        start = match.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        begin = start + piece.index(stripped[0])
        spans.append((begin, begin + len(stripped)))


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, each with its whitespace collapsed."""
    return [" ".join(text[a:b].split()) for a, b in sentence_spans(text)]


# --- Terms ----------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:[.,\-'’][^\W_]+)*")
_SPLIT = re.compile(r"[\-'’]")
_DIGIT_GROUP = re.compile(r"^\d{1,3}(?:,\d{3})+$")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
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
NUMBER_WORDS = {  # a count written as a word, and its digits
    word: str(i)
    for i, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}


# Questions that ask for an amount: the answer is a number near the question's words. "What" or
# "which" may reach the measured noun across up to three words: "what dropout probability", "what
# top-5 test error rate", "which year".
_QUANTITY_NOUN = (
    r"(?:values?|percentages?|fractions?|ratios?|rates?|numbers?|sizes?|accuracy|accuracies|errors?"
    r"|scores?|years?|exponents?|probability|dimension(?:ality)?|depth|width|perplexity|bleu|f1)"
)
_QUANTITY = re.compile(
    r"\bhow (?:many|much|large|big|deep|long|fast|small|wide|often|high|low)\b"
    rf"|\b(?:what|which) (?:[\w.-]+ ){{0,3}}?{_QUANTITY_NOUN}\b|\bby how\b",
    re.IGNORECASE,
)


def asks_for_quantity(question: str) -> bool:
    """Whether ``question`` asks for an amount ("how many", "what accuracy", "which year")."""
    return bool(_QUANTITY.search(question))


# Questions that ask for a reason, and the words that give one: the answer is the sentence that
# explains ("We attribute this to ...", "... because ..."), often sharing few of the question's
# words.
_REASON = re.compile(r"\bwhy\b|\bwhat (?:goes wrong|causes|is the reason)\b", re.IGNORECASE)
_CAUSAL = re.compile(
    r"\b(?:because|due to|since|attribute[sd]?|suspect|leads? to|led to|results? in|as a result|"
    r"causes?|caused|so that|therefore|thus|hence|in order to|reason)\b",
    re.IGNORECASE,
)


# Questions that ask how long something took, and the words a duration is given in: "How long did
# it take to train X?" is not answered by a count of parameters.
_DURATION = re.compile(
    r"\bhow (?:long|much time)\b[^?]*?\b(?:take|took|taken|train|trained|training|run|ran|last"
    r"|lasted|build|building|built)\b",
    re.IGNORECASE,
)
_TIME_UNIT = re.compile(
    r"\b(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|steps?|epochs?"
    r"|iterations?|updates?|overnight)\b|\d\s*(?:ms|s|h)\b",
    re.IGNORECASE,
)


def asks_for_duration(question: str) -> bool:
    """Whether ``question`` asks how long something took ("how long did training take")."""
    return bool(_DURATION.search(question))


def states_duration(text: str) -> bool:
    """Whether ``text`` gives a span of time or of training ("five to six days", "3000 steps")."""
    return bool(_TIME_UNIT.search(text))


# Questions that ask for a probability or a dropout rate, and how one is written: "What dropout
# probability does X use?" is not answered by a perplexity.
_PROBABILITY = re.compile(
    r"\b(?:dropout|drop|keep|retention)\s+(?:rate|ratio|probability)\b"
    r"|\bprobability\b(?!\s+(?:distributions?|densit(?:y|ies)|mass|models?|theory|measures?"
    r"|functions?|space|vectors?)\b)",
    re.IGNORECASE,
)
_PROBABILITY_VALUE = re.compile(
    r"(?<![\d.\[])(?:0?\.\d+|[01](?:\.0+)?)(?![\d\]]|\.\d)"  # 0.5, .5, 1.0; not [1]
    r"|\d+(?:\.\d+)?\s*(?:%|percent\b)|\b\d+\s*/\s*\d+\b|\b\d(?:\.\d+)?e-\d+\b"
    r"|\b10\s*\^\s*[-−]\s*\d+|\b(?:one|1)\s+in\s+(?:a\s+)?(?:[\d,]+|hundred|thousand|million)"
    r"|\b(?:half|quarter|third|(?:hundred|thousand|million|billion)ths?)\b",
    re.IGNORECASE,
)


def asks_for_probability(question: str) -> bool:
    """Whether ``question`` asks for a probability or a dropout rate (not for a distribution)."""
    return bool(_PROBABILITY.search(question))


def states_probability(text: str) -> bool:
    """Whether ``text`` gives a value a probability can take ("0.5", ".65", "20%", "one half",
    "one millionth", "1e-6", "one in a thousand")."""
    return bool(_PROBABILITY_VALUE.search(text))


# Questions that ask for a count, a dimension or a size counted in items (a batch, a beam, a
# vocabulary), which are whole numbers: "What is the embedding dimension of the big Transformer?"
# is not answered by a BLEU score (38.1), nor a batch size by "0.0".
_WHOLE = re.compile(
    r"\b(?<!per )(?:dimension(?:s|ality)?|d_?model|hidden size)\b"
    r"|\b(?:(?:mini-?)?batch|beam|vocabulary)[\s-]sizes?\b"
    r"|\bhow many\s+(?:[\w-]+\s+)?(?:layers?|heads?|units?|neurons?|gpus?|filters?|channels?"
    r"|slots?|memories|partitions?|accelerators?|passages?|documents?|parameters?|weights?)"
    r"(?![\w-])",
    re.IGNORECASE,
)
_OTHER_FIGURE = re.compile(
    r"\b(?:exponents?|rates?|ratios?|coefficients?|fractions?|proportions?|accuracy|error|"
    r"perplexity|bleu|scores?|loss|speed-?ups?|probabilit(?:y|ies))\b",
    re.IGNORECASE,
)
_WHOLE_VALUE = re.compile(
    rf"(?<![\w.\[])\d+(?![.,]?\d|\])|\b(?:{'|'.join(NUMBER_WORDS)})\b"  # not "[1]", "n2"
    r"|\d(?:\.\d+)?\s*(?:thousand|million|billion|[kMB]\b)",
    re.IGNORECASE,
)


_ASKING = re.compile(r"\b(?:what|which|how)\b", re.IGNORECASE)  # where a question asks


def asks_for_whole_number(question: str) -> bool:
    """Whether ``question`` asks how many layers, heads, GPUs, ..., for a dimension or for a
    batch, beam or vocabulary size; not where it asks for a figure of another kind first ("the
    exponent of the power law relating the critical batch size to the loss"), nor where the size
    only sets the scene before what it asks ("In the batch size table, what BLEU ...?")."""
    asking = _ASKING.search(question)
    start = asking.start() if asking else 0
    size = _WHOLE.search(question, start)
    return bool(size) and not _OTHER_FIGURE.search(question, start, size.start())


def states_whole_number(text: str) -> bool:
    """Whether ``text`` gives a whole number ("6", "2048", "two"), not only decimals ("38.1")."""
    return bool(_WHOLE_VALUE.search(text))


# Questions that ask which optimizer or which activation function a paper used, and the words
# that name one: "AlexNet used dropout" or "a two-dimensional array of bits" names none.
_METHOD_ASKED = (
    r"\b(?:which|what)\s+(?:kind\s+of\s+|type\s+of\s+)?{}"
    r"(?!\s+(?:settings|hyper|param|state|learning|schedule|step|rate))"
)
_OPTIMIZER_ASKED = re.compile(
    _METHOD_ASKED.format(r"optimi[sz](?:er|ation\s+(?:algorithm|method))"), re.IGNORECASE
)
_OPTIMIZER_NAMED = re.compile(
    r"\b(?:sgd|adam\w*|momentum|gradient\s+descent|rmsprop|adagrad|adadelta|nesterov|l-?bfgs|"
    r"lamb|lars|adafactor|newton)\b",
    re.IGNORECASE,
)
_ACTIVATION_ASKED = re.compile(
    _METHOD_ASKED.format(r"(?:activation(?:\s+function)?|non-?linearit(?:y|ies))"), re.IGNORECASE
)
_ACTIVATION_NAMED = re.compile(
    r"\b(?:relus?|rectifi\w+|tanh|sigmoid\w*|logistic|softmax|gelus?|elus?|swish|maxout|"
    r"softplus|leaky|hyperbolic\s+tangent|linear|step\s+function)\b",
    re.IGNORECASE,
)


# Training settings a question may ask the value of, each with how a passage that gives it
# names it: "What weight decay did X use?" is not answered by a passage giving only a dropout
# rate. The passage side is lenient ("decay of 0.0005", "Pdrop", "step size"): it only has to
# be about that setting.
_SETTINGS = (
    (r"weight[\s-]decay|L2\s+(?:penalty|regulari[sz]ation)", r"decay|L2"),
    (r"drop[\s-]?out", r"drop|keep|retain"),
    (r"learning[\s-]rates?", r"learning[\s-]rate|step[\s-]?size|\blr\b|η|α|alpha|eta"),
    (r"momentum", r"momentum|nesterov|β|beta"),
    (r"(?:mini-?)?batch[\s-]sizes?", r"batch|per (?:step|update|gpu|worker|replica)"),
    (r"label[\s-]smoothing", r"smooth|ε|eps"),
    (r"warm-?up", r"warm-?up|ramp"),
    (r"beam[\s-](?:size|width)", r"beam"),
)
_SETTINGS_RE = [
    (re.compile(rf"\b(?:{asked})\b", re.IGNORECASE), re.compile(stated, re.IGNORECASE))
    for asked, stated in _SETTINGS
]


def settings_unnamed(question: str, text: str) -> list[str]:
    """The training settings ``question`` names ("weight decay", "dropout") that ``text`` never
    names, in the question's words."""
    return [
        found[0]
        for asked, stated in _SETTINGS_RE
        if (found := asked.search(question)) and not stated.search(text)
    ]


def asks_for_optimizer(question: str) -> bool:
    """Whether ``question`` asks which optimizer was used ("Which optimizer did X use?")."""
    return bool(_OPTIMIZER_ASKED.search(question))


def names_optimizer(text: str) -> bool:
    """Whether ``text`` names an optimizer ("SGD with momentum", "Adam")."""
    return bool(_OPTIMIZER_NAMED.search(text))


def asks_for_activation(question: str) -> bool:
    """Whether ``question`` asks which activation function or nonlinearity was used."""
    return bool(_ACTIVATION_ASKED.search(question))


def names_activation(text: str) -> bool:
    """Whether ``text`` names an activation function ("ReLU", "tanh units")."""
    return bool(_ACTIVATION_NAMED.search(text))


# Things a question asks for by what kind they are ("Which optimizer ...?"), each with how a text
# names one ("stochastic gradient descent"): the answer check and the evidence cue both use them.
NAMED_KINDS = ((asks_for_optimizer, names_optimizer), (asks_for_activation, names_activation))


# Questions that ask for an accuracy or an error rate, which lie between 0 and 100: "What
# ImageNet accuracy does the 1001-layer network reach?" is not answered by the "200" of "a
# 200-layer network".
_RATE = re.compile(
    r"\b(?:accurac(?:y|ies)|error\s+rates?|(?:top-?\s?\d|top-(?:one|five)|test|validation"
    r"|classification|word|character)[\s-]+errors?|WER|CER|F1)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"%|\bper\s?cent\b", re.IGNORECASE)
# A figure on its own: not a marker ("[1]"), nor part of a name or a compound ("top-1", "50-layer").
_FIGURE = re.compile(r"(?<![\w.\[-])\d[\d,]*(?:\.\d+)?(?![\d\]]|\.\d|-[A-Za-z])")


def asks_for_rate(question: str) -> bool:
    """Whether ``question`` asks for an accuracy or an error rate ("top-5 error", "WER")."""
    return bool(_RATE.search(question))


def states_rate(text: str) -> bool:
    """Whether ``text`` gives a value an accuracy or error rate can take: a percentage, a figure
    of at most 100 ("0.92", "15.3"), or no figure at all (an answer in words)."""
    if _PERCENT.search(text):
        return True
    figures = [float(figure.replace(",", "")) for figure in _FIGURE.findall(text)]
    return not figures or min(figures) <= 100


# Questions that ask for an exponent, which is a figure: "What exponent does the power law in
# model size have?" is not answered by the symbol that names it ("alpha_N").
_EXPONENT = re.compile(
    r"\b(?:what|which)\s+(?:(?:is|are|was|were)\s+)?(?:the\s+)?(?:[\w-]+\s+){0,3}?exponents?\b",
    re.IGNORECASE,
)
_ANY_FIGURE = re.compile(
    rf"\d(?![\d,]*\])|\b(?:{'|'.join(NUMBER_WORDS)}|half|third|quarter)\b", re.IGNORECASE
)


def asks_for_exponent(question: str) -> bool:
    """Whether ``question`` asks what an exponent is ("what power-law exponent ...")."""
    return bool(_EXPONENT.search(question))


def states_figure(text: str) -> bool:
    """Whether ``text`` gives a figure ("0.076", "D^-0.5", "one half"), not only a symbol."""
    return bool(_ANY_FIGURE.search(text))


def asks_why(question: str) -> bool:
    """Whether ``question`` asks for a reason ("why", "what goes wrong")."""
    return bool(_REASON.search(question))


# Questions that ask what a paper is about as a whole: its abstract answers them, in words they
# rarely share ("What is the main idea of the ResNet paper?", "Summarize DPR").
_GIST = re.compile(
    r"\b(?:main|key|central|core|basic|big) (?:ideas?|contributions?|points?|findings?|insights?"
    r"|messages?|claims?|takeaways?)\b|\bsummar(?:ise|ize)\b|\b(?:a|brief|short) summary\b"
    r"|\bsummary of\b|\boverview\b|\btl;?dr\b"
    r"|\bwhat (?:is|was) (?:[\w'-]+ ){1,6}(?:paper|post|article|thesis|tutorial|book) about\b"
    r"|\bwhat does (?:[\w'-]+ ){1,6}(?:paper|post|article) (?:propose|introduce|contribute)\b"
    r"|\bwhat problems? does .+ (?:solve|address|tackle)\b",
    re.IGNORECASE,
)


def asks_for_gist(question: str) -> bool:
    """Whether ``question`` asks what a paper is about ("main idea", "summarize", "overview")."""
    return bool(_GIST.search(question))


# Questions that ask what a short form stands for ("What does NTM stand for?"): the sentence that
# spells it out answers them, and it is rarely the passage most about the short form.
_EXPANSION = re.compile(
    r"\bwhat (?:does|do|did) (?:the )?(?:acronym |abbreviation |name )?([\w-]+) stand for\b"
    r"|\bwhat (?:is|was) (?:the )?(?:acronym |abbreviation )?([\w-]+) short for\b"
    r"|\b(?:what (?:is|was) )?the (?:full|long) (?:name|form) of (?:the )?([\w-]+)"
    r"|\bwhat does the (?:acronym|abbreviation) ([\w-]+) mean\b",
    re.IGNORECASE,
)


def asked_short_form(question: str) -> str | None:
    """The short form whose long form ``question`` asks for ("What does NTM stand for?": "NTM"),
    if it asks for one; a plural's "s" is dropped ("NTMs")."""
    match = _EXPANSION.search(question)
    if not match:
        return None
    short = next(group for group in match.groups() if group)
    if len(short) > 2 and short.endswith("s") and short[:-1].isupper():
        short = short[:-1]
    return short


_WHICH_PAPER = re.compile(
    r"^\W*(?:in |from )?(?:which|what) (?:of the )?(?:papers?|works?|articles?|posts?"
    r"|publications?|stud(?:y|ies)|thes[ie]s)\b",
    re.IGNORECASE,
)


def asks_which_paper(question: str) -> bool:
    """Whether ``question`` asks which paper says or does something ("Which paper introduced
    residual connections?")."""
    return bool(_WHICH_PAPER.search(question))


# Questions that ask for several things ("Which datasets ...", "What are the three gates ...",
# "What kinds of text ..."): a plural noun right after the question word, or "kinds of".
_COUNT_WORD = r"(?:two|three|four|five|six|seven|eight|nine|ten|several|\d+)"
_LIST = re.compile(
    r"^\W*(?:which|what)\s+(?:(?:kinds|types|sorts)\s+of\b"
    rf"|(?:{_COUNT_WORD}\s+)?(?:(?!of\b)[\w-]+\s+){{0,2}}?[a-z-]+[^s'\W]s\s+"
    r"(?:are|were|is|was|do|does|did|have|has|had)\b"
    rf"|(?:are|were)\s+(?:the\s+)?(?:{_COUNT_WORD}\s+)?(?:[\w-]+\s+){{0,2}}?[a-z-]+[^s'\W]s\b)",
    re.IGNORECASE,
)


def asks_for_list(question: str) -> bool:
    """Whether ``question`` asks for several things ("Which datasets ...", "What are the two ...",
    "What kinds of ...") rather than one."""
    return bool(_LIST.search(question))


def gives_reason(text: str) -> bool:
    """Whether ``text`` gives a reason ("because", "due to", "we attribute this to")."""
    return bool(_CAUSAL.search(text))


# A cause stated outright, not a "since", "thus" or "so that" in passing.
_EXPLAINS = re.compile(
    r"\b(?:because|due to|attribute[sd]?|the reason|caused by|explains?|explained by)\b",
    re.IGNORECASE,
)


def explains(text: str) -> bool:
    """Whether ``text`` states a cause outright ("because", "we attribute this to", "the reason
    is"); ``gives_reason`` also counts a "since" or "thus" in passing."""
    return bool(_EXPLAINS.search(text))


def stem(token: str) -> str:
    """Number words to digits, and a light plural rule (``layers`` -> ``layer``)."""
    if token in NUMBER_WORDS:
        return NUMBER_WORDS[token]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        if token.endswith("ies") and len(token) > 4:
            return token[:-3] + "y"
        return token[:-1]
    return token


def inflection_of(word: str, other: str, ending: int = 3) -> bool:
    """Whether one word is the other with an ending of up to ``ending`` letters ("reported",
    "report"); neither shorter than three letters."""
    shorter, longer = sorted((word, other), key=len)
    return len(shorter) >= 3 and len(longer) - len(shorter) <= ending and longer.startswith(shorter)


def term_spans(text: str) -> list[tuple[str, int, int]]:
    """The terms of ``text`` with the span of each word, for lining up a reply with the sentence
    it copies: ``tokenize``'s terms, except that a hyphenated word stays one term."""
    spans: list[tuple[str, int, int]] = []
    for match in _WORD.finditer(text):
        word = match.group().lower().rstrip(".,")
        if word and word not in STOPWORDS:
            spans.append((stem(word), match.start(), match.start() + len(word)))
    return spans


# Raised whenever ``tokenize`` gives other terms (2: a typographic apostrophe read as "'"): an
# index whose BM25 terms another version gave is built again on its next update.
TERMS_VERSION = 2


def tokenize(text: str) -> list[str]:
    """The terms of ``text``, in order, stopwords removed (BM25's and the citation check's).
    A typographic apostrophe is the typed one: papers print "WMT’14", people type "WMT'14"."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    tokens: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group().rstrip(".,")
        if _DIGIT_GROUP.match(word):
            word = word.replace(",", "")  # 1,024 -> 1024
        elif "," in word:
            tokens.extend(tokenize(word.replace(",", " ")))
            continue
        parts = [p for p in _SPLIT.split(word) if p]
        if len(parts) > 1:
            tokens.extend(stem(p) for p in parts if p not in STOPWORDS)
        if word and word not in STOPWORDS:
            tokens.append(stem(word))
    return tokens


# Greek letters as people type them and as papers print them: "What value of lambda?" asks about
# "λ = 1.1". Questions name them, so the question's side gets the symbols (``greek_symbols``).
GREEK_LETTERS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ",
    "omega": "ω",
}  # fmt: skip


def greek_symbols(text: str) -> list[str]:
    """The symbols of the Greek letters ``text`` spells out ("lambda" gives "λ"), as terms."""
    return [GREEK_LETTERS[t] for t in dict.fromkeys(tokenize(text)) if t in GREEK_LETTERS]


# --- What is indexed for a chunk --------------------------------------------------------------


def author_name(author: str) -> str:
    """An author as listed, without notes: "Jared Kaplan (OpenAI)" is "Jared Kaplan"; "" if none."""
    return re.sub(r"\(.*?\)|\bet al\.?", "", author).strip(" ,")


def document_header(title: str, authors: list[str], year: int | None) -> str:
    """``Title (Surname, Surname, ... year)``: lets "Vaswani et al." or "Graves" find a paper."""
    surnames = [name.split()[-1] for name in map(author_name, authors) if name]
    names = ", ".join(surnames[:4]) + (" et al." if len(surnames) > 4 else "")
    details = " ".join(part for part in (names, str(year) if year else "") if part)
    return f"{title} ({details})" if details else title


def passage_text(header: str, section: str, text: str) -> str:
    """What is embedded and BM25-indexed for a chunk: the document header and section, then text."""
    head = f"{header}. {section}." if section else f"{header}."
    return f"{head}\n{text}"
