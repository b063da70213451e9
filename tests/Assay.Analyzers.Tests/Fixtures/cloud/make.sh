#!/usr/bin/env bash
# The Kubernetes fixtures are written by hand (Debian has no helm package): the chart folder amf/
# (with subchart charts/db) against helm.sh "Charts" and "Subcharts and Global Values", and a plain
# manifest. This script packages the chart as `helm package` would (a gzip'd tar of amf/) for the
# end-to-end scan test: bash make.sh
set -euo pipefail
cd "$(dirname "$0")"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@1700000000 -czf amf-1.2.0.tgz amf
