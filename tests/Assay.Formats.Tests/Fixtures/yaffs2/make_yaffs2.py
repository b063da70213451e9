#!/usr/bin/env python3
"""A YAFFS2 image writer, after Aleph One yaffs2 utils/mkyaffs2image.c (Debian packages no
mkyaffs2image): object ids from 257 in directory-walk order, each object's header chunk (chunk id 0)
then its data chunks (ids 1..n), sequence number 0x1000, packed tags 2 (seq, obj, chunk, n_bytes,
little-endian) in the spare, the tags' 12 ECC bytes left 0xff. Hard links (same inode) become
type-4 objects pointing at the first name.
usage: make_yaffs2.py ROOT OUT PAGE SPARE TAGS_OFFSET"""
import os
import stat
import struct
import sys

root, out, page, spare, tags_at = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
chunks = []
next_id = [257]
inodes = {}


def tags(obj, chunk, nbytes):
    t = bytearray(b"\xff" * spare)
    t[tags_at:tags_at + 16] = struct.pack("<IIII", 0x1000, obj, chunk, nbytes)
    return bytes(t)


def header(kind, parent, name, st, size=0, equiv=0, alias=b"", rdev=0):
    h = bytearray(b"\xff" * page)
    h[0:512] = b"\0" * 512
    struct.pack_into("<IIH", h, 0, kind, parent, 0xFFFF)
    h[10:10 + len(name)] = name
    struct.pack_into("<IIIIII", h, 268, st.st_mode, st.st_uid, st.st_gid, int(st.st_atime), int(st.st_mtime), int(st.st_ctime))
    struct.pack_into("<Ii", h, 292, size & 0xFFFFFFFF, equiv)
    h[300:300 + len(alias)] = alias
    struct.pack_into("<I", h, 460, rdev)
    struct.pack_into("<I", h, 496, size >> 32)
    return bytes(h)


def add(parent, path, name):
    st = os.lstat(path)
    obj = next_id[0]
    next_id[0] += 1
    key = (st.st_dev, st.st_ino)
    if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1 and key in inodes:
        chunks.append(header(4, parent, name, st, equiv=inodes[key]) + tags(obj, 0, 0))
        return
    inodes[key] = obj
    if stat.S_ISDIR(st.st_mode):
        chunks.append(header(3, parent, name, st) + tags(obj, 0, 0))
        for child in sorted(os.listdir(path)):
            add(obj, os.path.join(path, child), child.encode())
    elif stat.S_ISLNK(st.st_mode):
        chunks.append(header(2, parent, name, st, alias=os.readlink(path).encode()) + tags(obj, 0, 0))
    elif stat.S_ISREG(st.st_mode):
        data = open(path, "rb").read()
        chunks.append(header(1, parent, name, st, size=len(data)) + tags(obj, 0, 0))
        for i in range(0, len(data), page):
            piece = data[i:i + page]
            chunks.append(piece + b"\xff" * (page - len(piece)) + tags(obj, i // page + 1, len(piece)))
    else:
        # old 16-bit encoding major << 8 | minor, as mkyaffs2image stores st_rdev on a 32-bit host
        rdev = (os.major(st.st_rdev) << 8) | os.minor(st.st_rdev)
        chunks.append(header(5, parent, name, st, rdev=rdev) + tags(obj, 0, 0))


for child in sorted(os.listdir(root)):
    add(1, os.path.join(root, child), child.encode())
open(out, "wb").write(b"".join(chunks))
