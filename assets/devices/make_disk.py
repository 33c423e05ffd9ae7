#!/usr/bin/env python3
"""Writes the test disk the device programs read (virtio_blk.c): 64 sectors of 512 bytes,
sector n beginning with the text "sector n." and a NUL, the rest a pattern of its number."""
import sys

with open(sys.argv[1], "wb") as out:
    for n in range(64):
        text = f"sector {n}. of vmscope's test disk".encode() + b"\0"
        out.write(text + bytes((n + i) & 0xFF for i in range(512 - len(text))))
