#!/bin/sh
# Recipe for the secrets fixtures (Debian 12: openssl, dropbear-bin, openssh-client). Keys are made
# fresh here; the tests derive every expected fingerprint from the files, never from constants.
set -eu
cd "$(dirname "$0")"
rm -f *.pem *.key *_host_key id_* *.txt *.conf
# Unencrypted PKCS#8 RSA key (positive) and the same kind of key encrypted (negative for the plain-key rule).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out device-key.pem
openssl pkey -in device-key.pem -pubout -outform DER -out device-key.spki.der
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes-256-cbc -pass pass:fixture -out encrypted-key.pem
# Dropbear host keys (its own binary format) and an OpenSSH key.
dropbearkey -t rsa -s 1024 -f dropbear_rsa_host_key >/dev/null
dropbearkey -t ed25519 -f dropbear_ed25519_host_key >/dev/null
dropbearkey -y -f dropbear_rsa_host_key | grep -o 'SHA256:[A-Za-z0-9+/]*' > dropbear_rsa_host_key.fingerprint
dropbearkey -y -f dropbear_ed25519_host_key | grep -o 'SHA256:[A-Za-z0-9+/]*' > dropbear_ed25519_host_key.fingerprint
ssh-keygen -q -t ed25519 -N '' -C fixture -f id_ed25519
ssh-keygen -l -f id_ed25519.pub | awk '{print $2}' > id_ed25519.fingerprint
rm -f id_ed25519.pub
# Certificates: a weak self-signed CA (RSA 1024, SHA-1) and a leaf issued by a separate CA (RSA 2048, SHA-256).
openssl req -x509 -newkey rsa:1024 -sha1 -nodes -keyout /dev/null -days 3650 -subj "/CN=Weak Vendor CA" -addext basicConstraints=critical,CA:TRUE -out cert-weak-selfsigned.pem 2>/dev/null
openssl req -x509 -newkey rsa:2048 -sha256 -nodes -keyout ca.key -days 3650 -subj "/CN=Fixture Root" -out ca.pem 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -subj "/CN=device.example" -out leaf.csr 2>/dev/null
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 3650 -out cert-leaf.pem 2>/dev/null
rm -f ca.key leaf.key leaf.csr ca.srl ca.pem
# Tokens: AWS's documentation example values (positive) and look-alikes that must not match (negative).
cat > cloud-sync.conf <<'CONF'
# cloud backup
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
CONF
cat > no-tokens.conf <<'CONF'
# look-alikes: too short, lower case, embedded in a longer word
KEY_ID=AKIA1234
name=akiaiosfodnn7example
id=XAKIAIOSFODNN7EXAMPLEX
AWS_SECRET_ACCESS_KEY=${SECRET_FROM_ENV}
CONF
cat > release-notes.txt <<'CONF'
Firmware 2.4.1
Default credentials: root / admin  (change on first login)
CONF
cat > readme.txt <<'CONF'
Set a password at first login; there are no default credentials.
CONF
