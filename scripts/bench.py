#!/usr/bin/env python3
"""Benchmarks vmscope's engines against each other and against qemu-riscv32, in one run.

  bench.py VMSCOPE PROGRAM.elf... [--repeat N] [--qemu qemu-riscv32]

For each program: guest instructions (counted by vmscope), then the best wall time of N runs
(whole process, start-up included, the same for all) as MIPS for: the interpreter, the block
translator (native code, chained), the translator without chaining, the translator's portable
threaded code, and qemu-riscv32 (which translates guest code to native code too). Then the
ratios: each translator way over the interpreter, and qemu over the chained translator.
The summary line gives the geometric means.
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


ENGINES = [
    ("interp", []),
    ("translate", ["--engine", "translate"]),
    ("no chain", ["--engine", "translate", "--no-chain"]),
    ("threaded", ["--engine", "translate", "--backend", "threaded"]),
]


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("programs", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--qemu", default="qemu-riscv32")
    a = ap.parse_args()

    names = [n for n, _ in ENGINES]
    print(f"{'program':<11} {'guest insns':>13} " + " ".join(f"{n + ' MIPS':>15}" for n in names) +
          f" {'qemu MIPS':>10} {'transl/interp':>14} {'no-chain/interp':>16} {'threaded/interp':>16} {'qemu/transl':>12}")
    speedups = {n: [] for n in names}
    qemu_ratio = []
    for elf in a.programs:
        name = os.path.splitext(os.path.basename(elf))[0]
        times, insns = {}, None
        for engine, args in ENGINES:
            t, r = best_time([a.vmscope, "run", elf] + args, a.repeat)
            m = re.search(rb"(\d+) instructions retired", r.stderr)
            count = int(m.group(1))
            if insns is not None and count != insns:
                sys.exit(f"bench: {engine} retired {count} instructions of {name}, the interpreter {insns}")
            insns, times[engine] = count, t
        t_q, _ = best_time([a.qemu, elf], a.repeat)
        for n in names:
            speedups[n].append(times["interp"] / times[n])
        qemu_ratio.append(times["translate"] / t_q)
        print(f"{name:<11} {insns:>13,} " + " ".join(f"{insns / times[n] / 1e6:>15.0f}" for n in names) +
              f" {insns / t_q / 1e6:>10.0f} {times['interp'] / times['translate']:>13.2f}x"
              f" {times['interp'] / times['no chain']:>15.2f}x {times['interp'] / times['threaded']:>15.2f}x"
              f" {times['translate'] / t_q:>11.2f}x")
    print(f"{'geo. mean':<11} {'':>13} " + " ".join(f"{'':>15}" for _ in names) + f" {'':>10}"
          f" {geomean(speedups['translate']):>13.2f}x {geomean(speedups['no chain']):>15.2f}x"
          f" {geomean(speedups['threaded']):>15.2f}x {geomean(qemu_ratio):>11.2f}x")
    print("(times include start-up; qemu/transl > 1 means qemu-riscv32 is that many times faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
