#!/usr/bin/env python3
"""The device tree `vmscope dtb` prints is the one the board passes in a1, and a valid one:
dtc (Debian's device-tree-compiler) reads the blob without error; it names every device the
board has; the source text vmscope prints compiles (dtc) to the very same blob; --ram and
--hypervisor show in it.

  check_dtb.py VMSCOPE DTC
"""
import pathlib
import re
import subprocess
import sys
import tempfile


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    if p.returncode != 0:
        print(f"FAIL: {' '.join(map(str, cmd))}: exit {p.returncode}\n{p.stderr.decode()}")
        sys.exit(1)
    return p.stdout.decode()


def main():
    vmscope, dtc = sys.argv[1:3]
    with tempfile.TemporaryDirectory() as tmp:
        blob, again = pathlib.Path(tmp) / "board.dtb", pathlib.Path(tmp) / "again.dtb"
        source = pathlib.Path(tmp) / "board.dts"
        run([vmscope, "dtb", "-o", blob])
        decompiled = run([dtc, "-I", "dtb", "-O", "dts", blob])
        expected = ["memory@80000000", "cpu@0", "interrupt-controller {", "plic@c000000", "clint@2000000",
                    "serial@10000000", "test@100000", "poweroff {", "reboot {", "chosen {"]
        expected += [f"virtio_mmio@1000{n}000" for n in range(1, 9)]
        missing = [node for node in expected if node not in decompiled]
        if missing:
            print(f"FAIL: dtc's reading of the blob lacks {missing}\n{decompiled}")
            return 1
        if 'compatible = "ns16550a"' not in decompiled or 'riscv,isa = "rv32imac_zicsr_zifencei"' not in decompiled:
            print("FAIL: the UART's or the CPU's compatible/ISA string is missing")
            return 1
        source.write_text(run([vmscope, "dtb"]))
        run([dtc, "-I", "dts", "-O", "dtb", "-o", again, source])
        if again.read_bytes() != blob.read_bytes():
            print("FAIL: vmscope's source text does not compile to its blob")
            return 1
        small = run([vmscope, "dtb", "--ram", "64", "--hypervisor"])
        if not re.search(r"reg = <0x0 0x80000000 0x0 0x4000000>", small) or "rv32imach_zicsr_zifencei" not in small:
            print(f"FAIL: --ram 64 --hypervisor not in the tree:\n{small}")
            return 1
    print(f"ok: dtc reads the blob ({blob_size(decompiled)} lines), {len(expected)} devices named, source == blob")
    return 0


def blob_size(text):
    return len(text.splitlines())


if __name__ == "__main__":
    sys.exit(main())
