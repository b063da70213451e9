#!/bin/sh
# Android sparse image made with img2simg (android-sdk-libsparse-utils) from raw.img, a 64 KiB
# image written here with 1 KiB blocks: data, a run of one repeated 32-bit value (a FILL chunk),
# zeros (img2simg writes them as FILL 0) and a last data block.
set -eu
cd "$(dirname "$0")"
rm -f raw.img
seq 1 2000 | sed 's/^/sparse data line /' | head -c 3072 > raw.img          # blocks 0-2: data
head -c 4096 /dev/zero | tr '\0' '\252' >> raw.img                           # blocks 3-6: 0xaa
truncate -s 64512 raw.img                                                    # blocks 7-62: zeros
seq 1 300 | sed 's/^/tail line /' | head -c 1024 >> raw.img                  # block 63: data
img2simg raw.img sparse.simg 1024
