"""Reading the model's reply before its citations are checked.

Whether it refuses (``is_refusal``: the passages lack the answer, not a negative statement about
the subject), whether it gives the kind of value the question asks for or only restates the
question (``gives_the_kind_asked``; ``quoted_instead`` puts the closest quoted sentence in place of
a restatement, ``reason_instead`` the closest one giving a reason in place of a reply to "why" that
gives none, ``denial_instead`` the closest one in place of a bare "Yes" that it plays down), the
figure of the table cell the question names (``with_the_cell_asked``), of the row of a flattened
table (``with_the_row_asked``; in the column the reply read, for a table of several columns,
``with_the_named_rows_column``) or of the item of a quoted list it names
(``with_the_count_asked``), and the papers it points to by a passage ("[2] introduced ...",
``name_the_papers``). A list the model wrote one item a line becomes one sentence
(``list_in_one_sentence``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from paperqa.generate.citations import capitalised_terms, strip_markers
from paperqa.generate.evidence import Evidence, closest_quoted_sentence
from paperqa.generate.prompts import MODEL_REFUSAL, REFUSAL_TEXT
from paperqa.mentions import names_paper
from paperqa.tables import cell_asked, table_cells
from paperqa.text import (
    NAMED_KINDS,
    asks_for_duration,
    asks_for_exponent,
    asks_for_probability,
    asks_for_rate,
    asks_for_whole_number,
    asks_which_paper,
    asks_why,
    explains,
    gives_reason,
    inflection_of,
    normalize,
    split_sentences,
    states_duration,
    states_figure,
    states_probability,
    states_rate,
    states_whole_number,
    tokenize,
)

# A question that asks for something to be named or explained, in its last sentence, after any
# phrase that sets the scene ("According to X, which ...", "In Glorp World, how many ..."); a
# yes-or-no one ("Does X use Y?", "Does X use Y, which ...?") is answered in its own words.
_WH_QUESTION_RE = re.compile(
    r"\s*(?:(?:according|in|on|at|for|from|with|without|by|among|after|before|once|if|while|"
    r"compared|given|besides|beyond|across|within|under|during|unlike|as|since|to)\b[^,?]*,\s*)?"
    r"(?:what|which|who|whom|how|why|where|when)\b",
    re.IGNORECASE,
)
# A yes-or-no question, in its last sentence: "Does X use Y?", "Is X deeper than Y?".
_YES_NO_QUESTION_RE = re.compile(
    r"\s*(?:do|does|did|is|are|was|were|can|could|has|have|had|will|would|should)\b",
    re.IGNORECASE,
)
_YES_RE = re.compile(r"yes\b[,.:;]?\s*", re.IGNORECASE)
# Words that deny or play down what a sentence says: "has minimal effects", "does not help".
_PLAYS_DOWN_RE = re.compile(
    r"not|no|never|cannot|\w+n't|minimal|negligible|little|hardly|barely|weak|weakly|"
    r"marginal|marginally|slight|slightly",
    re.IGNORECASE,
)
_NOT_ONLY_RE = re.compile(r"not only\b", re.IGNORECASE)  # "It not only outperforms X, but ..."
_WORD_RE = re.compile(r"[\w'’-]+")
PLAY_DOWN_REACH = 4  # words: how near a question's term a word playing it down must stand
# Kinds of value a question can ask for, each with how a reply gives one: a duration, a
# probability, a whole number (a count or a dimension), an accuracy or error rate.
_VALUE_KINDS = (
    (asks_for_duration, states_duration),
    (asks_for_probability, states_probability),
    (asks_for_whole_number, states_whole_number),
    (asks_for_rate, states_rate),
    (asks_for_exponent, states_figure),
    *NAMED_KINDS,
)
# The subject of a sentence answering "which paper", when it points to a passage, not a paper.
# Its authors as the model gives them ("The paper by Long et al. (2015)") go with it: the model
# reads them off passages that cite or thank other people, and the title says which paper it is.
_PAPER_SUBJECT = re.compile(
    r"^(?:\[(\d+)\]|(?i:the|this|that) (?i:paper|work|article|post|study)\b)"
    r"(?: by (?:[A-Z][\w.'-]*(?:,? and |, | )?)+(?:et al\.? ?)?(?:\(\d{4}\) ?)?(?=[a-z]))?"
)
_PAPER_POINTER = re.compile(
    r"\b(?:the |this )?(?:paper|passage|work|article|post|source) \[(\d+)\]", re.IGNORECASE
)
_MARKER_RE = re.compile(r"\[(\d+)\]")
_MARKER_RUN = re.compile(r"\[\d+\](?:(?:, ?|,? and )\[\d+\])+")
# A refusal says the passages/papers lack the answer ("The passages do not mention XyzNet"), or the
# model says it cannot answer. Negative words about the subject itself ("LSTMs are unable to learn
# long-term dependencies", "the Transformer does not contain recurrence") are answers.
_REFUSAL_RE = re.compile(  # denials that need a source or speaker in the same sentence
    r"do(?:es)?(?: not|n'?t) (?:answer|contain|mention|provide|include|discuss|specify|say|state|"
    r"describe|address|cover|give)|cannot (?:answer|determine|find|say)|"
    r"can'?t (?:answer|determine|find|say)|unable to|no (?:details?|data)\b",
    re.IGNORECASE,
)
_PLAIN_REFUSAL_RE = re.compile(  # denials that refuse on their own ("X is not mentioned.")
    r"don'?t answer|cannot be answered|no (?:information|mention)\b|"
    r"(?:is|are|was|were) not (?:mentioned|provided|specified|stated|discussed|covered|given|"
    r"reported|available)\b",
    re.IGNORECASE,
)
_SOURCE_RE = re.compile(
    r"\b(?:passages?|papers?|texts?|context|documents?|excerpts?|sources?|provided|given|"
    r"information|details?|collection)\b|^\s*(?:I|I'm|Sorry)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK_RE = re.compile(r"\s*[,;:\u2013\u2014]\s*|\s+-\s+")
_CONJUNCTION_RE = re.compile(r"(?:but|and|yet|so)?", re.IGNORECASE)
_SPEAKER_RE = re.compile(r"\bI\b")  # "..., but I cannot answer that"
_RELATIVE_RE = re.compile(r"\b(?:that|which|who)\s*$", re.IGNORECASE)
_OPENING_WORDS = 4  # where a sentence's subject is: "The provided passages ..."


# A line of a list the model wrote one item a line: a bullet or a number may open it.
_ITEM_MARK_RE = re.compile(r"^(?:[-*\u2022]|\d{1,2}[.)])\s+")
_MAX_ITEM_WORDS = 12  # a longer line is a sentence of its own, not an item
_MAX_STOPPED_ITEM_WORDS = 5  # ... and so is a longer one that ends with a full stop


def list_in_one_sentence(reply: str) -> str:
    """``reply`` with a list written one item a line ("X are:", "- A", "- B") put into one
    sentence ("X are: A and B."), so that it reads, and is cited, as the answer it is. Numbered or
    bulleted sentences lose their marks (a lone "1." would be cited as a sentence); a reply whose
    lines are plain sentences is left as it is."""
    lines = [line.strip() for line in reply.splitlines() if line.strip()]
    lead = lines[0] if lines and lines[0].endswith(":") else None
    body = lines[bool(lead) :]
    if len(body) < 2:
        return reply
    if all(_is_item(line) for line in body):
        items = [_as_item(line) for line in body]
        joined = ", ".join(items[:-1]) + f" and {items[-1]}"
        return f"{lead} {joined}." if lead else f"{joined[0].upper()}{joined[1:]}."
    if any(_ITEM_MARK_RE.match(line) for line in body):
        sentences = [_ITEM_MARK_RE.sub("", line) for line in body]
        first = f"{lead} {sentences[0]}" if lead else sentences[0]
        return "\n".join([first, *sentences[1:]])
    return reply


def _is_item(line: str) -> bool:
    """Whether a line of a reply is a list item, not a sentence: short, and without an end stop
    unless it is marked as an item and very short ("- Dropout.")."""
    words = len(_ITEM_MARK_RE.sub("", line).split())
    if not line.endswith((".", "]")):
        return words <= _MAX_ITEM_WORDS
    return bool(_ITEM_MARK_RE.match(line)) and words <= _MAX_STOPPED_ITEM_WORDS


def _as_item(line: str) -> str:
    """A list line as an item inside a sentence: no bullet, no end stop, no capital on "The"."""
    item = _ITEM_MARK_RE.sub("", line).rstrip(".;,")
    first, _, rest = item.partition(" ")
    if first in _CAPITALISED_DETERMINERS:
        return f"{first.lower()} {rest}"
    return item


_CAPITALISED_DETERMINERS = {"The", "A", "An", "Its", "Their", "Our", "Each", "Every"}


def name_the_papers(text: str, papers: Mapping[int, tuple[str, str]]) -> str:
    """``text`` with each paper the model points to by a passage ("[2] introduced ...", "The
    paper introduced ... [2]", "used in paper [2]") named by its title: the answer to "which
    paper ...?". ``papers``: the (id, title) of the passage each marker cites."""
    return " ".join(_paper_named(sentence, papers) for sentence in split_sentences(text))


def _paper_named(sentence: str, papers: Mapping[int, tuple[str, str]]) -> str:
    def title(pointer: re.Match[str]) -> str:
        number = int(pointer.group(1))
        return f"{papers[number][1]} [{number}]" if number in papers else pointer.group(0)

    original = sentence  # "The papers that use it are [1], [2] and [4]."
    sentence = _MARKER_RUN.sub(lambda run: _titled_run(run, original, papers), sentence)
    markers = [int(m) for m in _MARKER_RE.findall(sentence)]
    sentence = _PAPER_POINTER.sub(title, sentence)
    subject = _PAPER_SUBJECT.match(sentence)
    if not subject or not markers or markers[0] not in papers:
        return sentence
    (doc, name), rest = papers[markers[0]], sentence[subject.end() :]
    if subject.group(1) and names_paper(rest, doc):  # "[1] Pointer Networks introduced ..."
        return rest.strip()
    named = f"{name} [{markers[0]}]" if subject.group(1) else name
    rest = rest.lstrip()
    return f"{named} {rest}" if rest[:1].isalnum() else named + rest


def _titled_run(run: re.Match[str], sentence: str, papers: Mapping[int, tuple[str, str]]) -> str:
    """A run of markers ("[1], [2] and [4]") as the titles of their papers, each paper once with
    its first marker; the paper whose title the run follows keeps its marker alone."""
    before = sentence[: run.start()].rstrip().lower()
    titled: dict[str, str] = {}
    for number in map(int, re.findall(r"\d+", run.group(0))):
        if number not in papers:
            return run.group(0)
        doc, title = papers[number]
        titled.setdefault(
            doc, f"[{number}]" if before.endswith(title.lower()) else f"{title} [{number}]"
        )
    items = list(titled.values())
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def gives_the_kind_asked(question: str, reply: str, evidence: Sequence[str] = ()) -> bool:
    """Whether the model's reply is of the kind the question asks for: one asking how long
    something took gives a span of time or steps ("The big Transformer took 1018 parameters to
    train" read a number off a table of training costs; it is no answer), one asking for a
    probability or a dropout rate gives a value one can take (not a perplexity), one asking how
    many layers, heads, ... or for a dimension a whole number (not a BLEU score), one asking for
    an accuracy or error rate a figure up to 100 or a percentage (not the "200" of "a 200-layer
    network"), one asking which optimizer or activation function names one (not "dropout"), a
    question asking why none of these, and the reply does not merely restate the question
    (``_restates``) nor give, for an accuracy, a figure the quoted ``evidence`` calls an error
    rate, or the reverse (``_gives_the_other_rate``), nor, for a top-5 error, a figure no quoted
    sentence gives as one (``_not_top_k``), nor, for a count of one split of a dataset ("How
    many test images ...?"), a figure no quoted sentence gives with that split's name
    (``_not_the_split_asked``)."""
    reply = strip_markers(reply)
    if any(
        gives_other(question, reply, evidence)
        for gives_other in (_gives_the_other_rate, _not_top_k, _not_the_split_asked)
    ):
        return False
    asks_value = not asks_why(question)  # "Why scale by the key dimension?" asks for no value
    given = _without_asked_figures(reply, question)
    if asks_value and any(asks(question) and not states(given) for asks, states in _VALUE_KINDS):
        return False
    return not _restates(question, reply)


def _without_asked_figures(reply: str, question: str) -> str:
    """``reply`` without the names with a number that the question has too: "Deep Speech 2"
    gives no batch size ("ResNet-152 has 152 layers" still gives a depth)."""
    for name in {m.group() for m in _NUMBERED_NAME_RE.finditer(question)}:
        reply = reply.replace(name, " ")
    return reply


# A name that ends in a number: "Deep Speech 2", "ResNet-152", "CIFAR-10".
_NUMBERED_NAME_RE = re.compile(r"\b(?:[A-Z][\w.]*[\s-])+\d+(?:\.\d+)?\b|\b[A-Za-z]+-\d+\b")


def _restates(question: str, reply: str) -> bool:
    """Whether a reply to a question asking what, which, who, how or why adds no word of its own
    and capitalises none as a name ("X reported Mandarin test sets" restates the question; "The
    Nth Farthest task" names the task asked for; "[1] introduced X" names the paper asked for by
    its passage)."""
    if not _WH_QUESTION_RE.match(_last_sentence(question)) or asks_which_paper(question):
        return False
    return _adds_nothing(question, strip_markers(reply))


def _last_sentence(question: str) -> str:
    """What a question asks: its last sentence, after any that set the scene."""
    sentences = split_sentences(question)
    return sentences[-1] if sentences else ""


def _adds_nothing(question: str, reply: str) -> bool:
    """Whether the reply has no word the question lacks and capitalises none as a name."""
    asked = set(tokenize(question))
    new_words = [word for word in tokenize(reply) if not _inflects_any(word, asked)]
    return not new_words and not capitalised_terms(reply) - capitalised_terms(question)


def quoted_instead(question: str, reply: str, evidence: list[Evidence]) -> str:
    """A reply that restates the question gives way to the quoted sentence closest to the question,
    where that sentence answers in its own words: the small model echoes the question's wording
    ("A Glorp cell folds two gates into one") when a passage says it otherwise ("It merges the
    reset and carry gates")."""
    if is_refusal(reply) or not _restates(question, reply):
        return reply
    quoted = closest_quoted_sentence(question, evidence)
    return quoted if quoted and gives_the_kind_asked(question, quoted) else reply


def denial_instead(question: str, reply: str, evidence: list[Evidence]) -> str:
    """A "Yes" to a yes-or-no question that only says the question again gives way to the quoted
    sentence closest to the question among those that play the claim down ("Glorp width has
    minimal effects", "By not using X on Y ..."): the small model answers "Does X matter much?"
    with "Yes, X matters much" over a passage saying it barely does. The reader then has the
    passage's own words; with no such sentence quoted, the reply stands."""
    if not _YES_NO_QUESTION_RE.match(_last_sentence(question)):
        return reply
    plain = strip_markers(reply).strip()
    yes = _YES_RE.match(plain)
    if not yes or not _adds_nothing(question, plain[yes.end() :]):
        return reply
    asked = set(tokenize(question))
    quoted = closest_quoted_sentence(question, evidence, only=lambda s: _plays_down(s, asked))
    return quoted or reply


def _plays_down(sentence: str, asked: set[str]) -> bool:
    """Whether a word denying or playing down ("not", "minimal") stands within a few words of one
    of the question's terms (``asked``): "width or depth have minimal effects", not "a simple
    bijection ... whose cost is negligible" three clauses on."""
    words = _WORD_RE.findall(sentence)
    near = [{*tokenize(word)} & asked for word in words]
    return any(
        _PLAYS_DOWN_RE.fullmatch(word)
        and not _NOT_ONLY_RE.match(" ".join(words[i : i + 2]))
        and any(near[max(0, i - PLAY_DOWN_REACH) : i + PLAY_DOWN_REACH + 1])
        for i, word in enumerate(words)
    )


# A purpose or a means given as a reason: "scaled down to counteract ...", "in order to ...", "by
# reformulating the layers ..."; not "to 36%", "to the ...".
_PURPOSE_RE = re.compile(
    r"\bto\s+(?!(?:the|a|an|this|that|these|those|its|their|his|her|our|be)\b)[a-z]{3,}"
    r"|\bby\s+(?:[a-z]+ly\s+)?[a-z]{2,}ing\b",
    re.IGNORECASE,
)


def reason_instead(question: str, reply: str, evidence: list[Evidence]) -> str:
    """A reply to a question asking why that gives no reason gives way to the quoted sentence
    nearest the question that does, with the sentence it leans on: one that states a cause
    outright ("We attribute this to ...") before one with a "since" or "thus" in passing. The
    small model answers "Why does X help less for Glorp?" with how much less."""
    if not asks_why(question) or is_refusal(reply):
        return reply
    plain = strip_markers(reply)
    if gives_reason(plain) or _PURPOSE_RE.search(plain):
        return reply
    return (
        closest_quoted_sentence(question, evidence, only=explains)
        or closest_quoted_sentence(question, evidence, only=gives_reason)
        or reply
    )


def _inflects_any(word: str, words: set[str]) -> bool:
    """Whether ``word`` is one of ``words`` or an inflection of one ("reported", "report")."""
    return any(word == other or inflection_of(word, other) for other in words)


# A figure in a reply, not a passage's marker ("[1]"): "22.15", "1,024", the "15.3" of "15.3%".
_REPLY_FIGURE_RE = re.compile(r"(?<![\w.\[])\d[\d,]*(?:\.\d+)?(?![\d\]]|\.\d)")


def the_cell_asked(question: str, evidence: Sequence[str]) -> str | None:
    """The one table cell of ``evidence`` whose row and column the question names both
    (``paperqa.tables.cell_asked``), said as "ResNet-164, pre-activation unit: 5.46."; None
    where there is no such cell or it holds no figure. For a model that refused with that row
    in front of it: it reads a table's rows poorly when the question words them otherwise."""
    cell = cell_asked(question, table_cells(*evidence))
    if cell is None or not _REPLY_FIGURE_RE.search(cell.figure):
        return None
    return f"{cell.row}, {cell.heading}: {cell.figure}."


def with_the_cell_asked(reply: str, question: str, evidence: list[str]) -> str:
    """``reply`` giving the figure of the table cell the question names, where it gives another
    figure of that table, or one the evidence does not hold, instead.

    The model reads a labelled row ("Noisy street: Alpha 21.5, Beta 12.75") by position and
    often takes a neighbouring column's figure, or blends two ("12.5"). Where the question names
    both the row and the column of one cell (``paperqa.tables.cell_asked``) and the reply gives
    one such figure, besides those the question gives ("eval'93"), the figure is the cell's. A
    reply giving several (a comparison) is left as it is.
    """
    cells = table_cells(*evidence)
    asked = cell_asked(question, cells)
    value = _REPLY_FIGURE_RE.search(asked.figure) if asked else None
    if asked is None or value is None:
        return reply  # no cell named, or one with no figure ("—")
    table = {_figure_value(c.figure) for c in cells if c.table == asked.table}
    quoted = _figure_values(" ".join(evidence))
    in_question = _figure_values(question)
    given = [
        m
        for m in _REPLY_FIGURE_RE.finditer(reply)
        if (figure := _figure_value(m.group())) not in in_question
        and (figure in table or figure not in quoted)
    ]
    if len(given) != 1 or _figure_value(given[0].group()) == _figure_value(asked.figure):
        return reply
    return reply[: given[0].start()] + value.group() + reply[given[0].end() :]


def with_the_count_asked(reply: str, question: str, evidence: Sequence[str]) -> str:
    """``reply`` giving the figure of the item the question names, where a quoted sentence lists
    figures with their labels ("1.2 million training images, 50,000 validation images, and
    150,000 testing images") and the reply gives another item's, of the same kind (the labels
    end in the same word). The named item is the one whose label's words are all in the
    question, unlike the label of the one the reply took: "How many training images ...?"
    answered 150,000 is answered 1.2 million. The label after the figure in the reply, if any,
    goes with it."""
    given = _one_new_figure(reply, question)
    if given is None:
        return reply
    asked = set(tokenize(question))
    for sentence in _sentences(evidence):
        items = [(m["figure"], m["label"]) for m in _LABELLED_FIGURE_RE.finditer(sentence)]
        took = [label for figure, label in items if _figure_value(figure) == given]
        named = [(f, label) for f, label in items if set(tokenize(label)) <= asked]
        if (
            len(took) == 1
            and len(named) == 1
            and not set(tokenize(took[0])) <= asked
            and _head(took[0]) == _head(named[0][1])  # items of one list: "... images"
        ):
            return _swapped(reply, given, took[0], *named[0])
    return reply


def with_the_row_asked(reply: str, question: str, evidence: Sequence[str]) -> str:
    """``reply`` giving the figure of the row the question names, where a quoted block is a
    table flattened into one run of labelled figures ("Glorp (2 layers) plain 91.3 Blorp
    semi 91.9 Glorp (2 layers) semi 92.7") and the reply took another row of the same thing:
    the model read the neighbouring setting. A figure in brackets belongs to its label ("(2
    layers)", "(2014)")."""
    given = _one_new_figure(reply, question)
    if given is None:
        return reply
    rows = [row for text in evidence for row in _flat_rows(text)]
    asked = set(tokenize(question))
    named = _row_named(question, asked, rows)
    took = [row for row in rows if row.figure == given]
    if named is None or not _neighbours(named, took, asked):
        return reply
    return _with_figure(reply, given, named.figure)


def with_the_named_rows_column(reply: str, question: str, evidence: Sequence[str]) -> str:
    """``reply`` giving the figure of the row the question names, in the column the reply read,
    where a quoted block is a table of several columns run flat ("Depth Plain Gated 3 layers
    14.4 10.5 5 layers 9.8 7.8 7 layers 9.5 8.2") and the reply took another row's figure: the
    model read the right column of a neighbouring row. The named row is the one whose label's
    words are all in the question ("5 layers"); the row the reply took is not named."""
    given = _one_new_figure(reply, question)
    if given is None:
        return reply
    asked = set(tokenize(question))
    for text in evidence:
        rows = _column_rows(text)
        took = [row for row in rows if given in row.figures]
        named = [row for row in rows if _names_row(row.label, asked)]
        if len(took) != 1 or len(named) != 1 or _names_row(took[0].label, asked):
            continue
        if len(named[0].figures) == len(took[0].figures):
            column = took[0].figures.index(given)
            return _with_figure(reply, given, named[0].figures[column])
    return reply


@dataclass
class _ColumnRow:
    """A row of a flattened table of several columns: its label and its figures."""

    label: str
    figures: list[str]


def _column_rows(text: str) -> list[_ColumnRow]:
    """The rows of a table of several columns run flat in ``text``: each run of two or more
    figures (nothing but spaces or a "%" between them) with the words since the run before it,
    a lone figure among them, or one before a lower-case word ("5 layers"). None unless
    ``_MIN_COLUMN_ROWS`` rows have as many figures, or if a label reads as a sentence's words
    (``_PROSE_RE``)."""
    runs: list[list[re.Match[str]]] = []
    for match in _cell_figures(text):
        if runs and re.fullmatch(r"%?\s+", text[runs[-1][-1].end() : match.start()]):
            runs[-1].append(match)
        else:
            runs.append([match])
    rows, start = [], 0
    for run in runs:
        while len(run) > 1 and re.match(r"\s+[a-z]", text[run[-1].end() :]):
            run.pop()  # "10.53 5 layers": the 5 begins the next row's label
        if len(run) < 2:
            continue
        label = text[start : run[0].start()].strip(" ,;:")
        rows.append(_ColumnRow(label, [_figure_value(m.group()) for m in run]))
        start = run[-1].end()
    widths = [len(row.figures) for row in rows]
    if not rows or max(map(widths.count, widths)) < _MIN_COLUMN_ROWS:
        return []
    return [] if any(_PROSE_RE.search(row.label) for row in rows[1:]) else rows


def _row_named(question: str, asked: set[str], rows: list[_Row]) -> _Row | None:
    """The row whose label's words are all in the question (its terms ``asked``), one of them a
    name ("Glorp"), with one figure (a row of several columns names no one figure) that the
    question does not give; None where there is no such row, or rows with different figures, or
    a sentence's words."""
    names = {t for w in question.split()[1:] if w[:1].isupper() for t in tokenize(w)}
    named = [r for r in rows if _names_row(r.label, asked) and set(tokenize(r.label)) & names]
    if len({r.figure for r in named}) != 1 or any(_PROSE_RE.search(r.label) for r in named):
        return None
    row = named[0]
    return None if row.columns > 1 or row.figure in _figure_values(question) else row


def _neighbours(named: _Row, took: list[_Row], asked: set[str]) -> bool:
    """Whether the rows the reply's figure comes from are rows of the same thing as the named
    one (a label sharing a word: "Glorp (2 layers) plain"), none named by the question itself
    (its terms ``asked``), none a sentence's words ("BLEU on the WMT 2014" is no row)."""
    labels = [set(tokenize(r.label)) for r in took]
    row = set(tokenize(named.label))
    if not took or any(_PROSE_RE.search(r.label) for r in took):
        return False
    return not any(label <= asked for label in labels) and any(label & row for label in labels)


@dataclass
class _Row:
    """A row of a flattened table: its label, its first figure, how many figures follow it."""

    label: str
    figure: str
    columns: int = 1


def _flat_rows(text: str) -> list[_Row]:
    """The rows of a table run flat in ``text``: each figure outside brackets with the words
    since the figure before it; a figure right after another is a further column of its row.
    None unless there are at least ``_MIN_ROWS``."""
    rows: list[_Row] = []
    start = 0
    for match in _cell_figures(text):
        label = text[start : match.start()]
        if rows and not _WORD_RE.search(label):
            rows[-1].columns += 1
        else:
            rows.append(_Row(label, _figure_value(match.group())))
        start = match.end()
    return rows if len(rows) >= _MIN_ROWS else []


def _cell_figures(text: str) -> Iterator[re.Match[str]]:
    """The figures of a flattened table that may be cells: not inside brackets, where they are
    part of a label ("(2 layers)"), nor after a hyphen, in a name ("Glorp-12")."""
    for match in _REPLY_FIGURE_RE.finditer(text):
        inside = text.count("(", 0, match.start()) > text.count(")", 0, match.start())
        if not inside and text[match.start() - 1 : match.start()] != "-":
            yield match


def _names_row(label: str, asked: set[str]) -> bool:
    """Whether the question names a row by all of its label's words (two at least)."""
    words = set(tokenize(label))
    return len(words) >= 2 and words <= asked


_MIN_ROWS = 5  # fewer figures in a quoted block: prose, not a flattened table
_MIN_COLUMN_ROWS = 3  # fewer rows with as many figures: no table of several columns
# The words of a sentence, which a table row's label does without.
_PROSE_RE = re.compile(
    r"\b(?:the|of|on|in|to|by|with|is|are|was|were|we|our|has|have|achieves?|reach(?:es)?)\b",
    re.IGNORECASE,
)


def _head(label: str) -> str:
    """A label's last word, singular: "images" of "testing images"."""
    terms = tokenize(label.split()[-1])
    return terms[-1] if terms else ""


def _swapped(reply: str, given: str, label: str, figure: str, new_label: str) -> str:
    """``reply`` with its figure ``given`` (and ``label`` right after it, if there) replaced."""
    match = _figure_match(reply, given)
    if match is None:
        return reply
    rest = reply[match.end() :]
    scale = _SCALE_WORD_RE.match(rest)
    rest = rest[scale.end() :] if scale else rest
    if rest.lstrip().startswith(label):
        rest = " " + new_label + rest.lstrip()[len(label) :]
    return reply[: match.start()] + figure + rest


def _figure_match(reply: str, value: str) -> re.Match[str] | None:
    """Where ``reply`` first gives the figure ``value`` (as ``_figure_value`` writes it)."""
    return next(
        (m for m in _REPLY_FIGURE_RE.finditer(reply) if _figure_value(m.group()) == value), None
    )


def _with_figure(reply: str, given: str, figure: str) -> str:
    """``reply`` with the figure ``given`` (its first place) written as ``figure`` instead."""
    match = _figure_match(reply, given)
    return reply[: match.start()] + figure + reply[match.end() :] if match else reply


# A figure followed by the words that label it, up to the next comma, "and" or the sentence's
# end: the items of "1.2 million training images, 50,000 validation images, and ...".
_SCALE_WORD_RE = re.compile(r"\s(?:thousand|million|billion)\b")
_LABELLED_FIGURE_RE = re.compile(
    rf"(?P<figure>{_REPLY_FIGURE_RE.pattern}(?:{_SCALE_WORD_RE.pattern})?)\s+"
    r"(?P<label>[a-z][a-z-]*(?:\s[a-z][a-z-]*){0,2}?)(?=\s*(?:[,;.)]|\band\b|\bor\b|$))"
)


def _gives_the_other_rate(question: str, reply: str, evidence: Sequence[str]) -> bool:
    """Whether the reply's one figure is, wherever the evidence gives it, an error rate where the
    question asks for an accuracy, or the reverse: led in by "error" and not "accuracy" ("an
    error rate of 26.2%"), or without either in a quoted block that speaks only of errors (a
    table captioned "Comparison of error rates")."""
    asks_accuracy, asks_error = _ACCURACY_RE.search(question), _ERROR_RE.search(question)
    if bool(asks_accuracy) == bool(asks_error):
        return False
    other, asked = (_ERROR_RE, _ACCURACY_RE) if asks_accuracy else (_ACCURACY_RE, _ERROR_RE)
    given = _one_new_figure(reply, question)
    if given is None:
        return False
    places = [
        lead if other.search(lead) or asked.search(lead) else text
        for text in evidence
        for lead, figure in _LEAD_RE.findall(text)
        if _figure_value(figure) == given
    ]
    return bool(places) and all(other.search(p) and not asked.search(p) for p in places)


def _not_top_k(question: str, reply: str, evidence: Sequence[str]) -> bool:
    """Whether the question asks for a top-k figure beyond top-1 ("top-5 error") and the reply's
    one figure sits only in quoted sentences that never say "top-5" (a plain test error rate,
    which is a top-1 figure)."""
    asked = {_top_k(m) for m in _TOP_K_RE.finditer(question)} - {"1"}
    if not asked:
        return False
    places = _places_of_new_figure(reply, question, evidence)
    return bool(places) and not any(
        asked & {_top_k(m) for m in _TOP_K_RE.finditer(p)} for p in places
    )


def _not_the_split_asked(question: str, reply: str, evidence: Sequence[str]) -> bool:
    """Whether the question counts the items of one split of a dataset ("How many validation
    sentences ...") and the reply's one figure sits only in quoted sentences that never name that
    split (the size of the whole dataset, or of the training set)."""
    asked = _SPLIT_ASKED_RE.search(question)
    if not asked:
        return False
    split = _split_of(asked.group(1))
    places = _places_of_new_figure(reply, question, evidence)
    return bool(places) and not any(
        _split_of(m.group()) == split for p in places for m in _SPLIT_WORD_RE.finditer(p)
    )


def _split_of(word: str) -> str:
    """The split a word names: "train", "test" or "validation"."""
    word = word.lower()
    return next((s for s in ("train", "test") if word.startswith(s)), "validation")


# The words that name a split of a dataset, and a question counting one split's items: "How many
# test images ...", "How many validation sentences ...".
_SPLIT_WORD_RE = re.compile(
    r"\b(?:train(?:ing|ed|s)?|test(?:ing|ed|s)?|validat(?:ion|ed|e)|val|held[\s-]?out|dev"
    r"|development)\b",
    re.IGNORECASE,
)
_SPLIT_ASKED_RE = re.compile(
    rf"\bhow many\s+(?:[\w-]+\s+){{0,2}}?({_SPLIT_WORD_RE.pattern})\s+[a-z]+s\b", re.IGNORECASE
)


def _top_k(match: re.Match[str]) -> str:
    k = match.group(1).lower()
    return {"one": "1", "five": "5"}.get(k, k)


_TOP_K_RE = re.compile(r"\btop[\s-]?(\d+|one|five)\b", re.IGNORECASE)
# The words leading up to a figure (at most five, since the figure before it): what it measures.
_LEAD_RE = re.compile(rf"((?:[^\d\s]+\s+){{0,5}})({_REPLY_FIGURE_RE.pattern})")
_ACCURACY_RE = re.compile(r"\baccura", re.IGNORECASE)
_ERROR_RE = re.compile(r"\berrors?\b|\bWER\b|\bCER\b", re.IGNORECASE)


def _one_new_figure(reply: str, question: str) -> str | None:
    """The one figure ``reply`` gives that the question does not; None if it gives none or
    several (a comparison)."""
    figures = _new_figures(reply, question)
    return next(iter(figures)) if len(figures) == 1 else None


def _places_of_new_figure(reply: str, question: str, evidence: Sequence[str]) -> list[str]:
    """The quoted sentences holding the one figure ``reply`` gives that the question does not;
    none where it gives none or several."""
    given = _one_new_figure(reply, question)
    if given is None:
        return []
    return [sentence for sentence in _sentences(evidence) if given in _figure_values(sentence)]


def _new_figures(reply: str, question: str) -> set[str]:
    """The figures of ``reply`` that the question does not give itself."""
    return _figure_values(reply) - _figure_values(question)


def _sentences(evidence: Sequence[str]) -> list[str]:
    """The sentences of the quoted evidence blocks, in order."""
    return [sentence for text in evidence for sentence in split_sentences(text)]


def _figure_values(text: str) -> set[str]:
    return {_figure_value(m.group()) for m in _REPLY_FIGURE_RE.finditer(text)}


def _figure_value(figure: str) -> str:
    """A figure's digits as written, without thousands commas or a unit: "1,024" and "1024"."""
    found = _REPLY_FIGURE_RE.search(figure)
    return found.group().replace(",", "") if found else figure


def is_refusal(text: str) -> bool:
    """Whether the model's reply says the passages do not answer (checked on its first sentence).

    The first sentence must say that something is missing ("no information", "is not mentioned"),
    or deny ("do not mention", "unable to") of the sources or as the speaker ("the passages", "I")
    in the same clause: a negative statement about the subject is an answer.
    """
    text = text.strip()
    if not text:
        return True
    lowered = normalize(text)
    if any(normalize(r).rstrip(".") in lowered for r in (REFUSAL_TEXT, MODEL_REFUSAL)):
        return True
    first = split_sentences(text)[0]
    if _PLAIN_REFUSAL_RE.search(first):
        return True
    return _denies_the_sources(first)


def _denies_the_sources(sentence: str) -> bool:
    """Whether a clause of ``sentence`` denies something of the sources or by the speaker: the
    source ("the passages", "I") in the denying clause, or, where that clause goes on from the one
    before without a subject of its own ("..., but do not mention X"), opening the sentence.

    "DPR adds negative passages that score high given the question, but do not contain the
    answer" and "RAG is hurt by documents that do not contain the answer" deny something of the
    passages the paper speaks of, not of the quoted ones: they are answers.
    """
    opening = " ".join(sentence.split()[:_OPENING_WORDS])
    for clause in _CLAUSE_BREAK_RE.split(sentence):
        denial = _REFUSAL_RE.search(clause)
        if not denial or _RELATIVE_RE.search(clause[: denial.start()]):
            continue  # "passages that do not contain the answer": a kind of passage
        if _SOURCE_RE.search(clause) or _SPEAKER_RE.search(clause):
            return True
        subjectless = _CONJUNCTION_RE.fullmatch(clause[: denial.start()].strip())
        if subjectless and _SOURCE_RE.search(opening):
            return True
    return False
