from paperqa.aliases import (
    author_aliases,
    coined_words,
    defined_acronyms,
    document_aliases,
    frequent_coined,
    given_names,
    is_coined,
    title_aliases,
)

OPENING = (
    "Abstract. We extend the capabilities of neural networks by coupling them to external "
    "memory. We call the resulting system a Neural Turing Machine (NTM). Unlike Long "
    "Short-Term Memory (LSTM) networks, the controller reads and writes. A Pointer Net "
    "(Ptr-Net) is compared. Results hold on top-5 error (see Table 1)."
)


def test_acronyms_come_with_their_long_forms():
    found = defined_acronyms(OPENING)
    assert found[:2] == ["Neural Turing Machine", "NTM"]
    assert "LSTM" in found and "Long Short-Term Memory" in found
    assert "Ptr-Net" in found and "Pointer Net" in found


def test_a_parenthesis_that_is_not_an_acronym_is_ignored():
    assert defined_acronyms("errors drop (see Table 1) and (2017) and (a) and (Fig)") == []
    # Letters that the preceding words do not spell are no definition.
    assert defined_acronyms("a model of the world (XYZ) works") == []


def test_names_the_authors_give():
    assert given_names("Here we call the resulting system a Neural Turing Machine.") == [
        "Neural Turing Machine"
    ]
    assert given_names("which we call GPipe, a library") == ["GPipe"]
    assert given_names("we call on others to help") == []
    assert given_names("which we call Residual units") == []


def test_coined_words_need_inner_capitals_or_digits():
    assert coined_words("GPipe beats AlexNet; CS231n and word2vec, not LSTMs or Short-Term") == [
        "GPipe",
        "AlexNet",
        "CS231n",
        "word2vec",
    ]
    assert not is_coined("Transformer")
    assert not is_coined("top-5")


def test_frequent_coined_names_only_when_used_often_and_on_the_title_page():
    text = "ResNet " * 9 + "ImageNet " * 3 + "arXiv " * 20 + "log2 " * 20 + "AlexNet " * 9
    opening = "We present ResNet, trained on ImageNet (arXiv, log2)."
    assert frequent_coined(opening, text) == ["ResNet"]


def test_title_and_author_aliases():
    assert title_aliases("GPipe: Easy Scaling with Micro-Batch Pipeline Parallelism")[:3] == [
        "GPipe: Easy Scaling with Micro-Batch Pipeline Parallelism",
        "GPipe",
        "Easy Scaling with Micro-Batch Pipeline Parallelism",
    ]
    assert author_aliases(["Jared Kaplan", "Dario Amodei et al. (Baidu Research)"]) == [
        "Jared Kaplan",
        "Kaplan",
        "Dario Amodei",
        "Amodei",
    ]


def test_document_aliases_are_deduplicated_case_insensitively():
    aliases = document_aliases("Neural Turing Machines", ["Alex Graves"], OPENING, OPENING)
    assert aliases[:3] == ["Neural Turing Machines", "Alex Graves", "Graves"]
    assert "NTM" in aliases
    assert len({a.lower() for a in aliases}) == len(aliases)
