#!/usr/bin/env python3
"""The kernel's virtio-balloon driver against a real device: QEMU's virtio-balloon-device.

  check_balloon_qemu.py VMSCOPE KERNEL_ELF QEMU_SYSTEM_RISCV32 QEMU_BIOS KERNEL_QEMU_ELF PAGES

QEMU starts paused with a balloon and a QMP socket; the host asks (QMP `balloon`) for PAGES
pages back before the guest runs; the kernel's driver inflates on its first timer tick. The
guest's console must equal vmscope's run of the same kernel with `--balloon-target 0:PAGES`, and
QEMU's BALLOON_CHANGE event must report the guest's RAM less PAGES pages: the driver gave
exactly those pages and said so in `actual`, as QEMU reads it.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

RAM = 128 << 20  # QEMU virt's default, and vmscope's


class Qmp:
    def __init__(self, path):
        for _ in range(200):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        else:
            sys.exit("check_balloon_qemu: QEMU's QMP socket never opened")
        self.f = self.s.makefile("rw")
        json.loads(self.f.readline())  # the greeting
        self.execute("qmp_capabilities")

    def execute(self, command, **arguments):
        self.f.write(json.dumps({"execute": command, "arguments": arguments}) + "\n")
        self.f.flush()
        while True:
            reply = json.loads(self.f.readline())
            if "event" in reply:
                continue
            if "error" in reply:
                sys.exit(f"check_balloon_qemu: QMP {command}: {reply['error']}")
            return reply["return"]


def main():
    vmscope, kernel, qemu, bios, kernel_qemu, pages = sys.argv[1:7]
    pages = int(pages)
    ours = subprocess.run([vmscope, "run", "--virt", "trap-and-emulate", "--balloon-target", f"0:{pages}", "-q", kernel],
                          capture_output=True, timeout=120)
    if ours.returncode != 0:
        sys.exit(f"check_balloon_qemu: vmscope exited {ours.returncode}: {ours.stderr.decode()}")

    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "qmp")
        out_path = os.path.join(tmp, "console")
        with open(out_path, "wb") as out:
            q = subprocess.Popen(qemu.split() + ["-M", "virt", "-display", "none", "-serial", "stdio", "-monitor", "none",
                                 "-global", "virtio-mmio.force-legacy=false", "-device", "virtio-balloon-device",
                                 "-S", "-qmp", f"unix:{sock},server=on,wait=off", "-bios", bios,
                                 "-kernel", kernel_qemu], stdout=out, stderr=subprocess.PIPE)
            try:
                qmp = Qmp(sock)
                qmp.execute("balloon", value=RAM - pages * 4096)
                qmp.execute("cont")
                # The guest ends QEMU itself (the test device); QEMU tells every change of the
                # balloon's `actual` as a BALLOON_CHANGE event on the way (the first at once).
                actual = None
                for line in qmp.f:
                    event = json.loads(line)
                    if event.get("event") == "BALLOON_CHANGE" and actual is None:
                        actual = event["data"]["actual"]
                q.wait(timeout=60)
            finally:
                if q.poll() is None:
                    q.kill()
        theirs = open(out_path, "rb").read()

    if theirs != ours.stdout:
        sys.stdout.write("vmscope:\n" + ours.stdout.decode(errors="replace") + "\nQEMU:\n" + theirs.decode(errors="replace"))
        sys.exit("check_balloon_qemu: the kernel printed differently under QEMU")
    if actual is None:
        sys.exit("check_balloon_qemu: QEMU never saw the balloon change (no BALLOON_CHANGE event)")
    if actual != RAM - pages * 4096:
        sys.exit(f"check_balloon_qemu: QEMU says the guest has {actual} bytes; expected {RAM - pages * 4096} "
                 f"({pages} pages in the balloon)")
    if f"balloon: holds {pages} pages".encode() not in ours.stdout:
        sys.exit("check_balloon_qemu: the kernel never said it filled the balloon")
    print(f"check_balloon_qemu: the same {len(ours.stdout)} console bytes; QEMU saw {pages} pages given: "
          f"the guest has {actual} bytes")


main()
