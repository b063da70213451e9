#!/usr/bin/env python3
"""File-list agreement for the formats of issue 19, on the shared corpus' root filesystem.

The corpus tree (rootfs.tar.gz, 964 entries) is extracted as root and repacked with the real tools
Debian has; each image is scanned with `assay scan -f json` and its tree compared, field by field
(kind, mode, uid, gid, size, sha256, symlink target, device numbers), with an independent reader:

  cramfs LE/BE   mkfs.cramfs -N little|big     vs fsck.cramfs --extract (util-linux)
  romfs          genromfs                      vs the source tree (romfs keeps no modes/owners: not compared)
  yaffs2         tests' make_yaffs2.py writer  vs unyaffs extraction (Debian has no YAFFS2 writer)
  squashfs+xattr mksquashfs after setcap/setfattr vs unsquashfs extraction (+ getfattr for xattrs)
  bzip2 / lz4 -l / xz  tar of the tree, then padding and random bytes after it: vs the source tree
  trx, netgear-chk, seama, tplink, dlink-shrs  the tests' vendor writer around the SquashFS: vs unsquashfs
  android-boot   mkbootimg with rootfs.cpio.gz as ramdisk: parts vs unpack_bootimg
  zip (cut)      Info-ZIP of the tree, cut at 70%: entries whose data is whole vs python zipfile on the full archive
Writes eval/files/results-formats.md; exit 1 when an image disagrees, 0 (with a message) without the corpus.
usage: formats.py --assay BIN --corpus DIR [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare as C  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "Assay.Formats.Tests", "Fixtures")
ALL = ("kind", "mode", "uid", "gid", "size", "sha256", "target", "dev")


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def scan(assay, image, work):
    out = os.path.join(work, os.path.basename(image) + ".json")
    p = subprocess.run([assay, "scan", image, "-f", "json", "-o", out], capture_output=True, text=True)
    if p.returncode not in (0, 1, 5):
        raise RuntimeError(f"assay scan {image} exited {p.returncode}: {p.stderr[-400:]}")
    return json.load(open(out))


def resolve_hardlinks(entries):
    """An Assay hard link counts as the file it names (the native readers write both names as files)."""
    for p, r in list(entries.items()):
        if r["kind"] == "hardlink":
            target = entries.get(r.get("target", "").strip("/"))
            if target:
                entries[p] = dict(target, path=p)
    return entries


def assay_records(evaluation):
    groups = C.assay_groups(evaluation)
    for prefix, entries in groups.items():
        for f in evaluation["files"]:
            if f["kind"] == "hardlink" and f["path"].startswith(prefix):
                rel = f["path"][len(prefix):]
                if rel in entries:
                    entries[rel]["target"] = f.get("target")
        resolve_hardlinks(entries)
    return groups


def agree(name, evaluation, expected, fields, root_hint=None):
    groups = assay_records(evaluation)
    prefix = root_hint if root_hint in groups else C.locate_root(groups, expected)
    got = groups.get(prefix, {})
    missing = sorted(expected.keys() - got.keys())
    extra = sorted(got.keys() - expected.keys())
    cells, diffs = {}, []
    for f in fields:
        total = same = 0
        for p in expected.keys() & got.keys():
            e, g = expected[p], got[p]
            if f not in e:
                continue
            total += 1
            if e.get(f) == g.get(f):
                same += 1
            elif len(diffs) < 8:
                diffs.append(f"{p}: {f} {e.get(f)!r} vs assay {g.get(f)!r}")
        cells[f] = (same, total)
    ok = not missing and not extra and all(s == t for s, t in cells.values())
    errors = [f"{x['handler']}: {x['message'][:160]}" for x in evaluation.get("errors", [])][:5]
    return {"name": name, "root": prefix, "expected": len(expected), "found": len(got), "missing": missing, "extra": extra,
            "cells": cells, "diffs": diffs, "ok": ok, "errors": errors}


def only(records, fields):
    return {p: {k: v for k, v in r.items() if k in fields or k == "path"} for p, r in records.items()}


def build(corpus, work, assay):
    results = []
    tree = os.path.join(work, "tree")
    os.makedirs(tree)
    sh(["tar", "-xzpf", os.path.join(corpus, "debian-rootfs", "rootfs.tar.gz"), "--numeric-owner", "-C", tree])
    source = C.walk_tree(tree)

    # cramfs, both byte orders, vs fsck.cramfs --extract
    for endian in ("little", "big"):
        img = os.path.join(work, f"rootfs-{endian}.cramfs")
        sh(["mkfs.cramfs", "-N", endian, tree, img])
        out = os.path.join(work, f"cramfs-{endian}")
        sh(["fsck.cramfs", f"--extract={out}", img])
        results.append(agree(f"cramfs ({endian}-endian) vs fsck.cramfs --extract", scan(assay, img, work), C.walk_tree(out), ALL))

    # romfs vs the source tree: romfs stores no modes, owners or times
    img = os.path.join(work, "rootfs.romfs")
    sh(["genromfs", "-f", img, "-d", tree, "-V", "rootfs"])
    results.append(agree("romfs vs the genromfs source tree (kind, size, sha256, target, dev)", scan(assay, img, work),
                         only(source, ("kind", "size", "sha256", "target", "dev")), ("kind", "size", "sha256", "target", "dev")))

    # yaffs2 (own writer) vs unyaffs
    img = os.path.join(work, "rootfs.yaffs2")
    sh([sys.executable, os.path.join(FIXTURES, "yaffs2", "make_yaffs2.py"), tree, img, "2048", "64", "0"])
    out = os.path.join(work, "unyaffs")
    os.makedirs(out)
    sh(["unyaffs", "-c", "2", "-s", "64", img, out])
    results.append(agree("yaffs2 (2048+64) vs unyaffs", scan(assay, img, work), C.walk_tree(out), ALL))

    # SquashFS (with file capabilities set on the copy) and the vendor containers around it
    sqfs = os.path.join(work, "rootfs.sqfs")
    sh(["mksquashfs", tree, sqfs, "-noappend", "-comp", "xz", "-quiet"])
    out = os.path.join(work, "unsquashfs")
    sh(["unsquashfs", "-d", out, sqfs])
    squash_tree = C.walk_tree(out)
    kernel = os.path.join(corpus, "debian-rootfs", "rootfs.cpio.gz")
    vendor = os.path.join(work, "vendor")
    os.makedirs(vendor)
    sh([sys.executable, os.path.join(FIXTURES, "vendor", "make_vendor.py"), kernel, sqfs, vendor])
    for name, label in (("trx-v1.trx", "trx"), ("netgear.chk", "netgear-chk (TRX inside)"), ("tplink-v1.bin", "tplink"),
                        ("dlink.seama", "seama (rootfs carved from the image)"), ("dlink.shrs", "dlink-shrs (decrypted, TRX inside)")):
        results.append(agree(f"{label} vs unsquashfs", scan(assay, os.path.join(vendor, name), work), squash_tree, ALL))

    # compressed streams followed by padding and the next partition's bytes
    tar = os.path.join(work, "rootfs.tar")
    sh(["tar", "-cpf", tar, "--numeric-owner", "-C", tree, "."])
    rnd = random.Random(19)
    tail = b"\xff" * 65536 + bytes(rnd.getrandbits(8) for _ in range(65536))
    for tool, args, ext in (("bzip2", ["bzip2", "-9", "-c"], "bz2"), ("lz4 legacy", ["lz4", "-l", "-9", "-c"], "lz4"), ("xz", ["xz", "-6", "-c"], "xz")):
        img = os.path.join(work, f"rootfs.tar.{ext}.flash")
        data = sh(args + [tar]).stdout
        open(img, "wb").write(data + tail)
        results.append(agree(f"{tool} stream + padding + data vs the source tree", scan(assay, img, work), source, ALL))

    # Android boot image: parts vs unpack_bootimg
    img = os.path.join(work, "boot.img")
    vmlinux = os.path.join(work, "kernel")
    open(vmlinux, "wb").write(sh(["gzip", "-9", "-n", "-c", os.path.join(tree, "etc", "passwd")]).stdout)
    wrapper = ("import runpy, sys\ng = runpy.run_path('/usr/bin/mkbootimg', run_name='mkbootimg')\n"
               "g['main'].__globals__['get_number_of_pages'] = lambda s, p: (s + p - 1) // p\nsys.argv = ['mkbootimg'] + sys.argv[1:]\ng['main']()")
    sh([sys.executable, "-c", wrapper, "--kernel", vmlinux, "--ramdisk", kernel, "--header_version", "2", "--dtb", os.path.join(FIXTURES, "dtb", "board.dtb"), "-o", img])
    out = os.path.join(work, "unpacked")
    sh(["unpack_bootimg", "--boot_img", img, "--out", out])
    parts = {n: C.rec(n, "file", size=os.path.getsize(os.path.join(out, n)), sha256=C.hash_file(os.path.join(out, n))) for n in os.listdir(out)}
    results.append(agree("android-boot v2 parts vs unpack_bootimg", scan(assay, img, work), parts, ("kind", "size", "sha256"), "boot.img!/"))

    # a zip cut at 70%: the entries whose data lies wholly before the cut
    full = os.path.join(work, "rootfs.zip")
    # zip exits 18 when it skips what it cannot store (device nodes, fifos): that is expected here
    z = subprocess.run(["zip", "-q", "-r", "-y", full, "."], cwd=tree, capture_output=True)
    if z.returncode not in (0, 18):
        raise RuntimeError(f"zip exited {z.returncode}: {z.stderr[-300:]!r}")
    data = open(full, "rb").read()
    cut = int(len(data) * 0.7)
    img = os.path.join(work, "rootfs-cut.zip")
    open(img, "wb").write(data[:cut])
    expected = {}
    with zipfile.ZipFile(full) as z:
        for info in z.infolist():
            local_end = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size
            if local_end <= cut and not info.is_dir():
                # a link's data is its target: without the central directory's mode it is a file holding it
                body = z.read(info)
                expected[info.filename] = C.rec(info.filename, "file", size=len(body), sha256=__import__("hashlib").sha256(body).hexdigest())
    evaluation = scan(assay, img, work)
    got = {p: r for p, r in assay_records(evaluation).get("rootfs-cut.zip!/", {}).items() if r["kind"] == "file"}
    result = agree("zip cut at 70% vs zipfile (whole entries; links come out as files: no mode without the directory)",
                   {"files": [f for f in evaluation["files"] if not f["path"].startswith("rootfs-cut.zip!/") or f["path"][16:] in got], "errors": evaluation.get("errors", [])},
                   expected, ("kind", "size", "sha256"), "rootfs-cut.zip!/")
    results.append(result)
    return results


def report(results, out, assay):
    lines = ["# File-list agreement for the issue-19 formats", "",
             f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `eval/files/formats.py` ({assay}). "
             "Cells: exact matches / entries compared for that field. Images are made from the corpus root filesystem by the real tools (see the script's docstring).", "",
             "| image | expected | found | missing | extra | " + " | ".join(ALL) + " | agrees |", "|" + " --- |" * (6 + len(ALL))]
    for r in results:
        cells = " | ".join(f"{r['cells'][f][0]}/{r['cells'][f][1]}" if f in r["cells"] and r["cells"][f][1] else "—" for f in ALL)
        lines.append(f"| {r['name']} | {r['expected']} | {r['found']} | {len(r['missing'])} | {len(r['extra'])} | {cells} | {'yes' if r['ok'] else '**no**'} |")
    lines += ["", "## Differences", ""]
    for r in results:
        if r["missing"] or r["extra"] or r["diffs"] or r["errors"]:
            lines.append(f"**{r['name']}** (root `{r['root']}`)")
            lines += [f"- missing: {p}" for p in r["missing"][:8]] + [f"- extra: {p}" for p in r["extra"][:8]]
            lines += [f"- {d}" for d in r["diffs"]] + [f"- assay error: {e}" for e in r["errors"]]
            lines.append("")
    open(out, "w").write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--assay", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "results-formats.md"))
    a = ap.parse_args()
    if not os.path.exists(os.path.join(a.corpus, "debian-rootfs", "rootfs.tar.gz")):
        print("eval/files/formats: corpus root filesystem not found; skipping")
        return 0
    missing = [t for t in ("mkfs.cramfs", "fsck.cramfs", "genromfs", "unyaffs", "mksquashfs", "unsquashfs", "lz4", "bzip2", "xz", "zip", "unpack_bootimg", "mkbootimg") if not shutil.which(t)]
    if missing:
        print(f"eval/files/formats: missing tools {missing}; install them (.ci/install.sh with ASSAY_EVAL_TOOLS=1)", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="assay-formats-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        results = build(a.corpus, work, a.assay)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(results, a.out, a.assay)
    for r in results:
        print(f"{'ok ' if r['ok'] else 'BAD'} {r['name']}: {r['expected']} expected, {r['found']} found, {len(r['missing'])} missing, {len(r['extra'])} extra")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
