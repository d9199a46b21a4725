#!/bin/bash
# tests/lab/test_firewall_nft.sh - the nftables backend for real, in namespaces.
#
# Two hosts joined by a veth pair: home (runs a TCP service on 8443 and 9443)
# and cli (the client). Everything happens inside namespaces made here; they
# are removed by a trap. Drives lib/firewall through tests/lab/fw-driver.c
# until the CLI is wired (then: homeexpose open/close).
#
# Part 1, open host (another table "other" with policy accept and its own
#   rules): apply/verify/idempotency/shared ports/close, and the table is gone.
# Part 2, locked-down host (table inet lock, policy drop): before applying the
#   client cannot connect; after applying it still cannot - an nftables accept
#   in one table never overrides a drop in another - and verify names
#   `inet lock input` (policy drop) with the fix.
# Part 3, a higher-priority table dropping one port by rule: found by verify.
# In both parts the other table's `nft list table` output never changes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sfx="$$$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
H="hefw${sfx}-home"
C="hefw${sfx}-cli"
tmp=$(mktemp -d)
pass=0
fail=0

cleanup() {
	[ -n "${srv_pids:-}" ] && kill $srv_pids 2>/dev/null
	# every process still inside our namespaces (the socat servers) goes with them
	for ns in "$H" "$C"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	ip netns del "$H" 2>/dev/null
	ip netns del "$C" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { local d=$1; shift; if "$@" >"$tmp/out" 2>&1; then ok "$d"; else notok "$d"; sed 's/^/#   /' "$tmp/out"; fi; }
check_fails() { local d=$1; shift; if "$@" >"$tmp/out" 2>&1; then notok "$d"; sed 's/^/#   /' "$tmp/out"; else ok "$d"; fi; }

[ "$(id -u)" = 0 ] || { echo "not ok - needs root"; exit 1; }

# --- build the driver against the library ---
make -s -C "$root" build/libhomeexpose.a >/dev/null || { echo "not ok - build"; exit 1; }
D="$tmp/fw-driver"
cc -std=gnu11 -Wall -Wextra -Werror -I"$root/lib" -D_GNU_SOURCE "$here/fw-driver.c" \
	"$root/build/libhomeexpose.a" $(pkg-config --libs libnftables jansson libmnl libnftnl libsystemd) -o "$D" ||
	{ echo "not ok - build fw-driver"; exit 1; }

in_h() { ip netns exec "$H" "$@"; }
in_c() { ip netns exec "$C" "$@"; }
drv() { in_h "$D" -b nftables "$@"; }

# --- the hosts ---
ip netns add "$H"
ip netns add "$C"
ip -n "$H" link add eth0 type veth peer name eth0 netns "$C"
for ns in "$H" "$C"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
done
ip -n "$H" addr add 10.99.0.1/24 dev eth0
ip -n "$C" addr add 10.99.0.2/24 dev eth0
ip -n "$H" addr add fd99::1/64 dev eth0 nodad
ip -n "$C" addr add fd99::2/64 dev eth0 nodad

for p in 8443 9443; do
	in_h socat TCP6-LISTEN:$p,fork,reuseaddr,ipv6only=0 SYSTEM:"echo hello-$p" 2>/dev/null &
	srv_pids="${srv_pids:-} $!"
done
listening() { # PORT: bounded poll (3 s) until the service listens
	local _
	for _ in $(seq 1 150); do
		in_h ss -Htln "sport = :$1" | grep -q LISTEN && return 0
		sleep 0.02
	done
	return 1
}

reach() { # ADDR PORT
	in_c socat -T2 - "TCP:$1:$2,connect-timeout=2" </dev/null 2>/dev/null | grep -q "hello-$2"
}
reach4() { reach 10.99.0.1 "$1"; }
reach6() { reach '[fd99::1]' "$1"; }
no_table() { ! in_h nft list table inet homeexpose >/dev/null 2>&1; }
elements() { # SET -> the element list, one line
	in_h nft -j list set inet homeexpose "$1" |
		python3 -c 'import json,sys; d=json.load(sys.stdin)["nftables"][1]["set"]; print(json.dumps(d.get("elem", [])))'
}
count_elems() { # SET PORT -> how many elements are PORT
	elements "$1" | python3 -c "import json,sys; e=json.load(sys.stdin); print(sum(1 for x in e if (x['elem']['val'] if isinstance(x, dict) else x) == $2))"
}
other_same() { [ "$(in_h nft list table "$1")" = "$2" ]; }

# ===== Part 1: an open host with another table of its own =====
in_h nft -f - <<'EOF'
table inet other {
	set trusted { type ipv4_addr; elements = { 10.99.0.77 } }
	chain input {
		type filter hook input priority 10; policy accept;
		ip saddr @trusted counter accept
		tcp dport 7000 counter drop
	}
}
EOF
ref=$(in_h nft list table inet other)

check "the services listen" eval 'listening 8443 && listening 9443'
check "dry-run prints the transaction and changes nothing" \
	sh -c "ip netns exec '$H' '$D' -b nftables -n apply web:8443 | grep -q 'elements = { 8443 comment \"homeexpose:web\" }' && ! ip netns exec '$H' nft list table inet homeexpose >/dev/null 2>&1"
check "apply web:8443" drv apply web:8443
check "table inet homeexpose exists" in_h nft list table inet homeexpose
check "reachable over IPv4 after apply" reach4 8443
check "reachable over IPv6 after apply" reach6 8443
h1=$(in_h nft -a list table inet homeexpose | head -1)
check "apply the same again" drv apply web:8443
check "the same request twice gives one element" test "$(count_elems tcp_ports 8443)" = 1
check "and changes nothing (same table handle)" test "$(in_h nft -a list table inet homeexpose | head -1)" = "$h1"
check "dry-run of the same state prints nothing" test -z "$(drv -n apply web:8443)"
check "verify: in sync, nothing missing, nothing drops" sh -c "ip netns exec '$H' '$D' -b nftables verify web:8443 | tr '\n' ' ' | grep -q 'present 1 in_sync 1 \$'"
check "two exposures on 8443" drv apply web:8443 cloud:8443
check "still one element for 8443, tagged with both" sh -c "[ \"\$(ip netns exec '$H' nft list set inet homeexpose tcp_ports | grep -c 8443)\" = 1 ] && ip netns exec '$H' nft list set inet homeexpose tcp_ports | grep -q 'homeexpose:cloud,web'"
check "close web, cloud keeps 8443 open" drv apply cloud:8443
check "8443 still reachable" reach4 8443
check "8443 still one element" test "$(count_elems tcp_ports 8443)" = 1

# drift: somebody flushes the whole ruleset
in_h nft flush ruleset
check "drift: verify reports 8443/tcp missing" sh -c "ip netns exec '$H' '$D' -b nftables verify cloud:8443 | grep -q '^missing 8443/tcp homeexpose:cloud'"
check "drift: apply restores it" drv apply cloud:8443
check "drift: element back" test "$(count_elems tcp_ports 8443)" = 1
check "drift: verify in sync again" sh -c "ip netns exec '$H' '$D' -b nftables verify cloud:8443 | grep -q '^in_sync 1'"
# put the other table back as it was, for the rest of part 1
in_h nft -f - <<EOF
$ref
EOF
check "other table restored byte-for-byte" other_same "inet other" "$ref"
check "close the last exposure" drv apply
check "table inet homeexpose is gone" no_table
check "close again is a no-op" drv remove
check "other table unchanged through part 1" other_same "inet other" "$ref"
in_h nft delete table inet other

# ===== Part 2: locked-down host, default-drop in a table of its own =====
in_h nft -f - <<'EOF'
table inet lock {
	chain input {
		type filter hook input priority -10; policy drop;
		ct state established,related accept
		iif lo accept
		meta l4proto { icmp, ipv6-icmp } accept
		tcp dport 22 accept
	}
}
EOF
lref=$(in_h nft list table inet lock)

check_fails "locked: not reachable before applying" reach4 8443
check "locked: apply web:8443" drv apply web:8443
check_fails "locked: still not reachable (an nftables accept is not final)" reach4 8443
drv verify web:8443 >"$tmp/verify" 2>&1
check "locked: verify names table inet lock chain input, policy drop, with the fix" \
	grep -q '^shadow certain 8443/tcp inet lock input nftables : policy drop of chain input : homeexpose firewall integrate inet lock input (or, for this port only: nft insert rule inet lock input tcp dport 8443 accept)$' "$tmp/verify"
check "locked: lock table unchanged by homeexpose" other_same "inet lock" "$lref"
check "locked: remove" drv remove
check "locked: table inet homeexpose is gone" no_table
check "locked: lock table unchanged" other_same "inet lock" "$lref"

# ===== Part 3: another table drops one port by rule =====
in_h nft delete table inet lock
in_h nft -f - <<'EOF'
table inet gate {
	chain input {
		type filter hook input priority 10; policy accept;
		ct state established,related accept
		iif lo accept
		tcp dport 9443 drop
	}
}
EOF
gref=$(in_h nft list table inet gate)
check "gate: 8443 reachable without homeexpose (no drop there)" reach4 8443
check "gate: apply web:9443" drv apply web:9443
drv verify web:9443 >"$tmp/verify" 2>&1
check "gate: verify reports the drop in inet gate input by rule" \
	grep -q '^shadow certain 9443/tcp inet gate input nftables : rule handle [0-9]* in chain input: drop' "$tmp/verify"
check_fails "gate: 9443 still blocked" reach4 9443
check "gate: remove" drv remove
check "gate: table unchanged" other_same "inet gate" "$gref"

# no CAP_NET_ADMIN: a clear -EPERM and nothing applied
check "without CAP_NET_ADMIN: refused with a clear message" \
	sh -c "ip netns exec '$H' setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all '$D' -b nftables apply web:8443 2>&1 | grep -q 'needs root or CAP_NET_ADMIN'"
check "without CAP_NET_ADMIN: nothing applied" no_table

echo "# $pass passed, $fail failed"
[ "$fail" -eq 0 ]
