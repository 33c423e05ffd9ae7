#!/usr/bin/env python3
"""Runs one guest program under vmscope and checks what happened.

  run_guest.py VMSCOPE ELF [--machine K] [--firmware F] [--stdin FILE] [--expect-exit N]
               [--expect-stderr REGEX] [--expect-stdout REGEX] [--max-insns N]
               [--vm-args "MORE ARGS"] [--qemu qemu-riscv32 [--qemu-elf ELF2]] [--runner=CMD]

With --qemu, the program also runs under the reference (qemu-riscv32, or a whole command such as
"qemu-system-riscv32 -M virt -cpu rv32,h=true -bios none -nographic -kernel", the ELF last, or
--qemu-elf: the same program built for QEMU's memory layout) with
the same stdin, and vmscope's stdout and exit code must equal the reference's, byte for byte.
--runner runs vmscope through another program (node for the WebAssembly build).
"""
import argparse
import re
import subprocess
import sys


def run(cmd, stdin_path, timeout):
    with open(stdin_path or "/dev/null", "rb") as stdin:
        return subprocess.run(cmd, stdin=stdin, capture_output=True, timeout=timeout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("elf")
    ap.add_argument("--machine")
    ap.add_argument("--stdin")
    ap.add_argument("--expect-exit", type=int, default=0)
    ap.add_argument("--expect-stderr")
    ap.add_argument("--expect-stdout", help="a regex the guest's output must match")
    ap.add_argument("--vm-args", default="", help="more arguments for vmscope run (one string)")
    ap.add_argument("--max-insns")
    ap.add_argument("--firmware")
    ap.add_argument("--qemu")
    ap.add_argument("--qemu-elf")
    ap.add_argument("--runner", default="", help="a command to run vmscope with, e.g. 'node --no-experimental-fetch'")
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()

    cmd = a.runner.split() + [a.vmscope, "run", a.elf]
    if a.machine:
        cmd += ["--machine", a.machine]
    if a.max_insns:
        cmd += ["--max-insns", a.max_insns]
    if a.firmware:
        cmd += ["--firmware", a.firmware]
    cmd += a.vm_args.split()
    vm = run(cmd, a.stdin, a.timeout)
    stderr = vm.stderr.decode(errors="replace")
    ok = True
    if vm.returncode != a.expect_exit:
        print(f"FAIL: exit code {vm.returncode}, expected {a.expect_exit}")
        ok = False
    if a.expect_stderr and not re.search(a.expect_stderr, stderr):
        print(f"FAIL: stderr does not match /{a.expect_stderr}/")
        ok = False
    if a.expect_stdout and not re.search(a.expect_stdout, vm.stdout.decode(errors="replace")):
        print(f"FAIL: the guest's output does not match /{a.expect_stdout}/")
        ok = False
    if a.qemu:
        ref = run(a.qemu.split() + [a.qemu_elf or a.elf], a.stdin, a.timeout)
        if ref.stdout != vm.stdout:
            print("FAIL: stdout differs from the reference")
            print("--- reference:\n" + ref.stdout.decode(errors="replace")[-2000:])
            ok = False
        if ref.returncode != vm.returncode:
            print(f"FAIL: exit code {vm.returncode}, reference {ref.returncode}")
            ok = False
    if not ok:
        print("--- vmscope stdout:\n" + vm.stdout.decode(errors="replace")[-2000:])
        print("--- vmscope stderr:\n" + stderr[-2000:])
        return 1
    print(f"ok: exit {vm.returncode}" + (" (same output and exit code as the reference)" if a.qemu else ""))
    print(stderr.strip().splitlines()[-1] if stderr.strip() else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
