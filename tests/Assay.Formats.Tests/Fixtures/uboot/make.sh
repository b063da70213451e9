#!/bin/sh
# U-Boot legacy images made with mkimage (u-boot-tools 2023.01) over payloads written here.
# SOURCE_DATE_EPOCH fixes ih_time, so the images are reproducible.
set -eu
cd "$(dirname "$0")"
export SOURCE_DATE_EPOCH=1700000000

# payloads: text (so they compress), sizes chosen so image 1 of the multi image is not 4-aligned
seq 1 1000 | sed 's/^/kernel line /' > kernel.bin                 # 15893 bytes
seq 1 700 | sed 's/^/rootfs entry /' | head -c 5001 > rootfs.bin   # 5001 bytes
printf 'setenv bootargs console=ttyS0,115200\nbootm 0x80008000\n' > boot.txt
gzip -n -9 -c kernel.bin > kernel.bin.gz

mkimage -A arm -O linux -T kernel -C none -a 0x80008000 -e 0x80008000 -n "Test Kernel 1.0" -d kernel.bin kernel-none.img
mkimage -A arm -O linux -T kernel -C gzip -a 0x80008000 -e 0x80008000 -n "Test Kernel 1.0" -d kernel.bin.gz kernel-gzip.img
mkimage -A arm -O linux -T multi -C none -a 0x80008000 -e 0x80008000 -n "Test Multi 2.0" -d kernel.bin:rootfs.bin:kernel.bin.gz multi.img
mkimage -A arm -O linux -T script -C none -n "boot script" -d boot.txt script.img

# a flash dump: 4 KiB of 0xff, the gzip image, 0xff padding to 64 KiB, the multi image
{ head -c 4096 /dev/zero | tr '\0' '\377'; cat kernel-gzip.img; } > flash.bin
size=$(stat -c %s flash.bin); head -c $((65536 - size)) /dev/zero | tr '\0' '\377' >> flash.bin
cat multi.img >> flash.bin
