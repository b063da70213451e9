#include <stdio.h>

void util_greet(const char *who)
{
    printf("hello, %s\n", who);
}
