#!/bin/bash
# The lab's operations for agent tests: lab_set_wan_ip (a new WAN address, with
# miniupnpd's NAT-PMP/PCP announcements) and lab_restart_router (mappings gone,
# epoch reset).
. "$(dirname "$0")/lab.sh"

natpmpc_home() { in_home timeout 5 natpmpc -g "$LAB_RTR_LAN_IP" "$@"; }

# wait_for FILE TEXT: FILE contains TEXT within 3 s
wait_for() {
	local _
	for _ in $(seq 1 60); do
		grep -qF "$2" "$1" 2>/dev/null && { cat "$1"; return 0; }
		sleep 0.05
	done
	cat "$1" 2>/dev/null
	echo "(no '$2' in $1 after 3 s)"
	return 1
}

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "services start" eval 'lab_serve_tcp "$LAB_HOME" 0.0.0.0 8080 home-tcp-8080 &&
	lab_serve_tcp "$LAB_INET" 0.0.0.0 7000 "you are {peer}"'
lab_check "natpmpc maps 28080" expect_out "Mapped public port 28080" -- natpmpc_home -a 28080 8080 tcp 3600
lab_check "reachable at $LAB_WAN_IP:28080" \
	expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 28080

ann=$LAB_DIR/announce.1
lab_spawn "$LAB_HOME" "$ann" python3 "$LAB_SRC/labnet.py" recv-mcast 224.0.0.1 5350 5 "$ann.ready"
lab_check "the listener joined the group" lab_wait_until 10000 test -e "$ann.ready"
lab_check "lab_set_wan_ip 11.77.0.9" lab_set_wan_ip 11.77.0.9
lab_check "miniupnpd multicasts an announcement to 224.0.0.1:5350" \
	wait_for "$ann" "from $LAB_RTR_LAN_IP"
lab_check "NAT-PMP reports the new address" \
	expect_out "Public IP address : 11.77.0.9" -- natpmpc_home
lab_check "the mapping works at the new address" \
	expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" 11.77.0.9 28080
lab_check "home's outbound traffic uses the new address" \
	expect_out "you are 11.77.0.9" -- lab_probe_tcp "$LAB_HOME" "$LAB_INET_IP" 7000
LAB_PROBE_TIMEOUT=1 lab_check "the old address is gone" lab_unreachable_tcp "$LAB_INET" 11.77.0.2 28080

lab_check "lab_set_wan_ip 11.78.5.5 (another /24: the internet host gets a route)" \
	lab_set_wan_ip 11.78.5.5
lab_check "LAB_WAN_IP and LAB_PUBLIC_IP follow" \
	test "$LAB_WAN_IP:$LAB_PUBLIC_IP" = 11.78.5.5:11.78.5.5
lab_check "the mapping works at 11.78.5.5" \
	expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" 11.78.5.5 28080
lab_check "UPnP reports 11.78.5.5" \
	expect_out "ExternalIPAddress = 11.78.5.5" -- in_home upnpc -u "$LAB_UPNP_URL" -s

lab_check "lab_restart_router" lab_restart_router
lab_check "after the restart the mapping is gone" \
	lab_unreachable_tcp "$LAB_INET" "$LAB_WAN_IP" 28080
lab_check "after the restart the lease file holds nothing" \
	eval '! test -s "$LAB_DIR/upnp.leases"'
lab_check "after the restart NAT-PMP epoch starts again (< 5 s)" \
	eval 'natpmpc_home | awk "/^epoch = / { e = \$3 } END { print \"epoch\", e; exit !(e != \"\" && e < 5) }"'
lab_check "a new mapping works after the restart" \
	expect_out "Mapped public port 28080" -- natpmpc_home -a 28080 8080 tcp 3600
lab_check "reachable again" \
	expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 28080
lab_check "lab_log shows miniupnpd's log" expect_out "version 2.3.1 starting" -- lab_log
lab_down
lab_done
