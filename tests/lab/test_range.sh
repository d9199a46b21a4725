#!/bin/bash
# A port range end to end (issue 14): open 60000-60002/udp maps each port on the
# router and opens it in the home host's firewall as one set range; the internet host gets an
# answer from all three; close --dry-run names the three mappings and changes
# nothing; close makes them unreachable.
. "$(dirname "$0")/lab.sh"

he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
ports=(60000 60001 60002)

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
mkdir -p "$LAB_DIR/etc"
printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR" \
	>"$LAB_DIR/etc/homeexpose.conf"
for p in "${ports[@]}"; do
	lab_check "home UDP service on $p starts" lab_serve_udp "$LAB_HOME" :: "$p" "reply-$p"
done
for p in "${ports[@]}"; do
	lab_check "before open: no answer on $LAB_WAN_IP:$p" lab_unreachable_udp "$LAB_INET" "$LAB_WAN_IP" "$p"
done
lab_check "open 60000-60002/udp mosh maps each port" \
	expect_out "60000/udp -> $LAB_HOME_IP:60000" "60001/udp -> $LAB_HOME_IP:60001" \
	"60002/udp -> $LAB_HOME_IP:60002" "opened exposure 'mosh'" -- \
	he open 60000-60002/udp mosh --ipv4-only --no-check
lab_check "the drop-in records the range" grep -q "ports = 60000-60002/udp" "$LAB_DIR/etc/exposures.d/mosh.conf"
lab_check "homeexpose's firewall set holds the range as one element" \
	expect_out '60000-60002 comment "homeexpose:mosh"' -- in_home nft list set inet homeexpose udp_ports
for p in "${ports[@]}"; do
	lab_check "after open: $LAB_WAN_IP:$p/udp answers" \
		expect_out "reply-$p" -- lab_probe_udp "$LAB_INET" "$LAB_WAN_IP" "$p"
done
lab_check "close --dry-run names the three mappings and the firewall commands" \
	expect_out "would unmap the IPv4 forward 60000/udp" "would unmap the IPv4 forward 60001/udp" \
	"would unmap the IPv4 forward 60002/udp" "firewall (nftables) would run" -- he close mosh --dry-run
lab_check "close --dry-run --json is an object with three unmaps" eval \
	'he close mosh --dry-run --json | python3 -c "import json,sys; d=json.load(sys.stdin); assert [r[\"action\"] for r in d[\"mappings\"]]==[\"unmap\"]*3, d"'
lab_check "close --dry-run --json is valid against the schema" eval 'he close mosh --dry-run --json >"$LAB_DIR/cd.json" && lab_json_valid close "$LAB_DIR/cd.json"'
lab_check "open --json of a range is valid against the schema" eval 'he open 60000-60002/udp mosh --ipv4-only --no-check --json >"$LAB_DIR/o.json" && lab_json_valid open "$LAB_DIR/o.json"'
lab_check "after close --dry-run: the drop-in is still there" test -e "$LAB_DIR/etc/exposures.d/mosh.conf"
lab_check "after close --dry-run: $LAB_WAN_IP:60001/udp still answers" \
	expect_out reply-60001 -- lab_probe_udp "$LAB_INET" "$LAB_WAN_IP" 60001
lab_check "close 60001/udp closes the range's exposure" expect_out "closed exposure 'mosh'" -- he close 60001/udp
for p in "${ports[@]}"; do
	lab_check "after close: no answer on $LAB_WAN_IP:$p" lab_unreachable_udp "$LAB_INET" "$LAB_WAN_IP" "$p"
done
lab_check_fails "after close: the firewall table is gone" in_home nft list table inet homeexpose
lab_down
lab_done
