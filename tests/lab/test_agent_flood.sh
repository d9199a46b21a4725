#!/bin/bash
# The agent's control socket (0666) and metrics listener under a flood of idle
# connections from a local user: the agent, run with 256 file descriptors,
# must not spin at the descriptor limit, must hold no more connections than
# its caps, must drop idle ones after their 5 s, and answers `status` again
# as soon as the flood is gone.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/agent_lib.sh"

lab_check "lab_up none" lab_up none || { lab_done; exit 1; }
agent_conf '[agent]\nmetrics-listen = 127.0.0.1:9477\n'
# shellcheck disable=SC2034 # read by agent_start (agent_lib.sh): env runs prlimit runs the agent
AGENT_ENV=(prlimit --nofile=256:256)
lab_check "agent starts with 256 descriptors" agent_start
# shellcheck disable=SC2034
AGENT_ENV=()

cpu_ticks() { awk '{print $14 + $15}' "/proc/$AGENT_PID/stat"; }
nfds() { find "/proc/$AGENT_PID/fd" -mindepth 1 | wc -l; }

# up to 600 idle control connections and 100 idle metrics ones, held for 30 s
lab_spawn "$LAB_HOME" "$LAB_DIR/flood.log" python3 -c '
import resource, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (4096, 4096))
held = []
def flood(fam, addr, n, secs):
    end = time.monotonic() + secs
    while len(held) < n and time.monotonic() < end:
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(addr)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            s.close(); time.sleep(0.005); continue
        held.append(s)
flood(socket.AF_UNIX, sys.argv[1], 600, 2)
flood(socket.AF_INET, ("127.0.0.1", 9477), 700, 1)
print("flooding with", len(held), flush=True)
time.sleep(30)
' "$LAB_DIR/run/agent.sock"
FLOOD_PID=$LAB_LAST_PID
flood_on() {
	local _
	for _ in $(seq 1 100); do
		grep -q flooding "$LAB_DIR/flood.log" && return 0
		sleep 0.05
	done
	return 1
}
few_fds() { # few_fds MAX: the agent's descriptors fall to MAX within 8 s
	local _
	for _ in $(seq 1 80); do
		[ "$(nfds)" -le "$1" ] && return 0
		sleep 0.1
	done
	echo "descriptors: $(nfds)"
	return 1
}
lab_check "the flood is on" flood_on
sleep 0.5
t0=$(cpu_ticks)
sleep 3
t1=$(cpu_ticks)
lab_check "no spinning: the agent used $((t1 - t0)) of 300 CPU ticks in 3 s (< 30)" \
	eval '[ $((t1 - t0)) -lt 30 ]'
n=$(nfds)
lab_check "the agent holds $n descriptors (<= 64 control + 16 metrics + 60 of its own)" \
	eval '[ "$n" -le 140 ]'
lab_check "the agent is alive" agent_alive
lab_check "the flooder's idle connections are dropped after 5 s (flooder still there)" few_fds 60
kill "$FLOOD_PID" 2>/dev/null
wait "$FLOOD_PID" 2>/dev/null
lab_check "after the flood status answers at once" \
	expect_out '"ok":true' -- agent_ctl status
lab_check "the metrics answer too" \
	expect_out 'homeexpose_' -- in_home curl -s -m 3 http://127.0.0.1:9477/metrics

lab_down
lab_done
