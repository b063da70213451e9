#!/bin/sh
# Recipe for the JFFS2 fixtures (mtd-utils 2.1.5 mkfs.jffs2, run as root) from the tree of
# ../ubifs/tree.sh, 16 KiB erase blocks:
#   le.jffs2 / be.jffs2   little / big endian, default compressors (zlib, rtime)
#   lzo.jffs2             lzo enabled and preferred; none.jffs2: no compression
#   rtime.jffs2           zlib disabled (rtime where it helps); padded.jffs2: -p, padded with 0xFF
# expected.txt is the tree's listing, except dev/big (300,70000): mkfs.jffs2 stores the 16-bit old
# encoding ((major << 8) + (minor & 0xff)) & 0xffff, i.e. 61,112.
# edit.jffs2 is written node by node by edit.py (little endian): newer versions overwriting older
# data, a truncation, an unlink, a rename, a hole, lzma and lzo-free nodes, a 32-bit device number,
# an obsolete node and a node with a bad CRC; edit.txt is its listing.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
../ubifs/tree.sh "$tmp/root" "$tmp/listing.txt"
sed 's#^\(dev/big\tchardev\t[0-9]*\t[0-9]*\t[0-9]*\t[0-9]*\t\)300,70000$#\161,112#' "$tmp/listing.txt" > expected.txt
mkfs.jffs2 -l -e 16KiB -r "$tmp/root" -o le.jffs2
mkfs.jffs2 -b -e 16KiB -r "$tmp/root" -o be.jffs2
mkfs.jffs2 -l -e 16KiB -X lzo -y 90:lzo -r "$tmp/root" -o lzo.jffs2
mkfs.jffs2 -l -e 16KiB -m none -r "$tmp/root" -o none.jffs2
mkfs.jffs2 -l -e 16KiB -x zlib -r "$tmp/root" -o rtime.jffs2
mkfs.jffs2 -l -e 16KiB -p -r "$tmp/root" -o padded.jffs2
python3 edit.py edit.jffs2 > edit.txt
ls -l *.jffs2
