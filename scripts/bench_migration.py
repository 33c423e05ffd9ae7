#!/usr/bin/env python3
"""Migration benchmark: the guest kernel moved at three points of its run, cold and live, under
trap-and-emulate and hardware-assisted. For each: pre-copy rounds, pages and bytes sent,
downtime in guest instructions and host milliseconds, and live's downtime as a share of cold's
(the reference, measured in the same invocation).

  bench_migration.py VMSCOPE KERNEL [--repeat N]
"""
import argparse

from benchlib import best_of, run_figures

POINTS = [2_000_000, 6_000_000, 10_000_000]
WAYS = ["trap-and-emulate", "hardware-assisted"]


def migrate(vmscope, kernel, way, kind, at):
    _, m, _ = run_figures([vmscope, "run", kernel, "--virt", way, "--migrate-at", str(at), "--migrate", kind],
                          r"at instruction \d+: (\d+) rounds?, (\d+) pages? and (\d+) bytes in all; downtime (\d+) "
                          r"guest instructions \(([\d.]+) ms on the host\); (\d+) dirty-page faults",
                          stream="stderr", require="kernel: PASS", timeout=300)
    rounds, pages, bytes_, downtime, host_ms, faults = m.groups()
    return {"rounds": int(rounds), "pages": int(pages), "bytes": int(bytes_), "downtime": int(downtime),
            "host_ms": float(host_ms), "faults": int(faults)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("kernel")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    print("Migration of the guest kernel (12.6 million instructions; link: 4 bytes per guest instruction;"
          " stop-and-copy at 16 dirty pages or fewer). Host times: the fastest of", a.repeat, "runs.")
    print(f"{'way':<18} {'at':>10} {'kind':<5} {'rounds':>6} {'pages':>6} {'KiB':>6} {'downtime (insns)':>17} "
          f"{'host ms':>8} {'dirty faults':>12} {'vs cold':>8}")
    for way in WAYS:
        for at in POINTS:
            results = {}
            for kind in ("cold", "live"):
                results[kind] = best_of(a.repeat, lambda: migrate(a.vmscope, a.kernel, way, kind, at),
                                        key=lambda x: x["host_ms"])
            for kind in ("cold", "live"):
                x = results[kind]
                share = x["downtime"] / results["cold"]["downtime"]
                print(f"{way:<18} {at:>10,} {kind:<5} {x['rounds']:>6} {x['pages']:>6} {x['bytes'] // 1024:>6} "
                      f"{x['downtime']:>17,} {x['host_ms']:>8.2f} {x['faults']:>12} {share:>8.1%}")


if __name__ == "__main__":
    main()
