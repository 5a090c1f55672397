"""Comparisons of two things, read as the measure to ask of each.

"Which network is deeper: A, or B?", "Which of A and B has more layers?", "Is A faster than
B?", "Did A use a larger batch size than B?", "Did A or B train longer?", "A vs. B: which took
longer to train?" all set one measure of A beside the same measure of B. ``parse_comparison``
finds the two sides and the measure; ``Comparison.asked_of`` asks it of one side: "How many
layers does A have?", "How fast is A?", "What batch size did A use?", "How long did A take to
train?". Which paper each side names is the caller's business (``paperqa.generate.decompose``).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from paperqa.generate.citations import strip_markers

_ADJ = r"(?P<adj>(?:more|less)\s+[a-z-]+|[a-z]{2,}er)"
# What is counted, with the words that place it: "units per layer", "linear warmup steps".
_COUNTED = r"[a-z-]+(?:\s+[\w-]+){0,3}?"
_COUNT = rf"(?P<count>more|fewer|less)\s+(?P<noun>{_COUNTED})"
_SIZES = "larger|smaller|bigger|higher|lower|longer|shorter|wider|deeper|better|worse"
# "batch size", "top-5 error on ImageNet", "SGD mini-batch for ImageNet training"
_THING = r"[\w-]+(?:\s+[\w-]+){0,5}?"
_SIZE = (
    rf"(?:(?:more|less)\s+(?P<amount>{_COUNTED})"
    rf"|(?:an?\s+|the\s+)?(?P<size>{_SIZES})\s+(?P<thing>{_THING}))"
)
_HELD = rf"(?:an?\s+|the\s+)?(?:{_SIZES})\s+(?P<held>{_THING})"
_WENT = "longer|faster|slower|earlier|later"
# "took longer to train", "took more days to train"
_TOOK = (
    rf"(?:(?P<took_adverb>{_WENT})|more\s+(?P<took_units>time|(?:days|hours|weeks|months)\b))"
    r"\s+to\s+(?P<todo>[a-z]+)"
)
# "trained longer", "converges faster": a verb of the past or present and how it went; "took
# longer to train" says the verb after it.
_DONE = (
    rf"(?P<verb>[a-z]+(?:ed|s))\s+(?:for\s+)?(?P<adverb>{_WENT})"
    rf"|(?P<took>took|takes)\s+{_TOOK}"
)
# The same after "did" or "does": "Did A train longer ...?", "Does A take longer to converge ...?"
_DO = (
    rf"(?P<took>take)\s+{_TOOK}"
    rf"|(?P<verb>[a-z]+)\s+(?:for\s+)?(?P<adverb>{_WENT})"
)
# A verb that takes a measure, each form with its plain one: "used a larger batch", "reported the
# lower error", "got the higher BLEU score".
_TAKING_FORMS = {
    "use": ("uses", "used"),
    "report": ("reports", "reported"),
    "reach": ("reaches", "reached"),
    "achieve": ("achieves", "achieved"),
    "get": ("gets", "got"),
    "obtain": ("obtains", "obtained"),
    "train with": ("trains with", "trained with"),
    "be trained with": ("is trained with", "was trained with"),
}
# "trained the deeper network": a thing made, asked by its size ("How deep was the network that A
# trained?"), not by what it was.
_BUILT_FORMS = {"train": ("trains", "trained"), "build": ("builds", "built")}
_BUILT = (
    rf"(?P<built>{'|'.join(f for forms in _BUILT_FORMS.values() for f in forms)})\s+"
    rf"(?:an?|the)\s+(?P<made_size>{_SIZES})\s+(?P<made>{_THING})"
)
_TAKING_VERBS = {form: plain for plain, forms in _TAKING_FORMS.items() for form in (plain, *forms)}
_TAKING = "|".join(sorted(_TAKING_VERBS, key=len, reverse=True))
_MEASURE = (
    rf"(?P<measure>(?P<be>is|was|are|were)\s+{_ADJ}|(?P<have>has|had|have)\s+(?:{_COUNT}|{_HELD})"
    rf"|(?P<use>{_TAKING})\s+{_SIZE}|{_BUILT}|{_DONE})"
)
# "On Glorp-QA, ...": where the measure is taken, said before the comparison; asked of each side.
_CONTEXT = r"(?P<context>(?:on|in|for|at|with|under)\s+[^,:?]+,\s+)?"
# "Which network is deeper: A, or B?"
_WHICH_RE = re.compile(
    rf"^{_CONTEXT}(?:which|what|who)\b(?:\s+[\w-]+){{0,3}}?\s+{_MEASURE}\s*[:,]\s+(?P<first>.+?),?"
    r"\s+or\s+(?P<second>[^?]+?)\s*\?$",
    re.IGNORECASE,
)
# "A vs. B: which is deeper?"
_VERSUS_RE = re.compile(
    rf"^(?P<first>[^:?]+?)\s+(?:vs\.?|versus)\s+(?P<second>[^:?]+?)\s*(?:[:,]|\s[—–])\s+(?:which|who)\b"
    rf"(?:\s+[\w-]+){{0,3}}?\s+{_MEASURE}\s*\?$",
    re.IGNORECASE,
)
# "Which of A and B is deeper?": the pair is split where each part names a paper (the caller's).
_WHICH_OF_RE = re.compile(
    rf"^(?:which|what)(?:\s+[\w-]+)?\s+of\s+(?P<pair>.+?)\s+{_MEASURE}\s*\?$", re.IGNORECASE
)
_PAIR_RE = re.compile(r",?\s+(?:and|or)\s+", re.IGNORECASE)
MAX_PARTINGS = 8  # "and"s of a pair tried as the parting; names of several words hold few
# A measure after "did" or "does": "have more layers", "use a larger batch", "train longer".
_DO_MEASURE = (
    rf"(?P<measure>(?P<have>have)\s+(?:{_COUNT}|{_HELD})"
    rf"|(?P<use>{'|'.join(_TAKING_FORMS)})\s+{_SIZE}|{_DO})"
)
# "Is A deeper than B?", "Does A have more layers than B?", "Did A use a larger batch than B?"
_THAN_RES = (
    re.compile(
        rf"^(?P<be>is|was|are|were)\s+(?P<first>.+?)\s+(?P<measure>{_ADJ})\s+than\s+"
        r"(?P<second>.+?)\s*\?$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?P<aux>does|did|do)\s+(?P<first>.+?)\s+{_DO_MEASURE}\s+than\s+(?P<second>.+?)\s*\?$",
        re.IGNORECASE,
    ),
)
# "Is A or B deeper?", "Did A or B use more warmup steps?", "Did A or B train longer?"
_OR_RES = (
    re.compile(
        rf"^(?P<be>is|was|are|were)\s+(?P<first>.+?),?\s+or\s+(?P<second>.+?)\s+"
        rf"(?P<measure>{_ADJ})\s*\?$",
        re.IGNORECASE,
    ),
    re.compile(
        rf"^(?P<aux>does|did|do)\s+(?P<first>.+?),?\s+or\s+(?P<second>.+?)\s+{_DO_MEASURE}\s*\?$",
        re.IGNORECASE,
    ),
)
_GREATER = frozenset(["more", "larger", "bigger", "higher", "longer", "wider", "deeper", "greater"])
_SMALLER = frozenset(["fewer", "less", "smaller", "lower", "shorter", "narrower", "shallower"])
# The verb of the measure said of one side, in its tense: "have more layers" → "has more layers".
_ONE_SIDE = {
    False: {"are": "is", "have": "has"}
    | {plain: forms[0] for plain, forms in _TAKING_FORMS.items()},
    True: {"is": "was", "are": "was", "were": "was", "has": "had", "have": "had"}
    | {plain: forms[1] for plain, forms in _TAKING_FORMS.items()},
}
_DIMENSIONS = frozenset(
    ["deep", "shallow", "wide", "narrow", "large", "small", "big", "high", "low", "long", "short"]
)
_FIRST_WORD_RE = re.compile(r"^\w+")
# A figure and the word after it: "128 layers", "128-layer", "0.5", "15.3%"; not a number
# inside a name ("CIFAR-10", "ResNet-152", "top-5").
_FIGURE_RE = re.compile(
    r"(?<![\w.\-])(?P<number>\d[\d,]*(?:\.\d+)?)(?![\d.]\d)(?:%|(?:[\s-]+(?P<unit>[a-z]+))?)"
)
_LEADING_THE_RE = re.compile(r"^The\b")  # "The Glorp net vs. Blorp: ..." asks of "the Glorp net"
_TRAILING_VERB_RE = re.compile(r"\s+(?:does|did|do|is|was|are|were|has|had)$", re.IGNORECASE)
_PAST = frozenset({"was", "were", "had", "used", "did", "got", "took", "built", "ran"})
# What a network's size is counted in: "How deep is it?" is answered with its width or its
# parameters as often as with its layers.
_COUNTED_IN = {"deep": "layers", "shallow": "layers"}
_IRREGULAR_VERBS = {"take": ("takes", "took"), "run": ("runs", "ran")}
_IRREGULAR = {"better": "good", "worse": "bad", "further": "far", "farther": "far"}
# Stems that lose a final "e" before "-er" ("larger", "wider", "simpler").
_DROPPED_E_RE = re.compile(r"(?:rg|[bpt]l|(?<![aeiou])[aeiou][cdrstvz])$")


@dataclass(frozen=True)
class Comparison:
    """Two sides and the measure set between them: an adjective ("deep"), a counted noun
    ("layers"), a thing used ("batch size"), an amount used ("dropout"), a thing had ("top-5
    error") or an action and how it went ("train", "long")."""

    sides: tuple[str, str]
    measure: str = ""  # as the question words it: "is deeper", "has more layers"
    adjective: str = ""
    counted: str = ""
    used: str = ""
    amount: str = ""
    held: str = ""
    action: str = ""
    past: bool = False
    taken_by: str = "use"  # the verb a thing used or an amount is taken with: "report"
    context: str = ""  # where it is taken, said first: "On Glorp-QA, "
    made: str = ""  # a thing made, compared by its size: "CIFAR-10 network"
    made_by: str = ""  # the verb it was made with: "train"

    def asked_of(self, side: str) -> str:
        """The measure asked of ``side``: "How deep is A?", "How many layers does A have?", and
        where the question says it is taken ("On Glorp-QA, what error did A report?")."""
        question = self._asked(side)
        if not self.context:
            return question
        return self.context[0].upper() + self.context[1:] + question[0].lower() + question[1:]

    def _asked(self, side: str) -> str:
        does = "did" if self.past else "does"
        if self.made:
            be = "was" if self.past else "is"
            made = _BUILT_FORMS[self.made_by][1 if self.past else 0]
            return f"How {self.adjective} {be} the {self.made} that {side} {made}?"
        counted = self.counted or _COUNTED_IN.get(self.adjective, "")
        if counted:
            return f"How many {counted} {does} {side} have?"
        # "did A use", "was A trained with"
        taken = f"{does} {side} {self.taken_by}"
        if self.taken_by.startswith("be "):
            taken = f"{'was' if self.past else 'is'} {side} {self.taken_by[3:]}"
        if self.used:
            return f"What {self.used} {taken}?"
        if self.amount:
            much = "many" if re.search(r"[^s]s$", self.amount) else "much"
            return f"How {much} {self.amount} {taken}?"
        if self.held:
            return f"What {self.held} {does} {side} have?"
        if self.action:
            return f"How {self.adjective} {does} {side} {self.action}?"
        return f"How {self.adjective} {'was' if self.past else 'is'} {side}?"

    def verdict(self, answers: tuple[str, str]) -> str | None:
        """Which side the two answers' figures make the one the question asks for ("By these
        figures, B is deeper."), where each answer gives one figure, with the same unit word,
        and the measure says which way counts ("more layers", "deeper", "a lower error"; not
        "faster", "more accurate" or "better"); None otherwise."""
        direction = _direction(self.measure) if _has_direction(self.adjective) else 0
        figures = [_figure(answer, side) for answer, side in zip(answers, self.sides, strict=True)]
        first, second = figures
        if not direction or first is None or second is None or first[1] != second[1]:
            return None
        if first[0] == second[0]:
            return None
        winner = self.sides[0] if (first[0] > second[0]) == (direction > 0) else self.sides[1]
        measure = _FIRST_WORD_RE.sub(lambda m: self._said_of_one(m[0]), self.measure, 1)
        return f"By these figures, {winner} {measure}."

    def _said_of_one(self, verb: str) -> str:
        """The measure's verb said of one side in its tense: "have" → "has", and the plain verb
        "Did A or B train longer?" asks with: "train" → "trained"."""
        forms = _ONE_SIDE[self.past]
        plain = verb.lower()
        if plain in forms or plain not in (self.action.split(" ")[0], self.taken_by.split(" ")[0]):
            return forms.get(plain, verb)
        if plain in _IRREGULAR_VERBS:
            return _IRREGULAR_VERBS[plain][self.past]
        if self.past:
            return verb + ("d" if verb.endswith("e") else "ed")
        return verb + "s"


def _has_direction(adjective: str) -> bool:
    """Whether a comparison by ``adjective`` ("" for one by a thing: "more layers", "a lower
    error") is settled by the larger or smaller figure: a size is ("deeper", "longer"); "more
    accurate", "faster" and "better" are not (an error rate or a time reads the other way)."""
    return not adjective or adjective in _DIMENSIONS


def _direction(measure: str) -> int:
    """+1 when the larger figure wins ("has more layers", "is deeper"), -1 when the smaller does
    ("has fewer", "is lower"), 0 when the figures alone do not say ("is faster")."""
    words = set(measure.lower().split())
    if words & _GREATER:
        return 1
    return -1 if words & _SMALLER else 0


def _figure(answer: str, side: str) -> tuple[float, str] | None:
    """The one figure ``answer`` gives, with the word after it ("128 layers", "128-layer"): not
    one of the side's own words ("CIFAR-10"), nor a passage's marker; None for none or several."""
    text = strip_markers(answer).replace(side, " ")
    found = [
        (float(m["number"].replace(",", "")), (m["unit"] or "").lower().rstrip("s"))
        for m in _FIGURE_RE.finditer(text)
    ]
    return found[0] if len(found) == 1 else None


def parse_comparison(sentence: str) -> list[Comparison]:
    """The ways ``sentence`` reads as a comparison of two sides, [] when it is none: one for
    "Which is deeper, A or B?", one per "and"/"or" of "Which of A and B is deeper?" (which one
    parts the two sides is known only by the papers each names)."""
    match = _WHICH_RE.match(sentence) or _VERSUS_RE.match(sentence)
    if match:
        return [_comparison(match, match["first"], match["second"])]
    match = _WHICH_OF_RE.match(sentence)
    if match:
        pair = match["pair"]
        return [
            _comparison(match, pair[: at.start()], pair[at.end() :])
            for at in itertools.islice(_PAIR_RE.finditer(pair), MAX_PARTINGS)
        ]
    for than_re in (*_THAN_RES, *_OR_RES):
        match = than_re.match(sentence)
        if match:
            return [_comparison(match, match["first"], match["second"])]
    return []


def _comparison(match: re.Match[str], first: str, second: str) -> Comparison:
    groups = match.groupdict()
    verb = next(
        groups[g] for g in ("aux", "be", "have", "use", "built", "took", "verb") if groups.get(g)
    )
    second = _TRAILING_VERB_RE.sub("", second.strip(" ,:"))
    measure = next(
        (groups[g] for g in ("adj", "adverb", "took_adverb", "made_size") if groups.get(g)), None
    )
    built = groups.get("built") or ""
    units = groups.get("took_units") or ""
    use = " ".join((groups.get("use") or "use").split())
    return Comparison(
        sides=(_LEADING_THE_RE.sub("the", first.strip(" ,:")), second),
        measure=_measure_said(match),
        adjective=positive(measure) if measure else "",
        counted=groups.get("noun") or "",
        used=groups.get("thing") or "",
        amount=groups.get("amount") or units or "",
        held=groups.get("held") or "",
        action="" if units else _action(groups),
        made=groups.get("made") or "",
        made_by=next((p for p, forms in _BUILT_FORMS.items() if built.lower() in forms), ""),
        past=any(word in _PAST or word.endswith("ed") for word in verb.lower().split()),
        taken_by=_action(groups) if units else _TAKING_VERBS.get(use.lower(), "use"),
        context=groups.get("context") or "",
    )


def _action(groups: dict[str, str | None]) -> str:
    """What was done, for a measure of how it went: "train" ("trained longer"), "take to train"
    ("took longer to train"); "" for other measures."""
    if groups.get("took"):
        return f"take to {groups['todo']}"
    return _plain_verb(groups["verb"]) if groups.get("verb") else ""


def _measure_said(match: re.Match[str]) -> str:
    """The measure as the question words it, with its verb: "is deeper", "has more layers",
    "use a larger batch size" ("Is A deeper than B?" puts its "is" first)."""
    measure = " ".join(match["measure"].split())
    be = match.groupdict().get("be")
    return (
        f"{be.lower()} {measure}" if be and not measure.lower().startswith(be.lower()) else measure
    )


def _plain_verb(verb: str) -> str:
    """ "trained" → "train", "converged" → "converge", "stopped" → "stop", "trains" → "train",
    "train" → "train"."""
    verb = verb.lower()
    if verb.endswith("ed"):
        return _restored(verb[:-2])
    return verb[:-1] if verb.endswith("s") else verb


def positive(comparative: str) -> str:
    """The plain form of a comparative: "deeper" → "deep", "more accurate" → "accurate",
    "bigger" → "big", "larger" → "large", "earlier" → "early", "better" → "good"."""
    words = comparative.lower().split()
    if len(words) == 2:
        return words[1]
    if words[0] in _IRREGULAR:
        return _IRREGULAR[words[0]]
    return _restored(words[0][:-2])


def _restored(stem: str) -> str:
    """A word before its "-er" or "-ed" was added: "earli" → "early", "bigg" → "big", "larg" →
    "large"."""
    if stem.endswith("i"):
        return stem[:-1] + "y"
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "lsfz":
        return stem[:-1]
    return stem + "e" if _DROPPED_E_RE.search(stem) else stem
