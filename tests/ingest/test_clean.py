from paperqa.ingest.clean import (
    Vocabulary,
    assemble,
    decode_glyph_codes,
    dehyphenate,
    drop_running_lines,
    english_ranks,
    measure,
    normalize_unicode,
    repair_colon_decimals,
    repair_ocr,
    repair_spacing,
)

VOCAB = Vocabulary()

# Invented text throughout (the papers of the reading list must not be committed).
CLEAN_SENTENCE = (
    "The leading slot memory models rely on large gated or lattice neural networks that combine"
    " a reader and a writer."
)


def test_english_vocabulary_is_local_and_frequency_ordered() -> None:
    ranks = english_ranks()
    assert len(ranks) > 10_000  # the packaged embedder's vocabulary
    assert ranks["the"] < ranks["network"] < ranks["posterior"]


def test_normalize_unicode_ligatures_spaces_and_soft_hyphens() -> None:
    assert normalize_unicode("the ﬁrst ﬂow is eﬃcient") == "the first flow is efficient"
    assert normalize_unicode("a\u00a0b\u2009c\u200bd") == "a b cd"
    assert normalize_unicode("repre\u00adsen\u00ad\ntation") == "represen-\ntation"
    # Superscripts and math letters keep their meaning.
    assert normalize_unicode("x² + 𝜃") == "x² + 𝜃"


def test_decode_glyph_codes_of_type3_fonts() -> None:
    assert decode_glyph_codes("o/#0Ece co v ers pro/#0Ct") == "office co v ers profit"
    assert decode_glyph_codes("Ja/#0Bry T/. Mol ton") == "Jaffry T. Mol ton"
    assert decode_glyph_codes('/#28Moss /1/9/8/7/#29/; see /#5Cp ool ed/-scaling/"') == (
        '(Moss 1987); see "p ool ed-scaling"'
    )
    assert decode_glyph_codes("/#0F Limit the") == "• Limit the"
    assert decode_glyph_codes("and/or http://x.org/a") == "and/or http://x.org/a"


def test_dehyphenate_joins_broken_words_and_keeps_compounds() -> None:
    lines = ["a learned repre-", "sentation that is time-", "consuming and Dutch-", "to-Frisian"]
    assert dehyphenate(lines, VOCAB) == [
        "a learned representation that is time-consuming and Dutch-to-Frisian"
    ]
    assert dehyphenate(["state-of-the-art", "models"], VOCAB) == ["state-of-the-art", "models"]
    # On pages with broken spacing the halves are fragments: always join.
    assert dehyphenate(["den-", "sit y"], VOCAB, keep_compounds=False) == ["densit y"]


def test_drop_running_lines_headers_page_numbers_and_arxiv_stamp() -> None:
    def page(number: int) -> list[str]:
        topic = ["alpha", "beta", "gamma", "delta", "omega"][number - 1]
        content = [f"Content line {word} about {topic}." for word in ("one", "two", "three")]
        middle = "A line repeated in the middle of every page is content."
        return [
            "Published as a workshop paper at MARSH 2019",
            *content,
            middle,
            *content,
            str(number),
        ]

    pages = [page(n) for n in range(1, 6)]
    pages[0].insert(1, "arXiv:1907.99121v2  [cs.LG]  12 Mar 2019")
    cleaned = drop_running_lines(pages)
    for number, lines in enumerate(cleaned, start=1):
        assert lines == page(number)[1:-1]


def test_drop_running_lines_keeps_repeated_lines_of_short_documents() -> None:
    pages = [["Introduction to the method", "text"], ["Introduction to the method", "more"]]
    assert drop_running_lines(pages) == pages


def test_repair_spacing_fixes_broken_words() -> None:
    garbled = "Sup ervised lattice net w orks remem b er w ell if there is m uc h more structure"
    assert repair_spacing(garbled, VOCAB) == (
        "Supervised lattice networks remember well if there is much more structure"
    )
    assert repair_spacing("Departmen t of Computer Science", VOCAB) == (
        "Department of Computer Science"
    )
    assert repair_spacing("Univ ersit yofL eeds", VOCAB) == "University of Leeds"
    assert repair_spacing("it is imp ortan ttok eep the gates small", VOCAB) == (
        "it is important to keep the gates small"
    )


def test_repair_spacing_leaves_good_text_alone() -> None:
    assert repair_spacing(CLEAN_SENTENCE, VOCAB) == CLEAN_SENTENCE
    assert repair_spacing("as shown by McAllan and Voss (1991).", VOCAB) == (
        "as shown by McAllan and Voss (1991)."
    )


def test_document_words_help_the_repair() -> None:
    vocab = Vocabulary(["Quorvantis", "Quorvantis", "complexity"])
    assert repair_spacing("the Quor van tis complexit y", vocab) == "the Quorvantis complexity"


def test_decimal_points_read_as_colons_are_put_back_where_a_document_writes_them_so() -> None:
    pages = [
        ["The glorp error was 0 : 286, against 0 : 967 without noise (35 : 6 for a line).",
         "The weight starts at", ": 05 and rises by the schedule : 05 ;: 1 ;: 2 ; 1 : 0."],
        ["Meeting at 10:30, as follows: 3 steps."],
    ]  # fmt: skip
    repaired, points = repair_colon_decimals(pages)
    assert points == 8
    assert repaired == [
        ["The glorp error was 0.286, against 0.967 without noise (35.6 for a line).",
         "The weight starts at", ".05 and rises by the schedule .05 ;.1 ;.2 ; 1.0."],
        ["Meeting at 10:30, as follows: 3 steps."],
    ]  # fmt: skip
    # A ratio or two in an ordinary document stays a ratio.
    ratios = [["Mix glorp and blorp 3 : 1, or 2 : 1 for the small nets."]]
    assert repair_colon_decimals(ratios) == (ratios, 0)


def test_repair_ocr_joins_split_and_letter_spaced_words() -> None:
    assert repair_ocr("CHAPTER 9 Geometr ic sampling", VOCAB) == "CHAPTER 9 Geometric sampling"
    assert repair_ocr("9.2. T he fram ework and dark ness levels", VOCAB) == (
        "9.2. The framework and darkness levels"
    )
    assert repair_ocr("T h e o r e m 31. Periodic ob jects", VOCAB) == (
        "Theorem 31. Periodic objects"
    )
    unchanged = "A set K is defined as b in the proof, and Q on the right."
    assert repair_ocr(unchanged, VOCAB) == unchanged
    assert repair_ocr(CLEAN_SENTENCE, VOCAB) == CLEAN_SENTENCE


def test_measure_flags_garbled_text_and_passes_good_text() -> None:
    garbled = (
        "Sup ervised lattice net w orks remem b er w ell if there is m uc h more struc ture in"
        " the slots than there is in the noise of the train ing stream. So during"
        " learn ing, it is imp or tan t to k eep the gates small b y penal izing their w idth"
    )
    quality = measure(garbled, VOCAB)
    assert quality.split_pairs >= 5
    assert quality.issues == ["broken word spacing"]
    assert measure(CLEAN_SENTENCE * 5, VOCAB).issues == []
    assert measure("/#0Ct /#0B /#0E /#28a/#29", VOCAB).issues == ["glyph codes"]
    ocr = "T h e o r e m 3. P r o o f. Geometr ic fram ework, K(y) ^ log фА and к, Ф"
    assert "OCR artifacts" in measure(ocr, VOCAB).issues


def test_assemble_paragraphs_and_heading_offsets() -> None:
    lines = [
        "1 Introduction",
        "Neural networks learn representations from data and",
        "they generalize well.",
        "• a bullet item",
        "",
        "2 Method",
        "We train the model.",
    ]
    text, headings = assemble(lines, {0, 5})
    assert text == (
        "1 Introduction\n\nNeural networks learn representations from data and they generalize"
        " well.\n\n• a bullet item\n\n2 Method\n\nWe train the model."
    )
    assert headings == [(0, "1 Introduction"), (text.index("2 Method"), "2 Method")]
