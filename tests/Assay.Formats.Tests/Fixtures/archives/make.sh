#!/usr/bin/env bash
# Makes the archive and compressor fixtures from a small tree this script writes.
# Tools: tar, cpio, zip, 7z (p7zip-full), gzip, bzip2, xz, zstd, lz4, python3 (Debian 12 packages).
# Run from this folder: bash make.sh. Timestamps are fixed so reruns give the same trees.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work && mkdir -p work/tree/etc/config work/tree/bin work/tree/empty
export TZ=UTC SOURCE_DATE_EPOCH=1793491200
printf 'root:x:0:0:root:/root:/bin/sh\n' > work/tree/etc/passwd
printf 'option lan 192.168.1.1\n' > work/tree/etc/config/network
head -c 70000 /dev/zero | tr '\0' 'A' > work/tree/bin/big.dat
printf '\x7fELF\x01\x01\x01\x00' > work/tree/bin/tiny.elf
: > work/tree/etc/empty.conf
ln -sf ../etc/passwd work/tree/bin/passwd-link
chmod 4755 work/tree/bin/tiny.elf
chmod 0600 work/tree/etc/passwd
find work/tree -exec touch -h -d @1793491200 {} +
(cd work/tree && find . | sort > ../../expected-tree.txt)

# tar: GNU, ustar (POSIX), pax with a long name
tar --sort=name --owner=0 --group=0 --numeric-owner --format=gnu -C work/tree -cf tree-gnu.tar .
tar --sort=name --owner=0 --group=0 --numeric-owner --format=ustar -C work/tree -cf tree-ustar.tar .
mkdir -p "work/long/$(printf 'd%.0s' {1..120})"
echo long > "work/long/$(printf 'd%.0s' {1..120})/$(printf 'f%.0s' {1..110}).txt"
tar --sort=name --owner=0 --group=0 --numeric-owner --format=pax -C work/long -cf long-pax.tar .
tar --sort=name --owner=0 --group=0 --numeric-owner --format=gnu -C work/long -cf long-gnu.tar .
# sparse: 1 MiB file with 3 bytes of data in the middle (GNU old sparse and pax 1.0)
python3 -c "
f=open('work/sparse.bin','wb'); f.seek(512*1024); f.write(b'abc'); f.truncate(1<<20)"
tar --sparse --format=gnu -C work -cf sparse-gnu.tar sparse.bin
tar --sparse --format=pax --sparse-version=1.0 -C work -cf sparse-pax.tar sparse.bin

# cpio: newc, crc, odc, old binary
(cd work/tree && find . | sort | cpio --quiet -o -H newc --reproducible > ../../tree-newc.cpio)
(cd work/tree && find . | sort | cpio --quiet -o -H crc --reproducible > ../../tree-crc.cpio)
(cd work/tree && find . | sort | cpio --quiet -o -H odc --reproducible > ../../tree-odc.cpio)
(cd work/tree && find . | sort | cpio --quiet -o -H bin --reproducible > ../../tree-bin.cpio)

# zip: deflate, stored, bzip2; 7z
rm -f tree-deflate.zip tree-stored.zip tree-bzip2.zip tree.7z
(cd work/tree && zip -q -X -r -y ../../tree-deflate.zip .)
(cd work/tree && zip -q -X -r -y -0 ../../tree-stored.zip .)
(cd work/tree && zip -q -X -r -y -Z bzip2 ../../tree-bzip2.zip .)
(cd work/tree && 7z a -bd -bso0 ../../tree.7z . >/dev/null)

# zip methods 9 (deflate64) and 14 (lzma) written by 7-Zip; zip64 records forced by Info-ZIP
rm -f tree-deflate64.zip tree-lzma.zip tree-zip64.zip
(cd work/tree && 7z a -tzip -mm=Deflate64 -bd -bso0 ../../tree-deflate64.zip . >/dev/null)
(cd work/tree && 7z a -tzip -mm=LZMA -bd -bso0 ../../tree-lzma.zip . >/dev/null)
(cd work/tree && zip -q -X -r -y -fz ../../tree-zip64.zip .)
# old binary cpio, big-endian (as a big-endian machine writes it): 16-bit words swapped
python3 - <<'P'
import struct
def entry(name, mode, data, ino):
    name_b = name.encode() + b"\0"
    size = len(data)
    hdr = struct.pack(">13H", 0o070707, 0, ino, mode, 0, 0, 1, 0, 0x6ae6, 0x7000, len(name_b), size >> 16, size & 0xffff)
    out = hdr + name_b + (b"\0" if len(name_b) % 2 else b"")
    return out + data + (b"\0" if size % 2 else b"")
blob = entry("etc", 0o040755, b"", 1) + entry("etc/passwd", 0o100600, b"root:x:0:0:root:/root:/bin/sh\n", 2) + entry("TRAILER!!!", 0, b"", 0)
open("tree-bin-be.cpio", "wb").write(blob)
P

# single-stream compressors over the GNU tar
gzip -9 -n -c tree-gnu.tar > tree.tar.gz
bzip2 -9 -c tree-gnu.tar > tree.tar.bz2
xz -c tree-gnu.tar > tree.tar.xz
xz --format=lzma -c tree-gnu.tar > tree.tar.lzma
zstd -q -19 -c tree-gnu.tar > tree.tar.zst
lz4 -q -c tree-gnu.tar > tree.tar.lz4

# nested chain: zip > tar.xz > cpio > gz
mkdir -p work/chain/inner work/chain/mid
echo 'deep inside' > work/chain/inner/deep.txt
(cd work/chain/inner && echo deep.txt | cpio --quiet -o -H newc --reproducible > ../inner.cpio)
gzip -n -c work/chain/inner.cpio > work/chain/mid/inner.cpio.gz
tar --owner=0 --group=0 --format=gnu -C work/chain/mid -cJf work/chain/mid.tar.xz inner.cpio.gz
rm -f chain.zip && (cd work/chain && zip -q -X chain.zip mid.tar.xz && mv chain.zip ../../chain.zip)

# hostile archives crafted byte by byte
python3 make_hostile.py
rm -rf work
