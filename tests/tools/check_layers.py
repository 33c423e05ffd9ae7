#!/usr/bin/env python3
"""The build enforces the layers docs/ARCHITECTURE.md describes, and exactly those.

Reads the table of layers (layer, what it uses) from the architecture document, then, with the
compiler flags the build gives each layer (compile_commands.json: a header check of the layer),
preprocesses every header of the layer alone (it must include nothing the layer cannot reach)
and an #include of a header of every other layer: it must succeed when the table lets the layer
use that one (directly or through the layers it uses) and fail with "not found" otherwise.
Every folder of core/ must be in the table.

usage: check_layers.py BUILD_DIR SOURCE_DIR
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor


def read_table(doc_path):
    uses, in_table = {}, False
    for number, line in enumerate(open(doc_path, encoding="utf-8"), 1):
        if line.startswith("## "):
            in_table = line.strip() == "## Layers of the core (`core/`)"
            continue
        match = re.match(r"\| `(\w+)` \| ([^|]*) \|", line) if in_table else None
        if match:
            used = re.findall(r"`(\w+)`", match.group(2))
            if not used and match.group(2).strip() != "—":
                sys.exit(f"{doc_path}:{number}: expected `layer` names or — in the second column")
            uses[match.group(1)] = used
    if not uses:
        sys.exit(f"{doc_path}: no table of layers under '## Layers of the core (`core/`)'")
    return uses


def closure(uses, layer):
    seen, todo = set(), list(uses[layer])
    while todo:
        lower = todo.pop()
        if lower not in seen:
            seen.add(lower)
            todo.extend(uses[lower])
    return seen


def main():
    build_dir, source_dir = sys.argv[1], sys.argv[2]
    core = os.path.join(source_dir, "core")
    uses = read_table(os.path.join(source_dir, "docs", "ARCHITECTURE.md"))
    folders = sorted(d for d in os.listdir(core) if os.path.isdir(os.path.join(core, d)))
    failures = []
    if sorted(uses) != folders:
        failures.append(f"core/ has folders {folders}, the table lists {sorted(uses)}")
    for layer, used in uses.items():
        for lower in used:
            if lower not in uses:
                failures.append(f"{layer} uses {lower}, which is not a layer in the table")
    if failures:
        sys.exit("\n".join(failures))

    commands = json.load(open(os.path.join(build_dir, "compile_commands.json")))
    flags = {}  # layer -> its compiler command without input and output
    for entry in commands:
        match = re.search(r"/core/header_check/(\w+)/", entry["file"])
        if match and match.group(1) not in flags:
            words = shlex.split(entry["command"])
            kept, skip = [], False
            for word in words:
                if skip:
                    skip = False
                elif word in ("-o", "-c", "-MF", "-MT", "-MQ"):
                    skip = True
                elif word not in ("-MD", "-MMD") and word != entry["file"]:
                    kept.append(word)
            flags[match.group(1)] = kept
    missing = [layer for layer in uses if layer not in flags]
    if missing:
        sys.exit(f"{build_dir}/compile_commands.json has no header check of {missing} "
                 "(configure with -DVMSCOPE_CHECK_LAYER_HEADERS=ON)")
    a_header = {layer: sorted(f for f in os.listdir(os.path.join(core, layer)) if f.endswith(".h"))[0] for layer in uses}

    def probe(pair):
        layer, other = pair
        include = f'#include "{other}/{a_header[other]}"\n'
        with tempfile.TemporaryDirectory() as empty:
            run = subprocess.run(flags[layer] + ["-E", "-x", "c++", "-", "-o", os.devnull], input=include,
                                 capture_output=True, text=True, cwd=empty)
        allowed = other in closure(uses, layer)
        if allowed and run.returncode != 0:
            return f"{layer} may use {other}, but including {other}/{a_header[other]} fails:\n{run.stderr[:400]}"
        if not allowed:
            if run.returncode == 0:
                return f"{layer} must not use {other}, but including {other}/{a_header[other]} compiles"
            if not re.search(r"No such file|file not found", run.stderr):
                return f"{layer} including {other}: failed for another reason than a missing header:\n{run.stderr[:400]}"
        return None

    def own(job):
        layer, header = job
        with tempfile.TemporaryDirectory() as empty:
            run = subprocess.run(flags[layer] + ["-E", "-x", "c++", "-", "-o", os.devnull],
                                 input=f'#include "{layer}/{header}"\n', capture_output=True, text=True, cwd=empty)
        return None if run.returncode == 0 else f"{layer}/{header} alone, in its layer:\n{run.stderr[:400]}"

    headers = [(layer, h) for layer in uses for h in sorted(os.listdir(os.path.join(core, layer))) if h.endswith(".h")]
    pairs = [(layer, other) for layer in uses for other in uses if other != layer]
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [f for f in pool.map(own, headers) if f] + [f for f in pool.map(probe, pairs) if f]
    if failures:
        sys.exit("\n".join(failures))
    allowed = sum(1 for layer, other in pairs if other in closure(uses, layer))
    print(f"{len(uses)} layers, {len(headers)} headers each reaching only its layer's; {allowed} includes across "
          f"layers allowed, {len(pairs) - allowed} refused by the build, as docs/ARCHITECTURE.md says")


if __name__ == "__main__":
    main()
