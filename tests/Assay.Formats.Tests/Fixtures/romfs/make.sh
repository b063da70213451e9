#!/usr/bin/env bash
# romfs images by genromfs 0.5.2 (Debian package genromfs) from a tree this script writes.
# expected.txt is the tree as find(1) lists it from the source folder (genromfs' input is the
# independent answer: romfs has no lister in Debian): path, type, size, sha256, link target.
# Modes are not compared with the source: romfs keeps only an executable bit (see the handler).
# Run: bash make.sh
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work && mkdir -p work/root/etc/init.d work/root/bin work/root/empty work/root/dev
printf 'root:x:0:0:root:/root:/bin/sh\n' > work/root/etc/passwd
printf '#!/bin/sh\nexit 0\n' > work/root/etc/init.d/rcS && chmod 755 work/root/etc/init.d/rcS
head -c 5000 /dev/zero | tr '\0' 'x' > work/root/bin/data.bin
: > work/root/etc/empty.conf
ln -s ../etc/passwd work/root/bin/passwd-link
ln work/root/etc/passwd work/root/etc/passwd-hard
mknod work/root/dev/console c 5 1
mknod work/root/dev/mtdblock0 b 31 0
mkfifo work/root/dev/initctl
genromfs -f plain.romfs -d work/root -V "assay test"
genromfs -f aligned.romfs -d work/root -V aligned -a 64
(cd work/root && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
  if [ -L "$p" ]; then echo "${p#./} symlink $(readlink "$p")"
  elif [ -d "$p" ]; then echo "${p#./} dir"
  elif [ -c "$p" ]; then echo "${p#./} chardev $(stat -c '%t %T' "$p")"
  elif [ -b "$p" ]; then echo "${p#./} blockdev $(stat -c '%t %T' "$p")"
  elif [ -p "$p" ]; then echo "${p#./} fifo"
  else echo "${p#./} file $(stat -c %s "$p") $(sha256sum < "$p" | cut -d' ' -f1) $(stat -c %h "$p")"; fi
done) > expected.txt
rm -rf work
