#!/usr/bin/env bash
# Benchmark: the interpreter, the block translator (chained, unchained, threaded code) and
# qemu-riscv32 on the bundled compute-heavy programs, then
# the monitor: the guest kernel by emulation and under trap-and-emulate (scripts/bench_vmm.py).
#   bash scripts/bench.sh [--repeat N]          both sections
#   bash scripts/bench.sh --vmm [--repeat N]    the monitor section only
set -euo pipefail
cd "$(dirname "$0")/.."
section=all
if [ "${1:-}" = --vmm ]; then
  section=vmm
  shift
fi
bash scripts/setup.sh >/dev/null
bash scripts/build.sh native >/dev/null
if [ "$section" = all ]; then
  python3 scripts/bench.py build/native/cli/vmscope build/native/assets/bench/*.elf "$@"
  echo
fi
python3 scripts/bench_vmm.py build/native/cli/vmscope build/native/assets/kernel/kernel.elf "$@"
