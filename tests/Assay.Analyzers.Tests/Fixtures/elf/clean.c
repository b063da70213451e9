/* A program that calls none of the risky functions. */
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argv;
    printf("%d\n", argc);
    return 0;
}
