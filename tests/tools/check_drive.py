#!/usr/bin/env python3
"""--drive keeps its promise about the image file: without :rw the file is never changed
(the guest's writes stay in memory), with :rw they reach it — exactly the sector written.

  check_drive.py VMSCOPE ELF DISK_IMAGE
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile


def main():
    vmscope, elf, disk = sys.argv[1:4]
    original = pathlib.Path(disk).read_bytes()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        image = pathlib.Path(tmp) / "disk.img"
        shutil.copy(disk, image)
        for mode in ("", ":rw"):
            run = subprocess.run([vmscope, "run", elf, "-q", "--drive", f"{image}{mode}"], capture_output=True, timeout=60)
            if run.returncode != 0:
                print(f"FAIL: --drive {mode or '(overlay)'}: exit {run.returncode}\n{run.stdout.decode()}{run.stderr.decode()}")
                return 1
            now = image.read_bytes()
            changed = [n for n in range(len(now) // 512) if now[n * 512:(n + 1) * 512] != original[n * 512:(n + 1) * 512]]
            want = [5] if mode else []
            if changed != want:
                print(f"FAIL: --drive FILE{mode}: sectors changed in the file: {changed}, expected {want}")
                ok = False
            else:
                print(f"ok: --drive FILE{mode}: sectors changed in the file: {changed}")
        if ok and image.read_bytes()[5 * 512:5 * 512 + 512] != bytes((i * 7) & 0xFF for i in range(512)):
            print("FAIL: sector 5 in the file is not what the guest wrote")
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
