/* "Safe" wrappers as seen in vendor firmware: two that check nothing, one that does. */
#include <stddef.h>
#include <string.h>

__attribute__((noinline, used)) void *memcpy_s(void *dst, size_t dstsz, const void *src, size_t n)
{
    (void)dstsz; /* the size is taken and ignored */
    return memcpy(dst, src, n);
}

__attribute__((noinline, used)) char *strcpy_safe(char *dst, size_t dstsz, const char *src)
{
    (void)dstsz;
    return strcpy(dst, src);
}

__attribute__((noinline, used)) char *safe_strcpy(char *dst, size_t dstsz, const char *src)
{
    if (strlen(src) >= dstsz)
        return NULL;
    return strcpy(dst, src);
}

int main(int argc, char **argv)
{
    char a[16], b[16], c[16];
    if (argc < 2)
        return 0;
    memcpy_s(a, sizeof a, argv[1], strlen(argv[1]));
    strcpy_safe(b, sizeof b, argv[1]);
    return safe_strcpy(c, sizeof c, argv[1]) == NULL;
}
