#!/usr/bin/env bash
# Configures and builds one CMake preset (native, asan, fuzz, wasm) with the project's settings;
# usage: build.sh PRESET [--target NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-native}
shift || true  # (the rest goes to cmake --build: --target NAME...)
jobs=${JOBS:-$(nproc)}
if [ "$preset" = wasm ]; then
  # Debian's emcc needs Debian's node modules (acorn); see ../shared/docs/TOOLCHAIN.md.
  export NODE_PATH=/usr/share/nodejs
  [ -f build/wasm/CMakeCache.txt ] || emcmake cmake --preset wasm >/dev/null
else
  [ -f "build/$preset/CMakeCache.txt" ] || cmake --preset "$preset" >/dev/null
fi
cmake --build "build/$preset" -j "$jobs" "$@"
