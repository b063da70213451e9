/* Stands in for a kernel module: a relocatable ELF with a .modinfo section, signed like
   scripts/sign-file signs modules. It is never loaded. */
__attribute__((section(".modinfo"), used)) static const char license[] = "license=GPL";
__attribute__((section(".modinfo"), used)) static const char name[] = "name=demo";

int demo_init(void)
{
    return 42;
}
