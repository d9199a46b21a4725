#!/bin/bash
# tests/lab/test_firewall_classes.sh - the shadow analysis on real rulesets,
# through the live path (libnftables, the xt reader over netlink, the WAN
# interface from the default route): one case per class of issue 13.
#
# One network namespace made here (removed by a trap); no packet is sent.
# Its default route goes out of wan0; lan0 is the LAN side. Each case loads
# a ruleset with real nft (the recorded fixtures, `nft -j -f`, or
# iptables-nft) and reads what `verify` says of the port.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
fx="$root/tests/fixtures/firewall"
H="hefwc$$$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
tmp=$(mktemp -d)
pass=0
fail=0
cleanup() {
	ip netns del "$H" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { local d=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$d"; else notok "$d"; sed 's/^/#   /' "$tmp/out"; fi; }

[ "$(id -u)" = 0 ] || { echo "not ok - needs root"; exit 1; }
make -s -C "$root" build/libhomeexpose.a >/dev/null || { echo "not ok - build"; exit 1; }
D="$tmp/fw-driver"
cc -std=gnu11 -Wall -Wextra -Werror -I"$root/lib" -D_GNU_SOURCE "$here/fw-driver.c" \
	"$root/build/libhomeexpose.a" $(pkg-config --libs libnftables jansson libmnl libnftnl libsystemd) -o "$D" ||
	{ echo "not ok - build fw-driver"; exit 1; }

ip netns add "$H"
in_h() { ip netns exec "$H" "$@"; }
in_h ip link add wan0 type veth peer name lan0
in_h ip addr add 198.51.100.2/24 dev wan0
in_h ip link set wan0 up
in_h ip link set lan0 up
in_h ip link set lo up
in_h ip route add default via 198.51.100.1 dev wan0

load_json() { in_h nft flush ruleset && in_h nft -j -f "$fx/$1.json"; }
load() { in_h nft flush ruleset && printf '%s\n' "$1" | in_h nft -f -; }
# verify SPEC... -> $tmp/v; has/hasnt take the specs as one word list (split on purpose)
verify() { in_h "$D" -b none verify "$@" >"$tmp/v" 2>&1; cat "$tmp/v"; }
has() { verify $1 && grep -q -- "$2" "$tmp/v"; }
hasnt() { verify $1 && ! grep -q -- "$2" "$tmp/v"; }

check "vmap: 8443 : drop is a certain drop" \
	eval 'load_json vmap_drop && has a:8443 "^shadow certain 8443/tcp inet filter input nftables : rule handle [0-9]* in chain input: drop"'
check "vmap: 22 : accept and ct state vmap let it through" eval 'hasnt a:22 "^shadow"'
check "ingress: a netdev ingress drop on the WAN device" \
	eval 'load "table netdev edge { chain ingress { type filter hook ingress device \"wan0\" priority -500; policy accept; tcp dport 8443 drop; }; }" &&
	has a:8443 "^shadow certain 8443/tcp netdev edge ingress nftables"'
check "ingress: an inet ingress drop" \
	eval 'load "table inet early { chain ingress { type filter hook ingress device \"wan0\" priority -450; policy accept; udp dport 5000 drop; }; }" &&
	has a:5000/udp "^shadow certain 5000/udp inet early ingress"'
check "nat prerouting: a drop there, with a fix for that chain" \
	eval 'load_json nat_prerouting_drop && has a:8443 "^shadow certain 8443/tcp ip nat prerouting nftables : .* : nft insert rule ip nat prerouting tcp dport 8443 accept$"'
check "LAN accepted by prefix and iifname, then drop: certain for the internet" \
	eval 'load_json lan_then_drop && has a:8443 "^shadow certain 8443/tcp inet filter input nftables : policy drop of chain input"'
check "firewalld: ct status dnat accept before its reject: certain" \
	eval 'load_json firewalld_like && has a:8443 "^shadow certain 8443/tcp inet firewalld filter_INPUT firewalld"'
check "iptables-nft: conntrack --ctstate NEW, state NEW and multiport accepts are accepts" \
	eval 'in_h nft flush ruleset && in_h iptables-nft -P INPUT DROP &&
	in_h iptables-nft -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT &&
	in_h iptables-nft -A INPUT -p tcp --dport 8443 -m conntrack --ctstate NEW -j ACCEPT &&
	in_h iptables-nft -A INPUT -p tcp -m state --state NEW --dport 8444 -j ACCEPT &&
	in_h iptables-nft -A INPUT -p tcp -m multiport --dports 8000:8100,443 -j ACCEPT &&
	hasnt "a:8443 b:8444 c:8050 d:443" "^shadow"'
check "iptables-nft: a port none of them accepts is a certain drop, fix without -t" \
	eval 'has a:9000 "^shadow certain 9000/tcp ip filter INPUT iptables-nft : policy drop of chain INPUT : iptables -I INPUT -p tcp --dport 9000 -j ACCEPT$"'
check "iptables-nft raw PREROUTING drop: the fix says -t raw" \
	eval 'in_h iptables-nft -P INPUT ACCEPT && in_h iptables-nft -F INPUT && in_h iptables-nft -t raw -A PREROUTING -p tcp --dport 8443 -j DROP &&
	has a:8443 "iptables -t raw -I PREROUTING -p tcp --dport 8443 -j ACCEPT$"'
check "family: an IPv6-only and an IPv4-only drop are both seen" \
	eval 'load_json family_drops && has "a:8443 b:9443" "^shadow certain 8443/tcp ip6 v6only" && grep -q "^shadow certain 9443/tcp inet mixed" "$tmp/v"'
check "fail2ban: may drop, and no accept is offered in its chain" \
	eval 'load_json fail2ban && has a:8443 "^shadow maybe 8443/tcp inet f2b-table f2b-chain fail2ban : .* : none to insert"'
in_h nft flush ruleset
echo "# $pass passed, $fail failed"
[ "$fail" = 0 ]
