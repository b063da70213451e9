/* The management CLI: the same binary in both releases, moved from /bin to /usr/bin in 1.1.0. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("EX2000 cli: %d arguments\n", argc - 1);
    return argv[0] == NULL;
}
