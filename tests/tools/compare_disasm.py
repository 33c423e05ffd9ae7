#!/usr/bin/env python3
"""Compares `vmscope disasm` with `riscv64-unknown-elf-objdump -d -M no-aliases`, instruction by
instruction (address, mnemonic, operands and objdump's address comments).

  compare_disasm.py VMSCOPE OBJDUMP ELF...

Lines objdump prints as data (.word/.short/.byte from $d mapping symbols) are not instructions
and are skipped; every instruction objdump prints must be printed identically by vmscope.
"""
import re
import subprocess
import sys

LINE = re.compile(r"\s*([0-9a-f]+):\t[0-9a-f]+\s*\t(.*)$")


def listing(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    result = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            result[int(m.group(1), 16)] = m.group(2).strip()
    return result


def main():
    vmscope, objdump, elves = sys.argv[1], sys.argv[2], sys.argv[3:]
    total = bad = 0
    for elf in elves:
        ours = listing([vmscope, "disasm", elf])
        ref = listing([objdump, "-d", "-M", "no-aliases", elf])
        for addr, text in sorted(ref.items()):
            if text.startswith((".word", ".short", ".byte")):
                continue
            total += 1
            if ours.get(addr) != text:
                bad += 1
                if bad <= 20:
                    print(f"{elf}: {addr:#x}: vmscope {ours.get(addr)!r}, objdump {text!r}")
    print(f"{total} instructions compared, {bad} differ")
    return 1 if bad or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
