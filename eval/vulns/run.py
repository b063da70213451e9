#!/usr/bin/env python3
"""Answer-key evaluation of the vulnerability matcher through the real CLI (`assay vulns`, shipped options).

Imports shared/data/nvd/*.jsonl.gz with `assay db import` into a temporary database, then runs
`assay vulns ... -f json` for every case of shared/data/nvd/known-answers.json (`--component
NAME@VERSION`) and of eval/vulns/known-answers-extra.json (each case's own `args`), and compares:

* shared key (component-centric: AND configurations count): vulnerabilities + platformConditional
  must equal expected_cve_ids exactly;
* extra key (aliases, unbounded entries, AND configurations): vulnerabilities must equal
  expected_cve_ids and platformConditional expected_platform_conditional, exactly;
* every case: no CVE may come from an entry without a version bound through an alias spelling.

Exit 0 when every case is exact, no unbounded alias CVE and no number below eval/vulns/baseline.json;
1 otherwise; 0 with SKIP when the shared material is absent. `--record` rewrites the baseline.
"""
import json, os, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BASELINE = os.path.join(HERE, "baseline.json")


def assay_command():
    if os.environ.get("ASSAY"):
        return os.environ["ASSAY"].split()
    return [os.path.join(ROOT, "assay")]


def unbounded_alias(matched_by, own):
    """The criterion has version * and no bound, and its vendor:product is not the case's own product."""
    criterion = (matched_by or "").split(" ")[0].split(";")[0]
    parts = re.split(r"(?<!\\):", criterion)
    if len(parts) < 6 or parts[5] != "*":
        return False
    bounded = re.search(r"version(?:Start|End)(?:In|Ex)cluding", matched_by or "")
    return not bounded and f"{parts[3]}:{parts[4]}".lower() != own


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    shared = args[0] if args else os.environ.get("ASSAY_SHARED", os.path.join(ROOT, "..", "shared"))
    nvd = os.path.join(shared, "data", "nvd")
    key_path = os.path.join(nvd, "known-answers.json")
    if not os.path.isfile(key_path):
        print(f"SKIP: {key_path} not found (the shared material is absent); nothing evaluated")
        return 0
    assay = assay_command()
    work = tempfile.mkdtemp(prefix="assay-eval-vulns-")
    db = os.path.join(work, "vulns.db")
    try:
        feeds = sorted(os.path.join(nvd, f) for f in os.listdir(nvd) if f.endswith(".jsonl.gz"))
        t = time.time()
        imp = subprocess.run(assay + ["db", "import", *feeds, "--db", db], capture_output=True, text=True)
        if imp.returncode != 0:
            print(f"assay db import failed ({imp.returncode}): {imp.stderr.strip()[-2000:]}")
            return 2
        print(imp.stdout.strip().splitlines()[-1] if imp.stdout.strip() else f"imported in {time.time() - t:.1f} s")

        def run(cli_args):
            p = subprocess.run(assay + ["vulns", *cli_args, "-f", "json", "--db", db], capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit(f"assay vulns {' '.join(cli_args)} exited {p.returncode}: {p.stderr.strip()}")
            doc = json.loads(p.stdout)
            return doc.get("vulnerabilities", []), doc.get("platformConditional", [])

        numbers = {"key_exact": 0, "key_total": 0, "extra_exact": 0, "extra_total": 0}
        alias_cves = []
        t = time.time()
        for case in json.load(open(key_path, encoding="utf-8"))["cases"]:
            numbers["key_total"] += 1
            applicable, conditional = run(["--component", f"{case['component']}@{case['version']}"])
            got = {v["id"] for v in applicable} | {v["id"] for v in conditional}
            expected = set(case["expected_cve_ids"])
            own = case["cpes"][0].lower()
            alias_cves += [(case["id"], v["id"]) for v in applicable + conditional if unbounded_alias(v.get("matchedBy"), own)]
            ok = got == expected
            numbers["key_exact"] += ok
            print(f"{'ok  ' if ok else 'FAIL'} {case['id']} {case['component']} {case['version']}: expected {len(expected)}, got {len(got)}"
                  f" ({len(conditional)} only on a platform)"
                  + (f"; missing {' '.join(sorted(expected - got))}" if expected - got else "")
                  + (f"; extra {' '.join(sorted(got - expected))}" if got - expected else ""))
        extra = json.load(open(os.path.join(HERE, "known-answers-extra.json"), encoding="utf-8"))
        for case in extra["cases"]:
            numbers["extra_total"] += 1
            applicable, conditional = run(case["args"])
            applicable = [v for v in applicable if v["component"] == case["component"]]
            conditional = [v for v in conditional if v["component"] == case["component"]]
            got, got_only = {v["id"] for v in applicable}, {v["id"] for v in conditional}
            expected, expected_only = set(case["expected_cve_ids"]), set(case["expected_platform_conditional"])
            own = case["cpes"][0].lower()
            alias_cves += [(case["id"], v["id"]) for v in applicable + conditional if unbounded_alias(v.get("matchedBy"), own)]
            ok = got == expected and got_only == expected_only
            numbers["extra_exact"] += ok
            diff = []
            for name, a, b in (("", expected, got), ("only-on ", expected_only, got_only)):
                if a - b: diff.append(f"{name}missing {' '.join(sorted(a - b))}")
                if b - a: diff.append(f"{name}extra {' '.join(sorted(b - a))}")
            print(f"{'ok  ' if ok else 'FAIL'} {case['id']} {' '.join(case['args'])}: expected {len(expected)} + {len(expected_only)} only on a platform,"
                  f" got {len(got)} + {len(got_only)}" + ("; " + "; ".join(diff) if diff else ""))
        numbers["unbounded_alias_cves"] = len(alias_cves)
        for case_id, cve in alias_cves:
            print(f"FAIL {case_id}: {cve} came from an alias entry without a version bound")
        print(f"shared key through the CLI: {numbers['key_exact']}/{numbers['key_total']} exact; "
              f"extra key: {numbers['extra_exact']}/{numbers['extra_total']} exact; "
              f"CVEs from unbounded alias entries: {len(alias_cves)} ({time.time() - t:.1f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    if "--record" in sys.argv:
        json.dump(numbers, open(BASELINE, "w"), indent=1)
        print(f"recorded {BASELINE}")
    baseline = json.load(open(BASELINE)) if os.path.isfile(BASELINE) else {}
    regressions = [f"{k} {numbers[k]} < recorded {baseline[k]}" for k in ("key_exact", "extra_exact") if numbers[k] < baseline.get(k, 0)]
    for r in regressions:
        print(f"REGRESSION: {r}")
    failed = (numbers["key_exact"] < numbers["key_total"] or numbers["extra_exact"] < numbers["extra_total"]
              or numbers["unbounded_alias_cves"] > 0 or regressions)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
