#!/usr/bin/env python3
"""The process VM's operating system against qemu-riscv32's (which uses the host's own files).

1. assets/process/files.elf runs under qemu-riscv32 in a scratch folder holding data/ (a small
   tree), and under vmscope with a copy of that tree granted as --dir COPY:/data:rw: the same
   output and exit code, and afterwards the two data/ folders hold the same files and bytes
   (vmscope wrote the guest's changes back as Linux had made them).
2. The same with the tree read-only (no :rw): the guest's writes fail with EROFS... so instead,
   the host folder must be unchanged after a run that only reads (the "sandbox" mode below).
3. "sandbox" (vmscope only): /etc/passwd, a path with .. out of the tree and a symbolic link
   leading out of the granted folder are unreachable; the folder is left unchanged.

4. --strace: the same system calls in the same order as qemu-riscv32 -strace, in strace's words.
5. assets/process/posix.elf (argv, envp and auxv, memory maps, getrandom, uname, pids, signals)
   prints the same under both, given the same arguments and an environment of one variable.

usage: check_process_os.py VMSCOPE FILES_ELF POSIX_ELF QEMU_RISCV32
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def make_tree(root):
    os.makedirs(os.path.join(root, "sub"))
    with open(os.path.join(root, "hello.txt"), "w") as f:
        f.write("Hello, files!\nend\n")
    with open(os.path.join(root, "sub", "nested.txt"), "w") as f:
        f.write("in a folder\n")
    with open(os.path.join(root, "gone.txt"), "w") as f:
        f.write("to be removed\n")


def snapshot(root):
    out = {}
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            out[os.path.relpath(os.path.join(folder, d), root) + "/"] = None
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                out[os.path.relpath(path, root)] = "link -> " + os.readlink(path)
            else:
                with open(path, "rb") as f:
                    out[os.path.relpath(path, root)] = f.read()
    return out


def main():
    vmscope, elf, posix, qemu = (os.path.abspath(a) if os.path.exists(a) else a for a in sys.argv[1:5])
    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        q = os.path.join(scratch, "qemu")
        v = os.path.join(scratch, "vmscope")
        make_tree(os.path.join(q, "data"))
        make_tree(os.path.join(v, "data"))
        ref = subprocess.run([qemu, elf], cwd=q, capture_output=True, timeout=60)
        run = subprocess.run([vmscope, "run", "--quiet", "--dir", os.path.join(v, "data") + ":/data:rw", elf],
                             capture_output=True, timeout=60)
        if ref.returncode != 0 or b"FAIL" in ref.stdout:
            failures.append(f"qemu-riscv32 itself: exit {ref.returncode}\n{ref.stdout.decode()}{ref.stderr.decode()}")
        if run.stdout != ref.stdout or run.returncode != ref.returncode:
            failures.append("vmscope and qemu-riscv32 differ:\n--- qemu (exit %d)\n%s--- vmscope (exit %d)\n%s%s" % (
                ref.returncode, ref.stdout.decode(), run.returncode, run.stdout.decode(), run.stderr.decode()))
        after_q, after_v = snapshot(os.path.join(q, "data")), snapshot(os.path.join(v, "data"))
        if after_q != after_v:
            failures.append(f"the folders differ after the runs:\n  qemu:    {sorted(after_q)}\n  vmscope: {sorted(after_v)}")

        # --strace: the same calls in the same order as qemu-riscv32 -strace makes (its "llseek" is
        # strace's "_llseek"), and lines as strace writes them.
        tq = os.path.join(scratch, "trace-qemu")
        tv = os.path.join(scratch, "trace-vmscope")
        make_tree(os.path.join(tq, "data"))
        make_tree(os.path.join(tv, "data"))
        ref = subprocess.run([qemu, "-strace", elf], cwd=tq, capture_output=True, timeout=60)
        run = subprocess.run([vmscope, "run", "--quiet", "--strace", "--dir", os.path.join(tv, "data") + ":/data:rw", elf],
                             capture_output=True, timeout=60)
        qemu_calls = [{"llseek": "_llseek"}.get(n, n) for n in re.findall(r"^\d+ (\w+)\(", ref.stderr.decode(), re.M)]
        trace = run.stderr.decode()
        ours = re.findall(r"^(\w+)\(", trace, re.M)
        if not qemu_calls or ours != qemu_calls:
            failures.append(f"--strace: the calls differ from qemu-riscv32 -strace's:\n  qemu:    {qemu_calls}\n  vmscope: {ours}")
        for line in ['openat(AT_FDCWD, "data/hello.txt", O_RDONLY) = 3', 'read(3, "Hello", 5) = 5',
                     'openat(AT_FDCWD, "data/missing.txt", O_RDONLY) = -1 ENOENT (No such file or directory)',
                     'write(3, "x", 1) = -1 EBADF (Bad file descriptor)',
                     'openat(AT_FDCWD, "data/new.txt", O_WRONLY|O_CREAT|O_EXCL, 0644) = 3',
                     'unlinkat(AT_FDCWD, "data/made", AT_REMOVEDIR) = 0', 'exit_group(0) = ?']:
            if line + "\n" not in trace:
                failures.append(f"--strace: no line '{line}' in\n{trace}")

        # Read-only: the same program's writes fail, and the host folder stays as it was.
        ro = os.path.join(scratch, "ro")
        make_tree(os.path.join(ro, "data"))
        before = snapshot(os.path.join(ro, "data"))
        run = subprocess.run([vmscope, "run", "--quiet", "--dir", os.path.join(ro, "data") + ":/data", elf],
                             capture_output=True, timeout=60)
        if run.returncode != 1 or b"FAIL: create new.txt" not in run.stdout:
            failures.append(f"read-only: creating a file should fail (exit {run.returncode}):\n{run.stdout.decode()}")
        if snapshot(os.path.join(ro, "data")) != before:
            failures.append("read-only: the host folder changed")

        # The sandbox: a link out of the folder, .., absolute paths.
        sb = os.path.join(scratch, "sandbox")
        make_tree(os.path.join(sb, "data"))
        os.symlink("/etc/passwd", os.path.join(sb, "data", "escape"))
        os.symlink("hello.txt", os.path.join(sb, "data", "inside"))
        before = snapshot(os.path.join(sb, "data"))
        run = subprocess.run([vmscope, "run", "--quiet", "--dir", os.path.join(sb, "data") + ":/data:rw", elf, "--", "sandbox"],
                             capture_output=True, timeout=60)
        out = run.stdout.decode()
        if run.returncode != 0 or "files sandbox: all" not in out or "/: data\n" not in out:
            failures.append(f"sandbox (exit {run.returncode}):\n{out}{run.stderr.decode()}")
        if "left out escape (a symbolic link that does not lead to a file inside the folder)" not in run.stderr.decode():
            failures.append(f"sandbox: the escaping link was not reported:\n{run.stderr.decode()}")
        if snapshot(os.path.join(sb, "data")) != before:
            failures.append("sandbox: the host folder changed")

        # posix.elf: argv, envp, auxv, memory maps and the rest, in an environment of one variable.
        ref = subprocess.run(["env", "-i", "VMSCOPE_TEST=42", qemu, posix, "one", "two"], capture_output=True, timeout=60)
        run = subprocess.run([vmscope, "run", "--quiet", "--env", "VMSCOPE_TEST=42", posix, "--", "one", "two"],
                             capture_output=True, timeout=60)
        if ref.returncode != 0 or run.stdout != ref.stdout or run.returncode != ref.returncode:
            failures.append("posix: vmscope and qemu-riscv32 differ:\n--- qemu (exit %d)\n%s%s--- vmscope (exit %d)\n%s%s" % (
                ref.returncode, ref.stdout.decode(), ref.stderr.decode(), run.returncode, run.stdout.decode(), run.stderr.decode()))

        # Bad input: a folder that is not there.
        run = subprocess.run([vmscope, "run", "--dir", os.path.join(scratch, "nowhere"), elf], capture_output=True, timeout=60)
        if run.returncode != 127 or b"is not a folder that can be read" not in run.stderr:
            failures.append(f"--dir of a missing folder: exit {run.returncode}, {run.stderr.decode()}")
    if failures:
        print("\n".join("FAIL: " + f for f in failures))
        return 1
    print("files and posix: the same output and the same folder as qemu-riscv32; read-only and the sandbox hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
