/* A section flagged alloc+write+exec ("awx"): the linker must place it in a RWX PT_LOAD segment. */
__asm__(".section .wxcode,\"awx\",@progbits\n.globl wx_stub\nwx_stub: ret\n.previous");
void wx_stub(void);

int main(void)
{
    wx_stub();
    return 0;
}
