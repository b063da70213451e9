#!/usr/bin/env bash
# Seeds for the server:* fuzz targets (fuzz/Assay.Fuzz/ServerTargets.cs): a chunk's Content-Range
# (middle and last chunk), Content-Disposition headers (plain, RFC 5987 filename*, a traversal
# attempt) and a page token as the server issues them (base64url of two lines, padding dropped).
set -euo pipefail
cd "$(dirname "$0")"
printf 'bytes 0-1048575/52428800' > range
printf 'bytes 1048576-2097151/2097152' > range-last
printf 'attachment; filename="EX1000_1.2.0.zip"' > disposition
printf "attachment; filename*=UTF-8''r%%C3%%A9sum%%C3%%A9.bin" > disposition-star
printf 'attachment; filename="../../etc/passwd"' > disposition-traversal
printf '2026-12-07T00:00:00Z\n42' | base64 -w0 | tr '+/' '-_' | tr -d '=' > token
