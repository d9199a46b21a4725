#!/bin/bash
# make demo: homeexpose in the lab (home server -- router -- internet host).
# Everything happens inside network namespaces this script creates and removes
# (and /etc/netns/NAME/resolv.conf, the home namespace's resolver, removed with
# them). The headline `homeexpose open 443 nextcloud` must end with every link
# of `homeexpose check` passing, the reflector's probe and DNS included: the
# demo exits 0 only when that and every other step holds.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lab/lab.sh
. "$here/lab.sh"
# shellcheck source=tests/lab/knot.sh
. "$here/knot.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() {
	printf '$ %s\n' "$*"
	"$@"
	local rc=$?
	printf '(exit %d)\n' "$rc"
	return 0
}

# lab_down ends what is left with SIGTERM, then SIGKILL; bash would report
# each job it had to kill ("Killed") when the script exits. The demo's jobs
# are the lab's: drop them from the job table first (lab_down still ends and
# reaps them by the namespaces' pids).
demo_down() {
	disown -a 2>/dev/null
	lab_down
}

if [ "$(id -u)" != 0 ]; then
	echo "demo: needs root for network namespaces: sudo make demo" >&2
	exit 1
fi

say "Building the lab: home server (LAN) -- router (miniupnpd, nftables NAT) -- internet host"
lab_up full || { echo "demo: the lab did not come up" >&2; exit 1; }
echo "home server  $LAB_HOME_IP  (namespace $LAB_HOME)"
echo "router       LAN $LAB_RTR_LAN_IP, WAN $LAB_WAN_IP  (namespace $LAB_RTR)"
echo "internet     $LAB_INET_IP  (namespace $LAB_INET)"

etc=$LAB_DIR/etc
mkdir -p "$etc"
printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR" \
	>"$etc/homeexpose.conf"
he() { in_home "$HE_BIN" -c "$etc/homeexpose.conf" "$@"; }

say "What does Jitsi need?"
run he services jitsi

say "A port that should never face the internet is refused, with the reason"
run he open 25 mail

say "A web service on the home server (port 8080), not yet reachable from the internet"
lab_serve_tcp "$LAB_HOME" :: 8080 "hello from the home server"
printf '$ (internet host) connect %s:8443\n' "$LAB_WAN_IP"
lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 8443 || echo "(no answer: not reachable)"

say "homeexpose opens it: router mapping (PCP/NAT-PMP/UPnP) and host firewall"
run he open 8443:8080/tcp web --ipv4-only

say "The internet host connects to the router's public address"
printf '$ (internet host) connect %s:8443\n' "$LAB_WAN_IP"
demo_rc=0
if lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 8443; then
	echo "(reached the home server through the router: the exposure works)"
else
	echo "demo: the service was NOT reachable after open" >&2
	demo_rc=1
fi

run he list

say "Closing it makes it unreachable again"
run he close web
printf '$ (internet host) connect %s:8443\n' "$LAB_WAN_IP"
lab_probe_tcp "$LAB_INET" "$LAB_WAN_IP" 8443 || echo "(no answer: not reachable)"

say "Dynamic DNS: a real Knot DNS server on the internet host serves home.example"
lab_knot_up home.example || { echo "demo: Knot DNS did not start" >&2; demo_down; exit 1; }
# the public address: the router's WAN address and this host's global IPv6
# (the lab has no STUN or HTTP check service, so one source is enough here)
cat >>"$etc/homeexpose.conf" <<EOF
[publicip]
stun-servers = none
http-urls = none
sources-required = 1

[ddns home]
provider = rfc2136
server = $LAB_INET_IP
zone = home.example
hostname = nas.home.example
tsig-key-file = $LAB_KNOT_KEY
families = A AAAA
EOF
printf '$ (internet host) kdig nas.home.example A\n'
[ -z "$(lab_knot_query nas.home.example A)" ] && echo "(no record yet)"
run he ddns update
printf '$ (internet host) kdig nas.home.example A; kdig nas.home.example AAAA\n'
got=$(lab_knot_query nas.home.example A)
echo "$got"
lab_knot_query nas.home.example AAAA
if [ "$got" = "$LAB_WAN_IP" ]; then
	echo "(the name now points at the router's public address)"
else
	echo "demo: the DNS record was NOT updated" >&2
	demo_rc=1
fi
run he ddns status

say "The headline: homeexpose open 443 nextcloud, proven from outside"
# the outside half: the reflector on the internet host (`homeexpose reflector`,
# in real life on a VPS or a friend's host; package homeexpose-reflector)
: >"$etc/inet.conf"
lab_spawn "$LAB_INET" "$LAB_DIR/reflector.log" "$HE_BIN" -c "$etc/inet.conf" \
	reflector --listen :7700
printf '$ (internet host) homeexpose reflector --listen :7700 &\n'
if ! _lab_wait_listen "$LAB_INET" -t 7700; then
	echo "demo: the reflector did not start" >&2
	cat "$LAB_DIR/reflector.log" >&2
	demo_rc=1
fi
printf '[reflector]\nurl = http://%s:7700 http://[%s]:7700\n' "$LAB_INET_IP" "$LAB_INET_IP6" \
	>>"$etc/homeexpose.conf"
# the home host asks the lab's Knot server for names: `ip netns exec` mounts
# /etc/netns/NAME/resolv.conf over /etc/resolv.conf (removed with the lab)
netns_etc=/etc/netns/$LAB_HOME
lab_cleanup_hook() {
	rm -rf "$netns_etc"
	rmdir /etc/netns 2>/dev/null
	return 0
}
mkdir -p "$netns_etc"
printf 'nameserver %s\n' "$LAB_INET_IP" >"$netns_etc/resolv.conf"
printf '$ (home server) cat /etc/resolv.conf\n'
in_home cat /etc/resolv.conf
printf '$ (home server) getent hosts nas.home.example\n'
in_home getent ahosts nas.home.example | awk '$2 == "STREAM" {print $1}'
# a stand-in for Nextcloud: something answering on 443 (IPv4 and IPv6)
lab_serve_tcp "$LAB_HOME" :: 443 "HTTP/1.1 200 OK - a stand-in for Nextcloud"
printf '$ (home server) a web service listens on :443\n'
run he services nextcloud
# the command exactly as a user types it: the lab's config comes from
# HOMEEXPOSE_CONFIG, the binary from PATH
bindir=$(cd "$(dirname "$HE_BIN")" && pwd)
headline() { in_home env PATH="$bindir:$PATH" HOMEEXPOSE_CONFIG="$etc/homeexpose.conf" "$@"; }
printf '$ homeexpose open 443 nextcloud\n'
headline homeexpose open 443 nextcloud
printf '(exit %d)\n' "$?"
printf '$ homeexpose check nextcloud\n'
headline homeexpose check nextcloud
check_rc=$?
printf '(exit %d)\n' "$check_rc"
# every link of every port and family passes (hairpin is information only:
# the lab's router, like many, has no NAT loopback)
if headline homeexpose check nextcloud --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
bad = ["%s %s: %s %s" % (t["external_port"], t["family"], s["step"], s["status"])
       for t in d["checks"] for s in t["steps"]
       if s["step"] != "hairpin" and s["status"] != "pass"]
fams = sorted(t["family"] for t in d["checks"])
if bad or not d["reachable"] or fams != ["ipv4", "ipv6"]:
    print("not every link passes:", bad, "reachable", d["reachable"], fams)
    sys.exit(1)
print("every link passes for", ", ".join("443/tcp " + f for f in fams),
      "- listener, firewall, router, addresses, outside (reflector), dns")
' && [ "$check_rc" = 0 ]; then
	echo "(the whole chain holds: reachable from outside, and the name resolves to it)"
else
	echo "demo: homeexpose check nextcloud did NOT pass every link" >&2
	demo_rc=1
fi

say "The agent keeps it all true: the router's address changes, the DNS record follows"
run he open 8443:8080/tcp web --ipv4-only
lab_spawn "$LAB_HOME" "$LAB_DIR/agent.log" "$HE_BIN" -c "$etc/homeexpose.conf" agent --foreground
printf '$ homeexpose agent --foreground &   (pid %s, log in %s)\n' "$LAB_LAST_PID" "$LAB_DIR/agent.log"
sleep 2
printf '$ (router) the ISP hands out a new WAN address: 11.77.0.9\n'
t0=${EPOCHREALTIME/./}
lab_set_wan_ip 11.77.0.9 >/dev/null
got=""
for _ in $(seq 1 300); do
	got=$(lab_knot_query nas.home.example A)
	[ "$got" = 11.77.0.9 ] && break
	sleep 0.01
done
t1=${EPOCHREALTIME/./}
printf '$ (internet host) kdig nas.home.example A\n%s\n' "$got"
if [ "$got" = 11.77.0.9 ]; then
	echo "(the record followed the new address within $(((t1 - t0) / 1000)) ms, no command typed)"
else
	echo "demo: the agent did NOT update the DNS record" >&2
	demo_rc=1
fi
printf '$ (internet host) connect 11.77.0.9:8443\n'
lab_probe_tcp "$LAB_INET" 11.77.0.9 8443 || echo "(no answer: not reachable)"
echo "--- the agent's log:"
sed 's/^/  /' "$LAB_DIR/agent.log"
run he list

say "Done; the lab is removed."
demo_down
exit "$demo_rc"
