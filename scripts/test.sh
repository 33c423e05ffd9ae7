#!/usr/bin/env bash
# Every test: installs what is missing, then builds and tests natively, under AddressSanitizer +
# UBSan, as WebAssembly under node, and runs the fuzzers briefly. Stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CTEST_OUTPUT_ON_FAILURE=1
jobs=$(nproc)

echo "== WebAssembly build: the core under node"
bash scripts/build.sh wasm
ctest --test-dir build/wasm -j "$jobs"

echo "== Fuzzers (libFuzzer, 12-15 s each)"
bash scripts/build.sh fuzz
mkdir -p build/fuzz/corpus-execute build/fuzz/corpus-elf build/fuzz/corpus-monitor build/fuzz/corpus-translator build/fuzz/corpus-migration build/fuzz/corpus-gdb build/fuzz/corpus-virtio
build/fuzz/tests/fuzz_elf -max_total_time=15 -print_final_stats=1 build/fuzz/corpus-elf tests/fuzz/corpus/elf 2>&1 | tail -3
build/fuzz/tests/fuzz_execute -max_total_time=15 -print_final_stats=1 build/fuzz/corpus-execute 2>&1 | tail -3
build/fuzz/tests/fuzz_monitor -max_total_time=15 -print_final_stats=1 build/fuzz/corpus-monitor 2>&1 | tail -3
# Its input drives a program generator: meaningful programs need hundreds of bytes from the start.
build/fuzz/tests/fuzz_translator -max_total_time=15 -len_control=0 -print_final_stats=1 build/fuzz/corpus-translator 2>&1 | tail -3
build/fuzz/tests/fuzz_migration -max_total_time=15 -print_final_stats=1 build/fuzz/corpus-migration 2>&1 | tail -3
build/fuzz/tests/fuzz_gdb -max_total_time=12 -print_final_stats=1 build/fuzz/corpus-gdb tests/fuzz/corpus/gdb 2>&1 | tail -3
build/fuzz/tests/fuzz_virtio -max_total_time=12 -print_final_stats=1 build/fuzz/corpus-virtio tests/fuzz/corpus/virtio 2>&1 | tail -3

echo "== AddressSanitizer + UBSan build"
bash scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --test-dir build/asan -j "$jobs"

echo "== Native build"
bash scripts/build.sh native
ctest --test-dir build/native -j "$jobs"
