#!/bin/bash
# tests/lab/test_firewall_ufw.sh - the ufw backend for real, without touching
# the machine's ufw: inside a network namespace made here and a private mount
# namespace where /etc/ufw and /etc/default/ufw are bind-mounted copies.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sfx="$$$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
H="hefwu${sfx}"
tmp=$(mktemp -d)
cleanup() {
	ip netns pids "$H" 2>/dev/null | xargs -r kill 2>/dev/null
	ip netns del "$H" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
[ "$(id -u)" = 0 ] || { echo "not ok - needs root"; exit 1; }
command -v ufw >/dev/null || { echo "not ok - ufw not installed (apt-get install ufw)"; exit 1; }
make -s -C "$root" build/libhomeexpose.a >/dev/null || exit 1
D="$tmp/fw-driver"
cc -std=gnu11 -Wall -Wextra -Werror -I"$root/lib" -D_GNU_SOURCE "$here/fw-driver.c" \
	"$root/build/libhomeexpose.a" $(pkg-config --libs libnftables jansson libmnl libnftnl libsystemd) -o "$D" || exit 1
ip netns add "$H"
cat > "$tmp/inner.sh" <<EOF
set -u
cp -a /etc/ufw $tmp/ufw; cp /etc/default/ufw $tmp/default; : > $tmp/sysctl
sed -i "s|^IPT_SYSCTL=.*|IPT_SYSCTL=$tmp/sysctl|" $tmp/default
mount --bind $tmp/ufw /etc/ufw && mount --bind $tmp/default /etc/default/ufw || exit 1
pass=0; fail=0
t() { d=\$1; shift; if "\$@" >$tmp/o 2>&1; then pass=\$((pass+1)); echo "ok - \$d"; else fail=\$((fail+1)); echo "not ok - \$d"; sed 's/^/#   /' $tmp/o; fi; }
ufw --force enable >/dev/null
ufw allow 22/tcp >/dev/null
t "auto picks ufw when ufw is active" sh -c "$D verify | grep -q '^backend ufw'"
t "dry-run shows the ufw argv" sh -c "$D -n apply web:8443 | grep -qx 'ufw allow 8443/tcp comment homeexpose:web'"
t "apply web:8443 cloud:8443 dns:53/udp" $D apply web:8443 cloud:8443 dns:53/udp
t "ufw holds 8443/tcp tagged with both names" sh -c "ufw show added | grep -qx \"ufw allow 8443/tcp comment 'homeexpose:cloud,web'\""
t "verify in sync" sh -c "$D verify web:8443 cloud:8443 dns:53/udp | grep -q '^in_sync 1'"
t "apply again runs nothing (dry-run empty)" test -z "\$($D -n apply web:8443 cloud:8443 dns:53/udp)"
t "close web: 8443 stays for cloud, dns closed" $D apply cloud:8443
t "8443 kept, comment updated" sh -c "ufw show added | grep -qx \"ufw allow 8443/tcp comment 'homeexpose:cloud'\""
t "53/udp gone" sh -c "! ufw show added | grep -q '53/udp'"
t "the admin's 22/tcp untouched" sh -c "ufw show added | grep -qx 'ufw allow 22/tcp'"
t "a range (mosh 60000-60002/udp) is one ufw rule" $D apply cloud:8443 mosh:60000/udp mosh:60001/udp mosh:60002/udp
t "ufw holds 60000:60002/udp as one rule" sh -c "ufw show added | grep -qx \"ufw allow 60000:60002/udp comment 'homeexpose:mosh'\""
t "ufw's chains accept the range" sh -c "iptables -S ufw-user-input | grep -q -- '--dports 60000:60002'"
t "the range in sync (dry-run empty)" test -z "\$($D -n apply cloud:8443 mosh:60000/udp mosh:60001/udp mosh:60002/udp)"
t "one port less: the rule becomes 60000:60001" $D apply cloud:8443 mosh:60000/udp mosh:60001/udp
t "ufw holds 60000:60001/udp only" sh -c "ufw show added | grep -qx \"ufw allow 60000:60001/udp comment 'homeexpose:mosh'\" && ! ufw show added | grep -q 60002"
t "remove all" $D remove
t "only the admin's rule is left" sh -c "[ \"\\\$(ufw show added | grep -c '^ufw allow')\" = 1 ]"
echo "# \$pass passed, \$fail failed"
[ \$fail -eq 0 ]
EOF
ip netns exec "$H" unshare -m --propagation private bash "$tmp/inner.sh"
rc=$?
grep -q '^ENABLED=no' /etc/ufw/ufw.conf 2>/dev/null && echo "ok - host ufw still disabled" || { grep -q ENABLED=yes /etc/ufw/ufw.conf && echo "# note: host ufw was enabled before"; }
exit $rc
