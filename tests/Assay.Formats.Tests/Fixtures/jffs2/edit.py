# Writes a little-endian JFFS2 image node by node (struct jffs2_raw_inode / jffs2_raw_dirent of
# include/uapi/linux/jffs2.h; CRCs are the kernel's crc32(0, ...)), and prints its expected listing
# in the format of ../ubifs/tree.sh.
import hashlib, lzma, struct, sys, zlib

def crc(b):
    return zlib.crc32(b, 0xffffffff) ^ 0xffffffff

out = bytearray()

def pad():
    while len(out) % 4:
        out.append(0xff)

def header(nodetype, totlen):
    h = struct.pack("<HHI", 0x1985, nodetype, totlen)
    return h + struct.pack("<I", crc(h))

def inode(ino, version, mode, isize, offset, data, dsize=None, compr=0, uid=0, gid=0, mtime=1700000000, accurate=True, break_crc=False):
    dsize = len(data) if dsize is None else dsize
    body = struct.pack("<IIIHHIIIIIIIBBH", ino, version, mode, uid, gid, isize, mtime, mtime, mtime, offset, len(data), dsize, compr, 0, 0)
    body += struct.pack("<I", crc(data))
    h = header(0xe002, 68 + len(data))
    node = h + body
    node += struct.pack("<I", crc(node[:60]))
    node = bytearray(node + data)
    if not accurate:
        node[2:4] = struct.pack("<H", 0xe002 & ~0x2000)  # obsoleted in place; hdr_crc stays that of the accurate type
    if break_crc:
        node[68] ^= 0xff
    out.extend(node)
    pad()

def dirent(pino, version, ino, name, dtype):
    name = name.encode()
    body = struct.pack("<IIIIBBH", pino, version, ino, 1700000000, len(name), dtype, 0)
    node = header(0xe001, 40 + len(name)) + body
    node += struct.pack("<II", crc(node[:32]), crc(name))
    out.extend(node + name)
    pad()

def lzma_raw(data):
    return lzma.compress(data, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1, "dict_size": 8192, "lc": 0, "lp": 0, "pb": 0}])

REG, DIR, LNK, CHR = 0o100000, 0o040000, 0o120000, 0o020000
rows = []
def row(path, kind, mode, size=0, extra="", uid=0, gid=0):
    rows.append("%s\t%s\t%04o\t%d\t%d\t%d\t%s" % (path, kind, mode, uid, gid, size, extra))

# out.bin (ino 2): two pages of 'A', then version 3 overwrites bytes 100..199 with 'B',
# version 4 truncates to 5000 bytes, version 5 is a metadata-only chmod to 0600
a = b"A" * 4096
inode(2, 1, REG | 0o644, 4096, 0, zlib.compress(a), 4096, compr=6)
inode(2, 2, REG | 0o644, 8192, 4096, a, compr=0)
inode(2, 3, REG | 0o644, 8192, 100, b"B" * 100)
inode(2, 4, REG | 0o644, 5000, 0, b"", 0)
inode(2, 5, REG | 0o600, 5000, 0, b"", 0, uid=7, gid=8)
dirent(1, 6, 2, "out.bin", 8)
content = bytearray(a + a)
content[100:200] = b"B" * 100
content = bytes(content[:5000])
row("out.bin", "file", 0o600, len(content), hashlib.sha256(content).hexdigest(), 7, 8)

# lzma.txt (ino 3): lzma with the kernel's fixed settings; a hole page (JFFS2_COMPR_ZERO) in the middle
text = b"lzma compressed jffs2 node\n" * 200
inode(3, 1, REG | 0o644, 4096, 0, lzma_raw(text[:4096]), 4096, compr=8)
inode(3, 2, REG | 0o644, 8192, 4096, b"", 4096, compr=1)
inode(3, 3, REG | 0o644, 8192 + 100, 8192, lzma_raw(text[:100]), 100, compr=8)
dirent(1, 4, 3, "lzma.txt", 8)
content = text[:4096] + b"\0" * 4096 + text[:100]
row("lzma.txt", "file", 0o644, len(content), hashlib.sha256(content).hexdigest())

# gone.txt (ino 4): unlinked by a newer dirent with ino 0
inode(4, 1, REG | 0o644, 3, 0, b"bye")
dirent(1, 7, 4, "gone.txt", 8)
dirent(1, 8, 0, "gone.txt", 8)

# ino 5 renamed: "old" unlinked, "dir/new" added; dir is ino 6
inode(6, 1, DIR | 0o755, 0, 0, b"")
dirent(1, 9, 6, "dir", 4)
row("dir", "dir", 0o755)
inode(5, 1, REG | 0o644, 5, 0, b"moved")
dirent(1, 10, 5, "old", 8)
dirent(1, 11, 0, "old", 8)
dirent(6, 12, 5, "new", 8)
row("dir/new", "file", 0o644, 5, hashlib.sha256(b"moved").hexdigest())

# a symlink, a device in the kernel's 32-bit new encoding, an obsolete node and a damaged node
inode(7, 1, LNK | 0o777, 7, 0, b"out.bin")
dirent(1, 13, 7, "link", 10)
row("link", "symlink", 0o777, 0, "out.bin")
dev = (70000 & 0xff) | (300 << 8) | ((70000 & ~0xff) << 12)
inode(8, 1, CHR | 0o600, 0, 0, struct.pack("<I", dev))
dirent(1, 14, 8, "big", 2)
row("big", "chardev", 0o600, 0, "300,70000")
inode(9, 1, REG | 0o644, 4, 0, b"good")
inode(9, 2, REG | 0o644, 4, 0, b"evil", accurate=False)
inode(9, 3, REG | 0o644, 4, 0, b"torn", break_crc=True)
dirent(1, 15, 9, "kept", 8)
row("kept", "file", 0o644, 4, hashlib.sha256(b"good").hexdigest())

open(sys.argv[1], "wb").write(bytes(out))
print("\n".join(sorted(rows)))
