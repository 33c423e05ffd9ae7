#!/usr/bin/env python3
"""Copies the bundled guest programs into the web site and writes programs/programs.json.

usage: make_programs.py --assets BUILD_ASSETS_DIR --sources SOURCE_ASSETS_DIR --out SITE_PROGRAMS_DIR
                        [--objcopy riscv64-unknown-elf-objcopy] GROUP/NAME...

Each ELF is copied as programs/GROUP/NAME.elf (and its disk image GROUP/NAME.img, if it has one,
named in the listing as "disk"); with --objcopy its DWARF debug sections are
dropped on the way (vmscope reads only the symbol table, which stays), which makes the site
several times smaller. The description of a program is the first comment of its source
(assets/GROUP/NAME.c or .S), without the leading "NAME:" or "NAME benchmark:".
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys


def description(sources: str, group: str, name: str) -> str:
    # NAME_sbi is NAME built to start in S-mode on SBI firmware, NAME-pv its paravirtual build:
    # same source, same description.
    base = name[: -len("_sbi")] if name.endswith("_sbi") else name[: -len("-pv")] if name.endswith("-pv") else name
    # (an OS of several files, os/NAME/, says what it is at the top of NAME.h)
    for path in [os.path.join(sources, group, base + ext) for ext in (".c", ".S")] + [os.path.join(sources, group, base, base + ".h")]:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        m = re.match(r"\s*/\*(.*?)\*/", text, re.S)
        if not m:
            return ""
        words = " ".join(m.group(1).split())
        words = re.sub(r"^" + re.escape(base) + r"( benchmark)?:\s*", "", words)
        if name.endswith("-pv"):
            return words + " (Its paravirtual build: hypercalls to the monitor instead of privileged instructions.)"
        return words + (" (Started in S-mode on SBI firmware.)" if base != name else "")
    return ""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--assets", required=True)
    ap.add_argument("--sources", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--objcopy", default="")
    ap.add_argument("programs", nargs="+")
    args = ap.parse_args()

    listing = []
    # Groups in the debugger's order (the kernel first: lessons use it most), names sorted within.
    order = {"kernel": 0, "os": 1, "system": 2, "process": 3, "bench": 4}
    for entry in sorted(args.programs, key=lambda e: (order.get(e.split("/", 1)[0], 9), e)):
        group, name = entry.split("/", 1)
        src = os.path.join(args.assets, group, name + ".elf")
        dest_dir = os.path.join(args.out, group)
        os.makedirs(dest_dir, exist_ok=True)
        dest = os.path.join(dest_dir, name + ".elf")
        if args.objcopy:
            subprocess.run([args.objcopy, "--strip-debug", src, dest], check=True)
        else:
            shutil.copyfile(src, dest)
        entry = {
            "name": name,
            "group": group,
            "description": description(args.sources, group, name),
            "file": f"{group}/{name}.elf",
            "size": os.path.getsize(dest),
        }
        disk = os.path.join(args.assets, group, name + ".img")  # an OS's own disk, beside it
        if os.path.exists(disk):
            shutil.copyfile(disk, os.path.join(dest_dir, name + ".img"))
            entry["disk"] = f"{group}/{name}.img"
        listing.append(entry)
    with open(os.path.join(args.out, "programs.json"), "w", encoding="utf-8") as f:
        json.dump(listing, f, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
