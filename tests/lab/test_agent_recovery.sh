#!/bin/bash
# The agent recovers router state: NAT-PMP (router restarted: within 2 s, from
# the announcement), UPnP (no restart signal: within the verification period),
# and after being killed with SIGKILL in the middle of its work (no duplicate
# mappings on the router, the state intact).
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/agent_lib.sh"

# count_upnp PORT: how many entries the router's UPnP table has for PORT/TCP
count_upnp() {
	in_home upnpc -u "$LAB_UPNP_URL" -l 2>/dev/null | grep -c "TCP *$1->"
}

# --- NAT-PMP
lab_check "lab_up natpmp" lab_up natpmp || { lab_done; exit 1; }
agent_conf '[router]\nprotocols = natpmp\n[agent]\ndrift-interval = 30\n'
lab_check "home service starts" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080
lab_check "open over NAT-PMP" \
	expect_out "router: natpmp " -- he open 8443:8080/tcp web --ipv4-only --protocol natpmp
lab_check "agent starts" agent_start
sleep 3 # a router that has run a while (the epoch check allows 2 s of slack)
lab_check "lab_restart_router" lab_restart_router
lab_check "NAT-PMP: reachable again within 2 s" until_reachable 2000 8443 banner-8080
lab_check "re-mapped with NAT-PMP after the announcement" \
	log_has "mapped web: natpmp 8443/tcp"
lab_check "the announcement was seen" log_has "announcement from $LAB_RTR_LAN_IP: epoch 0 (the router restarted"
lab_down

# --- UPnP: no announcement, the verification finds the loss
lab_check "lab_up upnp" lab_up upnp || { lab_done; exit 1; }
agent_conf '[agent]\nverify-interval = 3\ndrift-interval = 30\n'
lab_check "home service starts" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080
for p in 8443 8444 8445; do
	lab_check "open $p over UPnP" he open "$p:8080/tcp" "web$p" --ipv4-only --protocol upnp
done
lab_check "agent starts" agent_start
lab_check "lab_restart_router" lab_restart_router
lab_check "UPnP: reachable again within the verification period (3 s, +1 s slack)" \
	until_reachable 4000 8443 banner-8080
lab_check "the verification noticed the loss" log_has "is gone from the router: mapping it again"

# --- SIGKILL in the middle of work
lab_check "lab_restart_router (so the agent has work to do at start)" lab_restart_router
lab_check "agent killed with SIGKILL" eval 'kill -KILL $AGENT_PID; wait $AGENT_PID 2>/dev/null; ! agent_alive'
lab_check "started again and killed with SIGKILL 40 ms into its start-up pass" eval '
	lab_spawn "$LAB_HOME" "$LAB_DIR/agent.log" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" agent -v
	sleep 0.04; kill -KILL $LAB_LAST_PID; wait $LAB_LAST_PID 2>/dev/null; ! kill -0 $LAB_LAST_PID 2>/dev/null'
lab_check "the state is valid JSON with the three mappings" \
	eval 'python3 -c "import json,sys; m=json.load(open(sys.argv[1]))[\"portmap\"][\"mappings\"]; sys.exit(len(m)!=3)" "$LAB_DIR/state/state.json"'
lab_check "agent started again" agent_start
lab_check "every exposure is reachable" eval 'until_reachable 4000 8443 banner-8080 &&
	until_reachable 2000 8444 banner-8080 && until_reachable 2000 8445 banner-8080'
lab_check "no duplicate mappings on the router (one entry per port)" eval '(
	for p in 8443 8444 8445; do n=$(count_upnp $p); echo "port $p: $n"; [ "$n" = 1 ] || exit 1; done)'
lab_check "state still holds exactly three mappings" \
	eval 'python3 -c "import json,sys; m=json.load(open(sys.argv[1]))[\"portmap\"][\"mappings\"]; sys.exit(len(m)!=3)" "$LAB_DIR/state/state.json"'
lab_down
lab_done
