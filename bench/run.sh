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

# agent_conf STUN HTTP [LINE...]: $LAB_DIR/etc/homeexpose.conf for the agent,
# with these public-address sources and the extra lines after them
agent_conf() {
	local f=$LAB_DIR/etc/homeexpose.conf
	mkdir -p "$LAB_DIR/etc"
	printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n[publicip]\n' \
		"$LAB_DIR" "$LAB_DIR" >"$f"
	printf 'stun-servers = %s\nhttp-urls = %s\n' "$1" "$2" >>"$f"
	shift 2
	printf '%s\n' "$@" >>"$f"
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
# the whole process with the default firewall backend (auto: nftables here),
# beside the peers above: a new exposure each run, then renewals
printf '[general]\nstate-dir = %s/state\n' "$LAB_DIR" >"$LAB_DIR/etc/auto.conf"
: >"$tmp/he-new"
: >"$tmp/he-new-cpu"
for i in $(seq "$N"); do
	t0=$(now_ms)
	if ip netns exec "$LAB_HOME" /usr/bin/time -f '%U %S' -o "$tmp/cpu1" "$HE_BIN" \
		-c "$LAB_DIR/etc/auto.conf" -q open 8443:8080/tcp "n$i" --ipv4-only >/dev/null 2>&1; then
		t1=$(now_ms)
		echo $((t1 - t0)) >>"$tmp/he-new"
		awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$tmp/cpu1" >>"$tmp/he-new-cpu"
	fi
	ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/auto.conf" -q close "n$i" >/dev/null 2>&1
done
stats "homeexpose open (new exposure, default backend), wall" "$tmp/he-new"
stats "homeexpose open (new exposure, default backend), CPU" "$tmp/he-new-cpu"
ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/auto.conf" -q open 8443:8080/tcp renew --ipv4-only >/dev/null 2>&1
: >"$tmp/he-ren-cpu"
for _ in $(seq "$N"); do
	ip netns exec "$LAB_HOME" /usr/bin/time -f '%U %S' -o "$tmp/cpu1" "$HE_BIN" \
		-c "$LAB_DIR/etc/auto.conf" -q open renew >/dev/null 2>&1 &&
		awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$tmp/cpu1" >>"$tmp/he-ren-cpu"
done
time_runs "homeexpose open NAME (renewal, default backend), wall" "$tmp/he-ren" "$LAB_HOME" \
	"$HE_BIN" -c "$LAB_DIR/etc/auto.conf" -q open renew
stats "homeexpose open NAME (renewal, default backend), CPU" "$tmp/he-ren-cpu"
time_runs "homeexpose open NAME --no-firewall (renewal), wall" "$tmp/he-ren-nf" "$LAB_HOME" \
	"$HE_BIN" -c "$LAB_DIR/etc/auto.conf" -q open renew --no-firewall
ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/auto.conf" -q close renew >/dev/null 2>&1
lab_down

echo "== no mapping service on the router (lab variant 'none'): time to give up"
lab_up none || exit 1
time_fail "upnpc -a" "$LAB_HOME" upnpc -m "$LAB_HOME_IF" -a "$LAB_HOME_IP" 8080 8443 TCP 3600
time_fail "natpmpc -a" "$LAB_HOME" natpmpc -g "$LAB_RTR_LAN_IP" -a 8080 8443 tcp 3600
mkdir -p "$LAB_DIR/etc"
printf '[general]\nstate-dir = %s/state\n[firewall]\nbackend = none\n' "$LAB_DIR" >"$LAB_DIR/etc/homeexpose.conf"
time_fail "homeexpose open" "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q open 8443:8080/tcp web --ipv4-only
lab_down

echo "== agent: WAN change -> DNS update, and resident memory (lab variant 'full')"
# shellcheck source=tests/lab/ddns_common.sh
. "$here/../tests/lab/ddns_common.sh"
# rss_kb PID: VmRSS in KiB
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
# wait_grep MS FILE PATTERN: ms until PATTERN is in FILE, or nothing after MS
wait_grep() {
	local max=$1 t0 now
	t0=$(now_ms)
	while :; do
		now=$(now_ms)
		grep -q -- "$3" "$2" 2>/dev/null && { echo $((now - t0)); return 0; }
		[ $((now - t0)) -gt "$max" ] && return 1
		sleep 0.01
	done
}
lab_up full || exit 1
ddns_pki && ddns_serve dyndns2 --user alice --password s3cret || exit 1
secret "$LAB_DIR/pw" s3cret
agent_conf none none "[ddns home]" "provider = dyndns2" "server = $LAB_INET_IP:8443" \
	"hostname = home.example.org" "username = alice" "password-file = $LAB_DIR/pw" \
	"ca-file = $LAB_DIR/pki/ca.pem" "families = A"
ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q open 8443:8080/tcp web \
	--protocol pcp --ipv4-only >/dev/null 2>&1
lab_spawn "$LAB_HOME" "$LAB_DIR/agent.log" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" agent
agent=$LAB_LAST_PID
wait_grep 5000 "$LAB_DIR/srv/requests.log" "\"myip\": \"$LAB_WAN_IP\"" >/dev/null
sleep 3 # a router that has run a while
: >"$tmp/agent-wan"
for k in 11 12 13 14 15; do
	t0=$(now_ms) # before the change: the figure includes lab_set_wan_ip's own commands
	lab_set_wan_ip "11.77.0.$k" >/dev/null 2>&1
	wait_grep 5000 "$LAB_DIR/srv/requests.log" "\"myip\": \"11.77.0.$k\"" >/dev/null &&
		echo $(($(now_ms) - t0)) >>"$tmp/agent-wan"
	sleep 3
done
stats "homeexpose agent: WAN change -> dyndns2 server has it" "$tmp/agent-wan"
printf '  %-52s %s KiB VmRSS\n' "homeexpose agent (after these update cycles)" "$(rss_kb "$agent")"
kill -TERM "$agent"
wait "$agent" 2>/dev/null
# inadyn in the same lab: dyndns2 over plain HTTP to a stub on the internet host
if command -v inadyn >/dev/null; then
	lab_spawn "$LAB_INET" "$LAB_DIR/stub.out" python3 "$here/dyndns_stub.py" "$LAB_INET_IP" 8245 \
		"$LAB_DIR/stub.log" "$LAB_DIR/stub.ready"
	for _ in $(seq 1 100); do [ -e "$LAB_DIR/stub.ready" ] && break; sleep 0.03; done
	# hostname: inadyn first resolves the name to compare; localhost is in
	# /etc/hosts, so no DNS query is sent anywhere. period: inadyn's shortest.
	cat >"$LAB_DIR/inadyn.conf" <<EOC
period = 30
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
	if wait_grep 5000 "$LAB_DIR/stub.log" " update .* $LAB_WAN_IP" >/dev/null; then
		sleep 0.3
		printf '  %-52s %s KiB VmRSS\n' "inadyn $(inadyn -v 2>&1 | head -1) (after one update)" \
			"$(rss_kb "$ina")"
		t0=$(now_ms)
		lab_set_wan_ip 11.77.0.21 >/dev/null 2>&1
		if wait_grep 65000 "$LAB_DIR/stub.log" " update .* 11.77.0.21" >/dev/null; then
			ms=$(($(now_ms) - t0))
			printf '  %-52s %7.1f ms (one run; it polls every period = 30 s)\n' \
				"inadyn: WAN change -> dyndns2 stub has it" "$ms"
		else
			printf '  %-52s not within 65 s\n' "inadyn: WAN change -> dyndns2 stub has it"
		fi
	else
		printf '  %-52s no update reached the stub\n' "inadyn"
	fi
	kill -TERM "$ina" 2>/dev/null
	wait "$ina" 2>/dev/null
fi
lab_down

STEADY=${BENCH_STEADY_SECONDS:-600}
echo "== agent steady state with an announcing router (lab variant 'full', PCP), $STEADY s"
# Issue 7: zero requests to outside check services while nothing changes.
# The outside services are real: coturn (STUN) and whatismyip.py (HTTP) on the
# internet host, both configured as the agent's public-address sources. They
# are counted where they run: nftables counters in the internet host's
# namespace (STUN datagrams, HTTP connections) and the HTTP server's own log.
lab_up full || exit 1
lab_spawn "$LAB_INET" "$LAB_DIR/turn.log" turnserver --no-auth --listening-ip "$LAB_INET_IP" \
	-n --no-cli --no-tls --no-dtls --log-file stdout --pidfile "$LAB_DIR/turn.pid" \
	--userdb "$LAB_DIR/turndb" --realm lab
lab_spawn "$LAB_INET" "$LAB_DIR/http.log" python3 "$here/../tests/lab/whatismyip.py" 8000 \
	"$LAB_DIR/http.ready"
_lab_wait_listen "$LAB_INET" -u 3478 && _lab_wait_file "$LAB_DIR/http.ready" || exit 1
ip netns exec "$LAB_INET" nft -f - <<'EON' || exit 1
table inet he_bench {
	counter stun {}
	counter http {}
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport 3478 counter name stun
		tcp dport 8000 tcp flags syn counter name http
	}
}
EON
# count_at_servers: "STUN-DATAGRAMS HTTP-CONNECTIONS HTTP-REQUESTS-LOGGED"
count_at_servers() {
	local c
	c=$(ip netns exec "$LAB_INET" nft list counters table inet he_bench |
		awk '/counter stun/ { k = "s" } /counter http/ { k = "h" }
			/packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") v[k] = $(i + 1) }
			END { printf "%d %d", v["s"], v["h"] }')
	echo "$c $(grep -c ' homeexpose/' "$LAB_DIR/http.log")"
}
agent_conf "$LAB_INET_IP:3478" "http://$LAB_INET_IP:8000/" "[agent]" \
	"metrics-listen = 127.0.0.1:9479"
# the counting works: one netcheck asks both services
ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q netcheck >/dev/null 2>&1
read -r s0 h0 l0 <<<"$(count_at_servers)"
printf '  %-52s %s STUN datagrams, %s HTTP connections, %s requests logged\n' \
	"counting works: one 'homeexpose netcheck'" "$s0" "$h0" "$l0"
lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080 || exit 1
ip netns exec "$LAB_HOME" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" -q open 8443:8080/tcp web \
	--protocol pcp --ipv4-only --no-check >/dev/null 2>&1
lab_spawn "$LAB_HOME" "$LAB_DIR/steady-agent.log" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" agent
agent=$LAB_LAST_PID
sleep "$STEADY"
read -r s1 h1 l1 <<<"$(count_at_servers)"
metrics=$(ip netns exec "$LAB_HOME" curl -s --max-time 3 http://127.0.0.1:9479/metrics)
mval() { awk -v m="$1" '$1 == m { print $2 }' <<<"$metrics"; }
printf '  %-52s %d STUN datagrams, %d HTTP connections, %d requests logged\n' \
	"outside check services, agent's $STEADY s from its start" "$((s1 - s0))" "$((h1 - h0))" "$((l1 - l0))"
printf '  %-52s %s announcements, %s self-check run(s), %s outside checks\n' \
	"agent metrics" "$(mval homeexpose_announcements_total)" "$(mval homeexpose_check_runs_total)" \
	"$(mval homeexpose_outside_checks_total)"
printf '  %-52s %s KiB VmRSS\n' "homeexpose agent (after $STEADY s steady state)" "$(rss_kb "$agent")"
kill -TERM "$agent"
wait "$agent" 2>/dev/null
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
: >"$tmp/ver"
for _ in $(seq "$N"); do
	/usr/bin/time -f '%U %S' -o "$tmp/cpu1" "$HE_BIN" --version >/dev/null 2>&1 &&
		awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$tmp/cpu1" >>"$tmp/ver"
done
stats "homeexpose --version, CPU (dynamic loading of its libraries)" "$tmp/ver"
# start-up beside a peer's, as whole processes: 50 in a row each (/usr/bin/time's
# 10 ms CPU ticks are too coarse for one); libcurl, OpenSSL, ldns and libsystemd
# are loaded on first use (lib/core/lazy.h), not here
t0=$(now_ms)
for _ in $(seq 50); do "$HE_BIN" --version >/dev/null 2>&1; done
t1=$(now_ms)
for _ in $(seq 50); do upnpc -h >/dev/null 2>&1; done
t2=$(now_ms)
awk -v h=$((t1 - t0)) -v u=$((t2 - t1)) 'BEGIN {
	printf "  %-52s %5.1f ms each; upnpc -h %5.1f ms (ratio %.2f)\n",
		"homeexpose --version, wall, 50 in a row", h / 50, u / 50, u ? h / u : 0 }'
if [ -x /usr/bin/time ]; then
	kb=$( (/usr/bin/time -f '%M' "$HE_BIN" -c "$conf" services >/dev/null) 2>&1 | tail -1)
	printf '  %-52s %s KiB max resident\n' "homeexpose services" "$kb"
fi

# issue 12: WAN change -> DNS per router kind, beside inadyn and ddclient
"$here/events.sh"
