#!/usr/bin/env python3
"""Writes a synthetic raw flash dump for bench/formats: the issue-19 formats of the test fixtures
(tests/Assay.Formats.Tests/Fixtures, each made by its own committed recipe) and a SquashFS root made
by mksquashfs from a generated tree, laid one after another at 4 KiB-aligned offsets, with the
regions a real dump has between them: erased flash (0xff), zero fill and high-entropy data
(encrypted or an unknown compressor). Deterministic: the same bytes on every machine with the same
mksquashfs. Prints the layout (offset, length, what) as TSV on stdout.

usage: make_dump.py OUT SQUASHFS_IMAGE [SIZE_MIB]
"""
import hashlib
import os
import sys

OUT, SQUASHFS = sys.argv[1], sys.argv[2]
SIZE = int(sys.argv[3]) * (1 << 20) if len(sys.argv) > 3 else 64 << 20
FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Assay.Formats.Tests", "Fixtures")
ALIGN = 4096


def fixture(rel):
    with open(os.path.join(FIX, rel), "rb") as f:
        return f.read()


def random_bytes(n, seed):
    out, h = bytearray(), seed.encode()
    while len(out) < n:
        h = hashlib.sha512(h).digest()
        out += h
    return bytes(out[:n])


with open(SQUASHFS, "rb") as f:
    rootfs = f.read()

parts = [
    ("trx v1 (gzip kernel + squashfs)", fixture("vendor/trx-v1.trx")),
    ("erased", b"\xff" * (2 << 20)),
    ("squashfs root (mksquashfs)", rootfs),
    ("erased", b"\xff" * (1 << 20)),
    ("high entropy (encrypted)", random_bytes(6 << 20, "encrypted")),
    ("lz4 legacy kernel", fixture("streams/kernel.lz4")),
    ("bzip2 stream", fixture("streams/payload.bin.bz2")),
    ("xz stream", fixture("streams/payload.bin.xz")),
    ("gzip stream", fixture("streams/payload.bin.gz")),
    ("zero fill", bytes(1 << 20)),
    ("cramfs (little-endian)", fixture("cramfs/le.cramfs")),
    ("romfs", fixture("romfs/plain.romfs")),
    ("yaffs2 (2 KiB pages)", fixture("yaffs2/page2k.yaffs2")),
    ("android boot v2", fixture("androidboot/boot-v2.img")),
    ("netgear chk", fixture("vendor/netgear.chk")),
    ("d-link seama", fixture("vendor/dlink.seama")),
    ("tp-link v1", fixture("vendor/tplink-v1.bin")),
    ("erased", b"\xff" * (512 << 10)),
    ("high entropy (unknown)", random_bytes(1 << 20, "unknown")),
]
with open(OUT, "wb") as out:
    pos = 0
    for what, data in parts:
        print(f"{pos}\t{len(data)}\t{what}")
        out.write(data)
        pos += len(data)
        pad = -pos % ALIGN
        out.write(b"\xff" * pad)
        pos += pad
    if pos < SIZE:
        print(f"{pos}\t{SIZE - pos}\terased (to the end of the chip)")
        out.write(b"\xff" * (SIZE - pos))
