/* A stand-in for a vendor web daemon: version banners of the libraries it claims to embed,
   an unsafe copy, and a shell-out, so the sample exercises the catalog and the analyzers. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static const char banner[] = "OpenSSL 1.0.2k  26 Jan 2017";
static const char zlib_banner[] = "deflate 1.2.8 Copyright 1995-2013 Jean-loup Gailly and Mark Adler";

int main(int argc, char **argv)
{
    char name[32];
    if (argc > 1) {
        strcpy(name, argv[1]);
        sprintf(name + 16, "%s", argv[1]);
        printf("hello %s (%s, %s)\n", name, banner, zlib_banner);
    }
    if (argc > 2)
        return system(argv[2]);
    return 0;
}
