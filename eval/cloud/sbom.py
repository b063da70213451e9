#!/usr/bin/env python3
"""SBOM agreement on one image: the OS packages in Assay's evaluation against Trivy's CycloneDX
for the same image, compared as (name, version) of pkg:deb/rpm/apk purls. Prints recall and
precision against Trivy; exit 1 when either is below the floor (default 0.95).

usage: sbom.py EVALUATION.json TRIVY.cdx.json [--floor 0.95]
"""
import argparse, json, sys
from urllib.parse import unquote

# Trivy writes pkg:none/ when it finds the packages but not the distribution (no /etc/debian_version)
OS_TYPES = ("pkg:deb/", "pkg:rpm/", "pkg:apk/", "pkg:none/")

def key(purl):
    p = unquote(purl.split("?")[0])
    name_version = p.rsplit("/", 1)[-1]
    name, _, version = name_version.partition("@")
    # epochs: "1:1.2.13" in one tool, "1.2.13" with an epoch=1 qualifier in another
    if ":" in version and version.split(":", 1)[0].isdigit():
        version = version.split(":", 1)[1]
    return name, version

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("evaluation"); ap.add_argument("trivy"); ap.add_argument("--floor", type=float, default=0.95)
    a = ap.parse_args()
    ev = json.load(open(a.evaluation))
    tr = json.load(open(a.trivy))
    mine = {key(c["purl"]) for c in ev.get("components", []) if c.get("purl", "").startswith(OS_TYPES)}
    theirs = {key(c["purl"]) for c in tr.get("components", []) if c.get("purl", "").startswith(OS_TYPES)}
    both = mine & theirs
    recall = len(both) / len(theirs) if theirs else 0.0
    precision = len(both) / len(mine) if mine else 0.0
    print(f"SBOM vs Trivy: trivy {len(theirs)} OS packages, assay {len(mine)}, common {len(both)}; recall {recall:.4f}, precision {precision:.4f}")
    for n, v in sorted(theirs - mine)[:10]:
        print(f"  only trivy: {n} {v}")
    for n, v in sorted(mine - theirs)[:10]:
        print(f"  only assay: {n} {v}")
    sys.exit(0 if theirs and recall >= a.floor and precision >= a.floor else 1)

if __name__ == "__main__":
    main()
