#!/usr/bin/env python3
"""Device I/O: disk throughput (MiB/s of guest reads) and interrupts per second, vmscope's two
engines against qemu-system-riscv32 in the same run. The guest (assets/devices/virtio_blk.c
built as disk_bench.elf) reads a 64 MiB disk 8 times in 64 KiB requests and once in 4 KiB
requests, each completed by a virtio-blk interrupt through the PLIC; the figures are bytes and
interrupts the guest counted over the wall time of the whole run (boot included), best of N.

  bench_devices.py VMSCOPE DISK_BENCH_ELF [--repeat N]
"""
import argparse
import tempfile

from benchlib import best_of, run_figures


def run(cmd):
    seconds, m, _ = run_figures(cmd, r"read (\d+) KiB in (\d+) requests, (\d+) interrupts")
    return seconds, int(m.group(1)), int(m.group(3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("elf")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    with tempfile.NamedTemporaryFile(suffix=".img") as disk:
        disk.write(bytes(64 << 20))
        disk.flush()
        qemu = ["qemu-system-riscv32", "-M", "virt", "-bios", "none", "-nographic", "-global",
                "virtio-mmio.force-legacy=false", "-drive", f"file={disk.name},if=none,format=raw,id=d0,snapshot=on",
                "-device", "virtio-blk-device,drive=d0,bus=virtio-mmio-bus.0", "-kernel", a.elf]
        ways = [("vmscope interpreter", [a.vmscope, "run", a.elf, "-q", "--drive", disk.name]),
                ("vmscope translator", [a.vmscope, "run", a.elf, "-q", "--drive", disk.name, "--engine", "translate"]),
                ("qemu-system-riscv32", qemu)]
        print(f"Device I/O: a 64 MiB virtio-blk disk read 8x in 64 KiB requests and once in 4 KiB ones "
              f"(best of {a.repeat}, wall time incl. start-up)")
        print(f"{'':22} {'seconds':>8} {'MiB/s':>8} {'interrupts/s':>13} {'vs qemu':>8}")
        rows = []
        for name, cmd in ways:
            best = best_of(a.repeat, lambda: run(cmd))
            rows.append((name, *best))
        qemu_mibs = rows[-1][2] / 1024 / rows[-1][1]
        for name, seconds, kib, interrupts in rows:
            mibs = kib / 1024 / seconds
            print(f"{name:22} {seconds:8.3f} {mibs:8.1f} {interrupts / seconds:13.0f} {mibs / qemu_mibs:7.2f}x")


if __name__ == "__main__":
    main()
