#!/bin/bash
# The agent and the one engine: an exposure for another LAN host (to =) is kept
# renewed through the router and never opens this host's firewall nor asks for
# an IPv6 pinhole to an IPv4 address; an exposure that fails to map (sorted
# first) does not stop the renewal of the others.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/agent_lib.sh"

# until_log MS TEXT: the agent's log contains TEXT within MS ms
until_log() { lab_wait_until "$1" grep -qF -- "$2" "$LAB_DIR/agent.log" || {
	echo "agent log lacks '$2' after $1 ms:"
	tail -20 "$LAB_DIR/agent.log"
	return 1
}; }
dropin() { # NAME TEXT
	mkdir -p "$LAB_DIR/etc/exposures.d"
	printf '[exposure]\n%b' "$2" >"$LAB_DIR/etc/exposures.d/$1.conf"
}

export LAB_LAN2=1 LAB_SECURE_MODE=no LAB_MIN_LIFETIME=8
lab_check "lab_up full with a second LAN host" lab_up full || { lab_done; exit 1; }
agent_conf '[router]\nprotocols = pcp\n[agent]\ndrift-interval = 30\n'
lab_check "services: lan2 on 8080, home on 8081" eval 'lab_serve_tcp "$LAB_LAN2_NS" :: 8080 banner-lan2 &&
	lab_serve_tcp "$LAB_HOME" :: 8081 banner-home'
# sorted first, fails to map every pass: 10.9.9.9 is not on the router's LAN
dropin aaa-far 'ports = 8445:8080/tcp\nto = 10.9.9.9\nlease = 16\n'
dropin nas "ports = 8444:8080/tcp\nto = $LAB_LAN2_IP\nlease = 16\n"
dropin web 'ports = 8443:8081/tcp\nlease = 16\n'
lab_check "agent starts" agent_start
lab_check "aaa-far fails to map, with the reason" until_log 5000 "map aaa-far 8445/tcp (IPv4)"
lab_check "nas is mapped to lan2 all the same" until_log 5000 "mapped nas: pcp 8444/tcp -> $LAB_LAN2_IP:8080 (IPv4)"
lab_check "web is mapped all the same" until_log 5000 "mapped web: pcp 8443/tcp"
lab_check "the internet host reads lan2's banner via $LAB_WAN_IP:8444" until_reachable 3000 8444 banner-lan2
lab_check "the internet host reads home's banner via $LAB_WAN_IP:8443" until_reachable 3000 8443 banner-home
lab_check "nas is renewed at half its lease although aaa-far keeps failing" \
	until_log 15000 "renewed nas: pcp 8444/tcp"
lab_check "web is renewed too" until_log 15000 "renewed web: pcp 8443/tcp"
lab_check "lan2 still reachable after the renewals" until_reachable 3000 8444 banner-lan2
lab_check "home still reachable after the renewals" until_reachable 3000 8443 banner-home
lab_check "no IPv6 pinhole was asked for nas (its host is IPv4)" \
	eval '! grep -E "nas.*\(IPv6\)" "$LAB_DIR/agent.log"'
lab_check "this host's firewall opens web's 8081 and not lan2's 8080" \
	eval 'set=$(in_home nft list set inet homeexpose tcp_ports) && echo "$set" &&
	[[ $set == *8081* ]] && [[ $set != *8080* ]]'
lab_check "the agent is still running" agent_alive
lab_down
lab_done
