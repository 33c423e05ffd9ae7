#!/usr/bin/env python3
"""Attaches gdb-multiarch to a stub that is about to listen, runs a command file, and checks gdb's output.

  attach_gdb.py PORT ELF COMMANDS.gdb EXPECTED_REGEX

Tries to connect for up to 60 s (the stub starts listening some time after this starts), then
runs the commands in batch mode; exits 0 when gdb's output matches EXPECTED_REGEX.
"""
import re
import subprocess
import sys
import time

port, elf, commands, expected = sys.argv[1:5]
deadline = time.time() + 60
while True:
    r = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-ex", f"file {elf}", "-ex", f"target remote 127.0.0.1:{port}",
                        "-x", commands], capture_output=True, text=True, timeout=120)
    out = r.stdout + r.stderr
    if "Connection refused" not in out or time.time() > deadline:
        break
    time.sleep(0.3)
print(out)
if not re.search(expected, out, re.S):
    print(f"FAIL: gdb's output does not match /{expected}/")
    sys.exit(1)
