#!/bin/sh
# Intel HEX files made with srec_cat (srecord) from payloads written here.
set -eu
cd "$(dirname "$0")"
seq 1 200 | sed 's/^/IHEX fixture data, line /' | head -c 3000 > data.bin
seq 1 100 | sed 's/^/second block /' | head -c 700 > high.bin

# one block at 0x08000000 (extended linear address records)
srec_cat data.bin -binary -offset 0x08000000 -o fw.hex -Intel
# two blocks with a gap, the second crossing a 64 KiB boundary (0x1fff0..0x202ac)
srec_cat data.bin -binary -offset 0x1000 high.bin -binary -offset 0x1fff0 -o gap.hex -Intel
