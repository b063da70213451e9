/* A stand-in for a vendor web daemon. Release 1.0.0 is built hardened and only copies a string;
   1.1.0 is built without the stack protector and PIE, embeds another OpenSSL and shells out. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static const char banner[] = OPENSSL_BANNER;

int main(int argc, char **argv)
{
    char name[32];
    if (argc > 1) {
        strcpy(name, argv[1]);
        printf("hello %s (%s)\n", name, banner);
    }
#ifdef SHELL_OUT
    if (argc > 2)
        return system(argv[2]);
#endif
    return 0;
}
