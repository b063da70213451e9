#!/bin/sh
# Stand-in ARM zImages: the zImage header words of arch/arm/boot/compressed/head.S (8 "mov r0, r0",
# a branch, magic 0x016f2818, start 0, end, endianness flag), 256 bytes of "decompressor code",
# the compressed kernel, its 4-byte size (the kernel's size_append) and 32 bytes of GOT-like zeros.
# The kernel is text written here. xz as the kernel's Makefile does it (crc32 check).
set -eu
cd "$(dirname "$0")"
seq 1 3000 | sed 's/^/Linux version 6.1.0-test line /' | head -c 40000 > Image
xz -z -c --check=crc32 -9 Image > Image.xz
gzip -n -9 -c Image > Image.gz

le32() { printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)))"; }

make_zimage() { # payload output
	size=$(( 0x30 + 256 + $(stat -c %s "$1") + 4 + 32 ))
	{
		i=0; while [ $i -lt 8 ]; do le32 $((0xe1a00000)); i=$((i + 1)); done
		le32 $((0xea000003))          # b past the header words
		le32 $((0x016f2818))          # 0x24 magic
		le32 0                        # 0x28 start
		le32 $size                    # 0x2c end
		le32 $((0x04030201))          # 0x30 endianness flag ... counted in the 256 code bytes below
		i=0; while [ $i -lt 63 ]; do le32 $((0xe1a00000)); i=$((i + 1)); done
		cat "$1"
		le32 40000
		head -c 32 /dev/zero
	} > "$2"
}
make_zimage Image.xz zImage-xz
make_zimage Image.gz zImage-gz
