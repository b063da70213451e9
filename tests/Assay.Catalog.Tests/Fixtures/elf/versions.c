/* A program that links "copies" of other components: their version strings as the libraries
 * themselves define them (OpenSSL's OPENSSL_VERSION_TEXT, zlib's deflate_copyright, BusyBox's
 * banner), so the signature scan must report each as a static copy inside this file. */
#include <stdio.h>

const char openssl_version_text[] = "OpenSSL 1.0.2k-fips  26 Jan 2017";
const char deflate_copyright[] = " deflate 1.2.8 Copyright 1995-2013 Jean-loup Gailly and Mark Adler ";
const char busybox_banner[] = "BusyBox v1.24.1 (2016-02-05 12:00:00 UTC) multi-call binary.";
const char not_a_version[] = "OpenSSL 1.1.1 or later is required";

int main(int argc, char **argv)
{
    (void)argv;
    const char *all[] = { openssl_version_text, deflate_copyright, busybox_banner, not_a_version };
    puts(all[argc % 4]);
    return 0;
}
