#!/usr/bin/env bash
# Builds samples/delivery-EX1000_1.2.0.zip: a small, synthetic vendor delivery shaped like the real
# thing (zip > raw flash image [uImage kernel + padding + SquashFS root] + initramfs cpio.gz +
# configuration backup tar.xz), with two ELF programs and a few insecure configuration files.
# Everything here is made by this script; the version banners inside the programs are planted so
# the catalog has something to find. Tools (Debian 12): gcc, mksquashfs, mkimage, cpio, xz, zip.
set -euo pipefail
cd "$(dirname "$0")"
export TZ=UTC SOURCE_DATE_EPOCH=1793491200
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{bin,sbin,usr/sbin,etc/init.d,etc/ssl/private,var/www,tmp}
gcc -O2 -fno-stack-protector -no-pie -o "$root/usr/sbin/httpd" src/httpd.c
gcc -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -s -o "$root/bin/cli" src/cli.c
strip "$root/usr/sbin/httpd"
cat > "$root/etc/inittab" <<'T'
::sysinit:/etc/init.d/rcS
::respawn:/usr/sbin/telnetd -l /bin/sh
::respawn:/usr/sbin/httpd
T
cat > "$root/etc/passwd" <<'T'
root:x:0:0:root:/root:/bin/sh
admin::1000:1000:admin:/home/admin:/bin/sh
T
# root's password is "admin" (MD5-crypt), as too many devices ship it
printf 'root:%s:19000:0:99999:7:::\n' "$(openssl passwd -1 -salt Ex1000ab admin)" > "$root/etc/shadow"
chmod 0640 "$root/etc/shadow"
cat > "$root/etc/lighttpd.conf" <<'T'
server.document-root = "/var/www"
server.port = 80
dir-listing.activate = "enable"
T
printf 'rocommunity public\nrwcommunity private\n' > "$root/etc/snmpd.conf"
printf 'net.ipv4.ip_forward = 1\nkernel.randomize_va_space = 0\n' > "$root/etc/sysctl.conf"
printf '#!/bin/sh\nmount -a\n/usr/sbin/httpd &\n' > "$root/etc/init.d/rcS"
chmod 0755 "$root/etc/init.d/rcS"
chmod 1777 "$root/tmp"
chmod 4755 "$root/bin/cli"
ln -s /bin/cli "$root/sbin/config"
echo '<html>EX-1000</html>' > "$root/var/www/index.html"
find "$root" -exec touch -h -d @$SOURCE_DATE_EPOCH {} +

# root filesystem (SquashFS, xz) and an initramfs (cpio newc, gzip)
mksquashfs "$root" "$work/rootfs.sqfs" -comp xz -noappend -all-root -quiet >/dev/null
(cd "$root" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --reproducible | gzip -9 -n > "$work/initramfs.cpio.gz")

# a "kernel": a gzip stream holding a Linux banner, wrapped as a U-Boot legacy image
printf 'Linux version 4.14.180 (build@vendor) (gcc version 7.3.0 (GCC)) #1 SMP PREEMPT\n' > "$work/Image"
head -c 20000 /dev/urandom >> "$work/Image" || true
gzip -9 -n -c "$work/Image" > "$work/Image.gz"
mkimage -A arm -O linux -T kernel -C gzip -a 0x80008000 -e 0x80008000 -n "EX1000 Linux-4.14.180" -d "$work/Image.gz" "$work/uImage" >/dev/null

# raw flash: kernel at 0, SquashFS at 64 KiB boundary, erased (0xff) padding between and after
python3 - "$work" <<'P'
import sys, os
w = sys.argv[1]
kernel = open(f"{w}/uImage", "rb").read()
rootfs = open(f"{w}/rootfs.sqfs", "rb").read()
def pad(data, align):
    return data + b"\xff" * ((-len(data)) % align)
flash = pad(kernel, 65536) + pad(rootfs, 65536) + b"\xff" * 65536
open(f"{w}/EX1000_1.2.0.bin", "wb").write(flash)
P

# configuration backup
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$SOURCE_DATE_EPOCH -C "$root" -cJf "$work/config-backup.tar.xz" etc

cat > "$work/RELEASE-NOTES.txt" <<'T'
EX-1000 firmware 1.2.0
Default login: root / admin (change after first boot).
T
mkdir -p "$work/pkg/firmware" "$work/pkg/tools"
cp "$work/EX1000_1.2.0.bin" "$work/initramfs.cpio.gz" "$work/pkg/firmware/"
cp "$work/config-backup.tar.xz" "$work/pkg/tools/"
cp "$work/RELEASE-NOTES.txt" "$work/pkg/"
find "$work/pkg" -exec touch -h -d @$SOURCE_DATE_EPOCH {} +
rm -f delivery-EX1000_1.2.0.zip
(cd "$work/pkg" && zip -q -X -r -y "$OLDPWD/delivery-EX1000_1.2.0.zip" .)
ls -l delivery-EX1000_1.2.0.zip
