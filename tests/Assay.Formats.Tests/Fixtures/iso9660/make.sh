#!/bin/sh
# Builds the ISO 9660 fixtures (run as root: mknod, chown). Needs xorriso, genisoimage, python3.
# Writes *.iso.gz (the tests gunzip them in memory) and tree.txt, the expected Rock Ridge listing:
#   kind<TAB>mode<TAB>uid<TAB>gid<TAB>size<TAB>sha256|target|major,minor|-<TAB>path
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t="$work/tree"
mkdir -p "$t/bin" "$t/etc" "$t/dev" "$t/Mixed Case Dir" "$t/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10"
stamp=202311141200
long=$(printf 'n%.0s' $(seq 1 230))

printf 'hello world\n' > "$t/hello.txt"
: > "$t/empty"
# 3000 numbered 12-byte lines: spans sectors
seq -f 'line %06g' 1 3000 > "$t/bin/lines"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$t/etc/passwd"
printf '\177ELF not really\n' > "$t/bin/su"
printf 'mixed\n' > "$t/Mixed Case Dir/A file with a Long Name.txt"
printf 'deep\n' > "$t/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/leaf.txt"
printf 'long name\n' > "$t/$long"                          # NM beyond one record: continuation area (CE)
chmod 4755 "$t/bin/su"
chmod 0600 "$t/etc/passwd"
chown 1000:1001 "$t/etc/passwd"
ln "$t/hello.txt" "$t/bin/hardlink"
ln -s hello.txt "$t/link"
ln -s /etc/../bin/./su "$t/bin/abs"                        # SL root, parent and current components
ln -s "$(printf 'x%.0s' $(seq 1 150))/$(printf 'y%.0s' $(seq 1 150))" "$t/bin/longlink"   # SL split over entries
mknod "$t/dev/null" c 1 3
mknod "$t/dev/sda1" b 8 1
mkfifo "$t/dev/fifo"
find "$t" -mindepth 1 -exec touch -h -t "$stamp" {} +

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
  esac
done) > tree.txt

# Rock Ridge + Joliet (xorriso keeps deep directories in place)
xorriso -as mkisofs -quiet -R -J -joliet-long -V ASSAY_RR -o "$work/rr-joliet.iso" "$t"
# Rock Ridge from genisoimage: directories deeper than 8 move to rr_moved (CL/PL/RE);
# rr_moved itself stays a visible directory, as Linux shows it
genisoimage -quiet -R -V ASSAY_DEEP -o "$work/rr-relocated.iso" "$t"
# regular files and directories only, for the Joliet-only and plain ISO level 1 images
p="$work/plain"
mkdir -p "$p/docs/sub"
printf 'hello world\n' > "$p/hello.txt"
printf 'readme\n' > "$p/README"
seq -f 'line %06g' 1 3000 > "$p/docs/lines.txt"
printf 'sub\n' > "$p/docs/sub/A Long Joliet Name.txt"
# (genisoimage: xorriso writes Rock Ridge even without -R)
genisoimage -quiet -J -V ASSAY_JOLIET -o "$work/joliet.iso" "$p"
genisoimage -quiet -iso-level 1 -V ASSAY_PLAIN -o "$work/plain.iso" "$p"
for f in rr-joliet rr-relocated joliet plain; do gzip -9n < "$work/$f.iso" > "$f.iso.gz"; done
ls -l ./*.iso.gz
