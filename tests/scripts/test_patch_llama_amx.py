"""scripts/patch_llama_amx.py: the AMX tile set-up of llama.cpp is mended once, or not at all."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "scripts" / "patch_llama_amx.py"
spec = importlib.util.spec_from_file_location("patch_llama_amx", SCRIPT)
assert spec and spec.loader
patch = importlib.util.module_from_spec(spec)
spec.loader.exec_module(patch)

# The function as llama-cpp-python 0.3.36 ships it, shortened to the lines the patch reads.
SHIPPED = """struct tile_config_t{ uint8_t palette_id = 0; };

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


def _source_tree(root: Path, text: str) -> Path:
    mmq = root / patch.MMQ
    mmq.parent.mkdir(parents=True)
    mmq.write_text(text)
    return mmq


def test_the_configuration_is_loaded_on_every_call_behind_a_barrier(tmp_path) -> None:
    mmq = _source_tree(tmp_path, SHIPPED)
    assert patch.main([str(tmp_path)]) == 0
    mended = mmq.read_text()
    assert "done" not in mended and "tc.palette_id = 1;" in mended
    barrier = mended.index('asm volatile("" : : "r"(&tc) : "memory");')
    assert barrier < mended.index("_tile_loadconfig(&tc);")
    assert patch.main([str(tmp_path)]) == 0 and mmq.read_text() == mended  # a second run


def test_unknown_source_is_refused_and_left_alone(tmp_path, capsys) -> None:
    changed = SHIPPED.replace("static thread_local bool done", "static bool done")
    mmq = _source_tree(tmp_path, changed)
    assert patch.main([str(tmp_path)]) == 1
    assert mmq.read_text() == changed
    assert "not the one this patch knows" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["a", "b"]])
def test_usage(argv: list[str]) -> None:
    assert patch.main(argv) == 2


def test_a_missing_tree_is_one_line_error(tmp_path, capsys) -> None:
    assert patch.main([str(tmp_path / "absent")]) == 1
    assert capsys.readouterr().err.count("\n") == 1
