#!/usr/bin/env bash
# A short fuzz run of every target with the built-in mutator (no AFL): SECONDS per target.
#   bash fuzz/smoke.sh [SECONDS]      (default 5; writes crashes to fuzz/crashes/, exits 1 on any)
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
dotnet build fuzz/Assay.Fuzz -c Release -o artifacts/fuzz/smoke -nologo -v quiet -clp:ErrorsOnly || exit 2
fixtures=tests/Assay.Formats.Tests/Fixtures
vulns=tests/Assay.Vulnerabilities.Tests/Fixtures
seeds_for() {  # a fixture folder named like the format, else all fixtures
  case $1 in
    catalog:*) echo tests/Assay.Catalog.Tests/Fixtures/packages; return;;
    analyzer:elf) echo tests/Assay.Analyzers.Tests/Fixtures/elf; return;;
    analyzer:*) echo tests/Assay.Analyzers.Tests/Fixtures; return;;
    vulns:epss-csv) echo "$vulns/epss"; return;;
    vulns:sbom) echo "$vulns/sbom"; return;;
    vulns:db-export) echo "$vulns/export"; return;;
    vulns:*) echo "$vulns/nvd"; return;;
    network:policy-pack) echo src/Assay.Network/Policy/Packs; return;;
    network:*) echo samples/network; return;;
    history:evaluation-json) echo tests/Assay.History.Tests/Fixtures/evaluations; return;;
    history:*) echo tests/Assay.History.Tests/Fixtures/rebuild; return;;
    server:*) echo fuzz/seeds/server; return;;
  esac
  local id=${1#format:}
  for d in "$fixtures/$id" "$fixtures/${id%%-*}"; do [ -d "$d" ] && { echo "$d"; return; }; done
  case $id in tar|cpio|zip|7z|gzip|bzip2|xz|lzma|zstd|lz4) echo "$fixtures/archives";; lz4-legacy) echo "$fixtures/streams";;
    trx|netgear-chk|seama|tplink|dlink-shrs|encrypted-image|arcadyan) echo "$fixtures/vendor";; android-boot|android-vendor-boot) echo "$fixtures/androidboot";; ext) echo "$fixtures/ext4";; uimage|fit) echo "$fixtures/uboot";; android-sparse) echo "$fixtures/sparse";; arm-zimage) echo "$fixtures/zimage";; oci-archive|docker-archive) echo "$fixtures/containers";; qcow2|vmdk|vhd|vhdx|mbr|gpt|fat) echo "$fixtures/disks";; helm-template) echo "tests/Assay.Analyzers.Tests/Fixtures/cloud";; image-config) echo "$fixtures/containers";; *) echo "$fixtures";; esac
}
status=0
for target in $(dotnet artifacts/fuzz/smoke/Assay.Fuzz.dll list); do
  dotnet artifacts/fuzz/smoke/Assay.Fuzz.dll smoke "$target" "$(seeds_for "$target")" "$seconds" || status=1
done
exit $status
