#!/usr/bin/env python3
"""Runs the executing oracle (`vmscope analyze SPEC --oracle`) and checks its verdict.

  check_oracle.py VMSCOPE SPEC --expect-exit N [--critical "A,B"] [--guest-critical "A,B"]
                  [--mutate OLD NEW] [--expect REGEX] [-- MORE ANALYZE ARGS]

--critical: the exact list of instructions the oracle must find critical on the hart ("" for
none); --guest-critical: the same for guest-critical (descriptions with guest modes). --mutate: analyze a copy of SPEC with the first OLD replaced by NEW (a wrong fact the
oracle must catch; "\\n" in them stands for a newline). --expect: a regex its output must match.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile


def main():
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("spec")
    ap.add_argument("--expect-exit", type=int, required=True)
    ap.add_argument("--critical")
    ap.add_argument("--guest-critical")
    ap.add_argument("--mutate", nargs=2)
    ap.add_argument("--expect")
    a = ap.parse_args(argv[:split])
    extra = argv[split + 1:]
    spec = a.spec
    tmp = None
    if a.mutate:
        old, new = (m.replace("\\n", "\n") for m in a.mutate)  # "\n" on the command line: a newline
        text = open(spec, encoding="utf-8").read()
        if old not in text:
            print(f"FAIL: '{a.mutate[0]}' is not in {spec}")
            return 1
        tmp = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
        tmp.write(text.replace(old, new, 1))
        tmp.close()
        spec = tmp.name
    try:
        r = subprocess.run([a.vmscope, "analyze", spec, "--oracle"] + extra, capture_output=True, text=True, timeout=300)
    finally:
        if tmp:
            os.unlink(tmp.name)
    out = r.stdout + r.stderr
    print(out)
    ok = True
    if r.returncode != a.expect_exit:
        print(f"FAIL: exit code {r.returncode}, expected {a.expect_exit}")
        ok = False
    for label, expected in (("critical", a.critical), ("guest-critical", a.guest_critical)):
        if expected is None:
            continue
        m = re.search(r"^  " + label + r" on this hart: (.*)$", out, re.M)
        if not m:
            print(f"FAIL: no '{label} on this hart' line")
            ok = False
            continue
        got = [] if m.group(1) == "none" else [x.strip() for x in m.group(1).split(", ")]
        want = [x for x in expected.split(",") if x]
        if sorted(got) != sorted(want):
            print(f"FAIL: {label} on the hart {got}, expected {want}")
            ok = False
    if a.expect and not re.search(a.expect, out):
        print(f"FAIL: the output does not match /{a.expect}/")
        ok = False
    print("ok" if ok else "")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
