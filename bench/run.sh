#!/bin/bash
# make bench: figures measured in the lab, homeexpose beside its peers.
# Prints median and spread (min-max) over N runs (BENCH_RUNS, default 20).
# Timings are wall-clock inside the lab's namespaces; they are figures to
# compare, not pass/fail thresholds.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lab.sh
. "$here/../tests/lab/lab.sh"
N=${BENCH_RUNS:-20}
CAP=${BENCH_FAIL_CAP:-15}

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root for the lab's network namespaces (sudo make bench)" >&2
	exit 1
fi

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# stats NAME FILE: median and spread of the numbers in FILE (ms)
stats() {
	sort -n "$2" | awk -v name="$1" '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { printf "  %-52s no successful runs\n", name; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "  %-52s median %7.1f ms   min %7.1f   max %7.1f   (n=%d)\n", name, m, v[1], v[NR], NR
		}'
}

# time_runs NAME FILE NS CMD...: run CMD N times inside NS, record ms of each successful run
time_runs() {
	local name=$1 file=$2 ns=$3
	shift 3
	: >"$file"
	for _ in $(seq "$N"); do
		local t0 t1
		t0=$(now_ms)
		if ip netns exec "$ns" "$@" >/dev/null 2>&1; then
			t1=$(now_ms)
			echo $((t1 - t0)) >>"$file"
		fi
	done
	stats "$name" "$file"
}

# time_fail NAME NS CMD...: how long CMD takes to give up (capped at CAP seconds)
time_fail() {
	local name=$1 ns=$2
	shift 2
	local t0 t1 rc
	t0=$(now_ms)
	ip netns exec "$ns" timeout "$CAP" "$@" >/dev/null 2>&1
	rc=$?
	t1=$(now_ms)
	if [ "$rc" -eq 124 ]; then
		printf '  %-52s still trying after %d s (cap; gave up)\n' "$name" "$CAP"
	else
		printf '  %-52s %7.1f ms (exit %d)\n' "$name" "$((t1 - t0))" "$rc"
	fi
}

tmp=$(mktemp -d /tmp/he-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

echo "== port mapping, lab variant 'full' (miniupnpd-nftables: UPnP, NAT-PMP, PCP)"
lab_up full || exit 1
gw=$LAB_RTR_LAN_IP
# peers: map and unmap each run so every run does the same work
time_runs "upnpc -a then -d (two discoveries)" "$tmp/upnpc" "$LAB_HOME" \
	sh -c "upnpc -m $LAB_HOME_IF -a $LAB_HOME_IP 8080 8443 TCP 3600 && upnpc -m $LAB_HOME_IF -d 8443 TCP"
time_runs "natpmpc -a then delete" "$tmp/natpmpc" "$LAB_HOME" \
	sh -c "natpmpc -g $gw -a 8080 8443 tcp 3600 && natpmpc -g $gw -a 8080 8443 tcp 0"
mkdir -p "$LAB_DIR/etc"
printf '[general]\nstate-dir = %s/state\n[firewall]\nbackend = none\n' "$LAB_DIR" >"$LAB_DIR/etc/homeexpose.conf"
for p in pcp natpmp upnp; do
	# the first run discovers and caches; the figure is for the runs after it
	ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q open 8443:8080/tcp \
		"b-$p" --protocol "$p" --ipv4-only >/dev/null 2>&1
	ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q close "b-$p" >/dev/null 2>&1
	time_runs "homeexpose open --protocol $p (renewal, cached)" "$tmp/he-$p" "$LAB_HOME" \
		"$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q open 8443:8080/tcp "b-$p" --protocol "$p" --ipv4-only
	ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q close "b-$p" >/dev/null 2>&1
done
lab_down

echo "== no mapping service on the router (lab variant 'none'): time to give up"
lab_up none || exit 1
time_fail "upnpc -a" "$LAB_HOME" upnpc -m "$LAB_HOME_IF" -a "$LAB_HOME_IP" 8080 8443 TCP 3600
time_fail "natpmpc -a" "$LAB_HOME" natpmpc -g "$LAB_RTR_LAN_IP" -a 8080 8443 tcp 3600
mkdir -p "$LAB_DIR/etc"
printf '[general]\nstate-dir = %s/state\n[firewall]\nbackend = none\n' "$LAB_DIR" >"$LAB_DIR/etc/homeexpose.conf"
time_fail "homeexpose open" "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q open 8443:8080/tcp web --ipv4-only
lab_down

echo "== agent: resident memory after an update cycle (lab variant 'full')"
# rss_kb PID: VmRSS in KiB
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
lab_up full || exit 1
mkdir -p "$LAB_DIR/etc"
printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR" >"$LAB_DIR/etc/homeexpose.conf"
ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q open 8443:8080/tcp web \
	--protocol pcp --ipv4-only >/dev/null 2>&1
lab_spawn "$LAB_HOME" "$LAB_DIR/agent.log" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" agent
agent=$LAB_LAST_PID
sleep 3
lab_restart_router >/dev/null 2>&1 # announcement -> epoch check -> every mapping again
for _ in $(seq 1 60); do
	grep -q "lost its mappings\|restarted or changed address" "$LAB_DIR/agent.log" && break
	sleep 0.05
done
sleep 0.3
kill -HUP "$agent" # and a reload pass (config, exposures, firewall, router)
sleep 0.5
printf '  %-52s %s KiB VmRSS\n' "homeexpose agent (after re-map + reload)" "$(rss_kb "$agent")"
kill -TERM "$agent"
wait "$agent" 2>/dev/null
# inadyn in the same lab: a dyndns2 update to a stub on the internet host
if command -v inadyn >/dev/null; then
	lab_spawn "$LAB_INET" "$LAB_DIR/stub.out" python3 "$here/dyndns_stub.py" "$LAB_INET_IP" 8245 \
		"$LAB_DIR/stub.log" "$LAB_DIR/stub.ready"
	for _ in $(seq 1 100); do [ -e "$LAB_DIR/stub.ready" ] && break; sleep 0.03; done
	cat >"$LAB_DIR/inadyn.conf" <<EOC
period = 60
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
	# hostname: inadyn first resolves the name to compare; localhost is in
	# /etc/hosts, so no DNS query is sent anywhere
	chmod 600 "$LAB_DIR/inadyn.conf"
	lab_spawn "$LAB_HOME" "$LAB_DIR/inadyn.log" inadyn -n -f "$LAB_DIR/inadyn.conf" \
		--cache-dir "$LAB_DIR/inadyn-cache" -P "$LAB_DIR/inadyn.pid" -l info
	ina=$LAB_LAST_PID
	for _ in $(seq 1 100); do grep -q " update " "$LAB_DIR/stub.log" 2>/dev/null && break; sleep 0.05; done
	sleep 0.3
	if grep -q " update " "$LAB_DIR/stub.log" 2>/dev/null; then
		printf '  %-52s %s KiB VmRSS\n' "inadyn $(inadyn -v 2>&1 | head -1) (after one update)" "$(rss_kb "$ina")"
	else
		printf '  %-52s no update reached the stub (see %s)\n' "inadyn" "$LAB_DIR/inadyn.log"
	fi
	kill -TERM "$ina" 2>/dev/null
	wait "$ina" 2>/dev/null
fi
echo "  (WAN change -> DNS update latency: needs the DDNS engine, not in this build)"
lab_down

echo "== homeexpose command-line costs (no network)"
conf=$tmp/homeexpose.conf
: >"$conf"
: >"$tmp/svc"
for _ in $(seq "$N"); do
	t0=$(now_ms)
	"$HE_BIN" -c "$conf" services >/dev/null 2>&1
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/svc"
done
stats "homeexpose services (catalog load)" "$tmp/svc"
: >"$tmp/cc"
for _ in $(seq "$N"); do
	t0=$(now_ms)
	"$HE_BIN" -c "$conf" config check >/dev/null 2>&1
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$tmp/cc"
done
stats "homeexpose config check" "$tmp/cc"
if [ -x /usr/bin/time ]; then
	kb=$( (/usr/bin/time -f '%M' "$HE_BIN" -c "$conf" services >/dev/null) 2>&1 | tail -1)
	printf '  %-52s %s KiB max resident\n' "homeexpose services" "$kb"
fi
