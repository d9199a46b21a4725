# shellcheck shell=bash
# tests/lab/soak_faults.sh: the faults tests/lab/soak.sh injects (sourced after
# soak_checks.sh). Each fault_KIND does its harm (and, for the ones that last a
# while, ends it) and returns; FAULT_T0 is when the harm began (the recovery
# time counts from there). soak_timeout KIND: seconds allowed to recover.

# soak_rand N: SOAK_R = a pseudo-random number in [0, N) from the seeded LCG
# (not $RANDOM: lab.sh draws from it too, which would change the sequence)
soak_rand() {
	SOAK_RS=$(((SOAK_RS * 1103515245 + 12345) % 2147483648))
	SOAK_R=$(((SOAK_RS / 65536) % $1))
}

soak_timeout() {
	case $1 in
	# a failed update backs off 30..60 s (HE_DDNS_BACKOFF_MIN with jitter)
	ddns_*) echo 100 ;;
	router_restart) echo 20 ;;
	*) echo 20 ;;
	esac
}

# shellcheck disable=SC2034 # read by soak.sh
_fault_now() { FAULT_T0=${EPOCHREALTIME/./}; }

# the next WAN address: 11.77.0.2..11.77.0.9, never the current one
_soak_new_wan() {
	local ip
	while :; do
		soak_rand 8
		ip=11.77.0.$((SOAK_R + 2))
		[ "$ip" != "$LAB_WAN_IP" ] && break
	done
	lab_set_wan_ip "$ip"
}

fault_router_restart() {
	_fault_now
	lab_restart_router
}

fault_wan_change() {
	_fault_now
	_soak_new_wan
}

# the host's firewall reloaded by someone else: everything flushed, then the
# host's own rules (saved at the start) loaded again without homeexpose's
fault_nft_flush() {
	_fault_now
	in_home nft flush ruleset && in_home nft -f "$SOAK_HOST_NFT"
}

# _soak_wait_request N MS: the dyndns2 server has seen more than N requests
_soak_wait_request() {
	SOAK_NREQ=$1
	lab_wait_until "$2" eval '[ "$(nreq)" -gt "$SOAK_NREQ" ]'
}

# the DDNS server fails (MODE: 5xx, timeout, refuse) while the address changes;
# the harm ends once the agent has tried (or after 20 s)
_fault_ddns() {
	local n
	n=$(nreq)
	_fault_now
	case $1 in
	5xx) echo "503 down for maintenance" >"$LAB_DIR/srv/reply" ;;
	timeout) echo "hang" >"$LAB_DIR/srv/reply" ;;
	refuse)
		in_inet nft -f - <<EOF
table inet soakrefuse {
	chain input { type filter hook input priority 0; tcp dport 8443 reject with tcp reset; }
}
EOF
		;;
	esac
	_soak_new_wan
	if [ "$1" = refuse ]; then
		# nothing reaches the server to count: give the agent 4 s to try
		sleep 4
		in_inet nft delete table inet soakrefuse
	else
		_soak_wait_request "$n" 20000
		# timeout: the request seen hangs 20 s on the server (the agent gives
		# up after 15 s); the ones after it are answered again
		echo auto >"$LAB_DIR/srv/reply"
	fi
	return 0
}
fault_ddns_5xx() { _fault_ddns 5xx; }
fault_ddns_timeout() { _fault_ddns timeout; }
fault_ddns_refuse() { _fault_ddns refuse; }

# SIGKILL in the middle of a pass: the router restarts (so the agent has
# mapping work), 0-300 ms later the agent is killed; then started again
fault_agent_kill() {
	_fault_now
	lab_restart_router || return 1
	soak_rand 300
	sleep "0.$(printf '%03d' "$SOAK_R")"
	kill -KILL "$AGENT_PID"
	wait "$AGENT_PID" 2>/dev/null
	agent_start >/dev/null
}

# SIGHUP with a broken configuration (kept: the running one stays), then the
# fixed one (reloaded)
fault_sighup_broken() {
	local n
	_fault_now
	cp "$LAB_DIR/etc/homeexpose.conf" "$LAB_DIR/etc/good.conf"
	printf 'verify-interval = banana\n' >>"$LAB_DIR/etc/homeexpose.conf"
	n=$(grep -c "configuration not reloaded" "$LAB_DIR/agent.log")
	kill -HUP "$AGENT_PID"
	lab_wait_until 5000 eval '[ "$(grep -c "configuration not reloaded" "$LAB_DIR/agent.log")" -gt "$n" ]' ||
		echo "# sighup_broken: the agent did not log 'configuration not reloaded'"
	cp "$LAB_DIR/etc/good.conf" "$LAB_DIR/etc/homeexpose.conf"
	n=$(grep -c "configuration reloaded" "$LAB_DIR/agent.log")
	kill -HUP "$AGENT_PID"
	lab_wait_until 5000 eval '[ "$(grep -c "configuration reloaded" "$LAB_DIR/agent.log")" -gt "$n" ]' ||
		echo "# sighup_broken: the agent did not log 'configuration reloaded'"
}

# 400 connections to the control socket held 3 s, half of them sending garbage
fault_ctl_flood() {
	_fault_now
	in_home python3 -c '
import socket, sys, time
held = []
end = time.monotonic() + 2
while len(held) < 400 and time.monotonic() < end:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        s.connect(sys.argv[1])
        if len(held) % 2:
            s.send(b"{\"cmd\":" + b"x" * 3000)
    except OSError:
        s.close(); time.sleep(0.005); continue
    held.append(s)
time.sleep(3)
' "$LAB_DIR/run/agent.sock" 2>/dev/null
}

# 600 requests from the internet host at the reflector, 40 at a time
fault_reflector_flood() {
	_fault_now
	in_inet python3 -c '
import socket, sys, threading
def one(n):
    for _ in range(n):
        try:
            s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
            s.sendall(b"GET /v1/ip HTTP/1.1\r\nHost: x\r\n\r\n")
            s.recv(4096)
            s.close()
        except OSError:
            pass
ts = [threading.Thread(target=one, args=(15,)) for _ in range(40)]
[t.start() for t in ts]
[t.join() for t in ts]
' "$LAB_INET_IP" "$SOAK_RPORT"
}
