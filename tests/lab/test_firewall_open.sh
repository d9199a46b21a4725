#!/bin/bash
# The host firewall through the real command, on a locked-down home host.
#
# The home host drops all input by default in a table of its own (`table inet
# locked`: policy drop; lo, established and ssh accepted) and the router already
# forwards 8443 to it (made with upnpc). (IPv6 neighbour discovery is accepted
# too, as on any locked-down host that uses IPv6.) An nftables accept is not final: a drop
# in another table still wins, so homeexpose's own table cannot open the port
# without touching `locked`, which homeexpose never does. `open` therefore
# names the table and chain with the fix and exits 1, changing nothing. The
# user applies the fix (their decision), opens again, and it works. `nft list
# table inet locked` is compared byte for byte after every homeexpose command.
. "$(dirname "$0")/lab.sh"

he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
reach() { lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 8443 | grep -q banner-8443; }
unreachable() { lab_unreachable_tcp "$LAB_INET" "$LAB_WAN_IP" 8443; }
locked_is() { [ "$(in_home nft list table inet locked)" = "$1" ]; }
no_table() { ! in_home nft list table inet homeexpose >/dev/null 2>&1; }
count_8443() { in_home nft list set inet homeexpose tcp_ports | grep -o '8443' | wc -l; }

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
mkdir -p "$LAB_DIR/etc"
printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR" \
	>"$LAB_DIR/etc/homeexpose.conf"
lab_check "home service on 8443" lab_serve_tcp "$LAB_HOME" :: 8443 banner-8443
lab_check "a router mapping exists (upnpc -a $LAB_HOME_IP 8443 8443 TCP)" \
	in_home upnpc -u "$LAB_UPNP_URL" -e upnpc-web -a "$LAB_HOME_IP" 8443 8443 TCP
lab_check "without the locked table the mapping works (baseline)" reach
in_home nft -f - <<'EOF2'
table inet locked {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept
		tcp dport 22 accept
	}
}
EOF2
ref=$(in_home nft list table inet locked)
lab_check "locked: before open the internet host cannot reach the service" unreachable

lab_check "locked: open 8443/tcp web exits 1" \
	eval 'he open 8443/tcp web >"$LAB_DIR/o1.out" 2>&1; rc=$?; cat "$LAB_DIR/o1.out"; [ $rc -eq 1 ]'
lab_check "locked: the message names table inet locked, chain input, policy drop" \
	grep -q "port 8443/tcp will still be dropped by nftables table inet locked, chain input (policy drop of chain input)" "$LAB_DIR/o1.out"
lab_check "locked: the fix is printed" grep -q "Fix: homeexpose firewall integrate inet locked input (or, for this port only: nft insert rule inet locked input tcp dport 8443 accept)" "$LAB_DIR/o1.out"
lab_check "locked: says nothing was changed" grep -q "nothing was changed" "$LAB_DIR/o1.out"
lab_check "locked: the locked table is byte-for-byte unchanged" locked_is "$ref"
lab_check "locked: no homeexpose table was left" no_table
lab_check_fails "locked: no exposure recorded" test -e "$LAB_DIR/etc/exposures.d/web.conf"
lab_check "locked: still unreachable" unreachable

# the user applies the printed fix to their own table: their decision
fix=$(sed -n 's/.*for this port only: \(nft insert rule [^)]*\)).*$/\1/p' "$LAB_DIR/o1.out" | head -1)
lab_check "the user applies the printed fix: $fix" eval "in_home $fix"
ref2=$(in_home nft list table inet locked)
lab_check "open 8443/tcp web now succeeds" expect_out "opened exposure 'web'" -- he open 8443/tcp web
lab_check "the internet host reaches the service" reach
lab_check "the locked table is as the user left it" locked_is "$ref2"
lab_check "open twice" expect_out "updated exposure 'web'" -- he open 8443/tcp web
lab_check "open twice gives one set element" test "$(count_8443)" = 1
lab_check "a second exposure on the same port (no router part)" he -q open 8443/tcp web2 --no-router
lab_check "still one element, tagged with both" \
	eval 'in_home nft list set inet homeexpose tcp_ports | grep -q "8443 comment \"homeexpose:web,web2\"" && [ "$(count_8443)" = 1 ]'
lab_check "close web2" he -q close web2
lab_check "the port stays open for web" \
	eval 'in_home nft list set inet homeexpose tcp_ports | grep -q "8443 comment \"homeexpose:web\""'
lab_check "and reachable" reach
lab_check "the locked table is unchanged by all of it" locked_is "$ref2"

# drift: somebody flushes the whole ruleset (e.g. nftables.service reload)
in_home nft flush ruleset
lab_check "after nft flush ruleset: list shows the drift with the fix" \
	expect_out "firewall  8443/tcp NOT OPEN" "DRIFT" "Fix: homeexpose open web" -- he list
lab_check "open web repairs it and says so" expect_out "drift: firewall: 8443/tcp is no longer open" \
	"repaired 1 drift item" -- he open web
lab_check "list: no drift left" eval '! he list | grep -q DRIFT'
lab_check "the homeexpose table is back with 8443" test "$(count_8443)" = 1
# the user's own table comes back as they keep it (nftables.service would reload it)
in_home nft -f - <<EOF2
$ref2
EOF2
lab_check "the user's locked table is back, as they keep it" locked_is "$ref2"
lab_check "reachable with both tables in place" reach

chmod 755 "$LAB_DIR"
chmod -R a+rX "$LAB_DIR/etc" "$LAB_DIR/state"
lab_check "without root: open is refused (needs root or CAP_NET_ADMIN), exit 1, nothing changed" \
	eval 'in_home setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$HE_BIN" \
		-c "$LAB_DIR/etc/homeexpose.conf" open 9443/tcp other >"$LAB_DIR/np.out" 2>&1; rc=$?
	cat "$LAB_DIR/np.out"; [ $rc -eq 1 ] && grep -q "needs root or CAP_NET_ADMIN" "$LAB_DIR/np.out" &&
	! in_home nft list set inet homeexpose tcp_ports | grep -q 9443 && [ ! -e "$LAB_DIR/etc/exposures.d/other.conf" ]'
lab_check "close web" expect_out "closed exposure 'web'" -- he close web
lab_check "after close: the homeexpose table is gone" no_table
lab_check "after close: the router mapping is gone and the internet host cannot connect" unreachable
lab_check "after close: the locked table is unchanged" locked_is "$ref2"
lab_done
