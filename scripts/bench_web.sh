#!/usr/bin/env bash
# Browser benchmark: guest MIPS and frame rate of the web debugger in headless Chromium, against
# the native interpreter on the same programs, in one invocation.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
bash scripts/build.sh native >/dev/null
bash scripts/build.sh wasm >/dev/null
node web/tests/bench_browser.mjs --site build/wasm/web/site --vmscope build/native/cli/vmscope "$@"
