#!/usr/bin/env python3
"""Records a run with `vmscope run --record`, replays it with `vmscope replay`, and checks that
the replay prints the same output and exits with the same code without reading any input; that
a snapshot taken half-way (--to N --save-snapshot) goes on to the same end; and that damaged
recordings and snapshots are refused with exit code 122 and a message naming the file."""
import argparse
import os
import subprocess
import sys
import tempfile


def run(cmd, stdin=b""):
    p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=300)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("program")
    ap.add_argument("--stdin", help="file fed to the recorded run's stdin")
    ap.add_argument("--vm-args", default="")
    args = ap.parse_args()
    stdin = open(args.stdin, "rb").read() if args.stdin else b""
    with tempfile.TemporaryDirectory() as d:
        rec = os.path.join(d, "run.rec")
        code, out, err = run([args.vmscope, "run", *args.vm_args.split(), "--record", rec, args.program], stdin)
        if "recorded" not in err:
            fail(f"no recording summary: {err}")
        # The replay gets no input at all (stdin closed): everything comes from the recording.
        rcode, rout, rerr = run([args.vmscope, "replay", rec])
        if rout != out:
            fail(f"replay output differs:\n--- recorded\n{out[-500:]!r}\n--- replayed\n{rout[-500:]!r}")
        if rcode != code:
            fail(f"replay exit code {rcode}, recorded {code}: {rerr}")
        if "as recorded" not in rerr:
            fail(f"replay summary missing: {rerr}")
        steps = int(rerr.split("replayed ")[1].split(" steps")[0])
        # Half-way: state printed, a snapshot written; from the snapshot, the rest of the output.
        snap = os.path.join(d, "half.snap")
        hcode, hout, herr = run([args.vmscope, "replay", rec, "--to", str(steps // 2), "--save-snapshot", snap])
        if hcode != 0 or f"at step {steps // 2}: pc=" not in herr:
            fail(f"--to {steps // 2}: exit {hcode}: {herr}")
        scode, sout, serr = run([args.vmscope, "replay", snap])
        if hout + sout != out or scode != code:
            fail(f"snapshot replay: exit {scode} (want {code}), output {'same' if hout + sout == out else 'differs'}: {serr}")
        # Damaged files.
        data = open(rec, "rb").read()
        cases = {
            "truncated recording": (data[: len(data) // 2], "corrupt or truncated"),
            "flipped bit": (data[:40] + bytes([data[40] ^ 1]) + data[41:], "corrupt or truncated"),
            "not a recording": (b"hello world, not a recording", "not a vmscope recording"),
            "empty": (b"", "not a vmscope recording"),
            "truncated snapshot": (open(snap, "rb").read()[:-7], "corrupt or truncated"),
        }
        for name, (content, message) in cases.items():
            bad = os.path.join(d, "bad")
            open(bad, "wb").write(content)
            bcode, _, berr = run([args.vmscope, "replay", bad])
            if bcode != 122 or message not in berr or bad not in berr:
                fail(f"{name}: exit {bcode} (want 122), message {berr!r} (want {message!r} naming the file)")
        tcode, _, terr = run([args.vmscope, "replay", rec, "--to", str(steps + 1)])
        if tcode != 110 or "beyond the recording's end" not in terr:
            fail(f"--to beyond the end: exit {tcode}: {terr}")
    print(f"ok: {steps} steps replayed identically (exit code {code}), snapshot at {steps // 2} goes on identically, "
          f"{len(cases)} damaged files refused")


if __name__ == "__main__":
    main()
