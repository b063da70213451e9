#!/usr/bin/env bash
# YAFFS2 images by make_yaffs2.py (an own writer after mkyaffs2image.c; Debian has no YAFFS2 writer):
# 2048+64 with the tags at the start of the spare, 2048+64 after the two bad-block marker bytes,
# and 4096+128. The independent answer is unyaffs 0.9.7 (Debian): `unyaffs -t` lists each image and
# `unyaffs` extracts it; expected-*.txt is that listing and the extracted tree's find(1) listing.
# Run as root: bash make.sh
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work && mkdir -p work/root/etc/init.d work/root/bin work/root/dev work/root/empty
printf 'root:x:0:0:root:/root:/bin/sh\n' > work/root/etc/passwd
printf '#!/bin/sh\nexit 0\n' > work/root/etc/init.d/rcS && chmod 755 work/root/etc/init.d/rcS
python3 -c "import random; r = random.Random(3); open('work/root/bin/app', 'wb').write(bytes(r.getrandbits(8) for _ in range(5000)))"
chmod 4755 work/root/bin/app
chown 1000:100 work/root/etc/passwd
ln -s ../etc/passwd work/root/bin/passwd-link
ln work/root/bin/app work/root/bin/app-hard
mknod work/root/dev/console c 5 1
mkfifo work/root/dev/initctl
find work/root -exec touch -h -d @1793491200 {} +
python3 make_yaffs2.py work/root page2k.yaffs2 2048 64 0
python3 make_yaffs2.py work/root page2k-bb.yaffs2 2048 64 2
python3 make_yaffs2.py work/root page4k.yaffs2 4096 128 0
for f in page2k page2k-bb page4k; do
  # unyaffs' autodetection wants whole erase blocks; the geometry is given instead
  opt=(-c 2 -s 64); [ $f = page2k-bb ] && opt+=(-b); [ $f = page4k ] && opt=(-c 4 -s 128)
  unyaffs "${opt[@]}" -t $f.yaffs2 > work/$f.list
  mkdir -p work/$f && (cd work/$f && unyaffs "${opt[@]}" ../../$f.yaffs2 . >/dev/null)
done
cmp work/page2k.list work/page2k-bb.list && cmp work/page2k.list work/page4k.list
(cd work/page2k && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
  m=$(stat -c '%a %u %g' "$p")
  if [ -L "$p" ]; then echo "${p#./} symlink $m $(readlink "$p")"
  elif [ -d "$p" ]; then echo "${p#./} dir $m"
  elif [ -c "$p" ]; then echo "${p#./} chardev $m $(stat -c '%t %T' "$p")"
  elif [ -p "$p" ]; then echo "${p#./} fifo $m"
  else echo "${p#./} file $m $(stat -c %s "$p") $(sha256sum < "$p" | cut -d' ' -f1)"; fi
done) > expected.txt
cp work/page2k.list unyaffs-t.txt
rm -rf work
