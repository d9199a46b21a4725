#!/bin/bash
# The agent keeps a dyndns2 record current: the router's WAN address changes,
# miniupnpd announces it, the agent asks the router (no outside service) and the
# dyndns2 server on the internet host has the new address within 1 s. In a
# steady state with an announcing router the "what is my IP" service on the
# internet host sees zero requests.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/ddns_common.sh"
. "$(dirname "$0")/agent_lib.sh"

HTTP_PORT=8000
# nhttp: requests the "what is my IP" service has seen
nhttp() { grep -c . "$LAB_DIR/http.log" 2>/dev/null || true; }

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "test CA and server certificate" ddns_pki
lab_check "dyndns2 server on the internet host" ddns_serve dyndns2 --user alice --password s3cret
lab_check "\"what is my IP\" service on the internet host" eval '
	lab_spawn "$LAB_INET" "$LAB_DIR/http.log" python3 "$LAB_SRC/whatismyip.py" "$HTTP_PORT" \
		"$LAB_DIR/http.ready" && _lab_wait_file "$LAB_DIR/http.ready"'
secret "$LAB_DIR/pw" s3cret
agent_conf "[publicip]
stun-servers = none
http-urls = http://$LAB_INET_IP:$HTTP_PORT/
[agent]
outside-check-interval = 300
[ddns home]
provider = dyndns2
server = $LAB_INET_IP:8443
hostname = home.example.org
username = alice
password-file = $LAB_DIR/pw
ca-file = $LAB_DIR/pki/ca.pem
families = A
"
lab_check "home service starts" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080
# --no-check: the check at the end of open asks the configured outside services
# itself; what is counted here is the agent's steady state
lab_check "open 8443:8080 web (PCP)" he open 8443:8080/tcp web --ipv4-only --protocol pcp --no-check
lab_check "agent starts" agent_start
lab_check "the agent publishes the router's address at start" until_myip 3000 "$LAB_WAN_IP"
lab_check "one request to the dyndns2 server" nreq_is 1
sleep 3 # steady state; also lets the router's epoch grow past the check's slack
lab_check "steady state: no further DNS update" nreq_is 1
lab_check "steady state: zero requests to the outside check service" eval '[ "$(nhttp)" = 0 ]'

lab_check "the router's WAN address changes to 11.77.0.3" lab_set_wan_ip 11.77.0.3
lab_check "WAN change -> the dyndns2 server has 11.77.0.3 within 1 s" until_myip 1000 11.77.0.3
lab_check "exactly one more request" nreq_is 2
lab_check "still zero requests to the outside check service" eval '[ "$(nhttp)" = 0 ]'
lab_check "ddns-status over the control socket shows the accepted address" \
	expect_out '"address":"11.77.0.3"' '"outside_checks":0' -- agent_ctl ddns-status
# a non-root user: `ddns status` asks the agent, which needs no access to the state
nobody() { in_home setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
chmod 0700 "$LAB_DIR/state"
lab_check "ddns status as nobody (state unreadable to them): the agent's records" \
	expect_out "home" "11.77.0.3" "good" "from the running agent" -- \
	nobody "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" ddns status
lab_check "ddns status --json as nobody: source agent, the address" \
	expect_out '"source": "agent"' '"address": "11.77.0.3"' -- \
	nobody "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" ddns status --json
lab_check "the agent logged the change" log_has "public IPv4 address changed: 11.77.0.2 -> 11.77.0.3"
lab_check "the mapping follows: reachable at 11.77.0.3" until_reachable 2000 8443 banner-8080
lab_check "the agent stops (SIGTERM)" eval 'kill "$AGENT_PID" && for _ in $(seq 100); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.05; done; ! kill -0 "$AGENT_PID" 2>/dev/null'
lab_check "no agent, state unreadable: nobody is told why and how to fix it (exit 1)" \
	expect_out "permission denied" "Run as root" "start the agent" -- \
	eval 'nobody "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" ddns status 2>&1; [ $? = 1 ]'
lab_check "no agent: root reads the state file" \
	expect_out "11.77.0.3" -- he ddns status
lab_down
lab_done
