#!/usr/bin/env bash
# Compressed streams with their real tools, for the trailing-data and exact-end tests (issue 19).
# Tools: bzip2, lz4 (1.9.4), gzip, xz, python3 (Debian 12 packages). Run from anywhere: bash make.sh.
# The payloads are made by a seeded generator, so reruns give the same bytes; expected.txt holds
# each payload's sha256 and size as sha256sum and stat give them (the independent answer).
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work && mkdir work
python3 - <<'PY'
import random
r = random.Random(19)
words = [bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(2, 9))) for _ in range(400)]
def text(n):
    out = bytearray()
    while len(out) < n:
        out += r.choice(words) + (b"\n" if r.random() < 0.1 else b" ")
    return bytes(out[:n])
open("work/payload.bin", "wb").write(text(200_000))
# 9 MiB + 1: two legacy blocks (8 MiB, then a short one); a 60000-byte period keeps it small compressed
period = text(60_000)
open("work/big.bin", "wb").write((period * 160)[:9 * 1024 * 1024 + 1])
PY
bzip2 -9 -c work/payload.bin > payload.bin.bz2
# two streams back to back, as pbzip2 writes them
head -c 100000 work/payload.bin | bzip2 -1 -c > work/a.bz2
tail -c +100001 work/payload.bin | bzip2 -1 -c > work/b.bz2
cat work/a.bz2 work/b.bz2 > payload.multi.bz2
lz4 -q -9 -f work/payload.bin payload.bin.lz4
lz4 -q -l -9 -f work/payload.bin payload.bin.legacy.lz4
lz4 -q -l -9 -f work/big.bin big.bin.legacy.lz4
# the kernel's way: lz4 -l then the decompressed size as 4 little-endian bytes (scripts/Makefile.lib size_append)
{ lz4 -q -l -c1 work/payload.bin; python3 -c "import sys,struct; sys.stdout.buffer.write(struct.pack('<I', 200000))"; } > kernel.lz4
# lz4 1.9.4 itself stops at the trailer with "Error 53: cannot access compressed block" (it reads it as a block size);
# the kernel's decoder (lib/decompress_unlz4.c) is given the input length and does not.
gzip -9 -n -c work/payload.bin > payload.bin.gz
xz -6 -c work/payload.bin > payload.bin.xz
(cd work && sha256sum payload.bin big.bin && stat -c '%n %s' payload.bin big.bin) > expected.txt
rm -rf work
