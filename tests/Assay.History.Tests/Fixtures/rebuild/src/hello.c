/* The "product" of the rebuild fixtures: a program in two translation units. EXIT_CODE is the
   one instruction the patched build changes (the immediate of a mov). */
#include <stdio.h>

#ifndef EXIT_CODE
#define EXIT_CODE 0
#endif

void util_greet(const char *who);

int main(int argc, char **argv)
{
    util_greet(argc > 1 ? argv[1] : "world");
    return EXIT_CODE;
}
