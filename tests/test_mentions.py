"""Papers named in a question: by title, nickname or first author."""

from __future__ import annotations

from paperqa.mentions import mentions


def _papers(text: str) -> list[str]:
    return [m.paper for m in mentions(text)]


def test_nicknames_titles_and_authors_name_papers_in_order() -> None:
    assert _papers("Did AlexNet use more dropout than the Transformer?") == [
        "imagenet-classification-deep-cnns",
        "attention-is-all-you-need",
    ]
    assert _papers("What does Kaplan et al. report, versus Deep Speech 2?") == [
        "scaling-laws-neural-lms",
        "deep-speech-2",
    ]
    assert _papers("In Neural Message Passing for Quantum Chemistry, what is QM9?") == [
        "neural-message-passing-quantum-chemistry"
    ]


def test_a_name_inside_a_longer_title_names_only_that_paper() -> None:
    assert _papers("What does Identity Mappings in Deep Residual Networks change?") == [
        "identity-mappings-resnets"
    ]


def test_ordinary_words_name_nothing() -> None:
    assert _papers("How does it compare with VGG? The transformer of a power grid.") == []
    assert _papers("What did He and Vinyals find?") == []  # too short or ambiguous


def test_a_name_two_papers_share_names_neither() -> None:
    # Karpathy wrote two reading-list texts; ImageNet is a dataset many papers use.
    assert _papers("Which ImageNet results did Karpathy discuss?") == []


def test_an_author_name_is_marked_as_such() -> None:
    by_author = [(m.paper, m.by_author) for m in mentions("As Kaplan et al. found for GPipe")]
    assert by_author == [("scaling-laws-neural-lms", True), ("gpipe", False)]


def test_a_name_of_several_words_names_its_paper_in_any_case() -> None:
    assert _papers("Which agent does the coffee automaton paper train?") == ["coffee-automaton"]
    assert _papers("how does the neural turing machine address memory?") == [
        "neural-turing-machines"
    ]
    # One word, and a person's name, only as written: "transformer" is a common word.
    assert _papers("the transformer of a power grid, as jared kaplan said") == []
