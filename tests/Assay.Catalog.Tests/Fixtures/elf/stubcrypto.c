/* Link-time stand-in for libcrypto.so.3 (soname only); not committed. */
int stub_crypto_init(void) { return 0; }
