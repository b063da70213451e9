#!/usr/bin/env bash
# Extended attributes as filesystems keep them: a tree with file capabilities (setcap), SELinux
# labels and user attributes (setfattr), packed by mksquashfs (4.0, xattrs on by default), mkfs.ext4
# -d (e2fsprogs copies xattrs; inode-body and block attributes). Debian's # without xattr support (-a and -s store nothing), so there is no UBIFS image with attributes here. expected.txt is `getfattr -d -m - -e hex` of the
# source tree (the independent answer) plus `getcap`.
# Run as root on a filesystem with xattrs (ext4): bash make.sh. Tools: libcap2-bin, attr, squashfs-tools, e2fsprogs.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work && mkdir -p work/root/usr/bin work/root/etc
printf '#!/bin/sh\nping "$@"\n' > work/root/usr/bin/ping && chmod 755 work/root/usr/bin/ping
printf '#!/bin/sh\n' > work/root/usr/bin/dumpcap && chmod 750 work/root/usr/bin/dumpcap
printf 'root:x:0:0::/root:/bin/sh\n' > work/root/etc/passwd
setcap cap_net_raw=ep work/root/usr/bin/ping
setcap cap_net_admin,cap_net_raw=eip work/root/usr/bin/dumpcap
setfattr -n security.selinux -v 'system_u:object_r:ping_exec_t:s0' work/root/usr/bin/ping
setfattr -n security.selinux -v 'system_u:object_r:etc_t:s0' work/root/etc
setfattr -n user.origin -v 'vendor build 42' work/root/etc/passwd
# a value too long for the inode body: ext4 puts it in an xattr block
setfattr -n user.long -v "$(head -c 600 /dev/zero | tr '\0' 'L')" work/root/etc/passwd
find work/root -exec touch -h -d @1793491200 {} +
mksquashfs work/root xattrs.sqfs -noappend -all-root -comp gzip -quiet >/dev/null
rm -f work/xattrs.ext4 && mkfs.ext4 -q -F -b 1024 -I 256 -d work/root work/xattrs.ext4 2048 && gzip -9 -n -c work/xattrs.ext4 > xattrs.ext4.gz
(cd work/root && getfattr -R -d -m - -e hex . 2>/dev/null && getcap -r . ) > expected.txt
rm -rf work
