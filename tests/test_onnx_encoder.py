"""The embedder's ONNX export gives torch's float32 vectors, without importing torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from paperqa import onnx_encoder
from paperqa.embedder import Embedder
from paperqa.ingest.pipeline import ingest
from paperqa.models import resolve_embedder
from paperqa.settings import Settings

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
TEXTS = [  # invented text
    "How many gated blocks does the lattice memory encoder have?",
    "Dropout",
    "The mixer is built from a column of K = 7 gated blocks. " * 40,  # past 256 tokens
    "Braided pooling lets a 118-layer network train without stalling.",
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder holding the packaged MiniLM's export."""
    folder = tmp_path_factory.mktemp("cache")
    assert Embedder(MINILM, cache_dir=folder).ensure_export()
    return folder


def _export_folder(cache_dir: Path) -> Path:
    """The one export's folder (or, where it failed, the name it would have)."""
    names = {
        p.name.removesuffix(onnx_encoder.FAILED_SUFFIX) for p in (cache_dir / "onnx").iterdir()
    }
    (name,) = [n for n in names if not n.startswith(".")]
    return cache_dir / "onnx" / name


def test_the_export_gives_torchs_float32_vectors(cache_dir: Path) -> None:
    from sentence_transformers import SentenceTransformer

    torch_model = SentenceTransformer(resolve_embedder(MINILM), device="cpu")  # float32
    expected = torch_model.encode(TEXTS, normalize_embeddings=True)
    exported = onnx_encoder.load_export(_export_folder(cache_dir))
    assert exported is not None
    vectors = exported.encode(TEXTS)  # one batch: padded, and the long text truncated
    assert vectors.shape == (4, 384)
    assert np.all(np.sum(vectors * expected, axis=1) > 0.99999)


def test_a_process_that_only_searches_never_imports_torch(cache_dir: Path) -> None:
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from paperqa.embedder import Embedder\n"
        f"embedder = Embedder({MINILM!r}, cache_dir=Path({str(cache_dir)!r}))\n"
        f"vector = embedder.encode_queries([{TEXTS[0]!r}])[0]\n"
        "print(json.dumps(['torch' in sys.modules, vector.tolist()]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    imported_torch, vector = json.loads(done.stdout)
    assert not imported_torch
    in_torch = Embedder(MINILM).encode_queries([TEXTS[0]])[0]  # no cache folder: torch
    assert float(np.dot(vector, in_torch)) > 0.998  # bfloat16 where the CPU has it


def test_a_damaged_export_is_not_used_and_a_search_or_ingest_writes_it_again(
    cache_dir: Path, tmp_path: Path
) -> None:
    damaged = tmp_path / "cache"
    shutil.copytree(cache_dir, damaged)
    model_file = _export_folder(damaged) / onnx_encoder.MODEL_FILE
    model_file.write_bytes(model_file.read_bytes()[:1000])
    assert onnx_encoder.load_export(model_file.parent) is None
    embedder = Embedder(MINILM, cache_dir=damaged)
    assert embedder.encode_queries([TEXTS[0]]).shape == (1, 384)  # through torch
    assert onnx_encoder.load_export(model_file.parent) is not None  # written again

    model_file.write_bytes(model_file.read_bytes()[:1000])
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "slots.md").write_text("# Memory\n\nThe reset valve chooses which slots to clear.\n")
    ingest(papers, Settings(index_dir=tmp_path / "index", cache_dir=damaged), progress=False)
    assert onnx_encoder.load_export(model_file.parent) is not None


def test_the_export_key_follows_the_model_files(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    key = onnx_encoder.export_key(str(tmp_path))
    assert key == onnx_encoder.export_key(str(tmp_path))
    (tmp_path / "config.json").write_text('{"hidden_size": 8}')
    os.utime(tmp_path / "config.json", ns=(1, 1))
    assert onnx_encoder.export_key(str(tmp_path)) not in (None, key)
    assert onnx_encoder.export_key("some-org/hub-model") is None


def test_an_export_that_disagrees_with_the_model_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(onnx_encoder, "MIN_AGREEMENT", 1.01)  # no export can agree this well
    embedder = Embedder(MINILM, cache_dir=tmp_path)
    assert not embedder.ensure_export()
    assert "the export disagrees with the model" in capsys.readouterr().err
    failed = _export_folder(tmp_path).name + onnx_encoder.FAILED_SUFFIX
    assert sorted(p.name for p in (tmp_path / "onnx").iterdir()) == [onnx_encoder.LOCK_FILE, failed]
    assert embedder.encode_queries([TEXTS[0]]).shape == (1, 384)  # through torch


def test_a_failed_export_is_not_tried_again_until_a_library_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_encoder, "MIN_AGREEMENT", 1.01)
    assert not Embedder(MINILM, cache_dir=tmp_path).ensure_export()
    tries = []
    monkeypatch.setattr(onnx_encoder, "export", lambda model, folder: tries.append(folder))
    later = Embedder(MINILM, cache_dir=tmp_path)  # a later process
    assert later.encode_queries(["Dropout"]).shape == (1, 384)
    assert not later.ensure_export() and tries == []
    monkeypatch.setattr(onnx_encoder, "_versions", lambda: {"torch": "a newer one"})
    Embedder(MINILM, cache_dir=tmp_path).ensure_export()
    assert tries == [_export_folder(tmp_path)]


def test_writing_an_export_keeps_only_the_newest_few(cache_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "onnx"
    for age in range(onnx_encoder.MAX_EXPORTS + 1):
        stale = root / f"stale{age}"
        stale.mkdir(parents=True)
        os.utime(stale, (1000 - age, 1000 - age))
    Embedder(MINILM, cache_dir=tmp_path).ensure_export()
    left = sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
    assert left == sorted([_export_folder(cache_dir).name, "stale0", "stale1"])


def test_a_search_that_finds_no_export_writes_one_for_the_next_process(tmp_path: Path) -> None:
    first = Embedder(MINILM, cache_dir=tmp_path)
    expected = first.encode_queries(["Dropout"])  # no export yet: torch encodes
    assert onnx_encoder.is_complete(_export_folder(tmp_path))
    later = Embedder(MINILM, cache_dir=tmp_path)
    vectors = later.encode_queries(["Dropout"])
    assert later._model is None  # the export encoded the query; torch's model never loaded
    assert float(np.sum(vectors * expected)) > onnx_encoder.MIN_AGREEMENT
