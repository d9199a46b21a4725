#!/bin/bash
# tests/lab/soak.sh: the agent under faults for SOAK_SECONDS (default 600), in
# the lab only (root). `make soak`; tests/lab/test_soak.sh runs 60 s of it.
#
# The agent runs in the home namespace with two exposures (web 8443:8080/tcp,
# game 27015:5300/udp, each IPv4 through the router and IPv6 through a pinhole)
# and two DNS records (dyndns2 on ddns_server.py, rfc2136 on Knot with TSIG).
# A fault injector, seeded (SOAK_SEED reproduces a run; the seed is printed),
# takes the kinds in a shuffled order, each once per round (soak_next_kind),
# acts after random quiet periods of 3..8 s; after each fault every check of
# soak_checks.sh must pass within the fault's timeout (the recovery time is
# from the fault to all checks passing). The agent's RSS, open fds and CPU are
# sampled every second of quiet. At the end: the table (soak_report.py).
#
# Phases: the full lab (PCP and NAT-PMP beside UPnP: the agent hears the
# router's announcements) for the first half of SOAK_SECONDS, then the UPnP-only
# lab (miniupnpd without PCP/NAT-PMP: the agent notices a restart through SSDP,
# its GENA subscription or a verification) for the second half; each phase
# starts with its own lab, agent and exposures. SOAK_VARIANT=full|upnp: one
# phase, on that variant only, for the whole time.
# SOAK_FAULTS: the fault kinds (default all of soak_faults.sh's).
# SOAK_QUIET_MIN/SOAK_QUIET_MAX: the quiet period's bounds in seconds (3, 8).
# Prints "# N passed, N failed" (one per phase and the report) for run-all.sh.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/agent_lib.sh"
. "$(dirname "$0")/ddns_common.sh"
. "$(dirname "$0")/knot.sh"
. "$(dirname "$0")/soak_checks.sh"
. "$(dirname "$0")/soak_faults.sh"

SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_SEED=${SOAK_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
SOAK_SEED=$((SOAK_SEED % 2147483648))
# shellcheck disable=SC2034 # the LCG state, read by soak_rand (soak_faults.sh)
SOAK_RS=$SOAK_SEED # the LCG's state (soak_rand in soak_faults.sh)
SOAK_FAULTS=${SOAK_FAULTS:-router_restart wan_change nft_flush ddns_5xx ddns_timeout ddns_refuse agent_kill sighup_broken ctl_flood reflector_flood}
SOAK_QUIET_MIN=${SOAK_QUIET_MIN:-3}
SOAK_QUIET_MAX=${SOAK_QUIET_MAX:-8}
SOAK_RPORT=7700
SOAK_KNOT_NAME=nas.home.example
read -r -a SOAK_KINDS <<<"$SOAK_FAULTS"
for k in "${SOAK_KINDS[@]}"; do
	declare -F "fault_$k" >/dev/null || {
		echo "soak: unknown fault '$k' (SOAK_FAULTS)" >&2
		exit 2
	}
done
SOAK_OUT=$(mktemp -d /tmp/hesoak.XXXXXX)
: >"$SOAK_OUT/results"
SOAK_T0=${EPOCHREALTIME/./}
echo "# soak: SOAK_SECONDS=$SOAK_SECONDS SOAK_SEED=$SOAK_SEED (SOAK_SEED=$SOAK_SEED reproduces the fault sequence)"
echo "# faults: $SOAK_FAULTS; results in $SOAK_OUT"

# soak_setup VARIANT: the lab, the servers, the exposures, the agent
soak_setup() {
	lab_up "$1" || return 1
	ddns_pki || return 1
	ddns_serve dyndns2 --user alice --password s3cret || return 1
	lab_knot_up home.example || return 1
	: >"$LAB_DIR/etc.inet.conf"
	lab_spawn "$LAB_INET" "$LAB_DIR/reflector.log" "$HE_BIN" -c "$LAB_DIR/etc.inet.conf" \
		reflector --listen ":$SOAK_RPORT" --rate 600 || return 1
	_lab_wait_listen "$LAB_INET" -t "$SOAK_RPORT" || return 1
	lab_serve_tcp "$LAB_HOME" :: "$SOAK_TCP_INT" soak-tcp || return 1
	lab_serve_udp "$LAB_HOME" :: "$SOAK_UDP_INT" soak-udp || return 1
	# the host's own firewall (policy accept, a counter), saved as the host would
	in_home nft -f - <<EOF || return 1
table inet soakhost {
	chain input { type filter hook input priority 10; policy accept; counter; }
}
EOF
	SOAK_HOST_NFT=$LAB_DIR/host.nft
	in_home nft list ruleset >"$SOAK_HOST_NFT" || return 1
	secret "$LAB_DIR/pw" s3cret
	# [agent] last: the broken line of fault_sighup_broken lands in it
	ddns_conf "[reflector]
url = http://$LAB_INET_IP:$SOAK_RPORT
[ddns home]
provider = dyndns2
server = $LAB_INET_IP:8443
hostname = home.example.org
username = alice
password-file = $LAB_DIR/pw
ca-file = $LAB_DIR/pki/ca.pem
families = A
[ddns nas]
provider = rfc2136
server = $LAB_INET_IP
zone = home.example
hostname = $SOAK_KNOT_NAME
tsig-key-file = $LAB_KNOT_KEY
families = A
[agent]
verify-interval = 3
drift-interval = 2"
	he open "$SOAK_TCP_EXT:$SOAK_TCP_INT/tcp" web --no-check || return 1
	he open "$SOAK_UDP_EXT:$SOAK_UDP_INT/udp" game --no-check || return 1
	agent_start
}

# soak_next_kind: SOAK_KIND, the next fault from a bag holding every kind once,
# shuffled with the seed and refilled when empty: each phase meets every kind
# before any kind comes twice (independent draws left router_restart out of a
# whole 300 s phase)
SOAK_BAG=()
soak_next_kind() {
	local i j t
	if [ "${#SOAK_BAG[@]}" -eq 0 ]; then
		SOAK_BAG=("${SOAK_KINDS[@]}")
		for ((i = ${#SOAK_BAG[@]} - 1; i > 0; i--)); do
			soak_rand $((i + 1))
			j=$SOAK_R
			t=${SOAK_BAG[$i]}
			SOAK_BAG[i]=${SOAK_BAG[$j]}
			SOAK_BAG[j]=$t
		done
	fi
	SOAK_KIND=${SOAK_BAG[0]}
	SOAK_BAG=("${SOAK_BAG[@]:1}")
}

# soak_phase VARIANT SECONDS
soak_phase() {
	local variant=$1 secs=$2 end kind q t0
	echo "# phase $variant: ${secs} s"
	SOAK_BAG=() # a full bag for each phase
	lab_check "phase $variant: lab, servers, exposures, agent" soak_setup "$variant" || {
		lab_down
		return 1
	}
	lab_check "phase $variant: every check passes at the start (30 s)" \
		soak_recover "$variant:start" "${EPOCHREALTIME/./}" 30 || {
		lab_down
		return 1
	}
	soak_sample
	end=$((${EPOCHREALTIME/./} / 1000000 + secs))
	while :; do
		soak_rand $((SOAK_QUIET_MAX - SOAK_QUIET_MIN + 1))
		q=$((SOAK_QUIET_MIN + SOAK_R))
		[ $((${EPOCHREALTIME/./} / 1000000 + q)) -lt "$end" ] || break
		soak_quiet "$q"
		soak_next_kind
		kind=$SOAK_KIND
		t0=${EPOCHREALTIME/./}
		FAULT_T0=$t0
		"fault_$kind" >"$SOAK_OUT/fault.out" 2>&1 ||
			echo "# fault $kind: $(tail -3 "$SOAK_OUT/fault.out" | tr '\n' ' ')"
		soak_recover "$variant:$kind" "$FAULT_T0" "$(soak_timeout "$kind")"
	done
	lab_check "phase $variant: every check passes at the end (30 s)" \
		soak_recover "$variant:end" "${EPOCHREALTIME/./}" 30
	soak_sample
	cp "$LAB_DIR/agent.log" "$SOAK_OUT/agent.$variant.log"
	lab_down
}

if [ -n "${SOAK_VARIANT:-}" ]; then
	soak_phase "$SOAK_VARIANT" "$SOAK_SECONDS"
else
	soak_phase full $((SOAK_SECONDS / 2))
	soak_phase upnp $((SOAK_SECONDS - SOAK_SECONDS / 2))
fi
echo "# soak: seed $SOAK_SEED, $(((${EPOCHREALTIME/./} - SOAK_T0) / 1000000)) s in all"
lab_check "soak: no fault failed to recover, no upward RSS/fd trend" soak_report
echo "$LAB_LAST_OUTPUT"
if [ "$LAB_FAIL" = 0 ] && [ "${SOAK_KEEP:-0}" != 1 ]; then
	rm -rf "$SOAK_OUT" # kept on a failure (or with SOAK_KEEP=1): results, samples, agent logs
else
	echo "# results, samples and the agent's log kept in $SOAK_OUT"
fi
lab_done
