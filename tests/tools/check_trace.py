#!/usr/bin/env python3
"""Checks `vmscope run --trace`: one line per step, in order, with the registers each step
changed, and the traps it took, agreeing with the run's own summary.

  check_trace.py VMSCOPE ELF EXPECTED_LINE_REGEX...
"""
import re
import subprocess
import sys
import tempfile


def main():
    vmscope, elf, patterns = sys.argv[1], sys.argv[2], sys.argv[3:]
    with tempfile.NamedTemporaryFile("r", suffix=".trace") as t:
        r = subprocess.run([vmscope, "run", elf, "--trace", t.name], capture_output=True, text=True,
                           stdin=subprocess.DEVNULL, timeout=120)
        lines = t.read().splitlines()
    m = re.search(r"(\d+) instructions retired; ?|(\d+) instructions retired", r.stderr)
    retired = int(m.group(1) or m.group(2))
    exceptions = int(re.search(r"(\d+) exceptions", r.stderr).group(1))
    ok = True
    if len(lines) != retired + exceptions:
        print(f"FAIL: {len(lines)} trace lines for {retired} retired + {exceptions} excepted steps")
        ok = False
    steps = [int(line.split()[0]) for line in lines]
    if steps != list(range(len(lines))):
        print("FAIL: step numbers are not 0, 1, 2, ...")
        ok = False
    for p in patterns:
        if not any(re.search(p, line) for line in lines):
            print(f"FAIL: no trace line matches /{p}/")
            ok = False
    print(f"{len(lines)} trace lines checked")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
