#!/usr/bin/env sh
# Writes dpkg-pairs.tsv: for every ordered pair of the versions below, the relation dpkg itself
# reports (dpkg --compare-versions A lt|eq B). The oracle for DebianVersionSchemeTests.
# Made with dpkg 1.21.22 (Debian 12); rerun: ./make.sh > dpkg-pairs.tsv
set -eu
versions="1.0 1.0-1 1.0-1.1 1.0-2 1.0~rc1 1.0~rc1-1 1.0~~ 1.0~ 1.0+deb12u1 1.0.0 1.00 1.0a 1.0-a 1:0.9 1:1.0 2:0 0:1.0 \
3.0.11-1~deb12u1 3.0.11-1~deb12u2 3.0.11-1 3.0.11-1+b1 3.0.11-1ubuntu1 1.2.11.dfsg-2+deb11u2 1.2.11.dfsg-2 1.2.12-1 \
2.9.4+dfsg1-7 2.9.14+dfsg-1.3~deb12u1 10.0 9.99 1.0-1~bpo11+1 a b 1.0+ 1.0. 1.0-0"
for a in $versions; do
  for b in $versions; do
    if dpkg --compare-versions "$a" lt "$b"; then r=lt
    elif dpkg --compare-versions "$a" eq "$b"; then r=eq
    else r=gt; fi
    printf '%s\t%s\t%s\n' "$a" "$b" "$r"
  done
done
