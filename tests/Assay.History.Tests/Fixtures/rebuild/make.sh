#!/usr/bin/env bash
# Builds the verify-build fixtures: one small product (hello from src/, a signed kernel module, a
# signed FIT kernel image with a detached signature beside a boot image, a config file) delivered
# as a SquashFS image, and rebuilds of it packed as tar.gz, each differing in one planted way:
#   same.tar.gz           the same build (same folder, same flags): identical, though SquashFS vs tar.gz
#   debugpath.tar.gz      hello built in another folder with -g: only .debug_* and the build-id note differ
#   patched.tar.gz        hello with one instruction changed (EXIT_CODE 0 -> 3): .text differs
#   extra.tar.gz          one more file, /usr/bin/extra-tool
#   resigned.tar.gz       module, FIT and boot image signed with another key: differs only in signatures
#   unsigned.tar.gz       no module signature, no FIT signature node, no detached .sig
#   fakesig.tar.gz        the module ends in the signature magic but the trailer is not PKCS#7 (id_type 1)
#   mtime.tar.gz          every timestamp later (FIT /timestamp too)
#   owner.tar.gz          every entry owned by 1000:1000
#   delivered.tar.gz      the delivered tree as a tar (sorted) and reordered.tar.gz the same in reverse order
# and, for the readers' own tests, hello.elf (the delivered hello) and kernel.fit (the signed FIT).
# Tools (Debian 12): gcc, make, openssl, mksquashfs (squashfs-tools), tar, gzip, python3.
set -euo pipefail
cd "$(dirname "$0")"
export TZ=UTC LC_ALL=C
here=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
E1=1767225600
E2=1775001600

# Keys: A is the vendor's, B another signer's. Self-signed certificates for CMS.
for k in A B; do
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key$k.pem" -out "$work/cert$k.pem" -days 3650 -subj "/CN=EX2000 signer $k" 2>/dev/null
done

build() {  # $1 folder, $2 extra CFLAGS for hello.c
  mkdir -p "$1"
  make -s -C "$1" -f "$here/src/Makefile" SRC="$here/src" EXTRA="$2" hello demo.ko >/dev/null
}
build "$work/build" ""
cp "$work/build/hello" "$work/hello.A"; cp "$work/build/demo.ko" "$work/demo.ko"
rm -f "$work/build"/*.o "$work/build/hello"
build "$work/build" ""                              # the same folder again: must give the same bytes
cmp "$work/build/hello" "$work/hello.A"
build "$work/elsewhere/build-2" ""                  # another folder: DWARF names it
cp "$work/elsewhere/build-2/hello" "$work/hello.path"
build "$work/patched" "-DEXIT_CODE=3"
cp "$work/patched/hello" "$work/hello.patched"

sign_module() {  # $1 module, $2 key letter, $3 out (scripts/sign-file: CMS, no attributes, no certs, detached)
  openssl cms -sign -in "$1" -signer "$work/cert$2.pem" -inkey "$work/key$2.pem" -binary -noattr -nocerts -outform DER -md sha256 -out "$work/sig.der"
  python3 - "$1" "$work/sig.der" "$3" 1 <<'P'
import struct, sys
module, sig, out = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(), sys.argv[3]
# struct module_signature: algo, hash, id_type (2 = PKEY_ID_PKCS7), signer_len, key_id_len, pad[3], be32 sig_len
open(out, "wb").write(module + sig + struct.pack(">BBBBB3xI", 0, 0, 2, 0, 0, len(sig)) + b"~Module signature appended~\n")
P
}
fake_signature() {  # $1 module, $2 out: the magic, but id_type 1 (PKEY_ID_X509) and no CMS: the kernel refuses it, so is it data
  python3 - "$1" "$2" <<'P'
import struct, sys
module, out = open(sys.argv[1], "rb").read(), sys.argv[2]
blob = bytes(range(200))
open(out, "wb").write(module + blob + struct.pack(">BBBBB3xI", 0, 0, 1, 0, 0, len(blob)) + b"~Module signature appended~\n")
P
}

python3 -c "import sys; sys.stdout.buffer.write((b'EX2000 kernel image ' + bytes(range(256))) * 8)" > "$work/kernel.bin"
cp "$work/kernel.bin" "$work/image.bin"
for k in A B; do
  sign_module "$work/demo.ko" "$k" "$work/demo.ko.$k"
  openssl dgst -sha256 -sign "$work/key$k.pem" -out "$work/fitsig.$k" "$work/kernel.bin"
  openssl cms -sign -in "$work/image.bin" -signer "$work/cert$k.pem" -inkey "$work/key$k.pem" -binary -noattr -nocerts -outform DER -md sha256 -out "$work/image.sig.$k"
done
fake_signature "$work/demo.ko" "$work/demo.ko.fake"

tree() {  # $1 out folder, $2 hello, $3 module, $4 FIT signature (or none), $5 detached signature (or none), $6 FIT timestamp
  local t="$1"
  mkdir -p "$t/usr/bin" "$t/lib/modules" "$t/boot" "$t/etc"
  cp "$2" "$t/usr/bin/hello"; chmod 0755 "$t/usr/bin/hello"
  cp "$3" "$t/lib/modules/demo.ko"; chmod 0644 "$t/lib/modules/demo.ko"
  if [ "$4" = none ]; then python3 fdt.py "$t/boot/kernel.fit" "$work/kernel.bin" "$6"; else python3 fdt.py "$t/boot/kernel.fit" "$work/kernel.bin" "$6" "$4"; fi
  cp "$work/image.bin" "$t/boot/image.bin"
  [ "$5" = none ] || cp "$5" "$t/boot/image.bin.sig"
  printf 'greeting=hello\n' > "$t/etc/hello.conf"
}
stamp() { find "$1" -exec touch -h -d "@$2" {} +; }
pack() {  # $1 tree, $2 out, $3 epoch, [tar options...]
  local t="$1" out="$2" epoch="$3"; shift 3
  tar --sort=name --format=gnu --numeric-owner --owner=0 --group=0 --mtime="@$epoch" "$@" -C "$t" -cf - . | gzip -9 -n > "$out"
}

tree "$work/delivered" "$work/hello.A" "$work/demo.ko.A" "$work/fitsig.A" "$work/image.sig.A" $E1
stamp "$work/delivered" $E1
mksquashfs "$work/delivered" delivered.sqfs -comp xz -noappend -all-root -mkfs-time $E1 -quiet >/dev/null
pack "$work/delivered" delivered.tar.gz $E1
pack "$work/delivered" same.tar.gz $E1
pack "$work/delivered" owner.tar.gz $E1 --owner=1000 --group=1000

tree "$work/t-mtime" "$work/hello.A" "$work/demo.ko.A" "$work/fitsig.A" "$work/image.sig.A" $E2
pack "$work/t-mtime" mtime.tar.gz $E2
tree "$work/t-path" "$work/hello.path" "$work/demo.ko.A" "$work/fitsig.A" "$work/image.sig.A" $E1
pack "$work/t-path" debugpath.tar.gz $E1
tree "$work/t-patched" "$work/hello.patched" "$work/demo.ko.A" "$work/fitsig.A" "$work/image.sig.A" $E1
pack "$work/t-patched" patched.tar.gz $E1
tree "$work/t-extra" "$work/hello.A" "$work/demo.ko.A" "$work/fitsig.A" "$work/image.sig.A" $E1
printf '#!/bin/sh\necho extra\n' > "$work/t-extra/usr/bin/extra-tool"; chmod 0755 "$work/t-extra/usr/bin/extra-tool"
pack "$work/t-extra" extra.tar.gz $E1
tree "$work/t-resigned" "$work/hello.A" "$work/demo.ko.B" "$work/fitsig.B" "$work/image.sig.B" $E1
pack "$work/t-resigned" resigned.tar.gz $E1
tree "$work/t-unsigned" "$work/hello.A" "$work/demo.ko" none none $E1
pack "$work/t-unsigned" unsigned.tar.gz $E1
tree "$work/t-fake" "$work/hello.A" "$work/demo.ko.fake" "$work/fitsig.A" "$work/image.sig.A" $E1
pack "$work/t-fake" fakesig.tar.gz $E1
# the same members as delivered.tar.gz, listed in reverse order
(cd "$work/delivered" && find . -mindepth 1 | sort -r) > "$work/reverse.list"
tar --format=gnu --numeric-owner --owner=0 --group=0 --mtime="@$E1" --no-recursion -C "$work/delivered" -T "$work/reverse.list" -cf - | gzip -9 -n > reordered.tar.gz
cp "$work/delivered/usr/bin/hello" hello.elf
cp "$work/delivered/boot/kernel.fit" kernel.fit
ls -l ./*.sqfs ./*.tar.gz hello.elf kernel.fit
