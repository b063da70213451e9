#!/usr/bin/env bash
# Installs the Debian packages the project uses beyond the .NET SDK: a C toolchain (gcc: Native AOT
# links ./assay's executable with it; without one ./assay publishes ReadyToRun instead); liblzma (fast
# xz decoding; the managed fallback works without it); for the service's tests a PostgreSQL server (the tests start a
# private cluster of it) and Chromium (the browser journeys drive it; no browser download); and, for
# the evaluation, the native listers it compares with.
set -euo pipefail
need=()
command -v gcc >/dev/null || command -v clang >/dev/null || need+=(gcc)
[ -e /usr/lib/x86_64-linux-gnu/liblzma.so.5 ] || [ -e /lib/x86_64-linux-gnu/liblzma.so.5 ] || need+=(liblzma5)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
if [ -d ../shared ] || [ "${ASSAY_EVAL_TOOLS:-}" = 1 ]; then
  # eval/cloud: umoci/skopeo build and unpack images, qemu-img/sfdisk/mkfs.vfat make and convert disks;
  # eval/files formats: genromfs/unyaffs/mkbootimg/lz4/bzip2/zip make and list the issue-19 formats;
  # eval/history compares verify-build and diff with diffoscope (the minimal package: its core readers)
  for tool in diffoscope:diffoscope-minimal unsquashfs:squashfs-tools debugfs:e2fsprogs cpio:cpio python3:python3 hardening-check:devscripts \
      umoci:umoci skopeo:skopeo qemu-img:qemu-utils sfdisk:fdisk mkfs.vfat:dosfstools \
      genromfs:genromfs unyaffs:unyaffs mkbootimg:mkbootimg unpack_bootimg:mkbootimg lz4:lz4 bzip2:bzip2 zip:zip; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
  done
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "install.sh: please install: ${need[*]}" >&2
  fi
fi
