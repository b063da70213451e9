#!/bin/sh
# Recipe for the UBI fixtures (mtd-utils 2.1.5 ubinize): ../ubifs/lzo.ubifs as dynamic volume
# "rootfs", a static volume "kernel" (kernel.bin below, 40000 bytes over 3 LEBs), and an empty
# dynamic volume "data". 16 KiB PEBs, min I/O 1 (NOR): vid_hdr_offset 64, data_offset 128.
# nand.ubi: the tree of ../ubifs/tree.sh in UBIFS with 15360-byte LEBs and 1024-byte pages, in a
# UBI image with 512-byte sub-pages (vid_hdr_offset 512, data_offset 1024), volume "rootfs".
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -c "import random,sys; r=random.Random(5); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(40000)))" > "$tmp/kernel.bin"
cat > "$tmp/ubi.ini" <<INI
[kernel]
mode=ubi
image=$tmp/kernel.bin
vol_id=0
vol_type=static
vol_name=kernel
[rootfs]
mode=ubi
image=../ubifs/lzo.ubifs
vol_id=1
vol_type=dynamic
vol_size=1MiB
vol_name=rootfs
[data]
mode=ubi
vol_id=2
vol_type=dynamic
vol_size=64KiB
vol_name=data
vol_flags=autoresize
INI
ubinize -o nor.ubi -p 16KiB -m 1 -Q 305419896 "$tmp/ubi.ini"
printf 'kernel.bin %s %s\n' "$(stat -c %s "$tmp/kernel.bin")" "$(sha256sum < "$tmp/kernel.bin" | cut -d' ' -f1)" > expected.txt
cat > "$tmp/nand.ini" <<INI
[rootfs]
mode=ubi
image=$tmp/nand.ubifs
vol_id=0
vol_type=dynamic
vol_name=rootfs
INI
../ubifs/tree.sh "$tmp/root" "$tmp/listing.txt"
mkfs.ubifs -q -r "$tmp/root" -m 1024 -e 15360 -c 64 -x zlib -o "$tmp/nand.ubifs"
ubinize -o nand.ubi -p 16KiB -m 1024 -s 512 -Q 305419896 "$tmp/nand.ini"
cat expected.txt
ls -l *.ubi
