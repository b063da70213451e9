#!/bin/sh
# Recipe for the configuration fixtures: one insecure (*-bad) and one secure (*-good) file per
# configuration kind. Written by hand after the products' manuals; nothing is generated.
set -eu
cd "$(dirname "$0")"

cat > inittab-bad <<'X'
# BusyBox inittab with a root shell over telnet and a console shell without login
::sysinit:/etc/init.d/rcS
::respawn:/usr/sbin/telnetd -F -l /bin/sh
ttyS0::askfirst:-/bin/sh
X
cat > inittab-good <<'X'
::sysinit:/etc/init.d/rcS
ttyS0::respawn:/sbin/getty -L ttyS0 115200 vt100
::shutdown:/bin/umount -a -r
X
cat > inetd-bad.conf <<'X'
telnet  stream  tcp  nowait  root  /usr/sbin/telnetd  telnetd
tftp    dgram   udp  wait    root  /usr/sbin/tftpd    tftpd /srv/tftp
9999    stream  tcp  nowait  root  /bin/sh            sh -i
X
cat > inetd-good.conf <<'X'
# telnet  stream  tcp  nowait  root  /usr/sbin/telnetd  telnetd
ssh     stream  tcp  nowait  root  /usr/sbin/dropbear dropbear -i -w -s
X
cat > rcS-bad <<'X'
#!/bin/sh
mount -t proc proc /proc
/usr/sbin/dropbear -B -r /etc/dropbear/dropbear_rsa_host_key
/usr/sbin/tftpd -l -s /tmp
echo 0 > /proc/sys/kernel/randomize_va_space
/usr/sbin/mini_snmpd -c public -D /
X
cat > rcS-good <<'X'
#!/bin/sh
mount -t proc proc /proc
DAEMON=/usr/sbin/telnetd
test -x /usr/sbin/telnetd || true
/usr/sbin/dropbear -w -s -r /etc/dropbear/dropbear_ed25519_host_key
echo 2 > /proc/sys/kernel/randomize_va_space
X
cat > sshd_config-bad <<'X'
Port 22
PermitRootLogin yes
PermitEmptyPasswords yes
PasswordAuthentication yes
Ciphers aes128-cbc,3des-cbc,aes256-ctr
MACs hmac-md5,hmac-sha2-256
KexAlgorithms diffie-hellman-group1-sha1,curve25519-sha256
X
cat > sshd_config-good <<'X'
Port 22
PermitRootLogin no
PermitEmptyPasswords no
PasswordAuthentication no
Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com
MACs hmac-sha2-512-etm@openssh.com
KexAlgorithms -diffie-hellman-group14-sha1
X
cat > lighttpd-bad.conf <<'X'
server.modules = ( "mod_access", "mod_alias" )
server.document-root = "/var/www/html"
server.port          = 80
dir-listing.activate = "enable"
alias.url            = ( "/config/" => "/etc/config/" )
X
cat > lighttpd-good.conf <<'X'
server.modules = ( "mod_access", "mod_openssl" )
server.document-root = "/var/www/html"
server.username      = "www-data"
server.tag           = ""
dir-listing.activate = "disable"   # no browsing
ssl.engine           = "enable"
alias.url            = ( "/static/" => "/usr/share/webui/static/" )
X
cat > nginx-bad.conf <<'X'
user root;
http {
    server {
        listen 80;
        autoindex on;
        location /logs/ { alias /var/log/; }
    }
}
X
cat > nginx-good.conf <<'X'
user www-data;
http {
    server_tokens off;
    server {
        listen 443 ssl;
        root /srv/www;
    }
}
X
cat > apache2-bad.conf <<'X'
User root
ServerTokens Full
ServerSignature On
<Directory /var/www/>
    Options Indexes FollowSymLinks
</Directory>
Alias /etc-files /etc
X
cat > apache2-good.conf <<'X'
User www-data
ServerTokens Prod
ServerSignature Off
<Directory /var/www/>
    Options -Indexes +FollowSymLinks
</Directory>
X
cat > uhttpd-bad <<'X'
config uhttpd 'main'
	list listen_http '0.0.0.0:80'
	option home '/'
X
cat > uhttpd-good <<'X'
config uhttpd 'main'
	list listen_https '0.0.0.0:443'
	option home '/www'
	option no_dirlists '1'
X
cat > hostapd-bad.conf <<'X'
interface=wlan0
ssid=EN-R100
wpa=1
wpa_key_mgmt=WPA-PSK
wpa_pairwise=TKIP
wpa_passphrase=password123
X
cat > hostapd-open.conf <<'X'
interface=wlan1
ssid=guest
X
cat > hostapd-good.conf <<'X'
interface=wlan0
ssid=EN-R100
wpa=2
wpa_key_mgmt=SAE
rsn_pairwise=CCMP
wpa_psk_file=/var/run/hostapd.psk
X
cat > snmpd-bad.conf <<'X'
rocommunity public default
rwcommunity private 10.0.0.0/8
X
cat > snmpd-good.conf <<'X'
createUser monitor SHA-256 "long-auth-secret" AES "long-priv-secret"
rouser monitor authpriv
X
cat > sysctl-bad.conf <<'X'
kernel.randomize_va_space = 0
net.ipv4.tcp_syncookies = 0
net.ipv4.ip_forward = 1
fs.suid_dumpable = 2
net.ipv4.conf.all.accept_redirects = 1
net.ipv4.conf.all.rp_filter = 0
X
cat > sysctl-good.conf <<'X'
kernel.randomize_va_space = 2
net.ipv4.tcp_syncookies = 1
net.ipv4.ip_forward = 0
fs.suid_dumpable = 0
net.ipv4.conf.all.accept_redirects = 0
net.ipv4.conf.all.rp_filter = 1
X
cat > kconfig-bad <<'X'
CONFIG_ARM64=y
CONFIG_INET=y
# CONFIG_STACKPROTECTOR is not set
# CONFIG_RANDOMIZE_BASE is not set
CONFIG_DEVMEM=y
# CONFIG_STRICT_DEVMEM is not set
# CONFIG_SYN_COOKIES is not set
X
cat > kconfig-good <<'X'
CONFIG_ARM64=y
CONFIG_INET=y
CONFIG_STACKPROTECTOR=y
CONFIG_STACKPROTECTOR_STRONG=y
CONFIG_RANDOMIZE_BASE=y
CONFIG_DEVMEM=y
CONFIG_STRICT_DEVMEM=y
CONFIG_SYN_COOKIES=y
X
cat > systemd-telnet.socket <<'X'
[Socket]
ListenStream=23
Accept=yes
X
cat > systemd-telnetd.service <<'X'
[Service]
ExecStart=-/usr/sbin/in.telnetd
StandardInput=socket
X
