#!/bin/sh
# Recipe for the service configuration fixtures: one insecure (*-bad) and one secure (*-good) file
# per service, written by hand after each product's manual page; the SSH keys are made by
# ssh-keygen (only their public halves are kept). Run from anywhere: sh make.sh
set -eu
cd "$(dirname "$0")"

# --- FTP ---------------------------------------------------------------------------------------
cat > vsftpd-bad.conf <<'X'
listen=YES
anonymous_enable=YES
anon_upload_enable=YES
write_enable=YES
local_enable=YES
ssl_enable=NO
ssl_sslv3=YES
X
cat > vsftpd-good.conf <<'X'
listen=YES
anonymous_enable=NO
local_enable=YES
ssl_enable=YES
force_local_logins_ssl=YES
ssl_tlsv1=NO
ssl_sslv3=NO
X
cat > proftpd-bad.conf <<'X'
ServerName "router"
TLSEngine off
TLSProtocol SSLv23
<Anonymous ~ftp>
  User ftp
</Anonymous>
X
cat > proftpd-good.conf <<'X'
ServerName "router"
TLSEngine on
TLSRequired on
TLSProtocol TLSv1.2 TLSv1.3
TLSCipherSuite HIGH:!aNULL:!MD5:!RC4
X

# --- VPN ---------------------------------------------------------------------------------------
cat > openvpn-bad.conf <<'X'
client
remote vpn.example.net 1194
cipher BF-CBC
auth MD5
tls-version-min 1.0
data-ciphers AES-256-GCM:BF-CBC
<key>
-----BEGIN PRIVATE KEY-----
MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAu
-----END PRIVATE KEY-----
</key>
X
cat > openvpn-good.conf <<'X'
client
remote vpn.example.net 1194
data-ciphers AES-256-GCM:CHACHA20-POLY1305
auth SHA256
tls-version-min 1.2
ca /etc/openvpn/ca.crt
<ca>
-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIU
-----END CERTIFICATE-----
</ca>
X
cat > ipsec-bad.conf <<'X'
conn site
    keyexchange=ikev1
    aggressive=yes
    ike=3des-md5-modp1024!
    esp=aes128-sha1
    authby=secret
X
cat > ipsec-good.conf <<'X'
conn site
    keyexchange=ikev2
    ike=aes256gcm16-prfsha384-ecp384!
    esp=aes256gcm16-ecp384!
    authby=pubkey
X
cat > ipsec-bad.secrets <<'X'
# the site-to-site key and a road-warrior password
10.0.0.1 10.0.0.2 : PSK "s3cr3t-shared-key-for-every-box"
: XAUTH admin "adminpass"
: RSA /etc/ipsec.d/private/gw.key
X
cat > wg0-bad.conf <<'X'
[Interface]
Address = 10.8.0.1/24
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
ListenPort = 51820

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
PresharedKey = /UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak=
AllowedIPs = 10.8.0.2/32
X

# --- SSH authorized keys -----------------------------------------------------------------------
tmp=$(mktemp -d)
ssh-keygen -q -t rsa -b 1024 -N '' -C 'vendor-support@factory' -f "$tmp/rsa1024"
ssh-keygen -q -t ed25519 -N '' -C 'ops@example' -f "$tmp/ed"
{ echo "# vendor access"; echo "no-pty,from=\"10.0.0.0/8\" $(cat "$tmp/rsa1024.pub")"; cat "$tmp/ed.pub"; } > authorized_keys
rm -rf "$tmp"

# --- TLS wherever configured -------------------------------------------------------------------
cat > nginx-tls-bad.conf <<'X'
server {
    listen 443 ssl;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
    ssl_ciphers HIGH:RC4-SHA:!aNULL;
}
X
cat > nginx-tls-good.conf <<'X'
server {
    listen 443 ssl;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!MD5;
}
X
cat > apache-ssl-bad.conf <<'X'
SSLProtocol all -SSLv2
SSLCipherSuite ALL:!ADH:EXPORT56:RC4+RSA:+HIGH:+MEDIUM:+LOW:+SSLv2:+EXP:+eNULL
X
cat > apache-ssl-good.conf <<'X'
SSLProtocol -all +TLSv1.2 +TLSv1.3
SSLCipherSuite ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256
X
cat > openssl-bad.cnf <<'X'
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=1
X

# --- NTP ---------------------------------------------------------------------------------------
cat > ntp-bad.conf <<'X'
driftfile /var/lib/ntp/ntp.drift
server 0.pool.ntp.org iburst
server 1.pool.ntp.org iburst
X
cat > ntp-good.conf <<'X'
driftfile /var/lib/ntp/ntp.drift
restrict default kod nomodify notrap nopeer noquery
restrict 127.0.0.1
keys /etc/ntp.keys
trustedkey 1
server ntp1.example.net iburst key 1
X
cat > ntp.keys <<'X'
1 SHA1 2a9f8c3d5e7b1a0c4f6e8d2b9a7c5e3f1d0b8a6c
X

# --- syslog ------------------------------------------------------------------------------------
cat > rsyslog-bad.conf <<'X'
*.* @loghost.example.net:514
authpriv.* @@10.0.0.5:514
action(type="omfwd" target="10.0.0.6" port="514" protocol="tcp")
X
cat > rsyslog-good.conf <<'X'
$DefaultNetstreamDriver gtls
$ActionSendStreamDriverMode 1
$ActionSendStreamDriverAuthMode x509/name
*.* @@loghost.example.net:6514
action(type="omfwd" target="10.0.0.6" port="6514" protocol="tcp" StreamDriver="gtls" StreamDriverMode="1")
X
cat > syslog-ng-bad.conf <<'X'
destination d_remote {
    network("10.0.0.5" transport("udp") port(514));
};
X
cat > rcS-syslog-bad <<'X'
#!/bin/sh
/sbin/syslogd -R 10.0.0.5:514 -L
X

# --- RADIUS / TACACS+ --------------------------------------------------------------------------
cat > pam_radius_auth-bad.conf <<'X'
# server[:port]    shared_secret      timeout
10.0.0.10:1812     testing123         3
10.0.0.11          Xk9#vendorRadius   3
X
cat > tacplus-bad.conf <<'X'
server=10.0.0.20
secret=tac-shared-key-2024
X

# --- DHCP --------------------------------------------------------------------------------------
cat > dhcpd-bad.conf <<'X'
omapi-port 7911;
subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.100 192.168.1.200; }
X
cat > dhcpd-good.conf <<'X'
omapi-port 7911;
omapi-key omapi_key;
key omapi_key { algorithm hmac-sha256; secret "c2VjcmV0"; }
X
cat > dnsmasq-bad.conf <<'X'
dhcp-range=192.168.1.100,192.168.1.200,12h
X
cat > dnsmasq-good.conf <<'X'
interface=br-lan
bind-interfaces
dhcp-range=192.168.1.100,192.168.1.200,12h
X
