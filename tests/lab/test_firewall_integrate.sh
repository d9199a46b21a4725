#!/bin/bash
# `homeexpose firewall integrate` on a locked-down home host (issue 13).
#
# The home host drops all input in a table of its own (`table inet own`,
# policy drop). `open` refuses, naming that table and chain and offering
# `homeexpose firewall integrate`; --dry-run says the same. After integrate,
# ONE rule tagged "homeexpose" is the only difference in `own`, and `open
# 8443:8080/tcp web` makes the service reachable from the internet host
# through the router; `close web` makes it unreachable; `integrate --remove`
# gives `own` back byte for byte. A ruleset file that includes a directory
# keeps the rule across a reboot (a file there, checked by a dry run; removed
# by --remove; not written when the include comes before the chain). Then,
# with `[firewall] integrate` set, the agent puts the rule back after `nft -f`
# of the original ruleset.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/agent_lib.sh"

reach() { lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 8443 | grep -q banner-8080; }
unreachable() {
	local out
	out=$(LAB_PROBE_TIMEOUT=1 lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 8443 2>&1)
	[[ $out != *banner-8080* ]]
}
own_now() { in_home nft list table inet own; }
# the table differs from REF by exactly the one tagged rule
only_our_rule() {
	local d
	d=$(diff <(printf '%s\n' "$ref") <(own_now) | grep '^[<>]')
	[ "$(printf '%s\n' "$d" | wc -l)" = 1 ] &&
		[[ $d == '> '*'meta mark & 0x10000000 == 0x10000000 accept comment "homeexpose"' ]]
}
no_table() { ! in_home nft list table inet homeexpose >/dev/null 2>&1; }

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
# the ruleset file is the lab's own (never the host's /etc/nftables.conf)
NFTCONF="$LAB_DIR/nftables.conf"
: >"$NFTCONF"
agent_conf "[router]\nprotocols = upnp\n[firewall]\nnftables-conf = $NFTCONF\n"
lab_check "home service on 8080" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080
in_home nft -f - <<'EOF2'
table inet own {
	chain input {
		type filter hook input priority filter; policy drop;
		iif "lo" accept
		ct state established,related accept
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept
		tcp dport 22 accept
	}
}
EOF2
ref=$(own_now)
orig=$(in_home nft list ruleset)

lab_check "open exits 1 and names table inet own, chain input" \
	eval 'he open 8443:8080/tcp web --ipv4-only >"$LAB_DIR/o1.out" 2>&1; rc=$?; cat "$LAB_DIR/o1.out"; [ $rc -eq 1 ] &&
	grep -q "port 8080/tcp will still be dropped for IPv4 by nftables table inet own, chain input (policy drop of chain input)" "$LAB_DIR/o1.out"'
lab_check "the fix offered is firewall integrate" \
	grep -q "Fix: homeexpose firewall integrate inet own input" "$LAB_DIR/o1.out"
lab_check "open --dry-run analyses too: exit 1, same table named" \
	eval 'he open --dry-run 8443:8080/tcp web --ipv4-only >"$LAB_DIR/d1.out" 2>&1; rc=$?; cat "$LAB_DIR/d1.out"; [ $rc -eq 1 ] &&
	grep -q "table inet own, chain input" "$LAB_DIR/d1.out"'
lab_check "nothing changed: own unchanged, no homeexpose table, no drop-in" \
	eval '[ "$(own_now)" = "$ref" ] && no_table && [ ! -e "$LAB_DIR/etc/exposures.d/web.conf" ]'
lab_check "firewall status names the dropping chain" \
	expect_out "backend:     nftables" "integration: none" -- he firewall status

lab_check "firewall integrate (chain found by the analysis)" \
	expect_out "inet own input now accepts what homeexpose marks" \
	'meta mark & 0x10000000 == 0x10000000 accept comment "homeexpose"' "/etc/nftables.conf" -- he firewall integrate
lab_check "own differs from the original only by the one tagged rule" only_our_rule
lab_check "integrate twice adds nothing" eval 'he -q firewall integrate inet own input && only_our_rule'
lab_check "open 8443:8080/tcp web now succeeds" expect_out "opened exposure 'web'" -- he open 8443:8080/tcp web --ipv4-only
lab_check "the internet host reaches the service through the router" reach
lab_check "homeexpose's mark chain is in place" eval 'in_home nft list chain inet homeexpose mark_ports | grep -q "meta mark set meta mark | 0x10000000"'
lab_check "status: no drop left for the exposed port" expect_out "drops:       none found" -- he firewall status
lab_check "close web" expect_out "closed exposure 'web'" -- he close web
lab_check "after close: the internet host cannot reach it" unreachable
lab_check "after close: own still differs only by the one rule" only_our_rule
lab_check "integrate --remove" expect_out "the homeexpose rule is gone from inet own input" -- \
	he firewall integrate --remove inet own input
lab_check "after --remove: own is byte-for-byte the original" eval '[ "$(own_now)" = "$ref" ]'
lab_check "--remove again changes nothing" eval 'he -q firewall integrate --remove inet own input && [ "$(own_now)" = "$ref" ]'

# across a reboot: a ruleset file that includes a directory gets one file there
mkdir -p "$LAB_DIR/nft.d"
{ echo "flush ruleset"; printf '%s\n' "$ref"; echo "include \"$LAB_DIR/nft.d/*.nft\""; } >"$NFTCONF"
lab_check "integrate writes the rule into the directory the ruleset file includes" \
	expect_out "Kept across reboots in $LAB_DIR/nft.d/homeexpose-integrate.nft" -- he firewall integrate inet own input
lab_check "that file holds the one insert rule line" \
	grep -qx 'insert rule inet own input meta mark & 0x10000000 == 0x10000000 accept comment "homeexpose"' \
	"$LAB_DIR/nft.d/homeexpose-integrate.nft"
lab_check "a reboot (nft -f of the ruleset file) keeps the rule: own differs only by it" \
	eval 'in_home nft -f "$NFTCONF" && only_our_rule'
lab_check "integrate --remove deletes the file too" \
	eval 'he firewall integrate --remove inet own input | grep -q "homeexpose-integrate.nft removed" && [ ! -e "$LAB_DIR/nft.d/homeexpose-integrate.nft" ]'
lab_check "after --remove, a reboot gives own back byte for byte" \
	eval 'in_home nft -f "$NFTCONF" && [ "$(own_now)" = "$ref" ]'
# an include before the chain exists: the dry run fails, nothing is left behind
{ echo "flush ruleset"; echo "include \"$LAB_DIR/nft.d/*.nft\""; printf '%s\n' "$ref"; } >"$NFTCONF"
lab_check "include before the chain: not kept (dry run fails), the line to add is printed" \
	eval 'he firewall integrate inet own input >"$LAB_DIR/i2.out" 2>&1; cat "$LAB_DIR/i2.out";
	grep -q "does not load with it" "$LAB_DIR/i2.out" && grep -q "To keep it after a reboot, add that line" "$LAB_DIR/i2.out" &&
	[ ! -e "$LAB_DIR/nft.d/homeexpose-integrate.nft" ]'
lab_check "the ruleset file still loads as it was" eval 'in_home nft -c -f "$NFTCONF"'
he -q firewall integrate --remove inet own input
: >"$NFTCONF"

# the agent keeps the rule: [firewall] integrate is desired state
agent_conf "[router]\nprotocols = upnp\n[firewall]\nintegrate = inet own input\nnftables-conf = $NFTCONF\n[agent]\ndrift-interval = 2\n"
lab_check "with integrate = set, open puts the rule in and succeeds" \
	eval 'he -q open 8443:8080/tcp web --ipv4-only && only_our_rule'
lab_check "reachable" reach
lab_check "agent starts" agent_start
# the administrator reloads the original ruleset (as nftables.service would):
# our table and the integration rule are gone (the agent, listening to
# nftables events, may repair it at once, so its log is the witness)
lab_check "nft flush ruleset; nft -f of the original ruleset" \
	eval 'in_home nft flush ruleset && printf "%s\n" "$orig" | in_home nft -f -'
lab_check "the agent restores the rule and reachability within its drift period" until_reachable 8000 8443 banner-8080
lab_check "own differs again only by the one rule" only_our_rule
lab_check "the agent says it put the rules back" grep -q "put back" "$LAB_DIR/agent.log"
lab_check "agent stops" eval '(kill "$AGENT_PID"; for _ in $(seq 1 100); do agent_alive || exit 0; sleep 0.05; done; exit 1)'
# the family: an IPv6-only drop does not refuse --ipv4-only, and refuses --ipv6-only
in_home nft -f - <<'EOF2'
table ip6 v6only {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 8080 drop
	}
}
EOF2
lab_check "an IPv6-only drop: open --ipv4-only still succeeds" \
	expect_out "updated exposure 'web'" -- he open 8443:8080/tcp web --ipv4-only
lab_check "an IPv6-only drop: open --ipv6-only exits 1 naming table ip6 v6only" \
	eval 'he open 9443:8080/tcp web6 --ipv6-only >"$LAB_DIR/o6.out" 2>&1; rc=$?; cat "$LAB_DIR/o6.out"; [ $rc -eq 1 ] &&
	grep -q "port 8080/tcp will still be dropped for IPv6 by nftables table ip6 v6only, chain input" "$LAB_DIR/o6.out"'
in_home nft delete table ip6 v6only
lab_check "close web" he -q close web
lab_done
