#!/usr/bin/env python3
"""Vendor firmware containers around a real kernel (gzip) and root filesystem (mksquashfs).

Debian packages none of the vendors' tools (OpenWrt firmware-utils: trx, mkchkimg, seama,
mktplinkfw), so this is an own writer, written from the structure definitions in those tools'
sources (the field tables in each handler's remarks); every checksum is computed here the way the
vendor tool computes it. usage: make_vendor.py KERNEL ROOTFS OUTDIR
"""
import hashlib
import struct
import sys
import zlib

kernel = open(sys.argv[1], "rb").read()
rootfs = open(sys.argv[2], "rb").read()
out = sys.argv[3]


def write(name, data):
    open(f"{out}/{name}", "wb").write(data)


def align(data, n, fill=b"\0"):
    return data + fill * (-len(data) % n)


# TRX v1 (OpenWrt trx.c): header 28 bytes, partitions aligned to 4, CRC-32 with init ~0 and no
# final xor (= ~zlib.crc32) over everything from flag_version (0x0c) to len.
def trx(version, parts):
    header_len = 28 if version == 1 else 32
    body = b""
    offsets = []
    for p in parts:
        offsets.append(header_len + len(body))
        body = align(body + p, 4)
    offsets += [0] * ((3 if version == 1 else 4) - len(offsets))
    length = header_len + len(body)
    tail = struct.pack("<HH", 0, version) + b"".join(struct.pack("<I", o) for o in offsets) + body
    crc = ~zlib.crc32(tail) & 0xFFFFFFFF
    return b"HDR0" + struct.pack("<II", length, crc) + tail


write("trx-v1.trx", trx(1, [kernel, rootfs]))
write("trx-v2.trx", trx(2, [kernel, rootfs]))


# NETGEAR CHK (OpenWrt mkchkimg.c): big-endian, NETGEAR checksums.
def ngr(data):
    c0 = c1 = 0
    for b in data:
        c0 = (c0 + b) & 0xFFFFFFFF
        c1 = (c1 + c0) & 0xFFFFFFFF
    b = (c0 & 0xFFFF) + ((c0 >> 16) & 0xFFFF)
    c0 = ((b >> 16) + b) & 0xFFFF
    b = (c1 & 0xFFFF) + ((c1 >> 16) & 0xFFFF)
    c1 = ((b >> 16) + b) & 0xFFFF
    return (c1 << 16) | c0


board = b"U12H072T00_NETGEAR"
trx_image = trx(1, [kernel, rootfs])
reserved = bytes([1, 1, 1, 99, 0, 0, 0, 0])  # region WW, version 1.1.99
fields = struct.pack(">II", 0x2A23245E, 40 + len(board)) + reserved + struct.pack(
    ">IIIII", ngr(trx_image), ngr(rootfs), len(trx_image), len(rootfs), ngr(trx_image + rootfs))
header = fields + struct.pack(">I", ngr(fields + b"\0\0\0\0" + board)) + board
write("netgear.chk", header + trx_image + rootfs)

# SEAMA (OpenWrt seama.h): magic, reserved, metasize, size, MD5 of the image; meta NUL-padded to 4.
meta = align(b"dev=/dev/mtdblock/1\0type=firmware\0signature=wrgac01_dlink.2013gui_dir860lb\0", 4)
image = kernel + rootfs
write("dlink.seama", struct.pack(">IHHI", 0x5EA3A417, 0, len(meta), len(image)) + hashlib.md5(image).digest() + meta + image)


# TP-Link v1 (OpenWrt mktplinkfw.c): 512-byte big-endian header, kernel at 0x200, rootfs at a fixed
# offset, padded with 0xff to fw_length; MD5 over the image with md5sum1 = md5salt_normal.
def tplink_v1(kernel, rootfs, rootfs_ofs=0x20000, fw_length=0x60000):
    salt = bytes.fromhex("dcd73aa5c39598fbdcf9e7f40eae4737")
    # a kernel too big for the default layout moves the rootfs to the next 64 KiB after it
    if 0x200 + len(kernel) > rootfs_ofs:
        rootfs_ofs = (0x200 + len(kernel) + 0xFFFF) & ~0xFFFF
    fw_length = max(fw_length, (rootfs_ofs + len(rootfs) + 0xFFFF) & ~0xFFFF)
    h = bytearray(b"\0" * 512)
    struct.pack_into(">I", h, 0, 0x01000000)
    h[4:4 + 20] = b"TP-LINK Technologies"
    h[0x1C:0x1C + 8] = b"ver. 1.0"
    struct.pack_into(">III", h, 0x40, 0x07400001, 1, 0)
    h[0x4C:0x5C] = salt
    struct.pack_into(">IIIIIIIII", h, 0x74, 0x80060000, 0x80060000, fw_length, 0x200, len(kernel), rootfs_ofs, len(rootfs), 0, 0)
    struct.pack_into(">HHH", h, 0x98, 1, 0, 0)
    buf = bytearray(b"\xff" * fw_length)
    buf[0:512] = h
    buf[0x200:0x200 + len(kernel)] = kernel
    buf[rootfs_ofs:rootfs_ofs + len(rootfs)] = rootfs
    buf[0x4C:0x5C] = hashlib.md5(bytes(buf)).digest()
    return bytes(buf)


write("tplink-v1.bin", tplink_v1(kernel, rootfs))


# D-Link SHRS (layout as unblob's shrs.py reads it): the TRX above, padded to 16 and encrypted with
# AES-128-CBC under the product line's published key; SHA-512 digests over file_size_no_padding bytes.
import subprocess  # noqa: E402

key = bytes.fromhex("c05fbf1936c99429ce2a0781f08d6ad8")
iv = bytes(range(16))
plain = trx_image
padded = plain + b"\0" * (-len(plain) % 16)
cipher = subprocess.run(["openssl", "enc", "-aes-128-cbc", "-K", key.hex(), "-iv", iv.hex(), "-nopad"],
                        input=padded, capture_output=True, check=True).stdout
h = b"SHRS" + struct.pack(">II", len(padded), len(plain)) + iv
h += hashlib.sha512(plain + key).digest() + hashlib.sha512(plain).digest() + hashlib.sha512(cipher[:len(plain)]).digest()
h += b"\0" * 512 + b"\x5a" * 512 + b"\xa5" * 512
assert len(h) == 0x6DC
write("dlink.shrs", h + cipher)

# D-Link encrpted_img: magic, big-endian size, then cipher text (random bytes stand in for it).
import random  # noqa: E402
r = random.Random(1)
body = bytes(r.getrandbits(8) for _ in range(65536))
write("dlink.encrpted_img", b"encrpted_img" + struct.pack(">I", len(body)) + body)

# Arcadyan obfuscated LZMA (as binwalk v3 de-obfuscates it): 4 bytes, then an LZMA-alone stream
# (python's lzma, preset 6: 5d 00 00 80 00) whose first 32 bytes are scrambled (pairs swapped, nibbles
# swapped) and exchanged with the 32 bytes at 0x68.
import lzma  # noqa: E402

vmlinux = gzip_payload = __import__("gzip").decompress(kernel)
clear = bytearray(b"\x00\x01\x02\x03" + lzma.compress(vmlinux + rootfs, format=lzma.FORMAT_ALONE))
block1 = bytes(clear[4:36])
scrambled = bytearray(block1)
for i in range(0, 32, 2):
    scrambled[i], scrambled[i + 1] = scrambled[i + 1], scrambled[i]
scrambled = bytes(((b << 4) & 0xF0) | (b >> 4) for b in scrambled)
obfuscated = clear[:4] + clear[0x68:0x88] + clear[36:0x68] + scrambled + clear[0x88:]
assert obfuscated[0x68:0x6C] == b"\x00\xd5\x08\x00", obfuscated[0x60:0x70].hex()
write("arcadyan.bin", bytes(obfuscated))
