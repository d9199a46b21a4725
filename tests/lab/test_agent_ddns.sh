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
# until_myip MS ADDR: wait until the dyndns2 server got myip=ADDR; prints the time
until_myip() {
	local max=$1 want=$2 t0 now
	t0=${EPOCHREALTIME/./}
	while :; do
		now=${EPOCHREALTIME/./}
		if grep -q "\"myip\": \"$want\"" "$LAB_DIR/srv/requests.log" 2>/dev/null; then
			echo "(the server had myip=$want after $(((now - t0) / 1000)) ms)"
			return 0
		fi
		if [ $(((now - t0) / 1000)) -gt "$max" ]; then
			echo "(no update to $want within $max ms)"
			return 1
		fi
		sleep 0.01
	done
}

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
lab_check "open 8443:8080 web (PCP; --no-check: the check would ask the HTTP service)" he open 8443:8080/tcp web --ipv4-only --protocol pcp --no-check
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
lab_check "the agent logged the change" log_has "public IPv4 address changed: 11.77.0.2 -> 11.77.0.3"
lab_check "the mapping follows: reachable at 11.77.0.3" until_reachable 2000 8443 banner-8080
lab_down
lab_done
