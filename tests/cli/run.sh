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

HEC=("$HE" -c "$conf")

# --- help and usage
expect 0 "--help" -- "$HE" --help
expect 2 "no command is a usage error" -- "$HE"
expect 2 "unknown command" -- "$HE" frobnicate
grep_in "$err" "unknown command 'frobnicate'" "unknown command named"
for c in open close list check netcheck ddns services agent reflector config; do
	expect 0 "$c --help" -- "$HE" "$c" --help
	grep_in "$out" "Usage: homeexpose" "$c --help prints usage"
done
expect 0 "--version" -- "$HE" --version
grep_in "$out" "^homeexpose [0-9]" "version printed"

# --- catalog
expect 0 "services jitsi" -- "${HEC[@]}" services jitsi
grep_in "$out" "443/tcp" "jitsi shows 443/tcp"
grep_in "$out" "10000/udp" "jitsi shows 10000/udp"
expect 0 "services --json" -- "${HEC[@]}" services --json
json_ok "services --json"
grep_in "$out" '"name": "syncthing"' "catalog lists syncthing"
expect 0 "services https (/etc/services)" -- "${HEC[@]}" services https
grep_in "$out" "443/tcp" "https is 443/tcp"
expect 2 "services of an unknown name" -- "${HEC[@]}" services no-such-thing-xyz
expect 0 "services jitsi --json" -- "${HEC[@]}" --json services jitsi
json_ok "services jitsi --json"

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
grep_in "$out" '"name": "web"' "list shows web"
expect 0 "config check with the drop-in" -- "${HEC[@]}" config check
grep_in "$out" "1 exposure" "config check counts it"
expect 0 "close by portspec" -- "${HEC[@]}" close 10000/udp
[ ! -e "$tmp/etc/exposures.d/web.conf" ] && { pass=$((pass + 1)); echo "ok - close removed the drop-in"; } || { fail=$((fail + 1)); echo "not ok - drop-in left after close"; }
expect 1 "close of an unknown exposure fails" -- "${HEC[@]}" close web

# --- agent: one pass with nothing to do (no exposures, firewall backend none:
# nothing is changed on this host and nothing is sent)
printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n[firewall]\nbackend = none\n' \
	"$tmp" "$tmp" >"$tmp/agent.conf"
expect 0 "agent --once with nothing to do" -- "$HE" -c "$tmp/agent.conf" agent --once --no-netlink
expect 2 "agent --log-level with a bad level" -- "$HE" -c "$tmp/agent.conf" agent --log-level loud
grep_in "$err" "is not error, warning, info or debug" "agent names the valid levels"
expect 2 "agent with an argument" -- "$HE" -c "$tmp/agent.conf" agent now
expect 2 "ddns with a bad subcommand" -- "${HEC[@]}" ddns frob

# --- ddns (no network: no address source is enabled)
expect 0 "ddns status without records" -- "${HEC[@]}" ddns status
grep_in "$out" "sections in" "ddns status says there are no records"
expect 0 "ddns update without records" -- "${HEC[@]}" ddns update
expect 2 "ddns status --force is a usage error" -- "${HEC[@]}" ddns status --force
printf 'pw\n' >"$tmp/ddns.pw" && chmod 600 "$tmp/ddns.pw"
printf '[router]\nenabled = no\n[publicip]\nstun-servers = none\nhttp-urls = none\nsources-required = 1\n[ddns home]\nprovider = dyndns2\npreset = dyn\nhostname = h.example.org\nusername = u\npassword-file = %s\n' "$tmp/ddns.pw" >"$tmp/ddns.conf"
expect 1 "ddns update without a trusted address fails" -- "$HE" -c "$tmp/ddns.conf" ddns update
grep_in "$err" "no trusted public IPv4 address" "ddns update says why"
expect 0 "ddns status --json" -- "$HE" -c "$tmp/ddns.conf" ddns status --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["records"][0]["record"]=="home" and d["records"][0]["family"]=="A"' "$out" &&
	{ pass=$((pass + 1)); echo "ok - ddns status --json lists the record"; } ||
	{ fail=$((fail + 1)); echo "not ok - ddns status --json"; }
expect 2 "ddns status of an unknown record" -- "$HE" -c "$tmp/ddns.conf" ddns status nope
expect 2 "ddns update of an unknown record" -- "$HE" -c "$tmp/ddns.conf" ddns update nope

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
