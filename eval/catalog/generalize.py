#!/usr/bin/env python3
"""Catalog accuracy on builds no signature was written from: the set of eval/catalog/make-set.sh.

    python3 eval/catalog/generalize.py [--cache DIR] [--record] [--only amd64,node]

* Debian 12 packages of six architectures (one tar per architecture, as a root filesystem holds
  them, scanned with `assay scan ARCH.tar -f json`): the truth of each package is its component
  (eval/catalog/set/debian.tsv, a table written by hand) at the upstream part of the package's own
  Version field (`dpkg-deb -f`). A component is found when the scan reports it at that version at a
  file the package owns (`dpkg-deb -c`). Precision: every reported (name, version) whose name the
  set knows is right when the version equals the set's truth for that name on that architecture;
  reports of names the set does not know are counted apart (unverifiable).
* Node.js builds of many majors and two architectures from the npm registry: truth is the npm
  package version and process.versions of the release (printed by the x64 build by make-set.sh).

No package database is in these tars, so package-only tools (Syft, Trivy) find nothing here: the
numbers are what binary evidence alone gives. Exit 1 when total recall or precision drops below
eval/catalog/generalize-baseline.json (`--record` rewrites it); 0 with SKIP when the set is absent.
"""
import argparse, collections, glob, json, os, re, subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HERE = os.path.join(REPO, "eval", "catalog")
BASELINE = os.path.join(HERE, "generalize-baseline.json")
# process.versions key -> component name as Assay reports it
NODE_KEYS = {"node": "node.js", "openssl": "openssl", "zlib": "zlib", "ares": "c-ares", "nghttp2": "nghttp2",
             "uv": "libuv", "icu": "icu", "llhttp": "llhttp", "v8": "v8"}


def upstream(version, rule="upstream"):
    v = version.split(":", 1)[1] if re.match(r"^\d+:", version) else version
    if "-" in v:
        v = v[: v.rindex("-")]
    for marker in ("+dfsg", ".dfsg", "~dfsg", "+ds", "+really", "+repack", "~"):
        if marker in v:
            v = v[: v.index(marker)]
    if rule == "major-minor":
        v = ".".join(v.split(".")[:2])
    return v


def assay_command():
    return os.environ["ASSAY"].split() if os.environ.get("ASSAY") else [os.path.join(REPO, "assay")]


def scan(path, out):
    t = time.time()
    r = subprocess.run(assay_command() + ["scan", path, "-f", "json", "-o", out], capture_output=True, text=True)
    if r.returncode not in (0, 1, 5) or not os.path.exists(out):  # 5: some part not completely understood (reported in the JSON)
        raise SystemExit(f"assay scan {path} failed ({r.returncode}): {r.stderr.strip()[-500:]}")
    with open(out) as f:
        return json.load(f), time.time() - t


def debian(cache, only, stats, out_dir):
    table = {}
    for line in open(os.path.join(HERE, "set", "debian.tsv")):
        if line.strip() and not line.startswith("#"):
            pkg, comp, rule = line.rstrip("\n").split("\t")[:3]
            table[pkg] = (comp, rule)
    for tar in sorted(glob.glob(os.path.join(cache, "debian", "*.tar"))):
        arch = os.path.basename(tar)[:-4]
        if only and arch not in only:
            continue
        root = os.path.join(cache, "debian", arch, "root")
        owner, truth, packages = {}, {}, []
        for deb in sorted(glob.glob(os.path.join(cache, "debian", arch, "debs", "*.deb"))):
            fields = subprocess.run(["dpkg-deb", "-f", deb, "Package", "Version"], capture_output=True, text=True).stdout
            meta = dict(l.split(": ", 1) for l in fields.splitlines() if ": " in l)
            if meta.get("Package") not in table:
                continue
            comp, rule = table[meta["Package"]]
            version = upstream(meta["Version"], rule)
            truth[comp] = version
            packages.append((meta["Package"], comp, version))
            for f in open(os.path.join(root, "." + os.path.basename(deb) + ".list")):
                owner.setdefault(f.strip(), set()).add(meta["Package"])
        ev, secs = scan(tar, os.path.join(out_dir, arch + ".json"))
        found = collections.defaultdict(set)
        for c in ev.get("components") or []:
            inner = c.get("location", "").split("!", 1)[-1]
            inner = "/" + inner.lstrip("/")
            for p in owner.get(inner, ()):
                found[p].add((c["name"], c["version"]))
            stats.report(arch, "debian", c["name"], c["version"], truth)
        for pkg, comp, version in packages:
            stats.expect(arch, "debian", comp, version, (comp, version) in found[pkg], sorted(found[pkg]))
        print(f"debian {arch}: {len(packages)} packages scanned in {secs:.1f} s", flush=True)


def node(cache, only, stats, out_dir):
    for binary in sorted(glob.glob(os.path.join(cache, "node", "*", "*", "node"))):
        arch, version = binary.split(os.sep)[-3], binary.split(os.sep)[-2]
        if only and "node" not in only and arch not in only:
            continue
        vfile = os.path.join(cache, "node", "x64", version, "versions.json")
        pv = json.load(open(vfile)) if os.path.exists(vfile) else {"node": version}
        truth = {}
        for key, comp in NODE_KEYS.items():
            if key in pv:
                # node's zlib is Chromium's fork: "1.3.0.1-motley-788cb3c" is zlib 1.3.0.1 plus a fork label
                truth[comp] = pv[key].split("-")[0] if key == "zlib" else pv[key]
        ev, secs = scan(binary, os.path.join(out_dir, f"node-{arch}-{version}.json"))
        reported = {(c["name"], c["version"]) for c in ev.get("components") or []}
        for c in reported:
            stats.report(f"node-{arch}", f"node {version}", c[0], c[1], truth)
        for comp, v in truth.items():
            stats.expect(f"node-{arch}", f"node {version}", comp, v, (comp, v) in reported, sorted(x for x in reported if x[0] == comp))
        print(f"node {arch} {version}: scanned in {secs:.1f} s", flush=True)


class Stats:
    def __init__(self):
        self.expected, self.reports = [], []

    def expect(self, arch, build, comp, version, hit, got):
        self.expected.append((arch, build, comp, version, hit, got))

    def report(self, arch, build, comp, version, truth):
        # a component reported without a version (the binary does not say which) is neither right nor wrong
        judged = comp in truth and version != ""
        self.reports.append((arch, build, comp, version, None if not judged else truth[comp] == version, truth.get(comp)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default=os.path.join(os.environ.get("ASSAY_EVAL_CACHE", os.path.expanduser("~/.cache/assay-eval")), "catalog-set"))
    ap.add_argument("--only", default="", help="comma-separated architectures, or 'node'")
    ap.add_argument("--record", action="store_true")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    only = set(x for x in a.only.split(",") if x)
    if not glob.glob(os.path.join(a.cache, "debian", "*.tar")) and not glob.glob(os.path.join(a.cache, "node", "*", "*", "node")):
        print(f"SKIP: no evaluation set in {a.cache}; run eval/catalog/make-set.sh first")
        return 0
    out_dir = a.out or tempfile.mkdtemp(prefix="assay-generalize-")
    os.makedirs(out_dir, exist_ok=True)
    stats = Stats()
    debian(a.cache, only, stats, out_dir)
    node(a.cache, only, stats, out_dir)

    def ratio(n, d):
        return f"{n / d:.3f} ({n}/{d})" if d else "-"
    by = collections.defaultdict(lambda: [0, 0, 0, 0])  # found, expected, right, judged
    for arch, build, comp, version, hit, _ in stats.expected:
        for key in (("component", comp), ("arch", arch)):
            by[key][0] += hit; by[key][1] += 1
    for arch, build, comp, version, ok, _ in stats.reports:
        if ok is None:
            continue
        for key in (("component", comp), ("arch", arch)):
            by[key][2] += ok; by[key][3] += 1
    for kind in ("arch", "component"):
        print(f"\n| {kind} | recall | precision |\n| --- | ---: | ---: |")
        for key in sorted(k for k in by if k[0] == kind):
            f, e, r, j = by[key]
            print(f"| {key[1]} | {ratio(f, e)} | {ratio(r, j)} |")
    found = sum(1 for x in stats.expected if x[4]); expected = len(stats.expected)
    right = sum(1 for x in stats.reports if x[4]); judged = sum(1 for x in stats.reports if x[4] is not None)
    unknown = sorted({(x[2]) for x in stats.reports if x[4] is None and x[3] != ""})
    without = sum(1 for x in stats.reports if x[3] == "")
    print(f"\n**total**: recall {ratio(found, expected)}, precision {ratio(right, judged)}; "
          f"{without} components reported without a version; "
          f"{sum(1 for x in stats.reports if x[4] is None and x[3] != '')} reports of {len(unknown)} names the set has no truth for: {' '.join(unknown)}")
    print("\nmissed:")
    for arch, build, comp, version, hit, got in stats.expected:
        if not hit:
            print(f"  {arch} {build}: {comp} {version} (reported: {got or 'nothing'})")
    print("\nwrong versions:")
    for arch, build, comp, version, ok, truth in sorted(set(stats.reports)):
        if ok is False:
            print(f"  {arch} {build}: {comp} {version} (truth {truth})")
    numbers = {"recall": found / expected if expected else 0, "precision": right / judged if judged else 0}
    if a.record and not only:
        json.dump(numbers, open(BASELINE, "w"), indent=1)
        print(f"recorded {BASELINE}")
    baseline = json.load(open(BASELINE)) if os.path.exists(BASELINE) and not only else {}
    regressions = [f"{k} {numbers[k]:.4f} < recorded {baseline[k]:.4f}" for k in baseline if numbers[k] < baseline[k] - 1e-9]
    for r in regressions:
        print(f"REGRESSION: {r}")
    print(f"evaluations in {out_dir}")
    return 1 if regressions else 0


if __name__ == "__main__":
    sys.exit(main())
