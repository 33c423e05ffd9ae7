#!/usr/bin/env python3
"""Differential testing with random programs: generates random but valid RV32IMAC user programs
(arithmetic, multiply/divide, shifts, loads and stores of every width, atomics, forward
branches and jumps, lui/auipc; the assembler compresses what it can), assembles them, runs
each under vmscope and under a reference, and requires the same output byte for byte: every
register and the whole data buffer at the end.

  random_programs.py VMSCOPE GCC --reference qemu-riscv32 [--count N] [--seed S] [--length L]
                     [--keep DIR] [--runner=CMD]

Exit 0 when every program agrees. A disagreement prints the seed, the program and both outputs;
rerun one with --seed S --count 1 --keep DIR to get its source and ELF.
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile

REGS = [f"x{i}" for i in range(1, 32) if i != 27]  # x27 (s11) holds the data buffer's address
R_OPS = ["add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
         "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"]
I_OPS = ["addi", "slti", "sltiu", "xori", "ori", "andi"]
SHIFT_OPS = ["slli", "srli", "srai"]
LOADS = [("lw", 4), ("lh", 2), ("lhu", 2), ("lb", 1), ("lbu", 1)]
STORES = [("sw", 4), ("sh", 2), ("sb", 1)]
AMOS = ["amoswap.w", "amoadd.w", "amoxor.w", "amoand.w", "amoor.w", "amomin.w", "amomax.w",
        "amominu.w", "amomaxu.w"]
BRANCHES = ["beq", "bne", "blt", "bge", "bltu", "bgeu"]
BUFFER = 4096


def interesting(rng):
    return rng.choice([0, 1, -1, 0x7fffffff, -0x80000000, 0x80000000, 0xffff, 0x8000, 31, 32,
                       rng.getrandbits(32), rng.randint(-2048, 2047)])


def program(seed, length):
    rng = random.Random(seed)
    reg = lambda: rng.choice(REGS)
    # x27 points into the middle of the buffer, so that 12-bit offsets reach all of it.
    lines = [".text", ".globl _start", "_start:", "    la x27, buffer", "    addi x27, x27, 2047", "    addi x27, x27, 1"]
    for r in REGS:
        lines.append(f"    li {r}, {interesting(rng) & 0xffffffff}")
    label = 0
    pending = []  # (instructions left, label) for forward branches
    for _ in range(length):
        k = rng.random()
        if k < 0.30:
            lines.append(f"    {rng.choice(R_OPS)} {reg()}, {reg()}, {reg()}")
        elif k < 0.45:
            lines.append(f"    {rng.choice(I_OPS)} {reg()}, {reg()}, {rng.randint(-2048, 2047)}")
        elif k < 0.52:
            lines.append(f"    {rng.choice(SHIFT_OPS)} {reg()}, {reg()}, {rng.randint(0, 31)}")
        elif k < 0.55:
            lines.append(f"    {rng.choice(['lui', 'auipc'])} {reg()}, {rng.randint(0, 0xfffff)}")
        elif k < 0.67:
            op, size = rng.choice(LOADS)
            lines.append(f"    {op} {reg()}, {rng.randrange(0, BUFFER, size) - 2048}(x27)")
        elif k < 0.79:
            op, size = rng.choice(STORES)
            lines.append(f"    {op} {reg()}, {rng.randrange(0, BUFFER, size) - 2048}(x27)")
        elif k < 0.84:
            # An AMO on an aligned word of the buffer: its address in a scratch register first.
            tmp = reg()
            lines.append(f"    addi {tmp}, x27, {rng.randrange(0, BUFFER, 4) - 2048}")
            lines.append(f"    {rng.choice(AMOS)} {reg()}, {reg()}, ({tmp})")
        elif k < 0.96:
            label += 1
            lines.append(f"    {rng.choice(BRANCHES)} {reg()}, {reg()}, L{label}")
            pending.append([rng.randint(1, 6), label])
        else:
            label += 1
            lines.append(f"    jal {reg()}, L{label}")
            pending.append([rng.randint(1, 4), label])
        for p in pending:
            p[0] -= 1
        for p in [p for p in pending if p[0] <= 0]:
            lines.append(f"L{p[1]}:")
            pending.remove(p)
    for _, l in pending:
        lines.append(f"L{l}:")
    # The result: every register after the buffer, then write(1, buffer, all) and exit(0).
    lines.append("    la x27, results")
    for i, r in enumerate(REGS):
        lines.append(f"    sw {r}, {4 * i}(x27)")
    lines += ["    li a0, 1", "    la a1, buffer", f"    li a2, {BUFFER + 4 * len(REGS)}", "    li a7, 64",
              "    ecall", "    li a0, 0", "    li a7, 93", "    ecall",
              ".data", ".balign 16", "buffer:"]
    data = bytes(rng.getrandbits(8) for _ in range(BUFFER))
    lines += [f"    .byte {', '.join(str(b) for b in data[i:i + 32])}" for i in range(0, BUFFER, 32)]
    lines += ["results:", f"    .space {4 * len(REGS)}"]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("gcc")
    ap.add_argument("--reference", required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--length", type=int, default=300)
    ap.add_argument("--keep")
    ap.add_argument("--runner", default="")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="vmscope-random-")
    os.makedirs(work, exist_ok=True)
    failures = 0
    for seed in range(a.seed, a.seed + a.count):
        src, elf = os.path.join(work, f"r{seed}.S"), os.path.join(work, f"r{seed}.elf")
        with open(src, "w") as f:
            f.write(program(seed, a.length))
        # --no-relax: gp is just another random register here, not the global pointer.
        subprocess.run([a.gcc, "-march=rv32imac", "-mabi=ilp32", "-nostdlib", "-nostartfiles", "-static",
                        "-Wl,--build-id=none", "-Wl,--no-relax", src, "-o", elf], check=True)
        ours = subprocess.run(a.runner.split() + [a.vmscope, "run", "-q", elf], capture_output=True, timeout=60)
        ref = subprocess.run([a.reference, elf], capture_output=True, timeout=60)
        if ours.stdout != ref.stdout or ours.returncode != ref.returncode:
            failures += 1
            print(f"FAIL: seed {seed}: exit {ours.returncode} vs {ref.returncode}, "
                  f"{len(ours.stdout)} vs {len(ref.stdout)} bytes of output")
            if len(ours.stdout) == len(ref.stdout):
                for i in range(0, len(ours.stdout), 4):
                    if ours.stdout[i:i + 4] != ref.stdout[i:i + 4]:
                        where = f"x{REGS[(i - BUFFER) // 4][1:]}" if i >= BUFFER else f"buffer+{i}"
                        print(f"  first difference at {where}: {ours.stdout[i:i + 4].hex()} vs {ref.stdout[i:i + 4].hex()}")
                        break
            print(ours.stderr.decode(errors="replace")[-500:])
    if not a.keep:
        for f in os.listdir(work):
            os.remove(os.path.join(work, f))
        os.rmdir(work)
    print(f"{a.count - failures} of {a.count} random programs ({a.length} instructions each) agree with {a.reference}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
