#!/usr/bin/env python3
"""Turns bench/formats/raw (timings.tsv, layout.tsv, env.txt, binwalk-signature.txt) and Assay's
evaluation of the dump into results.md: median times per tool, and for every region the dump was
built from, what Assay reported at that offset (format, exact length) next to what binwalk's signature
scan printed there.

usage: summarize.py RAW_DIR ASSAY_JSON [BINWALK_EXTRACT_DIR]
"""
import json
import os
import statistics
import sys

raw, assay_json = sys.argv[1], sys.argv[2]
bw_dir = sys.argv[3] if len(sys.argv) > 3 else None


def rows(path):
    with open(path) as f:
        lines = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    return lines


timings = rows(os.path.join(raw, "timings.tsv"))
head, timings = timings[0], timings[1:]
by_tool = {}
for r in timings:
    d = dict(zip(head, r))
    by_tool.setdefault(d["tool"], []).append(d)

env = open(os.path.join(raw, "env.txt")).read().strip().splitlines()
print("# bench/formats — carving a raw flash dump: `assay scan` vs binwalk\n")
print("Re-run: `bash bench/formats/run.sh` (see the script's header for the environment variables).\n")
for line in env:
    print(f"- {line}")
print()
print("| tool | runs | wall s (median, min–max) | CPU s (user+sys, median) | peak RSS MB | exit codes | load1 at start |")
print("| --- | --- | --- | --- | --- | --- | --- |")
med = {}
for tool, rs in by_tool.items():
    walls = [float(r["wall_s"]) for r in rs]
    cpus = [float(r["cpu_s"]) for r in rs]
    med[tool] = (statistics.median(walls), statistics.median(cpus))
    print(f"| {tool} | {len(rs)} | {statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f}) | {statistics.median(cpus):.2f} | "
          f"{max(int(r['rss_kb']) for r in rs) / 1024:.0f} | {','.join(sorted({r['rc'] for r in rs}))} | {', '.join(r['load1'] for r in rs)} |")
if "assay" in med and "binwalk-extract" in med:
    a, b = med["assay"], med["binwalk-extract"]
    print(f"\nbinwalk -Me / assay: wall {b[0] / a[0]:.1f}x, CPU {b[1] / a[1]:.1f}x.")

evaluation = json.load(open(assay_json))
top = [c for c in evaluation.get("chunks", []) if "!" not in c["path"] and "/" not in c["path"].strip("/")]
if not top:
    paths = sorted({c["path"] for c in evaluation.get("chunks", [])}, key=len)
    top = [c for c in evaluation["chunks"] if paths and c["path"] == paths[0]]
at = {c["offset"]: c for c in top}
signatures = {}
sig_path = os.path.join(raw, "binwalk-signature.txt")
if os.path.exists(sig_path):
    for line in open(sig_path):
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0].isdigit():
            signatures.setdefault(int(parts[0]), parts[2].strip()[:70])

print("\n## What each tool reported where the dump's regions start\n")
print("Assay: the chunk at the region's offset (format, length; `=` when the length is the region's exact")
print("length). binwalk: its signature-scan line at that offset.\n")
print("| offset | region (as built) | length | assay | binwalk |")
print("| --- | --- | --- | --- | --- |")
exact = found = total = 0
for off, length, what in rows(os.path.join(raw, "layout.tsv")):
    off, length = int(off), int(length)
    c = at.get(off)
    if c is None:
        cell = "—"
    else:
        same = c["length"] == length
        note = f", entropy {c['entropy']:.2f}" if c.get("entropy") is not None else ""
        cell = f"{c['format']} {'=' if same else c['length']}{note}"
    known = not what.startswith(("erased", "zero", "high entropy"))
    if known:
        total += 1
        if c is not None and c["format"] not in ("unknown", "padding"):
            found += 1
            exact += c["length"] == length
    print(f"| 0x{off:x} | {what} | {length} | {cell} | {signatures.get(off, '—').replace('|', '/')} |")
print(f"\nAssay found {found} of the {total} formatted regions at their offset, {exact} with their exact length.")
print(f"Assay: {len(top)} top-level chunks, {len(evaluation.get('files', []))} files, {len(evaluation.get('errors', []))} errors.")
print(f"binwalk: {len(signatures)} signature lines", end="")
if bw_dir and os.path.isdir(bw_dir):
    n = 0
    for _, dirs, files in os.walk(bw_dir, followlinks=False):
        n += len(files)
    print(f"; `binwalk -Me` wrote {n} files.")
else:
    print(".")
