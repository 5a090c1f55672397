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
    q8_0_copy,
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


@pytest.mark.slow
def test_the_8_bit_copy_is_written_once_and_computes_what_the_packaged_file_does(
    tmp_path: Path,
) -> None:
    from llama_cpp import Llama

    packaged = packaged_gguf(SMALL, tmp_path)
    copy = q8_0_copy(SMALL, packaged)
    assert copy.parent == packaged.parent and list(copy.parent.glob("*.tmp")) == []
    mtime = copy.stat().st_mtime_ns
    assert q8_0_copy(SMALL, packaged) == copy and copy.stat().st_mtime_ns == mtime

    messages = [{"role": "user", "content": "How many layers does a Transformer encoder have?"}]
    replies = []
    for path in (packaged, copy):
        llama = Llama(model_path=str(path), n_ctx=256, n_threads=2, seed=0, verbose=False)
        reply = llama.create_chat_completion(messages, max_tokens=12, temperature=0.0, top_k=1)
        replies.append(reply["choices"][0]["message"]["content"])
        file_type = llama.metadata["general.file_type"]
        del llama
    assert file_type == "7"  # the copy's: LLAMA_FTYPE_MOSTLY_Q8_0
    assert replies[0] == replies[1]

    with copy.open("ab") as f:  # damaged after it was written: written again
        f.write(b"x")
    assert q8_0_copy(SMALL, packaged) == copy and copy.stat().st_mtime_ns != mtime


def test_model_weights_choose_the_packaged_file_or_its_8_bit_copy(monkeypatch) -> None:
    from paperqa.generate import llm
    from paperqa.settings import Settings

    for features, choice, expected in [
        (["AVX2", "AMX_INT8"], "auto", True),
        (["AVX2", "AVX512"], "auto", False),
        (["AVX2", "AMX_INT8"], "as-packaged", False),
        (["AVX2"], "q8_0", True),
    ]:
        monkeypatch.setattr(llm, "llama_cpp_cpu_features", lambda f=features: f)
        assert llm._in_8_bit_blocks(Settings(model_weights=choice)) is expected


def test_a_copy_that_cannot_be_written_falls_back_to_the_packaged_file_unless_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from paperqa.generate import llm
    from paperqa.settings import Settings

    not_a_model = tmp_path / "qwen2.5-coder-0.5b-instruct.gguf"
    not_a_model.write_bytes(b"GGUF" + bytes(1000))  # llama.cpp's quantizer refuses it
    monkeypatch.setattr(llm, "resolve_gguf", lambda name, cache: not_a_model)
    monkeypatch.setattr(llm, "llama_cpp_cpu_features", lambda: ["AMX_INT8"])
    settings = Settings(model=SMALL.name)

    assert llm._llama_cpp_gguf(settings) == not_a_model
    assert "reading the packaged file instead" in capsys.readouterr().err
    with pytest.raises(ModelNotAvailableError, match=r"could not write .*as-packaged"):
        llm._llama_cpp_gguf(settings.updated(model_weights="q8_0"))
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == [not_a_model.name]
