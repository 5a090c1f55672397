"""Mend llama.cpp's AMX tile set-up in an unpacked llama-cpp-python source tree before it compiles.

With AMX (Xeon Sapphire Rapids and later) llama.cpp reads a prompt about 1.5 times as fast, but
its ``ggml_tile_config_init`` fails in two ways:

- GCC 12's ``_tile_loadconfig`` declares a read of 8 of the configuration's 64 bytes, so the
  compiler drops the stores that fill the rest and the first matrix product faults (SIGSEGV).
- It loads the configuration once per thread, but PyTorch's oneDNN (the bfloat16 embedder) also
  uses AMX on the same thread and releases the tiles: the next matrix product stops (SIGILL).

The replacement loads the configuration on every call (once per thread per matrix product) after
a compiler barrier that keeps the stores.

Usage: ``python scripts/patch_llama_amx.py SOURCE_DIR`` (exit 1 if the code is not as expected).
"""

from __future__ import annotations

import sys
from pathlib import Path

MMQ = Path("vendor/llama.cpp/ggml/src/ggml-cpu/amx/mmq.cpp")

ORIGINAL = """inline void ggml_tile_config_init(void) {
    static thread_local bool done = false;

    if (done) {
        return;
    }

    alignas(64) tile_config_t tc = {};"""

MENDED = """inline void ggml_tile_config_init(void) {
    // paperqa: loaded on every call, since other AMX code (oneDNN) may release the tiles.
    alignas(64) tile_config_t tc = {};"""

ORIGINAL_LOAD = """    _tile_loadconfig(&tc);
    done = true;
}"""

MENDED_LOAD = """    // paperqa: GCC 12's _tile_loadconfig declares an 8-byte read; keep the stores.
    asm volatile("" : : "r"(&tc) : "memory");
    _tile_loadconfig(&tc);
}"""


def mend(source: str) -> str:
    """The mended text of ``mmq.cpp``; raises ValueError where it differs from the known one."""
    if MENDED in source and MENDED_LOAD in source:
        return source
    if source.count(ORIGINAL) != 1 or source.count(ORIGINAL_LOAD) != 1:
        raise ValueError("ggml_tile_config_init is not the one this patch knows")
    return source.replace(ORIGINAL, MENDED).replace(ORIGINAL_LOAD, MENDED_LOAD)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: patch_llama_amx.py SOURCE_DIR", file=sys.stderr)
        return 2
    path = Path(argv[0]) / MMQ
    try:
        path.write_text(mend(path.read_text(encoding="utf-8")), encoding="utf-8")
    except (OSError, ValueError) as error:
        print(f"patch_llama_amx: {path}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
