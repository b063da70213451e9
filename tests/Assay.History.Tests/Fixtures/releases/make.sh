#!/usr/bin/env bash
# Builds two releases of a small device firmware with planted changes, for the release-diff tests
# (ReleaseFixtureTests) and eval/history:
#   EX2000_1.0.0.zip  firmware/EX2000_1.0.0.bin: boot loader text, erased flash, SquashFS root at 0x10000
#   EX2000_1.1.0.zip  firmware/EX2000_1.1.0.bin: a longer boot loader, the SquashFS root at 0x20000
# Planted between 1.0.0 and 1.1.0 (and nothing else; every file's mtime changes too, which is no change):
#   /usr/sbin/httpd      rebuilt without stack protector, PIE and BIND_NOW, now calls system();
#                        its OpenSSL banner goes 1.0.2u -> 1.1.1w
#   /bin/busybox         BusyBox 1.30.1 -> 1.36.1
#   /bin/cli             moved to /usr/bin/cli, same bytes
#   /etc/ssh/sshd_config PermitRootLogin moves from line 2 to line 5 (same finding); PasswordAuthentication goes (fixed)
#   /etc/inittab         telnetd with a shell is added (new critical finding)
#   /etc/shadow          mode 0600 -> 0644
#   /etc/obsolete.conf   removed; /etc/new-feature.conf added
#   /etc/snmpd.conf      unchanged (rocommunity public: the same findings in both)
# Tools (Debian 12): gcc, mksquashfs (squashfs-tools), zip, python3.
set -euo pipefail
cd "$(dirname "$0")"
export TZ=UTC LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

common() {  # $1 root
  local r="$1"
  mkdir -p "$r"/{bin,usr/bin,usr/sbin,etc/ssh,etc/init.d}
  gcc -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -Wl,--build-id=sha1 -s -o "$work/cli" src/cli.c
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$r/etc/passwd"
  printf 'root:$6$rounds=656000$EX2000salt$:19000:0:99999:7:::\n' > "$r/etc/shadow"
  printf 'rocommunity public\n' > "$r/etc/snmpd.conf"
  printf '#!/bin/sh\nmount -a\n' > "$r/etc/init.d/rcS"
  chmod 0755 "$r/etc/init.d/rcS"
}

release() {  # $1 version, $2 epoch, $3 SquashFS offset, $4 boot loader repeat count
  local v="$1" epoch="$2" offset="$3" boot="$4" r="$work/root-$1"
  common "$r"
  if [ "$v" = 1.0.0 ]; then
    gcc -O2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -Wl,--build-id=sha1 -s \
      -DOPENSSL_BANNER='"OpenSSL 1.0.2u  20 Dec 2019"' -o "$r/usr/sbin/httpd" src/httpd.c
    gcc -O2 -s -DBUSYBOX_VERSION='"1.30.1"' -o "$r/bin/busybox" src/busybox.c
    cp "$work/cli" "$r/bin/cli"
    printf 'Port 22\nPermitRootLogin yes\nPasswordAuthentication yes\n' > "$r/etc/ssh/sshd_config"
    printf '::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/httpd\n' > "$r/etc/inittab"
    printf 'legacy=1\n' > "$r/etc/obsolete.conf"
    chmod 0600 "$r/etc/shadow"
  else
    gcc -O2 -fno-stack-protector -no-pie -Wl,-z,relro -Wl,--build-id=sha1 -s -DSHELL_OUT \
      -DOPENSSL_BANNER='"OpenSSL 1.1.1w  11 Sep 2023"' -o "$r/usr/sbin/httpd" src/httpd.c
    gcc -O2 -s -DBUSYBOX_VERSION='"1.36.1"' -o "$r/bin/busybox" src/busybox.c
    cp "$work/cli" "$r/usr/bin/cli"
    printf '# hardened defaults\nPort 22\nX11Forwarding no\nUseDNS no\nPermitRootLogin yes\n' > "$r/etc/ssh/sshd_config"
    printf '::sysinit:/etc/init.d/rcS\n::respawn:/usr/sbin/httpd\n::respawn:/usr/sbin/telnetd -l /bin/sh\n' > "$r/etc/inittab"
    printf 'feature=1\n' > "$r/etc/new-feature.conf"
    chmod 0644 "$r/etc/shadow"
  fi
  find "$r" -exec touch -h -d "@$epoch" {} +
  mksquashfs "$r" "$work/root-$v.sqfs" -comp xz -noappend -all-root -quiet -mkfs-time "$epoch" >/dev/null
  python3 - "$work/root-$v.sqfs" "$work/EX2000_$v.bin" "$offset" "$boot" "$v" <<'P'
import sys
sqfs, out, offset, boot, version = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(sys.argv[4]), sys.argv[5]
# A boot loader stand-in: binary (no image format the carver knows, not text), its length set per release.
loader = (f"EX2000 boot {version}".encode() + bytes(range(1, 256))) * boot
assert len(loader) < offset, "boot loader overlaps the root filesystem offset"
image = loader + b"\xff" * (offset - len(loader)) + open(sqfs, "rb").read()
image += b"\xff" * (-len(image) % 4096)
open(out, "wb").write(image)
P
  mkdir -p "$work/zip-$v/firmware"
  cp "$work/EX2000_$v.bin" "$work/zip-$v/firmware/"
  touch -d "@$epoch" "$work/zip-$v/firmware/EX2000_$v.bin" "$work/zip-$v/firmware"
  rm -f "EX2000_$v.zip"
  (cd "$work/zip-$v" && zip -q -X -r "$OLDPWD/EX2000_$v.zip" firmware)
}

release 1.0.0 1767225600 0x10000 60
release 1.1.0 1775001600 0x20000 300
ls -l EX2000_*.zip
