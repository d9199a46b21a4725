#!/bin/bash
# homeexpose check and the reflector in the lab: the reflector runs on the
# internet host; check on the home host gives the right verdict and names the
# broken link for each case; the reflector probes only its caller and refuses
# requests past its rate limit.
. "$(dirname "$0")/lab.sh"

RPORT=7700
conf_for_lab() {
	mkdir -p "$LAB_DIR/etc"
	# the reflector's GET /v1/ip doubles as the HTTP public-address source
	printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n[reflector]\nurl = %s\n[publicip]\nstun-servers = none\nhttp-urls = %s\n' \
		"$LAB_DIR" "$LAB_DIR" \
		"http://$LAB_INET_IP:$RPORT http://[$LAB_INET_IP6]:$RPORT" \
		"http://$LAB_INET_IP:$RPORT/v1/ip" >"$LAB_DIR/etc/homeexpose.conf"
	: >"$LAB_DIR/etc/inet.conf"
}
he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
# says RC WORD... -- CMD...: CMD exits RC and its output holds every WORD
says() {
	local want_rc=$1 words=() w out rc=0
	shift
	while [ "$1" != -- ]; do
		words+=("$1")
		shift
	done
	shift
	out=$("$@" 2>&1) || rc=$?
	printf '%s\n(exit %s)\n' "$out" "$rc"
	[ "$rc" -eq "$want_rc" ] || return 1
	for w in "${words[@]}"; do
		grep -qF -- "$w" <<<"$out" || { echo "(missing: $w)"; return 1; }
	done
}
start_reflector() {
	lab_spawn "$LAB_INET" "$LAB_DIR/reflector.$1.log" "$HE_BIN" -c "$LAB_DIR/etc/inet.conf" \
		reflector --listen ":$1" --rate "$2" &&
		_lab_wait_listen "$LAB_INET" -t "$1"
}
post() { # post PORT BODY: HTTP status and body of a POST from the home host
	in_home curl -s -m 10 -w '\nHTTP %{http_code}\n' -X POST --data "$2" \
		"http://$LAB_INET_IP:$1/v1/probe"
}

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
conf_for_lab
lab_check "reflector starts on the internet host" start_reflector "$RPORT" 600
lab_check "home services start" eval 'lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080 &&
	lab_serve_udp "$LAB_HOME" :: 8081 reply-8081 &&
	lab_serve_tcp "$LAB_HOME" 127.0.0.1 8085 banner-local'

# (a) everything in place, IPv4 and IPv6
lab_check "open web runs the check at the end" \
	says 0 "opened exposure 'web'" "outside" -- he open 8443:8080/tcp web
lab_check "(a) check web: reachable, exit 0" \
	says 0 "reachable from outside: yes" "the reflector connected to $LAB_WAN_IP:8443/tcp" \
	"the reflector connected to [$LAB_HOME_IP6]:8080/tcp" "pass  listener" -- he check web
lab_check "(a) check --json: reachable true, no broken link" \
	eval 'he check web --json | python3 -c "import json,sys; d=json.load(sys.stdin);
assert d[\"reachable\"] is True, d; assert all(c.get(\"broken\") is None for c in d[\"checks\"]), d;
print(len(d[\"checks\"]), \"checks\")"'

# (b) nothing listening
lab_check "open nolisten (nothing on 8084)" he open 8444:8084/tcp nolisten --ipv4-only --no-check
lab_check "(b) check nolisten: exit 1, broken link listener" \
	says 1 "nothing listens on this port" "broken link: listener" "start the service" -- he check nolisten

# (c) bound to 127.0.0.1 only
lab_check "open loop (service on 127.0.0.1:8085)" he open 8445:8085/tcp loop --ipv4-only --no-check
lab_check "(c) check loop: exit 1, loopback named, broken link listener" \
	says 1 "listens on 127.0.0.1:8085/tcp" "bound to loopback only" "broken link: listener" -- he check loop

# (g) a UDP service reachable
lab_check "open dgram 9081:8081/udp" he open 9081:8081/udp dgram --ipv4-only --no-check
lab_check "(g) check dgram: the datagram is answered, exit 0" \
	says 0 "port 9081/udp was answered" "reachable from outside: yes" -- he check dgram

# the reflector itself: only ever the caller's own address, and a rate limit
lab_check "a request naming a target is refused (403)" \
	says 0 "HTTP 403" "caller's own source address" -- post "$RPORT" \
	'{"v":1,"ts":1,"nonce":"0123456789abcdef","target":"'"$LAB_INET_IP"'","probes":[{"proto":"tcp","port":22}]}'
lab_check "a reply is about the caller's source ($LAB_WAN_IP)" \
	says 0 "HTTP 200" "\"source\":\"$LAB_WAN_IP\"" -- post "$RPORT" \
	'{"v":1,"ts":1,"nonce":"0123456789abcdef","probes":[{"proto":"tcp","port":8443}]}'
lab_check "a loopback caller is refused (403): it would probe the reflector's own host" \
	says 0 "HTTP 403" "not a global address" -- \
	in_inet curl -s -m 5 -w '\nHTTP %{http_code}\n' "http://127.0.0.1:$RPORT/v1/ip"
lab_check "with --allow-private a loopback caller is served" eval '
	lab_spawn "$LAB_INET" "$LAB_DIR/reflector.7702.log" "$HE_BIN" -c "$LAB_DIR/etc/inet.conf" \
		reflector --listen ":7702" --allow-private && _lab_wait_listen "$LAB_INET" -t 7702 &&
	[ "$(in_inet curl -s -m 5 http://127.0.0.1:7702/v1/ip)" = 127.0.0.1 ]'
lab_check "a second reflector with --rate 1 starts" start_reflector 7701 1
lab_check "past the rate limit the reflector answers 429" eval '
	codes=""; for i in 1 2 3 4 5 6; do
		codes="$codes $(in_home curl -s -o /dev/null -m 5 -w "%{http_code}" http://$LAB_INET_IP:7701/v1/ip)"
	done; echo "$codes"; [ "$codes" = " 200 200 200 200 200 429" ]'

# (d) host default-drop firewall without homeexpose's rule
lab_check "(d) a default-drop table of its own, homeexpose's table removed" eval '
	in_home nft -f - <<EOT && in_home nft delete table inet homeexpose
table inet lockdown {
	chain input {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iif lo accept
	}
}
EOT'
lab_check "(d) check web: exit 1, broken link firewall, the drop table named" \
	says 1 "broken link: firewall" "lockdown" -- he check web
lab_check "(d) restore: drop table removed, firewall re-applied" \
	eval 'in_home nft delete table inet lockdown && he open 8443:8080/tcp web --no-check'

# (e) router mapping missing (the router restarted and lost its mappings)
lab_check "(e) the router restarts" lab_restart_router
lab_check "(e) check web --ipv4: exit 1, broken link router" \
	says 1 "broken link: router" -- he check 8443
lab_down

# (f) CGNAT
lab_check "lab_up cgnat" lab_up cgnat || { lab_done; exit 1; }
conf_for_lab
lab_check "cgnat: reflector and service start" eval 'start_reflector $RPORT 600 &&
	lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080'
# the router refuses every mapping behind CGNAT: record the exposure as it is
# wanted (router = yes) with the host firewall open
lab_check "cgnat: the exposure is recorded, the host firewall opened" eval '
	he open 8443:8080/tcp web --ipv4-only --no-router --no-check &&
	sed -i "s/^router = no/router = yes/" "$LAB_DIR/etc/exposures.d/web.conf" &&
	grep -q "^router = yes" "$LAB_DIR/etc/exposures.d/web.conf"'
lab_check "(f) check web: exit 1, CGNAT named, IPv4 not possible here (not a broken link)" \
	says 1 "$LAB_WAN_IP" "cgnat" "IPv4 not possible here" -- he check web
lab_down

lab_done
