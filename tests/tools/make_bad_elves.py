#!/usr/bin/env python3
"""Makes hostile and broken ELF files from a good rv32 ELF, for the bad-input tests.

  make_bad_elves.py GOOD_SYSTEM_ELF OUTDIR

Each file is named after what is wrong with it; tests/CMakeLists.txt says which exit code and
message vmscope must give for each.
"""
import os
import struct
import sys


def main():
    good, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    data = bytearray(open(good, "rb").read())
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)

    def write(name, blob):
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)

    def first_load():
        for i in range(phnum):
            off = phoff + i * phentsize
            if struct.unpack_from("<I", data, off)[0] == 1:
                return off
        raise SystemExit("no PT_LOAD in " + good)

    write("truncated.elf", data[:40])
    write("not_an_elf.elf", b"#!/bin/sh\necho this is not an ELF file\n")
    wrong = bytearray(data); struct.pack_into("<H", wrong, 18, 62)  # EM_X86_64
    write("wrong_machine.elf", wrong)
    wrong = bytearray(data); wrong[4] = 2  # ELFCLASS64
    write("wrong_class.elf", wrong)
    seg = first_load()
    # Move the segment (and the entry with it) where the board has no RAM.
    outside = bytearray(data)
    vaddr, = struct.unpack_from("<I", data, seg + 8)
    entry, = struct.unpack_from("<I", data, 24)
    struct.pack_into("<II", outside, seg + 8, 0x40000000, 0x40000000)
    struct.pack_into("<I", outside, 24, 0x40000000 + (entry - vaddr))
    write("segment_outside_ram.elf", outside)
    huge = bytearray(data); struct.pack_into("<I", huge, seg + 20, 0xfff00000)  # p_memsz
    write("huge_segment.elf", huge)
    beyond = bytearray(data); struct.pack_into("<II", beyond, seg + 16, 0x7fff0000, 0x7fff0000)  # filesz, memsz
    write("segment_beyond_file.elf", beyond)
    # Two program headers describing the same memory: copy the PT_LOAD over another header.
    if phnum < 2:
        raise SystemExit(good + " needs two program headers")
    other = phoff if seg != phoff else phoff + phentsize
    overlap = bytearray(data)
    overlap[other:other + phentsize] = data[seg:seg + phentsize]
    write("overlapping_segments.elf", overlap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
