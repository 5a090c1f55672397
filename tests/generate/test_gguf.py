"""Assembly of the packaged GGUF models from their part wheels."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from paperqa.errors import ModelNotAvailableError
from paperqa.generate.gguf import (
    PACKAGED_MODELS,
    PackagedModel,
    packaged_gguf,
    packaged_model,
    part_files,
    resolve_gguf,
)

SMALL = PACKAGED_MODELS["qwen2.5-coder-0.5b-instruct"]


def test_names_are_case_insensitive() -> None:
    assert (
        packaged_model("Qwen2.5-Coder-1.5B-Instruct")
        is PACKAGED_MODELS["qwen2.5-coder-1.5b-instruct"]
    )
    assert packaged_model("llama-7b") is None


def test_missing_part_wheel_names_the_package_to_install() -> None:
    absent = PackagedModel("absent", "no-such-model-part", 2, "1.0", 10, "0" * 64)
    with pytest.raises(ModelNotAvailableError, match="pip install"):
        part_files(absent)


def test_local_gguf_paths(tmp_path: Path) -> None:
    assert resolve_gguf(str(tmp_path / "dir-model"), tmp_path) is None  # not a GGUF: other loaders
    with pytest.raises(ModelNotAvailableError, match="not found"):
        resolve_gguf(str(tmp_path / "missing.gguf"), tmp_path)
    real = tmp_path / "m.gguf"
    real.write_bytes(b"GGUF")
    assert resolve_gguf(str(real), tmp_path) == real


@pytest.mark.slow
def test_parts_are_in_numeric_order() -> None:
    files = part_files(PACKAGED_MODELS["qwen2.5-coder-1.5b-instruct"])
    assert len(files) == 22
    assert [int(f.stem.removeprefix("part")) for f in files] == list(range(1, 23))


@pytest.mark.slow
def test_assembles_verifies_and_reuses(tmp_path: Path) -> None:
    path = packaged_gguf(SMALL, tmp_path)
    assert path.stat().st_size == SMALL.size
    with path.open("rb") as f:
        assert f.read(4) == b"GGUF"
        f.seek(0)
        digest = hashlib.sha256()
        while block := f.read(1 << 23):
            digest.update(block)
    assert digest.hexdigest() == SMALL.sha256
    mtime = path.stat().st_mtime_ns
    assert packaged_gguf(SMALL, tmp_path) == path
    assert path.stat().st_mtime_ns == mtime  # second call trusts the verified file
    assert list(path.parent.glob("*.tmp")) == []


@pytest.mark.slow
def test_checksum_mismatch_leaves_nothing_behind(tmp_path: Path) -> None:
    wrong = replace(SMALL, name="tampered", sha256="f" * 64)
    with pytest.raises(ModelNotAvailableError, match="sha256"):
        packaged_gguf(wrong, tmp_path)
    assert [p for p in (tmp_path / "models").iterdir() if p.suffix != ".lock"] == []


def _fake_wheels(root: Path, package: str, chunks: list[bytes]) -> None:
    """Installed-looking part packages: ``<package>N/data/partN.bin`` on sys.path."""
    for number, data in enumerate(chunks, start=1):
        module = root / f"{package.replace('-', '_')}{number}"
        (module / "data").mkdir(parents=True)
        (module / "__init__.py").write_text("")
        (module / "data" / f"part{number}.bin").write_bytes(data)


def _installed_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str, repeats: int
) -> tuple[PackagedModel, bytes]:
    """A two-part model whose fake wheels are importable, and the bytes it assembles to."""
    chunks = [b"GGUF" + bytes(range(256)) * repeats, bytes(reversed(range(256))) * repeats]
    whole = b"".join(chunks)
    _fake_wheels(tmp_path / "site", package, chunks)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    digest = hashlib.sha256(whole).hexdigest()
    return PackagedModel(f"{package}-model", package, 2, "1", len(whole), digest), whole


def test_a_cached_model_altered_in_place_is_rebuilt_or_refused(tmp_path, monkeypatch) -> None:
    import os

    model, whole = _installed_model(tmp_path, monkeypatch, "pqa-tamper-part", repeats=40)
    cache = tmp_path / "cache"
    path = packaged_gguf(model, cache)
    assert path.read_bytes() == whole

    def tamper() -> None:
        info = path.stat()
        with path.open("r+b") as f:  # same size, same mtime: only the hash can tell
            f.seek(100)
            f.write(b"EVIL")
        os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
        assert path.stat().st_size == info.st_size

    tamper()
    assert packaged_gguf(model, cache).read_bytes() == whole  # rebuilt from the wheels

    tamper()
    uninstalled = replace(model, package="pqa-not-installed-part")
    with pytest.raises(ModelNotAvailableError, match="damaged or altered"):
        packaged_gguf(uninstalled, cache)


def test_first_uses_at_once_all_get_the_verified_file(tmp_path, monkeypatch) -> None:
    """The app's warm-up and a first question may assemble the model at the same time."""
    from concurrent.futures import ThreadPoolExecutor

    model, whole = _installed_model(tmp_path, monkeypatch, "pqa-race-part", repeats=8000)
    with ThreadPoolExecutor(4) as pool:
        paths = list(pool.map(lambda _: packaged_gguf(model, tmp_path), range(4)))
    assert len(set(paths)) == 1 and paths[0].read_bytes() == whole
    assert list(paths[0].parent.glob("*.tmp")) == []
