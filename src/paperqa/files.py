"""Files written whole (reports, the model cache's stamps, the index's ``CURRENT`` pointer), and
the folder ``--out`` names.

A file is written under a unique temporary name in its own folder and renamed into place, so a
reader never sees half of it and a crash leaves the previous version.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from paperqa.errors import PaperQAError


def temporary_path(path: Path) -> Path:
    """A hidden name beside ``path``, unique to this call (process and thread alike), to write
    under and then rename to ``path``."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def write_atomic(path: Path, data: str | bytes) -> None:
    """Writes ``data`` (text as UTF-8) to ``path`` through a temporary file, flushed to disk
    before the rename so that the name never points at unwritten data."""
    tmp = temporary_path(path)
    try:
        with tmp.open("wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remove_all_but_newest(paths: list[Path], keep: int) -> None:
    """Deletes all but the ``keep`` most recently modified of ``paths`` (files or folders), for
    caches that would otherwise grow with every model or build they have seen."""
    paths = sorted(paths, key=lambda p: p.stat().st_mtime, reverse=True)
    for old in paths[keep:]:
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def report_dir(path: Path | None) -> Path | None:
    """``path`` made ready to hold reports: a folder, created if missing (None: no reports).
    Called before a long run, so that a bad ``--out`` fails at once with one line instead of
    after the work."""
    if path is None:
        return None
    if path.exists() and not path.is_dir():
        raise PaperQAError(f"--out must be a folder, and {path} is a file; name a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PaperQAError(f"cannot create the --out folder {path}: {exc.strerror}") from exc
    if not os.access(path, os.W_OK):
        raise PaperQAError(f"cannot write to the --out folder {path}")
    return path
