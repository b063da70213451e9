/* A program that links libcrypto dynamically and prints the version of the headers it was
 * compiled against (as hostapd and many daemons do): the OpenSSL text in it is a header
 * reference, not a copy of OpenSSL. The stub library only gives the link a DT_NEEDED entry. */
#include <stdio.h>

extern int stub_crypto_init(void);
const char compiled_against[] = "OpenSSL 1.1.1w  11 Sep 2023";

int main(void)
{
    printf("compiled against %s\n", compiled_against);
    return stub_crypto_init();
}
