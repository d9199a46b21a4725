#!/bin/bash
# homeexpose list: per exposure and port the router mapping and the host
# firewall, DRIFT when what homeexpose put in place is gone (a flushed ruleset,
# a mapping removed from the router), `open NAME` repairing it; list --router
# (the router's whole UPnP table, ours marked); --json; without root.
. "$(dirname "$0")/lab.sh"

he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
json() { he "$@" --json | python3 -c "$PYQ"; }

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
mkdir -p "$LAB_DIR/etc"
printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR" \
	>"$LAB_DIR/etc/homeexpose.conf"
lab_check "open 8443:8080/tcp web (PCP + IPv6 pinhole)" he -q open 8443:8080/tcp web
lab_check "open 9000/udp dns --protocol upnp --ipv4-only" he -q open 9000/udp dns --protocol upnp --ipv4-only
lab_check "list: router mapping per port with lease, firewall open, no drift" \
	eval 'he list >"$LAB_DIR/l.out" 2>&1; cat "$LAB_DIR/l.out"
	grep -q "pcp    $LAB_WAN_IP:8443/tcp -> $LAB_HOME_IP:8080, lease [0-9]* s left" "$LAB_DIR/l.out" &&
	grep -q "IPv6 pinhole \[$LAB_HOME_IP6\]:8080/tcp, lease" "$LAB_DIR/l.out" &&
	grep -q "upnp   $LAB_WAN_IP:9000/udp -> $LAB_HOME_IP:9000, lease [0-9]* s left (confirmed on the router)" "$LAB_DIR/l.out" &&
	grep -q "firewall  8080/tcp open (nftables)" "$LAB_DIR/l.out" && ! grep -q DRIFT "$LAB_DIR/l.out"'
PYQ='import json,sys; d=json.load(sys.stdin); print(d["drift"], [m["state"] for x in d["exposures"] for m in x["mappings"]])'
lab_check "list --json: no drift, every mapping ok" expect_out "0 ['ok', 'ok', 'ok']" -- json list

# drift 1: the host's ruleset is flushed (e.g. a reload of nftables.service)
in_home nft flush ruleset
lab_check "after nft flush ruleset: list shows DRIFT for both exposures with the fix" \
	expect_out "firewall  8080/tcp NOT OPEN" "DRIFT     firewall: 8080/tcp is no longer open" \
	"Fix: homeexpose open web" "Fix: homeexpose open dns" -- he list
# drift 2: the UPnP mapping vanishes from the router
lab_check "upnpc removes 9000/udp from the router behind homeexpose's back" \
	in_home upnpc -u "$LAB_UPNP_URL" -d 9000 UDP
lab_check "list: the UPnP mapping is GONE from the router, DRIFT with the fix" \
	expect_out "GONE from the router" "router: the IPv4 forward 9000/udp is gone from the router" \
	"Fix: homeexpose open dns" -- he list
PYQ='import json,sys; d=json.load(sys.stdin); print("drift", d["drift"])'
lab_check "list --json counts 3 drift items" expect_out "drift 3" -- json list
lab_check "open web repairs it and says so" \
	expect_out "drift: firewall: 8080/tcp is no longer open" "repaired 1 drift item" -- he open web
lab_check "open dns puts the mapping back and says so" \
	expect_out "router: the IPv4 forward 9000/udp is gone" "$LAB_WAN_IP:9000/udp -> $LAB_HOME_IP:9000" "repaired 1 drift item" -- he open dns
lab_check "list: no drift left" eval '! he list | grep DRIFT'
lab_check "and the repaired firewall lets the internet host in again" \
	eval 'lab_serve_tcp "$LAB_HOME" :: 8080 banner && lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 8443 | grep -q banner'

lab_check "list --router: the router's UPnP table, ours marked (the PCP one by the state)" \
	expect_out "router 192.168.77.1 (upnp): 2 mappings" "homeexpose:dns" "(homeexpose:web)" -- he list --router
PYQ='import json,sys; d=json.load(sys.stdin); print(sorted((m["external_port"], m["ours"], m["name"]) for m in d["mappings"]))'
lab_check "list --router --json" expect_out "[(8443, True, 'web'), (9000, True, 'dns')]" -- json list --router

chmod 755 "$LAB_DIR"
chmod -R a+rX "$LAB_DIR/etc" "$LAB_DIR/state"
nobody() { in_home setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
lab_check "without root: list shows the router part and says the firewall could not be read" \
	eval 'nobody list >"$LAB_DIR/n.out" 2>&1; rc=$?; cat "$LAB_DIR/n.out"; [ $rc -eq 0 ] &&
	grep -q "pcp    $LAB_WAN_IP:8443/tcp" "$LAB_DIR/n.out" && grep -q "firewall  8080/tcp ? (not read)" "$LAB_DIR/n.out" &&
	grep -q "needs root or CAP_NET_ADMIN" "$LAB_DIR/n.out"'
lab_done
