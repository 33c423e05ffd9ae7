#!/usr/bin/env python3
"""The CI files docs/ci/ offers work as they say:

- the pre-commit hook, installed in a scratch git repository of descriptions with a committed
  baseline, lets a commit through when only wording changed, stops one that makes an instruction
  critical (naming it, and how to accept it), lets it through once the baseline is updated, and
  stops a commit of a description that does not parse;
- the GitHub Actions workflow is valid YAML whose analyze steps use options `vmscope analyze`
  accepts (each run against the real binary with the workflow's own arguments).

  check_analyzer_ci_files.py VMSCOPE REPO
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml


def fail(message):
    sys.exit(f"FAIL: {message}")


def git(repo, *args, expect=0, env=None):
    p = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=120)
    if expect is not None and p.returncode != expect:
        fail(f"git {' '.join(args)}: exit {p.returncode}, expected {expect}\n{p.stdout}{p.stderr}")
    return p


def check_hook(vmscope, root):
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "isa-specs"))
        spec = os.path.join(tmp, "isa-specs", "pdp10.toml")
        shutil.copy(os.path.join(root, "isa-specs", "pdp10.toml"), spec)
        env = {**os.environ, "VMSCOPE": vmscope, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
        git(tmp, "init", "-q")
        shutil.copy(os.path.join(root, "docs", "ci", "pre-commit"), os.path.join(tmp, ".git", "hooks", "pre-commit"))
        with open(os.path.join(tmp, "analyzer-baseline.json"), "w") as f:
            subprocess.run([vmscope, "analyze", "isa-specs/pdp10.toml", "--format", "json"], cwd=tmp, stdout=f)
        git(tmp, "add", "-A", env=env)
        git(tmp, "commit", "-qm", "descriptions and their baseline", env=env)

        text = open(spec).read()
        with open(spec, "w") as f:  # wording only
            f.write(text.replace('summary = "', 'summary = "(reworded) ', 1))
        git(tmp, "commit", "-qam", "reworded", env=env)

        # JRST 4 (HALT) made to run in user mode without trapping: critical.
        start = text.index('name = "JRST 4 (HALT)"')
        fact = text.index("traps = true", start)
        with open(spec, "w") as f:
            f.write(text[:fact] + 'traps = false\nwrites = ["mode"]' + text[fact + len("traps = true"):])
        p = git(tmp, "commit", "-qam", "HALT without a trap", expect=1, env=env)
        if not re.search(r"newly critical: JRST 4 \(HALT\)", p.stderr) or "git add analyzer-baseline.json" not in p.stderr:
            fail(f"the hook's refusal does not say what changed and how to accept it:\n{p.stderr}")
        with open(os.path.join(tmp, "analyzer-baseline.json"), "w") as f:
            subprocess.run([vmscope, "analyze", "isa-specs/pdp10.toml", "--format", "json"], cwd=tmp, stdout=f)
        git(tmp, "commit", "-qam", "HALT without a trap, baseline updated", env=env)

        with open(spec, "a") as f:
            f.write("\n[[instruction]\n")
        p = git(tmp, "commit", "-qam", "broken", expect=1, env=env)
        if "could not check" not in p.stderr:
            fail(f"a broken description: {p.stderr}")


def check_workflow(vmscope, root):
    with open(os.path.join(root, "docs", "ci", "github-workflow.yml")) as f:
        workflow = yaml.safe_load(f)
    steps = workflow["jobs"]["analyze"]["steps"]
    runs = [s["run"] for s in steps if "run" in s and "vmscope analyze" in s["run"]]
    if len(runs) != 2:
        fail(f"expected two analyze steps, found {len(runs)}")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(os.path.join(root, "isa-specs"), os.path.join(tmp, "isa-specs"))
        with open(os.path.join(tmp, "analyzer-baseline.json"), "w") as f:
            subprocess.run(f"{vmscope} analyze isa-specs/*.toml --format json", shell=True, cwd=tmp, stdout=f)
        for run in runs:
            command = run.replace(".vmscope/build/cli/vmscope", vmscope)
            p = subprocess.run(["bash", "-e", "-c", command], cwd=tmp, capture_output=True, text=True, timeout=300)
            if p.returncode != 0:
                fail(f"the workflow's step fails here: {run}\n{p.stderr[-2000:]}")
        if '"version": "2.1.0"' not in open(os.path.join(tmp, "analyzer.sarif")).read():
            fail("the workflow's SARIF step wrote no SARIF")


def main():
    vmscope, root = os.path.abspath(sys.argv[1]), sys.argv[2]
    check_hook(vmscope, root)
    check_workflow(vmscope, root)
    print("docs/ci: the pre-commit hook gates verdict changes; the workflow's analyze steps run")


if __name__ == "__main__":
    main()
