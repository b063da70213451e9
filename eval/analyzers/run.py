#!/usr/bin/env python3
"""Analyzer accuracy on the shared corpus, and the time the analyzers add to a scan.

    python3 eval/analyzers/run.py [--corpus DIR] [--runner harness|assay] [--no-hardening-check] [--no-timing] [--out DIR]

1. ELF hardening: every ELF of the router root filesystem (rootfs.tar.gz) is compared field by
   field with ground-truth/armhf-router.elf.json (made from readelf by the corpus' elfinfo.py):
   pie, nx, relro, canary, fortify functions, static, stripped, rpath, runpath, and the risky
   imports (unsafe_imports + exec_imports) against the ASSAY-UNSAFE-* findings. The npm binaries
   (node, esbuild: clean third-party builds) are compared with elfinfo.py run here.
2. hardening-check (devscripts) on the same files extracted to a temporary folder: PIE, stack
   protector, FORTIFY (yes / only unprotected / unknown), RELRO and BIND_NOW.
3. Planted findings F01-F13 (rootfs.tar.gz) and Z01 (vendor zip): each must be reported by the
   expected rule at the expected path (and line, and key fingerprint where the ground truth has one).
4. Every other non-hardening finding is listed by rule and path for review: these are the
   candidates for false positives (the ground truth plants only F01-F13; Debian's own files
   bring real issues too, e.g. setuid pppd).
5. Timing: the same scan with and without analyzers (median of 3).

The evaluation JSON comes from eval/analyzers/Harness (runner harness, default): the Scanner with
AnalyzerRegistry.CreateAll() and Ts33117Table.Apply, as `assay scan` does once the CLI registers the
analyzers; runner assay uses `assay scan FILE -f json -o OUT`: $ASSAY when set (eval/run-all.sh sets
what ./assay publishes), else artifacts/bin/Assay.Cli.
Writes results.json and prints a report; exits 0 when the corpus is absent.
"""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tarfile, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus")
HARNESS = os.path.join(REPO, "eval", "analyzers", "Harness", "Harness.csproj")

# Planted finding -> (rules that report it, inner path, check line?, fingerprint field of the ground truth)
PLANTED = {
    "F01": ({"ASSAY-PASSWD-DEFAULT", "ASSAY-PASSWD-WEAK-HASH"}, "/etc/shadow", True, None),
    "F02": ({"ASSAY-PASSWD-HASH-IN-PASSWD", "ASSAY-PASSWD-WEAK-HASH", "ASSAY-PASSWD-DEFAULT"}, "/etc/passwd", True, None),
    "F03": ({"ASSAY-SECRET-PRIVATE-KEY"}, "/etc/dropbear/dropbear_rsa_host_key", False, "fingerprint"),
    "F04": ({"ASSAY-SECRET-PRIVATE-KEY"}, "/etc/dropbear/dropbear_ed25519_host_key", False, "fingerprint"),
    "F05": ({"ASSAY-SECRET-PRIVATE-KEY"}, "/etc/ssl/private/device-key.pem", True, "public_key_sha256"),
    "F05-mode": ({"ASSAY-PERM-KEY-READABLE"}, "/etc/ssl/private/device-key.pem", False, None),
    "F06": ({"ASSAY-WEB-DIR-LISTING"}, "/etc/lighttpd/lighttpd.conf", True, None),
    "F07": ({"ASSAY-WEB-SENSITIVE-ALIAS"}, "/etc/lighttpd/lighttpd.conf", True, None),
    "F08": ({"ASSAY-SVC-UNAUTH-SHELL", "ASSAY-SVC-INSECURE-PROTOCOL"}, "/etc/inittab", True, None),
    "F09": ({"ASSAY-WIFI-WEAK-SECURITY"}, "/etc/hostapd/hostapd.conf", True, None),
    "F10": ({"ASSAY-WIFI-PASSPHRASE"}, "/etc/hostapd/hostapd.conf", True, None),
    "F11": ({"ASSAY-SECRET-CLOUD-KEY-ID"}, "/etc/config/cloud-sync.conf", True, None),
    "F12": ({"ASSAY-SECRET-CLOUD-SECRET"}, "/etc/config/cloud-sync.conf", True, None),
    "F13": ({"ASSAY-PERM-SETUID-SHELL-ESCAPE", "ASSAY-PERM-SETUID"}, "/bin/busybox", False, None),
    "Z01": ({"ASSAY-SECRET-DEFAULT-CREDENTIALS"}, "/RELEASE-NOTES.txt", True, None),
}


def inner(path):
    i = path.rfind("!/")
    return "/" + (path[i + 2:] if i >= 0 else path)


def build_harness(slot):
    env = dict(os.environ, ASSAY_SLOT=slot)
    subprocess.run(["dotnet", "build", HARNESS, "-c", "Release", "-v", "q", "-nologo"], check=True, env=env, stdout=subprocess.DEVNULL)
    base = os.path.join(REPO, "artifacts", f"slot-{slot}" if slot else "", "bin", "Harness", "release", "Harness.dll")
    return os.path.normpath(base)


def scan(runner, harness, path, out, analyzers=True, sarif=None):
    if runner == "assay":
        # what ships (ASSAY: the command ./assay publishes, as eval/run-all.sh sets it), else the JIT build
        shipped = os.environ.get("ASSAY")
        cli = [shipped] if shipped else ["dotnet", os.path.join(REPO, "artifacts", "bin", "Assay.Cli", "release", "assay.dll")]
        cmd = cli + ["scan", path, "-f", "json", "-o", out, "--no-progress", "--no-vulns"]
    else:
        cmd = ["dotnet", harness, path, out] + ([] if analyzers else ["--no-analyzers"]) + (["--sarif", sarif] if sarif else [])
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    elapsed = time.monotonic() - start
    with open(out) as f:
        return json.load(f), elapsed


def risky_from_findings(findings):
    by_path = {}
    for f in findings:
        if f["ruleId"] in ("ASSAY-UNSAFE-GETS", "ASSAY-UNSAFE-STRING", "ASSAY-UNSAFE-EXEC", "ASSAY-UNSAFE-TEMPFILE"):
            names = f.get("evidence", "").split(":", 1)[-1]
            by_path.setdefault(inner(f["path"]), set()).update(n.strip() for n in names.split(",") if n.strip())
    return by_path


def compare_hardening(rows, truth, risky):
    """Field-by-field agreement of our table with the elfinfo.py (readelf) table."""
    ours = {inner(r["path"]): r for r in rows}
    fields = ["pie", "nx", "relro", "canary", "fortify", "static", "stripped", "rpath", "runpath", "risky_imports"]
    agree = {f: 0 for f in fields}
    total = {f: 0 for f in fields}
    disagreements = []
    missing = []
    for t in truth:
        o = ours.get(t["path"])
        if o is None:
            missing.append(t["path"])
            continue
        mine = {
            "pie": o.get("pie"), "nx": o["nx"], "relro": o["relro"], "canary": o.get("canary"),
            "fortify": None if o["fortify"] == "unknown" else sorted(o.get("fortifiedFunctions", [])),
            "static": o["static"], "stripped": o["stripped"], "rpath": o.get("rpath", []), "runpath": o.get("runpath", []),
            "risky_imports": None if o["static"] else sorted(risky.get(t["path"], set())),
        }
        theirs = dict(t)
        theirs["risky_imports"] = None if t["unsafe_imports"] is None else sorted((t["unsafe_imports"] or []) + (t["exec_imports"] or []))
        for f in fields:
            total[f] += 1
            if mine[f] == theirs[f]:
                agree[f] += 1
            else:
                disagreements.append({"path": t["path"], "field": f, "assay": mine[f], "readelf": theirs[f]})
    return {"files": len(truth), "missing": missing, "agree": agree, "total": total, "disagreements": disagreements}


def hardening_check(root, rows):
    """Runs hardening-check on each ELF and compares its verdicts with ours."""
    if shutil.which("hardening-check") is None:
        return {"skipped": "hardening-check not installed (apt-get install devscripts)"}
    result = {"agree": {}, "total": {}, "disagreements": []}
    def tally(field, ok, path, mine, theirs):
        result["total"][field] = result["total"].get(field, 0) + 1
        result["agree"][field] = result["agree"].get(field, 0) + (1 if ok else 0)
        if not ok:
            result["disagreements"].append({"path": path, "field": field, "assay": mine, "hardening-check": theirs})
    for r in rows:
        path = inner(r["path"])
        local = os.path.join(root, path.lstrip("/"))
        if not os.path.isfile(local):
            continue
        out = subprocess.run(["hardening-check", local], capture_output=True, text=True).stdout
        def verdict(label):
            m = re.search(rf"^\s*{re.escape(label)}:\s*(.+)$", out, re.M)
            return m.group(1).strip() if m else ""
        pie = verdict("Position Independent Executable")
        if not pie.startswith("no, regular shared library"):
            tally("pie", pie.startswith("yes") == bool(r.get("pie")), path, r.get("pie"), pie)
        sp = verdict("Stack protected")
        if r.get("canary") is not None:
            tally("canary", sp.startswith("yes") == r["canary"], path, r["canary"], sp)
        fo = verdict("Fortify Source functions")
        expected = {"fortified": "yes", "unfortified": "no", "none": "unknown"}.get(r["fortify"])
        if expected:
            tally("fortify", fo.startswith(expected), path, r["fortify"], fo)
        ro = verdict("Read-only relocations")
        tally("relro", ro.startswith("yes") == (r["relro"] != "none"), path, r["relro"], ro)
        bn = verdict("Immediate binding")
        tally("bind_now", bn.startswith("yes") == (r["relro"] == "full"), path, r["relro"], bn)
    return result


def planted(evaluations, truth_findings):
    found = {}
    for fid, (rules, path, check_line, fp_field) in PLANTED.items():
        gt = next((x for x in truth_findings if x["id"] == fid.split("-")[0]), None)
        if gt is None:
            continue
        hits = []
        for ev in evaluations:
            for f in ev["findings"]:
                if f["ruleId"] in rules and inner(f["path"]).endswith(path):
                    if check_line and gt.get("line") and f.get("line") != gt["line"]:
                        continue
                    if fp_field and gt.get(fp_field) and f.get("secretFingerprint") != gt[fp_field]:
                        continue
                    hits.append(f"{f['ruleId']} {inner(f['path'])}:{f.get('line', '')}")
        found[fid] = sorted(set(hits))
    return found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--runner", choices=["harness", "assay"], default="harness")
    ap.add_argument("--slot", default=os.environ.get("ASSAY_SLOT", ""))
    ap.add_argument("--no-hardening-check", action="store_true")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--out", default=os.path.join(REPO, "eval", "analyzers", "out"))
    args = ap.parse_args()
    gt_path = os.path.join(args.corpus, "ground-truth.json")
    if not os.path.exists(gt_path):
        print(f"corpus not found at {args.corpus}; nothing to evaluate")
        return 0
    os.makedirs(args.out, exist_ok=True)
    with open(gt_path) as f:
        gt = json.load(f)
    with open(os.path.join(args.corpus, "ground-truth", "armhf-router.elf.json")) as f:
        elf_truth = json.load(f)
    router = gt["rootfs"]["armhf-router"]
    zip_findings = [x for fi in gt["files"] for x in (fi.get("findings") or [])]
    harness = build_harness(args.slot) if args.runner == "harness" else None

    tar = os.path.join(args.corpus, "debian-rootfs", "rootfs.tar.gz")
    bundle = os.path.join(args.corpus, "debian-rootfs", "vendor-bundle-EN-R100_2.4.1.zip")
    ev_tar, t_tar = scan(args.runner, harness, tar, os.path.join(args.out, "rootfs.tar.gz.json"))
    sarif = os.path.join(args.out, "vendor-bundle.sarif") if args.runner == "harness" else None
    ev_zip, _ = scan(args.runner, harness, bundle, os.path.join(args.out, "vendor-bundle.json"), sarif=sarif)
    report = {"scans": {"rootfs.tar.gz": {"files": len(ev_tar["files"]), "findings": len(ev_tar["findings"]), "errors": len(ev_tar["errors"])},
                        "vendor-bundle.zip": {"files": len(ev_zip["files"]), "findings": len(ev_zip["findings"]), "errors": len(ev_zip["errors"])}}}

    rows = ev_tar["summaries"]["hardening"]["binaries"]
    report["hardening_vs_readelf"] = compare_hardening(rows, elf_truth, risky_from_findings(ev_tar["findings"]))

    # Clean third-party builds: node and esbuild, against elfinfo.py run here.
    npm = []
    for rel in ("node-10.19.0-linux-x64/node", "esbuild-0.19.12-linux-x64/esbuild"):
        p = os.path.join(args.corpus, "npm-binaries", rel)
        if not os.path.exists(p):
            continue
        ev, _ = scan(args.runner, harness, p, os.path.join(args.out, os.path.basename(p) + ".json"))
        info = json.loads(subprocess.run([sys.executable, os.path.join(args.corpus, "tools", "elfinfo.py"), os.path.dirname(p), os.path.basename(p)],
                                         capture_output=True, text=True, check=True).stdout)
        for row in ev["summaries"]["hardening"]["binaries"]:
            row["path"] = "/" + os.path.basename(p)
        cmp = compare_hardening(ev["summaries"]["hardening"]["binaries"], info, risky_from_findings(ev["findings"]))
        npm.append({"file": rel, "findings": sorted(f"{f['ruleId']}" for f in ev["findings"]), "disagreements": cmp["disagreements"]})
    report["npm_binaries"] = npm

    if not args.no_hardening_check:
        with tempfile.TemporaryDirectory() as root:
            with tarfile.open(tar) as t:
                members = [m for m in t.getmembers() if m.isfile()]
                t.extractall(root, members=members, filter="data")
            report["hardening_vs_hardening_check"] = hardening_check(root, rows)

    found = planted([ev_tar, ev_zip], router["findings"] + zip_findings)
    report["planted"] = {k: {"found": bool(v), "by": v} for k, v in found.items()}

    planted_keys = {(r, p) for (rules, p, _, _) in PLANTED.values() for r in rules}
    others = {}
    for ev in (ev_tar, ev_zip):
        for f in ev["findings"]:
            if f["category"] in ("hardening", "unsafe-function"):
                continue
            if any(f["ruleId"] == r and inner(f["path"]).endswith(p) for (r, p) in planted_keys):
                continue
            others.setdefault(f["ruleId"], set()).add(inner(f["path"]) + (f":{f['line']}" if f.get("line") else ""))
    report["other_findings"] = {k: sorted(v) for k, v in sorted(others.items())}
    # The SARIF of the real scan against the official schema with a native draft-04 validator (python3-jsonschema).
    schema_path = os.path.join(os.path.dirname(args.corpus), "schemas", "sarif-schema-2.1.0.json")
    if sarif and os.path.exists(schema_path):
        try:
            import jsonschema
            with open(schema_path) as f, open(sarif) as g:
                errors = list(jsonschema.Draft4Validator(json.load(f), format_checker=jsonschema.FormatChecker()).iter_errors(json.load(g)))
            report["sarif_schema_errors"] = [e.message for e in errors[:20]]
        except ImportError:
            report["sarif_schema_errors"] = "skipped: python3-jsonschema not installed"
    report["ts33117"] = {k: ev_tar["summaries"]["ts33117"][k] for k in ("pass", "fail", "notTestable")}

    if not args.no_timing and args.runner == "harness":
        def median(analyzers):
            return statistics.median(scan(args.runner, harness, tar, os.path.join(args.out, "timing.json"), analyzers)[1] for _ in range(3))
        with_a, without = median(True), median(False)
        report["timing"] = {"with_analyzers_s": round(with_a, 2), "without_s": round(without, 2), "overhead": round(with_a / without - 1, 3)}

    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(report, f, indent=1, sort_keys=True, default=list)
    h = report["hardening_vs_readelf"]
    print(f"hardening vs readelf ({h['files']} ELF, {len(h['missing'])} missing):")
    for field in h["total"]:
        print(f"  {field:14} {h['agree'][field]}/{h['total'][field]}")
    for d in h["disagreements"][:20]:
        print(f"    {d}")
    if "hardening_vs_hardening_check" in report and "agree" in report["hardening_vs_hardening_check"]:
        hc = report["hardening_vs_hardening_check"]
        print("hardening vs hardening-check:")
        for field in hc["total"]:
            print(f"  {field:14} {hc['agree'][field]}/{hc['total'][field]}")
        for d in hc["disagreements"][:20]:
            print(f"    {d}")
    for n in npm:
        print(f"npm {n['file']}: findings {sorted(set(n['findings']))}; disagreements with readelf: {n['disagreements']}")
    print("planted findings:")
    for k, v in report["planted"].items():
        print(f"  {k}: {'found' if v['found'] else 'MISSED'} {v['by']}")
    print("other (non-hardening) findings, for review:")
    for rule, paths in report["other_findings"].items():
        print(f"  {rule}: {len(paths)}: {', '.join(paths[:8])}{' ...' if len(paths) > 8 else ''}")
    print(f"TS 33.117: {report['ts33117']}")
    if "sarif_schema_errors" in report:
        print(f"SARIF of the vendor zip scan against sarif-schema-2.1.0.json (draft-04): {report['sarif_schema_errors'] or 'valid'}")
    if "timing" in report:
        print(f"timing: {report['timing']}")
    missed = [k for k, v in report["planted"].items() if not v["found"]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
