#!/bin/bash
# A home behind DS-Lite (lab variant dslite): the router's IPv4 192.0.0.2 lives
# in a tunnel to the ISP's AFTR, which NATs it to 11.77.0.2; IPv6 is routed.
#   - open 8443:8080/tcp web exits 0: IPv4 is reported as not possible here
#     (with the reason), the IPv6 pinhole is opened; the internet host reaches
#     the service over IPv6 and not over IPv4; close cleans up
#   - netcheck names DS-Lite, the B4 address and what it can say of the AFTR
#   - ddns update against Knot: AAAA from the home host, no A; an A record
#     that was there before is deleted; ddns status says why
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/knot.sh"
. "$(dirname "$0")/ddns_common.sh"

ZONE=home.example
NAME=nas.home.example
HTTP_PORT=8000
RPORT=7700

he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
reach() { expect_out "$3" -- lab_probe_tcp "$LAB_INET" "$1" "$2"; }
# unreachable ADDR PORT: the probe ran and got no connection (a probe that could
# not run at all, or that connected, fails this check)
unreachable() {
	local out rc=0
	out=$(lab_probe_tcp "$LAB_INET" "$1" "$2" 2>&1) || rc=$?
	echo "$out (exit $rc)"
	[ "$rc" -ne 0 ] || return 1
	case "$out" in
	*connected*) return 1 ;;
	*"probe-tcp $1:$2: "*) return 0 ;;
	*) return 1 ;;
	esac
}
records_are() { lab_knot_records_are "$NAME" "$@"; }
# conf: the reflector and the record (ddns_common.sh has the address sources)
conf() {
	ddns_conf_outside "$HTTP_PORT" "[router]
probe-timeout = 2000
[reflector]
url = http://$LAB_INET_IP:$RPORT http://[$LAB_INET_IP6]:$RPORT
[ddns nas]
provider = rfc2136
server = $LAB_INET_IP
zone = $ZONE
hostname = $NAME
tsig-key-file = ${LAB_KNOT_KEY:-/nonexistent}
families = A AAAA"
}

lab_check "lab_up dslite" lab_up dslite || { lab_done; exit 1; }
echo "# DS-Lite tunnel: $LAB_DSLITE_TUNNEL"
lab_check "the router's IPv4 is 192.0.0.2 on the tunnel, its WAN link has IPv6 only" \
	eval 'in_rtr ip -4 addr show dev "$LAB_WAN4_IF" | grep -q "inet 192.0.0.2/29" &&
		[ -z "$(in_rtr ip -4 addr show dev "$LAB_WAN_IF")" ]'
lab_check "services start (home 8080 dual-stack; AFTR 7001; what-is-my-IP on inet)" \
	eval 'lab_serve_tcp "$LAB_HOME" :: 8080 home-8080 &&
	lab_serve_tcp "$LAB_ISP" 0.0.0.0 7001 aftr-7001 &&
	ddns_whatismyip "$HTTP_PORT" && : >"$LAB_DIR/inet.conf" &&
	lab_spawn "$LAB_INET" "$LAB_DIR/reflector.log" "$HE_BIN" -c "$LAB_DIR/inet.conf" \
		reflector --listen ":$RPORT" --rate 600 && _lab_wait_listen "$LAB_INET" -t "$RPORT"'
conf
lab_check "the home host's IPv4 reaches the internet through the AFTR as $LAB_PUBLIC_IP" \
	expect_out "$LAB_PUBLIC_IP" -- in_home python3 -c '
import urllib.request, sys
print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())' "http://$LAB_INET_IP:$HTTP_PORT/"
lab_check "miniupnpd refuses IPv4 forwarding on the reserved 192.0.0.2" \
	grep -F "Reserved / private IP address 192.0.0.2 on ext interface $LAB_WAN4_IF" \
	"$LAB_DIR/miniupnpd.log"

# ---- open / close
lab_check "before open: IPv6 to the service is filtered" unreachable "$LAB_HOME_IP6" 8080
lab_check "open 8443:8080/tcp web exits 0, says why IPv4 is not possible, opens the IPv6 pinhole" \
	expect_out "IPv4: not possible here" "DS-Lite" "192.0.0.2" "IPv6 pinhole [$LAB_HOME_IP6]:8080/tcp" -- \
	he open 8443:8080/tcp web --no-check
lab_check "the internet host reaches the service over IPv6" reach "$LAB_HOME_IP6" 8080 home-8080
lab_check "control: the internet host reaches the AFTR's own $LAB_PUBLIC_IP:7001 (the IPv4 probe works)" \
	reach "$LAB_PUBLIC_IP" 7001 aftr-7001
lab_check "the internet host cannot reach the service over IPv4 ($LAB_PUBLIC_IP:8443)" \
	unreachable "$LAB_PUBLIC_IP" 8443
lab_check "nor on $LAB_PUBLIC_IP:8080" unreachable "$LAB_PUBLIC_IP" 8080
lab_check "check web exits 0: IPv6 proven from outside, IPv4 not possible here with the reason" \
	expect_out "reachable from outside: yes" "IPv4 not possible here: DS-Lite" "AFTR" \
	"the reflector connected to [$LAB_HOME_IP6]:8080/tcp" -- he check web
lab_check "check web --json: IPv4 not_possible_here, no broken link" \
	eval 'he check web --json | python3 -c "import json,sys; d=json.load(sys.stdin)
assert d[\"reachable\"] is True, d
v4 = [c for c in d[\"checks\"] if c[\"family\"] == \"ipv4\"]
assert v4 and all(\"DS-Lite\" in c[\"not_possible_here\"] and c[\"broken\"] is None for c in v4), v4
print(v4[0][\"not_possible_here\"])"'
lab_check "close web exits 0 and removes the pinhole (no IPv4 mapping to remove)" \
	expect_out "(IPv6 pinhole)" "closed exposure 'web'" -- he close web
lab_check "after close: IPv6 unreachable again" unreachable "$LAB_HOME_IP6" 8080
# a fresh open, not a renewal: miniupnpd 2.3.1 cannot delete a renewed PCP
# pinhole (test_open_dual.sh), and under load UPnP may miss the probe deadline
lab_check "open --json: ipv4.possible is false with the reason" \
	expect_out '"possible": false' "AFTR" "192.0.0.2" -- he open 8443:8080/tcp web --no-check --json
lab_check "close web again" expect_out "closed exposure 'web'" -- he close web

# ---- netcheck
lab_check "netcheck names DS-Lite, the B4 address and the AFTR, and what works" \
	expect_out "ds-lite" "B4" "192.0.0.2" "AFTR" "IPv6 pinholes: yes" "IPv4 forwarding: no" -- \
	eval 'he netcheck; true'

lab_check "netcheck --json: carrier_nat ds-lite, B4 192.0.0.2, AFTR 192.0.0.1, IPv6 yes, IPv4 no" \
	eval 'he netcheck --json | python3 -c "import json,sys; c=json.load(sys.stdin)[\"carrier_nat\"]
print(c)
assert c[\"kind\"] == \"ds-lite\" and c[\"dslite\"][\"b4\"] == \"192.0.0.2\", c
assert c[\"dslite\"][\"aftr_ipv4\"] == \"192.0.0.1\" and c[\"dslite\"][\"aftr_ipv6\"] is None, c
assert c[\"works\"] == {\"ipv6_pinholes\": True, \"ipv4_forwarding\": False}, c"'

# ---- ddns against Knot
lab_check "Knot DNS on the internet host, zone $ZONE" lab_knot_up "$ZONE"
conf
# knsupdate: the key on its standard input (never on a command line)
knsupdate_lab() {
	{
		printf 'server %s\nzone %s\n' "$LAB_INET_IP" "$ZONE"
		printf 'key hmac-sha256:ddns-key %s\n' "$(sed -n 's/^ *secret: *//p' "$LAB_KNOT_KEY")"
		printf '%s\nsend\n' "$1"
	} | in_inet knsupdate
}
lab_check "an A record from before: knsupdate puts $LAB_PUBLIC_IP in" \
	eval 'knsupdate_lab "update add $NAME 60 A $LAB_PUBLIC_IP" && records_are A "$LAB_PUBLIC_IP"'
T=$(date +%s)
lab_check "ddns update: AAAA published, the A withheld and the old A deleted" \
	expect_out "nas AAAA: $LAB_HOME_IP6 (good)" "nas A: not published" "DS-Lite" "deleted" -- \
	he_at "$T" ddns update
lab_check "kdig: AAAA $LAB_HOME_IP6" records_are AAAA "$LAB_HOME_IP6"
lab_check "kdig: no A record" records_are A ""
lab_check "ddns status says why there is no A" \
	expect_out "not published" "DS-Lite" "publish-behind-nat" "old A record was deleted" -- \
	he_at "$T" ddns status
lab_check "ddns status --json: withheld and removed_at" \
	eval 'field_is nas A removed_at "$T" && [ "$(status_field nas A withheld)" != None ]'
lab_check "a second update sends nothing and still succeeds" \
	expect_out "deleted earlier" -- he_at $((T + 60)) ddns update

lab_done
