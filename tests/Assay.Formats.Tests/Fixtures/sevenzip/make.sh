#!/usr/bin/env bash
# 7z archive with Unix modes and a symbolic link stored as a link (7-Zip 26.02 as Debian's p7zip-full:
# -snl stores links as links, modes go into the high 16 bits of the attributes). expected.txt is
# `7z l -slt` (the independent lister): Path, Attributes ("A -rwsr-xr-x" and the like), Symbolic Link.
# Run: bash make.sh
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work && mkdir -p work/tree/etc work/tree/bin
printf 'root:x:0:0:root:/root:/bin/sh\n' > work/tree/etc/passwd && chmod 600 work/tree/etc/passwd
printf '#!/bin/sh\n' > work/tree/bin/tool && chmod 4755 work/tree/bin/tool
ln -s ../etc/passwd work/tree/bin/passwd-link
ln -s /proc/self/mounts work/tree/etc/mtab
rm -f links.7z
(cd work/tree && 7z a -snl -bd -bso0 ../../links.7z . >/dev/null)
7z l -slt links.7z | sed -n '/^----------/,$p' | grep -E '^(Path|Attributes|Symbolic Link) = ' > expected.txt
rm -rf work
