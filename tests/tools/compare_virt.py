#!/usr/bin/env python3
"""Runs one S-mode guest (on SBI firmware) several ways and checks they are indistinguishable.

  compare_virt.py VMSCOPE ELF [--runner=CMD] [--expect-exit N] [--stdin FILE] --way "ARGS" [--way "ARGS" ...]
                  [--other-build ELF2 "ARGS" ...] [--other-path "ARGS" ...]

The first way is the reference (normally plain emulation). Every other way must give the same
console output byte for byte, the same exit code, and the same number of instructions retired
as the guest counts them (its instret): a monitor that keeps the illusion leaves no trace.
--other-build runs another build of the same guest (the paravirtual kernel): the same console
output and exit code, its instruction count its own. --other-path does the same for the same
build taking another code path (the kernel on another console).
"""
import argparse
import re
import subprocess
import sys


def run(cmd, timeout, stdin_path=None):
    with open(stdin_path or "/dev/null", "rb") as stdin:
        return subprocess.run(cmd, stdin=stdin, capture_output=True, timeout=timeout)


def retired(stderr):
    m = re.search(r"(\d+) instructions retired", stderr)
    return int(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("elf")
    ap.add_argument("--runner", default="")
    ap.add_argument("--expect-exit", type=int, default=0)
    ap.add_argument("--way", action="append", required=True)
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--stdin", help="a file every way reads as its input")
    ap.add_argument("--other-build", nargs=2, action="append", default=[], metavar=("ELF", "ARGS"))
    ap.add_argument("--other-path", action="append", default=[], metavar="ARGS")
    a = ap.parse_args()

    results = []
    others = [(e, w) for e, w in a.other_build] + [(a.elf, w) for w in a.other_path]
    for n, (elf, way) in enumerate([(a.elf, w) for w in a.way] + others):
        cmd = a.runner.split() + [a.vmscope, "run", elf] + way.split()
        r = run(cmd, a.timeout, a.stdin)
        stderr = r.stderr.decode(errors="replace")
        same_build = n < len(a.way)
        if elf != a.elf:
            way = f"{elf.rsplit('/', 1)[-1]} {way}"
        results.append((way, r, stderr, same_build))
        print(f"{way or '(default)'}: exit {r.returncode}, {retired(stderr)} instructions retired, "
              f"{len(r.stdout)} bytes of output")
        for line in stderr.splitlines():
            if "monitor" in line:
                print("   " + line)
    ok = True
    ref_way, ref, ref_err, _ = results[0]
    if ref.returncode != a.expect_exit:
        print(f"FAIL: the reference ({ref_way}) exited {ref.returncode}, expected {a.expect_exit}")
        ok = False
    for way, r, stderr, same_build in results[1:]:
        if r.stdout != ref.stdout:
            print(f"FAIL: {way}: the console output differs from {ref_way}")
            print("--- reference:\n" + ref.stdout.decode(errors="replace")[-1500:])
            print("--- this way:\n" + r.stdout.decode(errors="replace")[-1500:])
            print("--- stderr:\n" + stderr[-1500:])
            ok = False
        if r.returncode != ref.returncode:
            print(f"FAIL: {way}: exit code {r.returncode}, reference {ref.returncode}")
            ok = False
        if retired(stderr) is None or (same_build and retired(stderr) != retired(ref_err)):
            print(f"FAIL: {way}: {retired(stderr)} instructions retired, reference {retired(ref_err)}")
            ok = False
    if not ok:
        return 1
    print(f"ok: {len(results)} ways, identical output and exit code, and instruction count within each build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
