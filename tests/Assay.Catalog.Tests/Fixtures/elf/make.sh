#!/bin/sh
# Rebuilds the ELF fixtures of this folder (gcc, strip, python3).
set -e
cd "$(dirname "$0")"
make clean all
