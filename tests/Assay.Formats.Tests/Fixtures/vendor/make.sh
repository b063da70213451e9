#!/usr/bin/env bash
# Vendor containers (TRX, NETGEAR CHK, D-Link SEAMA, TP-Link) around a real gzip kernel and a real
# SquashFS root (mksquashfs), written by make_vendor.py (no Debian package has the vendors' tools).
# expected.txt: sha256sum of the parts, the answer each handler's children must give.
# Tools: gzip, squashfs-tools, openssl, python3. Run: bash make.sh
set -euo pipefail
cd "$(dirname "$0")"
rm -rf work && mkdir -p work/root/etc work/root/bin
export SOURCE_DATE_EPOCH=1793491200
printf 'Linux version 5.10.0 (builder) #1 SMP\n%.0s' {1..400} > work/vmlinux
gzip -9 -n -c work/vmlinux > work/kernel.gz
printf 'root:x:0:0:root:/root:/bin/sh\n' > work/root/etc/passwd
printf '#!/bin/sh\necho hello\n' > work/root/bin/hello && chmod 755 work/root/bin/hello
ln -s hello work/root/bin/hi
mksquashfs work/root work/rootfs.sqfs -noappend -all-root -comp xz -quiet >/dev/null
python3 make_vendor.py work/kernel.gz work/rootfs.sqfs .
# OpenSSL enc with a salt (openssl 3.0): "Salted__", the salt, cipher text
openssl enc -aes-256-cbc -salt -pbkdf2 -pass pass:assay -in work/rootfs.sqfs -out openssl.enc
(cd work && sha256sum kernel.gz rootfs.sqfs vmlinux && echo "$(cat vmlinux rootfs.sqfs | sha256sum | cut -d" " -f1)  arcadyan-payload" && stat -c "%n %s" kernel.gz rootfs.sqfs) > expected.txt
rm -rf work
