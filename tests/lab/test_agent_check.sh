#!/bin/bash
# The agent's periodic reachability self-check in the lab (full variant, PCP):
# the reflector runs on the internet host, the agent in the home namespace
# with check-interval = 2 s. The service reachable: `list` says so; the
# service stopped: within the interval `list` says NOT reachable naming the
# listener, the log has the change line, the metric is 0; the service back:
# reachable again.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/agent_lib.sh"

RPORT=7700
lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
agent_conf "[reflector]\nurl = http://$LAB_INET_IP:$RPORT\n[publicip]\nstun-servers = none\nhttp-urls = none\n[agent]\ncheck-interval = 2\nmetrics-listen = 127.0.0.1:9478\n"
: >"$LAB_DIR/etc/inet.conf"
lab_check "reflector starts on the internet host" eval '
	lab_spawn "$LAB_INET" "$LAB_DIR/reflector.log" "$HE_BIN" -c "$LAB_DIR/etc/inet.conf" \
		reflector --listen ":$RPORT" --rate 600 && _lab_wait_listen "$LAB_INET" -t "$RPORT"'
start_service() { lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080 && SVC_PID=$LAB_LAST_PID; }
start_service
lab_check "home service listens on 8080" kill -0 "$SVC_PID"
lab_check "open 8443:8080 web over PCP" \
	expect_out "router: pcp " -- he open 8443:8080/tcp web --ipv4-only --protocol pcp --no-check
lab_check "agent starts" agent_start

# list_says MS WORD...: within MS ms, `homeexpose list` holds every WORD
list_says() { he_says "$1" list "${@:2}"; }
metrics() { in_home curl -s --max-time 3 http://127.0.0.1:9478/metrics; }

lab_check "list: self-check reachable (first run shortly after the start)" \
	list_says 4000 "self-check: reachable (at "
lab_check "the agent logged the verdict" log_has "self-check: web is reachable from outside"
lab_check "metrics: reachable 1 and the last run's time" \
	expect_out 'homeexpose_check_reachable{exposure="web",port="8443",proto="tcp",family="ipv4"} 1' \
	"homeexpose_check_last_run_timestamp_seconds 1" -- metrics
lab_check "list --json: the agent's check state" \
	expect_out '"state": "reachable"' -- he list --json

lab_check "the home service stops" kill "$SVC_PID"
lab_check "within the interval list says NOT reachable, broken link listener" \
	list_says 5000 "self-check: NOT reachable: broken link listener" "nothing listens" "fix: "
lab_check "the agent logged the change, with the fix" \
	log_has "self-check: web is NOT reachable (was reachable): broken link listener for 8443:8080/tcp IPv4"
lab_check "metrics: reachable 0" \
	expect_out 'homeexpose_check_reachable{exposure="web",port="8443",proto="tcp",family="ipv4"} 0' -- metrics
lab_check "the router mapping was kept meanwhile (the loop is not blocked)" \
	expect_out '"ok":true' '"protocol":"pcp"' -- agent_ctl status

start_service
lab_check "the home service is back" kill -0 "$SVC_PID"
lab_check "reachable again within the interval" list_says 5000 "self-check: reachable (at "
lab_check "the agent logged the recovery" log_has "self-check: web is reachable from outside again (was not reachable)"
lab_check "SIGTERM stops the agent (no check thread left behind)" eval '
	kill -TERM $AGENT_PID; for i in $(seq 1 100); do agent_alive || break; sleep 0.05; done
	! agent_alive'
lab_down
lab_done
