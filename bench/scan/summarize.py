#!/usr/bin/env python3
"""timings.tsv of bench/scan/run.sh -> markdown tables (stdout).

usage: summarize.py TIMINGS.tsv ENV.txt [--baseline research/baselines/raw]
TSV rows: tool, image, run, rc, wall s, user s, sys s, max RSS KB, load1
          and "size, image, bytes".
"""
import argparse
import glob
import os
import re
import statistics

# bench/scan image name -> research/baselines/raw name of binwalk's runs
BASELINE = {
    "rootfs.tar.gz": "tar_gz", "rootfs.cpio.gz": "cpio_gz", "rootfs.ext4": "ext4",
    "fw-router-armhf.uImage": "uimage", "vendor-bundle zip": "zip", "rootfs.ubi": "ubi",
    "config.jffs2": "jffs2", "node-v18 .tar.xz": "node18_tar_xz", "sharp-libvips .tgz": "sharp_tgz",
    "node 10 ELF": "node10_elf", "esbuild ELF": "esbuild_elf", "mixed 1 GB .tar.gz": "big",
}
NATIVE = {
    "rootfs.tar.gz": "tar -xzf", "rootfs.cpio.gz": "gzip -dc | cpio -idm",
    "rootfs.ext4": "debugfs rdump", "fw-router-armhf.uImage": "dd + unsquashfs + xz -dc (kernel)",
    "vendor-bundle zip": "unzip + dd + unsquashfs + xz -dc", "rootfs.ubi": "none in Debian 12",
    "config.jffs2": "none in Debian 12", "node-v18 .tar.xz": "tar -xJf", "sharp-libvips .tgz": "tar -xzf",
    "node 10 ELF": "sha256sum (nothing to unpack)", "esbuild ELF": "sha256sum (nothing to unpack)",
    "mixed 1 GB .tar.gz": "tar -xzf", "startup (2-byte text file)": "cat",
}


class Runs:
    def __init__(self):
        self.wall, self.cpu, self.rss, self.rc, self.load = [], [], [], [], []
        self.baseline = False

    def add(self, wall, cpu, rss_kb, rc, load=None):
        self.wall.append(wall); self.cpu.append(cpu); self.rss.append(rss_kb / 1024); self.rc.append(rc)
        if load is not None:
            self.load.append(load)

    @property
    def ok(self):
        return bool(self.wall)

    def w(self):
        return statistics.median(self.wall)

    def c(self):
        return statistics.median(self.cpu)

    def r(self):
        return max(self.rss)


def parse_time_v(path):
    t = open(path).read()
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t)
    parts = [float(x) for x in m.group(1).split(":")]
    wall = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    u = float(re.search(r"User time \(seconds\): (\S+)", t).group(1))
    s = float(re.search(r"System time \(seconds\): (\S+)", t).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
    rc = int(re.search(r"Exit status: (\d+)", t).group(1)) if "Exit status" in t else 0
    return wall, u + s, rss, rc


def baseline(raw, name):
    r = Runs()
    r.baseline = True
    for f in sorted(glob.glob(os.path.join(raw, f"bw_{name}.run*.time"))):
        r.add(*parse_time_v(f))
    return r


def f1(x, nd=2):
    return "—" if x is None else f"{x:.{nd}f}"


def sec(x):
    """Seconds: milliseconds shown below one second (run.sh times the wall in ns)."""
    return f"{x:.3f}" if x < 1 else f"{x:.2f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.1f}x" if a / b >= 10 else f"{a / b:.2f}x"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tsv")
    ap.add_argument("env")
    ap.add_argument("--baseline")
    a = ap.parse_args()
    data, sizes, order = {}, {}, []
    for ln in open(a.tsv):
        p = ln.rstrip("\n").split("\t")
        if p[0] == "size":
            sizes[p[1]] = int(p[2])
            continue
        tool, img, run, rc, wall, u, s, rss, load = p
        if img not in order:
            order.append(img)
        data.setdefault((tool, img), Runs()).add(float(wall), float(u) + float(s), int(rss), int(rc), float(load))
    for img in order:
        if (("binwalk", img) not in data or not data["binwalk", img].ok) and a.baseline:
            b = baseline(a.baseline, BASELINE.get(img, "?"))
            if b.ok:
                data["binwalk", img] = b
    env = [ln[2:].strip() for ln in open(a.env) if ln.startswith("# ")]
    out = ["# bench/scan results", "", *[f"- {e}" for e in env], ""]
    out.append("Wall = median of the runs (min–max); CPU = median user+sys of the whole process tree "
               "(GNU time); RSS = largest peak resident set of the runs (one process). MB = 10^6 bytes; "
               "MB/s = input size / median wall. Ratios > 1 mean the other tool is slower than Assay "
               "for binwalk/assay, and Assay is slower for assay/native. `bl` = binwalk number from "
               "research/baselines/raw (2026-11-25, a 2-vCPU Intel Xeon VM: other hardware), not measured in this session.")
    out.append("")
    hdr = ["input", "MB", "assay wall s", "assay CPU s", "assay MB/s", "assay RSS MB", "native", "native wall s",
           "native CPU s", "native RSS MB", "binwalk wall s", "binwalk CPU s", "binwalk RSS MB",
           "assay/native wall", "assay/native CPU", "binwalk/assay wall", "binwalk/assay CPU", "rc", "load1"]
    out.append("| " + " | ".join(hdr) + " |")
    out.append("|" + " --- |" * len(hdr))
    for img in order:
        mb = sizes.get(img, 0) / 1e6
        A = data.get(("assay", img))
        Nt = data.get(("native", img))
        B = data.get(("binwalk", img))

        def cell(R, what):
            if R is None or not R.ok:
                return "—"
            tag = " bl" if R.baseline else ""
            if what == "wall":
                return f"{sec(R.w())} ({sec(min(R.wall))}–{sec(max(R.wall))}){tag}" if len(R.wall) > 1 else f"{sec(R.w())}{tag}"
            if what == "cpu":
                return f"{R.c():.2f}{tag}"
            return f"{R.r():.0f}{tag}"
        stopped = img.startswith("mixed") and B is not None and B.baseline
        aw = A.w() if A and A.ok else None
        ac = A.c() if A and A.ok else None
        rcs = sorted(set((A.rc if A else []) + (Nt.rc if Nt else []) + (B.rc if B and not B.baseline else [])))
        loads = (A.load if A else []) + (Nt.load if Nt else [])
        row = [img, f"{mb:.1f}", cell(A, "wall"), cell(A, "cpu"), f1(mb / aw if aw else None, 1), cell(A, "rss"),
               NATIVE.get(img, "?"), cell(Nt, "wall"), cell(Nt, "cpu"), cell(Nt, "rss"),
               cell(B, "wall"), cell(B, "cpu"), cell(B, "rss"),
               ratio(aw, Nt.w() if Nt and Nt.ok else None), ratio(ac, Nt.c() if Nt and Nt.ok else None),
               ("≥ " if stopped else "") + ratio(B.w() if B and B.ok else None, aw),
               ("≥ " if stopped else "") + ratio(B.c() if B and B.ok else None, ac),
               ",".join(map(str, rcs)), f1(statistics.median(loads), 1) if loads else "—"]
        out.append("| " + " | ".join(row) + " |")
    if any(img.startswith("mixed") for img in order) and ("binwalk", "mixed 1 GB .tar.gz") in data \
            and data["binwalk", "mixed 1 GB .tar.gz"].baseline:
        out += ["", "binwalk on the 1 GB file (baseline): stopped by hand at 155.6 s after writing 24.2 GB of "
                "false xz carves, 0 of 12,487 tar members recovered (research/baselines/raw/big.note.txt); it "
                "would not finish within the 5-minute budget, so it was not rerun. Its ratios are lower bounds (≥)."]
    floor = data.get(("floor", "mixed 1 GB .tar.gz"))
    if floor and floor.ok:
        A = data.get(("assay", "mixed 1 GB .tar.gz"))
        out += ["", f"Decompression floor of the 1 GB file, `gzip -dc > /dev/null`: wall {floor.w():.2f} s, "
                f"CPU {floor.c():.2f} s; Assay/floor: wall {ratio(A.w(), floor.w())}, CPU {ratio(A.c(), floor.c())}."]
    out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
