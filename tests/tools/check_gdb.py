#!/usr/bin/env python3
"""vmscope's gdb stub, driven by a real gdb (gdb-multiarch) and compared with QEMU's.

  check_gdb.py VMSCOPE QEMU_SYSTEM_RISCV32 PROGRAM_ELF PORT

1. The same gdb script runs against `vmscope run --gdb` and against `qemu-system-riscv32 -M virt
   -bios none -gdb` on the same bare-metal program (assets/system/sv32_paging.elf: M-mode, S-mode
   with Sv32 paging, U-mode): single steps, breakpoints by symbol and at a user virtual address,
   `info registers`, memory read through the page tables, a write watchpoint (gdb's "Old
   value/New value"). Everything gdb prints after both stand at _start must be identical. (Not
   across an ECALL: QEMU's single step does not stop in the trap handler, it runs on.)
2. vmscope alone (QEMU cannot go backwards without record/replay): reverse-stepi retraces the
   exact pcs stepi went through; reverse-continue stops at an earlier breakpoint;
   `monitor info mem` lists the program's Sv32 window; `monitor phys on` reads by physical address;
   detach lets the guest run to its end (vmscope exits 0); a program waiting for input stops on gdb's Ctrl-C
   (0x03) with SIGINT, runs on after a detach, stops again for the next gdb; a run killed by gdb
   exits 126. reverse-finish goes back to the call.
3. The bare-metal program on the translator, and a process program (to main, next, to its end
   with its output intact).
4. The teaching kernel under trap-and-emulate, binary translation and hardware-assisted: the same
   gdb session (a breakpoint in the kernel, registers, the guest's CSRs and mode, memory through
   its page tables, steps) prints exactly what it prints with the kernel on the bare hart (also on
   the translator).
"""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time


def wait_for_stub(proc):
    # (not by connecting: a connection that goes away is a detach, and the guest would run on)
    line = proc.stderr.readline().decode()
    if "waiting for gdb" not in line:
        sys.exit(f"check_gdb: the stub did not start listening: {line}{proc.stderr.read().decode()}")


def wait_for_port(port, proc):
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"check_gdb: the stub exited early ({proc.returncode}): {proc.stderr.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"check_gdb: nothing listens on port {port}")


def gdb(program, port, script, tmp):
    path = os.path.join(tmp, "script.gdb")
    with open(path, "w") as f:
        f.write(script)
    r = subprocess.run(["gdb-multiarch", "-nx", "-batch", "-ex", f"file {program}", "-ex", f"target remote 127.0.0.1:{port}",
                        "-x", path], capture_output=True, timeout=120)
    return r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")


def after_marker(text):
    # (gdb ends the batch by detaching; it names the inferior "process 1" for QEMU, whose stub
    # speaks the multiprocess extension, and "Remote target" for vmscope's: that line is left out)
    text = text[text.index("=== at _start") :] if "=== at _start" in text else text
    return re.sub(r"\[Inferior 1 \(.*\) detached\]\n?", "", text)


START = """set pagination off
set confirm off
tbreak *0x80000000
if $pc != 0x80000000
  continue
end
delete
set $a1 = 0
set $a2 = 0
echo === at _start\\n
"""

# QEMU starts in its reset ROM (0x1000) with a1 = the device tree and a2 = its firmware data;
# vmscope's board starts at the entry. From _start on, with a1 and a2 cleared, both must agree.
COMPARED = START + """stepi 25
info registers
break s_main
continue
info registers
x/8xw $sp
break *0xc000700c
continue
info registers
x/4xw 0xc0008000
watch *(int*)0xc0008008
continue
info registers pc a0 a1
delete
stepi 2
info registers
"""

REVERSE = START + """break s_main
continue
echo === state before\\n
info registers
x/8xw $sp
echo === stepping\\n
stepi 7
reverse-stepi 7
echo === state after\\n
info registers
x/8xw $sp
echo === forward\\n
stepi
p/x $pc
stepi
p/x $pc
stepi
p/x $pc
stepi
p/x $pc
stepi
p/x $pc
echo === backward\\n
reverse-stepi
p/x $pc
reverse-stepi
p/x $pc
reverse-stepi
p/x $pc
reverse-stepi
p/x $pc
echo === reverse-continue\\n
break *0xc000700c
continue
p/x $pc
reverse-continue
p/x $pc
echo === reverse-finish\\n
break kprintf
continue
reverse-finish
x/i $pc
delete
nexti
p/x $pc
echo === hbreak\\n
delete
hbreak *0xc000700c
continue
p/x $pc
echo === monitor\\n
monitor info mem
x/2xw 0xc0000000
monitor phys on
x/2xw 0x80006000
monitor phys off
p $priv
detach
"""

KILL = START + """stepi 3
set $a0 = 0x1234
monitor info registers
set {int}0x80100000 = 0x55667788
monitor phys on
x/xw 0x80100000
kill
"""

# A process program (the Linux-like process VM): to main, a few lines, on to the end.
PROCESS = """set pagination off
set confirm off
break main
continue
info registers pc
p $priv
next
next
continue
"""

# The teaching kernel under a monitor: gdb must see the guest - its registers, its own CSRs and
# mode (S, though the hart runs it in U or VS), its memory through its own page tables - exactly
# as when the kernel runs on the bare hart.
GUEST = """set pagination off
set confirm off
break timer_tick
continue
info registers
p $priv
p/x $sstatus
p/x $satp
p/x $scause
p/x $sepc
p/x $stvec
x/8xw $sp
continue
info registers pc sp ra a0
stepi 5
info registers pc sp a0 a5
kill
"""


def main():
    vmscope, qemu, program, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        # 1. Against QEMU.
        ours = subprocess.Popen([vmscope, "run", "--gdb", str(port), program], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_stub(ours)
        v = gdb(program, port, COMPARED, tmp)
        ours.kill()
        ours.wait()
        theirs = subprocess.Popen(qemu.split() + ["-M", "virt", "-bios", "none", "-display", "none", "-serial", "none",
                                  "-monitor", "none", "-gdb", f"tcp:127.0.0.1:{port + 1}", "-S", "-kernel", program],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_port(port + 1, theirs)
        q = gdb(program, port + 1, COMPARED, tmp)
        theirs.kill()
        theirs.wait()
        v, q = after_marker(v), after_marker(q)
        if "Old value" not in v or "Breakpoint 3, " not in v or v.count("pc ") < 3:
            failures.append("the compared script did not get through (no watchpoint hit or breakpoint):\n" + v)
        if v != q:
            vl, ql = v.splitlines(), q.splitlines()
            diff = [f"  line {i + 1}:\n    vmscope: {a}\n    QEMU:    {b}" for i, (a, b) in enumerate(zip(vl, ql)) if a != b][:10]
            failures.append("gdb saw something else on vmscope than on QEMU:\n" + "\n".join(diff) +
                            (f"\n  ({len(vl)} lines against {len(ql)})" if len(vl) != len(ql) else ""))
        else:
            print(f"check_gdb: the same {len(v.splitlines())} lines of gdb output on vmscope and on QEMU")

        # 2. Reverse execution, monitor commands, detach.
        ours = subprocess.Popen([vmscope, "run", "--gdb", str(port + 2), program], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_stub(ours)
        r = gdb(program, port + 2, REVERSE, tmp)
        out, err = ours.communicate(timeout=60)
        if any(m not in r for m in ("=== forward", "=== backward", "=== reverse-continue", "=== monitor")):
            sys.exit("check_gdb: the reverse script did not get through:\n" + r)
        before = r[r.index("=== state before") : r.index("=== stepping")].split("\n", 1)[1]
        after = r[r.index("=== state after") : r.index("=== forward")].split("\n", 1)[1]
        if before != after or "pc " not in before:
            failures.append(f"reverse-stepi 7 after stepi 7 did not give the same registers and memory:\n{before}\n---\n{after}")
        forward = re.findall(r"= (0x[0-9a-f]+)", r[r.index("=== forward") : r.index("=== backward")])
        backward = re.findall(r"= (0x[0-9a-f]+)", r[r.index("=== backward") : r.index("=== reverse-continue")])
        if len(forward) != 5 or backward != forward[-2::-1]:
            failures.append(f"reverse-stepi did not retrace stepi: forward {forward}, backward {backward}")
        rc = re.findall(r"= (0x[0-9a-f]+)", r[r.index("=== reverse-continue") : r.index("=== reverse-finish")])
        rf = r[r.index("=== reverse-finish") : r.index("=== hbreak")]
        call = re.search(r"=> (0x[0-9a-f]+) <s_main", rf)
        if not call or f"= {hex(int(call.group(1), 16) + 4)}" not in rf:
            failures.append("nexti over the call of kprintf did not land on the next instruction:\n" + rf)
        hb = r[r.index("=== hbreak") : r.index("=== monitor")]
        if "Hardware assisted breakpoint" not in hb or "= 0xc000700c" not in hb:
            failures.append("a hardware breakpoint (hbreak, Z1) did not stop the guest:\n" + hb)
        if not re.search(r"=> 0x[0-9a-f]+ <s_main\+\d+>:\s+jal\s+0x8000038a <kprintf>", rf):
            failures.append("reverse-finish did not go back to the call of kprintf in s_main:\n" + rf)
        if rc != ["0xc000700c", "0x80002fda"]:
            failures.append(f"reverse-continue did not go back to the breakpoint at s_main: pcs {rc}\n{r}")
        mon = r[r.index("=== monitor") :]
        if not re.search(r"c0000000-c0000fff +[0-9a-f]{8} +1000 +VRW", mon):
            failures.append("monitor info mem does not list the program's page at 0xc0000000:\n" + mon)
        words = re.findall(r"0x[0-9a-f]+(?: <[^>]*>)?:\t(0x[0-9a-f]+)\t(0x[0-9a-f]+)", mon)
        if len(words) != 2 or words[0] != words[1]:
            failures.append("monitor phys on: physical 0x80006000 should hold what virtual 0xc0000000 shows:\n" + mon)
        if ours.returncode != 0 or b"gdb detached" not in err:
            failures.append(f"after detach the guest should run to its end: exit {ours.returncode}\n{err.decode()}")
        plain = subprocess.run([vmscope, "run", program], capture_output=True, timeout=60)
        if out != plain.stdout:
            failures.append("the program's output after a gdb session differs from a plain run's:\n" + out.decode())

        # 3. Ctrl-C: the raw protocol, on a guest that loops forever.
        loop = os.path.join(os.path.dirname(os.path.dirname(program)), "bad", "infinite_loop.elf")
        ours = subprocess.Popen([vmscope, "run", "--gdb", str(port + 4), loop], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_stub(ours)
        sock = socket.create_connection(("127.0.0.1", port + 4), timeout=30)
        def packet(payload):
            checksum = sum(payload.encode()) & 0xFF
            sock.sendall(f"${payload}#{checksum:02x}".encode())
        def reply():
            data = b""
            while not re.search(rb"\$([^#]*)#..", data):
                data += sock.recv(4096)
            return re.search(rb"\$([^#]*)#..", data).group(1).decode()
        packet("QStartNoAckMode")
        no_ack = reply()
        packet("vCont;c")
        time.sleep(0.2)
        sock.sendall(b"\x03")
        stopped = reply()
        packet("p20")  # pc
        pc = reply()
        packet("D")  # detach: the guest runs on, and another gdb may come
        detached = reply()
        sock.close()
        time.sleep(0.2)
        sock = socket.create_connection(("127.0.0.1", port + 4), timeout=30)
        packet("?")
        again = reply()
        packet("k")
        sock.close()
        ours.wait(timeout=60)
        if no_ack != "OK" or stopped != "T02" or len(pc) != 8:
            failures.append(f"Ctrl-C while running: QStartNoAckMode -> {no_ack}, interrupt -> {stopped}, pc -> {pc}")
        if detached != "OK" or again != "T05" or ours.returncode != 126:
            failures.append(f"detach and attach again: D -> {detached}, then ? -> {again}; k -> exit {ours.returncode}")

        # 4. The kernel under every monitor, as gdb sees it, against the kernel on the bare hart.
        kernel = os.path.join(os.path.dirname(os.path.dirname(program)), "kernel", "kernel.elf")
        seen = {}
        for n, way in enumerate(["--firmware sbi", "--virt trap-and-emulate", "--virt binary-translation",
                                 "--virt hardware-assisted"]):
            ours = subprocess.Popen([vmscope, "run", *way.split(), "--gdb", str(port + 5 + n), kernel],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            wait_for_stub(ours)
            seen[way] = gdb(kernel, port + 5 + n, GUEST, tmp)
            ours.wait(timeout=60)
        # ... and on the translator: the same.
        ours = subprocess.Popen([vmscope, "run", "--virt", "trap-and-emulate", "--engine", "translate", "--gdb",
                                 str(port + 9), kernel], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_stub(ours)
        seen["--virt trap-and-emulate --engine translate"] = gdb(kernel, port + 9, GUEST, tmp)
        ours.wait(timeout=60)
        bare = seen["--firmware sbi"]
        if "Breakpoint 1, timer_tick" not in bare or "$1 = 1" not in bare:
            failures.append("the kernel session did not stop in timer_tick in S-mode:\n" + bare)
        for way, text in seen.items():
            if text != bare:
                diff = [f"    bare: {a}\n    {way}: {b}" for a, b in zip(bare.splitlines(), text.splitlines()) if a != b][:6]
                failures.append(f"under {way} gdb saw another guest than on the bare hart:\n" + "\n".join(diff))

        # 5. The bare-metal program on the translator: what gdb saw on the interpreter (and QEMU).
        ours = subprocess.Popen([vmscope, "run", "--engine", "translate", "--gdb", str(port + 10), program],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_stub(ours)
        t = after_marker(gdb(program, port + 10, COMPARED, tmp))
        ours.kill()
        ours.wait()
        if t != v:
            diff = [f"    interpreter: {a}\n    translator:  {b}" for a, b in zip(v.splitlines(), t.splitlines()) if a != b][:6]
            failures.append("gdb saw something else with the translator than with the interpreter:\n" + "\n".join(diff))

        # 6. A process program: to main, two lines, to its end with its output intact.
        hello = os.path.join(os.path.dirname(os.path.dirname(program)), "process", "hello.elf")
        ours = subprocess.Popen([vmscope, "run", "--gdb", str(port + 11), hello], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_stub(ours)
        h = gdb(hello, port + 11, PROCESS, tmp)
        out, err = ours.communicate(timeout=60)
        plain = subprocess.run([vmscope, "run", hello], capture_output=True, timeout=60)
        if "Breakpoint 1, main" not in h or "$1 = 0" not in h or "exited normally" not in h or out != plain.stdout:
            failures.append(f"the process program under gdb:\n{h}\noutput {out!r}, a plain run's {plain.stdout!r}")

        # 7. Kill.
        ours = subprocess.Popen([vmscope, "run", "--gdb", str(port + 3), program], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_for_stub(ours)
        k = gdb(program, port + 3, KILL, tmp)
        ours.wait(timeout=60)
        if not re.search(r"a0 +0x00001234", k) or "0x80100000:\t0x55667788" not in k:
            failures.append("register and memory writes from gdb are not what vmscope's own view shows:\n" + k)
        if ours.returncode != 126:
            failures.append(f"a run killed by gdb should exit 126, not {ours.returncode}")

    for f in failures:
        print("FAIL:", f)
    if not failures:
        print("check_gdb: reverse-stepi, reverse-continue, monitor info mem / phys, detach, Ctrl-C and kill as expected;")
        print("check_gdb: the kernel looks the same to gdb under every monitor as on the bare hart")
    sys.exit(1 if failures else 0)


main()
