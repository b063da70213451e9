#!/usr/bin/env python3
"""Builds the package-database fixtures of this folder (run from anywhere: python3 make.py).

Each tree is a small root filesystem with one database, written the way the package manager
writes it. The rpm database is SQLite with rpm >= 4.16's schema and header blobs assembled here
per rpm's lib/header.c layout (big-endian il, dl, 16-byte index entries, data store).
"""
import os, sqlite3, struct, shutil

HERE = os.path.dirname(os.path.abspath(__file__))

def write(rel, text, mode="w"):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)

for d in ["dpkg", "dpkg-vendor", "opkg", "apk", "rpm", "python", "npm", "yocto", "buildroot"]:
    shutil.rmtree(os.path.join(HERE, d), ignore_errors=True)

# dpkg: Debian 12 os-release; one package with Source: and an arch-qualified .list, one left as
# config-files (removed, must not be reported), one stanza without a Version (an error), one
# line that is not a field (an error).
write("dpkg/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n')
write("dpkg/var/lib/dpkg/status", """Package: libssl3
Status: install ok installed
Priority: optional
Section: libs
Maintainer: Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.11-1~deb12u2
Description: Secure Sockets Layer toolkit - shared libraries
 This package is part of the OpenSSL project's implementation of the SSL and TLS
 cryptographic protocols for secure communication over the Internet.

Package: busybox
Status: deinstall ok config-files
Architecture: amd64
Version: 1:1.35.0-4+b3

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib (1:1.2.13.dfsg-1)
Version: 1:1.2.13.dfsg-1
this line is not a field

Package: broken
Status: install ok installed
""")
write("dpkg/var/lib/dpkg/info/libssl3:amd64.list", "/.\n/usr\n/usr/lib/x86_64-linux-gnu/libcrypto.so.3\n/usr/lib/x86_64-linux-gnu/libssl.so.3\n")
write("dpkg/var/lib/dpkg/info/zlib1g:amd64.list", "/.\n/lib/x86_64-linux-gnu/libz.so.1.2.13\n")

# dpkg under a vendor's os-release: the Debian release comes from the +deb12uN markers.
write("dpkg-vendor/etc/os-release", 'NAME="EN-R100 router firmware"\nID=en-r100\nID_LIKE=debian\nVERSION_ID=2.4.1\n')
write("dpkg-vendor/var/lib/dpkg/status", "Package: dnsmasq-base\nStatus: install ok installed\nArchitecture: armhf\nSource: dnsmasq\nVersion: 2.90-4~deb12u2\n\nPackage: lighttpd\nStatus: install ok installed\nArchitecture: armhf\nVersion: 1.4.69-1\n")

# opkg (OpenWrt): status plus an info .list with "path<TAB>mode" lines. The stanzas are written as
# OpenWrt's include/package-ipkg.mk writes them: Source is the recipe folder, SourceName the
# upstream name (PKG_NAME), CPE-ID the product CPE (PKG_CPE_ID) when the recipe has one.
write("opkg/usr/lib/opkg/status", """Package: dropbear
Version: 2022.82-2
Depends: libc
Status: install user installed
Architecture: mipsel_24kc
Installed-Time: 1700000000

Package: libopenssl3
Version: 3.0.12-1
Depends: libc, libatomic1
Status: install user installed
Architecture: mipsel_24kc
Source: package/libs/openssl
SourceName: openssl
License: Apache-2.0
CPE-ID: cpe:/a:openssl:openssl

Package: libcurl4
Version: 8.4.0-1
Status: install user installed
Architecture: mipsel_24kc
Source: feeds/packages/net/curl
SourceName: curl

Package: dnsmasq-full
Version: 2.89-4
Status: install user installed
Architecture: mipsel_24kc
Source: package/network/services/dnsmasq
SourceName: dnsmasq
CPE-ID: cpe:/a:thekelleys:dnsmasq

Package: uhttpd
Version: 2023-06-25-34a8a74d-2
Status: install user installed
Architecture: mipsel_24kc
Source: package/network/services/uhttpd
SourceName: uhttpd
""")
write("opkg/usr/lib/opkg/info/dropbear.list", "/usr/sbin/dropbear\t0755\n/etc/init.d/dropbear\t0755\n")

# apk (Alpine 3.18): F/R lines give owned files.
write("apk/etc/os-release", 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.4\n')
write("apk/lib/apk/db/installed", """C:Q1abcdefghijklmnopqrstuvwxyz0123=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
I:622592
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Natanael Copa <ncopa@alpinelinux.org>
F:lib
R:ld-musl-x86_64.so.1
R:libc.musl-x86_64.so.1

P:libcrypto3
V:3.1.4-r0
A:x86_64
L:Apache-2.0
o:openssl
F:lib
R:libcrypto.so.3
this is not a key line

P:noversion
A:x86_64
""")

# rpm (Fedora 39).
def header(tags):
    """tags: list of (tag, type, value); type 6 string, 8 string array, 4 int32 array."""
    index, data = b"", b""
    for tag, typ, value in tags:
        if typ == 4:
            while len(data) % 4:
                data += b"\0"
            offset = len(data)
            data += b"".join(struct.pack(">i", v) for v in value)
            count = len(value)
        elif typ == 8:
            offset = len(data)
            data += b"".join(v.encode() + b"\0" for v in value)
            count = len(value)
        else:
            offset = len(data)
            data += value.encode() + b"\0"
            count = 1
        index += struct.pack(">iiii", tag, typ, offset, count)
    return struct.pack(">ii", len(tags), len(data)) + index + data

os.makedirs(os.path.join(HERE, "rpm/var/lib/rpm"), exist_ok=True)
write("rpm/etc/os-release", 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=39\n')
db = sqlite3.connect(os.path.join(HERE, "rpm/var/lib/rpm/rpmdb.sqlite"))
db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)")
db.execute("INSERT INTO Packages (blob) VALUES (?)", (header([
    (1000, 6, "openssl-libs"), (1001, 6, "3.1.1"), (1002, 6, "4.fc39"), (1003, 4, [1]),
    (1014, 6, "Apache-2.0"), (1011, 6, "Fedora Project"), (1022, 6, "x86_64"), (1044, 6, "openssl-3.1.1-4.fc39.src.rpm"),
    (1116, 4, [0, 0]), (1117, 8, ["libcrypto.so.3", "libssl.so.3"]), (1118, 8, ["/usr/lib64/"]),
]),))
db.execute("INSERT INTO Packages (blob) VALUES (?)", (header([
    (1000, 6, "bash"), (1001, 6, "5.2.21"), (1002, 6, "1.fc39"), (1022, 6, "x86_64"), (1044, 6, "bash-5.2.21-1.fc39.src.rpm"),
]),))
db.execute("INSERT INTO Packages (blob) VALUES (?)", (struct.pack(">ii", 1000000, 5) + b"short",))
db.commit()
db.close()

write("python/usr/lib/python3/dist-packages/Requests_OAuthlib-1.3.1.dist-info/METADATA",
      "Metadata-Version: 2.1\nName: Requests_OAuthlib\nVersion: 1.3.1\nSummary: OAuthlib authentication support for Requests.\nAuthor: Kenneth Reitz\nLicense: ISC\n\nName: not-this\n")
write("python/usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", "Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\nLicense: MIT\n")
write("python/usr/lib/python3/dist-packages/broken-0.dist-info/METADATA", "Metadata-Version: 2.1\nSummary: no name here\n")

write("npm/app/node_modules/@img/sharp-libvips-linux-x64/package.json",
      '{"name": "@img/sharp-libvips-linux-x64", "version": "1.0.4", "license": "LGPL-3.0-or-later", "author": {"name": "Lovell Fuller"}}\n')
write("npm/app/node_modules/lodash/package.json", '{"name": "lodash", "version": "4.17.21", "license": {"type": "MIT"}}\n')
write("npm/app/package.json", '{"private": true, "workspaces": ["a"]}\n')
write("npm/app/node_modules/broken/package.json", '{"name": "broken", "version": \n')

# Yocto: license.manifest as license_image.bbclass writes it (libssl3 is split from recipe openssl),
# the image manifest (NAME ARCH PV-PR) and buildhistory's installed-packages.txt (ipk file names).
write("yocto/usr/share/common-licenses/license.manifest", """PACKAGE NAME: busybox
PACKAGE VERSION: 1.36.1
RECIPE NAME: busybox
LICENSE: GPL-2.0-only & bzip2-1.0.4

PACKAGE NAME: libssl3
PACKAGE VERSION: 3.1.4
RECIPE NAME: openssl
LICENSE: Apache-2.0

PACKAGE NAME: kernel-6.1.38-yocto-standard
PACKAGE VERSION: 6.1.38+git0+d62bfbd59e_7f7b3a2b52
RECIPE NAME: linux-yocto
LICENSE: GPL-2.0-only

PACKAGE NAME: broken
RECIPE NAME: broken
""")
write("yocto/core-image-minimal-qemuarm.manifest", "busybox cortexa15t2hf_neon 1.36.1-r0\ndropbear cortexa15t2hf_neon 2022.83-r0\nlibz1 cortexa15t2hf_neon 1.3-r0\n")
write("yocto/buildhistory/images/qemuarm/glibc/core-image-minimal/installed-packages.txt", "busybox_1.36.1-r0_cortexa15t2hf-neon.ipk\nopenssl-bin_3.1.4-r0_cortexa15t2hf-neon.ipk\ndnsmasq_2.89-r0_cortexa15t2hf-neon.ipk\n")
write("yocto/etc/other.manifest", "this is not a package list\n")

# Buildroot: legal-info/manifest.csv as 'make legal-info' writes it (quoted CSV, a comma inside a field).
write("buildroot/legal-info/manifest.csv", """"PACKAGE","VERSION","LICENSE","LICENSE FILES","SOURCE ARCHIVE","SOURCE SITE","DEPENDENCIES WITH LICENSES"
"busybox","1.36.1","GPL-2.0, bzip2-1.0.4","LICENSE archival/libarchive/bz/LICENSE","busybox-1.36.1.tar.bz2","https://www.busybox.net/downloads","toolchain-external-bootlin [unknown]"
"libopenssl","3.1.4","Apache-2.0","LICENSE.txt","openssl-3.1.4.tar.gz","https://www.openssl.org/source",""
"linux","6.1.44","GPL-2.0","COPYING","linux-6.1.44.tar.xz","https://cdn.kernel.org/pub/linux/kernel/v6.x",""
"dropbear","2022.83","MIT, BSD-2-Clause","LICENSE","dropbear-2022.83.tar.bz2","https://matt.ucc.asn.au/dropbear/releases",""
"","","","","","",""
""")
