#!/usr/bin/env python3
"""Component catalog accuracy on the shared corpus: precision and recall (name + exact version)
per image and in total, and the time cataloging adds to a scan.

    python3 eval/catalog/run.py [--corpus DIR] [--runner assay|harness] [--no-timing] [--out DIR]

For each corpus file, the evaluation JSON comes from `assay scan FILE -f json` (runner assay:
set ASSAY_CLI to the command, e.g. "dotnet artifacts/bin/Assay.Cli/release/assay.dll") or from
eval/catalog/Harness (runner harness, the default without ASSAY_CLI, and the fallback when the
CLI's evaluation has no components): the same Scanner and format handlers with
Catalogers.CreateAll() and ComponentConsolidator, and no analyzers, so that it can also time the
scan with and without catalogers (in one process, second run: start-up and JIT excluded).

Ground truth: ../shared/corpus/ground-truth.json (see its README). Per image the expected
components are the file's `components` plus, for images that hold the router root filesystem,
its `packages` and `binary_components`. Recall counts what a static scanner can be asked for:
package-database, package.json and Go build-info components, and binary components whose
evidence is `strong` or `literal`. Precision is over every (name, version) reported: strict
counts a report as right only if the ground truth lists it (any evidence strength); nothing is
accepted through Assay's own data (the former "verified" column took versions through the
signature file's `sources:` map, which is the tool grading itself).

Gate: exit 1 when the total recall or precision drops below eval/catalog/baseline.json
(`--record` rewrites it), 0 otherwise; skips cleanly (exit 0) when the corpus is absent.
The set that is not the corpus: eval/catalog/generalize.py.
"""
import argparse, json, os, re, subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus")
HARNESS = os.path.join(REPO, "eval", "catalog", "Harness", "Harness.csproj")
SIGNATURES = os.path.join(REPO, "src", "Assay.Catalog", "Data", "signatures.yaml")
# Names the catalog spells differently from the ground truth: catalog name -> ground-truth name.
ALIASES = {"linux-kernel": "linux"}
ROOTFS_IMAGES = {"rootfs.ext4", "rootfs.cpio.gz", "rootfs.tar.gz", "rootfs.ubi", "fw-router-armhf.uImage", "vendor-bundle-EN-R100_2.4.1.zip"}


def upstream(version):
    v = version.split(":", 1)[1] if re.match(r"^\d+:", version) else version
    if "-" in v:
        v = v[: v.rindex("-")]
    for marker in ("+dfsg", ".dfsg", "~dfsg", "+ds", "+really", "+repack"):
        if marker in v:
            v = v[: v.index(marker)]
    return v


def expected_for(gt, entry):
    name = os.path.basename(entry["path"])
    comps = list(entry.get("components") or [])
    packages = []
    if name in ROOTFS_IMAGES:
        rootfs = gt["rootfs"]["armhf-router"]
        packages = rootfs["packages"]
        comps += rootfs["packages"] + rootfs["binary_components"]
    all_pairs = {(c["name"], c["version"]) for c in comps}
    required = set()
    for c in comps:
        if c.get("source") == "binary" and c.get("static_evidence") not in ("strong", "literal"):
            continue
        required.add((c["name"], c["version"]))
    return all_pairs, required, packages


def run_assay(path, out_json):
    cli = os.environ.get("ASSAY_CLI")
    if not cli:
        return None
    start = time.monotonic()
    r = subprocess.run(cli.split() + ["scan", path, "-f", "json", "-o", out_json, "--no-vulns", "--no-progress"], capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if r.returncode not in (0, 1, 5) or not os.path.exists(out_json):  # 5: input not completely understood
        print(f"  assay scan failed ({r.returncode}): {r.stderr.strip()[:300]}", file=sys.stderr)
        return None
    return elapsed


def run_harness(dll, path, out_json, catalog=True):
    # --warm: the harness scans twice in one process and times the second scan, so .NET start-up,
    # JIT and the one-time load of the signature data count for neither side
    args = ["dotnet", dll, path, out_json, "--warm"] + ([] if catalog else ["--no-catalog"])
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"harness failed on {path}: {r.stderr.strip()[:500]}")
    m = re.search(r"seconds=([0-9.]+)", r.stdout)
    return float(m.group(1)) if m else None


def build_harness():
    slot = os.environ.get("ASSAY_SLOT", "cat")
    env = dict(os.environ, ASSAY_SLOT=slot)
    r = subprocess.run(["dotnet", "build", HARNESS, "-c", "Release", "-v", "q", "-nologo"], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit("harness build failed:\n" + r.stdout[-3000:])
    for root, _, files in os.walk(os.path.join(REPO, "artifacts", f"slot-{slot}", "bin", "Harness")):
        if "Harness.dll" in files and "release" in root:
            return os.path.join(root, "Harness.dll")
    raise SystemExit("Harness.dll not found after the build")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--runner", choices=["assay", "harness"], default=None)
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="timing runs with and without catalogers (best of each)")
    ap.add_argument("--only", default=None, help="substring of the corpus paths to run")
    ap.add_argument("--out", default=None, help="folder to keep the evaluation JSON files")
    ap.add_argument("--record", action="store_true", help="write the totals to eval/catalog/baseline.json")
    a = ap.parse_args()
    gt_path = os.path.join(a.corpus, "ground-truth.json")
    if not os.path.exists(gt_path):
        print(f"catalog eval: skipped, no corpus at {a.corpus}")
        return 0
    with open(gt_path) as f:
        gt = json.load(f)
    out_dir = a.out or tempfile.mkdtemp(prefix="assay-catalog-eval-")
    os.makedirs(out_dir, exist_ok=True)
    dll = None if a.runner == "assay" and a.no_timing else build_harness()
    rows, totals = [], {"tp_r": 0, "n_r": 0, "tp_s": 0, "tp_v": 0, "n_p": 0, "t_with": 0.0, "t_without": 0.0}
    misses_all, fps_all = [], []
    for entry in gt["files"]:
        if a.only and a.only not in entry["path"]:
            continue
        path = os.path.join(a.corpus, entry["path"])
        out_json = os.path.join(out_dir, os.path.basename(entry["path"]) + ".json")
        runner = a.runner or ("assay" if os.environ.get("ASSAY_CLI") else "harness")
        t_with = run_assay(path, out_json) if runner == "assay" else run_harness(dll, path, out_json)
        with open(out_json) as f:
            ev = json.load(f)
        comps = ev.get("components") or []
        if runner == "assay" and not comps and dll is None:
            dll = build_harness()
        if runner == "assay" and not comps:
            runner = "harness"
            t_with = run_harness(dll, path, out_json)
            with open(out_json) as f:
                comps = json.load(f).get("components") or []
        t_without = None
        if not a.no_timing and dll is not None:
            # the machine may be shared: alternate runs with and without catalogers, keep the best of each
            t_best, t_without = None, None
            for _ in range(a.repeat):
                w = run_harness(dll, path, os.path.join(out_dir, "timing.json"))
                wo = run_harness(dll, path, os.path.join(out_dir, "baseline.json"), catalog=False)
                t_best = w if t_best is None else min(t_best, w)
                t_without = wo if t_without is None else min(t_without, wo)
            t_with = t_best
        reported = {(ALIASES.get(c["name"], c["name"]), c["version"]) for c in comps}
        all_pairs, required, packages = expected_for(gt, entry)
        hit = required & reported
        strict = reported & all_pairs
        verified = strict
        misses = sorted(required - reported)
        fps = sorted(reported - verified)
        misses_all += [(entry["path"], m) for m in misses]
        fps_all += [(entry["path"], p) for p in fps]
        row = {
            "image": entry["path"], "runner": runner, "required": len(required), "found": len(hit),
            "recall": len(hit) / len(required) if required else None,
            "reported": len(reported), "precision_strict": len(strict) / len(reported) if reported else None,
            "seconds": t_with, "seconds_without_catalog": t_without,
        }
        rows.append(row)
        totals["tp_r"] += len(hit)
        totals["n_r"] += len(required)
        totals["tp_s"] += len(strict)
        totals["n_p"] += len(reported)
        if t_with and t_without:
            totals["t_with"] += t_with
            totals["t_without"] += t_without
        print(f"{entry['path']}: recall {len(hit)}/{len(required)}, precision {len(strict)}/{len(reported)}"
              + (f", {t_with:.3f}s vs {t_without:.3f}s without catalogers" if t_with and t_without else ""), flush=True)

    def pct(x):
        return "-" if x is None else f"{x:.3f}"
    print()
    print("| image | recall (strong+literal) | precision | scan s | without catalog s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for r in rows:
        secs = "-" if r["seconds"] is None else "%.3f" % r["seconds"]
        base = "-" if r["seconds_without_catalog"] is None else "%.3f" % r["seconds_without_catalog"]
        print(f"| {r['image']} | {pct(r['recall'])} ({r['found']}/{r['required']}) | {pct(r['precision_strict'])} ({r['reported']}) | {secs} | {base} |")
    rec = totals["tp_r"] / totals["n_r"] if totals["n_r"] else None
    ps = totals["tp_s"] / totals["n_p"] if totals["n_p"] else None
    overhead = (totals["t_with"] / totals["t_without"] - 1) if totals["t_without"] else None
    print(f"| **total** | {pct(rec)} ({totals['tp_r']}/{totals['n_r']}) | {pct(ps)} ({totals['n_p']}) | {totals['t_with']:.3f} | {totals['t_without']:.3f} |")
    if overhead is not None:
        print(f"\ncataloging adds {overhead * 100:.1f}% to the scan time (aim: at most 25%)")
    if misses_all:
        print("\nmissed (required, not reported):")
        for img, m in misses_all:
            print(f"  {img}: {m[0]} {m[1]}")
    if fps_all:
        print("\nreported, not in the ground truth:")
        for img, p in fps_all:
            print(f"  {img}: {p[0]} {p[1]}")
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump({"rows": rows, "recall": rec, "precision_strict": ps, "overhead": overhead}, f, indent=1)
    print(f"\nevaluations and summary.json in {out_dir}")
    baseline_path = os.path.join(REPO, "eval", "catalog", "baseline.json")
    numbers = {"recall": rec, "precision": ps}
    if a.record and not a.only:
        with open(baseline_path, "w") as f:
            json.dump(numbers, f, indent=1)
        print(f"recorded {baseline_path}")
    baseline = json.load(open(baseline_path)) if os.path.exists(baseline_path) and not a.only else {}
    regressions = [f"{k} {numbers[k]:.4f} < recorded {baseline[k]:.4f}" for k in baseline if numbers.get(k) is not None and numbers[k] < baseline[k] - 1e-9]
    for r in regressions:
        print(f"REGRESSION: {r}")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
