"""The README's claims that code can check: the settings table and the commands it shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from paperqa.cli import app
from paperqa.settings import Settings, env_var

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


CONFIGURATION = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]


def _settings_rows() -> list[tuple[list[str], list[str]]]:
    rows = []
    for line in CONFIGURATION.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            names = re.findall(r"`(\w+)`", cells[0])
            defaults = [d.strip().strip("`") for d in cells[1].split(",")]
            rows.append((names, defaults))
    return rows


def test_the_settings_table_names_real_settings_with_their_defaults() -> None:
    rows = _settings_rows()
    assert len(rows) >= 8
    for names, values in rows:
        assert len(names) == len(values), names
        for name, value in zip(names, values, strict=True):
            assert name in Settings.model_fields, name
            # the default, not the value now: the tests set variables (PAPERQA_CACHE_DIR)
            default = Settings.model_fields[name].get_default(call_default_factory=True)
            if isinstance(default, Path):  # `~/.cache/paperqa`
                value = str(Path(value).expanduser())
            assert str(default) == value, (name, value)


def _option_helps(command: Any) -> list[str]:
    """The help of every option of a click ``command`` and of its subcommands (typer's own copy
    of click, so no isinstance)."""
    helps = [getattr(param, "help", None) or "" for param in command.params]
    for sub in getattr(command, "commands", {}).values():
        helps += _option_helps(sub)
    return helps


def test_the_settings_table_covers_each_setting_a_flag_or_the_readme_names() -> None:
    """A user who meets a setting's flag in `--help`, or its variable in the README, finds it
    in the Configuration table; every variable the README names is a setting's."""
    variables = {env_var(name): name for name in Settings.model_fields}
    named = set(re.findall(r"PAPERQA_[A-Z0-9_]+", README)) - {"PAPERQA_TEST_INDEX"}
    assert named <= variables.keys(), named - variables.keys()
    helps = " ".join(_option_helps(typer.main.get_command(app)))
    flagged = set(re.findall(r"PAPERQA_[A-Z0-9_]+", helps))
    in_table = {name for names, _ in _settings_rows() for name in names}
    in_table |= {variables[v] for v in re.findall(r"PAPERQA_[A-Z0-9_]+", CONFIGURATION)}
    missing = {variables[v] for v in named | flagged} - in_table
    assert not missing, f"settings missing from the README's table: {sorted(missing)}"


def test_every_command_the_readme_shows_exists() -> None:
    shown = set(re.findall(r"^paperqa (\w+)", README, flags=re.M))
    shown |= set(re.findall(r"\.venv/bin/paperqa (\w+)", README))
    assert {"ingest", "ask", "serve", "mcp", "eval", "bench"} <= shown
    runner = CliRunner()
    for command in sorted(shown):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, (command, result.output)
