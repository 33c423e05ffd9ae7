#!/usr/bin/env python3
"""The code-cache-eviction lesson's claims, checked on the kernel it runs: at 64 KiB, evicting the
least recently used blocks translates fewer blocks again than evicting the oldest, with native
code and with threaded code (the browser's); and lru does not always win: at 36 KiB of native
code the kernel's loop no longer fits and lru translates more again than fifo (lru's weakness on
a cyclic working set). Every run must also end as the kernel does (its PASS line, exit code 0).

usage: check_eviction_policies.py VMSCOPE KERNEL_ELF"""
import re
import subprocess
import sys


def retranslated(vmscope, kernel, backend, kib, policy):
    r = subprocess.run([vmscope, "run", "--machine", "system", "--firmware", "sbi", kernel, "--engine", "translate",
                        "--backend", backend, "--cache-kib", str(kib), "--evict", policy],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or "kernel: PASS" not in r.stdout:
        sys.exit(f"FAIL: {kib} KiB {policy}: exit {r.returncode}\n{r.stdout[-500:]}\n{r.stderr[-500:]}")
    m = re.search(r"(\d+) translated again after eviction", r.stderr)
    if not m:
        sys.exit(f"FAIL: {kib} KiB {policy}: no translator summary in\n{r.stderr}")
    return int(m.group(1))


def main():
    vmscope, kernel = sys.argv[1:3]
    runs = [(b, kib, p) for b, kib in (("native", 64), ("threaded", 64), ("native", 36)) for p in ("fifo", "lru", "flush")]
    got = {run: retranslated(vmscope, kernel, *run) for run in runs}
    for (b, kib, p), n in got.items():
        print(f"{b:8} {kib:3} KiB {p:5}: {n} blocks translated again after eviction")
    ok = all(got[(b, 64, "lru")] < got[(b, 64, "fifo")] for b in ("native", "threaded"))
    ok = ok and got[("native", 36, "lru")] > got[("native", 36, "fifo")]
    ok = ok and all(n > 0 for n in got.values())
    print("PASS" if ok else "FAIL: lru should win at 64 KiB and lose at 36 KiB of native code")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
