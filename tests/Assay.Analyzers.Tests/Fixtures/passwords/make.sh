#!/bin/sh
# Recipe for the password fixtures (Debian 12: openssl, python3 3.11 with the crypt module).
# Positive files hold known default passwords with broken and good schemes; negative files hold
# only locked accounts and strong random passwords.
set -eu
cd "$(dirname "$0")"
md5=$(openssl passwd -1 -salt Zq3x8Hn2 admin)
sha512_default=$(openssl passwd -6 -salt fixtureSaltAbc password)
sha256_default=$(openssl passwd -5 -salt 'rounds=1000$fx' changeme)
strong=$(openssl passwd -6 -salt R4nd0mSaltXyz "$(openssl rand -base64 18)")
des=$(python3 -W ignore -c 'import crypt; print(crypt.crypt("support", "sP"))')
cat > shadow-weak <<SH
root:$md5:20000:0:99999:7:::
operator:$sha512_default:20000:0:99999:7:::
monitor:$sha256_default:20000:0:99999:7:::
guest::20000:0:99999:7:::
daemon:*:20000:0:99999:7:::
SH
cat > passwd-weak <<PW
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
toor:x:0:0:backdoor:/root:/bin/sh
support:$des:1000:1000:support:/home/support:/bin/sh
debug::1001:1001:debug:/tmp:/bin/sh
PW
cat > shadow-strong <<SH
root:$strong:20000:0:99999:7:::
daemon:*:20000:0:99999:7:::
nobody:!:20000:0:99999:7:::
SH
cat > passwd-clean <<PW
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
sync::4:65534:sync:/bin:/bin/sync
PW
