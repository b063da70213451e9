#!/usr/bin/env bash
# An LVM2 physical volume written by lvm2's own tools (run as root: needs a loop device, not
# device-mapper): pvcreate + vgcreate on a loop device, then the logical volumes are added to the
# metadata with vgcfgbackup/vgcfgrestore (lvcreate would need device-mapper to activate them):
#   root: 2 extents (8 MiB) at PE 0, an ext4 filesystem
#   data: two segments, PE 4..4 and PE 2..2 (a volume whose second half lies before its first), bytes written here
# and the ext4 and data bytes are written into the extents at pe_start + PE × extent_size.
# Writes pv.img.gz and data.sha256. Re-run: bash make.sh (needs lvm2, e2fsprogs, util-linux, python3).
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
loop=""
cleanup() { vgremove -f -q vgfix >/dev/null 2>&1 || true; [ -n "$loop" ] && losetup -d "$loop"; rm -rf "$work"; }
trap cleanup EXIT
export E2FSPROGS_FAKE_TIME=1700000000
cfg='devices { filter=["a|.*|"] } activation { udev_sync=0 udev_rules=0 }'
truncate -s 32M "$work/pv.img"
loop=$(losetup -f --show "$work/pv.img")
pvcreate -q --config "$cfg" -u Fix7M0-0000-0000-0000-0000-0000-00LVM2 --norestorefile "$loop" 2>/dev/null
vgcreate -q --config "$cfg" -s 4M vgfix "$loop" 2>/dev/null
vgcfgbackup -q --config "$cfg" -f "$work/vg.txt" vgfix 2>/dev/null
python3 - "$work/vg.txt" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read()
lvs = '''
	logical_volumes {
		root {
			id = "R00tLV-0000-0000-0000-0000-0000-000001"
			status = ["READ", "WRITE", "VISIBLE"]
			flags = []
			segment_count = 1
			segment1 {
				start_extent = 0
				extent_count = 2
				type = "striped"
				stripe_count = 1
				stripes = ["pv0", 0]
			}
		}
		data {
			id = "DataLV-0000-0000-0000-0000-0000-000002"
			status = ["READ", "WRITE", "VISIBLE"]
			flags = []
			segment_count = 2
			segment1 {
				start_extent = 0
				extent_count = 1
				type = "striped"
				stripe_count = 1
				stripes = ["pv0", 4]
			}
			segment2 {
				start_extent = 1
				extent_count = 1
				type = "striped"
				stripe_count = 1
				stripes = ["pv0", 2]
			}
		}
	}
'''
i = s.rindex("}")          # the end of the vg section
s = s[:i] + lvs + s[i:]
open(p, "w").write(s)
PY
vgcfgrestore -q --config "$cfg" -f "$work/vg.txt" vgfix 2>/dev/null
vgchange -q --config "$cfg" -an vgfix >/dev/null 2>&1 || true
losetup -d "$loop"; loop=""
pe_start=$(( $(grep -m1 'pe_start' "$work/vg.txt" | tr -dc 0-9) * 512 ))
extent=$(( 4 << 20 ))
mkdir -p "$work/root/etc"; printf 'ID=rhel\nVERSION_ID="9.4"\n' > "$work/root/etc/os-release"
mkfs.ext4 -q -F -d "$work/root" "$work/root.ext4" 8M
dd if="$work/root.ext4" of="$work/pv.img" bs=512 seek=$(( pe_start / 512 )) conv=notrunc status=none
python3 - "$work/pv.img" $pe_start $extent <<'PY'
import hashlib, sys
p, start, ext = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
a = bytes([0xaa]) * ext; b = bytes([0xbb]) * ext
with open(p, "r+b") as f:
    f.seek(start + 4 * ext); f.write(a)   # data segment 1 at PE 4
    f.seek(start + 2 * ext); f.write(b)   # data segment 2 at PE 2
open("data.sha256", "w").write(hashlib.sha256(a + b).hexdigest() + "\n")
PY
gzip -9n < "$work/pv.img" > pv.img.gz
ls -l
