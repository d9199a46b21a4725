#!/bin/bash
# Helpers for the agent's lab tests (sourced after lab.sh): a config in
# $LAB_DIR, the agent started in the home namespace, timing of recovery.

# agent_conf [EXTRA-INI-TEXT]: $LAB_DIR/etc/homeexpose.conf with state and
# runtime directories in the lab's own temp dir.
agent_conf() {
	mkdir -p "$LAB_DIR/etc"
	chmod 0755 "$LAB_DIR" # the non-root `list` check needs to reach the socket
	printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n%b' "$LAB_DIR" "$LAB_DIR" \
		"${1:-}" >"$LAB_DIR/etc/homeexpose.conf"
}
AGENT_ENV=()
he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }

# agent_start: run the agent in the home namespace, log in $LAB_DIR/agent.log;
# waits until its control socket answers.
# AGENT_ENV (array, optional): extra environment, e.g. NOTIFY_SOCKET=...
agent_start() {
	lab_spawn "$LAB_HOME" "$LAB_DIR/agent.log" env "${AGENT_ENV[@]}" "$HE_BIN" \
		-c "$LAB_DIR/etc/homeexpose.conf" agent --foreground -v
	AGENT_PID=$LAB_LAST_PID
	local _
	for _ in $(seq 1 100); do
		agent_ctl status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "agent did not answer on its control socket"
	cat "$LAB_DIR/agent.log"
	return 1
}

# agent_ctl CMD: one control request, the reply on stdout.
agent_ctl() {
	in_home python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
s.connect(sys.argv[1])
s.sendall(("{\"cmd\":\"%s\"}\n" % sys.argv[2]).encode())
print(s.makefile().readline().strip())' "$LAB_DIR/run/agent.sock" "$1"
}

agent_alive() { kill -0 "$AGENT_PID" 2>/dev/null; }

# until_reachable MS PORT WANT: probe every 50 ms until the internet host reads
# WANT at the router's address, at most MS ms; prints the time it took.
until_reachable() {
	local max=$1 port=$2 want=$3 t0 now out
	t0=${EPOCHREALTIME/./}
	while :; do
		out=$(LAB_PROBE_TIMEOUT=0.2 lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" "$port" 2>/dev/null)
		now=${EPOCHREALTIME/./}
		if [[ $out == *"$want"* ]]; then
			echo "(reachable after $(((now - t0) / 1000)) ms)"
			return 0
		fi
		if [ $(((now - t0) / 1000)) -gt "$max" ]; then
			echo "(still unreachable after $max ms)"
			return 1
		fi
		sleep 0.05
	done
}

# log_has TEXT: the agent's log contains TEXT (waits up to 3 s).
log_has() {
	local _
	for _ in $(seq 1 60); do
		grep -qF -- "$1" "$LAB_DIR/agent.log" && return 0
		sleep 0.05
	done
	echo "agent log lacks '$1':"
	tail -20 "$LAB_DIR/agent.log"
	return 1
}

# notify_listen: a unix datagram socket at $LAB_DIR/notify standing in for
# systemd's NOTIFY_SOCKET; every message goes to $LAB_DIR/notify.log
notify_listen() {
	lab_spawn "$LAB_HOME" "$LAB_DIR/notify.out" python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[1] + ".ready", "w").close()
while True:
    m = s.recv(4096).decode()
    with open(sys.argv[2], "a") as f:
        f.write(m.replace("\n", " ") + "\n")' "$LAB_DIR/notify" "$LAB_DIR/notify.log" &&
		_lab_wait_file "$LAB_DIR/notify.ready"
}

# he_says MS SUBCOMMAND WORD...: within MS ms, `homeexpose SUBCOMMAND` prints
# every WORD (polled every 200 ms); prints the last output and the time taken.
he_says() {
	local max=$1 sub=$2 t0 out w ok
	shift 2
	t0=${EPOCHREALTIME/./}
	while :; do
		out=$(he "$sub" 2>&1)
		ok=1
		for w in "$@"; do grep -qF -- "$w" <<<"$out" || ok=0; done
		if [ "$ok" = 1 ]; then
			printf '%s\n(after %s ms)\n' "$out" "$(((${EPOCHREALTIME/./} - t0) / 1000))"
			return 0
		fi
		if [ $(((${EPOCHREALTIME/./} - t0) / 1000)) -gt "$max" ]; then
			printf '%s\n(not within %s ms)\n' "$out" "$max"
			return 1
		fi
		sleep 0.2
	done
}
