#!/bin/bash
# `ddns import` of a ddclient.conf, then the agent keeps the imported dyndns2
# record current: the router's WAN address changes, the agent learns it from
# the router and the dyndns2 server on the internet host (HTTPS, test CA) has
# the new address. The server checks basic auth, so a "good" answer also
# proves the password moved into its secret file intact. The ddclient.conf
# uses the syntax of ddclient(8): global defaults, a continued line, a '#'
# inside password=, ssl_ca_file, and use=cmd (reported, not run).
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/ddns_common.sh"
. "$(dirname "$0")/agent_lib.sh"

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "test CA and server certificate" ddns_pki
lab_check "dyndns2 server on the internet host" ddns_serve dyndns2 --user alice --password 's3cret#1'
agent_conf "[publicip]
stun-servers = none
http-urls = none
sources-required = 1
"
cat >"$LAB_DIR/ddclient.conf" <<EOC
# ddclient.conf
daemon=300
ssl=yes
use=cmd, cmd='/usr/local/bin/my-ip'
ssl_ca_file=$LAB_DIR/pki/ca.pem

protocol=dyndns2,            \\
server=$LAB_INET_IP:8443,    \\
login=alice,                 \\
password=s3cret#1            \\
home.example.org
EOC
chmod 600 "$LAB_DIR/ddclient.conf"
lab_check "ddns import --dry-run shows the record and writes nothing" \
	expect_out "[ddns home.example.org]" "server = $LAB_INET_IP:8443" "use=cmd" -- \
	eval 'he ddns import "$LAB_DIR/ddclient.conf" --dry-run && [ ! -e "$LAB_DIR/etc/secrets" ]'
lab_check "ddns import writes the record; config check passes" \
	expect_out "written to $LAB_DIR/etc/homeexpose.conf" "config check ok" -- \
	he ddns import "$LAB_DIR/ddclient.conf"
lab_check "the password is in a 0600 file beside the configuration, not in it" \
	eval '[ "$(stat -c %a "$LAB_DIR/etc/secrets/home.example.org.password")" = 600 ] &&
		grep -qx "s3cret#1" "$LAB_DIR/etc/secrets/home.example.org.password" &&
		! grep -q "s3cret" "$LAB_DIR/etc/homeexpose.conf"'
lab_check "the imported section names the server, the CA and the secret file" \
	expect_out "provider = dyndns2" "ca-file = $LAB_DIR/pki/ca.pem" \
	"password-file = $LAB_DIR/etc/secrets/home.example.org.password" -- \
	cat "$LAB_DIR/etc/homeexpose.conf"
lab_check "config check" he config check
lab_check "home service starts" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080
lab_check "open 8443:8080 web (PCP)" he open 8443:8080/tcp web --ipv4-only --protocol pcp --no-check
lab_check "agent starts" agent_start
lab_check "the agent publishes the router's address through the imported record" \
	until_myip 5000 "$LAB_WAN_IP"
lab_check "the server took the imported credentials (basic auth alice / s3cret#1)" \
	grep -q "\"myip\": \"$LAB_WAN_IP\".*\"auth_ok\": true" "$LAB_DIR/srv/requests.log"
lab_check "one request to the dyndns2 server" nreq_is 1
lab_check "the router's WAN address changes to 11.77.0.3" lab_set_wan_ip 11.77.0.3
lab_check "WAN change -> the dyndns2 server has 11.77.0.3" until_myip 3000 11.77.0.3
lab_check "exactly one more request" nreq_is 2
lab_check "ddns status: the imported record, good, 11.77.0.3" \
	expect_out "home.example.org" "11.77.0.3" "good" -- he ddns status
lab_check "the agent stops (SIGTERM)" eval 'kill "$AGENT_PID" && for _ in $(seq 100); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.05; done; ! kill -0 "$AGENT_PID" 2>/dev/null'
lab_check "a second import adds nothing" \
	expect_out "already has this section" -- he ddns import "$LAB_DIR/ddclient.conf"
lab_check "the agent's log holds no secret" eval '! grep -q "s3cret" "$LAB_DIR/agent.log"'
lab_down
lab_done
