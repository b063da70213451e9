#!/usr/bin/env bash
# A mixed tar.gz of SCALE times the content of research/baselines/make-big-targz.sh (SCALE 1 ≈ 1.1 GB
# compressed): copies of the corpus' armhf root filesystem tree, of the npm ELF binaries and of the
# firmware images, plus synthetic log text, each group scaled (at least one copy each). Used by
# memory.sh to show whether peak RSS stays flat as the input grows.
# usage: bash bench/scan/make-mixed.sh SCALE OUT.tar.gz      (staging beside OUT, deleted after)
# env:   CORPUS (default /work/shared/corpus, else ../shared/corpus)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SCALE=$1 OUTF=$2
if [ -z "${CORPUS:-}" ]; then
  for c in /work/shared/corpus "$HERE/../../../shared/corpus"; do
    [ -f "$c/ground-truth.json" ] && { CORPUS=$(cd "$c" && pwd); break; }
  done
fi
[ -f "${CORPUS:-}/ground-truth.json" ] || { echo "make-mixed: shared corpus not found (set CORPUS)" >&2; exit 2; }
GENTEXT=$CORPUS/../research/baselines/gentext.py
n() { python3 -c "import sys; print(max(1, round(float(sys.argv[1]) * int(sys.argv[2]))))" "$SCALE" "$1"; }
ROOTFS=$(n 21) NPM=$(n 7) IMAGES=$(n 3) LOGS=$(n 6)
ST=$(dirname "$OUTF")/stage-$$
trap 'rm -rf "$ST"' EXIT
rm -rf "$ST"; mkdir -p "$ST/rootfs0" "$ST/npm0" "$ST/images0" "$ST/logs"
tar -xzf "$CORPUS/debian-rootfs/rootfs.tar.gz" -C "$ST/rootfs0"
tar -xJf "$CORPUS/npm-binaries/node-v18.12.1-linux-x64.tar.xz" -C "$ST/npm0"
tar -xzf "$CORPUS/npm-binaries/img-sharp-libvips-linux-x64-1.0.4.tgz" -C "$ST/npm0"
cp "$CORPUS/npm-binaries/node-10.19.0-linux-x64/node" "$ST/npm0/node10"
cp "$CORPUS/npm-binaries/esbuild-0.19.12-linux-x64/esbuild" "$ST/npm0/esbuild"
cp "$CORPUS"/debian-rootfs/* "$ST/images0/"
# plain copies (not hard links: tar would store later copies as links)
for i in $(seq 1 $((ROOTFS - 1))); do cp -a "$ST/rootfs0" "$ST/rootfs$i"; done
for i in $(seq 1 $((NPM - 1))); do cp -a "$ST/npm0" "$ST/npm$i"; done
for i in $(seq 1 $((IMAGES - 1))); do cp -a "$ST/images0" "$ST/images$i"; done
for i in $(seq 1 "$LOGS"); do python3 "$GENTEXT" 80000000 "$i" > "$ST/logs/messages.$i.log"; done
echo "make-mixed: scale $SCALE: $ROOTFS rootfs, $NPM npm, $IMAGES image copies, $LOGS logs; $(du -sb "$ST" | cut -f1) bytes staged" >&2
tar -C "$ST" -cf - . | gzip -6 > "$OUTF"
ls -l "$OUTF" >&2
