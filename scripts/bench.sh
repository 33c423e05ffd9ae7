#!/usr/bin/env bash
# Benchmark: the interpreter against qemu-riscv32 on the bundled compute-heavy programs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
bash scripts/build.sh native >/dev/null
python3 scripts/bench.py build/native/cli/vmscope build/native/assets/bench/*.elf "$@"
