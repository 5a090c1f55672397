"""scripts/setup.sh: an option it does not know stops it before it installs anything."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "setup.sh"


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The script run from a copy in an empty project folder: whatever it did would land there."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "setup.sh")
    command = ["bash", str(tmp_path / "scripts" / "setup.sh"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_prints_the_usage_and_installs_nothing(tmp_path, option):
    result = _run(tmp_path, option)
    assert result.returncode == 0
    assert "scripts/setup.sh --dev" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scripts"]


@pytest.mark.parametrize("option", ["--Dev", "dev", "--dev --extra"])
def test_an_unknown_option_is_refused_before_anything_is_installed(tmp_path, option):
    result = _run(tmp_path, *option.split())
    assert result.returncode == 2
    assert "unknown option" in result.stderr and "scripts/setup.sh --dev" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scripts"]
