#!/bin/bash
# homeexpose open/close end to end in the lab: the router mapping (PCP, NAT-PMP,
# UPnP) and the home host's firewall, proven by the internet host reaching the
# home service through the router's public address; close makes it unreachable.
. "$(dirname "$0")/lab.sh"

conf_for_lab() {
	mkdir -p "$LAB_DIR/etc"
	printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR" \
		>"$LAB_DIR/etc/homeexpose.conf"
}
he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
reach() { expect_out "$3" -- lab_probe_tcp "$LAB_INET" "$1" "$2"; }
unreachable() { lab_unreachable_tcp "$LAB_INET" "$1" "$2"; }
# elapsed_below MS CMD...: CMD fails, and within MS milliseconds
fails_within() {
	local ms=$1 t0 t1
	shift
	t0=${EPOCHREALTIME/./}
	if "$@"; then
		echo "(succeeded; failure expected)"
		return 1
	fi
	t1=${EPOCHREALTIME/./}
	echo "(failed after $(((t1 - t0) / 1000)) ms)"
	[ $(((t1 - t0) / 1000)) -lt "$ms" ]
}

# --- full variant: each protocol
lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
conf_for_lab
lab_check "home services start" eval 'lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080 &&
	lab_serve_udp "$LAB_HOME" :: 8081 reply-8081'
lab_check "before open: the internet host cannot reach the service" unreachable "$LAB_WAN_IP" 8443
# IPv4 here; IPv6 pinholes are tested on their own below (miniupnpd 2.3.1 cannot
# delete a PCP pinhole that shares its internal port with an IPv4 PCP mapping).
lab_check "open 8443:8080/tcp web" \
	expect_out "8443/tcp -> $LAB_HOME_IP:8080" "opened exposure 'web'" -- he open 8443:8080/tcp web --ipv4-only
lab_check "after open: the internet host reads the banner through $LAB_WAN_IP:8443" \
	reach "$LAB_WAN_IP" 8443 banner-8080
lab_check "the drop-in is recorded" grep -q "ports = 8443:8080/tcp" "$LAB_DIR/etc/exposures.d/web.conf"
lab_check "homeexpose's firewall table holds 8080" \
	expect_out "8080" -- in_home nft list set inet homeexpose tcp_ports
lab_check "open twice changes nothing" expect_out "updated exposure 'web'" -- he open 8443:8080/tcp web --ipv4-only
lab_check "close web" expect_out "closed exposure 'web'" -- he close web
lab_check "after close: unreachable again" unreachable "$LAB_WAN_IP" 8443
lab_check_fails "after close: the firewall table is gone" in_home nft list table inet homeexpose
lab_check_fails "after close: the drop-in is gone" test -e "$LAB_DIR/etc/exposures.d/web.conf"

for proto in pcp natpmp upnp; do
	lab_check "open --protocol $proto" \
		expect_out "router: $proto " -- he open 8443:8080/tcp "web-$proto" --protocol "$proto" --ipv4-only
	lab_check "$proto: the internet host reads the banner" reach "$LAB_WAN_IP" 8443 banner-8080
	lab_check "$proto: close" he close "web-$proto"
	lab_check "$proto: unreachable after close" unreachable "$LAB_WAN_IP" 8443
done

lab_check "open a UDP service 9081:8081/udp" \
	expect_out "9081/udp -> $LAB_HOME_IP:8081" -- he open 9081:8081/udp dgram --ipv4-only
lab_check "UDP: a datagram from the internet host is answered" \
	expect_out reply-8081 -- lab_probe_udp "$LAB_INET" "$LAB_WAN_IP" 9081
lab_check "UDP: close" he close 9081/udp
lab_check "UDP: no answer after close" lab_unreachable_udp "$LAB_INET" "$LAB_WAN_IP" 9081

lab_check "IPv6: open 8080/tcp v6web --ipv6-only opens a pinhole" \
	expect_out "IPv6 pinhole [$LAB_HOME_IP6]:8080/tcp" -- he open 8080/tcp v6web --ipv6-only
lab_check "IPv6: the internet host reaches [$LAB_HOME_IP6]:8080" reach "$LAB_HOME_IP6" 8080 banner-8080
lab_check "IPv6: close" he close v6web
lab_check "IPv6: filtered again after close" unreachable "$LAB_HOME_IP6" 8080

lab_check "refused port: open 25 mail exits 2 before touching anything" \
	eval 'he open 25 mail; [ $? -eq 2 ]'
lab_down

# --- variants with one protocol family
for v in upnp natpmp; do
	want=$([ "$v" = upnp ] && echo upnp || echo pcp)
	lab_check "lab_up $v" lab_up "$v" || { lab_done; exit 1; }
	conf_for_lab
	lab_check "$v: service starts" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080
	lab_check "$v: open picks $want" expect_out "router: $want " -- he open 8443:8080/tcp web --ipv4-only
	lab_check "$v: reachable" reach "$LAB_WAN_IP" 8443 banner-8080
	lab_check "$v: close" he close web
	lab_down
done

# --- no mapping service: a clear failure within a second
lab_check "lab_up none" lab_up none || { lab_done; exit 1; }
conf_for_lab
lab_check "none: open fails within 1 s" fails_within 1000 he open 8443:8080/tcp web --ipv4-only
lab_check "none: the message says no router protocol answered" \
	eval 'he open 8443:8080/tcp web --ipv4-only 2>&1 | grep -i "answer"'
lab_check_fails "none: nothing recorded" test -e "$LAB_DIR/etc/exposures.d/web.conf"
lab_check_fails "none: the firewall was put back (no homeexpose table)" \
	in_home nft list table inet homeexpose
lab_down

# --- CGNAT: exit 1 naming the 100.64 address
lab_check "lab_up cgnat" lab_up cgnat || { lab_done; exit 1; }
conf_for_lab
lab_check "cgnat: open exits 1" eval 'he open 8443:8080/tcp web --ipv4-only >"$LAB_DIR/cg.out" 2>&1; [ $? -eq 1 ]'
lab_check "cgnat: the message names $LAB_WAN_IP and carrier-grade NAT" \
	eval 'cat "$LAB_DIR/cg.out"; grep -q "$LAB_WAN_IP" "$LAB_DIR/cg.out" && grep -qi "carrier-grade" "$LAB_DIR/cg.out"'
# both families: IPv4 is not possible here, the IPv6 pinhole is opened, exit 0
lab_check "cgnat: home service on 8080" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080
lab_check "cgnat: open 8443:8080/tcp web exits 0: IPv4 not possible here (CGNAT), IPv6 pinhole" \
	expect_out "IPv4: not possible here" "CGNAT" "$LAB_WAN_IP" "IPv6 pinhole [$LAB_HOME_IP6]:8080/tcp" -- \
	he open 8443:8080/tcp web --no-check
lab_check "cgnat: the internet host reaches the service over IPv6" reach "$LAB_HOME_IP6" 8080 banner-8080
lab_check "cgnat: close web exits 0" expect_out "closed exposure 'web'" -- he close web
lab_down

lab_done
