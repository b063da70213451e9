#!/usr/bin/env bash
# CramFS images by util-linux mkfs.cramfs 2.38 (Debian 12): little-endian, big-endian (-N big),
# with the 512-byte boot pad (-p) and with explicit holes (-z). expected.txt is what
# `fsck.cramfs --extract` (the independent reader) writes for the big-endian image, listed by
# find(1): path, type, mode, uid, gid, size, sha256 or link target or device numbers.
# Run as root (device nodes, owners): bash make.sh
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work && mkdir -p work/root/etc/init.d work/root/bin work/root/empty work/root/dev work/root/var
printf 'root:x:0:0:root:/root:/bin/sh\n' > work/root/etc/passwd
printf '#!/bin/sh\nexit 0\n' > work/root/etc/init.d/rcS && chmod 755 work/root/etc/init.d/rcS
python3 -c "
import random; r = random.Random(7)
open('work/root/bin/busybox', 'wb').write(bytes(r.getrandbits(8) for _ in range(9000)) + b'BusyBox v1.36.1' * 700)
open('work/root/var/sparse.bin', 'wb').write(b'head' + b'\0' * 20000 + b'tail')"
chmod 4755 work/root/bin/busybox
chown 1000:100 work/root/etc/passwd
: > work/root/etc/empty.conf
ln -s busybox work/root/bin/sh
ln -s /proc/mounts work/root/etc/mtab
mknod work/root/dev/console c 5 1
mknod work/root/dev/mtdblock0 b 31 0
mkfifo work/root/dev/initctl
mkfs.cramfs -N little -n assay-le work/root le.cramfs
mkfs.cramfs -N big -n assay-be work/root be.cramfs
mkfs.cramfs -N little -p -n assay-pad work/root padded.cramfs
mkfs.cramfs -N little -z -n assay-holes work/root holes.cramfs
# fsck.cramfs 2.38 refuses the holes flag (0x100) its own -z sets ("unsupported filesystem features"); Linux reads it.
for f in le be padded; do fsck.cramfs $f.cramfs; done
fsck.cramfs --extract=work/out be.cramfs
(cd work/out && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
  m=$(stat -c '%a %u %g' "$p")
  if [ -L "$p" ]; then echo "${p#./} symlink $m $(readlink "$p")"
  elif [ -d "$p" ]; then echo "${p#./} dir $m"
  elif [ -c "$p" ]; then echo "${p#./} chardev $m $(stat -c '%t %T' "$p")"
  elif [ -b "$p" ]; then echo "${p#./} blockdev $m $(stat -c '%t %T' "$p")"
  elif [ -p "$p" ]; then echo "${p#./} fifo $m"
  else echo "${p#./} file $m $(stat -c %s "$p") $(sha256sum < "$p" | cut -d' ' -f1)"; fi
done) > expected.txt
rm -rf work
