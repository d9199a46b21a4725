#!/bin/bash
# Command-line tests of build/homeexpose: exit codes, messages, --json, drop-ins.
# Runs without root and touches nothing outside a temporary directory.
# Ends with "N passed, N failed".
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
HE=${HE_BIN:-$root/build/homeexpose}
tmp=$(mktemp -d /tmp/he-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export HOMEEXPOSE_STATE_DIR=$tmp/state HOMEEXPOSE_RUNTIME_DIR=$tmp/run
unset HOMEEXPOSE_CONFIG
conf=$tmp/etc/homeexpose.conf
mkdir -p "$tmp/etc"
printf '[general]\nlog-level = info\n' >"$conf"

pass=0
fail=0
out=$tmp/out
err=$tmp/err

# expect RC DESC -- CMD...: run CMD, check its exit code
expect() {
	local want=$1 desc=$2
	shift 3
	"$@" >"$out" 2>"$err"
	local rc=$?
	if [ "$rc" -eq "$want" ]; then
		pass=$((pass + 1))
		echo "ok - $desc"
		return 0
	fi
	fail=$((fail + 1))
	echo "not ok - $desc (exit $rc, wanted $want)"
	sed 's/^/#   out: /' "$out"
	sed 's/^/#   err: /' "$err"
	return 1
}
# grep_in FILE PATTERN DESC
grep_in() {
	if grep -q -- "$2" "$1"; then
		pass=$((pass + 1))
		echo "ok - $3"
	else
		fail=$((fail + 1))
		echo "not ok - $3 (no '$2' in:)"
		sed 's/^/#   /' "$1"
	fi
}
json_ok() {
	if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" 2>"$tmp/jerr"; then
		pass=$((pass + 1))
		echo "ok - $1: valid JSON"
	else
		fail=$((fail + 1))
		echo "not ok - $1: invalid JSON"
		sed 's/^/#   /' "$out" "$tmp/jerr"
	fi
}

# json_valid DEF DESC: $out is valid against docs/schema's definition DEF
json_valid() {
	if python3 "$root/tests/cli/json_check.py" "$1" "$out" 2>"$tmp/jerr"; then
		pass=$((pass + 1))
		echo "ok - $2: valid against the schema ($1)"
	else
		fail=$((fail + 1))
		echo "not ok - $2: not valid against the schema ($1)"
		sed 's/^/#   /' "$tmp/jerr"
	fi
}

HEC=("$HE" -c "$conf")

# --- help and usage
expect 0 "--help" -- "$HE" --help
expect 2 "no command is a usage error" -- "$HE"
expect 2 "unknown command" -- "$HE" frobnicate
grep_in "$err" "unknown command 'frobnicate'" "unknown command named"
for c in open close list check netcheck ddns services agent reflector config status; do
	expect 0 "$c --help" -- "$HE" "$c" --help
	grep_in "$out" "Usage: homeexpose" "$c --help prints usage"
done
expect 2 "mistyped command" -- "$HE" opne
grep_in "$err" "unknown command 'opne' (did you mean 'open'?)" "did you mean the closest command"
expect 2 "far-off command gets no suggestion" -- "$HE" frobnicate
if grep -q "did you mean" "$err"; then fail=$((fail + 1)); echo "not ok - a suggestion for frobnicate"; else pass=$((pass + 1)); echo "ok - no suggestion for frobnicate"; fi
expect 0 "help" -- "$HE" help
grep_in "$out" "Commands:" "help lists the commands"
for c in open close list check netcheck ddns services agent reflector config status; do
	"$HE" "$c" --help >"$tmp/want" 2>&1
	expect 0 "help $c" -- "$HE" help "$c"
	if cmp -s "$out" "$tmp/want"; then pass=$((pass + 1)); echo "ok - help $c is $c --help"; else fail=$((fail + 1)); echo "not ok - help $c differs from $c --help"; fi
done
expect 2 "help of an unknown command" -- "$HE" help netchek
grep_in "$err" "did you mean 'netcheck'" "help suggests the command"
expect 2 "help with two commands" -- "$HE" help open close
expect 0 "--version" -- "$HE" --version
grep_in "$out" "^homeexpose [0-9]" "version printed"
# libcurl, OpenSSL and ldns are loaded on first use (lib/core/lazy.h), not at start-up
expect 0 "readelf -d: the binary's NEEDED libraries" -- readelf -d "$HE"
if grep -q "NEEDED.*libjansson" "$out" && ! grep -Eq "NEEDED.*lib(curl|ssl|crypto|ldns|systemd)" "$out"; then
	pass=$((pass + 1))
	echo "ok - not linked against libcurl, libssl, libcrypto, libldns, libsystemd (loaded on first use)"
else
	fail=$((fail + 1))
	echo "not ok - the binary links libcurl/OpenSSL/ldns at start-up:"
	grep NEEDED "$out"
fi

# --- catalog
expect 0 "services jitsi" -- "${HEC[@]}" services jitsi
grep_in "$out" "443/tcp" "jitsi shows 443/tcp"
grep_in "$out" "10000/udp" "jitsi shows 10000/udp"
expect 0 "services --json" -- "${HEC[@]}" services --json
json_ok "services --json"
json_valid services "services --json"
grep_in "$out" '"name": "syncthing"' "catalog lists syncthing"
expect 0 "services https (/etc/services)" -- "${HEC[@]}" services https
grep_in "$out" "443/tcp" "https is 443/tcp"
expect 2 "services of an unknown name" -- "${HEC[@]}" services no-such-thing-xyz
expect 0 "services jitsi --json" -- "${HEC[@]}" --json services jitsi
json_ok "services jitsi --json"
json_valid service "services jitsi --json"

# --- refused ports
expect 2 "open 25 mail is refused" -- "${HEC[@]}" open 25 mail
grep_in "$err" "refusing to expose port 25" "refusal names the port"
grep_in "$err" "blocklist" "refusal gives the reason"
grep_in "$err" "\-\-force" "refusal names --force"
expect 2 "open 8445:445 refused (internal port counts)" -- "${HEC[@]}" open 8445:445 smb
expect 2 "open pihole refused (local only)" -- "${HEC[@]}" open pihole
grep_in "$err" "open resolver" "pihole refusal says why"
expect 2 "open prometheus refused (local only)" -- "${HEC[@]}" open prometheus
[ ! -e "$tmp/etc/exposures.d/mail.conf" ] && { pass=$((pass + 1)); echo "ok - nothing recorded for a refused open"; } || { fail=$((fail + 1)); echo "not ok - refused open left a drop-in"; }

# --- portspec errors
expect 2 "open 0" -- "${HEC[@]}" open 0 x
grep_in "$err" "port 0 is not a valid port" "port 0 message"
expect 2 "open 65536" -- "${HEC[@]}" open 65536 x
grep_in "$err" "out of range" "65536 message"
expect 2 "open junk portspec" -- "${HEC[@]}" open 80x x
expect 2 "open duplicate ports" -- "${HEC[@]}" open 443 443/tcp x
grep_in "$err" "duplicate port" "duplicate message"
expect 2 "open bad name" -- "${HEC[@]}" open 8443 'a/b'
expect 2 "ipv4-only and ipv6-only together" -- "${HEC[@]}" open 8443 x --ipv4-only --ipv6-only
expect 2 "bad --lease" -- "${HEC[@]}" open 8443 x --lease soon
expect 2 "bad --protocol" -- "${HEC[@]}" open 8443 x --protocol smtp

# --- drop-ins through open/list/close without router and firewall
expect 0 "open --dry-run writes nothing" -- "${HEC[@]}" open 8443:8080/tcp web --dry-run --no-firewall
grep_in "$out" "ports = 8443:8080/tcp" "dry run shows the drop-in"
[ ! -e "$tmp/etc/exposures.d/web.conf" ] && { pass=$((pass + 1)); echo "ok - dry run wrote nothing"; } || { fail=$((fail + 1)); echo "not ok - dry run wrote a drop-in"; }
expect 0 "open --no-router --no-firewall records the exposure" -- "${HEC[@]}" open 8443:8080/tcp 10000/udp web --no-router --no-firewall
grep_in "$tmp/etc/exposures.d/web.conf" "ports = 8443:8080/tcp 10000/udp" "drop-in has the ports"
expect 0 "list --json" -- "${HEC[@]}" list --json
json_ok "list --json"
json_valid list "list --json"
grep_in "$out" '"name": "web"' "list shows web"
expect 0 "config check with the drop-in" -- "${HEC[@]}" config check
grep_in "$out" "1 exposure" "config check counts it"
expect 0 "close by portspec" -- "${HEC[@]}" close 10000/udp
[ ! -e "$tmp/etc/exposures.d/web.conf" ] && { pass=$((pass + 1)); echo "ok - close removed the drop-in"; } || { fail=$((fail + 1)); echo "not ok - drop-in left after close"; }
expect 2 "close of an unknown name is a usage error" -- "${HEC[@]}" close web
grep_in "$err" "no exposure by that name" "close says there is no such exposure"

# --- NAME|PORTSPEC|SERVICE read alike by open, close and check (issue 14)
for c in open close check; do
	expect 2 "$c of an unknown name exits 2" -- "${HEC[@]}" "$c" no-such-thing-xyz
	grep_in "$err" "neither a port nor a known service" "$c names the unknown word"
done
expect 0 "open https (an /etc/services name)" -- "${HEC[@]}" open https --no-router --no-firewall --no-check
expect 0 "close https resolves the service to the exposure's port" -- "${HEC[@]}" open 443 site --no-router --no-firewall --no-check
rm -f "$tmp/etc/exposures.d/https.conf"
expect 0 "close https closes the exposure holding 443/tcp" -- "${HEC[@]}" close https
[ ! -e "$tmp/etc/exposures.d/site.conf" ] && { pass=$((pass + 1)); echo "ok - close SERVICE removed the exposure holding its port"; } || { fail=$((fail + 1)); echo "not ok - close https left site.conf"; }
expect 1 "close of a service nothing exposes" -- "${HEC[@]}" close jitsi
grep_in "$err" "no exposure holds 'jitsi'" "close says nothing holds the service"

# --- check: the heading in both forms, and check SERVICE (nothing is sent: no router,
# no address sources, no reflector, firewall backend none)
printf '[router]\nenabled = no\n[publicip]\nstun-servers = none\nhttp-urls = none\nsources-required = 1\n[firewall]\nbackend = none\n' >"$tmp/quiet.conf"
# status: one screen (no agent here; nothing is sent: router disabled)
expect 0 "status" -- "$HE" -c "$tmp/quiet.conf" status
grep_in "$out" "^agent       not running" "status: the agent is not running"
grep_in "$out" "^dns         0 records" "status: no DNS records"
expect 0 "status --json" -- "$HE" -c "$tmp/quiet.conf" status --json
json_valid status "status --json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema_version"]==1 and d["agent"]["running"] is False and d["ddns"]==[]' "$out" &&
	{ pass=$((pass + 1)); echo "ok - status --json: schema_version, agent not running"; } ||
	{ fail=$((fail + 1)); echo "not ok - status --json"; sed 's/^/#   /' "$out"; }
expect 2 "status with an argument" -- "$HE" -c "$tmp/quiet.conf" status web
expect 1 "check of a forward (not proven: no reflector)" -- "$HE" -c "$tmp/quiet.conf" check 8443:8080
grep_in "$out" "^adhoc 8443:8080/tcp IPv4$" "heading EXT:INT when the ports differ"
expect 1 "check of a port" -- "$HE" -c "$tmp/quiet.conf" check 443
grep_in "$out" "^adhoc 443/tcp IPv4$" "heading EXT alone when the ports are the same"
expect 1 "check SERVICE (an /etc/services name)" -- "$HE" -c "$tmp/quiet.conf" check https
grep_in "$out" "^https 443/tcp IPv4$" "check https checks 443/tcp"
"$HE" -c "$tmp/quiet.conf" check 443 --color=always >"$out" 2>"$err"
grep_in "$out" $'^  \e\\[[0-9;]*mfail\e\\[0m  listener' "check colours its verdict column (--color=always)"
"$HE" -c "$tmp/quiet.conf" check 443 >"$out" 2>"$err"
if grep -q $'\e' "$out"; then fail=$((fail + 1)); echo "not ok - check coloured when not a terminal"; else pass=$((pass + 1)); echo "ok - check: no colour when not a terminal"; fi
expect 1 "check of a range checks each port" -- "$HE" -c "$tmp/quiet.conf" check 60000-60002/udp
[ "$(grep -c '^adhoc 6000[0-2]/udp IPv4$' "$out")" -eq 3 ] && { pass=$((pass + 1)); echo "ok - one heading per port of the range"; } || { fail=$((fail + 1)); echo "not ok - range headings"; sed 's/^/#   /' "$out"; }

# --- list --router honours [router] protocols: no UPnP probe when UPnP is not configured
printf '[router]\nprotocols = pcp natpmp\n' >"$tmp/nolist.conf"
t0=${EPOCHREALTIME/./}
expect 1 "list --router with protocols = pcp natpmp" -- "$HE" -c "$tmp/nolist.conf" list --router
t1=${EPOCHREALTIME/./}
grep_in "$err" "the router's table cannot be listed with \[router\] protocols = pcp natpmp: only upnp can list it" "list --router says why it cannot list"
[ $(((t1 - t0) / 1000)) -lt 1000 ] && { pass=$((pass + 1)); echo "ok - list --router answered at once ($(((t1 - t0) / 1000)) ms)"; } || { fail=$((fail + 1)); echo "not ok - list --router took $(((t1 - t0) / 1000)) ms"; }
printf '[router]\nenabled = no\n' >"$tmp/norouter.conf"
expect 1 "list --router with [router] enabled = no" -- "$HE" -c "$tmp/norouter.conf" list --router
grep_in "$err" "enabled = no" "list --router names enabled = no"

# --- close --dry-run changes nothing
expect 0 "open for close --dry-run" -- "${HEC[@]}" open 8443 drytest --no-router --no-firewall --no-check
expect 0 "close --dry-run" -- "${HEC[@]}" close drytest --dry-run
grep_in "$out" "dry run: would remove .*drytest.conf" "close --dry-run names the drop-in"
[ -e "$tmp/etc/exposures.d/drytest.conf" ] && { pass=$((pass + 1)); echo "ok - close --dry-run kept the drop-in"; } || { fail=$((fail + 1)); echo "not ok - close --dry-run removed the drop-in"; }
expect 0 "close --dry-run --json" -- "${HEC[@]}" close drytest --dry-run --json
json_ok "close --dry-run --json"
json_valid close "close --dry-run --json"
expect 0 "close drytest" -- "${HEC[@]}" close drytest

# --- one JSON vocabulary (docs/json.md, docs/schema/homeexpose.schema.json)
expect 1 "check --json" -- "$HE" -c "$tmp/quiet.conf" check 8443:8080 --json
json_valid check "check --json"
expect 0 "open --dry-run --json" -- "${HEC[@]}" open 8443:8080 jweb --dry-run --json
json_valid open "open --dry-run --json"
expect 0 "open --json" -- "${HEC[@]}" open 8443:8080 jweb --no-router --no-firewall --no-check --json
json_valid open "open --json"
expect 0 "close --json" -- "${HEC[@]}" close jweb --json
json_valid close "close --json"
expect 1 "netcheck --json (no source answers)" -- "$HE" -c "$tmp/quiet.conf" netcheck --no-router --ipv4-only --json --timeout 300
json_valid netcheck "netcheck --json"
for c in "open no-such-thing-xyz" "close no-such-thing-xyz" "check no-such-thing-xyz" "services no-such-thing-xyz" "list extra-arg" "frobnicate"; do
	# shellcheck disable=SC2086 # the words are the command line
	expect 2 "--json $c: exit 2" -- "${HEC[@]}" --json $c
	json_valid error "--json $c: an error object on stdout"
done
expect 2 "--json: a usage error in a subcommand's option" -- "${HEC[@]}" close --json --frob
json_valid error "--json: a bad option is an error object"

# --- port ranges (issue 14): FIRST-LAST up to 100 ports; FIRST:LAST is a forward, with a warning
expect 0 "open a range" -- "${HEC[@]}" open 60000-60002/udp mosh --no-router --no-firewall --no-check
grep_in "$tmp/etc/exposures.d/mosh.conf" "ports = 60000-60002/udp" "the range is recorded as written"
expect 0 "list --json shows the range" -- "${HEC[@]}" list --json
grep_in "$out" "60000-60002/udp" "list shows the range"
expect 2 "a port inside a range is a duplicate" -- "${HEC[@]}" open 60001/udp 60000-60005/udp x --dry-run
expect 0 "close a port inside a range closes the range's exposure" -- "${HEC[@]}" close 60001/udp
[ ! -e "$tmp/etc/exposures.d/mosh.conf" ] && { pass=$((pass + 1)); echo "ok - close 60001/udp removed mosh"; } || { fail=$((fail + 1)); echo "not ok - mosh.conf left"; }
expect 2 "a range over the cap is refused" -- "${HEC[@]}" open 60000-61000/udp mosh --dry-run
grep_in "$err" "ranges are supported up to 100 ports" "the cap is named"
expect 2 "a range with :INT is refused" -- "${HEC[@]}" open 60000-60002:7000/udp mosh --dry-run
expect 2 "a never-expose port inside a range is refused" -- "${HEC[@]}" open 20-30 low --dry-run
grep_in "$err" "refusing to expose port 23" "the refused port in the range is named"
expect 0 "FIRST:LAST is a forward, with a warning" -- "${HEC[@]}" open 60000:60010/udp fw --dry-run --no-firewall
grep_in "$err" "forwards external port 60000 to internal port 60010; .* write 60000-60010" "ufw-style range warned about"
printf '[exposure]\nports = 60000:60010/udp\n' >"$tmp/etc/exposures.d/ufwish.conf"
expect 0 "config check of a ufw-style range in a drop-in" -- "${HEC[@]}" config check
grep_in "$err" "ufwish.conf:2: warning: .*write 60000-60010" "config check warns about FIRST:LAST at its line"
rm -f "$tmp/etc/exposures.d/ufwish.conf"
# a hand-written drop-in the engine refuses: check says so (it printed nothing)
printf '[exposure]\nports = 23/tcp\n' >"$tmp/etc/exposures.d/telnet.conf"
expect 1 "check of a refused drop-in exits 1" -- "${HEC[@]}" check telnet
grep_in "$out" "^telnet refused: .*23" "check names the refused exposure and the port"
expect 1 "check --json of a refused drop-in" -- "${HEC[@]}" check telnet --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["refused"][0]["name"]=="telnet" and "23" in d["refused"][0]["message"] and d["reachable"] is False, d' "$out" &&
	{ pass=$((pass + 1)); echo "ok - check --json lists the refused exposure"; } ||
	{ fail=$((fail + 1)); echo "not ok - check --json lacks refused"; cat "$out"; }
rm -f "$tmp/etc/exposures.d/telnet.conf"
expect 0 "an ordinary forward gets no warning" -- "${HEC[@]}" open 8443:8080 web2 --dry-run --no-firewall
if grep -q "forwards external" "$err"; then fail=$((fail + 1)); echo "not ok - 8443:8080 warned about"; else pass=$((pass + 1)); echo "ok - 8443:8080 not warned about"; fi

# --- agent: one pass with nothing to do (no exposures, firewall backend none:
# nothing is changed on this host and nothing is sent)
printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n[firewall]\nbackend = none\n' \
	"$tmp" "$tmp" >"$tmp/agent.conf"
expect 0 "agent --once with nothing to do" -- "$HE" -c "$tmp/agent.conf" agent --once --no-netlink
expect 2 "agent --log-level with a bad level" -- "$HE" -c "$tmp/agent.conf" agent --log-level loud
grep_in "$err" "is not error, warning, info or debug" "agent names the valid levels"
expect 2 "agent with an argument" -- "$HE" -c "$tmp/agent.conf" agent now
expect 2 "ddns with a bad subcommand" -- "${HEC[@]}" ddns frob
expect 2 "ddns with a mistyped subcommand" -- "${HEC[@]}" ddns updte
grep_in "$err" "unknown subcommand 'ddns updte' (did you mean 'update'?)" "ddns suggests the subcommand"
expect 2 "config with a mistyped subcommand" -- "${HEC[@]}" config chek
grep_in "$err" "(did you mean 'check'?)" "config suggests check"

# --- ddns (no network: no address source is enabled)
expect 0 "ddns status without records" -- "${HEC[@]}" ddns status
grep_in "$out" "sections in" "ddns status says there are no records"
expect 2 "ddns update without records is a configuration error" -- "${HEC[@]}" ddns update
grep_in "$err" "nothing to update: .* has no \[ddns NAME\] section" "ddns update says nothing is configured"
expect 2 "ddns status --force is a usage error" -- "${HEC[@]}" ddns status --force
printf 'pw\n' >"$tmp/ddns.pw" && chmod 600 "$tmp/ddns.pw"
printf '[router]\nenabled = no\n[publicip]\nstun-servers = none\nhttp-urls = none\nsources-required = 1\n[ddns home]\nprovider = dyndns2\npreset = dyn\nhostname = h.example.org\nusername = u\npassword-file = %s\n' "$tmp/ddns.pw" >"$tmp/ddns.conf"
expect 1 "ddns update without a trusted address fails" -- "$HE" -c "$tmp/ddns.conf" ddns update
grep_in "$err" "no trusted public IPv4 address" "ddns update says why"
expect 1 "ddns update --json without a trusted address" -- "$HE" -c "$tmp/ddns.conf" ddns update --json
json_valid ddns_update "ddns update --json"
expect 0 "ddns status --json" -- "$HE" -c "$tmp/ddns.conf" ddns status --json
json_valid ddns_status "ddns status --json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["records"][0]["record"]=="home" and d["records"][0]["family"]=="ipv4" and d["records"][0]["type"]=="A"' "$out" &&
	{ pass=$((pass + 1)); echo "ok - ddns status --json lists the record"; } ||
	{ fail=$((fail + 1)); echo "not ok - ddns status --json"; }
expect 2 "ddns status of an unknown record" -- "$HE" -c "$tmp/ddns.conf" ddns status nope
expect 2 "ddns update of an unknown record" -- "$HE" -c "$tmp/ddns.conf" ddns update nope
# ddns providers: every provider of lib/ddns's table and every dyndns2 preset, with keys
expect 0 "ddns providers" -- "$HE" ddns providers
grep_in "$out" "route53" "ddns providers lists Route 53"
grep_in "$out" "password-file  required, secret" "ddns providers names required secret keys"
expect 0 "ddns providers --json" -- "$HE" ddns providers --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = {p["name"] for p in d["providers"]}
want = {"namecheap", "porkbun", "hetzner", "gandi", "godaddy", "digitalocean", "linode",
        "ionos", "netcup", "route53", "dynv6", "njalla", "cloudflare", "noip"}
assert want <= names, want - names
assert d["count"] == len(d["providers"])
r53 = [p for p in d["providers"] if p["name"] == "route53"][0]
keys = {k["key"]: k for k in r53["keys"]}
assert keys["username"]["required"] and keys["password-file"]["secret"]
assert all(p["keys"] for p in d["providers"])' "$out" &&
	{ pass=$((pass + 1)); echo "ok - ddns providers --json: every provider with its keys"; } ||
	{ fail=$((fail + 1)); echo "not ok - ddns providers --json"; }
expect 2 "ddns providers takes no name" -- "$HE" ddns providers porkbun
printf '[ddns r]\nprovider = route53\nhostname = h.example.org\npassword-file = %s\n' "$tmp/ddns.pw" >"$tmp/r53.conf"
expect 2 "config check: a provider's required key missing" -- "$HE" -c "$tmp/r53.conf" config check
grep_in "$err" "provider route53 needs 'username'" "config check names the key the table requires"
printf '[ddns r]\nprovider = porkbun2\nhostname = h.example.org\n' >"$tmp/pb.conf"
expect 2 "config check: unknown provider" -- "$HE" -c "$tmp/pb.conf" config check
grep_in "$err" "did you mean 'porkbun'" "config check suggests the provider's name"
printf '[ddns r]\nprovider = namecheap\nhostname = h.example.org\nfamilies = A AAAA\npassword-file = %s\n' "$tmp/ddns.pw" >"$tmp/nc.conf"
expect 2 "config check: AAAA for an A-only provider" -- "$HE" -c "$tmp/nc.conf" config check
grep_in "$err" "namecheap cannot update AAAA" "config check says the provider has no AAAA"

# --- netcheck: only usage here (it talks to the network; see tests/lab/test_publicip.sh)
expect 0 "netcheck --help" -- "$HE" netcheck --help
grep_in "$out" "ipv4-only" "netcheck --help lists its options"
grep_in "$out" "Exit status: 0" "netcheck --help documents the exit status"
expect 2 "netcheck --ipv4-only --ipv6-only" -- "${HEC[@]}" netcheck --ipv4-only --ipv6-only
grep_in "$err" "exclude each other" "netcheck names the conflict"
expect 2 "netcheck --protocol frob" -- "${HEC[@]}" netcheck --protocol frob
expect 2 "netcheck --protocol with --no-router" -- "${HEC[@]}" netcheck --protocol pcp --no-router
expect 2 "netcheck --timeout junk" -- "${HEC[@]}" netcheck --timeout 5x
expect 2 "netcheck --timeout too small" -- "${HEC[@]}" netcheck --timeout 10
expect 2 "netcheck with an argument" -- "${HEC[@]}" netcheck extra
printf '[publicip]\nstun-servers = 127.0.0.1:99999\nhttp-urls = none\n' >"$tmp/pubip-bad.conf"
expect 2 "netcheck refuses a bad STUN server before any traffic" -- \
	"$HE" -c "$tmp/pubip-bad.conf" netcheck --no-router --ipv4-only
grep_in "$err" "stun-servers" "the bad key is named"
printf '[publicip]\nca-file = relative.pem\n' >"$tmp/pubip-ca.conf"
expect 2 "[publicip] ca-file must be absolute" -- "$HE" -c "$tmp/pubip-ca.conf" config check

# --- config check: file:line for a typo, exit 2
printf '[general]\nlog-level = info\n[router]\nprotocls = pcp\n' >"$tmp/bad.conf"
expect 2 "config check of a typo'd key" -- "$HE" -c "$tmp/bad.conf" config check
grep_in "$err" "bad.conf:4: \[router\] unknown key 'protocls' (did you mean 'protocols'?)" "typo reported as file:line"
expect 2 "other commands refuse a broken config" -- "$HE" -c "$tmp/bad.conf" list
expect 2 "config check --json of a typo" -- "$HE" -c "$tmp/bad.conf" config check --json
json_ok "config check --json"
json_valid config_check "config check --json"
grep_in "$out" '"line": 4' "JSON has the line"
expect 2 "missing -c file" -- "$HE" -c "$tmp/none.conf" config check
printf '[exposure]\nports = 8443\nrouter = perhaps\n' >"$tmp/etc/exposures.d/bad.conf"
expect 2 "config check of a bad drop-in" -- "${HEC[@]}" config check
grep_in "$err" "exposures.d/bad.conf:3: \[exposure\] router: 'perhaps' is not a boolean" "drop-in error has file:line"
rm -f "$tmp/etc/exposures.d/bad.conf"

# --- secret files
printf 'hunter2\n' >"$tmp/secret"
chmod 644 "$tmp/secret"
printf '[ddns home]\nprovider = duckdns\nhostname = h.duckdns.org\ntoken-file = %s\n' "$tmp/secret" >"$tmp/s.conf"
expect 2 "world-readable secret is refused" -- "$HE" -c "$tmp/s.conf" config check
grep_in "$err" "secret file $tmp/secret is readable by group or others" "refusal names the file"
grep_in "$err" "chmod 600 $tmp/secret" "refusal names the fix"
chmod 600 "$tmp/secret"
expect 0 "0600 secret is accepted" -- "$HE" -c "$tmp/s.conf" config check
printf '[ddns home]\nprovider = duckdns\nhostname = h.duckdns.org\ntoken = abc\n' >"$tmp/i.conf"
expect 2 "inline token refused" -- "$HE" -c "$tmp/i.conf" config check
grep_in "$err" "i.conf:4:.*never written inline" "inline secret reported with line"

# --- config check catches what copy and paste gets wrong (issue 14)
printf '[router]\nlease = 600   # seconds\nprotocols = upnp ; only UPnP\n  gateway = auto\n' >"$tmp/c1.conf"
expect 0 "comments after values and indented keys are accepted" -- "$HE" -c "$tmp/c1.conf" config check
printf 'log-level = debug\n[general]\n' >"$tmp/c2.conf"
expect 2 "a key outside any section" -- "$HE" -c "$tmp/c2.conf" config check
grep_in "$err" "c2.conf:1: 'log-level' is outside any section" "outside-section key at its line"
printf '[router]\nlease = 600\nlease = 700\n' >"$tmp/c3.conf"
expect 2 "a duplicate key" -- "$HE" -c "$tmp/c3.conf" config check
grep_in "$err" "c3.conf:3: \[router\] lease: given twice (first at line 2)" "duplicate key at its line"
mkdir -p "$tmp/confdir"
expect 2 "-c naming a directory" -- "$HE" -c "$tmp/confdir" config check
grep_in "$err" "is a directory" "-c DIR says it is a directory"
expect 2 "open with -c DIR writes nothing" -- "$HE" -c "$tmp/confdir" open 8443 web --no-router --no-firewall
[ ! -e "$tmp/exposures.d/web.conf" ] && { pass=$((pass + 1)); echo "ok - nothing written beside -c DIR"; } || { fail=$((fail + 1)); echo "not ok - open wrote to the parent of -c DIR"; }
: >"$tmp/empty.secret"
chmod 600 "$tmp/empty.secret"
printf '[ddns home]\nprovider = duckdns\nhostname = h.duckdns.org\n\ntoken-file = %s\n' "$tmp/empty.secret" >"$tmp/c4.conf"
expect 2 "an empty secret file" -- "$HE" -c "$tmp/c4.conf" config check
grep_in "$err" "c4.conf:5: \[ddns home\]: secret file $tmp/empty.secret is empty" "empty secret at the key's line"
ln -sf "$tmp/secret" "$tmp/link.secret"
printf '[ddns home]\nprovider = duckdns\nhostname = h.duckdns.org\ntoken-file = %s\n' "$tmp/link.secret" >"$tmp/c5.conf"
expect 2 "a symlinked secret" -- "$HE" -c "$tmp/c5.conf" config check
grep_in "$err" "is a symbolic link (to $tmp/secret).*Name the file itself: $tmp/secret" "symlink: why and what to do"
printf '[routr]\nlease = 5\nprotocols = pcp\n[ddns a/b]\nprovider = duckdns\n' >"$tmp/c6.conf"
expect 2 "a bad section name" -- "$HE" -c "$tmp/c6.conf" config check
grep_in "$err" "c6.conf:1: unknown section \[routr\]" "bad section at its header's line"
[ "$(grep -c routr "$err")" -eq 1 ] && { pass=$((pass + 1)); echo "ok - bad section reported once"; } || { fail=$((fail + 1)); echo "not ok - bad section reported $(grep -c routr "$err") times"; }
grep_in "$err" "c6.conf:4: \[ddns a/b\]: record name" "bad record name at its line"
printf '[ddns home]\nprovider = dyndns2\npreset = dyn\nhostname = h.example.org\npassword-file = secrets/dyn\n' >"$tmp/c7.conf"
expect 2 "a relative password-file" -- "$HE" -c "$tmp/c7.conf" config check
grep_in "$err" "c7.conf:5: .*not an absolute path" "bad password-file at its line"
[ "$(grep -c 'error' "$err")" -eq 1 ] && ! grep -q "needs 'password-file'" "$err" &&
	{ pass=$((pass + 1)); echo "ok - no second, false error after a bad password-file"; } ||
	{ fail=$((fail + 1)); echo "not ok - a second error after a bad password-file"; sed 's/^/#   /' "$err"; }

# --- on a terminal: colour and a progress line; neither when output is not a terminal.
# A STUN "server" on loopback that never answers makes netcheck wait (--timeout 700).
sink_port=$tmp/sink.port
python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0))
open(sys.argv[1],"w").write(str(s.getsockname()[1])); time.sleep(60)' "$sink_port" &
sink_pid=$!
for _ in $(seq 50); do [ -s "$sink_port" ] && break; sleep 0.1; done
printf '[publicip]\nstun-servers = 127.0.0.1:%s\nhttp-urls = none\nsources-required = 1\n' "$(cat "$sink_port")" >"$tmp/tty.conf"
NC=("$HE" -c "$tmp/tty.conf" netcheck --no-router --ipv4-only --timeout 700)
sgr=$'\e\\[[0-9;]*m'
# on_tty OUTFILE ENV... -- CMD...: run CMD under a pseudo-terminal (stdout and stderr)
on_tty() {
	local o=$1
	shift
	env "$@" TERM=xterm script -qec "$(printf '%q ' "${NC[@]}")" /dev/null >"$o" 2>&1 </dev/null
}
tty_case() { # DESC WANT(yes|no) PATTERN FILE
	if grep -q -- "$3" "$4"; then got=yes; else got=no; fi
	if [ "$got" = "$2" ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; cat -A "$4" | sed 's/^/#   /'; fi
}
on_tty "$tmp/tty1" -u NO_COLOR
tty_case "terminal: fail is coloured" yes "${sgr}failed" "$tmp/tty1"
tty_case "terminal: a progress line while the sources are asked" yes "asking the public-address sources \.\.\. 0\.[3-9] s" "$tmp/tty1"
on_tty "$tmp/tty2" NO_COLOR=1
tty_case "terminal with NO_COLOR: no colour" no "$sgr" "$tmp/tty2"
tty_case "terminal with NO_COLOR: still the progress line" yes "asking the public-address sources" "$tmp/tty2"
NC+=(--color=never)
on_tty "$tmp/tty3" -u NO_COLOR
tty_case "terminal with --color=never: no colour" no "$sgr" "$tmp/tty3"
NC=("${NC[@]:0:${#NC[@]}-1}")
"${NC[@]}" >"$out" 2>"$err"
cat "$out" "$err" >"$tmp/notty"
tty_case "not a terminal: no colour" no "$sgr" "$tmp/notty"
tty_case "not a terminal: no progress line" no "asking the" "$tmp/notty"
tty_case "not a terminal: the report is there" yes "public IPv4: not trusted" "$tmp/notty"
"${NC[@]}" --color=always >"$out" 2>"$err"
tty_case "--color=always without a terminal: colour" yes "${sgr}failed" "$out"
expect 2 "--color with a bad value" -- "$HE" --color=sometimes help
grep_in "$err" "is not auto, always or never" "--color names its values"
kill "$sink_pid" 2>/dev/null
wait "$sink_pid" 2>/dev/null

# --- permission is the cause: say to run it as root (only when not root)
if [ "$(id -u)" -eq 0 ]; then AS_USER=(setpriv --reuid=65534 --regid=65534 --clear-groups); else AS_USER=(); fi
mkdir -p "$tmp/priv" && chmod 755 "$tmp" "$tmp/priv"
# mode 000: unreadable by any user but root, whoever runs the test
printf '[general]\n' >"$tmp/priv/root.conf" && chmod 000 "$tmp/priv/root.conf"
expect 2 "an unreadable config as a user" -- "${AS_USER[@]}" "$HE" -c "$tmp/priv/root.conf" config check
grep_in "$err" "Permission denied; run it as root (sudo)" "config check says to use sudo"
expect 2 "list with an unreadable config as a user" -- "${AS_USER[@]}" "$HE" -c "$tmp/priv/root.conf" list
grep_in "$err" "Permission denied; run it as root (sudo)" "list says to use sudo"
[ "$(id -u)" -eq 0 ] && expect 0 "as root the same file is read" -- "$HE" -c "$tmp/priv/root.conf" config check
chmod 700 "$tmp"
# --- ddns import / ddns add
. "$root/tests/cli/ddns_import.sh"
# --- firewall integrate|status: usage (issue 13)
expect 0 "firewall --help" -- "$HE" -c "$tmp/i.conf" firewall --help
grep_in "$out" "firewall integrate \[FAMILY TABLE CHAIN\] \[--remove\]" "firewall usage names integrate"
expect 2 "firewall without a subcommand" -- "${HEC[@]}" firewall
expect 2 "firewall bogus" -- "${HEC[@]}" firewall bogus
expect 2 "firewall integrate with two words" -- "${HEC[@]}" firewall integrate inet filter
expect 2 "firewall status takes no arguments" -- "${HEC[@]}" firewall status extra
printf '[firewall]\nbackend = none\nmark = 3\n' >"$tmp/mark.conf"
expect 1 "[firewall] mark must be one bit" -- "$HE" -c "$tmp/mark.conf" firewall status
grep_in "$err" "want one bit" "the mark message"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
