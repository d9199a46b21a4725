# shellcheck shell=bash
# tests/lab/soak_checks.sh: the invariants tests/lab/soak.sh holds the agent to
# after every fault (sourced after lab.sh, agent_lib.sh, ddns_common.sh,
# knot.sh), the agent's resource samples and the final table.
#
# soak_all_ok: every check once; on the first that fails, SOAK_WHY says which
# and why and it returns 1. The checks:
#   the agent runs and answers `status` on its control socket
#   every exposure reachable from the internet host: TCP and UDP, IPv4 (the
#     router's current address) and IPv6 (the home host's address, a pinhole)
#   the dyndns2 server stored the router's current address and its last
#     request carried it; Knot's A record (kdig) is the router's address
#   exactly one router rule per mapped port (miniupnpd's nft chains: the DNAT
#     rule per external IPv4 port, the pinhole per IPv6 port); on a UPnP-only
#     router also exactly one `upnpc -l` entry per port
#   the state file is valid JSON with exactly the four router records (each
#     exposure's IPv4 mapping and IPv6 pinhole)
#   the exposure drop-ins are exactly the ones opened (none lost, none doubled,
#     no temporary file left)
#   the host's own nftables table and homeexpose's are both present
#   the reflector on the internet host answers GET /v1/ip

SOAK_TCP_EXT=8443 SOAK_TCP_INT=8080 SOAK_UDP_EXT=27015 SOAK_UDP_INT=5300
SOAK_WHY=

_soak_fail() {
	SOAK_WHY=$*
	return 1
}

# _soak_count_rules CHAIN PATTERN...: lines of the router's CHAIN matching every PATTERN
_soak_count_rules() {
	local chain=$1 out
	shift
	out=$(in_rtr nft list chain inet miniupnpd "$chain" 2>/dev/null) || {
		echo -1
		return
	}
	local p
	for p in "$@"; do out=$(grep -F -- "$p" <<<"$out"); done
	if [ -z "$out" ]; then echo 0; else wc -l <<<"$out"; fi
}

soak_all_ok() {
	SOAK_WHY=
	kill -0 "$AGENT_PID" 2>/dev/null || _soak_fail "agent $AGENT_PID is not running" || return 1
	local out n inet_pid
	# the internet host's probes run meanwhile (soak_probe.py: one python each side)
	in_inet python3 "$LAB_SRC/soak_probe.py" inet "$LAB_WAN_IP" "$LAB_HOME_IP6" \
		"$SOAK_TCP_EXT" "$SOAK_TCP_INT" "$SOAK_UDP_EXT" "$SOAK_UDP_INT" >"$SOAK_OUT/inet.out" 2>&1 &
	inet_pid=$!
	# the records are keyed "NAME PROTO PORT ipvN": exactly these four
	out=$(in_home python3 "$LAB_SRC/soak_probe.py" home "$LAB_DIR/run/agent.sock" \
		"$LAB_DIR/state/state.json" "$LAB_DIR/srv" "$LAB_WAN_IP" "http://$LAB_INET_IP:$SOAK_RPORT" \
		"web tcp $SOAK_TCP_EXT ipv4" "web tcp $SOAK_TCP_INT ipv6" \
		"game udp $SOAK_UDP_EXT ipv4" "game udp $SOAK_UDP_INT ipv6" 2>&1)
	if ! wait "$inet_pid"; then
		_soak_fail "$(cat "$SOAK_OUT/inet.out")"
		return 1
	fi
	[ "$out" = ok ] || _soak_fail "$out" || return 1
	out=$(lab_knot_query "$SOAK_KNOT_NAME" A 2>&1 | sort | tr '\n' ' ')
	[ "$out" = "$LAB_WAN_IP " ] || _soak_fail "Knot $SOAK_KNOT_NAME A: '$out', router has $LAB_WAN_IP" || return 1
	for p in "tcp dport $SOAK_TCP_EXT" "udp dport $SOAK_UDP_EXT"; do
		n=$(_soak_count_rules prerouting_miniupnpd "dnat ip to" "${p#* }")
		[ "$n" = 1 ] || _soak_fail "router: $n DNAT rules for ${p#* } (want 1)" || return 1
	done
	n=$(_soak_count_rules miniupnpd "@nh,192,128" "dport $SOAK_TCP_INT " "0x6 ")
	[ "$n" = 1 ] || _soak_fail "router: $n IPv6 pinholes for $SOAK_TCP_INT/tcp (want 1)" || return 1
	n=$(_soak_count_rules miniupnpd "@nh,192,128" "dport $SOAK_UDP_INT " "0x11 ")
	[ "$n" = 1 ] || _soak_fail "router: $n IPv6 pinholes for $SOAK_UDP_INT/udp (want 1)" || return 1
	if [ "$LAB_VARIANT" = upnp ]; then
		out=$(in_home upnpc -u "$LAB_UPNP_URL" -l 2>&1)
		n=$(grep -c "TCP *$SOAK_TCP_EXT->" <<<"$out")
		[ "$n" = 1 ] || _soak_fail "upnpc -l: $n entries for $SOAK_TCP_EXT/TCP (want 1)" || return 1
		n=$(grep -c "UDP *$SOAK_UDP_EXT->" <<<"$out")
		[ "$n" = 1 ] || _soak_fail "upnpc -l: $n entries for $SOAK_UDP_EXT/UDP (want 1)" || return 1
	fi
	out=$(cd "$LAB_DIR/etc/exposures.d" 2>&1 && echo *)
	[ "$out" = "game.conf web.conf" ] || _soak_fail "drop-ins: '$out' (want game.conf web.conf)" || return 1
	in_home nft list table inet soakhost >/dev/null 2>&1 ||
		_soak_fail "the host's own table inet soakhost is gone" || return 1
	in_home nft list set inet homeexpose tcp_ports 2>/dev/null | grep -q "$SOAK_TCP_INT" ||
		_soak_fail "homeexpose's nftables table lacks $SOAK_TCP_INT" || return 1
}

# soak_recover KIND T0 TIMEOUT: poll soak_all_ok until it passes (recovery time
# from T0, microseconds since the epoch) or TIMEOUT seconds from T0 pass.
# Appends "KIND MS ok|fail" to $SOAK_OUT/results.
soak_recover() {
	local kind=$1 t0=$2 max=$3 now ms
	while :; do
		if soak_all_ok; then
			now=${EPOCHREALTIME/./}
			ms=$(((now - t0) / 1000))
			echo "$kind $ms ok" >>"$SOAK_OUT/results"
			printf '# %6ds %-28s recovered in %d ms\n' $(((now - SOAK_T0) / 1000000)) "$kind" "$ms"
			return 0
		fi
		now=${EPOCHREALTIME/./}
		if [ $(((now - t0) / 1000000)) -ge "$max" ]; then
			ms=$(((now - t0) / 1000))
			echo "$kind $ms fail" >>"$SOAK_OUT/results"
			printf '# %6ds %-28s NOT recovered within %d s: %s\n' $(((now - SOAK_T0) / 1000000)) \
				"$kind" "$max" "$SOAK_WHY"
			echo "#   agent log tail:"
			tail -5 "$LAB_DIR/agent.log" | sed 's/^/#     /'
			return 1
		fi
		sleep 0.3
	done
}

# soak_sample [QUIET]: one line "T PID RSS_KB FDS TICKS QUIET" in $SOAK_OUT/samples
soak_sample() {
	local rss fds ticks
	rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$AGENT_PID/status" 2>/dev/null) || return 0
	fds=$(find "/proc/$AGENT_PID/fd" -mindepth 1 2>/dev/null | wc -l)
	ticks=$(awk '{print $14 + $15}' "/proc/$AGENT_PID/stat" 2>/dev/null)
	[ -n "$rss" ] && [ -n "$ticks" ] || return 0
	echo "$(((${EPOCHREALTIME/./} - SOAK_T0) / 1000000)) $AGENT_PID $rss $fds $ticks ${1:-0}" \
		>>"$SOAK_OUT/samples"
}

# soak_quiet SECONDS: no fault for SECONDS, sampling every second; the agent's
# CPU over the quiet period (after its first second) goes to $SOAK_OUT/quiet_cpu
soak_quiet() {
	local s t_a t_b c_a c_b
	sleep 1
	soak_sample 1
	t_a=${EPOCHREALTIME/./}
	c_a=$(awk '{print $14 + $15}' "/proc/$AGENT_PID/stat" 2>/dev/null)
	for ((s = 1; s < $1; s++)); do
		sleep 1
		soak_sample 1
	done
	t_b=${EPOCHREALTIME/./}
	c_b=$(awk '{print $14 + $15}' "/proc/$AGENT_PID/stat" 2>/dev/null)
	if [ -n "$c_a" ] && [ -n "$c_b" ] && [ $((t_b - t_a)) -gt 500000 ]; then
		# ticks are 1/100 s: percent of one core = ticks / seconds
		echo "$(((c_b - c_a) * 100000000 / (t_b - t_a)))" >>"$SOAK_OUT/quiet_cpu"
	fi
}

# soak_report: the table; exit status 1 on any failure or an upward RSS/fd trend
soak_report() {
	python3 "$LAB_SRC/soak_report.py" "$SOAK_OUT"
}
