import pytest

from paperqa.text import (
    asked_short_form,
    asks_for_activation,
    asks_for_duration,
    asks_for_exponent,
    asks_for_gist,
    asks_for_list,
    asks_for_optimizer,
    asks_for_probability,
    asks_for_quantity,
    asks_for_rate,
    asks_for_whole_number,
    asks_which_paper,
    asks_why,
    document_header,
    explains,
    fold_accents,
    gives_reason,
    greek_symbols,
    names_activation,
    names_optimizer,
    norm,
    normalize,
    occurs,
    occurs_as_word,
    passage_text,
    sentence_spans,
    settings_unnamed,
    split_sentences,
    states_duration,
    states_figure,
    states_probability,
    states_rate,
    states_whole_number,
    term_spans,
    tokenize,
)


def test_hyphenated_words_keep_whole_and_parts():
    tokens = tokenize("sub-layer units")
    assert {"sub-layer", "sub", "layer", "unit"} <= set(tokens)


def test_term_spans_give_each_term_with_where_its_word_is():
    text = "The rough-and-ready Layers, e.g. two"
    spans = term_spans(text)
    assert [term for term, _, _ in spans] == ["rough-and-ready", "layer", "e.g", "2"]
    assert [text[start:end] for _, start, end in spans] == [
        "rough-and-ready",
        "Layers",
        "e.g",
        "two",
    ]


def test_decimals_and_percentages_survive():
    assert "42.5" in tokenize("an error rate of 42.5% on the held-out set")
    assert "0.3" in tokenize("a learning rate of 0.3.")
    assert "1024" in tokenize("a batch of 1,024 sequences")


def test_greek_letters_and_math_symbols():
    tokens = tokenize("with βk ∼ 0.042 and γ = 0.3")
    assert "βk" in tokens
    assert "0.042" in tokens
    assert "∼" not in tokens


def test_stopwords_dropped_and_plurals_folded():
    tokens = tokenize("What are the layers of the encoder?")
    assert tokens == ["layer", "encoder"]


def test_short_words_and_ss_endings_not_stemmed():
    assert tokenize("loss bus gas") == ["loss", "bus", "gas"]


def test_number_words_become_digits() -> None:
    assert tokenize("three heads and 3 layers") == ["3", "head", "3", "layer"]


def test_normalize_and_norm_follow_the_eval_definition() -> None:
    assert normalize("  Ａ  B-\n c\tD ") == "a bc d"
    assert norm("12 %") == norm("12%") == "12%"
    assert norm("repre-\n  sentation") == "representation"
    assert norm("Ａ  B-\n c\t12 %") == "abc12%"  # full width, a line-break hyphen, a tab
    assert norm("ﬁne Tuning") == "finetuning"  # the ligature unfolded, case and spaces gone
    assert occurs("ﬁne tuning", "We use fine-\ntuning")  # a line-break hyphen is dropped
    assert occurs("ﬁne tuning", "we use Fine Tuning here")
    assert not occurs("", "anything")


def test_a_name_occurs_only_as_whole_words() -> None:
    assert occurs_as_word("GLORP", "the GLORP model") and occurs_as_word("GLORP", "GLORP's gates")
    assert occurs_as_word("Glorp Net", "two Glorp\nNets")  # a line break, a plural
    assert occurs_as_word("FLOPs", "9.1 GFLOPs")  # after a unit's prefix
    assert occurs_as_word("GB", "reduced to 36GB of memory")  # a unit after its figure
    assert not occurs_as_word("RAG", "by averaging the heads")  # inside another word
    assert not occurs_as_word("RN", "they learn")
    assert not occurs_as_word("", "anything")


def test_sentences_split_at_ends_but_not_after_abbreviations_or_in_numbers() -> None:
    text = (
        "Results follow Smith et al. 2019 closely. See Fig. 3 for the curve! The rate was 0.5. "
        "J. Doe agreed. The unit of Eqn. (9) and Sect. 4 is best.\n\nA new paragraph\n- a list item"
    )
    assert split_sentences(text) == [
        "Results follow Smith et al. 2019 closely.",
        "See Fig. 3 for the curve!",
        "The rate was 0.5.",
        "J. Doe agreed.",
        "The unit of Eqn. (9) and Sect. 4 is best.",
        "A new paragraph",
        "- a list item",
    ]
    for start, end in sentence_spans(text):
        assert text[start:end] == text[start:end].strip()


def test_a_citation_marker_stays_with_the_sentence_it_ends() -> None:
    text = "Shuffling of 0.15 was used, e.g. in training [3]. Braided nets reach 118 layers.\nDone."
    assert split_sentences(text) == [
        "Shuffling of 0.15 was used, e.g. in training [3].",
        "Braided nets reach 118 layers.",
        "Done.",
    ]


def test_an_abbreviation_just_inside_a_bracket_ends_no_sentence() -> None:
    text = "Train on a few (e.g. 12 samples) first. It helps (Fig. 3) a lot. Done."
    assert split_sentences(text) == [
        "Train on a few (e.g. 12 samples) first.",
        "It helps (Fig. 3) a lot.",
        "Done.",
    ]


def test_a_sentence_keeps_the_closing_quote_or_bracket_after_its_end() -> None:
    text = 'It merges two gates into one "mixing gate." It is simpler. (See Fig. 2.) Done.'
    assert split_sentences(text) == [
        'It merges two gates into one "mixing gate."',
        "It is simpler.",
        "(See Fig. 2.)",
        "Done.",
    ]
    assert split_sentences("One means \u201clet it all through!\u201d Zero means none.") == [
        "One means \u201clet it all through!\u201d",
        "Zero means none.",
    ]


def test_passage_text_carries_title_authors_year_and_section() -> None:
    header = document_header("A Paper", ["Ada Lovelace", "Alan M. Turing"], 1950)
    assert header == "A Paper (Lovelace, Turing 1950)"
    assert (
        passage_text(header, "2 Method", "Body.")
        == "A Paper (Lovelace, Turing 1950). 2 Method.\nBody."
    )


def test_questions_that_ask_for_an_amount_are_told_apart():
    for question in (
        "How many layers does the encoder have?",
        "By how much did the error drop?",
        "In what year was the first paper published?",
        "What exponent does the loss follow?",
        "What learning rate did the small model use?",
        "What top-1 validation error does the ensemble reach?",
        "Which BLEU score is reported on the test set?",
        "Which year did the challenge start?",
    ):
        assert asks_for_quantity(question), question
    for question in (
        "What is dropout?",
        "Why is the sum scaled?",
        "Which optimizer was used?",
        "What loss function is minimised?",
        "What kind of network encodes the question?",
    ):
        assert not asks_for_quantity(question), question


def test_questions_that_ask_how_long_something_took_and_spans_of_time_are_told_apart():
    assert asks_for_duration("How long did it take to train AlexNet?")
    assert asks_for_duration("how much time did training the big model take?")
    assert asks_for_duration("How many GPUs were used, and how long did training take?")
    assert not asks_for_duration("How long are the passages DPR splits articles into?")
    assert not asks_for_duration("How much time does GPipe save?")
    assert states_duration("between five and six days")
    assert states_duration("300,000 steps (3.5 days)")
    assert states_duration("it ran for 12h")
    assert not states_duration("The big model took 1018 parameters to train.")
    assert not states_duration("It was published in 2017.")


def test_questions_that_ask_for_a_probability_and_values_it_can_take_are_told_apart():
    assert asks_for_probability("What dropout probability does the medium model use?")
    assert asks_for_probability("Which dropout rate did the Glorp network train with?")
    assert asks_for_probability("What is the probability of keeping a unit?")
    assert not asks_for_probability("Which probability distribution does the prior take?")
    assert not asks_for_probability("What learning rate did the Glorp network use?")
    for value in ("0.5 [1].", "p = .65", "20% of the units", "one half", "keep 3/4", "1.0"):
        assert states_probability(value), value
    for value in ("less than one millionth", "below 1e-6", "10^-6", "one in a thousand"):
        assert states_probability(value), value
    for value in ("82.7 [1].", "The rate is 1.5.", "It has 10 layers [2].", "a tenth layer"):
        assert not states_probability(value), value


def test_questions_that_ask_for_a_count_or_a_dimension_and_whole_numbers_are_told_apart():
    assert asks_for_whole_number("What is the embedding dimension of the big Glorp model?")
    assert asks_for_whole_number("How many attention heads does the Glorp network use?")
    assert not asks_for_whole_number("What bits per dimension does the Glorp model reach?")
    assert not asks_for_whole_number("How many GPU-hours did training take?")
    assert asks_for_whole_number("How many parameters does the Glorp network have?")
    # A figure of another kind asked before the size: the size only sets the scene.
    exponent = "What exponent relates the critical batch size of the Glorp model to its loss?"
    assert not asks_for_whole_number(exponent)
    assert asks_for_whole_number("What batch size relates to the Glorp model's lowest loss?")
    # A size in a lead-in sets the scene too: what is asked comes after it.
    assert not asks_for_whole_number("In the Glorp batch size table, what BLEU does 1M reach?")
    assert asks_for_whole_number("In the Glorp BLEU table, what batch size reaches 31.2?")
    for value in ("2048 [1].", "Six layers", "1.5 billion", "21M passages", "557M parameters"):
        assert states_whole_number(value), value
    # A digit inside a symbol ("n2", "x2") is no count.
    for value in ("38.1 [1].", "It reaches 4.49%.", "It has n2 parameters [1]."):
        assert not states_whole_number(value), value


def test_a_training_setting_the_question_asks_for_must_be_named_by_the_text() -> None:
    dropout = "We apply dropout to the Glorp blocks with Pdrop = 0.2."
    assert settings_unnamed("What weight decay did the Glorp network use?", dropout) == [
        "weight decay"
    ]
    assert settings_unnamed("What dropout rate did the Glorp network use?", dropout) == []
    # The text may name the setting its own way.
    assert settings_unnamed("What learning rate was used?", "a step size of 0.01") == []
    assert settings_unnamed("What batch size was used?", "mini-batches of 64 glorps") == []
    assert settings_unnamed("How deep is the Glorp network?", dropout) == []  # no setting asked


def test_questions_that_ask_which_optimizer_or_activation_and_the_words_that_name_one() -> None:
    assert asks_for_optimizer("Which optimizer was the Glorp network trained with?")
    assert asks_for_optimizer("What kind of optimizer did the Glorp authors use?")
    assert not asks_for_optimizer("What learning rate did the Glorp optimizer use?")
    assert not asks_for_optimizer("What optimizer settings did the Glorp authors use?")
    assert names_optimizer("SGD with a momentum of 0.9 [1].") and names_optimizer("Adam [1].")
    assert not names_optimizer("The Glorp network used dropout [1].")
    assert asks_for_activation("What activation function do Glorp units use?")
    assert asks_for_activation("Which nonlinearity does the Glorp gate apply?")
    assert names_activation("Rectified linear units [1].") and names_activation("tanh [1].")
    assert not names_activation("A two-dimensional array of bits [1].")


def test_questions_that_ask_for_an_accuracy_or_error_rate_and_the_values_they_can_take() -> None:
    for question in (
        "What ImageNet top-1 accuracy does the Glorp network reach?",
        "What top-5 error does the Glorp network get?",
        "What is the WER of the Glorp recogniser on the noisy set?",
        "What F1 score does the Glorp parser reach?",
    ):
        assert asks_for_rate(question), question
    assert not asks_for_rate("What error function does the Glorp network minimise?")
    assert not asks_for_rate("What perplexity does the Glorp model reach?")
    for value in ("81.2 [1].", "0.92", "It reaches 4.49% on 1,200 images.", "mean squared"):
        assert states_rate(value), value
    for value in ("The 50-layer network reaches a top-1 accuracy of 200.", "2048 [1]."):
        assert not states_rate(value), value


def test_questions_that_ask_why_and_sentences_that_give_a_reason_are_told_apart():
    assert asks_why("Why does the loss diverge at a high learning rate?")
    assert asks_why("What goes wrong when the batch is too small?")
    assert not asks_why("What is the loss divided by?")
    assert gives_reason("We attribute this to the larger batch.")
    assert gives_reason("It fails because the gradients vanish.")
    assert not gives_reason("The batch holds 256 images.")
    # A cause stated outright, not a "since" or "thus" in passing.
    assert explains("We attribute this to the larger batch.")
    assert explains("The reason is that gradients vanish.")
    assert gives_reason("We use it since it scales.") and not explains("We use it since it scales.")


def test_a_question_about_what_a_short_form_stands_for_names_it() -> None:
    assert asked_short_form("What does NTM stand for?") == "NTM"
    assert asked_short_form("what do NTMs stand for in the paper") == "NTM"
    assert asked_short_form("What is the acronym LMN short for?") == "LMN"
    assert asked_short_form("What is the full name of GPipe?") == "GPipe"
    assert asked_short_form("What does the abbreviation CTC mean?") == "CTC"
    assert asked_short_form("What does the NTM controller output?") is None
    assert asked_short_form("What do the letters in Table 2 mean?") is None


def test_a_question_may_ask_which_paper_did_something() -> None:
    for question in (
        "Which paper introduced residual connections?",
        "In which paper is the copy task used?",
        "Which of the papers uses QM9?",
        "What post explains LSTM gates?",
    ):
        assert asks_which_paper(question), question
    assert not asks_which_paper("Which optimizer did the paper use?")
    assert not asks_which_paper("What does the paper introduce?")


def test_a_question_about_what_a_paper_is_about_asks_for_its_gist() -> None:
    for question in (
        "What is the main idea of the ResNet paper?",
        "Summarize the DPR and RAG papers.",
        "Give me a short summary of GPipe.",
        "What are the key findings of the scaling laws paper?",
        "What is the Neural Turing Machine paper about?",
        "What problem does GPipe solve?",
    ):
        assert asks_for_gist(question), question
    for question in (
        "What dropout did AlexNet use?",
        "How does the summary statistic work?",
        "What is the key difference between RAG-Sequence and RAG-Token?",
    ):
        assert not asks_for_gist(question), question


def test_an_exponent_is_asked_for_as_a_figure():
    assert asks_for_exponent("What exponent does the glorp power law have?")
    assert asks_for_exponent("What is the power-law exponent for blorp size?")
    assert not asks_for_exponent("Why is the exponent of the glorp law small?")
    assert states_figure("It is about 0.07 [1].") and states_figure("Loss falls as G^-0.5.")
    assert states_figure("One half [1].")
    assert not states_figure("The exponent is alpha_G [1].")
    assert not states_figure("It is called alpha [12].")


@pytest.mark.parametrize(
    ("question", "several"),
    [
        ("Which datasets is Glorp evaluated on?", True),
        ("What are the three gates of a Blorp cell?", True),
        ("What kinds of text did Zed train Glorp on?", True),
        ("Which two languages does Glorp recognise?", True),
        ("Which optimizer does Glorp use?", False),
        ("What is the dropout rate of Glorp?", False),
        ("What does the Blorp process do?", False),
        ("How many layers does Glorp have?", False),
    ],
)
def test_a_question_asking_for_several_things_is_told_from_one_asking_for_one(
    question: str, several: bool
) -> None:
    assert asks_for_list(question) is several


def test_fold_accents_reads_a_name_as_typed_without_accents() -> None:
    assert fold_accents("Peter Grünwald") == "Peter Grunwald"
    assert fold_accents("Gr¨unwald and O˘guz") == "Grunwald and Oguz"  # accents a PDF split off
    assert fold_accents("Kaplan, 8.8 × 10") == "Kaplan, 8.8 × 10"


def test_greek_symbols_are_the_letters_a_text_spells_out() -> None:
    assert greek_symbols("What value of lambda, and which beta?") == ["λ", "β"]
    assert greek_symbols("What alphabet does Glorp use?") == []


def test_a_typographic_apostrophe_gives_the_terms_of_a_typed_one() -> None:
    assert tokenize("trained on WMT’14 data") == tokenize("trained on WMT'14 data")
