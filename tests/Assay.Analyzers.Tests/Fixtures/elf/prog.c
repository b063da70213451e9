/* A small program that calls the risky C library functions the analyzers look for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *gets(char *s); /* removed from C11 headers; still exported by glibc */
int shared_counter;

int main(int argc, char **argv)
{
    char buf[64];
    char line[128];
    if (argc > 1) {
        strcpy(buf, argv[1]);
        strcat(buf, "!");
        sprintf(line, "%s/%d", buf, argc);
        memcpy(line, buf, strlen(buf));
        puts(line);
    }
    if (argc > 2)
        gets(line);
    if (argc > 3)
        return system(argv[3]);
    shared_counter++;
    return 0;
}
