"""The README's claims that code can check: the settings table and the commands it shows."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from paperqa.cli import app
from paperqa.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


def _settings_rows() -> list[tuple[list[str], list[str]]]:
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            names = re.findall(r"`(\w+)`", cells[0])
            defaults = [d.strip().strip("`") for d in cells[1].split(",")]
            rows.append((names, defaults))
    return rows


def test_the_settings_table_names_real_settings_with_their_defaults() -> None:
    rows = _settings_rows()
    assert len(rows) >= 8
    defaults = Settings()
    for names, values in rows:
        assert len(names) == len(values), names
        for name, value in zip(names, values, strict=True):
            assert name in Settings.model_fields, name
            assert str(getattr(defaults, name)) == value, (name, value)


def test_every_command_the_readme_shows_exists() -> None:
    shown = set(re.findall(r"^paperqa (\w+)", README, flags=re.M))
    shown |= set(re.findall(r"\.venv/bin/paperqa (\w+)", README))
    assert {"ingest", "ask", "serve", "mcp", "eval", "bench"} <= shown
    runner = CliRunner()
    for command in sorted(shown):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, (command, result.output)
