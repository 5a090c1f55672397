"""Mend an unpacked llama-cpp-python source tree before it compiles.

1. llama.cpp's AMX tile set-up. With AMX (Xeon Sapphire Rapids and later) llama.cpp reads a
   prompt about 1.5 times as fast, but its ``ggml_tile_config_init`` fails in two ways:

   - GCC 12's ``_tile_loadconfig`` declares a read of 8 of the configuration's 64 bytes, so the
     compiler drops the stores that fill the rest and the first matrix product faults (SIGSEGV).
   - It loads the configuration once per thread, but PyTorch's oneDNN (the bfloat16 embedder)
     also uses AMX on the same thread and releases the tiles: the next one stops (SIGILL).

   The replacement loads the configuration on every call (once per thread per matrix product)
   after a compiler barrier that keeps the stores.

2. What is compiled. llama-cpp-python builds llama.cpp's ``common`` library (the code of its
   command-line tools, with an HTTP library) and the multimodal ``mtmd`` library; paperqa loads
   neither (``import llama_cpp`` and its server load ``libllama`` and the ggml libraries only;
   ``mtmd`` only for image chat formats). They are more than half of the C++: without them the
   compile takes 209 s instead of 453 s on 2 cores.

Each mend is refused where the text is not the one it knows; then nothing is written.
Usage: ``python scripts/patch_llama.py SOURCE_DIR`` (exit 1 if the code is not as expected).
"""

from __future__ import annotations

import sys
from pathlib import Path

MMQ = Path("vendor/llama.cpp/ggml/src/ggml-cpu/amx/mmq.cpp")
CMAKELISTS = Path("CMakeLists.txt")

AMX_ORIGINAL = """inline void ggml_tile_config_init(void) {
    static thread_local bool done = false;

    if (done) {
        return;
    }

    alignas(64) tile_config_t tc = {};"""

AMX_MENDED = """inline void ggml_tile_config_init(void) {
    // paperqa: loaded on every call, since other AMX code (oneDNN) may release the tiles.
    alignas(64) tile_config_t tc = {};"""

AMX_ORIGINAL_LOAD = """    _tile_loadconfig(&tc);
    done = true;
}"""

AMX_MENDED_LOAD = """    // paperqa: GCC 12's _tile_loadconfig declares an 8-byte read; keep stores.
    asm volatile("" : : "r"(&tc) : "memory");
    _tile_loadconfig(&tc);
}"""

BUILD_ORIGINAL_COMMON = (
    'set(LLAMA_BUILD_COMMON ON CACHE BOOL "Build llama.cpp common library" FORCE)'
)
BUILD_MENDED_COMMON = (
    "# paperqa: off, the Python package loads none of it\n"
    '    set(LLAMA_BUILD_COMMON OFF CACHE BOOL "Build llama.cpp common library" FORCE)'
)
BUILD_ORIGINAL_MTMD = (
    'option(LLAVA_BUILD "Build llava shared library and install alongside python package" ON)'
)
BUILD_MENDED_MTMD = (
    'option(LLAVA_BUILD "Build llava shared library and install alongside python package" OFF)'
    "  # paperqa: only image chat formats load it"
)

# Each file with the (original, mended) texts it must hold exactly once.
MENDS: dict[Path, tuple[tuple[str, str], ...]] = {
    MMQ: ((AMX_ORIGINAL, AMX_MENDED), (AMX_ORIGINAL_LOAD, AMX_MENDED_LOAD)),
    CMAKELISTS: (
        (BUILD_ORIGINAL_COMMON, BUILD_MENDED_COMMON),
        (BUILD_ORIGINAL_MTMD, BUILD_MENDED_MTMD),
    ),
}


def mend(source: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """``source`` with each original replaced; ValueError where it is not the text known."""
    if all(mended in source for _, mended in pairs):
        return source
    if any(source.count(original) != 1 for original, _ in pairs):
        raise ValueError("not the text this patch knows")
    for original, mended in pairs:
        source = source.replace(original, mended)
    return source


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: patch_llama.py SOURCE_DIR", file=sys.stderr)
        return 2
    path = Path(argv[0])
    mended: dict[Path, str] = {}
    try:
        for relative, pairs in MENDS.items():  # every file read and mended before any is written
            path = Path(argv[0]) / relative
            mended[path] = mend(path.read_text(encoding="utf-8"), pairs)
        for path, text in mended.items():
            path.write_text(text, encoding="utf-8")
    except (OSError, ValueError) as error:
        print(f"patch_llama: {path}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
