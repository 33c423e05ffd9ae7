#!/usr/bin/env python3
"""Benchmarks vmscope's interpreter against qemu-riscv32 on the same guest programs, in one run.

  bench.py VMSCOPE PROGRAM.elf... [--repeat N] [--qemu qemu-riscv32]

For each program: guest instructions (counted by vmscope), the best wall time of N runs of each
emulator (whole process, start-up included, same for both), MIPS, and vmscope's time relative to
qemu-riscv32 (which translates guest code to native code). Also the geometric-mean summary.
"""
import argparse
import math
import os
import re
import subprocess
import sys
import time


def best_time(cmd, repeat):
    best, out = None, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True)
        t = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit(f"bench: {' '.join(cmd)} exited with {r.returncode}:\n{r.stderr.decode()[-500:]}")
        if best is None or t < best:
            best, out = t, r
    return best, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("programs", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--qemu", default="qemu-riscv32")
    a = ap.parse_args()

    print(f"{'program':<12} {'guest insns':>14} {'vmscope s':>10} {'MIPS':>8} {'qemu s':>8} {'qemu MIPS':>10} {'vmscope/qemu':>13}")
    ratios, mips_all = [], []
    total_insns = total_time = 0.0
    for elf in a.programs:
        name = os.path.splitext(os.path.basename(elf))[0]
        t_vm, r = best_time([a.vmscope, "run", elf], a.repeat)
        m = re.search(rb"(\d+) instructions retired", r.stderr)
        insns = int(m.group(1))
        t_q, _ = best_time([a.qemu, elf], a.repeat)
        mips, qmips = insns / t_vm / 1e6, insns / t_q / 1e6
        ratios.append(t_vm / t_q)
        mips_all.append(mips)
        total_insns += insns
        total_time += t_vm
        print(f"{name:<12} {insns:>14,} {t_vm:>10.3f} {mips:>8.0f} {t_q:>8.3f} {qmips:>10.0f} {t_vm / t_q:>12.1f}x")
    geo = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
    print(f"{'mix':<12} {int(total_insns):>14,} {total_time:>10.3f} {total_insns / total_time / 1e6:>8.0f}"
          f" {'':>8} {'':>10} {geo:>12.1f}x  (geometric mean of the time ratios)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
