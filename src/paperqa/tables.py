"""Flattened tables read row by row: each figure labelled with its column's heading.

pypdf gives a table as one line per row ("Clean read 4.10 3.25 5.80") under a line of column
headings ("Test set Alpha Beta Gamma"), and cleaning would join them into one run of figures
where nothing says which figure is whose. ``label_table_rows`` (at ingest) rewrites such a block
as one line, its rows apart: "Clean read: Alpha 4.10, Beta 3.25, Gamma 5.80; Noisy street: ...".
A reader (the model, the evidence selector, BM25) then finds the row a question names and the
column beside its figure, and ``cell_asked`` (at answer time) reads back the one cell whose row
and column a question names both.

Only plain tables are rewritten: two or more consecutive rows ending in the same number of
figures, under a heading line with one heading per column after the labels' own heading
("Model", "Test set", or none), none of them a figure or a fragment of a caption; headings of
several words each ending in one shared word are one heading each ("baseline unit", "tuned
unit"). A line may hold two rows side by side, the second's label capitalised ("Joint net 71.2
80.4 Net + rules 73.5 81.0"), headings that repeat under a line of wider ones take both ("Top-20
Set A"), and a short line naming a group of rows ("CIFAR-10") begins the next row's label.
Anything else is left as it was.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from paperqa.mentions import mentions
from paperqa.text import tokenize

# A cell's figure: "4.94", "15.3%", "2.3M", "6.4×", "79,168", a dash for none.
_FIGURE_RE = re.compile(
    r"[<>~≈±]?[−-]?\d[\d,]*(?:\.\d+)?(?:%|×|[xMBKk])?[*†‡]?|[—–-]|n/a", re.IGNORECASE
)
# A heading word that continues the one before: "(val)" in "Top-5 (val)", "err." in "top-1 err.".
_CONTINUATION_RE = re.compile(r"\(.*|[a-z]{1,4}\.")
_BRACKETS = ("()", "[]")
_FILLER = frozenset({"of", "the", "and", "in", "for", "on", "with", "to", "a", "by", "at"})
MIN_ROWS = 2
MIN_COLUMNS = 2
MAX_GROUP_WORDS = 3  # a line naming a group of rows ("Glorp-10", "Noisy speech")
# The row labels' own heading, before the column headings: one or two words ending in one of
# these ("Model", "Test set"). Any other word there means a column heading of several words
# ("All No UNK" heads two columns), and which words go together is not known.
MAX_LABEL_HEADING_WORDS = 2
_LABEL_HEADINGS = frozenset(
    {"model", "models", "method", "methods", "target", "task", "tasks", "architecture", "dataset"}
    | {"datasets", "set", "system", "approach", "parser", "network", "retriever", "data"}
)


def label_table_rows(lines: list[str]) -> list[str]:
    """``lines`` with each plain table's heading line(s) and rows replaced by one line of
    labelled rows; other lines unchanged."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        rows, used = _rows_from(lines, i)
        columns = len(rows[0][1]) if rows else 0
        headings, heading_lines = _headings_above(out, columns) if rows else (None, 0)
        if rows and _is_group_line(lines[i]) and _heads_instead(lines[i], out, columns):
            headings = None
        if headings is None:
            out.append(lines[i])
            i += 1
            continue
        del out[len(out) - heading_lines :]
        # One sentence, as the unlabelled rows were: with the caption below it, a table is one
        # piece of evidence; row by row, its rows lose the caption's words and drop out.
        out.append("; ".join(_labelled(label, figures, headings) for label, figures in rows))
        i += used
    return out


def _rows_from(lines: list[str], start: int) -> tuple[list[tuple[str, list[str]]], int]:
    """The rows of a table starting at ``lines[start]``, and how many lines they fill:
    consecutive lines of rows with a label and the same number (at least two) of figures each;
    fewer than ``MIN_ROWS`` rows is no table. A line may hold several rows ("Joint net 71.2
    80.4 Net + rules 73.5 81.0"), where pypdf put rows side by side: a label that begins with a
    capital letter starts each row after the first. A short line without figures before or
    among the rows names a group of them ("Glorp-10"): it begins the next row's label, as
    where it shares that row's line ("Glorp-100 Big net 4.1 3.9"). Which rows below belong to
    the group the text does not say, so no other label gets its name."""
    rows: list[tuple[str, list[str]]] = []
    used = 0
    group = ""
    for number, line in enumerate(lines[start:], start=start):
        found = _rows_of_line(line)
        if not found and _is_group_line(line) and _rows_of_line(_line_after(lines, number)):
            group = line.strip()  # counted as used with the row it begins
            continue
        columns = len(rows[0][1]) if rows else len(found[0][1]) if found else 0
        if not found or any(
            not label
            or len(figures) < MIN_COLUMNS
            or len(figures) != columns
            or (n > 0 and not label[0].isupper())  # "Copy 1 100 word 28.1": one row's words
            for n, (label, figures) in enumerate(found)
        ):
            break
        if group:
            found[0] = (f"{group} {found[0][0]}", found[0][1])
            used += 1
            group = ""
        rows += found
        used += 1
    return (rows, used) if len(rows) >= MIN_ROWS else ([], 0)


def _is_group_line(line: str) -> bool:
    """Whether a line could name a group of rows: one to ``MAX_GROUP_WORDS`` words, none a
    figure, not a sentence's end."""
    words = line.split()
    return (
        0 < len(words) <= MAX_GROUP_WORDS
        and words[0][0].isalnum()
        and not line.rstrip().endswith((".", ":", ","))
        and not any(_FIGURE_RE.fullmatch(word) for word in words)
    )


def _heads_instead(line: str, out: list[str], columns: int) -> bool:
    """Whether a would-be group line heads the columns itself ("Model Dev Test"), or there is
    no heading line above it (none at all, or one ending a sentence): then it names no group."""
    return _column_headings(line, columns) is not None or not out or out[-1].rstrip().endswith(".")


def _line_after(lines: list[str], number: int) -> str:
    return lines[number + 1] if number + 1 < len(lines) else ""


def _rows_of_line(line: str) -> list[tuple[str, list[str]]]:
    """The rows a line holds: each run of two or more figures ends one, after its label
    ("WSJ eval'92 4.94 3.60" is one row; a lone figure stays in a label: "1 RNN, 5 total")."""
    rows: list[tuple[str, list[str]]] = []
    label: list[str] = []
    figures: list[str] = []
    for word in line.split():
        if _FIGURE_RE.fullmatch(word):
            figures.append(word)
            continue
        if len(figures) >= MIN_COLUMNS:
            rows.append((" ".join(label), figures))
            label = []
        else:
            label += figures
        label.append(word)
        figures = []
    if not figures:
        return []  # a line that does not end in figures is no row
    rows.append((" ".join(label), figures))
    return rows


def _headings_above(out: list[str], columns: int) -> tuple[list[str] | None, int]:
    """The column headings in the last lines of ``out``, and how many lines they fill: one
    heading line, or two where the last repeats its headings under wider ones ("Top-5 Top-20"
    over "Alpha Beta Alpha Beta" heads "Top-5 Alpha", "Top-5 Beta", "Top-20 Alpha", ...).
    Headings repeated otherwise ("Dev Test Dev Test Test", under data sets spanning two columns
    or one) stay as they are: which wider heading spans which is not in the text."""
    headings = _column_headings(out[-1], columns) if out else None
    if headings is None or len(set(headings)) == len(headings):
        return headings, 1
    period = next(p for p in range(1, columns + 1) if headings == headings[:p] * (columns // p))
    wider = _column_headings(out[-2], columns // period) if len(out) > 1 else None
    if period == columns or wider is None:
        return headings, 1
    return [f"{wider[i // period]} {heading}" for i, heading in enumerate(headings)], 2


def _column_headings(line: str, columns: int) -> list[str] | None:
    """The last ``columns`` headings of a heading line, or None where it is not one: a line
    ending in a figure, fewer headings than columns, a heading that is a figure, a filler word
    or an unclosed bracket (a caption's "(Section 3.1)" cut across two lines)."""
    cells: list[str] = []
    for word in line.split():
        if cells and _CONTINUATION_RE.fullmatch(word):
            cells[-1] += f" {word}"
        else:
            cells.append(word)
    cells = _joined_by_last_word(cells, columns)
    label_heading = cells[: len(cells) - columns]
    if (
        len(cells) < columns
        or _FIGURE_RE.fullmatch(line.split()[-1])
        or not _is_label_heading(label_heading)
        or (cells[0].lower() in _LABEL_HEADINGS and not label_heading)  # "Dataset Train Dev"
    ):
        return None
    headings = cells[-columns:]
    for heading in headings:
        if (
            any(_FIGURE_RE.fullmatch(word) for word in heading.split())
            or heading.lower() in _FILLER
            or any(heading.count(a) != heading.count(b) for a, b in _BRACKETS)
        ):
            return None
    return headings


def _joined_by_last_word(cells: list[str], columns: int) -> list[str]:
    """``cells`` with the column headings joined where each ends in one shared word, as often
    as there are columns ("baseline unit pre-activation unit": "baseline unit",
    "pre-activation unit"), the first as long as the second; as they were otherwise."""
    ends = [i for i, cell in enumerate(cells) if cell.lower() == cells[-1].lower()]
    if columns < MIN_COLUMNS or len(ends) != columns or ends[1] - ends[0] < 2:
        return cells
    first = ends[0] + 1 - (ends[1] - ends[0])
    if first < 0:
        return cells
    bounds = [first, *(end + 1 for end in ends)]
    headings = [" ".join(cells[a:b]) for a, b in itertools.pairwise(bounds)]
    return [*cells[:first], *headings]


def _is_label_heading(words: list[str]) -> bool:
    return not words or (
        len(words) <= MAX_LABEL_HEADING_WORDS and words[-1].lower() in _LABEL_HEADINGS
    )


def _labelled(label: str, figures: list[str], headings: list[str]) -> str:
    cells = ", ".join(f"{h} {f}" for h, f in zip(headings, figures, strict=True))
    return f"{label}: {cells}"


# Reading labelled rows back: "label: heading figure, heading figure" rows joined by "; ".
_FIGURE = _FIGURE_RE.pattern
_CELL = rf"[^,;:]+? (?:{_FIGURE})"
_ROW_RE = re.compile(
    rf"(?P<label>[^:;]+?): (?P<cells>{_CELL}(?:, {_CELL})+)(?=[;\s]|$)", re.IGNORECASE
)
_CELL_RE = re.compile(rf"(?P<heading>.+) (?P<figure>{_FIGURE})", re.IGNORECASE)


# A question's words for its initialisms: capitalised words apart, also inside one word
# ("WebQuestions"); any other run of letters and digits, or a mark, ends a run of them.
_CAPITALISED_RE = re.compile(r"[A-Z][a-z]+|[A-Za-z0-9]+|[^\sA-Za-z0-9]")
MAX_INITIALS = 5


@dataclass(frozen=True)
class Cell:
    """One figure of a labelled table, with its row's label and its column's heading."""

    table: int  # which table of the text, counted from 0
    row: str
    heading: str
    figure: str
    # The first row's label may begin with the words of the line above the table ("Noisy
    # Speech Street: ..."), which the row label does not mark off.
    first_row: bool = False


def table_cells(*texts: str) -> list[Cell]:
    """The cells of the labelled tables in ``texts`` (see ``label_table_rows``), in order."""
    cells: list[Cell] = []
    table = -1
    for match, starts_table in _labelled_rows(texts):
        if starts_table:
            table += 1
        label = re.split(r"[.!?] ", match["label"])[-1].strip()  # not the sentence before it
        for cell in match["cells"].split(", "):
            parts = _CELL_RE.fullmatch(cell.strip())
            if parts:
                heading, figure = parts["heading"], parts["figure"]
                cells.append(Cell(table, label, heading, figure, first_row=starts_table))
    return cells


def _labelled_rows(texts: tuple[str, ...]) -> Iterator[tuple[re.Match[str], bool]]:
    """Each labelled row of ``texts``, and whether it starts a table: the rows of one table are
    joined by "; ", so a row after anything else starts one."""
    for text in texts:
        end = None  # where the row before ended
        for match in _ROW_RE.finditer(text):
            yield match, end is None or text[end : match.start()].strip() != ";"
            end = match.end()


def cell_asked(question: str, cells: list[Cell]) -> Cell | None:
    """The one cell whose row label and column heading ``question`` both names, or None where
    no cell, or more than one figure, is.

    The question names a label by all of its words (as ``tokenize`` gives them, or by the
    initials of capitalised words: "Natural Questions" names a column headed "NQ"), or by any
    name of the paper the label is a name of: "Deep Speech 2" names a column headed "DS2".
    """
    asked = _words(question) | _initialisms(question)
    papers = {m.paper for m in mentions(question)}
    found = [
        c
        for c in cells
        if _named(_row_asked(c, asked), asked, papers) and _named(c.heading, asked, papers)
    ]
    found = _most_specific(found, asked)
    return found[0] if len({c.figure for c in found}) == 1 else None


def _most_specific(found: list[Cell], asked: set[str]) -> list[Cell]:
    """The cells of ``found`` whose row and column no other's names more of: a question naming
    "glorp-net-ens" names that column, not "glorp-net" beside it, whose words it holds too."""
    labels = [(_words(_row_asked(c, asked)), _words(c.heading)) for c in found]
    return [
        cell
        for cell, (row, heading) in zip(found, labels, strict=True)
        if not any(
            other_row >= row
            and other_heading >= heading
            and (other_row, other_heading) != (row, heading)
            for other_row, other_heading in labels
        )
    ]


def _row_asked(cell: Cell, asked: set[str]) -> str:
    """The row label as the question may name it: a first row's without words above it."""
    if not cell.first_row:
        return cell.row
    words = cell.row.split()
    tails = (" ".join(words[i:]) for i in range(len(words)))
    return next((tail for tail in tails if _words(tail) <= asked), cell.row)


def _named(label: str, asked: set[str], papers: set[str]) -> bool:
    if _words(label) <= asked:
        return True
    named = mentions(label)
    return len(named) == 1 and named[0].name == label and named[0].paper in papers


def _initialisms(question: str) -> set[str]:
    """The initials of each run of two to five capitalised words, lowercased ("Natural
    Questions": "nq"; "WebQuestions": "wq"), as tables head the data sets and models they list."""
    found: set[str] = set()
    run: list[str] = []
    for token in [*_CAPITALISED_RE.findall(question), "."]:
        if token[0].isupper() and token[1:].islower():
            run.append(token)
            continue
        for i in range(len(run)):
            for j in range(i + 2, min(i + MAX_INITIALS, len(run)) + 1):
                found.add("".join(word[0] for word in run[i:j]).lower())
        run = []
    return found


def _words(text: str) -> set[str]:
    # Parts of a compound only: "eval'92" in a question and "eval’92" in a table are one word.
    return {t for t in tokenize(text) if t.isalnum()}
