#!/usr/bin/env python3
"""Counts the guest instructions a process program executes under qemu-riscv32.

qemu logs each translated block once (-d in_asm: its address and instructions) and
each execution of a block (-d exec with nochain, so every block entry is logged).
Executed instructions = sum over executions of the block's instruction count.
Usage: count_instructions.py prog.elf [args...] [< stdin]
The log goes through a pipe, so even billions of instructions need no disk space
(but take about a minute per 100 million instructions).
"""
import os
import re
import subprocess
import sys

def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    r_fd, w_fd = os.pipe()
    log = f"/dev/fd/{w_fd}"
    proc = subprocess.Popen(
        ["qemu-riscv32", "-d", "in_asm,exec,nochain", "-D", log] + sys.argv[1:],
        pass_fds=(w_fd,), stdout=subprocess.DEVNULL)
    os.close(w_fd)
    block_size = {}   # block start pc -> instructions
    executed = 0
    blocks = 0
    current = None    # pc of the block being listed by in_asm
    insn_re = re.compile(r"^0x([0-9a-f]+):\s")
    trace_re = re.compile(r"^Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
    with os.fdopen(r_fd, "r", errors="replace") as f:
        for line in f:
            if line.startswith("Trace"):
                m = trace_re.match(line)
                if m:
                    executed += block_size.get(int(m.group(1), 16), 0)
                    blocks += 1
                current = None
                continue
            m = insn_re.match(line)
            if m:
                pc = int(m.group(1), 16)
                if current is None:
                    current = pc
                    block_size[current] = 0
                block_size[current] += 1
            elif not line.strip():
                current = None
    rc = proc.wait()
    print(f"{executed} instructions in {blocks} block executions (exit {rc})")

if __name__ == "__main__":
    main()
