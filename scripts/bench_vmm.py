#!/usr/bin/env python3
"""Benchmarks the monitor: one S-mode guest kernel run in each way vmscope can run it.

  bench_vmm.py VMSCOPE KERNEL.elf [--repeat N]

Ways: plain emulation (`--firmware sbi`, the reference), trap-and-emulate with the shadow page
tables invalidated on SFENCE.VMA (`--shadow sfence`) or by write-protecting the guest's page
tables (`--shadow write-protect`), and trap-and-emulate with `--check-shadows` (what checking
costs). For each way: the best of N runs of the time vmscope itself reports for the run (start-up
and loading excluded: the kernel runs only tens of milliseconds), the
guest's instruction count (its instret), MIPS, and the monitor's figures from vmscope's summary
on stderr: exits (and per million guest instructions), page faults hidden from the guest and
reflected to it, shadow entries filled and invalidated, page-table writes trapped and
emulated, and efficiency (the share of guest instructions that ran with no monitor
intervention). Last column: run time relative to emulation, measured in the same invocation.
Then what caused the exits, per way. Prints figures; it checks nothing but exit codes.
"""
import argparse
import re
import sys

from benchlib import best_of, run_figures

# (name, arguments, the kernel's paravirtual build instead of the kernel)
WAYS = [
    ("emulation", "--firmware sbi", False),
    ("t&e sfence", "--virt trap-and-emulate --shadow sfence", False),
    ("t&e write-protect", "--virt trap-and-emulate --shadow write-protect", False),
    ("t&e sfence+check", "--virt trap-and-emulate --shadow sfence --check-shadows", False),
    ("binary transl.", "--virt binary-translation", False),
    ("paravirtual", "--virt paravirtual", True),
    ("hardware-assist.", "--virt hardware-assisted", False),
]


def best_run(cmd, repeat):
    """The fastest run by vmscope's own figure (guest time, start-up excluded), and its stderr."""
    def measure():
        _, m, p = run_figures(cmd, r"instructions retired in ([\d.]+) s", stream="stderr")
        return float(m.group(1)), p.stderr
    return best_of(repeat, measure, key=lambda x: x[0])


def number(pattern, text, group=1, cast=int):
    m = re.search(pattern, text)
    return cast(m.group(group)) if m else None


def figures(stderr):
    """The numbers in vmscope's summary (the monitor's are None under emulation)."""
    return {
        "insns": number(r"(\d+) instructions retired", stderr),
        "exits": number(r"monitor \((?:trap-and-emulate|paravirtual|hardware-assisted)[^)]*\): (\d+) exits", stderr),
        "per_million": number(r"exits \((\d+) per million guest instructions", stderr),
        "causes": number(r"per second\): (.*)", stderr, cast=str),
        "hidden": number(r"page faults (\d+) hidden", stderr),
        "reflected": number(r"page faults \d+ hidden, (\d+) reflected", stderr),
        "fills": number(r"shadow tables: (\d+) entries filled", stderr),
        "invalidated": number(r"entries filled, (\d+) invalidated", stderr),
        "pt_writes": number(r"(\d+) page-table writes\)", stderr),
        "efficiency": number(r"efficiency ([\d.]+)%", stderr, cast=float),
        "checks": number(r"(\d+) consistency checks passed", stderr),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("kernel")
    ap.add_argument("--repeat", type=int, default=10, help="runs per way; the best run time counts")
    # bench.sh passes its arguments to bench.py and here: ignore the ones only bench.py knows.
    a, _ = ap.parse_known_args()

    def cell(v, fmt="{:,}"):
        return "-" if v is None else fmt.format(v)

    head = (f"{'way':<18} {'run ms':>8} {'guest insns':>12} {'MIPS':>6} {'exits':>7} {'exits/M':>8} "
            f"{'PF hidden':>9} {'PF refl':>7} {'fills':>6} {'invalid':>7} {'PT writes':>9} "
            f"{'efficiency':>10} {'vs emul':>8}")
    print(f"{a.kernel}, best of {a.repeat} runs per way")
    print(head)
    print("-" * len(head))
    base, rows, run_times = None, [], []
    pv_kernel = re.sub(r"\.elf$", "-pv.elf", a.kernel)
    for name, args, pv in WAYS:
        t, stderr = best_run([a.vmscope, "run", pv_kernel if pv else a.kernel] + args.split(), a.repeat)
        f = figures(stderr)
        if f["insns"] is None:
            sys.exit(f"bench_vmm: no instruction count in the output of {args}:\n{stderr[-800:]}")
        base = base or t
        rows.append((name, f))
        run_times.append(t)
        print(f"{name:<18} {t * 1e3:>8.1f} {f['insns']:>12,} {f['insns'] / t / 1e6:>6.0f} {cell(f['exits']):>7} "
              f"{cell(f['per_million']):>8} {cell(f['hidden']):>9} {cell(f['reflected']):>7} "
              f"{cell(f['fills']):>6} {cell(f['invalidated']):>7} {cell(f['pt_writes']):>9} "
              f"{cell(f['efficiency'], '{:.4f}%'):>10} {t / base:>7.2f}x")
    if len({f["insns"] for name, f in rows if name != "paravirtual"}) != 1:
        print("warning: the ways disagree on the guest's instruction count")
    exits = {name: f["exits"] for name, f in rows}
    print(f"\nparavirtual exits / trap-and-emulate's (sfence): {exits['paravirtual'] / exits['t&e sfence']:.3f} "
          f"(target: at most 0.25)")
    times = {name: t for name, t in zip([w[0] for w in WAYS], run_times)}
    print(f"hardware-assisted run time / emulation's: {times['hardware-assist.'] / times['emulation']:.3f} (target: at most 1.1)")
    print("\nexits by cause:")
    for name, f in rows:
        if f["causes"] is not None:
            checks = f", {f['checks']:,} consistency checks" if f["checks"] else ""
            print(f"  {name:<18} {f['causes']}{checks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
