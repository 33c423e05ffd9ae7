#!/usr/bin/env python3
"""The WebAssembly build's engines under node, in one run.

  bench_node.py VMSCOPE_NODE_JS PROGRAM.elf... [--repeat N]

For each program: the best of N runs (the run alone, as the runner times it: node's start and
the WebAssembly compilation of vmscope itself are left out) as MIPS for the WebAssembly
interpreter, the translator's threaded code, and the translator's WebAssembly backend (hot
blocks compiled to WebAssembly modules at run time; its compile time is in its figure), then
each translator way over the interpreter. The summary line gives the geometric means.
"""
import argparse
import math
import os
import subprocess

from benchlib import best_of, run_figures

ENGINES = [
    ("interp", []),
    ("threaded", ["--engine", "translate", "--backend", "threaded"]),
    ("wasm", ["--engine", "translate"]),
]


def mips(runner, elf, args, repeat):
    """The best MIPS of `repeat` runs, as the runner times the run."""
    def measure():
        _, m, _ = run_figures(["node", "--no-experimental-fetch", runner, "run", elf, *args],
                              r"ran in [\d.]+ s \(([\d.]+) MIPS\)", stream="stderr")
        return float(m.group(1))
    return best_of(repeat, measure, key=lambda x: -x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runner")
    ap.add_argument("programs", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    names = [n for n, _ in ENGINES]
    print("Under node " + subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip() +
          " (MIPS, best of %d):" % a.repeat)
    print(f"{'program':<11} " + " ".join(f"{n + ' MIPS':>14}" for n in names) +
          f" {'threaded/interp':>16} {'wasm/interp':>12}")
    ratios = {n: [] for n in names[1:]}
    for elf in a.programs:
        m = {n: mips(a.runner, elf, args, a.repeat) for n, args in ENGINES}
        for n in names[1:]:
            ratios[n].append(m[n] / m["interp"])
        name = os.path.splitext(os.path.basename(elf))[0]
        print(f"{name:<11} " + " ".join(f"{m[n]:>14.1f}" for n in names) +
              f" {m['threaded'] / m['interp']:>16.2f} {m['wasm'] / m['interp']:>12.2f}")
    geo = {n: math.exp(sum(math.log(x) for x in v) / len(v)) for n, v in ratios.items()}
    print(f"geometric mean over the interpreter: threaded code {geo['threaded']:.2f}x, "
          f"WebAssembly backend {geo['wasm']:.2f}x (target 3x)")


if __name__ == "__main__":
    main()
