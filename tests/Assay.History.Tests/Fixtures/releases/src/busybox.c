/* Carries a BusyBox banner, the version the catalog reads; the build sets BUSYBOX_VERSION. */
#include <stdio.h>

static const char banner[] = "BusyBox v" BUSYBOX_VERSION " (2026-01-01 00:00:00 UTC) multi-call binary.";

int main(void)
{
    puts(banner);
    return 0;
}
