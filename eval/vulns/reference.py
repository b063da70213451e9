#!/usr/bin/env python3
"""Independent reference for eval/vulns/known-answers-extra.json (stdlib only, no Assay code or data).

For each case it computes, from the NVD API 2.0 records of shared/data/nvd/*.jsonl.gz, the CVE ids
that apply and the ones that apply only on a platform, under the rule written in the case file's
"matching_rule" (the shared key's rule, plus: AND configurations and entries without a version
bound). `python3 eval/vulns/reference.py [SHARED] --write` rewrites expected_* in the case file;
without --write it prints the differences and exits 1 when the file is stale.
"""
import glob, gzip, json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "known-answers-extra.json")
BOUNDS = ("versionStartIncluding", "versionStartExcluding", "versionEndIncluding", "versionEndExcluding")


def runs(v):
    """Digit and letter runs; digits numeric, letters case-folded (the shared key's version_order)."""
    return [(0, int(r), "") if r.isdigit() else (1, 0, r.lower()) for r in re.findall(r"[0-9]+|[A-Za-z]+", v)]


def vcmp(a, b):
    ra, rb = runs(a), runs(b)
    for x, y in zip(ra, rb):
        if x != y:
            return -1 if x < y else 1
    return (len(ra) > len(rb)) - (len(ra) < len(rb))


def split_cpe(c):
    return [p.replace("\\", "") for p in re.split(r"(?<!\\):", c)]


def entry_matches(m, cpes, version, primary):
    """One vulnerable cpeMatch entry against a (cpe keys, version) component."""
    p = split_cpe(m["criteria"])
    if p[2] not in ("a", "o") or f"{p[3]}:{p[4]}".lower() not in cpes or p[6] not in ("*", "-"):
        return False
    if any(k in m for k in BOUNDS):
        return ((m.get("versionStartIncluding") is None or vcmp(version, m["versionStartIncluding"]) >= 0)
                and (m.get("versionStartExcluding") is None or vcmp(version, m["versionStartExcluding"]) > 0)
                and (m.get("versionEndIncluding") is None or vcmp(version, m["versionEndIncluding"]) <= 0)
                and (m.get("versionEndExcluding") is None or vcmp(version, m["versionEndExcluding"]) < 0))
    if p[5] == "*":
        return f"{p[3]}:{p[4]}".lower() == primary  # no bound: only the component's own product
    if p[5] in ("-", ""):
        return False
    return p[5].lower() == version.lower()


def node_satisfied_by(node, platforms):
    """A condition node holds when any of its entries (vulnerable or not) names a platform component."""
    hit = any(entry_matches(m, {k}, v, k) for m in node.get("cpeMatch", []) for (k, v) in platforms)
    return not hit if node.get("negate") else hit


def evaluate(records, case):
    cpes = [c.lower() for c in case["cpes"]]
    primary, version = cpes[0], case["version"]
    platforms = [(p["cpe"].lower(), p["version"]) for p in case.get("platforms", [])]
    applies, only_on = set(), set()
    for r in records.values():
        for cfg in r.get("configurations", []):
            nodes = cfg.get("nodes", [])
            for i, n in enumerate(nodes):
                if n.get("negate"):
                    continue
                if not any(m.get("vulnerable") and entry_matches(m, set(cpes), version, primary) for m in n.get("cpeMatch", [])):
                    continue
                others = [o for j, o in enumerate(nodes) if j != i]
                if cfg.get("operator") == "AND" and others and not all(node_satisfied_by(o, platforms) for o in others):
                    only_on.add(r["id"])
                else:
                    applies.add(r["id"])
    return sorted(applies), sorted(only_on - applies)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    shared = args[0] if args else os.environ.get("ASSAY_SHARED", os.path.join(HERE, "..", "..", "..", "shared"))
    files = sorted(glob.glob(os.path.join(shared, "data", "nvd", "*.jsonl.gz")))
    if not files:
        print(f"SKIP: no {shared}/data/nvd/*.jsonl.gz; nothing computed")
        return 0
    records = {}
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                records[r["id"]] = r
    doc = json.load(open(CASES, encoding="utf-8"))
    stale = 0
    for case in doc["cases"]:
        applies, only_on = evaluate(records, case)
        for ids, field in ((applies, "expected_cve_ids"), (only_on, "expected_platform_conditional")):
            if case.get(field) != ids:
                stale += 1
                print(f"{case['id']} {field}: file {len(case.get(field) or [])}, reference {len(ids)}")
                case[field] = ids
        for must in case.get("must_include", []):
            assert must in applies, f"{case['id']}: must_include {must} is not in the reference's answer"
        for never in case.get("must_not_include", []):
            assert never not in applies and never not in only_on, f"{case['id']}: must_not_include {never} is in the reference's answer"
    if "--write" in sys.argv:
        with open(CASES, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=1)
            fh.write("\n")
        print(f"wrote {CASES}")
        return 0
    print(f"{len(doc['cases'])} cases, {stale} stale fields")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
