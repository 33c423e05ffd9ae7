#!/usr/bin/env python3
"""Installs vmscope like a user would and runs what was installed, outside the build tree.

  check_install.py BUILD_DIR SCRATCH_DIR UI_SCRIPT

1. cmake --install BUILD_DIR --prefix SCRATCH/prefix: bin/vmscope runs an installed program,
   analyzes an installed ISA description (x86: not virtualizable, exit 1), and bin/vmscope-debugger
   (under Xvfb) opens a bundled program by name from share/vmscope/programs.
2. cpack -G DEB in BUILD_DIR: the package's control file names the libraries the binaries need
   (dpkg-shlibdeps), and its files, unpacked with dpkg-deb -x, run the same way from /usr.
"""
import glob
import os
import shutil
import subprocess
import sys


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    return r


def check_tree(root, script, what):
    ok = True
    vm = os.path.join(root, "bin", "vmscope")
    share = os.path.join(root, "share", "vmscope")
    hello = os.path.join(share, "programs", "process", "hello.elf")
    r = run([vm, "run", hello])
    if r.returncode != 0 or "Hello, vmscope!" not in r.stdout:
        print(f"FAIL: {what}: vmscope run hello exited {r.returncode}: {r.stdout[-500:]}{r.stderr[-500:]}")
        ok = False
    r = run([vm, "analyze", os.path.join(share, "isa-specs", "x86-ia32.toml")])
    if r.returncode != 1 or "Theorem 1" not in r.stdout:
        print(f"FAIL: {what}: vmscope analyze x86-ia32.toml exited {r.returncode}: {r.stdout[-500:]}{r.stderr[-500:]}")
        ok = False
    for needed in ["lessons/trap-and-emulate.toml", "programs/kernel/kernel.elf", "programs/os/pebble.img"]:
        if not os.path.exists(os.path.join(share, needed)):
            print(f"FAIL: {what}: share/vmscope/{needed} is missing")
            ok = False
    debugger = os.path.join(root, "bin", "vmscope-debugger")
    shot = os.path.join(os.path.dirname(root), "installed.ppm")
    r = run(["xvfb-run", "-a", "-s", "-screen 0 1280x720x24", debugger, "--script", script, "--screenshot", shot],
            stdin=subprocess.DEVNULL, cwd="/")
    if r.returncode != 0:
        print(f"FAIL: {what}: the installed debugger's script failed ({r.returncode}):\n{r.stdout[-1500:]}{r.stderr[-800:]}")
        ok = False
    if ok:
        print(f"ok: {what}: vmscope runs and analyzes, the debugger opens a bundled program by name")
    return ok


def main():
    build, scratch, script = sys.argv[1:4]
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    prefix = os.path.join(scratch, "prefix")
    r = run(["cmake", "--install", build, "--prefix", prefix])
    if r.returncode != 0:
        print("FAIL: cmake --install:\n" + r.stdout[-2000:] + r.stderr[-2000:])
        return 1
    ok = check_tree(prefix, script, "cmake --install")

    r = run(["cpack", "-G", "DEB", "-B", scratch], cwd=build)
    debs = glob.glob(os.path.join(scratch, "vmscope_*.deb"))
    if r.returncode != 0 or len(debs) != 1:
        print("FAIL: cpack -G DEB:\n" + r.stdout[-2000:] + r.stderr[-2000:])
        return 1
    info = run(["dpkg-deb", "-I", debs[0]]).stdout
    depends = next((l for l in info.splitlines() if l.strip().startswith("Depends:")), "")
    for lib in ["libc6", "libstdc++6", "libglfw3"]:
        if lib not in depends:
            print(f"FAIL: the package does not depend on {lib}: '{depends.strip()}'")
            ok = False
    root = os.path.join(scratch, "deb-root")
    r = run(["dpkg-deb", "-x", debs[0], root])
    if r.returncode != 0:
        print("FAIL: dpkg-deb -x: " + r.stderr)
        return 1
    ok = check_tree(os.path.join(root, "usr"), script, os.path.basename(debs[0])) and ok
    print(f"{os.path.basename(debs[0])}: {os.path.getsize(debs[0]) // 1024} KiB; {depends.strip()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
