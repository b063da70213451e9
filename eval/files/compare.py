#!/usr/bin/env python3
"""File-list agreement of `assay scan -f json` with the shared corpus.

For every corpus image whose formats Assay covers, the evaluation's `files`
list is compared, field by field, with

  * the ground truth `corpus/ground-truth/armhf-router.files.json` (path,
    kind, mode, size, uid, gid, sha256, symlink target, device major/minor),
  * and, where Debian has one, the native tool's own listing:
    `tar -tvf`, `cpio -tv`, `unsquashfs -lln` (squashfs located through the
    ground truth's uImage offsets), `debugfs ls -p` + `stat` + `rdump`.
    Content hashes for a native listing come from the same tool extracting
    into a temporary folder (tmpfs when available).

The filesystem root inside the evaluation is found, not assumed: every
`!/` prefix is scored by how many of its relative paths are expected, and
the best one wins (for config.jffs2 the expected set is the /etc subtree with
paths relative to /etc). Per-format differences from corpus/README.md are
allowed: the root entry of tar/cpio is ignored, ext4's /lost+found is
"allowed extra", debugfs rdump does not write device nodes.

For the npm archives the members of `archive_members` (names, sizes) are
checked, plus every member's sha256 against `tar -xOf member | sha256`.

usage: compare.py --assay BIN --corpus DIR [--out results.md] [--work DIR]
       [--json-dir DIR] [--only NAME ...] [--jobs N]
exit:  0 all path sets agree, 1 some image's path set disagrees,
       2 usage/environment error
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

FIELDS = ("kind", "mode", "size", "uid", "gid", "sha256", "target", "dev")


# ---------------------------------------------------------------- records

def rec(path, kind, mode=None, uid=None, gid=None, size=None, sha256=None,
        target=None, major=None, minor=None):
    """One entry, normalized: path relative to the root, no leading '/'."""
    r = {"path": path.strip("/"), "kind": kind}
    if mode is not None:
        r["mode"] = int(mode, 8) if isinstance(mode, str) else int(mode)
    if uid is not None:
        r["uid"] = int(uid)
    if gid is not None:
        r["gid"] = int(gid)
    if size is not None and kind == "file":
        r["size"] = int(size)
    if sha256 is not None and kind == "file":
        r["sha256"] = sha256
    if target is not None and kind == "symlink":
        r["target"] = target
    if major is not None and kind in ("chardev", "blockdev"):
        r["dev"] = (int(major), int(minor))
    return r


def manifest(corpus, subtree=None):
    rows = json.load(open(os.path.join(corpus, "ground-truth", "armhf-router.files.json")))
    out = {}
    for m in rows:
        p = m["path"]
        if subtree:
            if not p.startswith(subtree + "/"):
                continue
            p = p[len(subtree) + 1:]
        r = rec(p, m["kind"], m.get("mode"), m.get("uid"), m.get("gid"), m.get("size"),
                m.get("sha256"), m.get("target"), m.get("major"), m.get("minor"))
        out[r["path"]] = r
    return out


def assay_kind(f):
    k = f["kind"]
    if k == "device":
        return "blockdev" if f.get("device") == "block" else "chardev"
    return k


def assay_groups(evaluation):
    """prefix (up to and including the last '!/') -> {relpath: record}."""
    groups = {}
    for f in evaluation["files"]:
        p = f["path"]
        i = p.rfind("!/")
        if i < 0:
            continue
        prefix, relp = p[:i + 2], p[i + 2:]
        r = rec(relp, assay_kind(f), f.get("mode"), f.get("uid"), f.get("gid"), f.get("size"),
                f.get("sha256"), f.get("target"), f.get("major"), f.get("minor"))
        groups.setdefault(prefix, {})[r["path"]] = r
    return groups


def locate_root(groups, expected):
    best, score = None, -1
    for prefix, entries in groups.items():
        s = len(expected.keys() & entries.keys())
        if s > score:
            best, score = prefix, s
    return best


# ---------------------------------------------------------------- native listings

PERM = re.compile(r"^([-dlcbhps])([-r][-w][-xsS][-r][-w][-xsS][-r][-w][-xtT])")
KIND_CH = {"-": "file", "d": "dir", "l": "symlink", "c": "chardev", "b": "blockdev",
           "h": "hardlink", "p": "fifo", "s": "socket"}


def perm_to_mode(s):
    m = PERM.match(s)
    if not m:
        raise ValueError(f"not an ls-style mode string: {s!r}")
    bits = m.group(2)
    mode = 0
    for i, ch in enumerate(bits):
        shift = 8 - i
        if ch in "rwx":
            mode |= 1 << shift
        elif ch in "st":
            mode |= 1 << shift
    if bits[2] in "sS":
        mode |= 0o4000
    if bits[5] in "sS":
        mode |= 0o2000
    if bits[8] in "tT":
        mode |= 0o1000
    return KIND_CH[m.group(1)], mode


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def parse_ls_listing(lines, strip_prefix, with_nlink):
    """tar -tvf --numeric-owner --full-time, cpio -tv --numeric-uid-gid, unsquashfs -lln."""
    out = {}
    for ln in lines:
        if not ln.strip():
            continue
        perms = ln.split(None, 1)[0]
        kind, mode = perm_to_mode(perms)
        rest = ln[len(perms):]
        if with_nlink:  # cpio: perms nlink uid gid size|maj, min  Mon dd hh:mm|yyyy name
            m = re.match(r"\s+\d+\s+(\d+)\s+(\d+)\s+(\d+,\s*\d+|\d+)\s+\w{3}\s+\d+\s+[\d:]+\s(.*)$", rest)
            uid, gid, sz, name = m.groups()
        else:  # tar / unsquashfs: perms uid/gid size|maj,min date time name
            m = re.match(r"\s+(\d+)/(\d+)\s+(\d+,\s*\d+|\d+)\s+\d{4}-\d\d-\d\d\s+[\d:]+\s(.*)$", rest)
            uid, gid, sz, name = m.groups()
        target = None
        if kind == "symlink":
            name, target = name.split(" -> ", 1)
        elif kind == "hardlink" or " link to " in name:
            name = name.split(" link to ", 1)[0]
        major = minor = size = None
        if "," in sz:
            major, minor = (int(x) for x in sz.split(","))
        else:
            size = int(sz)
        if name.startswith(strip_prefix):
            name = name[len(strip_prefix):]
        name = name.rstrip("/")
        if name in ("", "."):
            continue
        r = rec(name, kind, mode, uid, gid, size, None, target, major, minor)
        out[r["path"]] = r
    return out


def hash_file(p):
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for b in iter(lambda: fh.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def walk_tree(root):
    """Extracted tree -> records (used for content hashes and rdump)."""
    out = {}
    for dp, dns, fns in os.walk(root):
        for n in dns + fns:
            full = os.path.join(dp, n)
            rel = os.path.relpath(full, root)
            st = os.lstat(full)
            m = st.st_mode
            if stat.S_ISLNK(m):
                r = rec(rel, "symlink", stat.S_IMODE(m), st.st_uid, st.st_gid, target=os.readlink(full))
            elif stat.S_ISDIR(m):
                r = rec(rel, "dir", stat.S_IMODE(m), st.st_uid, st.st_gid)
            elif stat.S_ISREG(m):
                r = rec(rel, "file", stat.S_IMODE(m), st.st_uid, st.st_gid, st.st_size, hash_file(full))
            elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
                r = rec(rel, "chardev" if stat.S_ISCHR(m) else "blockdev", stat.S_IMODE(m),
                        st.st_uid, st.st_gid, major=os.major(st.st_rdev), minor=os.minor(st.st_rdev))
            else:
                continue
            out[r["path"]] = r
    return out


def add_hashes(listing, tree):
    for p, r in listing.items():
        if r["kind"] == "file" and p in tree and "sha256" in tree[p]:
            r["sha256"] = tree[p]["sha256"]


def native_tar(image, work, compressed_flag="-z"):
    lines = run(["tar", "-tv", compressed_flag, "--numeric-owner", "--full-time", "-f", image],
                text=True).stdout.splitlines()
    listing = parse_ls_listing(lines, "./", with_nlink=False)
    d = tempfile.mkdtemp(dir=work)
    run(["tar", "-x", compressed_flag, "-f", image, "-C", d])
    add_hashes(listing, walk_tree(d))
    shutil.rmtree(d)
    return listing


def native_cpio(image, work):
    data = run(["gzip", "-dc", image]).stdout
    lines = run(["cpio", "-tv", "--numeric-uid-gid", "--quiet"], input=data).stdout.decode().splitlines()
    listing = parse_ls_listing(lines, "./", with_nlink=True)
    d = tempfile.mkdtemp(dir=work)
    run(["cpio", "-idm", "--quiet", "--no-absolute-filenames"], input=data, cwd=d)
    add_hashes(listing, walk_tree(d))
    shutil.rmtree(d)
    return listing


def native_squashfs(image, offset, work):
    lines = run(["unsquashfs", "-lln", "-o", str(offset), image], text=True).stdout.splitlines()
    lines = [ln for ln in lines if PERM.match(ln)]
    listing = parse_ls_listing(lines, "squashfs-root/", with_nlink=False)
    listing.pop("squashfs-root", None)
    d = os.path.join(tempfile.mkdtemp(dir=work), "root")
    run(["unsquashfs", "-q", "-no-progress", "-o", str(offset), "-d", d, image])
    add_hashes(listing, walk_tree(d))
    shutil.rmtree(os.path.dirname(d))
    return listing


def native_debugfs(image, work):
    """Metadata from `ls -p` (walked directory by directory), device numbers
    from `stat`, content and link targets from `rdump` (which skips devices)."""
    listing, todo = {}, [""]
    while todo:
        cmds = "".join(f'ls -p "/{d}"\n' for d in todo)
        cf = os.path.join(work, "debugfs.cmd")
        open(cf, "w").write(cmds)
        out = run(["debugfs", "-f", cf, image], text=True).stdout
        cur, nxt = None, []
        for ln in out.splitlines():
            if ln.startswith("debugfs: ls -p "):
                cur = ln[len('debugfs: ls -p "/'):-1]
                continue
            if not ln.startswith("/"):
                continue
            _, _ino, mode, uid, gid, name, size, _ = ln.split("/")
            if name in ("", ".", "..") or _ino == "0":  # unused slots (lost+found)
                continue
            mode = int(mode, 8)
            fmt = stat.S_IFMT(mode)
            kind = {stat.S_IFDIR: "dir", stat.S_IFREG: "file", stat.S_IFLNK: "symlink",
                    stat.S_IFCHR: "chardev", stat.S_IFBLK: "blockdev"}.get(fmt, "other")
            rel = f"{cur}/{name}" if cur else name
            listing[rel] = rec(rel, kind, stat.S_IMODE(mode), uid, gid, size or None)
            if kind == "dir":
                nxt.append(rel)
        todo = nxt
    devs = [p for p, r in listing.items() if r["kind"] in ("chardev", "blockdev")]
    if devs:
        cf = os.path.join(work, "debugfs.cmd")
        open(cf, "w").write("".join(f'stat "/{p}"\n' for p in devs))
        out = run(["debugfs", "-f", cf, image], text=True).stdout
        cur = None
        for ln in out.splitlines():
            if ln.startswith("debugfs: stat "):
                cur = ln[len('debugfs: stat "/'):-1]
            m = re.search(r"Device major/minor number: ([0-9a-f]+):([0-9a-f]+) \(hex", ln)
            if m and cur in listing:
                listing[cur]["dev"] = (int(m.group(1)), int(m.group(2)))
    d = tempfile.mkdtemp(dir=work)
    run(["debugfs", "-R", f"rdump / {d}", image])
    tree = walk_tree(d)
    add_hashes(listing, tree)
    for p, r in listing.items():
        if r["kind"] == "symlink" and p in tree and "target" in tree[p]:
            r["target"] = tree[p]["target"]
    shutil.rmtree(d)
    return listing


def native_zip_squashfs(zipf, member, offset, work):
    d = tempfile.mkdtemp(dir=work)
    run(["unzip", "-q", zipf, member, "-d", d])
    try:
        return native_squashfs(os.path.join(d, member), offset, work)
    finally:
        shutil.rmtree(d)


def native_kernel_sha256(image, gtf, work):
    """uImage image 0 is the zImage; its xz payload starts at kernel.xz_offset."""
    img0 = gtf["uimage"]["images"][0]
    start = img0["offset"] + gtf["kernel"]["xz_offset"]
    with open(image, "rb") as fh:
        fh.seek(start)
        blob = fh.read(img0["size"] - gtf["kernel"]["xz_offset"])
    p = subprocess.run(["xz", "-dc", "--single-stream"], input=blob, capture_output=True)
    return hashlib.sha256(p.stdout).hexdigest()


# ---------------------------------------------------------------- comparison

@dataclass
class Agreement:
    image: str
    reference: str
    root: str | None
    expected: int = 0
    found: int = 0
    matched: int = 0
    missing: list = field(default_factory=list)
    extra: list = field(default_factory=list)
    allowed_extra: list = field(default_factory=list)
    exact: dict = field(default_factory=dict)     # field -> (equal, compared)
    diffs: list = field(default_factory=list)     # (path, field, expected, found)
    note: str = ""

    @property
    def paths_agree(self):
        return not self.missing and not self.extra


def compare(image, reference, expected, found, root, allowed=(), skip_fields=(), note=""):
    a = Agreement(image, reference, root, note=note)
    found, expected = dict(found), dict(expected)
    for side in (found, expected):
        for p in list(side):
            if p in allowed or any(p.startswith(x + "/") for x in allowed):
                if side is found:
                    a.allowed_extra.append(p)
                del side[p]
    a.expected, a.found = len(expected), len(found)
    a.missing = sorted(expected.keys() - found.keys())
    a.extra = sorted(found.keys() - expected.keys())
    common = sorted(expected.keys() & found.keys())
    a.matched = len(common)
    for f in FIELDS:
        eq = n = 0
        for p in common:
            e, g = expected[p], found[p]
            if f in skip_fields or f not in e:
                continue
            n += 1
            if e[f] == g.get(f):
                eq += 1
            else:
                a.diffs.append((p, f, e[f], g.get(f, "—")))
        a.exact[f] = (eq, n)
    return a


def fmt_val(f, v):
    if f == "mode" and isinstance(v, int):
        return f"{v:04o}"
    if f == "sha256" and isinstance(v, str) and len(v) == 64:
        return v[:12] + "…"
    return str(v)


def scan(assay, image, json_dir, jobs):
    out = os.path.join(json_dir, os.path.basename(image) + ".json")
    cmd = [assay, "scan", image, "-f", "json", "-o", out, "--no-progress", "--no-vulns"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.monotonic() - t
    if p.returncode not in (0, 1) or not os.path.exists(out):
        raise RuntimeError(f"assay scan {image} exited {p.returncode}: {p.stderr.strip()[-400:]}")
    return json.load(open(out)), dt


# ---------------------------------------------------------------- images

def images(corpus):
    gt = json.load(open(os.path.join(corpus, "ground-truth.json")))
    by = {f["path"]: f for f in gt["files"]}
    D = "debian-rootfs/"
    uim = by[D + "fw-router-armhf.uImage"]["uimage"]
    sq_off = uim["images"][1]["offset"]  # uImage image 1 = SquashFS, from the multi-file header
    zip_member = by[D + "vendor-bundle-EN-R100_2.4.1.zip"]["members"][0]
    return [
        # name, corpus path, subtree, allowed extra, native (label, fn) or None
        ("rootfs.tar.gz", D + "rootfs.tar.gz", None, (),
         ("tar -tvzf (+ tar -xzf for sha256)", lambda p, w: native_tar(p, w))),
        ("rootfs.cpio.gz", D + "rootfs.cpio.gz", None, (),
         ("cpio -tv (+ cpio -idm for sha256)", lambda p, w: native_cpio(p, w))),
        ("rootfs.ext4", D + "rootfs.ext4", None, ("lost+found",),
         ("debugfs ls -p + stat + rdump", lambda p, w: native_debugfs(p, w))),
        ("rootfs.ubi", D + "rootfs.ubi", None, (), None),
        ("config.jffs2", D + "config.jffs2", "/etc", (), None),
        ("fw-router-armhf.uImage", D + "fw-router-armhf.uImage", None, (),
         (f"unsquashfs -lln -o {sq_off} (+ unsquashfs -d for sha256)",
          lambda p, w: native_squashfs(p, sq_off, w))),
        ("vendor-bundle zip", D + "vendor-bundle-EN-R100_2.4.1.zip", None, (),
         (f"unzip + unsquashfs -lln -o {sq_off}",
          lambda p, w: native_zip_squashfs(p, zip_member, sq_off, w))),
    ], [(f["path"], f) for f in gt["files"] if "archive_members" in f]


def npm_check(corpus, relpath, gtf, evaluation, work):
    """archive_members of the ground truth + tar's own listing and member hashes."""
    image = os.path.join(corpus, relpath)
    flag = "-J" if relpath.endswith(".xz") else "-z"
    native = native_tar(image, work, flag)
    groups = assay_groups(evaluation)
    root = locate_root(groups, native)
    found = groups.get(root, {})
    a = compare(os.path.basename(relpath), "tar -tv" + flag[1] + "f (+ tar -x for sha256)",
                native, found, root)
    am = gtf["archive_members"]
    listed = [(x["name"], x["size"]) for x in am["largest"]]
    ok = sum(1 for n, s in listed if n in found and found[n].get("size") == s
             and found[n].get("sha256") == native.get(n, {}).get("sha256"))
    nfiles = sum(1 for r in found.values() if r["kind"] == "file")
    gta = Agreement(os.path.basename(relpath), "ground-truth archive_members", root)
    gta.expected, gta.found, gta.matched = len(listed), len([n for n, _ in listed if n in found]), ok
    gta.missing = [n for n, s in listed if n not in found]
    gta.note = (f"archive_members: count {am['count']}, files {am['files']}; Assay lists "
                f"{len(found)} entries ({nfiles} files); {ok}/{len(listed)} listed members with "
                f"name, size and sha256 (reference sha256 from extracting with tar; the ground truth has no member hashes)")
    for n, s in listed:
        if n in found and found[n].get("size") != s:
            gta.diffs.append((n, "size", s, found[n].get("size")))
    return [a, gta]


# ---------------------------------------------------------------- report

def table(results, scans):
    hdr = ("| image | reference | root in the evaluation | expected | found | matched | missing | extra "
           "| allowed extra | " + " | ".join(FIELDS) + " | paths agree |")
    lines = [hdr, "|" + " --- |" * (10 + len(FIELDS))]
    for a in results:
        cells = []
        for f in FIELDS:
            eq, n = a.exact.get(f, (0, 0))
            cells.append("—" if n == 0 else (f"{eq}/{n}" if eq == n else f"**{eq}/{n}**"))
        ok = "yes" if a.paths_agree else "**NO**"
        lines.append(f"| {a.image} | {a.reference} | `{a.root}` | {a.expected} | {a.found} | {a.matched} "
                     f"| {len(a.missing)} | {len(a.extra)} | {len(a.allowed_extra)} | "
                     + " | ".join(cells) + f" | {ok} |")
    return "\n".join(lines)


def details(results, limit=12):
    out = []
    for a in results:
        items = []
        if a.note:
            items.append(f"- note: {a.note}")
        if a.allowed_extra:
            items.append(f"- allowed extra: {', '.join(a.allowed_extra[:limit])}")
        if a.missing:
            items.append(f"- missing ({len(a.missing)}): " + ", ".join(f"`{p}`" for p in a.missing[:limit])
                         + (" …" if len(a.missing) > limit else ""))
        if a.extra:
            items.append(f"- extra ({len(a.extra)}): " + ", ".join(f"`{p}`" for p in a.extra[:limit])
                         + (" …" if len(a.extra) > limit else ""))
        if a.diffs:
            by = {}
            for p, f, e, g in a.diffs:
                by.setdefault(f, []).append((p, e, g))
            for f, rows in by.items():
                items.append(f"- {f} differs ({len(rows)}): " + "; ".join(
                    f"`{p}` expected {fmt_val(f, e)} got {fmt_val(f, g)}" for p, e, g in rows[:limit // 2])
                    + (" …" if len(rows) > limit // 2 else ""))
        if items:
            out.append(f"**{a.image} vs {a.reference}**\n\n" + "\n".join(items))
    return "\n\n".join(out) if out else "No differences."


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--assay", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out")
    ap.add_argument("--work", default="/dev/shm" if os.path.isdir("/dev/shm") else None)
    ap.add_argument("--json-dir")
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--no-native", action="store_true", help="ground truth only")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="assay-eval-files.", dir=args.work)
    json_dir = args.json_dir or os.path.join(work, "json")
    os.makedirs(json_dir, exist_ok=True)
    results, scans, errors, kernel_rows, outside = [], {}, {}, {}, {}
    fs_images, npm = images(args.corpus)
    gtj = json.load(open(os.path.join(args.corpus, "ground-truth.json")))
    uim_gt = next(f for f in gtj["files"] if f["path"].endswith("fw-router-armhf.uImage"))
    kernel = uim_gt["kernel"]
    kernel_sha = native_kernel_sha256(os.path.join(args.corpus, uim_gt["path"]), uim_gt, work)
    try:
        for name, relpath, subtree, allowed, native in fs_images:
            if args.only and name not in args.only:
                continue
            image = os.path.join(args.corpus, relpath)
            ev, dt = scan(args.assay, image, json_dir, args.jobs)
            scans[name] = dt
            errors[name] = ev.get("errors", [])
            kernel_rows[name] = [f for f in ev["files"] if f.get("size") == kernel["decompressed_size"]]
            groups = assay_groups(ev)
            gt = manifest(args.corpus, subtree)
            root = locate_root(groups, gt)
            outside[name] = [f for f in ev["files"] if f.get("format") and f["path"] + "!/" != root
                             and not (root or "").startswith(f["path"] + "!/")]
            found = groups.get(root, {})
            results.append(compare(name, "ground truth" + (f" ({subtree} subtree)" if subtree else ""),
                                   gt, found, root, allowed))
            if native and not args.no_native:
                label, fn = native
                try:
                    listing = fn(image, work)
                except (subprocess.CalledProcessError, FileNotFoundError) as e:
                    a = Agreement(name, label, root, note=f"native tool failed: {e}")
                    results.append(a)
                    continue
                # rdump writes no device nodes, and ls -p gives no symlink size: compare what it has
                results.append(compare(name, label, listing, found, root, allowed))
            print(f"[{name}] done in {dt:.1f}s", file=sys.stderr)
        for relpath, gtf in npm:
            name = os.path.basename(relpath)
            if args.only and name not in args.only:
                continue
            ev, dt = scan(args.assay, os.path.join(args.corpus, relpath), json_dir, args.jobs)
            scans[name] = dt
            errors[name] = ev.get("errors", [])
            results.extend(npm_check(args.corpus, relpath, gtf, ev, work))
            print(f"[{name}] done in {dt:.1f}s", file=sys.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ver = subprocess.run([args.assay, "--version"], capture_output=True, text=True).stdout.strip()
    head = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    md = [
        "# File-list agreement: `assay scan` vs ground truth and Debian's own tools",
        "",
        f"Generated {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by `eval/files/run.sh` "
        f"(assay {ver}, repo HEAD {head}).",
        "",
        "Cells are exact matches / entries compared for that field (only entries present on both sides "
        "and for which the reference has the field: size and sha256 for files, target for symlinks, "
        "dev = major/minor for devices). **Bold** = some differ. `expected` counts the reference's entries "
        "below the root (root entry itself not counted); `allowed extra` = per-format extras from "
        "corpus/README.md (ext4 lost+found).",
        "",
        table(results, scans),
        "",
        "## Differences",
        "",
        details(results),
        "",
        "## Errors reported by Assay (`errors` of the evaluation)",
        "",
    ]
    for name, errs in errors.items():
        if not errs:
            md.append(f"- {name}: none")
            continue
        cats = {}
        for e in errs:
            cats.setdefault((e.get("handler"), e.get("category")), []).append(e)
        md.append(f"- {name}: {len(errs)} — " + "; ".join(
            f"{h}/{c} ×{len(v)} (e.g. `{v[0]['path']}`: {v[0]['message'][:120]})" for (h, c), v in cats.items()))
    md += ["", "## Other containers Assay opened (not on the path to the root)", "",
           "Carves and nested containers outside the filesystem root's chain, with the size Assay "
           "claimed for them (the ground truth lists none besides the kernel).", ""]
    for name, rows in outside.items():
        md.append(f"- {name}: " + ("none" if not rows else "; ".join(
            f"`{r['path']}` ({r['format']}, {r.get('size', '?')} B)" for r in rows)))
    md += ["", "## Kernel (uImage image 0: zImage > xz > Image)", "",
           f"Ground truth: decompressed size {kernel['decompressed_size']}, `xz -dc` of the zImage payload at "
           f"{kernel['xz_offset']} has sha256 {kernel_sha}.", ""]
    for name in ("fw-router-armhf.uImage", "vendor-bundle zip"):
        if name not in kernel_rows:
            continue
        rows = [r for r in kernel_rows[name] if r.get("sha256") == kernel_sha]
        md.append(f"- {name}: " + (f"found, `{rows[0]['path']}` ({rows[0]['size']} bytes, sha256 equal)"
                                   if rows else "**not found** with that size and sha256"))
    md.append("")
    text = "\n".join(md)
    print(text)
    if args.out:
        open(args.out, "w").write(text)
    bad = [a for a in results if not a.paths_agree]
    if bad:
        print("path sets disagree: " + ", ".join(f"{a.image} vs {a.reference}" for a in bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
