#!/usr/bin/env bash
# Every test: installs what is missing, then builds and tests natively (the unit tests first, for
# fast feedback), under AddressSanitizer + UBSan, as WebAssembly (node and Chromium), and runs the
# fuzzers briefly. Stops at the first failure; prints how long each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export CTEST_OUTPUT_ON_FAILURE=1
jobs=$(nproc)
started=$SECONDS
phase() { echo "== $1  (at $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s)"; }

phase "Native build"
bash scripts/build.sh native
phase "Native unit tests (ctest --preset quick)"
ctest --test-dir build/native -j "$jobs" -L unit
phase "Native: everything else (guest programs against qemu, the CLI, the analyzer, the debugger under Xvfb)"
ctest --test-dir build/native -j "$jobs" -LE unit

phase "AddressSanitizer + UBSan build (clang)"
bash scripts/build.sh asan
phase "AddressSanitizer + UBSan: every test"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --test-dir build/asan -j "$jobs"

phase "WebAssembly build"
bash scripts/build.sh wasm
phase "WebAssembly: the core under node, the web debugger in Chromium"
ctest --test-dir build/wasm -j "$jobs"

phase "Fuzzers (libFuzzer, 12-15 s each)"
fuzzers="fuzz_elf fuzz_execute fuzz_monitor fuzz_translator fuzz_migration fuzz_gdb fuzz_virtio"
bash scripts/build.sh fuzz --target $fuzzers
for f in $fuzzers; do mkdir -p "build/fuzz/corpus-${f#fuzz_}"; done
build/fuzz/tests/fuzz_elf -max_total_time=15 -print_final_stats=1 build/fuzz/corpus-elf tests/fuzz/corpus/elf 2>&1 | tail -3
build/fuzz/tests/fuzz_execute -max_total_time=15 -print_final_stats=1 build/fuzz/corpus-execute 2>&1 | tail -3
build/fuzz/tests/fuzz_monitor -max_total_time=15 -print_final_stats=1 build/fuzz/corpus-monitor 2>&1 | tail -3
# Its input drives a program generator: meaningful programs need hundreds of bytes from the start.
build/fuzz/tests/fuzz_translator -max_total_time=15 -len_control=0 -print_final_stats=1 build/fuzz/corpus-translator 2>&1 | tail -3
build/fuzz/tests/fuzz_migration -max_total_time=15 -print_final_stats=1 build/fuzz/corpus-migration 2>&1 | tail -3
build/fuzz/tests/fuzz_gdb -max_total_time=12 -print_final_stats=1 build/fuzz/corpus-gdb tests/fuzz/corpus/gdb 2>&1 | tail -3
build/fuzz/tests/fuzz_virtio -max_total_time=12 -print_final_stats=1 build/fuzz/corpus-virtio tests/fuzz/corpus/virtio 2>&1 | tail -3
phase "All tests passed"
