"""A small index written directly (no parsing, no embedding) for tests of the layers above it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from paperqa.settings import Settings
from paperqa.store import write_index
from paperqa.types import Chunk

TEXTS = [  # invented text
    "The reset gate chooses which slots to wipe from the lattice memory.",
    "Braided pooling lets very deep texture networks train without stalling.",
    "Slot shuffling stands in for order in the reader and the writer.",
]


def write_small_index(index_dir: Path, source: Path | None = None) -> Path:
    """Three one-chunk documents (Markdown files under ``source`` when given); the generation."""
    documents = {}
    chunks = []
    for number, text in enumerate(TEXTS):
        doc = f"doc-{number}"
        path = source / f"{doc}.md" if source is not None else Path(f"/nonexistent/{doc}.md")
        if source is not None:
            source.mkdir(parents=True, exist_ok=True)
            path.write_text(f"# Document {number}\n\n{text}\n")
        documents[doc] = {
            "title": f"Document {number}", "year": 2020, "authors": [], "pages": 1, "chunks": 1,
            "quality": "ok", "quality_note": "", "path": str(path), "kind": "md", "sha256": "",
        }  # fmt: skip
        chunks.append(Chunk(number, doc, f"Document {number}", 1, 1, text))
    dim = 384
    vectors = np.eye(len(chunks), dim, dtype=np.float32)
    meta = {
        "embedder": {"name": Settings.model_fields["embedder"].default, "dim": dim},
        "chunking": {},
        "documents": documents,
        "source": str(source.resolve()) if source is not None else "/nonexistent",
    }
    tokens = [[w.lower().strip(".") for w in text.split()] for text in TEXTS]
    return write_index(index_dir, meta, chunks, vectors, tokens)
