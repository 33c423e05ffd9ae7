#!/usr/bin/env python3
"""Runs `vmscope analyze` and compares its output with a golden file, or checks an error.

  check_analyzer.py VMSCOPE --cwd DIR --golden FILE [--exit N] [--update] -- ANALYZE-ARGS...
  check_analyzer.py VMSCOPE --cwd DIR --expect-error REGEX -- ANALYZE-ARGS...

--update (or VMSCOPE_UPDATE_GOLDEN=1 in the environment) rewrites the golden file with the
current output instead of comparing: VMSCOPE_UPDATE_GOLDEN=1 ctest -R analyzer.golden
Run from the repository root (--cwd) so the file names in the output are relative.
"""
import argparse
import os
import difflib
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vmscope")
    ap.add_argument("--cwd", required=True)
    ap.add_argument("--golden")
    ap.add_argument("--exit", type=int, default=None, help="expected exit code")
    ap.add_argument("--expect-error")
    ap.add_argument("--update", action="store_true")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    o = ap.parse_args(argv[:split])
    args = argv[split + 1:]
    p = subprocess.run([o.vmscope, "analyze", *args], cwd=o.cwd, capture_output=True, text=True, timeout=60)
    if o.expect_error:
        ok = p.returncode == 2 and re.search(o.expect_error, p.stderr, re.M) is not None
        if not ok:
            print(f"expected exit 2 and stderr matching {o.expect_error!r}; got exit {p.returncode}, stderr:\n{p.stderr}")
        return 0 if ok else 1
    if o.exit is not None and p.returncode != o.exit:
        print(f"expected exit {o.exit}, got {p.returncode}; stderr:\n{p.stderr}")
        return 1
    if o.update or os.environ.get("VMSCOPE_UPDATE_GOLDEN") == "1":
        with open(o.golden, "w") as f:
            f.write(p.stdout)
        print(f"updated {o.golden}")
        return 0
    with open(o.golden) as f:
        want = f.read()
    if want != p.stdout:
        sys.stdout.writelines(difflib.unified_diff(want.splitlines(True), p.stdout.splitlines(True), o.golden, "actual"))
        print("\n(regenerate with --update if the change is intended)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
