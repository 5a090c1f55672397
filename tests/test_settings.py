"""The one settings object: every value checked where it enters, one line when it is wrong."""

from __future__ import annotations

import pytest

from paperqa.errors import QuestionError, SettingsError
from paperqa.settings import Settings


def test_bad_values_become_one_settings_error_line() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.load(k=0, retriever="foo")
    message = str(caught.value)
    assert "k = 0" in message and "retriever = 'foo'" in message and "\n" not in message


def test_a_bad_value_names_its_environment_variable_only_when_it_came_from_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.load(k=0)
    assert "PAPERQA_K" not in str(caught.value)
    monkeypatch.setenv("PAPERQA_K", "0")
    with pytest.raises(SettingsError, match=r"k = '0' \(PAPERQA_K\)"):
        Settings.load()


def test_an_overlap_too_large_names_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAPERQA_CHUNK_OVERLAP", "300")
    with pytest.raises(SettingsError) as caught:
        Settings.load()
    assert str(caught.value) == (
        "invalid setting: chunk_overlap = '300' (PAPERQA_CHUNK_OVERLAP): "
        "must be smaller than chunk_tokens (200)"
    )
    assert Settings.load(chunk_overlap=10).chunk_overlap == 10
    monkeypatch.delenv("PAPERQA_CHUNK_OVERLAP")
    with pytest.raises(SettingsError) as caught:  # the default, refused beside a flag's value
        Settings.load(chunk_tokens=32)
    assert str(caught.value) == (
        "invalid setting: chunk_overlap = 40: must be smaller than chunk_tokens (32)"
    )


def test_updated_copies_are_validated_unlike_model_copy() -> None:
    settings = Settings()
    assert settings.updated(k=7).k == 7
    for bad in ({"k": -3}, {"k": 100_000}, {"k": "many"}, {"backend": "foo"}):
        with pytest.raises(SettingsError):
            settings.updated(**bad)
    with pytest.raises(SettingsError, match="must be smaller"):
        settings.updated(chunk_tokens=64, chunk_overlap=64)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * 2001, "the limit is 2,000"),
        ("\x00\x01\x02\x03", "control characters"),
        ("what is \x1b[2J attention", "control characters"),
        ("attention \udcff", "not valid UTF-8"),
        ("?!...", "no words"),
        (None, "must be text"),
        (["a", "list"], "must be text"),
    ],
)
def test_unusable_questions_are_refused(text: object, message: str) -> None:
    with pytest.raises(QuestionError, match=message):
        Settings().check_question(text)


def test_a_real_question_passes_stripped() -> None:
    settings = Settings()
    assert settings.check_question("  What does attention replace?\n") == (
        "What does attention replace?"
    )
    assert settings.check_question("Qu'est-ce que l'attention?\tÜber 𝑥").startswith("Qu'est")


def test_a_home_folder_tilde_in_a_path_setting_is_expanded(monkeypatch, tmp_path) -> None:
    # No shell expands "~" in an MCP client's arguments, a .env file or a quoted variable:
    # ingest would write an index into a folder named "~" under the current one.
    from pathlib import Path

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PAPERQA_SOURCE_DIR", "~/papers")
    settings = Settings.load(index_dir=Path("~/indexes"), cache_dir="~/cache")
    assert settings.index_dir == tmp_path / "indexes"
    assert settings.source_dir == tmp_path / "papers"
    assert settings.cache_dir == tmp_path / "cache"
    assert settings.updated(index_dir="~/other").index_dir == tmp_path / "other"
