#!/bin/sh
# Builds the SquashFS fixtures of SquashFsHandlerTests with mksquashfs (squashfs-tools 4.5.1, Debian 12)
# from a small tree this script writes, and records what unsquashfs sees in each image:
#   <name>.sqfs          the image
#   expected-<name>.txt  `unsquashfs -lln` of the image (kind, mode, uid/gid, size or major,minor, path, target)
#   expected-sha256.txt  sha256 of some files of the tree (the content every image must give back)
# Everything is reproducible: fixed timestamps (-all-time, -mkfs-time), deterministic file contents.
# Run from this folder: sh make.sh
set -eu
export TZ=UTC LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root/bin" "$root/etc/init.d" "$root/dev" "$root/run" "$root/tmp" "$root/srv/many" "$root/data" "$root/usr/share/doc"

# regular files: small (fragments), empty, larger than one block (text and incompressible), sparse
printf 'router\n' > "$root/etc/hostname"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
printf 'root:$6$salt$hash:19000:0:99999:7:::\n' > "$root/etc/shadow"
printf '#!/bin/sh\necho start\n' > "$root/etc/init.d/rcS"
: > "$root/etc/empty"
seq 1 5000 > "$root/usr/share/doc/numbers.txt"
python3 - "$root" <<'PY'
import hashlib, os, sys
root = sys.argv[1]
# incompressible bytes from a hash chain: data blocks stored uncompressed
out, h = bytearray(), b"assay"
while len(out) < 70000:
    h = hashlib.sha256(h).digest(); out += h
open(os.path.join(root, "bin/busybox"), "wb").write(bytes(out[:70000]))
# sparse: 64 KiB of zeros, a little data, then zeros up to 300 KiB (all-zero blocks become holes)
with open(os.path.join(root, "data/sparse.img"), "wb") as f:
    f.truncate(300 * 1024); f.seek(65536 + 100); f.write(b"in the middle of nowhere")
# an extended attribute (makes the inode of this file an extended inode)
p = os.path.join(root, "etc/hostname")
try:
    os.setxattr(p, "user.assay", b"fixture")
except OSError:
    pass
PY
# many entries in one directory: several directory headers and metadata blocks
i=0
while [ $i -lt 260 ]; do printf '%s\n' "$i" > "$root/srv/many/entry-$(printf %03d $i)"; i=$((i + 1)); done
# names with spaces and UTF-8
printf 'x\n' > "$root/data/with space.txt"
printf 'y\n' > "$root/data/caf$(printf '\303\251').txt"
# hard link, symlinks (relative, absolute, dangling), setuid/setgid/sticky, fifo
ln "$root/etc/passwd" "$root/etc/passwd.link"
ln -s busybox "$root/bin/sh"
ln -s /etc/hostname "$root/etc/hostname.abs"
ln -s ../nowhere "$root/data/dangling"
chmod 4755 "$root/bin/busybox"
chmod 2775 "$root/srv"
chmod 1777 "$root/tmp"
chmod 0600 "$root/etc/shadow"
mkfifo "$root/run/fifo"
find "$root" -exec touch -h -d @1700000000 {} +

make() {
	name=$1; shift
	rm -f "$here/$name.sqfs"
	# shellcheck disable=SC2086
	mksquashfs "$root" "$here/$name.sqfs" -noappend -quiet -no-progress -all-time 1700000000 -mkfs-time 1700000000 \
		-p "dev/console c 600 0 0 5 1" -p "dev/sda b 660 0 6 8 0" -p "run/ctl.sock i 755 0 0 s" -p "etc/shadow m 640 0 42" \
		"$@" > /dev/null
	unsquashfs -lln -d "" "$here/$name.sqfs" | sed -n '/^[-dlcbps]/p' > "$here/expected-$name.txt"
}
make gzip-4k -comp gzip -b 4096
make xz -comp xz -b 65536 -Xbcj x86,arm
make lzma -comp lzma -b 8192
make lzo -comp lzo -b 16384
make lz4 -comp lz4 -b 32768 -Xhc
make zstd -comp zstd -b 131072
make stored -comp gzip -b 4096 -noI -noD -noF -noX
make nofrag -comp gzip -b 8192 -no-fragments -no-xattrs
(cd "$root" && sha256sum bin/busybox usr/share/doc/numbers.txt data/sparse.img etc/passwd etc/empty srv/many/entry-259) > "$here/expected-sha256.txt"

# xz streams with each BCJ filter (and delta) over 16 KiB of code-like bytes full of call/branch patterns, as
# mksquashfs -Xbcj would write them per block (one block, CRC32 check); start=256 tests the offset.
python3 - "$work/code.bin" <<'PY'
import random, sys
r = random.Random(3)
words = [bytes(r.randrange(256) for _ in range(4)) for _ in range(64)]
out = bytearray()
while len(out) < 16384:
    k, a, b, c = r.randrange(9), r.randrange(256), r.randrange(256), r.randrange(256)
    out += [words[r.randrange(64)], bytes([0xe8, a, b, 0, 0]), bytes([a, b, c, 0xeb]), bytes([a, 0xf0 | (b & 7), c, 0xf8 | (a & 7)]),
            bytes([0x48 | (a & 3), b, c, (a & 0xfc) | 1]), bytes([0x40, b & 0x3f, c, a]), bytes([a, b, c, 0x94 | (a & 3)]),
            bytes([a, b, c, 0x90]), bytes([0x10, a, b, c] * 4)][k]
open(sys.argv[1], "wb").write(bytes(out[:16384]))
PY
for f in x86 powerpc ia64 arm armthumb sparc arm64; do
	xz --format=xz --check=crc32 --"$f" --lzma2=preset=6 -c "$work/code.bin" > "$here/bcj-$f.xz"
done
xz --format=xz --check=crc32 --x86=start=256 --lzma2=preset=6 -c "$work/code.bin" > "$here/bcj-x86-start.xz"
xz --format=xz --check=crc32 --delta=dist=4 --lzma2=preset=6 -c "$work/code.bin" > "$here/delta.xz"
(cd "$work" && sha256sum code.bin) > "$here/expected-code-sha256.txt"

# SquashFS 1.0, 2.1 and 3.1 images (mksquashfs 1.x-3.x are not packaged any more) and big-endian 4.0 (mksquashfs 4.x
# writes little-endian only): written by mksquashfs-py.py, checked and listed by unsquashfs 4.5.1,
# which reads 1.x, 2.x and 3.x (zlib only) and little-endian 4.0. The vendor-LZMA 3.x images hold the same tree as
# the zlib ones, and v4-be is v4-le with the other byte order, so they share those listings.
python3 "$here/mksquashfs-py.py" "$here/v3-le.sqfs" 3 le zlib
python3 "$here/mksquashfs-py.py" "$here/v3-be.sqfs" 3 be zlib check
python3 "$here/mksquashfs-py.py" "$here/v3-le-lzma.sqfs" 3 le lzma
python3 "$here/mksquashfs-py.py" "$here/v3-be-lzma.sqfs" 3 be lzma
python3 "$here/mksquashfs-py.py" "$here/v1-le.sqfs" 1 le zlib
python3 "$here/mksquashfs-py.py" "$here/v1-be.sqfs" 1 be zlib check
python3 "$here/mksquashfs-py.py" "$here/v2-le.sqfs" 2 le zlib
python3 "$here/mksquashfs-py.py" "$here/v2-be.sqfs" 2 be zlib check
python3 "$here/mksquashfs-py.py" "$here/v4-le.sqfs" 4 le zlib
python3 "$here/mksquashfs-py.py" "$here/v4-be.sqfs" 4 be zlib
unsquashfs -lln -d "" "$here/v4-le.sqfs" | sed -n '/^[-dlcbps]/p' > "$here/expected-v4-le.txt"
cp "$here/expected-v4-le.txt" "$here/expected-v4-be.txt"
for v in v3-le v3-be v2-le v2-be v1-le v1-be; do
	unsquashfs -lln -d "" "$here/$v.sqfs" 2>/dev/null | sed -n '/^[-dlcbps]/p' > "$here/expected-$v.txt"
done
cp "$here/expected-v3-le.txt" "$here/expected-v3-le-lzma.txt"
cp "$here/expected-v3-be.txt" "$here/expected-v3-be-lzma.txt"
unsquashfs -d "$work/v3" "$here/v3-be.sqfs" > /dev/null 2>&1
(cd "$work/v3" && sha256sum bin/busybox www/index.html etc/passwd etc/empty www/page-39.html) > "$here/expected-written-sha256.txt"
ls -l "$here"
