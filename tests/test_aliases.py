from paperqa.aliases import (
    author_aliases,
    coined_words,
    defined_acronyms,
    defines,
    document_aliases,
    frequent_coined,
    given_names,
    is_coined,
    title_aliases,
    title_phrases,
)

# An invented title page (the papers of the reading list must not be committed).
OPENING = (
    "Abstract. We give slot mixers a lattice of writable cells, so that they recall long "
    "streams. We name the resulting model a Lattice Memory Network (LMN). Unlike Gated "
    "Short-Span Recall (GSSR) mixers, the reader both scans and rewrites. A Braided Net "
    "(Br-Net) is compared. Results hold on top-3 miss rate (see Table 2)."
)


def test_acronyms_come_with_their_long_forms():
    found = defined_acronyms(OPENING)
    assert found[:2] == ["Lattice Memory Network", "LMN"]
    assert "GSSR" in found and "Gated Short-Span Recall" in found
    assert "Br-Net" in found and "Braided Net" in found


def test_a_parenthesis_that_is_not_an_acronym_is_ignored():
    assert defined_acronyms("errors drop (see Table 1) and (2017) and (a) and (Fig)") == []
    # Letters that the preceding words do not spell are no definition.
    assert defined_acronyms("a model of the world (XYZ) works") == []


def test_a_text_defines_a_short_form_only_where_it_spells_it_out():
    assert defines(OPENING, "LMN") and defines(OPENING, "lmn")
    assert defines("Two Slot Mixers (TSMs) are used.", "TSM")
    assert not defines("The LMN (see Table 2) and the (LMN) cell.", "LMN")
    assert not defines(OPENING, "XYZ")


def test_names_the_authors_give():
    assert given_names("Here we call the resulting model a Lattice Memory Network.") == [
        "Lattice Memory Network"
    ]
    assert given_names("which we call BraidFlow, a library") == ["BraidFlow"]
    assert given_names("we call on others to help") == []
    assert given_names("which we call Gated units") == []


def test_coined_words_need_inner_capitals_or_digits():
    assert coined_words("BraidFlow beats LatNet; QX231n and slot2vec, not LMNs or Short-Span") == [
        "BraidFlow",
        "LatNet",
        "QX231n",
        "slot2vec",
    ]
    assert not is_coined("Transformer")
    assert not is_coined("top-5")


def test_frequent_coined_names_only_when_used_often_and_on_the_title_page():
    text = "LatNet " * 9 + "PebbleSet " * 3 + "arXiv " * 20 + "log2 " * 20 + "HexNet " * 9
    opening = "We present LatNet, trained on PebbleSet (arXiv, log2)."
    assert frequent_coined(opening, text) == ["LatNet"]


def test_title_and_author_aliases():
    assert title_aliases("BraidFlow: Cheap Recall with Micro-Slot Braided Lattices")[:3] == [
        "BraidFlow: Cheap Recall with Micro-Slot Braided Lattices",
        "BraidFlow",
        "Cheap Recall with Micro-Slot Braided Lattices",
    ]
    assert author_aliases(["Mira Okafor", "Lars Vennholm et al. (Marsh Labs)"]) == [
        "Mira Okafor",
        "Okafor",
        "Lars Vennholm",
        "Vennholm",
    ]
    # A name with accents is also named as people type it without them.
    assert author_aliases(["Zoë Brünner"]) == ["Zoë Brünner", "Brünner", "Zoe Brunner", "Brunner"]


def test_document_aliases_are_deduplicated_case_insensitively():
    aliases = document_aliases("Lattice Memory Networks", ["Ines Marrow"], OPENING, OPENING)
    assert aliases[:3] == ["Lattice Memory Networks", "Ines Marrow", "Marrow"]
    assert "LMN" in aliases
    assert len({a.lower() for a in aliases}) == len(aliases)


def test_title_phrases_are_the_runs_people_shorten_a_title_to():
    phrases = title_phrases("Slot Mixers: Better & Faster Braided Lattices via Micro-Slot Recall")
    assert "Braided Lattices" in phrases and "Micro-Slot Recall" in phrases
    assert "Lattices via" not in phrases  # ends with a joining word
    assert not any("&" in p or ":" in p for p in phrases)
    assert "Slot Mixers" not in phrases  # a part around the colon is a name of the title already
