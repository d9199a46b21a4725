#!/bin/bash
# Public address detection and netcheck in the lab: a real STUN server (Debian's
# coturn) and a tiny "what is my IP" HTTP service (whatismyip.py) on the internet
# host, the router through PCP/NAT-PMP/UPnP. full: router WAN == STUN == HTTP,
# no NAT, exit 0; cgnat: the router says 100.64.77.2, the outside 11.77.0.2:
# CGNAT, exit 1, and `ddns status` after an update says CGNAT too; a lying
# HTTP service; IPv6 seen by STUN over IPv6.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/ddns_common.sh"

HTTP_PORT=8000
start_inet_services() {
	local turn=(turnserver --no-auth --listening-ip "$LAB_INET_IP" --listening-ip "$LAB_INET_IP6"
		-n --no-cli --no-tls --no-dtls --log-file stdout --pidfile "$LAB_DIR/turn.pid"
		--userdb "$LAB_DIR/turndb" --realm lab)
	lab_spawn "$LAB_INET" "$LAB_DIR/turn.log" "${turn[@]}"
	lab_spawn "$LAB_INET" "$LAB_DIR/http.log" python3 "$LAB_SRC/whatismyip.py" "$HTTP_PORT" \
		"$LAB_DIR/http.ready"
	_lab_wait_listen "$LAB_INET" -u 3478 && _lab_wait_file "$LAB_DIR/http.ready" &&
		_lab_wait_listen "$LAB_INET" -t "$HTTP_PORT"
}
# conf STUN_SERVERS HTTP_URLS [REQUIRED]
conf() {
	mkdir -p "$LAB_DIR/etc"
	cat >"$LAB_DIR/etc/homeexpose.conf" <<EOC
[general]
state-dir = $LAB_DIR/state
runtime-dir = $LAB_DIR/run
[publicip]
stun-servers = $1
http-urls = $2
sources-required = ${3:-2}
EOC
}
he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
# jq-less JSON reading: python3 prints one value of the netcheck document
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$@"; }
# nc_json FILE ARGS...: netcheck --json into FILE; prints the exit status
nc_json() {
	local f=$1
	shift
	he netcheck --json "$@" >"$f" 2>"$f.err"
	echo $?
}
# want FILE EXPR VALUE: the JSON value EXPR of FILE is VALUE
want() {
	local got
	got=$(jget "$1" "$2") || { cat "$1" "$1.err"; return 1; }
	echo "$2 = $got"
	[ "$got" = "$3" ] || { echo "(expected $3)"; cat "$1"; return 1; }
}
HOME_URL4="http://$LAB_INET_IP:$HTTP_PORT/"
HOME_URL6="http://[$LAB_INET_IP6]:$HTTP_PORT/"
STUN_BOTH="$LAB_INET_IP:3478 [$LAB_INET_IP6]:3478"

# --- full variant
lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "coturn and the HTTP service start on the internet host" start_inet_services
conf "$STUN_BOTH" "$HOME_URL4 $HOME_URL6"
J=$LAB_DIR/full.json
lab_check "full: netcheck --json exits 0" eval '[ "$(nc_json "$J")" = 0 ]'
lab_check "full: the router (pcp) reports WAN $LAB_WAN_IP" \
	want "$J" '[s["address"] for s in d["sources"] if s["kind"]=="router"][0]' "$LAB_WAN_IP"
lab_check "full: STUN (coturn) reports $LAB_WAN_IP" \
	want "$J" '[s["address"] for s in d["sources"] if s["kind"]=="stun" and s["family"]=="ipv4"][0]' "$LAB_WAN_IP"
lab_check "full: HTTP reports $LAB_WAN_IP" \
	want "$J" '[s["address"] for s in d["sources"] if s["kind"]=="http" and s["family"]=="ipv4"][0]' "$LAB_WAN_IP"
lab_check "full: trusted IPv4 $LAB_WAN_IP by 3 sources" \
	want "$J" 'd["public"]["ipv4"], d["public"]["ipv4_agree"]' "('$LAB_WAN_IP', 3)"
lab_check "full: nat none" want "$J" 'd["nat"]' none
lab_check "full: netcheck --json is valid against the schema" lab_json_valid netcheck "$J"
lab_check "full: every router protocol answered with $LAB_WAN_IP" \
	want "$J" 'sorted((p["protocol"], p["answered"], p["external_address"]) for p in d["router_state"]["protocols"])' \
	"[('natpmp', True, '$LAB_WAN_IP'), ('pcp', True, '$LAB_WAN_IP'), ('upnp', True, '$LAB_WAN_IP')]"
lab_check "IPv6: STUN over IPv6 to [$LAB_INET_IP6] sees the home host's $LAB_HOME_IP6 (no NAT66)" \
	want "$J" '[s["address"] for s in d["sources"] if s["kind"]=="stun" and s["family"]=="ipv6"][0]' "$LAB_HOME_IP6"
lab_check "IPv6: trusted $LAB_HOME_IP6 (interface, STUN, HTTP)" \
	want "$J" 'd["public"]["ipv6"], d["public"]["ipv6_agree"]' "('$LAB_HOME_IP6', 3)"
lab_check "the HTTP service saw a truthful User-Agent" grep -q "homeexpose/" "$LAB_DIR/http.log"
lab_check "full: the text output names the sources and the verdict" \
	expect_out "pcp     answered" "stun $LAB_INET_IP:3478" "public IPv4: $LAB_WAN_IP (3 sources agree)" "NAT:         none" -- he netcheck
v6_only() {
	local f=$LAB_DIR/v6.json
	[ "$(nc_json "$f" --ipv6-only --no-router)" = 0 ] &&
		want "$f" 'sorted(set(s["family"] for s in d["sources"])), d["router_state"]' "(['ipv6'], None)"
}
lab_check "--ipv6-only --no-router: IPv6 sources only, exit 0" v6_only

# a lying HTTP service (always 11.77.0.99), sources-required = 2
conf "none" "$HOME_URL4 http://$LAB_INET_IP:$HTTP_PORT/lie"
JL=$LAB_DIR/liar-tie.json
lab_check "liar, no router, no STUN: one honest vs one liar is a tie: exit 1" \
	eval '[ "$(nc_json "$JL" --no-router --ipv4-only)" = 1 ]'
lab_check "liar tie: IPv4 not trusted, the verdict names the disagreement" \
	eval 'want "$JL" "d[\"public\"][\"ipv4\"]" None && grep -q "disagree" "$JL" && grep -q "11.77.0.99" "$JL"'
conf "$LAB_INET_IP:3478" "$HOME_URL4 http://$LAB_INET_IP:$HTTP_PORT/lie"
JM=$LAB_DIR/liar-major.json
outvoted() {
	nc_json "$JM" --ipv4-only >/dev/null
	want "$JM" 'd["public"]["ipv4"], d["public"]["ipv4_agree"]' "('$LAB_WAN_IP', 3)" &&
		grep -q "11.77.0.99 instead of $LAB_WAN_IP" "$JM"
}
lab_check "liar outvoted by router + STUN + honest HTTP: $LAB_WAN_IP trusted (3 votes)" outvoted
conf "none" "$HOME_URL4 http://$LAB_INET_IP:$HTTP_PORT/big http://$LAB_INET_IP:$HTTP_PORT/html"
JB=$LAB_DIR/junk.json
lab_check "a 100-byte body and an HTML page are refused as answers" \
	eval 'nc_json "$JB" --ipv4-only --no-router >/dev/null; grep -q "longer than 64 bytes" "$JB" && grep -q "is not an IPv4 address" "$JB"'
conf "$LAB_INET_IP:3999" "none"
lab_check "a STUN port with nothing behind it fails fast (ICMP), exit 1" \
	eval 'he netcheck --no-router --ipv4-only --timeout 3000 >"$LAB_DIR/refused.out" 2>&1; rc=$?; cat "$LAB_DIR/refused.out"; [ $rc = 1 ] && grep -q "refused" "$LAB_DIR/refused.out"'
lab_down

# --- cgnat variant
lab_check "lab_up cgnat" lab_up cgnat || { lab_done; exit 1; }
lab_check "cgnat: coturn and the HTTP service start" start_inet_services
conf "$STUN_BOTH" "$HOME_URL4 $HOME_URL6"
JC=$LAB_DIR/cgnat.json
lab_check "cgnat: netcheck exits 1" eval '[ "$(nc_json "$JC")" = 1 ]'
lab_check "cgnat: the router says $LAB_WAN_IP" want "$JC" 'd["router_wan"]' "$LAB_WAN_IP"
lab_check "cgnat: STUN and HTTP say $LAB_PUBLIC_IP, trusted" \
	want "$JC" 'd["public"]["ipv4"], d["public"]["ipv4_agree"]' "('$LAB_PUBLIC_IP', 2)"
lab_check "cgnat: nat cgnat" want "$JC" 'd["nat"]' cgnat
lab_check "cgnat: the text names CGNAT, both addresses and IPv6 as a fix" \
	eval 'he netcheck >"$LAB_DIR/cg.out" 2>&1; cat "$LAB_DIR/cg.out"; grep -q "CGNAT: the router.s external address $LAB_WAN_IP" "$LAB_DIR/cg.out" && grep -q "internet sees $LAB_PUBLIC_IP" "$LAB_DIR/cg.out" && grep -q "use IPv6 (this host has $LAB_HOME_IP6)" "$LAB_DIR/cg.out"'
# ddns status keeps the verdict of the last update (issue 5: "say so in
# netcheck and in ddns status")
lab_check "cgnat: dyndns2 server on the internet host" \
	eval 'ddns_pki && ddns_serve dyndns2 --user alice --password s3cret'
secret "$LAB_DIR/pw" s3cret
cat >>"$LAB_DIR/etc/homeexpose.conf" <<EOC
[ddns home]
provider = dyndns2
server = $LAB_INET_IP:8443
hostname = home.example.org
username = alice
password-file = $LAB_DIR/pw
ca-file = $LAB_DIR/pki/ca.pem
families = A
# behind CGNAT the A is withheld unless asked for (test_ddns_cgnat.sh)
publish-behind-nat = yes
EOC
lab_check "cgnat: ddns update publishes the outside's $LAB_PUBLIC_IP" \
	expect_out "home A: $LAB_PUBLIC_IP (good)" -- he ddns update
lab_check "cgnat: ddns status names CGNAT and the router's $LAB_WAN_IP" \
	expect_out "CGNAT" "router WAN $LAB_WAN_IP" "IPv4 $LAB_PUBLIC_IP" -- he ddns status
he ddns status --json >"$LAB_DIR/ds.json" 2>"$LAB_DIR/ds.json.err"
lab_check "cgnat: ddns status --json: public.nat cgnat, router_wan $LAB_WAN_IP" \
	want "$LAB_DIR/ds.json" 'd["public"]["nat"], d["public"]["router_wan"]' "('cgnat', '$LAB_WAN_IP')"
lab_down

lab_done
