#!/bin/bash
# Address changes without a router that tells (issue 12), lab variant none
# (no miniupnpd: no PCP, NAT-PMP or UPnP answers):
#  - the home host holds the public address itself (11.77.5.2 in a public
#    subnet the router routes to the LAN): netlink address events; a new address reaches
#    the dyndns2 server within 1 s, zero outside requests in a steady state;
#  - behind the silent router (NAT, public address only seen from outside):
#    one STUN exchange every poll-interval (2 s here); a WAN change reaches the
#    dyndns2 server within one poll interval (plus 1 s for the exchange and
#    the update).
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/ddns_common.sh"
. "$(dirname "$0")/agent_lib.sh"
. "$(dirname "$0")/events_common.sh"

# A routed public subnet on the LAN (11.77.5.0/24, the router 11.77.5.1): the
# home host holds a public address itself, as on a bridged modem.
public_lan() {
	in_rtr ip addr add 11.77.5.1/24 dev "$LAB_LAN_IF" &&
		in_inet ip route replace 11.77.5.0/24 via "$LAB_WAN_IP" &&
		in_home ip addr del "$LAB_HOME_IP/24" dev "$LAB_HOME_IF" &&
		in_home ip addr add 11.77.5.2/24 dev "$LAB_HOME_IF" &&
		in_home ip route replace default via 11.77.5.1
}
# renumber OLD NEW: the ISP hands the home host another address in that subnet
renumber() {
	in_home ip addr del "$1/24" dev "$LAB_HOME_IF" &&
		in_home ip addr add "$2/24" dev "$LAB_HOME_IF" &&
		in_home ip route replace default via 11.77.5.1
}
# private_lan CUR: back behind the router's NAT
private_lan() {
	in_home ip addr del "$1/24" dev "$LAB_HOME_IF" &&
		in_home ip addr add "$LAB_HOME_IP/24" dev "$LAB_HOME_IF" &&
		in_home ip route replace default via "$LAB_RTR_LAN_IP"
}

lab_check "none: lab_up" lab_up none || { lab_done; exit 1; }
lab_check "none: dyndns2, STUN and HTTP services on the internet host" ev_inet_services
lab_check "none: the home host holds 11.77.5.2 (a routed public subnet)" public_lan
ev_conf
lab_check "own address: DNS-only agent starts" agent_start
lab_check "own address: 11.77.5.2 is published at start" until_myip 3000 11.77.5.2
lab_check "own address: list says address changes come by netlink" ev_mode netlink
lab_check "own address: steady state, zero outside requests" ev_steady
lab_check "own address: the host's address becomes 11.77.5.3" renumber 11.77.5.2 11.77.5.3
lab_check "own address: the dyndns2 server has 11.77.5.3 within 1 s" until_myip 1000 11.77.5.3
lab_check "own address: the agent stops" ev_agent_stop

lab_check "silent router: the home host is behind the router's NAT again" private_lan 11.77.5.3
ev_conf "poll-interval = 2
metrics-listen = 127.0.0.1:9477"
lab_check "silent router: agent starts" agent_start
lab_check "silent router: the outside's 11.77.0.2 is published" until_myip 5000 11.77.0.2
lab_check "silent router: list says it polls every 2 s" ev_mode polling
lab_check "silent router: list names the poll interval" \
	expect_out "polling every 2 s" -- he list
lab_check "silent router: status names the mode and why" \
	expect_out '"mode":"polling"' '"poll_interval":2' "no router protocol answers" -- agent_ctl status
lab_check "silent router: WAN -> 11.77.0.3" lab_set_wan_ip 11.77.0.3
lab_check "silent router: the dyndns2 server has 11.77.0.3 within one poll interval" \
	until_myip 3000 11.77.0.3
lab_check "silent router: metrics count the polls" \
	expect_out "homeexpose_address_polls_total" 'mode="polling"' -- \
	in_home curl -s --max-time 3 http://127.0.0.1:9477/metrics
lab_check "silent router: the agent stops" ev_agent_stop
lab_down
lab_done
