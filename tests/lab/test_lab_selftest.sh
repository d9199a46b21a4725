#!/bin/bash
# Prove the lab before anything is measured in it: with the stock clients (upnpc,
# natpmpc, a minimal PCP MAP request) a mapping on the router lets the internet
# host reach a service on the home host; without one, nothing gets in; with no
# mapping service on the router, the clients fail and nothing gets in either.
. "$(dirname "$0")/lab.sh"

pcp_map() { in_home python3 "$LAB_SRC/labnet.py" pcp-map "$@"; }
# the stock natpmpc retries for minutes when nobody answers: bound it
natpmpc_home() { in_home timeout 5 natpmpc -g "$LAB_RTR_LAN_IP" "$@"; }
upnpc_home() { in_home timeout 10 upnpc "$@"; }

# services used by every variant: a dual-stack TCP banner and UDP echo on the home
# host, and an "address echo" on the internet host
services() {
	lab_serve_tcp "$LAB_HOME" :: 8080 home-tcp-8080 &&
		lab_serve_udp "$LAB_HOME" :: 8081 home-udp-8081 &&
		lab_serve_tcp "$LAB_INET" :: 7000 'you are {peer}'
}

# ---- full: UPnP IGD + NAT-PMP + PCP ----------------------------------------
lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
if [ -z "$LAB_DIR" ]; then
	lab_done
	exit 1
fi
lab_check "services start on the home and internet hosts" services
lab_check "home reaches the internet host through the router's NAT (IPv4)" \
	expect_out "you are ::ffff:$LAB_WAN_IP" -- lab_probe_tcp "$LAB_HOME" "$LAB_INET_IP" 7000
lab_check "home reaches the internet host over IPv6 without NAT" \
	expect_out "you are $LAB_HOME_IP6" -- lab_probe_tcp "$LAB_HOME" "$LAB_INET_IP6" 7000
lab_check "the internet host has no route into the LAN" \
	lab_unreachable_tcp "$LAB_INET" "$LAB_HOME_IP" 8080
lab_check "before a mapping, TCP $LAB_WAN_IP:18080 is closed" \
	lab_unreachable_tcp "$LAB_INET" "$LAB_WAN_IP" 18080
lab_check "before a mapping, UDP $LAB_WAN_IP:28081 gets no answer" \
	lab_unreachable_udp "$LAB_INET" "$LAB_WAN_IP" 28081
LAB_PROBE_TIMEOUT=1 lab_check "before a pinhole, IPv6 [$LAB_HOME_IP6]:8080 is filtered" \
	lab_unreachable_tcp "$LAB_INET" "$LAB_HOME_IP6" 8080

# UPnP IGD
lab_check "upnpc finds the IGD by SSDP multicast on the LAN" \
	expect_out "desc: $LAB_UPNP_URL" "ExternalIPAddress = $LAB_WAN_IP" -- upnpc_home -m "$LAB_HOME_IF" -s
lab_check "upnpc -a maps $LAB_WAN_IP:18080/tcp to the home host" \
	expect_out "external $LAB_WAN_IP:18080 TCP is redirected to internal $LAB_HOME_IP:8080" -- \
	upnpc_home -u "$LAB_UPNP_URL" -e lab-selftest -a "$LAB_HOME_IP" 8080 18080 TCP 600
lab_check "the internet host reaches home through the UPnP mapping" \
	expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 18080
lab_check "upnpc -l lists the mapping with its description" \
	expect_out "18080->$LAB_HOME_IP:8080" "lab-selftest" -- upnpc_home -u "$LAB_UPNP_URL" -l
lab_check "upnpc -d removes the mapping" upnpc_home -u "$LAB_UPNP_URL" -d 18080 TCP
lab_check "after upnpc -d, $LAB_WAN_IP:18080 is closed again" \
	lab_unreachable_tcp "$LAB_INET" "$LAB_WAN_IP" 18080

# NAT-PMP
lab_check "natpmpc reports the router's WAN address" \
	expect_out "Public IP address : $LAB_WAN_IP" -- natpmpc_home
lab_check "natpmpc -a maps $LAB_WAN_IP:28080/tcp" \
	expect_out "Mapped public port 28080 protocol TCP to local port 8080" -- natpmpc_home -a 28080 8080 tcp 600
lab_check "the internet host reaches home through the NAT-PMP TCP mapping" \
	expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 28080
lab_check "natpmpc -a maps $LAB_WAN_IP:28081/udp" \
	expect_out "Mapped public port 28081 protocol UDP to local port 8081" -- natpmpc_home -a 28081 8081 udp 600
lab_check "the internet host reaches home through the NAT-PMP UDP mapping" \
	expect_out home-udp-8081 -- lab_probe_udp "$LAB_INET" "$LAB_WAN_IP" 28081

# PCP (IPv4 MAP through the NAT, IPv6 MAP = a pinhole in the router's firewall)
lab_check "PCP MAP (IPv4) maps $LAB_WAN_IP:38080/tcp" \
	expect_out "result=0" "external=$LAB_WAN_IP port=38080" -- \
	pcp_map "$LAB_RTR_LAN_IP" "$LAB_HOME_IP" tcp 8080 38080 600
lab_check "the internet host reaches home through the PCP mapping" \
	expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 38080
lab_check "PCP MAP over IPv6 opens a pinhole for UDP 8081" \
	expect_out "result=0" "external=$LAB_HOME_IP6 port=8081" -- \
	pcp_map "$LAB_RTR_LAN_IP6" "$LAB_HOME_IP6" udp 8081 8081 600
lab_check "the internet host reaches home's IPv6 UDP service through the PCP pinhole" \
	expect_out home-udp-8081 -- lab_probe_udp "$LAB_INET" "$LAB_HOME_IP6" 8081

# UPnP IGDv2 WANIPv6FirewallControl (over the IPv6 control URL: secure_mode wants
# the request to come from the pinhole's own address)
url6="http://[$LAB_RTR_LAN_IP6]:$LAB_HTTP_PORT/rootDesc.xml"
lab_check "upnpc -6 AddPinhole opens TCP 8080 to [$LAB_HOME_IP6]" \
	expect_out "Pinhole ID = " -- upnpc_home -6 -u "$url6" -A "" 0 "$LAB_HOME_IP6" 8080 TCP 600
pin_id=$(printf '%s\n' "$LAB_LAST_OUTPUT" | sed -n 's/.*Pinhole ID = \([0-9]*\).*/\1/p' | head -n 1)
lab_check "the internet host reaches home's IPv6 TCP service through the UPnP pinhole" \
	expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" "$LAB_HOME_IP6" 8080
lab_check "upnpc -6 DeletePinhole removes it" upnpc_home -6 -u "$url6" -D "${pin_id:-none}"
LAB_PROBE_TIMEOUT=1 lab_check "after DeletePinhole, IPv6 [$LAB_HOME_IP6]:8080 is filtered again" \
	lab_unreachable_tcp "$LAB_INET" "$LAB_HOME_IP6" 8080
lab_check "lab_down removes the namespaces" lab_down

# ---- upnp only -------------------------------------------------------------
lab_check "lab_up upnp" lab_up upnp && {
	lab_check "services start" services
	lab_check "upnp variant: upnpc -a maps 18080" \
		expect_out "is redirected to internal $LAB_HOME_IP:8080" -- \
		upnpc_home -u "$LAB_UPNP_URL" -a "$LAB_HOME_IP" 8080 18080 TCP 600
	lab_check "upnp variant: reachable through the UPnP mapping" \
		expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 18080
	lab_check_fails "upnp variant: natpmpc gets no answer" natpmpc_home -a 28080 8080 tcp 600
	lab_check_fails "upnp variant: PCP gets no answer" \
		pcp_map "$LAB_RTR_LAN_IP" "$LAB_HOME_IP" tcp 8080 38080 600
	lab_check "upnp variant: $LAB_WAN_IP:28080 stays closed" \
		lab_unreachable_tcp "$LAB_INET" "$LAB_WAN_IP" 28080
	lab_down
}

# ---- NAT-PMP/PCP only ------------------------------------------------------
lab_check "lab_up natpmp" lab_up natpmp && {
	lab_check "services start" services
	lab_check_fails "natpmp variant: upnpc finds no IGD at the router's URL" \
		upnpc_home -u "http://$LAB_RTR_LAN_IP:$LAB_HTTP_PORT/rootDesc.xml" -s
	lab_check "natpmp variant: natpmpc -a maps 28080" \
		expect_out "Mapped public port 28080" -- natpmpc_home -a 28080 8080 tcp 600
	lab_check "natpmp variant: reachable through the NAT-PMP mapping" \
		expect_out home-tcp-8080 -- lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 28080
	lab_down
}

# ---- none: NAT without any mapping service ---------------------------------
lab_check "lab_up none" lab_up none || { lab_done; exit 1; }
lab_check "services start" services
lab_check "none: home still reaches the internet host through NAT" \
	expect_out "you are ::ffff:$LAB_WAN_IP" -- lab_probe_tcp "$LAB_HOME" "$LAB_INET_IP" 7000
lab_check_fails "none: upnpc discovery finds no IGD" upnpc_home -m "$LAB_HOME_IF" -s
lab_check_fails "none: upnpc -a against the router's URL fails" \
	upnpc_home -u "http://$LAB_RTR_LAN_IP:$LAB_HTTP_PORT/rootDesc.xml" -a "$LAB_HOME_IP" 8080 18080 TCP 600
lab_check_fails "none: natpmpc -a fails" natpmpc_home -a 28080 8080 tcp 600
lab_check_fails "none: PCP MAP fails" pcp_map "$LAB_RTR_LAN_IP" "$LAB_HOME_IP" tcp 8080 38080 600
for port in 8080 18080 28080 38080; do
	lab_check "none: $LAB_WAN_IP:$port stays unreachable" \
		lab_unreachable_tcp "$LAB_INET" "$LAB_WAN_IP" "$port"
done
lab_down

lab_done
