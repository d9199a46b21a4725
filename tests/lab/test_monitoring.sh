#!/bin/bash
# The monitoring files against a running agent: the agent runs in the lab with
# an exposure (a router lease), a dynamic-DNS record on the lab's Knot server
# and the reflector (self-checks), so every labelled series exists; its
# metrics listener is scraped and every homeexpose_* metric the Prometheus
# rules, their test and the Grafana dashboard name (monitoring/check.sh
# --names) must be exported with a sample; so must every label the alerts'
# annotations use. promtool lints the exposition itself.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/agent_lib.sh"
. "$(dirname "$0")/knot.sh"

RPORT=7700
MPORT=9479
lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "Knot DNS serves home.example on the internet host" lab_knot_up home.example
agent_conf "[reflector]\nurl = http://$LAB_INET_IP:$RPORT\n[publicip]\nstun-servers = none\nhttp-urls = none\nsources-required = 1\n[agent]\ncheck-interval = 2\nmetrics-listen = 127.0.0.1:$MPORT\n[ddns home]\nprovider = rfc2136\nserver = $LAB_INET_IP\nzone = home.example\nhostname = nas.home.example\ntsig-key-file = $LAB_KNOT_KEY\nfamilies = A\n"
: >"$LAB_DIR/etc/inet.conf"
lab_check "reflector starts on the internet host" eval '
	lab_spawn "$LAB_INET" "$LAB_DIR/reflector.log" "$HE_BIN" -c "$LAB_DIR/etc/inet.conf" \
		reflector --listen ":$RPORT" && _lab_wait_listen "$LAB_INET" -t "$RPORT"'
lab_check "home service listens on 8080" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080
lab_check "open 8443:8080 web" he open 8443:8080/tcp web --ipv4-only --no-check
lab_check "agent starts" agent_start

metrics() { in_home curl -s --max-time 3 "http://127.0.0.1:$MPORT/metrics"; }
# has_samples NAME...: the exposition on stdin has a # TYPE line and at least
# one sample for every NAME; names none is missing
has_samples() {
	local text n missing=0
	text=$(cat)
	[ -n "$text" ] || { echo "empty exposition"; return 1; }
	[ "$#" -gt 0 ] || { echo "no names to look for"; return 1; }
	for n in "$@"; do
		if ! grep -q "^# TYPE $n " <<<"$text" || ! grep -Eq "^$n(\{| )" <<<"$text"; then
			echo "not exported: $n"
			missing=1
		fi
	done
	[ "$missing" = 0 ] && echo "all $# exported with samples"
	[ "$missing" = 0 ]
}
mapfile -t names < <("$LAB_ROOT/monitoring/check.sh" --names)
# wait (bounded) for the labelled series: a self-check and a DNS update done
scrape_full() {
	local _
	for _ in $(seq 1 100); do
		metrics >"$LAB_DIR/metrics.txt" 2>/dev/null
		grep -q '^homeexpose_check_reachable{' "$LAB_DIR/metrics.txt" &&
			grep -Eq '^homeexpose_ddns_last_success_timestamp_seconds\{.*\} [1-9]' \
				"$LAB_DIR/metrics.txt" && return 0
		sleep 0.1
	done
	echo "no self-check or DNS update within 10 s:"
	cat "$LAB_DIR/metrics.txt"
	return 1
}
lab_check "the scrape has the self-check's and the DNS record's series" scrape_full
lab_check "the rules, their test and the dashboard name ${#names[@]} metrics" \
	test "${#names[@]}" -ge 20
lab_check "every one is exported by the agent, with a sample" \
	eval 'has_samples "${names[@]}" <"$LAB_DIR/metrics.txt"'
lab_check_fails "a name the agent does not export is caught" \
	eval 'has_samples "${names[@]}" homeexpose_no_such_metric <"$LAB_DIR/metrics.txt"'
lab_check_fails "an empty scrape is caught" eval 'has_samples "${names[@]}" </dev/null'
# the labels the alerts' summaries print ({{ $labels.X }}), but Prometheus's own
labels_exported() {
	local l missing=0
	for l in $(grep -o '\$labels\.[a-z_]*' "$LAB_ROOT/monitoring/homeexpose.rules.yml" |
		sed 's/.*\.//' | sort -u); do
		case "$l" in instance | job) continue ;; esac
		grep -q "[{,]$l=\"" "$LAB_DIR/metrics.txt" || { echo "label not exported: $l"; missing=1; }
	done
	[ "$missing" = 0 ]
}
lab_check "every label the alerts print is exported" labels_exported
lab_check "the lease, reachability and DNS series carry the values the rules expect" \
	expect_out 'homeexpose_mapping_lease_remaining_seconds{name="web",transport="tcp",family="ipv4",port="8443",protocol="pcp"}' \
	'homeexpose_check_reachable{exposure="web",port="8443",proto="tcp",family="ipv4"} 1' \
	'homeexpose_ddns_failures_total{record="home"} 0' -- cat "$LAB_DIR/metrics.txt"
lab_check "promtool check metrics: the exposition lints clean" \
	eval 'promtool check metrics <"$LAB_DIR/metrics.txt"'
lab_down
lab_done
