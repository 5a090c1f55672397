"""The bracketed detail a reply drops from the passage sentence it copies, put back.

The small model copies a sentence of its evidence but leaves out what the sentence says in
brackets, which is often what was asked: "The Glorp model scored about 12 points more than the
Blorp baseline" from "... than the Blorp baseline (41 vs. 29), ...", or "they rank plans by a
cheap proxy instead" from "they rank plans by a cheap proxy (e.g., the length of a Blorp code)
instead". Where the reply holds the terms around such a bracket in a quoted sentence in their
order, the two before it and then the one after it, or the three before it where the reply's
clause stops there, the bracket goes back in before the term after it. A bracket that only points
elsewhere (an author and year, "see Section 3", "(9)") or holds a single word ("(NTM)") carries no
finding and is left out.
"""

from __future__ import annotations

import re

from paperqa.text import sentence_spans, term_spans

# Terms of the quoted sentence around the bracket that the reply must hold in the same order:
# the three before it, or the two before it and the one after it.
ANCHOR_TERMS = 3
# How far the bracket may run, in characters; a longer one is a clause of its own, not a detail.
MAX_BRACKET_CHARS = 160

_BRACKET = re.compile(rf"\(([^()]{{2,{MAX_BRACKET_CHARS}}})\)")
_CITATION = re.compile(r"\b(?:1[89]|20)\d\d[a-z]?\b|\bet al\b")
_POINTER = re.compile(
    r"^\s*(?:see|cf|fig|figure|table|section|sec|eq|equation|appendix|page)\b", re.IGNORECASE
)
# Where a reply's sentence, or the part of it that cites, ends.
_CLAUSE_END = re.compile(r"[.;!?](?:\s|$)|\[\d")


def restore_brackets(reply: str, quoted: list[str]) -> str:
    """``reply`` with each bracketed detail it dropped from a sentence of ``quoted`` put back."""
    for text in quoted:
        for start, end in sentence_spans(text):
            for bracket in _BRACKET.finditer(text, start, end):
                reply = _with_bracket(reply, text, start, bracket)
    return reply


def _with_bracket(reply: str, text: str, sentence_start: int, bracket: re.Match[str]) -> str:
    """``reply`` with ``bracket`` (a match in ``text``) put back where the reply copies the words
    around it; ``reply`` as it is where it does not, or holds the bracket's terms already."""
    inner = bracket.group(1).strip()
    if not _is_detail(inner):
        return reply
    terms = term_spans(reply)
    reply_terms = [term for term, _, _ in terms]
    if {term for term, _, _ in term_spans(inner)} <= set(reply_terms):
        return reply
    lead = [term for term, _, _ in term_spans(text[sentence_start : bracket.start()])]
    if len(lead) < ANCHOR_TERMS:
        return reply
    following = [term for term, _, _ in term_spans(text[bracket.end() : bracket.end() + 200])]
    near = ANCHOR_TERMS - 1  # the terms just before the bracket that the reply must always hold
    for i in range(len(terms) - near + 1):
        if reply_terms[i : i + near] != lead[-near:]:
            continue
        after = terms[i + near - 1][2]
        next_terms = _terms_to_clause_end(reply[after:])
        lead_held = i > 0 and reply_terms[i - 1] == lead[-ANCHOR_TERMS]
        goes_on = bool(following) and next_terms[:1] == following[:1]
        if goes_on or (lead_held and not next_terms):
            return f"{reply[:after]} ({inner}){reply[after:]}"
    return reply


def _is_detail(inner: str) -> bool:
    """Whether a bracket's text reports something: a figure, or two words or more that are not a
    reference ("Smith et al., 2011", "see Table 2")."""
    if _CITATION.search(inner) or _POINTER.match(inner):
        return False
    return any(c.isdigit() for c in inner) or len(term_spans(inner)) >= 2


def _terms_to_clause_end(rest: str) -> list[str]:
    """The terms of ``rest`` up to the end of its sentence or of the clause that cites."""
    end = _CLAUSE_END.search(rest)
    return [term for term, _, _ in term_spans(rest[: end.start()] if end else rest)]
