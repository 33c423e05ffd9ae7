#!/usr/bin/env python3
"""The system guest's console on a real terminal (a pseudo-terminal here): pebble's shell gets
keys as typed (Enter as CR, no echo but its own: each typed line appears once), Ctrl-C goes to
the guest rather than ending vmscope, Ctrl-A h prints the console's help, Ctrl-A x ends the run
with exit code 0, and the terminal's settings are as before afterwards.

  check_console_tty.py VMSCOPE PEBBLE_ELF PEBBLE_IMG
"""
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import termios
import time


def read_until(fd, needle, seconds=20.0):
    got = b""
    end = time.monotonic() + seconds
    while needle not in got:
        left = end - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            sys.exit(f"FAIL: waited for {needle!r}; the terminal shows:\n{got.decode(errors='replace')[-1500:]}")
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        got += chunk
    if needle not in got:
        sys.exit(f"FAIL: the run ended before {needle!r}:\n{got.decode(errors='replace')[-1500:]}")
    return got


def main():
    vmscope, elf, img = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "pebble.img")
        shutil.copy(img, disk)
        master, slave = pty.openpty()
        before = termios.tcgetattr(slave)
        p = subprocess.Popen([vmscope, "run", elf, "--drive", disk], stdin=slave, stdout=slave, stderr=slave,
                             close_fds=True)
        try:
            read_until(master, b"\n$ ")
            time.sleep(0.2)  # (the settings change right before the run starts: now they are raw)
            during = termios.tcgetattr(slave)
            if during[3] & termios.ICANON or during[3] & termios.ECHO:
                sys.exit("FAIL: the terminal is still in line mode while the guest runs")
            os.write(master, b"help\r")
            shown = read_until(master, b"\n$ ")
            if shown.count(b"help") != 1:
                sys.exit(f"FAIL: the typed line should appear once (the guest's echo only):\n{shown.decode(errors='replace')}")
            os.write(master, b"\x03")  # Ctrl-C: the guest's, vmscope runs on
            time.sleep(0.3)
            if p.poll() is not None:
                sys.exit("FAIL: Ctrl-C ended vmscope; it should go to the guest")
            os.write(master, b"\x01h")
            read_until(master, b"Ctrl-A x  end the run")
            os.write(master, b"\x01x")
            tail = read_until(master, b"ended with Ctrl-A x")
            code = p.wait(timeout=20)
        finally:
            if p.poll() is None:
                p.kill()
        if code != 0:
            sys.exit(f"FAIL: Ctrl-A x should end the run with 0, got {code}:\n{tail.decode(errors='replace')}")
        after = termios.tcgetattr(slave)
        if after != before:
            sys.exit(f"FAIL: the terminal's settings were not restored:\n before {before}\n after  {after}")
        os.close(master)
        os.close(slave)
    print("console on a terminal: raw keys, guest echo only, Ctrl-C to the guest, Ctrl-A h / x, settings restored")


if __name__ == "__main__":
    main()
