#!/usr/bin/env bash
# WebAssembly benchmark: the interpreter, threaded code and the WebAssembly backend under node
# (scripts/bench_node.py), then guest MIPS and frame rate of the web debugger in headless Chromium
# against the native build on the same programs, in one invocation.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
bash scripts/build.sh native >/dev/null
bash scripts/build.sh wasm >/dev/null
# The WebAssembly build's engines under node first (the run alone, no page), then in Chromium.
python3 scripts/bench_node.py build/wasm/tests/vmscope_node.js build/native/assets/bench/*.elf
echo
node web/tests/bench_browser.mjs --site build/wasm/web/site --vmscope build/native/cli/vmscope "$@"
