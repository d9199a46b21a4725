# shellcheck shell=bash
# tests/lab/events_common.sh: shared by test_agent_events*.sh (sourced after
# lab.sh, ddns_common.sh and agent_lib.sh). The dyndns2 server, coturn (STUN)
# and the "what is my IP" HTTP service on the internet host, with nftables
# counters there that count every request the home side sends to the last two.

EV_HTTP_PORT=8000
# the steady-state window in seconds (the issue asks for 60; make check uses 10)
: "${HE_EVENTS_STEADY:=10}"

ev_inet_services() {
	local turn=(turnserver --no-auth --listening-ip "$LAB_INET_IP" -n --no-cli --no-tls
		--no-dtls --log-file stdout --pidfile "$LAB_DIR/turn.pid" --userdb "$LAB_DIR/turndb"
		--realm lab)
	ddns_pki && ddns_serve dyndns2 --user alice --password s3cret || return 1
	lab_spawn "$LAB_INET" "$LAB_DIR/turn.log" "${turn[@]}"
	lab_spawn "$LAB_INET" "$LAB_DIR/http.log" python3 "$LAB_SRC/whatismyip.py" "$EV_HTTP_PORT" \
		"$LAB_DIR/http.ready"
	in_inet nft -f - <<EOT || return 1
table inet hecount {
	counter stun {}
	counter http {}
	chain input {
		type filter hook input priority -10; policy accept;
		udp dport 3478 counter name "stun"
		tcp dport $EV_HTTP_PORT tcp flags syn counter name "http"
	}
}
EOT
	_lab_wait_listen "$LAB_INET" -u 3478 && _lab_wait_file "$LAB_DIR/http.ready" &&
		_lab_wait_listen "$LAB_INET" -t "$EV_HTTP_PORT"
}

# ev_outside: packets to STUN + connections to the HTTP service so far
ev_outside() {
	local s h
	s=$(in_inet nft list counter inet hecount stun | sed -n 's/.*packets \([0-9]*\).*/\1/p')
	h=$(in_inet nft list counter inet hecount http | sed -n 's/.*packets \([0-9]*\).*/\1/p')
	echo $((${s:-0} + ${h:-0}))
}

# ev_conf EXTRA: the agent's configuration: one dyndns2 record (A), STUN and
# HTTP sources on the internet host, one source enough
ev_conf() {
	secret "$LAB_DIR/pw" s3cret
	agent_conf "[publicip]
stun-servers = $LAB_INET_IP:3478
http-urls = http://$LAB_INET_IP:$EV_HTTP_PORT/
sources-required = 1
[agent]
outside-check-interval = 3600
${1:-}
[ddns home]
provider = dyndns2
server = $LAB_INET_IP:8443
hostname = home.example.org
username = alice
password-file = $LAB_DIR/pw
ca-file = $LAB_DIR/pki/ca.pem
families = A
"
}

# until_myip MS ADDR: wait until the dyndns2 server got myip=ADDR; prints the time
until_myip() {
	local max=$1 want=$2 t0 now
	t0=${EPOCHREALTIME/./}
	while :; do
		now=${EPOCHREALTIME/./}
		if grep -q "\"myip\": \"$want\"" "$LAB_DIR/srv/requests.log" 2>/dev/null; then
			echo "(the server had myip=$want after $(((now - t0) / 1000)) ms)"
			# HE_EVENTS_REPORT=FILE: the figures, for a person measuring
			[ -n "${HE_EVENTS_REPORT:-}" ] &&
				echo "$LAB_VARIANT myip=$want $(((now - t0) / 1000)) ms" >>"$HE_EVENTS_REPORT"
			return 0
		fi
		if [ $(((now - t0) / 1000)) -gt "$max" ]; then
			echo "(no update to $want within $max ms)"
			tail -5 "$LAB_DIR/agent.log"
			return 1
		fi
		sleep 0.01
	done
}

# ev_steady: no request to the outside services for HE_EVENTS_STEADY seconds
ev_steady() {
	local before after
	before=$(ev_outside)
	sleep "$HE_EVENTS_STEADY"
	after=$(ev_outside)
	echo "(outside requests in ${HE_EVENTS_STEADY} s of steady state: $((after - before)))"
	[ -n "${HE_EVENTS_REPORT:-}" ] && echo "$LAB_VARIANT steady ${HE_EVENTS_STEADY} s:" \
		"$((after - before)) outside requests" >>"$HE_EVENTS_REPORT"
	[ "$after" = "$before" ]
}

# ev_mode MODE: the agent's `list --json` says it learns of changes by MODE
ev_mode() {
	local got
	got=$(he list --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
e = d["agent"]["address_events"]
print(e["mode"], "-", e["why"])')
	echo "(address changes: $got)"
	[ "${got%% *}" = "$1" ]
}

# ev_agent_stop: SIGTERM, wait for the exit
ev_agent_stop() {
	kill "$AGENT_PID" 2>/dev/null
	local _
	for _ in $(seq 100); do
		kill -0 "$AGENT_PID" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

# ev_until_reachable MS PORT WANT: until_reachable, its figure kept in HE_EVENTS_REPORT
ev_until_reachable() {
	local out rc=0
	out=$(until_reachable "$@") || rc=$?
	echo "$out"
	[ -n "${HE_EVENTS_REPORT:-}" ] && echo "$LAB_VARIANT restart: $out" >>"$HE_EVENTS_REPORT"
	return $rc
}
