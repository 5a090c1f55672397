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


@pytest.mark.slow
def test_corpus_tables_label_their_figures(corpus_dir: Path) -> None:
    doc = parse_file(corpus_dir / "pdf" / "deep-speech-2.pdf")
    text = " ".join(p.text for p in doc.pages)
    # The system-versus-human tables: one labelled figure per system in every row.
    rows = re.findall(r": DS1 [\d.]+, DS2 [\d.]+, Human [\d.]+", text)
    assert len(rows) >= 10
