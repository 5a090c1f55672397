"""Tests of reading the model's reply: refusals, restatements, the table cell asked, papers
named by their passage."""

import pytest

from paperqa.generate.evidence import Evidence
from paperqa.generate.prompts import REFUSAL_TEXT
from paperqa.generate.replies import (
    denial_instead,
    gives_the_kind_asked,
    is_refusal,
    list_in_one_sentence,
    name_the_papers,
    quoted_instead,
    reason_instead,
    the_cell_asked,
    with_the_cell_asked,
    with_the_count_asked,
    with_the_named_rows_column,
    with_the_row_asked,
)
from paperqa.types import Chunk, Passage

# Where quoted evidence comes from, when only its text matters.
PASSAGE = Passage(Chunk(0, "paper-a", "Title", 1, 1, "text"), 1.0, 1)


def test_refusal_wordings_are_recognised() -> None:
    assert is_refusal(REFUSAL_TEXT)
    assert is_refusal("The passages do not mention LoRA. It may be ...")
    assert is_refusal("The provided passages don't contain information about the World Cup.")
    assert is_refusal("")
    assert not is_refusal("The mixer is a column of 7 gated blocks [1].")
    assert not is_refusal("Slot shuffling is applied only to the lateral links [2].")
    assert is_refusal("The number of GPU hours is not mentioned.")
    assert is_refusal("I cannot find this in the passages.")
    assert is_refusal("The passages describe the sieve, but do not mention its depth.")
    assert is_refusal("I'm sorry, but I cannot answer that.")
    assert is_refusal("Unfortunately, the provided text does not specify the batch size.")


@pytest.mark.parametrize(
    "answer",
    [
        "Plain mixers are unable to recall long streams, which LMNs fix [1].",
        "The lattice reader does not contain gates or pooling [1].",
        "The mixer cannot tell the order of the slots on its own, so slot indices are added [2].",
        "There is no gating: the lattice alone connects slots [1].",
        "Without slot shuffling the mixer does not generalise [3].",
        # Retrieval papers speak of passages: a denial of theirs is no denial of the quoted ones.
        "The sieve adds hard negative passages that score high on the query, but do not contain"
        " the answer [1].",
        "The reader also sees documents that do not contain the answer, given the question [2].",
    ],
)
def test_answers_with_negative_words_are_not_refusals(answer: str) -> None:
    assert not is_refusal(answer)


GLORP_TABLE = (
    "Table 2 compares the systems. Clean read: Glorp 4.10, Blorp 3.25, Human 5.80;"
    " Noisy street: Glorp 21.5, Blorp 12.75, Human 19.3 Table 2: Word error rates."
)


def test_a_figure_taken_from_the_wrong_item_of_a_list_is_the_item_the_question_names() -> None:
    listed = [
        "The Glorp set has 1.5 million training clips, 8,000 dev clips and 40,000 test clips."
    ]
    question = "How many training clips does the Glorp set have?"
    assert with_the_count_asked("40,000 [1].", question, listed) == "1.5 million [1]."
    fixed = with_the_count_asked("It has 40,000 test clips [1].", question, listed)
    assert fixed == "It has 1.5 million training clips [1]."
    assert with_the_count_asked("1.5 million [1].", question, listed) == "1.5 million [1]."
    # Figures of different kinds ("tokens", "runs") are no list to choose from.
    mixed = ["Glorp data (up to 23 billion tokens) and context (1024 for most runs, or less)."]
    context = "What context length in tokens do the Glorp models use?"
    assert with_the_count_asked("1024 tokens [1].", context, mixed) == "1024 tokens [1]."
    # A question naming no one item ("clips" labels all three) leaves the reply as it is.
    vague = "How many clips does the Glorp set have?"
    assert with_the_count_asked("40,000 [1].", vague, listed) == "40,000 [1]."


def test_a_figure_read_off_the_wrong_column_is_the_cell_the_question_names() -> None:
    question = "What word error rate does Blorp reach on noisy street speech?"
    fixed = with_the_cell_asked(
        "Blorp reaches 19.3 on noisy street speech [1].", question, [GLORP_TABLE]
    )
    assert fixed == "Blorp reaches 12.75 on noisy street speech [1]."
    assert with_the_cell_asked("12.75 [1].", question, [GLORP_TABLE]) == "12.75 [1]."
    # A figure no passage holds, blended from two cells, is the cell's too.
    assert with_the_cell_asked("It is 12.5 [1].", question, [GLORP_TABLE]) == "It is 12.75 [1]."
    # A figure the passages give elsewhere, or two figures (a comparison), are the model's own.
    elsewhere = [GLORP_TABLE, "Blorp trained for 7.5 days."]
    assert with_the_cell_asked("It is 7.5 [1].", question, elsewhere) == "It is 7.5 [1]."
    both = "Blorp reaches 19.3 against 21.5 for Glorp [1]."
    assert with_the_cell_asked(both, question, [GLORP_TABLE]) == both
    # A question naming two columns names no one cell.
    versus = "How does Blorp compare with humans on noisy street speech?"
    assert (
        with_the_cell_asked("It reaches 19.3 [1].", versus, [GLORP_TABLE]) == "It reaches 19.3 [1]."
    )


def test_a_reply_that_restates_the_question_or_gives_the_wrong_kind_of_value_is_no_answer() -> None:
    question = "Which test sets did the Glorp network report for Quechua?"
    assert not gives_the_kind_asked(question, "The Glorp network reported Quechua test sets [1].")
    assert gives_the_kind_asked(question, "Two held-out radio corpora [1].")
    assert gives_the_kind_asked(question, "The Glorp network reported the Cusco test sets [1].")
    # The question's own words, capitalised as a name, answer "which task".
    named = "The Kth Nearest task asks for the kth nearest glorp [1]."
    assert gives_the_kind_asked("Which task asks for the kth nearest glorp?", named)
    # A dropout rate is no perplexity.
    rate = "What dropout probability does the Glorp network use?"
    assert not gives_the_kind_asked(rate, "82.7 [1].")
    assert gives_the_kind_asked(rate, "It drops units with probability 0.35 [1].")
    # A dimension is no BLEU score.
    width = "What is the model dimension of the big Glorp network?"
    assert not gives_the_kind_asked(width, "38.1 [1].")
    assert gives_the_kind_asked(width, "It is 1024 [1].")
    # An accuracy is not the figure the quoted passage calls an error rate, nor the reverse.
    table = ["Glorp: Top-1 (val) 40.7%, Top-5 (test) 26.2% Table 2: Comparison of error rates."]
    asked = "What top-1 accuracy does the Glorp network reach?"
    assert not gives_the_kind_asked(asked, "It reaches 26.2% [1].", table)
    assert gives_the_kind_asked("What top-5 test error does Glorp reach?", "26.2% [1].", table)
    prose = ["Glorp reaches 81.2% accuracy, while Blorp has an error rate of 26.2%."]
    assert gives_the_kind_asked(asked, "It reaches 81.2% [1].", prose)
    assert not gives_the_kind_asked(asked, "It reaches 26.2% [1].", prose)
    # A question asking why wants a reason, whatever value it names.
    why = "Why does the Glorp network divide its scores by the glorp dimension?"
    assert gives_the_kind_asked(why, "To keep the softmax out of its flat regions [1].")
    # An accuracy is no layer count.
    accuracy = "What top-1 accuracy does the 900-layer Glorp network reach?"
    assert not gives_the_kind_asked(accuracy, "The 900-layer network reaches 300 [1].")
    assert gives_the_kind_asked(accuracy, "The 900-layer network reaches 81.2 [1].")
    assert gives_the_kind_asked(accuracy, "It reaches a top-1 accuracy of 78% [1].")
    # A top-5 error is a figure some quoted sentence gives as a top-k figure.
    plain = ["Glorp cuts top-5 error by 1.1%. On Blorp, it reaches a 12% test error rate."]
    top5 = "What top-5 error does Glorp reach on Blorp?"
    assert not gives_the_kind_asked(top5, "Glorp reaches a top-5 error of 12% on Blorp [1].", plain)
    ranked = ["Glorp reaches a top-5 error rate of 12% on Blorp."]
    assert gives_the_kind_asked(top5, "Glorp reaches a top-5 error of 12% on Blorp [1].", ranked)
    # A batch size is a whole number, and the number in a name the question has is none.
    batch = "What batch size did Glorp Speech 3 use?"
    assert not gives_the_kind_asked(batch, "Glorp Speech 3 used a batch size of 0.5 [1].")
    assert gives_the_kind_asked(batch, "Glorp Speech 3 used a batch size of 512 [1].")
    # An exponent is a figure, not the symbol that names it.
    exponent = "What exponent does the power law in glorp size have?"
    assert not gives_the_kind_asked(exponent, "The exponent is alpha_G [1].")
    assert gives_the_kind_asked(exponent, "The exponent is about 0.07 [1].")
    # A question asking which paper did something is answered by pointing to a passage.
    which = "Which paper introduced the glorp network?"
    assert gives_the_kind_asked(which, "[1] introduced the glorp network.")
    # A yes-or-no question is answered in its own words.
    assert gives_the_kind_asked("Does the Glorp network use dropout?", "It uses dropout [1].")
    relative = "Does the Glorp network use dropout, which Smith proposed?"
    assert gives_the_kind_asked(relative, "It uses dropout [1].")


def test_a_reply_restating_the_question_gives_way_to_the_quoted_sentence_closest_to_it() -> None:
    evidence = [
        Evidence(PASSAGE, "Blorp cells have three gates. Each gate is a sigmoid layer."),
        Evidence(PASSAGE, "The Glorp cell is simpler. It folds the reset and carry gates in one."),
    ]
    question = "According to the notes, which two gates does a Glorp cell fold into one?"
    assert quoted_instead(question, "A Glorp cell folds two gates into one.", evidence) == (
        "The Glorp cell is simpler. It folds the reset and carry gates in one."
    )
    # A reply that answers, or declines, is left as it is.
    answered = "It merges the reset and carry gates."
    assert quoted_instead(question, answered, evidence) == answered
    assert quoted_instead(question, "Not found in the papers.", evidence) == (
        "Not found in the papers."
    )
    # So is one where no quoted sentence adds to the question.
    echo = [Evidence(PASSAGE, "A Glorp cell folds two gates into one.")]
    assert quoted_instead(question, "A Glorp cell folds two gates into one.", echo) == (
        "A Glorp cell folds two gates into one."
    )


def test_a_reply_to_why_that_gives_no_reason_gives_way_to_the_quoted_reason() -> None:
    evidence = [
        Evidence(PASSAGE, "We use a Glorp model since Glorp models scale well."),
        Evidence(
            PASSAGE,
            "The gain from the Glorp model is 12% for Blorpish and 30% for Zorpish. We attribute "
            "this to Blorpish words being longer than Zorpish ones.",
        ),
    ]
    question = "Why does the Glorp model help less for Blorpish than for Zorpish?"
    figures = "The gain drops from 30% for Zorpish to 12% for Blorpish [1]."
    # A cause stated outright wins over a "since" in passing that shares more of the question.
    assert reason_instead(question, figures, evidence) == (
        "We attribute this to Blorpish words being longer than Zorpish ones."
    )
    # A reply that gives a reason, a purpose or a means, or declines, and a question not asking
    # why, stand.
    for reply in (
        "Because Blorpish words are longer [1].",
        "The gain is scaled down to counteract longer words.",
        "It helps less by splitting Blorpish words into more pieces [1].",
        "Not found in the papers.",
    ):
        assert reason_instead(question, reply, evidence) == reply
    assert reason_instead("How much does it help Blorpish?", figures, evidence) == figures
    # Without a quoted reason the reply stands.
    assert reason_instead(question, figures, evidence[:0]) == figures


def test_a_bare_yes_over_a_passage_that_plays_the_claim_down_gives_way_to_the_passage() -> None:
    evidence = [
        Evidence(PASSAGE, "We train Glorp models of many sizes on the Blorp corpus."),
        Evidence(PASSAGE, "The width and depth of a Glorp model have minimal effects on its loss."),
    ]
    question = "Do the width and depth of a Glorp model matter much for its loss?"
    yes = "Yes, the width and depth of a Glorp model matter much for its loss [1]."
    assert denial_instead(question, yes, evidence) == (
        "The width and depth of a Glorp model have minimal effects on its loss."
    )
    # A "Yes" that says more, a "No", and a "Yes" over a passage that agrees, stand.
    for reply in (
        "Yes, width matters twice as much as depth [1].",
        "No, they have minimal effects [1].",
    ):
        assert denial_instead(question, reply, evidence) == reply
    agrees = [
        Evidence(PASSAGE, "The width and depth of a Glorp model shape its loss strongly."),
        Evidence(PASSAGE, "Width not only lowers the loss of a Glorp model but also its cost."),
        Evidence(PASSAGE, "No Blorp corpus was used; we trained on Zorp text for a week."),
    ]
    assert denial_instead(question, yes, agrees) == yes
    # The sentence that plays the claim down is found among the quoted, not only the closest.
    both = [*agrees, Evidence(PASSAGE, "Depth barely matters once a model is wide.")]
    assert denial_instead(question, yes, both) == "Depth barely matters once a model is wide."
    # Only a yes-or-no question is read this way.
    which = "Which sizes of Glorp model matter much for its loss?"
    assert denial_instead(which, yes, evidence) == yes


def test_a_question_is_checked_by_what_its_last_sentence_asks_after_its_scene_setting() -> None:
    scene = "According to the Glorp notes, which two gates does a Blorp cell merge into one?"
    assert not gives_the_kind_asked(scene, "A Blorp cell merges two gates into one [1].")
    assert gives_the_kind_asked(scene, "It merges the reset and carry gates [1].")
    lead = "The Glorp network uses wide layers. How many units does its decoder have?"
    assert not gives_the_kind_asked(lead, "38.1 [1].")
    assert not gives_the_kind_asked(lead, "Its decoder has wide layers of units [1].")
    assert gives_the_kind_asked(lead, "Its decoder has 1000 units [1].")


def test_a_paper_the_model_points_to_by_its_passage_is_named_by_its_title() -> None:
    papers = {1: ("pointer-networks", "Pointer Networks"), 2: ("gpipe", "GPipe: Easy Scaling")}
    assert name_the_papers("[2] introduced micro-batches.", papers) == (
        "GPipe: Easy Scaling [2] introduced micro-batches."
    )
    assert name_the_papers("The paper introduced it [1]. It is fast [2].", papers) == (
        "Pointer Networks introduced it [1]. It is fast [2]."
    )
    assert name_the_papers("The copy task is used in paper [1].", papers) == (
        "The copy task is used in Pointer Networks [1]."
    )
    assert name_the_papers("[1] Pointer Networks did.", papers) == "Pointer Networks did."
    # Authors the model gives the paper go: it reads them off passages that cite other people.
    assert name_the_papers("The paper by Long et al. (2015) introduced it [1].", papers) == (
        "Pointer Networks introduced it [1]."
    )
    assert name_the_papers("The paper says so.", papers) == "The paper says so."  # no marker
    assert name_the_papers("The papers are [1], [2] and [1].", papers) == (
        "The papers are Pointer Networks [1] and GPipe: Easy Scaling [2]."
    )
    assert name_the_papers("Pointer Networks [1] and [2] do.", papers) == (
        "Pointer Networks [1] and GPipe: Easy Scaling [2] do."
    )


def test_a_list_written_one_item_a_line_becomes_one_sentence() -> None:
    assert list_in_one_sentence("Glorp gating\nBlorp gating") == "Glorp gating and Blorp gating."
    bullets = "The settings of a glorp layer are:\n- The width (W)\n- Its depth (D)\n- A stride"
    assert list_in_one_sentence(bullets) == (
        "The settings of a glorp layer are: the width (W), its depth (D) and a stride."
    )
    assert list_in_one_sentence("1. Glorp [1]\n2. Blorp [2]") == "Glorp [1] and Blorp [2]."
    # Lines that are sentences of their own stay as they are, and so does a single line.
    assert list_in_one_sentence("Glorp uses A.\nBlorp uses B.") == "Glorp uses A.\nBlorp uses B."
    assert list_in_one_sentence("Glorp uses A.") == "Glorp uses A."
    numbered = "Two examples:\n1. A glorp keeps its shape in the rain.\n2. A blorp melts at dawn."
    assert list_in_one_sentence(numbered) == (
        "Two examples: A glorp keeps its shape in the rain.\nA blorp melts at dawn."
    )


def test_a_count_of_one_split_is_not_answered_with_a_figure_of_the_whole_dataset() -> None:
    evidence = [
        "Blorpnet holds over 12 million labelled images. Its contest uses about 900,000 "
        "training images, 40,000 validation images and 120,000 test images."
    ]
    question = "How many test images does the Blorpnet contest have?"
    assert not gives_the_kind_asked(question, "12 million images [1].", evidence)
    assert gives_the_kind_asked(question, "120,000 test images [1].", evidence)
    # "trained" as a verb asks for no split: "How many GPUs was Glorp trained on?"
    assert gives_the_kind_asked("How many GPUs was Glorp trained on?", "Two [1].", evidence)


def test_a_figure_of_a_flattened_table_is_the_one_of_the_row_the_question_names() -> None:
    table = [
        "Table 2: Glorp scores. Model Data Score Zed et al. (2011) plain only 80.1 Glorp (2 "
        "layers) plain only 91.3 Blorp (2014) semi-blorped 91.9 Glorp (2 layers) semi-blorped "
        "92.7 Zap et al. (2015) multi-task 93.0"
    ]
    question = "What score does the 2-layer Glorp reach in the semi-blorped setting?"
    assert with_the_row_asked("Glorp reaches 91.3 [1].", question, table) == (
        "Glorp reaches 92.7 [1]."
    )
    # A reply whose figure is the named row's, or a question naming no one row, stays.
    assert with_the_row_asked("92.7 [1].", question, table) == "92.7 [1]."
    vague = "What score does Glorp reach?"
    assert with_the_row_asked("91.3 [1].", vague, table) == "91.3 [1]."


def test_a_figure_of_a_flattened_table_of_columns_is_the_named_rows_in_that_column() -> None:
    table = [
        "Depth Plain Gated 3 layers, 1 gated 14.40 10.53 5 layers, 3 gated 10.56 8.00 7 layers, "
        "5 gated 9.78 7.79 9 layers, 7 gated 9.52 8.19 Table 3: Glorp error by depth."
    ]
    question = "What error did the gated Glorp with 7 layers (5 gated) reach?"
    # The model read the right column (gated) of the next row (9 layers).
    assert with_the_named_rows_column("It reached 8.19 [1].", question, table) == (
        "It reached 7.79 [1]."
    )
    plain = "What error did the plain Glorp with 7 layers (5 gated) reach?"
    assert with_the_named_rows_column("9.52 [1].", plain, table) == "9.78 [1]."
    # The named row's own figure, a question naming no one row, or prose, stay as they are.
    assert with_the_named_rows_column("7.79 [1].", question, table) == "7.79 [1]."
    vague = "What error did the gated Glorp reach?"
    assert with_the_named_rows_column("8.19 [1].", vague, table) == "8.19 [1]."
    prose = ["With 7 layers, 5 gated we reach 9.78 7.79 and with 9 layers 9.52 8.19 in the end."]
    assert with_the_named_rows_column("8.19 [1].", question, prose) == "8.19 [1]."


def test_the_cell_a_question_names_is_said_as_its_row_column_and_figure() -> None:
    question = "What word error rate does Blorp reach on noisy street speech?"
    assert the_cell_asked(question, [GLORP_TABLE]) == "Noisy street, Blorp: 12.75."
    # No one cell named: the row alone, or two columns.
    assert the_cell_asked("How noisy is the noisy street speech?", [GLORP_TABLE]) is None
    assert (
        the_cell_asked("How does Blorp compare with humans on noisy street speech?", [GLORP_TABLE])
        is None
    )
