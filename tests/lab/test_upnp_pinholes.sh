#!/bin/bash
# A UPnP-only router restarts and loses its pinholes: the agent adds every
# IPv6 pinhole anew. miniupnpd numbers pinholes from 1 again after a start,
# so an id recorded before the restart may now name another exposure's
# pinhole: renewing it by id (UpdatePinhole) "succeeds" and the exposure stays
# closed over IPv6 (found by the soak). Two exposures, opened so that the one
# the agent maps first after the restart held the higher id before it: both
# must answer over IPv6 from the internet host after the restart.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/agent_lib.sh"

# until_reachable6 MS PORT WANT: the home service answers at [LAB_HOME_IP6]:PORT
until_reachable6() {
	local max=$1 port=$2 want=$3 t0 now out
	t0=${EPOCHREALTIME/./}
	while :; do
		out=$(LAB_PROBE_TIMEOUT=0.2 lab_probe_tcp "$LAB_INET" "$LAB_HOME_IP6" "$port" 2>/dev/null)
		now=${EPOCHREALTIME/./}
		if [[ $out == *"$want"* ]]; then
			echo "(reachable after $(((now - t0) / 1000)) ms)"
			return 0
		fi
		if [ $(((now - t0) / 1000)) -gt "$max" ]; then
			echo "(still unreachable over IPv6 after $max ms)"
			return 1
		fi
	done
}

lab_check "lab_up upnp" lab_up upnp || { lab_done; exit 1; }
agent_conf '[agent]\ndrift-interval = 2\nverify-interval = 3\n'
lab_check "home services on 8080 and 8081" eval \
	'lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080 && lab_serve_tcp "$LAB_HOME" :: 8081 banner-8081'
# zz first: its pinhole is number 1; aa's is number 2. The agent maps aa first.
lab_check "open zz 9443:8081/tcp (IPv4 and IPv6)" he -q open 9443:8081/tcp zz --no-check
lab_check "open aa 8443:8080/tcp (IPv4 and IPv6)" he -q open 8443:8080/tcp aa --no-check
lab_check "before: zz answers over IPv6" until_reachable6 3000 8081 banner-8081
lab_check "before: aa answers over IPv6" until_reachable6 3000 8080 banner-8080
lab_check "agent starts" agent_start
lab_check "the router restarts (miniupnpd killed, its pinholes gone)" lab_restart_router
lab_check "the agent noticed the restart" log_has "restarted"
lab_check "after: aa answers over IPv6 again" until_reachable6 15000 8080 banner-8080
lab_check "after: zz answers over IPv6 again (not renewed by a stale id)" \
	until_reachable6 15000 8081 banner-8081
lab_check "the router holds two pinholes" \
	eval '[ "$(grep -c "IGD2 pinhole" "$LAB_DIR/upnp.leases6")" = 2 ]'
# the router restarts while no agent runs (found by the soak's agent_kill): the
# next agent must not trust the recorded ids either. The ids are made to cross
# again first: both closed, the router started afresh, zz opened before aa.
lab_check "the agent is killed (SIGKILL)" eval '(kill -KILL "$AGENT_PID"; for _ in $(seq 1 100); do agent_alive || exit 0; sleep 0.05; done; exit 1)'
lab_check "close both, a fresh router, open zz then aa again" eval 'he -q close aa && he -q close zz &&
	lab_restart_router && he -q open 9443:8081/tcp zz --no-check && he -q open 8443:8080/tcp aa --no-check'
lab_check "the router restarts while no agent runs" lab_restart_router
lab_check "the agent starts again" agent_start
lab_check "after the agent's start: aa answers over IPv6" until_reachable6 15000 8080 banner-8080
lab_check "after the agent's start: zz answers over IPv6" until_reachable6 15000 8081 banner-8081
lab_check "the router holds two pinholes again" \
	eval '[ "$(grep -c "IGD2 pinhole" "$LAB_DIR/upnp.leases6")" = 2 ]'
lab_check "the agent stops" eval '(kill "$AGENT_PID"; for _ in $(seq 1 100); do agent_alive || exit 0; sleep 0.05; done; exit 1)'
lab_done
