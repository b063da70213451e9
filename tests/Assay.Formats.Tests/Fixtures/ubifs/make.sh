#!/bin/sh
# Recipe for the UBIFS fixtures (mtd-utils 2.1.5 mkfs.ubifs, run as root): the tree of tree.sh
# in one image per compressor. Geometry: min I/O 8 bytes, 16256-byte LEBs (a 16 KiB NOR PEB
# under UBI with data_offset 128), so the images stay small. expected.txt is the tree's listing.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
./tree.sh "$tmp/root" expected.txt
for c in lzo zlib zstd none; do
  mkfs.ubifs -q -r "$tmp/root" -m 8 -e 16256 -c 64 -x "$c" -o "$c.ubifs"
done
# favor_lzo mixes lzo and zlib nodes in one image
mkfs.ubifs -q -r "$tmp/root" -m 8 -e 16256 -c 64 -x favor_lzo -X 5 -o mixed.ubifs
ls -l *.ubifs
