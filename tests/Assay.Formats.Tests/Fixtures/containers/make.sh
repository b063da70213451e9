#!/usr/bin/env bash
# Container-image fixtures, made with umoci and skopeo (Debian packages) over a hand-made root
# filesystem; nothing is pulled from a registry. Re-run: bash make.sh (needs umoci, skopeo, python3).
#   oci.tar            OCI layout as a tar (oci-archive), one image "1.0", six layers (umoci insert makes one per call):
#                        1 base: etc/os-release, var/lib/dpkg/status (2 packages), bin/tool, etc/app/{a,b}.conf, opt/old/x
#                        2 whiteout of bin/tool; 3 opaque etc/app (only c.conf remains); 4 new usr/bin/app
#                        5 whiteout of opt/old (a directory); 6 adds opt/new/y
#                      config: user root (none set), port 23/tcp, env DB_PASSWORD=..., labels, history
#   docker.tar         the same image through skopeo as a docker save archive (layer tars, manifest.json)
#   multiarch.tar      OCI layout whose index.json points to an image index of two platforms (amd64, arm64)
#   tampered.tar       oci.tar with one byte of a layer blob changed (digest mismatch)
#   layer-bomb.tar     OCI layout whose one layer is a gzip of 64 MiB of zeros (ratio limit)
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000
stamp() { find "$1" -exec touch -h -d @1700000000 {} +; }

img=$work/img
umoci init --layout "$img"
umoci new --image "$img:app"
umoci config --image "$img:app" --config.user "" --config.exposedports 23/tcp \
  --config.env "DB_PASSWORD=hunter2-secret" --config.env "PATH=/usr/bin:/bin" \
  --config.entrypoint /usr/bin/app --config.label "org.opencontainers.image.vendor=ExampleVendor" \
  --history.created_by "umoci config (fixture)"

base=$work/base
mkdir -p "$base"/{etc/app,var/lib/dpkg,bin,opt/old}
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' > "$base/etc/os-release"
cat > "$base/var/lib/dpkg/status" <<'DPKG'
Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1

Package: openssl
Status: install ok installed
Architecture: amd64
Version: 3.0.11-1~deb12u2

DPKG
printf '#!/bin/sh\necho tool\n' > "$base/bin/tool"; chmod 755 "$base/bin/tool"
echo a=1 > "$base/etc/app/a.conf"; echo b=2 > "$base/etc/app/b.conf"; echo x > "$base/opt/old/x"
stamp "$base"
umoci unpack --image "$img:app" "$work/bundle"
cp -a "$base/." "$work/bundle/rootfs/"
umoci repack --history.created_by "COPY rootfs / (layer 1)" --image "$img:app" "$work/bundle"
rm -rf "$work/bundle"

# layer 2: delete bin/tool, replace etc/app wholesale, add usr/bin/app
mkdir -p "$work/l2/etc-app" "$work/l2/bin"
echo c=3 > "$work/l2/etc-app/c.conf"
printf '#!/bin/sh\necho app\n' > "$work/l2/bin/app"; chmod 755 "$work/l2/bin/app"
stamp "$work/l2"
umoci insert --image "$img:app" --whiteout /bin/tool
umoci insert --image "$img:app" --opaque "$work/l2/etc-app" /etc/app
umoci insert --image "$img:app" "$work/l2/bin/app" /usr/bin/app

# layer 3: delete a directory, add another
mkdir -p "$work/l3/new"; echo y > "$work/l3/new/y"; stamp "$work/l3"
umoci insert --image "$img:app" --whiteout /opt/old
umoci insert --image "$img:app" "$work/l3/new" /opt/new
umoci gc --layout "$img"
# name the image app:1.0 in the index (umoci writes the tag as the ref name)
umoci tag --image "$img:app" 1.0 && umoci rm --image "$img:app"

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -C "$img" -cf oci.tar .
skopeo --insecure-policy copy -q "oci:$img:1.0" "docker-archive:$work/docker.tar:example/app:1.0"
cp "$work/docker.tar" docker.tar

# multi-arch: two single-layer images and an index of them, written by hand against image-index.md
python3 - "$work/multi" <<'PY'
import hashlib, io, json, os, sys, tarfile, gzip
root = sys.argv[1]
os.makedirs(f"{root}/blobs/sha256")
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    open(f"{root}/blobs/sha256/{d}", "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
def layer(files):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name); info.size = len(data); info.mtime = 1700000000; info.mode = 0o755
            t.addfile(info, io.BytesIO(data))
    raw = raw.getvalue()
    return raw, gzip.compress(raw, mtime=0)
manifests = []
for arch in ["amd64", "arm64"]:
    raw, gz = layer({"usr/bin/nf": f"network function for {arch}\n".encode()})
    config = json.dumps({"architecture": arch, "os": "linux", "config": {"User": "1000:1000"},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **blob(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **blob(gz)}]}).encode()
    manifests.append({"mediaType": "application/vnd.oci.image.manifest.v1+json", **blob(manifest),
                      "platform": {"architecture": arch, "os": "linux"}})
index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": manifests}).encode()
top = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", **blob(index),
       "annotations": {"org.opencontainers.image.ref.name": "nf:2.0"}}]}
open(f"{root}/index.json", "w").write(json.dumps(top))
open(f"{root}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -C "$work/multi" -cf multiarch.tar .

# tampered: flip one byte inside the largest layer blob's data (the tar stays well-formed)
python3 - <<'PY'
import tarfile
src = tarfile.open("oci.tar")
biggest = max((m for m in src.getmembers() if m.name.startswith("./blobs/") and m.isfile()), key=lambda m: m.size)
data = bytearray(open("oci.tar", "rb").read())
data[biggest.offset_data + biggest.size // 2] ^= 0x01
open("tampered.tar", "wb").write(data)
PY

# bomb: one layer that inflates 64 MiB of zeros from ~64 KiB
python3 - "$work/bomb" <<'PY'
import hashlib, io, json, os, sys, tarfile, gzip
root = sys.argv[1]; os.makedirs(f"{root}/blobs/sha256")
def blob(data):
    d = hashlib.sha256(data).hexdigest(); open(f"{root}/blobs/sha256/{d}", "wb").write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as t:
    info = tarfile.TarInfo("zeros"); info.size = 64 << 20
    t.addfile(info, io.BytesIO(bytes(64 << 20)))
gz = gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)
config = json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}).encode()
manifest = json.dumps({"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **blob(config)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **blob(gz)}]}).encode()
open(f"{root}/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", **blob(manifest)}]}))
open(f"{root}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
PY
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -C "$work/bomb" -cf layer-bomb.tar .
ls -l *.tar
