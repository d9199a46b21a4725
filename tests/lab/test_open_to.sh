#!/bin/bash
# open --to ADDR: a mapping for another LAN host, made from the home host. The
# lab gets a second LAN host (LAB_LAN2=1: lan2, 192.168.77.3, on the router's
# LAN bridge) and miniupnpd allows mappings for other hosts (LAB_SECURE_MODE=no).
# The internet host reaches lan2's service through the mapping; addresses that
# are not on the router's LAN are refused with a clear message.
. "$(dirname "$0")/lab.sh"

he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
reach() { lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" "$1" | grep -q "$2"; }
unreachable() { lab_unreachable_tcp "$LAB_INET" "$LAB_WAN_IP" "$1"; }

export LAB_LAN2=1 LAB_SECURE_MODE=no
lab_check "lab_up full with a second LAN host" lab_up full || { lab_done; exit 1; }
mkdir -p "$LAB_DIR/etc"
printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR" \
	>"$LAB_DIR/etc/homeexpose.conf"
lab_check "lan2 runs a service on 8080" lab_serve_tcp "$LAB_LAN2_NS" :: 8080 banner-lan2
lab_check "home reaches lan2 directly on the LAN" eval 'in_home python3 "$LAB_SRC/labnet.py" probe-tcp "$LAB_LAN2_IP" 8080 2 | grep -q banner-lan2'
lab_check "before open: the internet host cannot reach it" unreachable 8444

for p in pcp upnp; do
	lab_check "$p: open 8444:8080/tcp nas --to $LAB_LAN2_IP" \
		expect_out "router: $p $LAB_WAN_IP:8444/tcp -> $LAB_LAN2_IP:8080" "opened exposure 'nas'" \
		-- he open 8444:8080/tcp nas --to "$LAB_LAN2_IP" --protocol "$p"
	lab_check "$p: the internet host reads lan2's banner via $LAB_WAN_IP:8444" reach 8444 banner-lan2
	lab_check "$p: no IPv6 pinhole for an IPv4 --to, no firewall rule on this host" \
		eval '! in_home nft list table inet homeexpose >/dev/null 2>&1 && ! grep -q ipv6 <(he list --json | python3 -c "import json,sys; print([m[\"family\"] for x in json.load(sys.stdin)[\"exposures\"] for m in x[\"mappings\"]])")'
	lab_check "$p: list shows the mapping to $LAB_LAN2_IP" \
		expect_out "to $LAB_LAN2_IP" "$LAB_WAN_IP:8444/tcp -> $LAB_LAN2_IP:8080" -- he list
	lab_check "$p: close nas" he -q close nas
	lab_check "$p: unreachable after close" unreachable 8444
done

lab_check "--to 10.9.9.9 (not on the LAN): refused with a clear message, exit 1" \
	eval 'he open 8445:8080/tcp far --to 10.9.9.9 >"$LAB_DIR/f.out" 2>&1; rc=$?; cat "$LAB_DIR/f.out";
	[ $rc -eq 1 ] && grep -q "10.9.9.9 is not on the router.s LAN" "$LAB_DIR/f.out"'
lab_check_fails "--to 10.9.9.9: nothing recorded" test -e "$LAB_DIR/etc/exposures.d/far.conf"
lab_check "--to $LAB_RTR_LAN_IP (the router itself): refused" \
	expect_out "is the router itself" -- eval "he open 8445:8080/tcp far --to $LAB_RTR_LAN_IP; [ \$? -eq 1 ]"
lab_check "--to not-an-address: usage error (exit 2)" \
	eval 'he open 8445:8080/tcp far --to nas.lan; [ $? -eq 2 ]'
lab_check "the router holds no mapping for 8445" eval '! in_home upnpc -u "$LAB_UPNP_URL" -l | grep -q 8445'
lab_done
