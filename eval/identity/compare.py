#!/usr/bin/env python3
"""Compares two folders of evaluation JSON files (same file names) field by field.

The timestamps (startedAt, finishedAt) are masked. Every other difference is printed as
FILE: JSON-POINTER: before -> after. A difference is expected when a rule of the expected-differences
file matches it: {"pointer": REGEX over the pointer, "file": REGEX over the file name (optional),
"fix": "what was fixed and where"}; expected differences are counted and listed by fix.
Exit 0 when every difference is expected, 1 otherwise.
"""
import argparse
import json
import os
import re
import sys

VOLATILE = {"/startedAt", "/finishedAt"}


def walk(a, b, pointer, out):
    if type(a) is not type(b):
        out.append((pointer, a, b))
    elif isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            p = pointer + "/" + key.replace("~", "~0").replace("/", "~1")
            if p in VOLATILE:
                continue
            if key not in a or key not in b:
                out.append((p, a.get(key, "<absent>"), b.get(key, "<absent>")))
            else:
                walk(a[key], b[key], p, out)
    elif isinstance(a, list):
        # Lists of records are compared by position; a length change is reported once with the
        # records that only one side has (by their canonical text), so an added file reads clearly.
        if len(a) != len(b):
            sa = {json.dumps(x, sort_keys=True) for x in a}
            sb = {json.dumps(x, sort_keys=True) for x in b}
            for x in sorted(sa - sb):
                out.append((pointer + "/-", json.loads(x), "<absent>"))
            for x in sorted(sb - sa):
                out.append((pointer + "/+", "<absent>", json.loads(x)))
            if not (sa - sb) and not (sb - sa):
                out.append((pointer, f"{len(a)} items", f"{len(b)} items"))
            return
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{pointer}/{i}", out)
    elif a != b:
        out.append((pointer, a, b))


def short(v, n=160):
    s = json.dumps(v, sort_keys=True, ensure_ascii=False)
    return s if len(s) <= n else s[: n - 1] + "…"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--expected", help="expected-differences.json")
    ap.add_argument("--only", help="comma-separated image names")
    ap.add_argument("--max", type=int, default=40, help="differences printed per file")
    args = ap.parse_args()
    rules = []
    if args.expected and os.path.exists(args.expected):
        for r in json.load(open(args.expected, encoding="utf-8")):
            rules.append((re.compile(r["pointer"]), re.compile(r.get("file", ".*")), r["fix"]))
    only = set(args.only.split(",")) if args.only else None
    names = sorted(n for n in os.listdir(args.after) if n.endswith(".json"))
    unexpected_total = 0
    explained = {}
    for name in names:
        if only and name[: -len(".json")] not in only:
            continue
        bpath = os.path.join(args.before, name)
        if not os.path.exists(bpath):
            print(f"{name}: no 'before' evaluation")
            unexpected_total += 1
            continue
        a = json.load(open(bpath, encoding="utf-8"))
        b = json.load(open(os.path.join(args.after, name), encoding="utf-8"))
        diffs = []
        walk(a, b, "", diffs)
        unexpected = []
        for d in diffs:
            fix = next((f for p, fr, f in rules if p.search(d[0]) and fr.search(name)), None)
            if fix:
                explained.setdefault(fix, []).append(name)
            else:
                unexpected.append(d)
        mark = "identical" if not diffs else ("only expected differences" if not unexpected else f"{len(unexpected)} unexpected differences")
        print(f"{name}: {len(a.get('files', []))} files, {len(a.get('components', []))} components, {len(a.get('findings', []))} findings: {mark}")
        for p, x, y in unexpected[: args.max]:
            print(f"    {p}: {short(x)} -> {short(y)}")
        if len(unexpected) > args.max:
            print(f"    ... {len(unexpected) - args.max} more")
        unexpected_total += len(unexpected)
    for fix, files in sorted(explained.items()):
        print(f"expected ({len(files)} differences in {len(set(files))} files): {fix}")
    print("identity: " + ("PASS" if unexpected_total == 0 else f"FAIL ({unexpected_total} unexpected differences)"))
    return 0 if unexpected_total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
