#!/bin/bash
# homeexpose status (issue 14): one screen from the agent's socket, the live
# view and the ddns document. Agent running with its self-check: the exposure
# shows router ok 1/1, firewall open, reachable; status --json says the same;
# a user without root gets the screen too; the agent stopped: "not running".
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/agent_lib.sh"

RPORT=7701
lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
agent_conf "[reflector]\nurl = http://$LAB_INET_IP:$RPORT\n[publicip]\nstun-servers = none\nhttp-urls = none\n[agent]\ncheck-interval = 2\n"
: >"$LAB_DIR/etc/inet.conf"
lab_check "reflector starts on the internet host" eval '
	lab_spawn "$LAB_INET" "$LAB_DIR/reflector.log" "$HE_BIN" -c "$LAB_DIR/etc/inet.conf" \
		reflector --listen ":$RPORT" --rate 600 && _lab_wait_listen "$LAB_INET" -t "$RPORT"'
lab_check "home service listens on 8080" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080
lab_check "status before anything: agent not running, no exposure" \
	expect_out "agent       not running" "exposures   0" "dns         0 records" -- he status
lab_check "open 8443:8080 web over PCP" \
	expect_out "router: pcp " -- he open 8443:8080/tcp web --ipv4-only --protocol pcp --no-check
lab_check "agent starts" agent_start

lab_check "status: agent running, web with router ok 1/1, firewall open, reachable" \
	he_says 5000 status "agent       running" "router      pcp via" "firewall    nftables, in place" \
	"web            8443:8080/tcp" "ok 1/1" "open" "reachable ("
lab_check "status --json: the same, with schema_version" eval '
	he status --json | python3 -c "import json,sys
d=json.load(sys.stdin)
assert d[\"schema_version\"]==1 and d[\"agent\"][\"running\"] is True, d
x=d[\"exposures\"][0]
assert x[\"name\"]==\"web\" and x[\"router_state\"]==dict(state=\"ok\",mappings=1,wanted=1), x
assert x[\"firewall_state\"][\"state\"]==\"open\" and x[\"reachability\"][\"state\"]==\"reachable\", x
assert d[\"public\"][\"ipv4\"]==\"$LAB_WAN_IP\", d[\"public\"]
print(\"ok\")"'
lab_check "status --json is valid against the schema" eval 'he status --json >"$LAB_DIR/status.json" && lab_json_valid status "$LAB_DIR/status.json"'
lab_check "list --json (with the agent's view) is valid against the schema" eval 'he list --json >"$LAB_DIR/list.json" && lab_json_valid list "$LAB_DIR/list.json"'
lab_check "check --json is valid against the schema" eval 'he check web --json >"$LAB_DIR/check.json"; lab_json_valid check "$LAB_DIR/check.json"'
lab_check "status as a user without root: the agent still answers" \
	expect_out "agent       running" "web " -- in_home setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" status
lab_check "SIGTERM stops the agent" eval '
	kill -TERM $AGENT_PID; for i in $(seq 1 100); do agent_alive || break; sleep 0.05; done
	! agent_alive'
lab_check "status without the agent: not running, verdict not known" \
	expect_out "agent       not running" "not known" "ok 1/1" -- he status
lab_check "close web" he close web
lab_down
lab_done
