#!/bin/sh
# Writes the small root filesystem tree that the UBIFS, UBI and JFFS2 fixtures are made from
# (run as root: it creates device nodes and sets owners), then prints its listing to
# expected.txt in the caller's folder, one entry per line, tab-separated:
#   path  kind  mode(octal 07777)  uid  gid  size  sha256 | symlink target | major,minor
# Usage: tree.sh DIR LISTING
set -eu
d=$1
rm -rf "$d"
mkdir -p "$d/bin" "$d/etc/init.d" "$d/dev" "$d/tmp" "$d/var/run" "$d/a/b/c/d" "$d/home/user"
python3 - "$d" <<'PY'
import random, sys, os
d = sys.argv[1]
r = random.Random(3)
words = "ubi ubifs jffs2 erase block volume leb peb inode dentry node crc sqnum flash nand".split()
def w(path, data, mode=0o644):
    p = os.path.join(d, path)
    with open(p, "wb") as f:
        f.write(data)
    os.chmod(p, mode)
# multi-block file (4 KiB UBIFS blocks, JFFS2 pages): text with random runs, partly incompressible
busy = bytearray()
for i in range(40):
    busy += (" ".join(r.choice(words) for _ in range(60)) + "\n").encode()
    busy += bytes(r.getrandbits(8) for _ in range(700))
w("bin/busybox", bytes(busy), 0o4755)
w("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n")
w("etc/hostname", b"fixture\n")
w("etc/init.d/rcS", b"#!/bin/sh\nmount -a\n", 0o755)
w("etc/shadow", b"root:*:19000:0:99999:7:::\n", 0o600)
w("empty", b"")
w("a/b/c/d/deep.txt", b"deep\n" * 1000)
w("home/user/notes.txt", b"user notes\n", 0o640)
# all-zero blocks in the middle: a hole for the filesystems that keep holes
w("sparse.bin", b"head" + b"\0" * 20000 + b"tail")
# an exact multiple of 4096
w("block.bin", bytes(r.getrandbits(8) for _ in range(8192)))
PY
ln -s busybox "$d/bin/sh"
ln -s /etc/init.d/rcS "$d/etc/rc.local"
ln -s "$(printf 'x%.0s' $(seq 1 200))" "$d/long-link"
ln "$d/etc/passwd" "$d/etc/passwd.hard"
mknod "$d/dev/console" c 5 1
mknod "$d/dev/mtdblock0" b 31 0
mknod "$d/dev/big" c 300 70000
mkfifo "$d/var/run/fifo"
chmod 1777 "$d/tmp"
chmod 2755 "$d/home"
chown -R 1000:1000 "$d/home/user"
chown 0:1000 "$d/etc/shadow"
python3 - "$d" > "$2" <<'PY'
import hashlib, os, stat, sys
root = sys.argv[1]
rows = []
for base, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(base, n)
        rel = os.path.relpath(p, root)
        st = os.lstat(p)
        m = st.st_mode
        extra, size = "", 0
        if stat.S_ISDIR(m): kind = "dir"
        elif stat.S_ISLNK(m): kind, extra = "symlink", os.readlink(p)
        elif stat.S_ISREG(m):
            kind = "file"
            data = open(p, "rb").read()
            size, extra = len(data), hashlib.sha256(data).hexdigest()
        elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
            kind = "chardev" if stat.S_ISCHR(m) else "blockdev"
            extra = "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        elif stat.S_ISFIFO(m): kind = "fifo"
        else: kind = "socket"
        rows.append("%s\t%s\t%04o\t%d\t%d\t%d\t%s" % (rel, kind, stat.S_IMODE(m), st.st_uid, st.st_gid, size, extra))
print("\n".join(sorted(rows)))
PY
