#!/bin/sh
# Builds the ext2/3/4 fixtures from one small tree (run as root: mknod, chown).
# Needs e2fsprogs (mke2fs -d, e2fsck, debugfs), coreutils and python3 (for the socket).
# Writes *.img.gz (the tests gunzip them in memory) and tree.txt, the expected listing:
#   kind<TAB>mode<TAB>uid<TAB>gid<TAB>size<TAB>sha256|target|major,minor|-<TAB>path
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t="$work/tree"
mkdir -p "$t"
export E2FSPROGS_FAKE_TIME=1700000000
stamp=202311141200

# --- the tree ---
mkdir -p "$t/bin" "$t/etc/init.d" "$t/dev" "$t/tmp" "$t/home/user" "$t/big" "$t/deep/a/b/c/d"
printf 'hello world\n' > "$t/hello.txt"
: > "$t/empty"
# 300 numbered 1 KiB records (307200 bytes): double indirect with 1 KiB blocks, compresses well
for i in $(seq 0 299); do printf 'record %05d\n' "$i"; head -c 1011 /dev/zero | tr '\0' 'r'; done > "$t/bin/numbers"
printf '#!/bin/sh\necho start\n' > "$t/etc/init.d/rcS"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$t/etc/passwd"
printf 'caf\303\251\n' > "$t/caf$(printf '\303\251').txt"
printf 'deep\n' > "$t/deep/a/b/c/d/leaf.txt"
printf '\177ELF not really\n' > "$t/bin/su"
chmod 4755 "$t/bin/su"
chmod 2711 "$t/etc/init.d/rcS"
chmod 1777 "$t/tmp"
chmod 0600 "$t/etc/passwd"
chown 1000:1000 "$t/home/user"
printf 'secret\n' > "$t/home/user/notes"
chown 70000:70001 "$t/home/user/notes"                # needs the high 16 bits of uid/gid
ln "$t/hello.txt" "$t/bin/hardlink"                   # hard link: both names list as files
ln -s hello.txt "$t/link"                             # fast symlink (target in i_block)
ln -s "../$(printf 'x%.0s' $(seq 1 40))/$(printf 'y%.0s' $(seq 1 40))/target" "$t/bin/slowlink"  # 88 bytes: slow symlink
mknod "$t/dev/null" c 1 3
mknod "$t/dev/sda1" b 8 1
mknod "$t/dev/big" c 300 70000                        # only the new dev_t encoding can hold it
mkfifo "$t/dev/fifo"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$t/dev/sock"
# sparse: data at 1 MiB, then at the end, 70 MB (past 12 + 256 + 65536 KiB: triple indirect with 1 KiB blocks)
truncate -s 70001000 "$t/sparse"
printf 'middle' | dd of="$t/sparse" bs=1 seek=1048576 conv=notrunc 2>/dev/null
printf 'end' | dd of="$t/sparse" bs=1 seek=70000997 conv=notrunc 2>/dev/null   # ends in data, see fragmented
# fragmented: 12 data runs separated by holes, more extents than fit in the inode (depth 1 tree);
# it ends in data (mke2fs 1.47 -O inline_data drops a trailing hole from i_size)
for i in $(seq 0 11); do
  printf 'fragment %02d\n' "$i" | dd of="$t/fragmented" bs=4096 seek=$((i * 2)) conv=notrunc 2>/dev/null
done
# many names in one directory: an htree (dir_index) directory after e2fsck -D
for i in $(seq 1 400); do
  printf '%d\n' "$i" > "$t/big/file-with-a-longish-name-$(printf '%04d' "$i")"
done
find "$t" -mindepth 1 -exec touch -h -t "$stamp" {} +

# --- expected listing ---
(cd "$t" && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
  p=${p#./}
  kind=$(stat -c %F "$p")
  meta=$(stat -c '%a	%u	%g' "$p")
  case "$kind" in
    "regular file"|"regular empty file") echo "file	$meta	$(stat -c %s "$p")	$(sha256sum < "$p" | cut -d' ' -f1)	$p" ;;
    directory) echo "dir	$meta	-	-	$p" ;;
    "symbolic link") echo "symlink	$meta	-	$(readlink "$p")	$p" ;;
    "character special file") echo "chardev	$meta	-	$(printf '%d,%d' 0x$(stat -c %t "$p") 0x$(stat -c %T "$p"))	$p" ;;
    "block special file") echo "blockdev	$meta	-	$(printf '%d,%d' 0x$(stat -c %t "$p") 0x$(stat -c %T "$p"))	$p" ;;
    fifo) echo "fifo	$meta	-	-	$p" ;;
    socket) echo "socket	$meta	-	-	$p" ;;
  esac
done) > tree.txt

# --- images (size in blocks of the given block size) ---
mk() { # name type blocksize blocks options...
  name=$1 type=$2 bs=$3 count=$4; shift 4
  rm -f "$work/$name.img"
  mke2fs -q -F -t "$type" -b "$bs" -U 6f1c0a4e-0d1b-4c1e-9b4f-0123456789ab -E hash_seed=1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9 \
    -L "$name" "$@" -d "$t" "$work/$name.img" "$count"
  e2fsck -fyD "$work/$name.img" >/dev/null 2>&1 || [ $? -le 1 ]
  debugfs -R 'ls -l /' "$work/$name.img" 2>/dev/null > /dev/null
  gzip -9n < "$work/$name.img" > "$name.img.gz"
}
mk ext2-1k ext2 1024 4096                                  # indirect blocks up to triple, 1 KiB blocks
mk ext3-1k ext3 1024 6144 -J size=1                        # journal, indirect blocks, htree
mk ext4-4k ext4 4096 2048 -O 64bit                         # extents, flex_bg, 64-bit descriptors, metadata_csum
mk ext4-1k-inline ext4 1024 4096 -O inline_data,^has_journal -I 256   # inline files and directories
mk ext4-4k-metabg ext4 4096 2048 -O meta_bg,^resize_inode,^has_journal   # meta block groups
mk ext4-1k-32bit ext4 1024 4096 -O ^64bit,^metadata_csum,^has_journal -I 128  # 32-byte descriptors, 128-byte inodes
mk ext4-1k-bigalloc ext4 1024 16384 -O bigalloc,^has_journal -C 4096   # clusters; s_first_data_block 0 with 1 KiB blocks
ls -l ./*.img.gz
