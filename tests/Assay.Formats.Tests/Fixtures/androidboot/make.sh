#!/usr/bin/env bash
# Android boot images by AOSP mkbootimg (Debian package mkbootimg 29.0.6): header v0, v1, v2, v3, and
# a vendor_boot v3; the listing to compare with is unpack_bootimg's output (boot images) and the
# input files themselves (expected.txt: sha256sum of each part). Tools: mkbootimg, cpio, gzip, python3.
# Run: bash make.sh
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work && mkdir -p work/root/etc work/vroot/lib/modules
printf 'Linux version 6.1.0-android (builder) #1 SMP PREEMPT\n%.0s' {1..200} | gzip -9 -n > work/kernel
printf 'on init\n    mkdir /dev/socket\n' > work/root/init.rc
printf 'ro.build.version.release=14\n' > work/root/etc/prop.default
printf 'vendor module\n' > work/vroot/lib/modules/wlan.ko
(cd work/root && find . | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible | gzip -9 -n) > work/ramdisk
(cd work/vroot && find . | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible | gzip -9 -n) > work/vendor_ramdisk
cp ../dtb/board.dtb work/dtb
printf 'second stage\n' > work/second
cp ../dtb/board.dtb work/dtbo
# Debian's mkbootimg 29.0.6 divides with "/" in get_number_of_pages (Python 2 code under Python 3),
# which breaks header v1 and v2; it is run with that one function replaced by integer division.
mkbootimg() {
  python3 -c 'import runpy, sys
g = runpy.run_path("/usr/bin/mkbootimg", run_name="mkbootimg")
g["main"].__globals__["get_number_of_pages"] = lambda size, page: (size + page - 1) // page
sys.argv = ["mkbootimg"] + sys.argv[1:]
g["main"]()' "$@"
}
common=(--kernel work/kernel --ramdisk work/ramdisk --os_version 14.0.0 --os_patch_level 2024-06)
mkbootimg "${common[@]}" --header_version 0 --second work/second --board assay --cmdline "console=ttyS0" --pagesize 2048 -o boot-v0.img
mkbootimg "${common[@]}" --header_version 1 --recovery_dtbo work/dtbo --cmdline "console=ttyS0" --pagesize 4096 -o boot-v1.img
mkbootimg "${common[@]}" --header_version 2 --dtb work/dtb --cmdline "console=ttyS0" -o boot-v2.img
mkbootimg "${common[@]}" --header_version 3 --cmdline "console=ttyS0" -o boot-v3.img
mkbootimg --header_version 3 --vendor_boot vendor_boot-v3.img --vendor_ramdisk work/vendor_ramdisk --dtb work/dtb --vendor_cmdline "androidboot.hardware=assay" --board assay
for v in 0 1 2 3; do unpack_bootimg --boot_img boot-v$v.img --out work/unpacked-v$v > /dev/null; done
(cd work && sha256sum kernel ramdisk second dtb dtbo vendor_ramdisk && for v in 0 1 2 3; do (cd unpacked-v$v && for f in *; do echo "v$v $f $(sha256sum < "$f" | cut -d' ' -f1)"; done); done) > expected.txt
rm -rf work
