#!/bin/sh
# FIT images made with mkimage (u-boot-tools 2023.01, which runs dtc 1.6.1) from image.its.
# SOURCE_DATE_EPOCH fixes the /timestamp property.
set -eu
cd "$(dirname "$0")"
export SOURCE_DATE_EPOCH=1700000000

seq 1 500 | sed 's/^/fit kernel line /' > kernel.bin
seq 1 300 | sed 's/^/ramdisk record /' | head -c 3003 > ramdisk.bin
printf '/dts-v1/;\n/ { model = "fit test board"; compatible = "assay,fit-board"; };\n' > board.dts
dtc -q -I dts -O dtb -o board.dtb board.dts

mkimage -f image.its embedded.itb                 # data = [...] inside the tree
mkimage -E -f image.its external.itb              # data-offset/data-size after the tree
mkimage -E -p 0x1000 -f image.its position.itb    # data-position/data-size, tree padded to 0x1000
