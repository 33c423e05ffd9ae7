#!/usr/bin/env python3
"""vmscope's exit codes are defined once (cli/exit_codes.h's table); `vmscope --help` prints
that table and the README's table must say the same, code for code, word for word.

  check_exit_codes.py VMSCOPE README.md
"""
import re
import subprocess
import sys


def main():
    vmscope, readme = sys.argv[1:3]
    help_text = subprocess.run([vmscope, "--help"], capture_output=True, text=True).stdout
    in_help = dict(re.findall(r"^  (\d{3}) (.+)$", help_text, re.M))
    in_readme = {code: text.replace("`", "") for code, text in
                 re.findall(r"^\| (\d{3}) \| (.+) \|$", open(readme).read(), re.M)}
    ok = bool(in_help)
    for code in sorted(set(in_help) | set(in_readme)):
        h, r = in_help.get(code), in_readme.get(code)
        if h != r:
            print(f"FAIL: exit code {code}: --help says {h!r}, the README says {r!r}")
            ok = False
    if not in_help:
        print("FAIL: --help lists no exit codes")
    if ok:
        print(f"ok: {len(in_help)} exit codes, the same in --help and the README")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
