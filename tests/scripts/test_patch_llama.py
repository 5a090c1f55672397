"""scripts/patch_llama.py: llama-cpp-python's source is mended once, or not at all."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "patch_llama.py"
spec = importlib.util.spec_from_file_location("patch_llama", SCRIPT)
assert spec and spec.loader
patch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(patch)

# The function as llama-cpp-python 0.3.36 ships it, shortened to the lines the patch reads.
SHIPPED_MMQ = """struct tile_config_t{ uint8_t palette_id = 0; };

inline void ggml_tile_config_init(void) {
    static thread_local bool done = false;

    if (done) {
        return;
    }

    alignas(64) tile_config_t tc = {};
    tc.palette_id = 1;

    _tile_loadconfig(&tc);
    done = true;
}
"""


# The top-level CMakeLists.txt as 0.3.36 ships it, shortened: the emscripten branch already
# turns common off, so a mended file cannot be told by that line alone.
SHIPPED_CMAKELISTS = """option(LLAMA_BUILD "Build llama.cpp shared library" ON)
option(LLAVA_BUILD "Build llava shared library and install alongside python package" ON)
if (LLAMA_BUILD)
    set(LLAMA_BUILD_COMMON ON CACHE BOOL "Build llama.cpp common library" FORCE)
    if (EMSCRIPTEN)
        set(LLAMA_BUILD_COMMON OFF CACHE BOOL "Build llama.cpp common library" FORCE)
    endif()
endif()
"""


def _source_tree(root: Path, mmq: str = SHIPPED_MMQ, cmakelists: str = SHIPPED_CMAKELISTS) -> Path:
    (root / patch.MMQ).parent.mkdir(parents=True)
    (root / patch.MMQ).write_text(mmq)
    (root / patch.CMAKELISTS).write_text(cmakelists)
    return root


def test_the_configuration_is_loaded_on_every_call_behind_a_barrier(tmp_path) -> None:
    tree = _source_tree(tmp_path)
    assert patch.main([str(tree)]) == 0
    mended = (tree / patch.MMQ).read_text()
    assert "done" not in mended and "tc.palette_id = 1;" in mended
    barrier = mended.index('asm volatile("" : : "r"(&tc) : "memory");')
    assert barrier < mended.index("_tile_loadconfig(&tc);")
    assert patch.main([str(tree)]) == 0 and (tree / patch.MMQ).read_text() == mended  # again


def test_only_the_libraries_the_python_package_loads_are_built(tmp_path) -> None:
    tree = _source_tree(tmp_path)
    assert patch.main([str(tree)]) == 0
    mended = (tree / patch.CMAKELISTS).read_text()
    assert "LLAMA_BUILD_COMMON ON" not in mended
    assert mended.count("set(LLAMA_BUILD_COMMON OFF") == 2
    assert 'option(LLAVA_BUILD "Build llava shared library' in mended
    assert 'alongside python package" OFF)' in mended
    assert 'option(LLAMA_BUILD "Build llama.cpp shared library" ON)' in mended
    assert patch.main([str(tree)]) == 0 and (tree / patch.CMAKELISTS).read_text() == mended


@pytest.mark.parametrize(
    ("mmq", "cmakelists"),
    [
        (
            SHIPPED_MMQ.replace("static thread_local bool done", "static bool done"),
            SHIPPED_CMAKELISTS,
        ),
        (
            SHIPPED_MMQ,
            SHIPPED_CMAKELISTS.replace("LLAMA_BUILD_COMMON ON", "LLAMA_BUILD_COMMON TRUE"),
        ),
    ],
)
def test_unknown_source_is_refused_and_nothing_is_written(tmp_path, capsys, mmq, cmakelists):
    tree = _source_tree(tmp_path, mmq, cmakelists)
    assert patch.main([str(tree)]) == 1
    assert (tree / patch.MMQ).read_text() == mmq
    assert (tree / patch.CMAKELISTS).read_text() == cmakelists
    assert "not the text this patch knows" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["a", "b"]])
def test_usage(argv: list[str]) -> None:
    assert patch.main(argv) == 2


def test_a_missing_tree_is_one_line_error(tmp_path, capsys) -> None:
    assert patch.main([str(tmp_path / "absent")]) == 1
    assert capsys.readouterr().err.count("\n") == 1
