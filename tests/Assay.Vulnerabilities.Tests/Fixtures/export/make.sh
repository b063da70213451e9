#!/usr/bin/env sh
# Makes tiny.assaydb.gz, the seed of the vulns:db-export fuzz target: an 'assay db export' of one record.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
${ASSAY:-"$here/../../../../assay"} db import "$here/../nvd/CVE-2099-0010.json" --db "$tmp/v.db" >/dev/null
${ASSAY:-"$here/../../../../assay"} db export "$here/tiny.assaydb.gz" --db "$tmp/v.db"
