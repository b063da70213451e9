#!/bin/sh
# Motorola S-record files made with srec_cat (srecord) from payloads written here.
set -eu
cd "$(dirname "$0")"
seq 1 200 | sed 's/^/SREC fixture data, line /' | head -c 3000 > data.bin
seq 1 100 | sed 's/^/second block /' | head -c 700 > high.bin

# S1 records (16-bit addresses) with an S5 count, no termination record (srec_cat writes none without a start address)
srec_cat data.bin -binary -offset 0x0100 -o small.s19 -Motorola
# S3 records (32-bit addresses): two blocks with a gap, S7 termination with the start address
srec_cat data.bin -binary -offset 0x08000000 high.bin -binary -offset 0x08010000 -execution-start-address=0x08000000 -o fw.srec -Motorola -address-length=4
