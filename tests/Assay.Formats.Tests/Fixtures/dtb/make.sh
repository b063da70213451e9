#!/bin/sh
# Device tree blob made with dtc 1.6.1 from board.dts (written here).
set -eu
cd "$(dirname "$0")"
dtc -I dts -O dtb -o board.dtb board.dts
