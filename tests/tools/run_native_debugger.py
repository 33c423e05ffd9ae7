#!/usr/bin/env python3
"""Runs the native debugger under Xvfb with a script, then checks its final frame.

  run_native_debugger.py DEBUGGER SCRIPT OUT.png [WIDTHxHEIGHT] [--alongside COMMAND...]

--alongside runs a command while the debugger runs (gdb attaching to it, say); it must exit 0 too.

Passes when every expectation of the script held (exit code 0) and the screenshot shows a
rendered interface (many distinct colours, not a blank or black window). The PNG is kept for
people to look at.
"""
import subprocess
import sys


def read_ppm(path):
    data = open(path, "rb").read()
    parts = data.split(b"\n", 3)
    if parts[0] != b"P6":
        raise SystemExit(f"{path}: not a binary PPM")
    width, height = map(int, parts[1].split())
    return width, height, parts[3]


def main():
    args = sys.argv[1:]
    alongside = args[args.index("--alongside") + 1 :] if "--alongside" in args else []
    args = args[: args.index("--alongside")] if "--alongside" in args else args
    debugger, script, png = args[0:3]
    screen = args[3] if len(args) > 3 else "1280x800"
    ppm = png[:-4] + ".ppm"
    cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", debugger, "--script", script, "--screenshot", ppm]
    helper = subprocess.Popen(alongside, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) if alongside else None
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    print(r.stdout[-4000:])
    if helper:
        out, _ = helper.communicate(timeout=120)
        print("--- alongside:\n" + out[-3000:])
        if helper.returncode != 0:
            print(f"FAIL: {' '.join(alongside)} exited with {helper.returncode}")
            return 1
    if r.returncode != 0:
        print(r.stderr[-2000:])
        print(f"FAIL: the debugger exited with {r.returncode}")
        return 1
    width, height, pixels = read_ppm(ppm)
    colours = {pixels[i:i + 3] for i in range(0, len(pixels), 3 * 97)}
    print(f"screenshot {width}x{height}, {len(colours)} distinct colours sampled")
    if width < 640 or height < 400 or len(colours) < 20:
        print("FAIL: the screenshot does not show a rendered interface")
        return 1
    subprocess.run(["convert", ppm, png], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
