#!/bin/sh
# Recipe for the LZO fixtures: deterministic inputs (python3, seeded) compressed with lzop
# (Debian lzop 1.04, LZO1X-1 at -1 and LZO1X-999 at -9). expected.txt lists each input's
# size and sha256; the tests check the decompressed bytes against it.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import random, sys, os
d = sys.argv[1]
r = random.Random(20261125)
words = "ubi ubifs jffs2 erase block volume leb peb inode dentry node crc sqnum flash nand".split()
def w(name, data):
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)
w("empty.bin", b"")
w("hello.txt", b"hello\n")
w("abc.txt", b"abc")
w("text.txt", " ".join(r.choice(words) for _ in range(8000)).encode() + b"\n")
# long runs (2 lzop blocks of 256 KiB): zero runs, byte runs, a short repeating pattern
w("runs.bin", b"\0" * 100000 + b"A" * 70000 + b"0123456789abcdef" * 6000 + b"\xff" * 5)
# incompressible random bytes (lzop stores this block as-is)
w("random.bin", bytes(r.getrandbits(8) for _ in range(20000)))
# random then the same random again: long literal runs followed by long far matches
blk = bytes(r.getrandbits(8) for _ in range(9000))
w("mixed.bin", blk + b"x" * 300 + blk + blk[:4000] + " ".join(r.choice(words) for _ in range(3000)).encode())
PY
: > expected.txt
for f in empty.bin hello.txt abc.txt text.txt runs.bin random.bin mixed.bin; do
  lzop -1 -q -f -o "${f}.1.lzo" "$tmp/$f"
  lzop -9 -q -f -o "${f}.9.lzo" "$tmp/$f"
  printf '%s %s %s\n' "$f" "$(stat -c %s "$tmp/$f")" "$(sha256sum < "$tmp/$f" | cut -d' ' -f1)" >> expected.txt
done
cat expected.txt
