#!/usr/bin/env bash
# Benchmark: the interpreter, the block translator (chained, unchained, threaded code) and
# qemu-riscv32 on the bundled compute-heavy programs, then
# the monitor: the guest kernel by emulation and under trap-and-emulate (scripts/bench_vmm.py),
# then time travel: what recording costs, snapshot memory, time to travel (vmscope-bench-timetravel),
# then migration: cold and live, rounds, pages and downtime (scripts/bench_migration.py),
# then device I/O: disk MiB/s and interrupts per second against QEMU (scripts/bench_devices.py).
#   bash scripts/bench.sh [--repeat N]                 every section
#   bash scripts/bench.sh --vmm [--repeat N]           the monitor section only
#   bash scripts/bench.sh --timetravel [--repeat N]    the time-travel section only
#   bash scripts/bench.sh --migration [--repeat N]     the migration section only
#   bash scripts/bench.sh --devices [--repeat N]       the device I/O section only
set -euo pipefail
cd "$(dirname "$0")/.."
section=all
if [ "${1:-}" = --vmm ] || [ "${1:-}" = --timetravel ] || [ "${1:-}" = --migration ] || [ "${1:-}" = --devices ]; then
  section=${1#--}
  shift
fi
bash scripts/setup.sh >/dev/null
bash scripts/build.sh native >/dev/null
if [ "$section" = all ]; then
  python3 scripts/bench.py build/native/cli/vmscope build/native/assets/bench/*.elf "$@"
  echo
fi
if [ "$section" = all ] || [ "$section" = vmm ]; then
  python3 scripts/bench_vmm.py build/native/cli/vmscope build/native/assets/kernel/kernel.elf "$@"
  echo
fi
if [ "$section" = all ] || [ "$section" = timetravel ]; then
  echo "Time travel: the guest kernel (12.6 million steps), recorded as the debugger records it"
  build/native/tests/vmscope-bench-timetravel build/native/assets/kernel/kernel.elf --sbi "$@"
  echo "and a longer program: sha256 (process VM)"
  build/native/tests/vmscope-bench-timetravel build/native/assets/bench/sha256.elf "$@"
fi
if [ "$section" = all ] || [ "$section" = migration ]; then
  echo
  python3 scripts/bench_migration.py build/native/cli/vmscope build/native/assets/kernel/kernel.elf "$@"
fi
if [ "$section" = all ] || [ "$section" = devices ]; then
  echo
  python3 scripts/bench_devices.py build/native/cli/vmscope build/native/assets/devices/disk_bench.elf "$@"
fi
