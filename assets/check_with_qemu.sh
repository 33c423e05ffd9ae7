#!/usr/bin/env bash
# Runs every guest program under QEMU (the reference machine) and checks the pass/fail
# conventions: process programs and benchmarks exit 0 with identical output on two
# runs; system programs exit 0 through the test device; the teaching kernel passes with
# the same output twice; bad programs fault or loop.
# Usage: check_with_qemu.sh <assets build dir>   (e.g. build/assets)
set -u
dir=${1:?usage: $0 <assets build dir>}
src=$(cd "$(dirname "$0")" && pwd)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok    $1"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1: $2"; }

run_process() { # name elf [stdin]
  local name=$1 elf=$2 input=${3:-/dev/null} out1 out2 rc1 rc2
  out1=$(timeout 60 qemu-riscv32 "$elf" <"$input" 2>&1); rc1=$?
  out2=$(timeout 60 qemu-riscv32 "$elf" <"$input" 2>&1); rc2=$?
  if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ]; then bad "$name" "exit $rc1/$rc2: $(echo "$out1" | tail -3)"
  elif [ "$out1" != "$out2" ]; then bad "$name" "output differs between runs"
  else ok "$name"; fi
}

for elf in "$dir"/process/*.elf; do
  name=$(basename "$elf" .elf)
  input=/dev/null
  [ -f "$src/process/$name.input" ] && input="$src/process/$name.input"
  run_process "process/$name" "$elf" "$input"
done
for elf in "$dir"/bench/*.elf; do
  run_process "bench/$(basename "$elf" .elf)" "$elf"
done
for elf in "$dir"/system/*.elf; do
  name=$(basename "$elf" .elf)
  input=/dev/null
  [ -f "$src/system/$name.input" ] && input="$src/system/$name.input"
  out=$(timeout 20 qemu-system-riscv32 -M virt -bios none -nographic -kernel "$elf" <"$input" 2>&1)
  rc=$?
  if [ $rc -eq 0 ] && ! grep -q "FAIL" <<<"$out"; then ok "system/$name"
  else bad "system/$name" "exit $rc: $(echo "$out" | grep -m3 FAIL)"; fi
done

# The teaching kernel runs in S-mode on an SBI: QEMU's OpenSBI when there is a 32-bit one,
# otherwise the minimal kernel/qemu_sbi.elf; it must pass and print the same bytes twice.
bios=default
[ -f /usr/share/qemu/opensbi-riscv32-generic-fw_dynamic.bin ] || bios="$dir/kernel/qemu_sbi.elf"
kernel_out1=$(timeout 60 qemu-system-riscv32 -M virt -nographic -bios "$bios" -kernel "$dir/kernel/kernel_qemu.elf" </dev/null 2>&1)
rc1=$?
kernel_out2=$(timeout 60 qemu-system-riscv32 -M virt -nographic -bios "$bios" -kernel "$dir/kernel/kernel_qemu.elf" </dev/null 2>&1)
rc2=$?
if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ]; then bad kernel/kernel_qemu "exit $rc1/$rc2: $(echo "$kernel_out1" | grep -m3 -E "FAIL|PANIC")"
elif [ "$kernel_out1" != "$kernel_out2" ]; then bad kernel/kernel_qemu "output differs between runs"
else ok "kernel/kernel_qemu (bios $(basename "$bios"))"; fi

expect_rc() { # name want-description actual-rc predicate...
  local name=$1 rc=$2; shift 2
  if "$@"; then ok "bad/$name (exit $rc)"; else bad "bad/$name" "unexpected exit $rc"; fi
}
timeout 3 qemu-system-riscv32 -M virt -bios none -nographic -kernel "$dir/bad/jump_to_nowhere.elf" </dev/null >/dev/null 2>&1
rc=$?; expect_rc jump_to_nowhere $rc test $rc -eq 124
timeout 3 qemu-system-riscv32 -M virt -bios none -nographic -kernel "$dir/bad/illegal_forever.elf" </dev/null >/dev/null 2>&1
rc=$?; expect_rc illegal_forever $rc test $rc -eq 124
timeout 2 qemu-riscv32 "$dir/bad/infinite_loop.elf" >/dev/null 2>&1
rc=$?; expect_rc infinite_loop $rc test $rc -eq 124
# (an inner shell waits for it, so the "Illegal instruction" notice goes to /dev/null)
rc=$(sh -c 'timeout 5 qemu-riscv32 "$1" >/dev/null 2>&1; echo $?' sh "$dir/bad/process_illegal.elf" 2>/dev/null)
expect_rc process_illegal $rc test $rc -eq 132 # SIGILL
timeout 5 qemu-riscv32 "$dir/bad/unknown_syscall.elf" >/dev/null 2>&1
rc=$?; expect_rc unknown_syscall $rc test $rc -eq 38 # -ENOSYS returned

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
