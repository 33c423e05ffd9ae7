#!/usr/bin/env python3
"""The analyzer's machine-readable outputs, for every shipped description (isa-specs/*.toml):

  check_analyzer_formats.py VMSCOPE REPO json      the JSON report (with and without --search)
                                                   validates against docs/analyzer-report.schema.json
  check_analyzer_formats.py VMSCOPE REPO sarif     SARIF validates against the official SARIF 2.1.0
                                                   schema and Microsoft's SARIF Multitool finds no
                                                   error or warning; its results are exactly the text report's
                                                   critical / user-sensitive / guest-critical lines,
                                                   each located at the fact line the text names
  check_analyzer_formats.py VMSCOPE REPO baseline  --baseline: 0 against its own JSON, 4 with what
                                                   changed, 2 for a damaged or foreign baseline
  check_analyzer_formats.py VMSCOPE REPO html      a well-formed page, a row per instruction,
                                                   critical rows in the critical colour

The SARIF tools come from npm (tests/tools/node, installed by scripts/setup.sh).
"""
import glob
import html.parser
import json
import os
import re
import subprocess
import sys
import tempfile

MULTITOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node", "node_modules", "@microsoft",
                         "sarif-multitool-linux")


def fail(message):
    sys.exit(f"FAIL: {message}")


def analyze(vmscope, repo, *args, expect=None):
    p = subprocess.run([vmscope, "analyze", *args], cwd=repo, capture_output=True, text=True, timeout=120)
    if expect is not None and p.returncode != expect:
        fail(f"vmscope analyze {' '.join(args)}: exit {p.returncode}, expected {expect}\n{p.stderr}")
    return p


def specs(repo):
    return sorted(os.path.relpath(f, repo) for f in glob.glob(os.path.join(repo, "isa-specs", "*.toml")))


def validator(schema_path):
    try:
        import jsonschema
    except ImportError:
        fail("python3-jsonschema is missing (scripts/setup.sh installs it)")
    with open(schema_path) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def check_json(vmscope, repo):
    v = validator(os.path.join(repo, "docs", "analyzer-report.schema.json"))
    count = 0
    for spec in specs(repo):
        for extra in ([], ["--search"]):
            report = json.loads(analyze(vmscope, repo, spec, "--format", "json", *extra).stdout)
            errors = sorted(v.iter_errors(report), key=lambda e: list(e.path))
            if errors:
                fail(f"{spec} {' '.join(extra)}: {errors[0].message} at {list(errors[0].path)}")
            count += 1
    # The schema can fail: a report missing a field, or with a stray one, does not validate.
    report = json.loads(analyze(vmscope, repo, "isa-specs/pdp10.toml", "--format", "json").stdout)
    del report["descriptions"][0]["theorems"]
    if v.is_valid(report):
        fail("a report without theorems validated")
    report = json.loads(analyze(vmscope, repo, "isa-specs/pdp10.toml", "--format", "json").stdout)
    report["descriptions"][0]["instructions"][0]["critcal"] = True
    if v.is_valid(report):
        fail("a report with a misspelt class validated")
    print(f"{count} JSON reports validate against docs/analyzer-report.schema.json")


# The text report's lines the SARIF results must match: (rule, instruction, line of the fact in force).
TEXT_RESULT = re.compile(r"^(critical|user-sensitive|guest-critical|timing-dependent): (.+?): (.*)$", re.M)
RULES = {"critical": "PG1", "user-sensitive": "PG3", "guest-critical": "PG-GUEST", "timing-dependent": "PG-TIME"}


def expected_results(text):
    out = set()
    for kind, name, why in TEXT_RESULT.findall(text):
        # The fact where it runs without trapping: the last one the explanation names for
        # "not privileged" (critical), else the only one.
        lines = re.findall(r"\[fact at line (\d+)\]", why.split("but not privileged")[-1])
        out.add((RULES[kind], name, int(lines[-1])))
    return out


def check_sarif(vmscope, repo):
    schema = os.path.join(MULTITOOL, "sarif-2.1.0.json")
    tool = os.path.join(MULTITOOL, "Sarif.Multitool")
    if not os.path.exists(tool):
        fail(f"{tool} is missing (scripts/setup.sh installs it from npm)")
    v = validator(schema)
    total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in specs(repo):
            sarif_text = analyze(vmscope, repo, spec, "--format", "sarif").stdout
            log = json.loads(sarif_text)
            errors = list(v.iter_errors(log))
            if errors:
                fail(f"{spec}: not SARIF 2.1.0: {errors[0].message} at {list(errors[0].path)}")
            path = os.path.join(tmp, os.path.basename(spec) + ".sarif")
            with open(path, "w") as f:
                f.write(sarif_text)
            p = subprocess.run([tool, "validate", path, "--output", path + ".out", "--log", "ForceOverwrite"], capture_output=True,
                               text=True, timeout=300, env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
            if p.returncode != 0 or re.search(r": (error|warning) ", p.stdout):
                fail(f"{spec}: the SARIF Multitool finds faults (exit {p.returncode}):\n{p.stdout}{p.stderr}")
            text = analyze(vmscope, repo, spec).stdout
            got = set()
            for r in log["runs"][0]["results"]:
                loc = r["locations"][0]["physicalLocation"]
                if loc["artifactLocation"]["uri"] != spec:
                    fail(f"{spec}: a result located in {loc['artifactLocation']['uri']}")
                name = r["message"]["text"].split(": ")[0]
                got.add((r["ruleId"], name, loc["region"]["startLine"]))
            want = expected_results(text)
            if got != want:
                fail(f"{spec}: SARIF results differ from the text report's\n only in SARIF: {sorted(got - want)}\n"
                     f" only in the text: {sorted(want - got)}")
            total += len(got)
    print(f"{len(specs(repo))} SARIF logs valid (schema and SARIF Multitool), {total} results at their facts' lines")


def check_baseline(vmscope, repo):
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "x86.json")
        with open(base, "w") as f:
            f.write(analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "--format", "json").stdout)
        p = analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "--baseline", base, expect=0)
        if "as in the baseline" not in p.stderr:
            fail(f"no word that nothing changed:\n{p.stderr}")
        # Another setting: with IOPL = 3 user mode may CLI, STI, IN and OUT without a trap.
        p = analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "--set", "IOPL=3", "--baseline", base, expect=4)
        for want in ("analyzed under other settings", "newly critical: CLI, IN/OUT/INS/OUTS, STI",
                     "newly user-sensitive and unprivileged: CLI, IN/OUT/INS/OUTS, POPF, STI"):
            if want not in p.stderr:
                fail(f"--set IOPL=3: expected {want!r} in\n{p.stderr}")
        # A baseline that did not know SGDT was critical; a verdict that used to hold.
        report = json.load(open(base))
        t1 = report["descriptions"][0]["theorems"][0]
        t1["counterexamples"].remove("SGDT")
        t1["holds"] = True
        with open(base, "w") as f:
            json.dump(report, f)
        p = analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "--baseline", base, expect=4)
        for want in ("Theorem 1 holds in the baseline, now does not hold", "newly critical: SGDT"):
            if want not in p.stderr:
                fail(f"an edited baseline: expected {want!r} in\n{p.stderr}")
        # Wording and order are free: an explanation edited, instructions reversed.
        report = json.loads(analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "--format", "json").stdout)
        report["descriptions"][0]["instructions"].reverse()
        report["descriptions"][0]["theorems"][0]["explanation"] = "reworded"
        with open(base, "w") as f:
            json.dump(report, f)
        analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "--baseline", base, expect=0)
        # A description analyzed now that the baseline lacks, and damaged or foreign files.
        p = analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "isa-specs/pdp10.toml", "--baseline", base, expect=4)
        if "PDP-10" not in p.stderr or "not in the baseline" not in p.stderr:
            fail(f"a new description: \n{p.stderr}")
        with open(base, "w") as f:
            f.write('{"format": "vmscope-analyzer/1",\n "descriptions": [}\n')
        p = analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "--baseline", base, expect=2)
        if not re.search(r"not a baseline: not valid JSON \(at 2:\d+\)", p.stderr):
            fail(f"damaged JSON: {p.stderr}")
        with open(base, "w") as f:
            json.dump({"version": "2.1.0", "runs": []}, f)
        p = analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "--baseline", base, expect=2)
        if "expected a report of `vmscope analyze --format json`" not in p.stderr:
            fail(f"a SARIF file as baseline: {p.stderr}")
        analyze(vmscope, repo, "isa-specs/x86-ia32.toml", "--baseline", os.path.join(tmp, "absent.json"), expect=2)
    print("--baseline: 0 unchanged (wording and order free), 4 with the changes named, 2 for bad baselines")


class Page(html.parser.HTMLParser):
    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.rows, self.critical_cells, self.errors = [], 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows += 1
        if tag == "td" and ("class", "critical") in attrs:
            self.critical_cells += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else:
            self.stack.pop()


def check_html(vmscope, repo):
    for spec in specs(repo):
        page = Page()
        page.feed(analyze(vmscope, repo, spec, "--format", "html").stdout)
        report = json.loads(analyze(vmscope, repo, spec, "--format", "json").stdout)["descriptions"][0]
        if page.errors or page.stack:
            fail(f"{spec}: the HTML is not well-formed: {page.errors[:3]} open: {page.stack}")
        if page.rows != len(report["instructions"]) + 1:
            fail(f"{spec}: {page.rows} table rows for {len(report['instructions'])} instructions")
        critical = sum(i["critical"] for i in report["instructions"])
        if page.critical_cells != critical:
            fail(f"{spec}: {page.critical_cells} cells coloured critical, {critical} critical instructions")
    print(f"{len(specs(repo))} HTML pages well-formed, a row per instruction, critical ones coloured")


def main():
    vmscope, repo, what = sys.argv[1:4]
    {"json": check_json, "sarif": check_sarif, "baseline": check_baseline, "html": check_html}[what](vmscope, repo)


if __name__ == "__main__":
    main()
