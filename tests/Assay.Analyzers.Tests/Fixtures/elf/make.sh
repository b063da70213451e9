#!/bin/sh
# Recipe for the ELF fixtures (Debian 12: gcc, gcc-aarch64-linux-gnu, gcc-arm-linux-gnueabihf, gcc-mips*-linux-gnu*).
# Each binary differs from the next in the hardening flags named in its file name.
set -eu
cd "$(dirname "$0")"
CC=${CC:-gcc}
# x86-64, everything on: PIE, full RELRO, canary, FORTIFY, NX, CET notes, stripped.
$CC -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -fcf-protection=full -s -o x64-hardened prog.c
# x86-64, everything off: no PIE, no RELRO, no canary, no FORTIFY, executable stack, RPATH, symbols kept.
$CC -O0 -U_FORTIFY_SOURCE -fno-stack-protector -no-pie -z execstack -Wl,-z,norelro -Wl,--disable-new-dtags,-rpath,/tmp/lib -fcf-protection=none -o x64-weak prog.c
# x86-64, partial RELRO (lazy binding), RUNPATH.
$CC -O2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,lazy -Wl,--enable-new-dtags,-rpath,/opt/vendor/lib -s -o x64-partial-relro prog.c
# x86-64, one read-write-execute segment (an "awx" section).
$CC -O2 -fPIE -pie -Wl,-z,relro,-z,now -Wl,--no-warn-rwx-segments -s -o x64-wx wx.c
# x86-64 program without risky calls.
$CC -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -s -o x64-clean clean.c
# Wrapper detection: -O1 -fno-builtin keeps the calls (lazy PLT), and a -fno-plt variant (calls through the GOT).
$CC -O1 -fno-builtin -fno-inline -fcf-protection=none -o x64-wrapper wrapper.c
$CC -O1 -fno-builtin -fno-inline -fno-plt -fcf-protection=full -o x64-wrapper-noplt wrapper.c
# AArch64 wrapper detection (gcc-aarch64-linux-gnu).
aarch64-linux-gnu-gcc -O1 -fno-builtin -fno-inline -Wl,-z,max-page-size=4096 -o arm64-wrapper wrapper.c
# 32-bit Arm (A32 and Thumb-2) and MIPS (32/64, both byte orders) wrapper detection
# (gcc-arm-linux-gnueabihf, gcc-mips-linux-gnu, gcc-mipsel-linux-gnu, gcc-mips64-linux-gnuabi64,
# gcc-mips64el-linux-gnuabi64 with their libc6-dev-*-cross).
arm-linux-gnueabihf-gcc -O1 -fno-builtin -fno-inline -marm -o arm-wrapper wrapper.c
arm-linux-gnueabihf-gcc -O1 -fno-builtin -fno-inline -mthumb -o thumb-wrapper wrapper.c
mips-linux-gnu-gcc -O1 -fno-builtin -fno-inline -o mips-wrapper wrapper.c
mipsel-linux-gnu-gcc -O1 -fno-builtin -fno-inline -o mipsel-wrapper wrapper.c
mips64-linux-gnuabi64-gcc -O1 -fno-builtin -fno-inline -o mips64-wrapper wrapper.c
mips64el-linux-gnuabi64-gcc -O1 -fno-builtin -fno-inline -o mips64el-wrapper wrapper.c
# ARM (32-bit, little endian): hardened PIE, and a shared library with text relocations (no -fPIC).
arm-linux-gnueabihf-gcc -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE -pie -Wl,-z,relro,-z,now -s -o arm-hardened prog.c
arm-linux-gnueabihf-gcc -O2 -marm -mword-relocations -fno-PIC -shared -Wl,-z,notext -o arm-textrel.so lib.c
# MIPS (32-bit, big endian), default toolchain flags: no canary, no FORTIFY.
mips-linux-gnu-gcc -O2 -fno-stack-protector -U_FORTIFY_SOURCE -o mips-be-default prog.c
# Malformed: a truncated header and a header whose tables point past the end.
head -c 40 x64-clean > truncated.elf
python3 - <<'PY'
import struct
data = bytearray(open("x64-clean", "rb").read()[:64])
struct.pack_into("<Q", data, 0x20, 0x7fffffffffff0000)  # e_phoff far past the end
struct.pack_into("<H", data, 0x38, 0xffff)              # e_phnum 65535
struct.pack_into("<Q", data, 0x28, 0x10)                # e_shoff inside the header
struct.pack_into("<H", data, 0x3c, 0xffff)              # e_shnum 65535
open("bad-tables.elf", "wb").write(bytes(data) + b"\0" * 64)
PY
