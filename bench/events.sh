#!/bin/bash
# bench/events.sh (run by bench/run.sh; runs alone too, as root): per router
# kind, how long a WAN address change takes to reach the DNS server with the
# homeexpose agent (DNS-only configuration), and how many requests it sends
# to outside "what is my IP" services per day; beside inadyn and ddclient at
# their default periods (inadyn: period 120 s, ddclient: daemon 300 s), which
# poll a check-ip service whatever the router is.
#   BENCH_EVENTS_RUNS     WAN changes per router kind (default 5; 2 for "none")
#   BENCH_EVENTS_WINDOW   seconds of steady state counted (default 60)
#   BENCH_EVENTS_PEERS=0  skip inadyn and ddclient (their runs take minutes)
#   BENCH_EVENTS_KINDS    the router kinds (default: full natpmp upnp none)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/lab/lab.sh"
. "$here/../tests/lab/ddns_common.sh"
. "$here/../tests/lab/agent_lib.sh"
. "$here/../tests/lab/events_common.sh"
RUNS=${BENCH_EVENTS_RUNS:-5}
WINDOW=${BENCH_EVENTS_WINDOW:-60}
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
tmp=$(mktemp -d /tmp/he-bench-ev.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# wait_log MS FILE PATTERN: ms until PATTERN is in FILE; non-zero after MS
wait_log() {
	local max=$1 t0 now
	t0=$(now_ms)
	while :; do
		now=$(now_ms)
		grep -q -- "$3" "$2" 2>/dev/null && { echo $((now - t0)); return 0; }
		[ $((now - t0)) -gt "$max" ] && return 1
		sleep 0.01
	done
}
# median FILE: "median min max n" of the numbers in FILE
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		if (!NR) { print "-"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median %.0f ms (min %d, max %d, n=%d)", m, v[1], v[NR], NR }'
}

echo "== WAN change -> DNS, per router kind (agent with DNS records only)"
printf '  %-10s %-14s %-44s %s\n' "router" "agent hears by" "WAN change -> dyndns2 server has it" \
	"outside requests/day"
for kind in ${BENCH_EVENTS_KINDS:-full natpmp upnp none}; do
	lab_up "$kind" >/dev/null || exit 1
	ev_inet_services >/dev/null 2>&1 || exit 1
	ev_conf
	agent_start >/dev/null || exit 1
	wait_log 130000 "$LAB_DIR/srv/requests.log" "\"myip\": \"$LAB_WAN_IP\"" >/dev/null
	mode=$(he list --json 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin)["agent"]["address_events"]["mode"])' 2>/dev/null)
	o0=$(ev_outside)
	sleep "$WINDOW"
	o1=$(ev_outside)
	n=$RUNS
	[ "$kind" = none ] && n=$((RUNS < 2 ? RUNS : 2))
	: >"$tmp/$kind"
	for k in $(seq "$n"); do
		t0=$(now_ms)
		lab_set_wan_ip "11.77.0.$((10 + k))" >/dev/null 2>&1
		wait_log 130000 "$LAB_DIR/srv/requests.log" "\"myip\": \"11.77.0.$((10 + k))\"" \
			>/dev/null && echo $(($(now_ms) - t0)) >>"$tmp/$kind"
		sleep 1
	done
	# per day: what the window saw, plus the periodic outside check (every
	# outside-check-interval, 3600 s in this configuration) it may have missed
	perday="$(((o1 - o0) * 86400 / WINDOW)) from the window"
	if [ "$mode" = polling ]; then
		perday="720 by poll-interval 120 (one STUN exchange each); $perday"
	else
		perday="$perday, +24 periodic outside checks"
	fi
	printf '  %-10s %-14s %-44s %s\n' "$kind" "${mode:-?}" "$(median "$tmp/$kind")" "$perday"
	ev_agent_stop
	lab_down
done

[ "${BENCH_EVENTS_PEERS:-1}" = 0 ] && exit 0
echo "== the same WAN change with inadyn and ddclient at their default periods (any router)"
lab_up full >/dev/null || exit 1
lab_spawn "$LAB_INET" "$LAB_DIR/stub.out" python3 "$here/dyndns_stub.py" "$LAB_INET_IP" 8245 \
	"$LAB_DIR/stub.log" "$LAB_DIR/stub.ready"
_lab_wait_file "$LAB_DIR/stub.ready"
# peer NAME LOGTAG PERIOD: after the first update, one WAN change; prints latency and checks/day
peer() {
	local name=$1 tag=$2 period=$3 new=$4 ms c0 c1 t0
	if ! wait_log 20000 "$LAB_DIR/stub.log" " update $tag $LAB_WAN_IP" >/dev/null; then
		printf '  %-24s no update reached the stub\n' "$name"
		return
	fi
	c0=$(grep -c " GET /ip" "$LAB_DIR/stub.log")
	t0=$(now_ms)
	lab_set_wan_ip "$new" >/dev/null 2>&1
	if ms=$(wait_log $(((period + 15) * 1000)) "$LAB_DIR/stub.log" " update $tag $new"); then
		ms="$ms ms (one run; polls every $period s)"
	else
		ms="not within $((period + 15)) s"
	fi
	c1=$(grep -c " GET /ip" "$LAB_DIR/stub.log")
	printf '  %-24s %-44s %s\n' "$name" "$ms" \
		"$((86400 / period)) by its period ($((c1 - c0)) seen in $((($(now_ms) - t0) / 1000)) s)"
}
if command -v inadyn >/dev/null; then
	# no period line: inadyn's default (120 s). hostname localhost: resolved from /etc/hosts
	cat >"$LAB_DIR/inadyn.conf" <<EOC
custom lab {
	ssl = false
	username = user
	password = secret
	checkip-server = $LAB_INET_IP:8245
	checkip-path = /ip
	checkip-ssl = false
	ddns-server = $LAB_INET_IP:8245
	ddns-path = "/nic/update?hostname=%h&myip=%i"
	hostname = localhost
}
EOC
	chmod 600 "$LAB_DIR/inadyn.conf"
	lab_spawn "$LAB_HOME" "$LAB_DIR/inadyn.log" inadyn -n -f "$LAB_DIR/inadyn.conf" \
		--cache-dir "$LAB_DIR/inadyn-cache" -P "$LAB_DIR/inadyn.pid" -l info
	ina=$LAB_LAST_PID
	peer "inadyn (period 120)" localhost 120 11.77.0.31
	kill -TERM "$ina" 2>/dev/null
	wait "$ina" 2>/dev/null
else
	echo "  inadyn: not installed (tools/deps.sh bench)"
fi
if command -v ddclient >/dev/null; then
	cat >"$LAB_DIR/ddclient.conf" <<EOC
daemon=300
ssl=no
use=web, web=http://$LAB_INET_IP:8245/ip
protocol=dyndns2
server=$LAB_INET_IP:8245
login=user
password=secret
ddclient.lab
EOC
	chmod 600 "$LAB_DIR/ddclient.conf"
	lab_spawn "$LAB_HOME" "$LAB_DIR/ddclient.log" ddclient -foreground -file "$LAB_DIR/ddclient.conf" \
		-cache "$LAB_DIR/ddclient.cache" -pid "$LAB_DIR/ddclient.pid"
	ddc=$LAB_LAST_PID
	peer "ddclient (daemon 300)" ddclient.lab 300 11.77.0.41
	kill -TERM "$ddc" 2>/dev/null
	wait "$ddc" 2>/dev/null
else
	echo "  ddclient: not installed (tools/deps.sh bench)"
fi
lab_down
