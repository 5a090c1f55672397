"""Report files: written whole through a rename; a bad --out folder refused before any work."""

import pytest

from paperqa.errors import PaperQAError
from paperqa.files import report_dir, temporary_path, write_atomic


def test_write_atomic_replaces_the_file_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "answers.json"
    target.write_text("old report")
    write_atomic(target, '{"answer_correct": 0.7}')
    assert target.read_text() == '{"answer_correct": 0.7}'
    write_atomic(target, b"\x89PNG")
    assert target.read_bytes() == b"\x89PNG"
    assert [p.name for p in tmp_path.iterdir()] == ["answers.json"]


def test_write_atomic_into_a_missing_folder_fails_and_keeps_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "report.md", "table")
    assert list(tmp_path.iterdir()) == []


def test_report_dir_creates_nested_folders(tmp_path):
    folder = report_dir(tmp_path / "runs" / "today")
    assert folder.is_dir()
    assert report_dir(folder) == folder  # an existing folder is fine


def test_report_dir_refuses_a_file(tmp_path):
    existing = tmp_path / "report.json"
    existing.write_text("{}")
    with pytest.raises(PaperQAError, match="is a file"):
        report_dir(existing)
    assert existing.read_text() == "{}"


def test_report_dir_under_a_file_is_one_error(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(PaperQAError, match="cannot create"):
        report_dir(tmp_path / "notes.txt" / "out")


def test_temporary_paths_are_hidden_beside_the_target_and_unique_per_call(tmp_path):
    target = tmp_path / "model.gguf"
    names = {temporary_path(target) for _ in range(100)}  # two threads of one process differ too
    assert len(names) == 100
    assert all(p.parent == tmp_path and p.name.startswith(".model.gguf.") for p in names)
