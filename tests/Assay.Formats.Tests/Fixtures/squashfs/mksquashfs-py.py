#!/usr/bin/env python3
"""Writes a small SquashFS image from a fixed tree description: 1.0, 2.1 or 3.1 (the layouts of
squashfs-tools 1.x, 2.x and 3.x, squashfs_compat.h *_1, *_2 and *_3 structures), little- or big-endian, zlib or the vendor "LZMA alone" block compression of
older router SDKs; or 4.0 (squashfs_fs.h) in either byte order, which mksquashfs 4.x cannot write
big-endian. mksquashfs 3.x is no longer packaged; unsquashfs 4.x still reads 3.x images (zlib) and
little-endian 4.0 ones, so make.sh checks those images with `unsquashfs -lln` and commits that
listing; the big-endian 4.0 image comes from the same code with the other byte order.

2.x differs from 3.x in: 32-bit table positions in the superblock (bytes_used_2 ... fragment_table_start_2,
a 63-byte superblock); inodes without mtime/inode_number in the base header (files and directories
carry an mtime, the rest take mkfs_time) and without nlink; 4-byte directory headers (count:8
start_block:24) and 3-byte entries (offset:13 type:3 size:8); a directory size without the 3 bytes of
"." and ".."; 8-byte fragment entries (start_block, size) behind a 32-bit index.

1.x differs from 2.x in: a 51-byte superblock with a 16-bit block size (block_size_1); no fragments
(a file's tail is its last, short block); 3-byte base inodes (type:4 mode:12 uid:4 guid:4) where the
uid index's high bits are folded into the type ((type - 1) / 5 * 16 + uid) and fifos/sockets share
type 0 with a second byte (type:4, uid high bits:4); 16-bit block list entries (bit 15 set: stored).

usage: mksquashfs-py.py OUT {1|2|3|4} {le|be} {zlib|lzma} [check]
"""
import hashlib
import lzma
import struct
import sys
import zlib

OUT, V4, ORDER, COMP = sys.argv[1], sys.argv[2] == "4", sys.argv[3], sys.argv[4]
V1 = sys.argv[2] == "1"
V2 = sys.argv[2] in ("1", "2")  # 1.x shares the 2.x directory layout and 32-bit superblock fields
CHECK = len(sys.argv) > 5 and sys.argv[5] == "check"
BE = ORDER == "be"
E = ">" if BE else "<"
BLOCK_SIZE, BLOCK_LOG = 4096, 12
MTIME = 1700000000
META = 8192

DIR, REG, SYMLINK, BLKDEV, CHRDEV, FIFO, SOCKET, LDIR, LREG = range(1, 10)


def compress(data):
    if COMP == "zlib":
        return zlib.compress(data, 9)
    out = bytearray(lzma.compress(data, format=lzma.FORMAT_ALONE, filters=[{"id": lzma.FILTER_LZMA1, "dict_size": 1 << 16}]))
    out[5:13] = struct.pack("<Q", len(data))  # sqlzma: the real size in place of "unknown"
    return bytes(out)


def bits(fields, total):
    """Packs (value, width) bit fields the way gcc lays them out: from the low bit on little-endian
    targets, from the high bit on big-endian ones (squashfs_compat.h SQUASHFS_SWAP)."""
    v, pos = 0, 0
    for value, width in fields:
        assert 0 <= value < (1 << width)
        if BE:
            v |= value << (total - pos - width)
        else:
            v |= value << pos
        pos += width
    return v.to_bytes(total // 8, "big" if BE else "little")


def content(n, seed):
    out, h = bytearray(), seed.encode()
    while len(out) < n:
        h = hashlib.sha256(h).digest()
        out += h if len(out) % 3 else b"squashfs 3 text line %d\n" % len(out)
    return bytes(out[:n])


# the tree: (path, kind, mode, uid, gid, payload)
TREE = [
    ("bin", "d", 0o755, 0, 0, None),
    ("bin/busybox", "f", 0o4755, 0, 0, content(10000, "busybox")),
    ("bin/sh", "l", 0o777, 0, 0, "busybox"),
    ("dev", "d", 0o755, 0, 0, None),
    ("dev/console", "c", 0o600, 0, 5, (5, 1)),
    ("dev/mtdblock0", "b", 0o660, 0, 6, (31, 0)),
    ("etc", "d", 0o755, 0, 0, None),
    ("etc/empty", "f", 0o644, 0, 0, b""),
    ("etc/hostname", "f", 0o644, 0, 0, b"router3\n"),
    ("etc/passwd", "f", 0o644, 0, 0, b"root:x:0:0:root:/root:/bin/sh\n"),
    ("etc/passwd.link", "h", 0, 0, 0, "etc/passwd"),
    ("etc/shadow", "f", 0o640, 0, 42, b"root::19000:0:99999:7:::\n"),
    ("run", "d", 0o755, 0, 0, None),
    ("run/ctl", "s", 0o755, 0, 0, None),
    ("run/fifo", "p", 0o644, 0, 0, None),
    ("tmp", "d", 0o1777, 0, 0, None),
    ("www", "d", 0o755, 1000, 1000, None),
    ("www/index.html", "f", 0o644, 1000, 1000, content(5000, "index")),
]
for i in range(40):
    TREE.append(("www/page-%02d.html" % i, "f", 0o644, 1000, 1000, b"<p>%d</p>\n" % i))

uids = sorted({e[3] for e in TREE} | {0})
gids = sorted({e[4] for e in TREE} | {0})
if V4:
    uids = gids = sorted(set(uids) | set(gids))  # 4.0: one id table

SB_SIZE = 96 if V4 else 51 if V1 else 63 if V2 else 119
image = bytearray(SB_SIZE)  # superblock, filled in at the end
fragments = []  # (start, size word)
frag_buf = bytearray()
file_layout = {}  # path -> (start, [size words], fragment index, offset, size)


def flush_fragment():
    global frag_buf
    if not frag_buf:
        return
    c = compress(bytes(frag_buf))
    if len(c) < len(frag_buf):
        fragments.append((len(image), len(c)))
        image.extend(c)
    else:
        fragments.append((len(image), len(frag_buf) | (1 << 24)))
        image.extend(frag_buf)
    frag_buf = bytearray()


for path, kind, mode, uid, gid, payload in TREE:
    if kind != "f":
        continue
    start, sizes = len(image), []
    full = len(payload) // BLOCK_SIZE
    for b in range(full):
        raw = payload[b * BLOCK_SIZE:(b + 1) * BLOCK_SIZE]
        c = compress(raw)
        if len(c) < len(raw):
            image.extend(c)
            sizes.append(len(c))
        else:
            image.extend(raw)
            sizes.append(len(raw) | (1 << 24))
    tail = payload[full * BLOCK_SIZE:]
    frag, off = 0xffffffff, 0
    if tail and V1:  # no fragments: the tail is a short last block
        c = compress(tail)
        if len(c) < len(tail):
            image.extend(c)
            sizes.append(len(c))
        else:
            image.extend(tail)
            sizes.append(len(tail) | (1 << 24))
    elif tail:
        if len(frag_buf) + len(tail) > BLOCK_SIZE:
            flush_fragment()
        frag, off = len(fragments), len(frag_buf)
        frag_buf += tail
    file_layout[path] = (start, sizes, frag, off, len(payload))
flush_fragment()


class MetaWriter:
    """A table of metadata blocks: 16-bit header (bit 15 = stored), at most 8 KiB each."""

    def __init__(self):
        self.out, self.buf = bytearray(), bytearray()

    def ref(self):
        return len(self.out), len(self.buf)

    def write(self, data):
        self.buf += data
        while len(self.buf) >= META:
            self._block(bytes(self.buf[:META]))
            self.buf = self.buf[META:]

    def _block(self, raw):
        c = compress(raw)
        header = len(c) if len(c) < len(raw) else len(raw) | 0x8000
        body = c if len(c) < len(raw) else raw
        self.out += struct.pack(E + "H", header) + (b"\xff" if CHECK else b"") + body

    def finish(self):
        if self.buf:
            self._block(bytes(self.buf))
            self.buf = bytearray()
        return bytes(self.out)


inodes, dirs = MetaWriter(), MetaWriter()
numbers = {}
refs = {}


def base(kind_type, mode, uid, gid, number):
    if V4:
        return struct.pack(E + "HHHHII", kind_type, mode, uids.index(uid), gids.index(gid), MTIME, number)
    if V1:
        u = uids.index(uid)
        if kind_type in (FIFO, SOCKET):
            return bits([(0, 4), (mode, 12), (u % 16, 4), (gids.index(gid), 4), (kind_type, 4), (u // 16, 4)], 32)
        return bits([(kind_type + (u // 16) * 5, 4), (mode, 12), (u % 16, 4), (gids.index(gid), 4)], 24)
    if V2:
        return bits([(kind_type, 4), (mode, 12), (uids.index(uid), 8), (gids.index(gid), 8)], 32)
    return bits([(kind_type, 4), (mode, 12), (uids.index(uid), 8), (gids.index(gid), 8)], 32) + struct.pack(E + "iI", MTIME, number)


def children(dirpath):
    prefix = dirpath + "/" if dirpath else ""
    return sorted((e for e in TREE if e[0].startswith(prefix) and "/" not in e[0][len(prefix):]), key=lambda e: e[0][len(prefix):].encode())


counter = [0]


def write_inode(entry):
    path, kind, mode, uid, gid, payload = entry
    if kind == "h":
        refs[path] = refs[payload]
        numbers[path] = numbers[payload]
        return
    if kind == "d":
        write_dir(path, mode, uid, gid)
        return
    counter[0] += 1
    number = counter[0]
    numbers[path] = number
    refs[path] = inodes.ref()
    if kind == "f":
        start, sizes, frag, off, size = file_layout[path]
        head = struct.pack(E + "IIII", start, frag, off, size) if V4 else struct.pack(E + "iII", MTIME, start, size) if V1 \
            else struct.pack(E + "iIIII", MTIME, start, frag, off, size) if V2 else struct.pack(E + "QIII", start, frag, off, size)
        if V1:  # 16-bit entries, bit 15 set when stored uncompressed
            block_list = b"".join(struct.pack(E + "H", (s & 0xffff) | (0x8000 if s & (1 << 24) else 0)) for s in sizes)
        else:
            block_list = b"".join(struct.pack(E + "I", s) for s in sizes)
        inodes.write(base(REG, mode, uid, gid, number) + head + block_list)
    elif kind == "l":
        target = payload.encode()
        nlink_size = struct.pack(E + "H", len(target)) if V2 else struct.pack(E + ("II" if V4 else "IH"), 1, len(target))
        inodes.write(base(SYMLINK, mode, uid, gid, number) + nlink_size + target)
    elif kind in "cb":
        major, minor = payload
        rdev = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12) if V4 else (major << 8) | minor
        nlink_rdev = struct.pack(E + "H", rdev) if V2 else struct.pack(E + ("II" if V4 else "IH"), 1, rdev)
        inodes.write(base(CHRDEV if kind == "c" else BLKDEV, mode, uid, gid, number) + nlink_rdev)
    else:
        inodes.write(base(FIFO if kind == "p" else SOCKET, mode, uid, gid, number) + (b"" if V2 else struct.pack(E + "I", 1)))


def write_dir(path, mode, uid, gid):
    kids = children(path)
    for k in kids:
        write_inode(k)
    listing = bytearray()
    group = []

    def flush():
        if not group:
            return
        block = refs[group[0][0]][0]
        first = numbers[group[0][0]]
        if V4:
            listing.extend(struct.pack(E + "III", len(group) - 1, block, first))
        elif V2:
            listing.extend(bits([(len(group) - 1, 8), (block, 24)], 32))
        else:
            listing.extend(bits([(len(group) - 1, 8)], 8) + struct.pack(E + "II", block, first))
        for p, t in group:
            name = p.rsplit("/", 1)[-1].encode()
            if V4:
                listing.extend(struct.pack(E + "HhHH", refs[p][1], numbers[p] - first, t, len(name) - 1))
            elif V2:
                listing.extend(bits([(refs[p][1], 13), (t, 3), (len(name) - 1, 8)], 24))
            else:
                listing.extend(bits([(refs[p][1], 13), (t, 3), (len(name) - 1, 8)], 24) + struct.pack(E + "h", numbers[p] - first))
            listing.extend(name)
        group.clear()

    for k in kids:
        p, kind = k[0], k[1]
        if kind == "h":
            kind = [e for e in TREE if e[0] == k[5]][0][1]
        t = {"d": DIR, "f": REG, "l": SYMLINK, "b": BLKDEV, "c": CHRDEV, "p": FIFO, "s": SOCKET}[kind]
        if group and (refs[p][0] != refs[group[0][0]][0] or len(group) == 256):
            flush()
        group.append((p, t))
    flush()
    dir_ref = dirs.ref()
    dirs.write(bytes(listing))
    counter[0] += 1
    number = counter[0]
    if path:
        numbers[path] = number
    refs[path] = inodes.ref()
    size = len(listing) + (0 if V2 else 3)
    if V4:
        inodes.write(base(DIR, mode, uid, gid, number) + struct.pack(E + "IIHHI", dir_ref[0], 2, size, dir_ref[1], counter[0] + 1))
    elif V1:
        u = uids.index(uid)
        inodes.write(bits([(DIR + (u // 16) * 5, 4), (mode, 12), (u % 16, 4), (gids.index(gid), 4), (size, 19), (dir_ref[1], 13)], 56)
                     + struct.pack(E + "i", MTIME) + bits([(dir_ref[0], 24)], 24))
    elif V2:
        inodes.write(base(DIR, mode, uid, gid, number) + bits([(size, 19), (dir_ref[1], 13)], 32) + struct.pack(E + "i", MTIME) + bits([(dir_ref[0], 24)], 24))
    else:
        inodes.write(base(DIR, mode, uid, gid, number) + struct.pack(E + "I", 2) + bits([(size, 19), (dir_ref[1], 13)], 32) + struct.pack(E + "II", dir_ref[0], 0))


write_dir("", 0o755, 0, 0)
root_ref = refs[""]
inode_table = len(image)
image += inodes.finish()
directory_table = len(image)
image += dirs.finish()
fragment_table = len(image)
if not V1:  # 1.x has no fragment table
    frag_meta = MetaWriter()
    for start, size in fragments:
        frag_meta.write(struct.pack(E + "II", start, size) if V2 else struct.pack(E + "QII", start, size, 0))
    frag_blocks_at = len(image)
    image += frag_meta.finish()
    fragment_table = len(image)
    image += struct.pack(E + ("I" if V2 else "Q"), frag_blocks_at)
if V4:
    id_meta = MetaWriter()
    id_meta.write(b"".join(struct.pack(E + "I", u) for u in uids))
    id_blocks_at = len(image)
    image += id_meta.finish()
    id_table = len(image)
    image += struct.pack(E + "Q", id_blocks_at)
    bytes_used = len(image)
    sb = struct.pack(E + "IIIIIHHHHHH", 0x73717368, counter[0], MTIME, BLOCK_SIZE, len(fragments), 1, BLOCK_LOG, 0, len(uids), 4, 0)
    sb += struct.pack(E + "QqqqqqqQ", (root_ref[0] << 16) | root_ref[1], bytes_used, id_table, -1, inode_table, directory_table, fragment_table, 0xFFFFFFFFFFFFFFFF)
else:
    uid_start = len(image)
    image += b"".join(struct.pack(E + "I", u) for u in uids)
    guid_start = len(image)
    image += b"".join(struct.pack(E + "I", g) for g in gids)
    bytes_used = len(image)
    flags = 4 if CHECK else 0
    if V2:
        sb = struct.pack(E + "IIIIIII", 0x73717368, counter[0], bytes_used, uid_start, guid_start, inode_table, directory_table)
        sb += struct.pack(E + "HHHH", 1 if V1 else 2, 0 if V1 else 1, BLOCK_SIZE, BLOCK_LOG)
    else:
        sb = struct.pack(E + "IIIIIII", 0x73717368, counter[0], 0, 0, 0, 0, 0)
        sb += struct.pack(E + "HHHH", 3, 1, BLOCK_SIZE, BLOCK_LOG)
    sb += bytes([flags, len(uids), len(gids)])
    sb += struct.pack(E + "iQ", MTIME, (root_ref[0] << 16) | root_ref[1])
    if not V1:
        sb += struct.pack(E + "III", BLOCK_SIZE, len(fragments), fragment_table if V2 else 0)
    if not V2:
        sb += struct.pack(E + "qqqqqqq", bytes_used, uid_start, guid_start, inode_table, directory_table, fragment_table, -1)
assert len(sb) == SB_SIZE
image[0:SB_SIZE] = sb
image += bytes(-len(image) % 4096)
open(OUT, "wb").write(image)
