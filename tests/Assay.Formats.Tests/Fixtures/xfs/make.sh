#!/usr/bin/env bash
# XFS fixtures made by mkfs.xfs from a protofile (no mount needed), v5 (crc=1, ftype, bigtime) and
# v4 (crc=0). The tree: shortform root, a 300-entry directory (leaf form), a 3 MiB file, a file with
# inline-sized content, an empty file, a short and a 600-byte (remote) symlink, a char device, a fifo,
# setuid and owner bits. Writes xfs-v5.img.gz, xfs-v4.img.gz and tree.txt (path<TAB>kind<TAB>sha256|target).
# Re-run: bash make.sh (needs xfsprogs, python3).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work" <<'PY'
import hashlib, os, sys
w = sys.argv[1]
src = os.path.join(w, "src"); os.makedirs(src)
files = {}
def put(name, data):
    p = os.path.join(src, name.replace("/", "_")); open(p, "wb").write(data); files[name] = (p, data)
put("etc/hostname", b"xfs-fixture\n")
put("etc/os-release", b'ID=rhel\nVERSION_ID="9.4"\n')
put("usr/bin/big", b"".join(b"block %06d " % i + b"x" * 1012 for i in range(3072)))   # 3 MiB
put("empty", b"")
for i in range(300):
    put(f"many/file-{i:03d}.txt", b"entry %d\n" % i)
long_target = "/" + "/".join(["segment%02d" % i for i in range(60)])   # 600 bytes: a remote symlink
lines = ["fixture", "0 0", "d--755 0 0"]
tree = []
def emit(path, mode, uid, gid, rest):
    lines.append(f"{path.split('/')[-1]} {mode} {uid} {gid} {rest}".rstrip())
# root entries
emit("empty", "---644", 0, 0, files["empty"][0]); tree.append(("empty", "file", hashlib.sha256(b"").hexdigest()))
lines.append("etc d--755 0 0")
for n in ["etc/hostname", "etc/os-release"]:
    emit(n, "---644", 0, 0, files[n][0]); tree.append((n, "file", hashlib.sha256(files[n][1]).hexdigest()))
lines.append("$")
lines.append("usr d--755 0 0"); lines.append("bin d--755 0 0")
emit("usr/bin/big", "-u-755", 0, 0, files["usr/bin/big"][0]); tree.append(("usr/bin/big", "file", hashlib.sha256(files["usr/bin/big"][1]).hexdigest()))
lines.append("sh l--777 0 0 /bin/busybox"); tree.append(("usr/bin/sh", "symlink", "/bin/busybox"))
lines.append("$"); lines.append("$")
lines.append("many d--750 1000 1000")
for i in range(300):
    n = f"many/file-{i:03d}.txt"; emit(n, "---600", 1000, 1000, files[n][0]); tree.append((n, "file", hashlib.sha256(files[n][1]).hexdigest()))
lines.append("$")
lines.append(f"longlink l--777 0 0 {long_target}"); tree.append(("longlink", "symlink", long_target))
lines.append("null c--666 0 0 1 3"); tree.append(("null", "device", "1,3"))
lines.append("pipe p--644 0 0"); tree.append(("pipe", "fifo", "-"))
lines.append("$")
open(os.path.join(w, "proto"), "w").write("\n".join(lines) + "\n")
open("tree.txt", "w").write("".join(f"{p}\t{k}\t{v}\n" for p, k, v in sorted(tree)))
PY
# 32 MiB: below mkfs.xfs's 300 MB floor, which it waives for the xfstests environment variables
export TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1
truncate -s 32M "$work/v5.img"; mkfs.xfs -q -f -m crc=1,uuid=0a0b0c0d-0000-4000-8000-0000000000f5 -p "$work/proto" "$work/v5.img"
truncate -s 32M "$work/v4.img"; mkfs.xfs -q -f -m crc=0 -p "$work/proto" "$work/v4.img" 2>/dev/null
gzip -9n < "$work/v5.img" > xfs-v5.img.gz
gzip -9n < "$work/v4.img" > xfs-v4.img.gz
ls -l
