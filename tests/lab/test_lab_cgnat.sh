#!/bin/bash
# The cgnat variant: the router's WAN is in 100.64.0.0/10 behind the ISP's own
# masquerade. miniupnpd sees a reserved WAN address and refuses every IPv4
# mapping; nothing from the internet reaches the home host over IPv4. IPv6 is
# routed end to end, so a PCP pinhole still works.
. "$(dirname "$0")/lab.sh"

natpmpc_home() { in_home timeout 5 natpmpc -g "$LAB_RTR_LAN_IP" "$@"; }
pcp_map() { in_home python3 "$LAB_SRC/labnet.py" pcp-map "$@"; }

lab_check "lab_up cgnat" lab_up cgnat || { lab_done; exit 1; }
lab_check "services start" eval 'lab_serve_tcp "$LAB_HOME" :: 8080 home-tcp-8080 &&
	lab_serve_udp "$LAB_HOME" :: 8081 home-udp-8081 &&
	lab_serve_tcp "$LAB_INET" :: 7000 "you are {peer}"'
lab_check "router WAN is in 100.64/10, public address is the ISP's" \
	expect_out "inet $LAB_WAN_IP/24" -- in_rtr ip -4 addr show dev "$LAB_WAN_IF"
lab_check "home reaches the internet through two NATs, seen as the ISP's address" \
	expect_out "you are ::ffff:$LAB_PUBLIC_IP" -- lab_probe_tcp "$LAB_HOME" "$LAB_INET_IP" 7000
lab_check "miniupnpd logs that port forwarding is impossible" \
	grep -F "Reserved / private IP address $LAB_WAN_IP on ext interface $LAB_WAN_IF: Port forwarding is impossible" \
	"$LAB_DIR/miniupnpd.log"
lab_check "UPnP GetExternalIPAddress is empty" \
	expect_out "GetExternalIPAddress failed" -- in_home upnpc -u "$LAB_UPNP_URL" -s
lab_check_fails "UPnP AddPortMapping fails (501)" \
	in_home upnpc -u "$LAB_UPNP_URL" -a "$LAB_HOME_IP" 8080 18080 TCP 600
lab_check_fails "NAT-PMP public address request fails (network failure)" natpmpc_home
lab_check_fails "NAT-PMP mapping fails" natpmpc_home -a 28080 8080 tcp 600
lab_check_fails "PCP MAP (IPv4) fails" pcp_map "$LAB_RTR_LAN_IP" "$LAB_HOME_IP" tcp 8080 38080 600
lab_check "PCP MAP (IPv4) answers NO_RESOURCES (8) with the 100.64 address" \
	expect_out "result=8" "external=$LAB_WAN_IP" -- \
	eval 'pcp_map "$LAB_RTR_LAN_IP" "$LAB_HOME_IP" tcp 8080 38080 600; true'
for port in 8080 18080 28080 38080; do
	lab_check "public $LAB_PUBLIC_IP:$port is unreachable" \
		lab_unreachable_tcp "$LAB_INET" "$LAB_PUBLIC_IP" "$port"
done
lab_check "the internet host has no route to the router's 100.64 address" \
	lab_unreachable_tcp "$LAB_INET" "$LAB_WAN_IP" 8080
LAB_PROBE_TIMEOUT=1 lab_check "before a pinhole, home's IPv6 UDP service is filtered" \
	lab_unreachable_udp "$LAB_INET" "$LAB_HOME_IP6" 8081
lab_check "PCP MAP over IPv6 still opens a pinhole" \
	expect_out "result=0" -- pcp_map "$LAB_RTR_LAN_IP6" "$LAB_HOME_IP6" udp 8081 8081 600
lab_check "the internet host reaches home over IPv6 through the pinhole" \
	expect_out home-udp-8081 -- lab_probe_udp "$LAB_INET" "$LAB_HOME_IP6" 8081
lab_down
lab_done
