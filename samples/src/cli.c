/* A stand-in for a vendor management CLI, built with full hardening. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char line[64];
    if (argc > 1) {
        snprintf(line, sizeof line, "%s", argv[1]);
        puts(line);
    }
    return 0;
}
