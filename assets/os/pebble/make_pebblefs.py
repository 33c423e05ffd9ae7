#!/usr/bin/env python3
"""Makes a PebbleFS disk image (fs.c) from text files: sector 0 the superblock ("PEBBLEFS" and
the first free sector), sector 1 the directory (16 entries: a 24-byte name, the first sector,
the size), then each file in 8 sectors of its own (room to grow), 128 sectors in all.

  make_pebblefs.py IMAGE FILE...
"""
import os
import struct
import sys

SECTORS, ROOM = 128, 8


def main():
    image, files = sys.argv[1], sys.argv[2:]
    if len(files) > 16:
        sys.exit("make_pebblefs.py: at most 16 files")
    disk = bytearray(SECTORS * 512)
    directory = bytearray()
    sector = 2
    for path in files:
        name = os.path.basename(path).encode()
        data = open(path, "rb").read()
        if len(name) >= 24 or len(data) > ROOM * 512:
            sys.exit(f"make_pebblefs.py: {path}: the name must be under 24 bytes, the file at most {ROOM * 512}")
        disk[sector * 512:sector * 512 + len(data)] = data
        directory += struct.pack("<24sII", name, sector, len(data))
        sector += ROOM
    disk[0:16] = b"PEBBLEFS" + struct.pack("<II", 0, sector)
    disk[512:512 + len(directory)] = directory
    with open(image, "wb") as out:
        out.write(disk)


if __name__ == "__main__":
    main()
