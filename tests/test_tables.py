import re
from pathlib import Path

import pytest
from pdf_factory import make_pdf

from paperqa.ingest.parse import parse_file
from paperqa.tables import Cell, cell_asked, label_table_rows, table_cells

TEXT_BEFORE = "We compare the three systems on two test sets below."
CAPTION = "Table 3: Word error rates of the systems."


def test_each_figure_is_labelled_with_its_column() -> None:
    lines = [
        TEXT_BEFORE,
        "Test set Alpha Beta Gamma",
        "Clean read 4.10 3.25 5.80",
        "Noisy street 21.5 12.75% —",
        CAPTION,
    ]
    assert label_table_rows(lines) == [
        TEXT_BEFORE,
        "Clean read: Alpha 4.10, Beta 3.25, Gamma 5.80;"
        " Noisy street: Alpha 21.5, Beta 12.75%, Gamma —",
        CAPTION,
    ]


def test_a_heading_with_a_word_in_parentheses_is_one_heading() -> None:
    lines = ["Model Top-1 (val) Top-1 (test)", "Small net 40.2% 39.9%", "Large net 36.1% 35.8%"]
    assert label_table_rows(lines) == [
        "Small net: Top-1 (val) 40.2%, Top-1 (test) 39.9%;"
        " Large net: Top-1 (val) 36.1%, Top-1 (test) 35.8%"
    ]


def test_rows_side_by_side_under_two_heading_lines_are_each_labelled_in_full() -> None:
    lines = [
        TEXT_BEFORE,
        "Training Model Top-1 Top-10",
        "Alpha Beta Alpha Beta",
        "None Plain 10.5 20.5 30.5 40.5",
        "Joint Fancy 11.0 21.0 31.0 41.0 Tuned + Fancy 12.0 22.0 32.0 42.0",
        CAPTION,
    ]
    labelled = label_table_rows(lines)
    assert labelled == [
        TEXT_BEFORE,
        "None Plain: Top-1 Alpha 10.5, Top-1 Beta 20.5, Top-10 Alpha 30.5, Top-10 Beta 40.5;"
        " Joint Fancy: Top-1 Alpha 11.0, Top-1 Beta 21.0, Top-10 Alpha 31.0, Top-10 Beta 41.0;"
        " Tuned + Fancy: Top-1 Alpha 12.0, Top-1 Beta 22.0, Top-10 Alpha 32.0, Top-10 Beta 42.0",
        CAPTION,
    ]
    cell = cell_asked("What Top-10 Beta does Tuned + Fancy reach?", table_cells(*labelled))
    assert cell is not None and cell.figure == "42.0"


def test_headings_repeated_without_wider_ones_over_them_are_kept_as_they_are() -> None:
    lines = [TEXT_BEFORE, "Model Dev Test Dev", "Small net 1.5 2.5 3.5", "Large net 4.5 5.5 6.5"]
    assert label_table_rows(lines)[1] == (
        "Small net: Dev 1.5, Test 2.5, Dev 3.5; Large net: Dev 4.5, Test 5.5, Dev 6.5"
    )


def test_column_headings_ending_in_one_shared_word_are_read_as_one_heading_each() -> None:
    lines = [TEXT_BEFORE, "Model Glorp set Blorp set", "Small net 1.5 2.5", "Large net 3.5 4.5"]
    assert label_table_rows(lines)[1] == (
        "Small net: Glorp set 1.5, Blorp set 2.5; Large net: Glorp set 3.5, Blorp set 4.5"
    )


def test_a_line_naming_a_group_of_rows_begins_the_next_rows_label() -> None:
    # Which rows below "Noisy" belong to it the text does not say: only the next row is named.
    lines = [
        TEXT_BEFORE,
        "Model Alpha Beta",
        "Clean",
        "Small net 4.10 3.25",
        "Large net 3.90 3.05",
        "Noisy Small net 21.5 12.75",
        "Large net 19.5 11.25",
        CAPTION,
    ]
    assert label_table_rows(lines) == [
        TEXT_BEFORE,
        "Clean Small net: Alpha 4.10, Beta 3.25; Large net: Alpha 3.90, Beta 3.05;"
        " Noisy Small net: Alpha 21.5, Beta 12.75; Large net: Alpha 19.5, Beta 11.25",
        CAPTION,
    ]
    # A short line that heads the columns itself, or that follows a sentence's end, is none.
    ended = ["The deeper nets did", "better overall.", "Model Dev Test", "Small net 1.5 2.5"]
    lines = [*ended, "Large net 3.5 4.5", CAPTION]
    assert (
        label_table_rows(lines)[2] == "Small net: Dev 1.5, Test 2.5; Large net: Dev 3.5, Test 4.5"
    )
    unread = ["Table 6: Scores on generation", "tasks.", "Glorp Blorp Snark", "Gold 89.6% 90.0%"]
    lines = [*unread, "Ours 70.7% 32.4%", TEXT_BEFORE]
    assert label_table_rows(lines) == lines
    page_start = ["Clean", "Small net 4.10 3.25", "Large net 3.90 3.05"]  # nothing above
    assert label_table_rows(page_start) == page_start
    # A group line whose row does not join the table stays in the text.
    lines = [TEXT_BEFORE, "Model Alpha Beta", "Small net 4.10 3.25", "Large net 3.90 3.05"]
    assert label_table_rows([*lines, "Noisy", "Odd one 1.0 2.0 3.0"])[2:] == [
        "Noisy",
        "Odd one 1.0 2.0 3.0",
    ]


@pytest.mark.parametrize(
    ("heading", "rows"),
    [
        # "All" and "No Noise" head the two columns: which words go together is not known.
        ("Model All No Noise", ["Small net 13.9 24.2", "Large net 21.5 31.4"]),
        # "Dataset" heads the labels: three headings for four figures (one heads two).
        (
            "Dataset Train Dev Test",
            ["First 79,168 58,880 8,757 3,610", "Second 3,417 2,474 361 2,032"],
        ),
        # The end of a caption cut across lines, not column headings.
        ("as listed in (Section", ["Small net 4096 0.03", "Large net 2048 0.03"]),
        # A heading that is a figure: the second line of a two-line heading.
        ("Model 12 test", ["Small net 73.2 70.4", "Large net 76.4 73.8"]),
        # A figure amid a row's words is a column this reading would miss.
        ("Model Dev Test", ["Copy 1 100 word 28.1 53.0", "Sort 8 512 word 26.7 47.2"]),
        # One row is no table.
        ("Model Dev Test", ["Small net 73.2 70.4", TEXT_BEFORE]),
    ],
)
def test_tables_read_ambiguously_are_left_as_they_are(heading: str, rows: list[str]) -> None:
    lines = [TEXT_BEFORE, heading, *rows, CAPTION]
    assert label_table_rows(lines) == lines


def test_prose_with_numbers_is_not_a_table() -> None:
    lines = [
        "The learning rate was set to 0.1 and 0.01",
        "and we trained for 90 and 120",
        "epochs on 8 GPUs.",
    ]
    assert label_table_rows(lines) == lines


def test_a_pdf_table_is_read_row_by_row(tmp_path: Path) -> None:
    lines = [
        TEXT_BEFORE,
        "Test set Alpha Beta Gamma",
        "Clean read 4.10 3.25 5.80",
        "Noisy street 21.5 12.75 19.3",
        CAPTION,
    ]
    doc = parse_file(make_pdf(tmp_path / "table.pdf", [lines]))
    text = doc.pages[0].text
    assert "Noisy street: Alpha 21.5, Beta 12.75, Gamma 19.3" in text
    assert "Test set Alpha" not in text  # the heading line lives on in each row


def test_labelled_rows_are_read_back_as_cells_of_their_table() -> None:
    text = (
        "Below, the error rates. Clean read: Alpha 4.10, Beta 3.25; Noisy street: Alpha 21.5,"
        " Beta 12.75% Table 3: Word error rates. Small net: Top-1 (val) 40.2%, Top-1 (test) 39.9%"
    )
    assert table_cells(text, "Large net: Dev 7.1, Test 6.9") == [
        Cell(0, "Clean read", "Alpha", "4.10", first_row=True),
        Cell(0, "Clean read", "Beta", "3.25", first_row=True),
        Cell(0, "Noisy street", "Alpha", "21.5"),
        Cell(0, "Noisy street", "Beta", "12.75%"),
        Cell(1, "Small net", "Top-1 (val)", "40.2%", first_row=True),
        Cell(1, "Small net", "Top-1 (test)", "39.9%", first_row=True),
        Cell(2, "Large net", "Dev", "7.1", first_row=True),
        Cell(2, "Large net", "Test", "6.9", first_row=True),
    ]


def test_the_cell_asked_is_the_one_whose_row_and_column_the_question_names() -> None:
    cells = table_cells("Clean read: Alpha 4.10, Beta 3.25; Noisy street: Alpha 21.5, Beta 12.75")
    assert cell_asked("What does Beta score on noisy street audio?", cells) == cells[3]
    assert cell_asked("What does Beta score on street audio?", cells) is None  # no row named
    assert cell_asked("How do Alpha and Beta do on noisy street audio?", cells) is None
    assert cell_asked("What does Beta score?", cells) is None


def test_a_longer_heading_the_question_names_wins_over_the_shorter_one_inside_it() -> None:
    cells = table_cells("Clean read: glorp-net 4.10, glorp-net-ens 3.25; Noisy: glorp-net 21.5")
    assert (
        cell_asked("What does the glorp-net-ens ensemble score on clean read?", cells) == (cells[1])
    )
    assert cell_asked("What does glorp-net score on clean read audio?", cells) == cells[0]


def test_a_column_headed_by_a_papers_name_is_named_by_any_of_its_names() -> None:
    # The line above the table runs into its first row's label ("Far field Quiet room").
    text = (
        "Far field Quiet room: DS1 9.1, DS2 4.2, Human 5.0;"
        " Busy cafe: DS1 30.2, DS2 18.4, Human 9.9"
    )
    cells = table_cells(text)
    assert cell_asked("What WER does Deep Speech 2 get in a busy cafe?", cells) == cells[4]
    assert cell_asked("What WER does Deep Speech 2 reach in the quiet room?", cells) == cells[1]
    assert cell_asked("What WER does the model get in a busy cafe?", cells) is None


def test_a_heading_of_initials_is_named_by_the_capitalised_words_they_stand_for() -> None:
    cells = table_cells("Tiny convnet: GB 1.5, RS 2.5; Wide resnet: GB 3.5, RS 4.5")
    assert cell_asked("What does the wide resnet score on Green Bank?", cells) == cells[2]
    assert cell_asked("What does the wide resnet score on RedShift?", cells) == cells[3]
    assert cell_asked("What does the wide resnet score on the green bank?", cells) is None
    assert cell_asked("What does the wide resnet score on Green fields and Bank?", cells) is None


@pytest.mark.slow
def test_corpus_tables_label_their_figures(corpus_dir: Path) -> None:
    doc = parse_file(corpus_dir / "pdf" / "deep-speech-2.pdf")
    text = " ".join(p.text for p in doc.pages)
    # The system-versus-human tables: one labelled figure per system in every row.
    rows = re.findall(r": DS1 [\d.]+, DS2 [\d.]+, Human [\d.]+", text)
    assert len(rows) >= 10

    # DPR's main table: two heading lines (k over the datasets), two rows on some lines.
    dpr = parse_file(corpus_dir / "pdf" / "dense-passage-retrieval.pdf")
    text = " ".join(p.text for p in dpr.pages)
    rows = re.findall(r"\w: Top-20 NQ [\d.]+, Top-20 TriviaQA [\d.]+", text)
    assert len(rows) == 5
