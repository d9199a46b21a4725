# shellcheck shell=bash
# Sourced by tests/cli/run.sh (uses its expect, grep_in, json_ok, $HE, $tmp):
# `ddns import` of the sample ddclient.conf and inadyn.conf into a temporary
# configuration that must then pass `config check`; `ddns add`.
fix=$root/tests/fixtures/import

# perm FILE MODE DESC: FILE has MODE (octal, as stat %a prints it)
perm() {
	if [ "$(stat -c %a "$1" 2>/dev/null)" = "$2" ]; then
		pass=$((pass + 1))
		echo "ok - $3"
	else
		fail=$((fail + 1))
		echo "not ok - $3 ($1: $(stat -c %a "$1" 2>&1), wanted $2)"
	fi
}
# absent FILE PATTERN DESC: PATTERN is not in FILE
absent() {
	if ! grep -q -- "$2" "$1"; then
		pass=$((pass + 1))
		echo "ok - $3"
	else
		fail=$((fail + 1))
		echo "not ok - $3 ('$2' found)"
	fi
}

for tool in ddclient inadyn; do
	d=$tmp/imp-$tool
	mkdir -p "$d"
	printf '# mine\n[router]\nenabled = no\n' >"$d/homeexpose.conf"
	cp "$d/homeexpose.conf" "$d/before"
	expect 0 "$tool: import --dry-run" -- "$HE" -c "$d/homeexpose.conf" ddns import \
		"$fix/$tool.conf" --dry-run
	grep_in "$out" "\[ddns he.example.net\]" "$tool: --dry-run shows the sections"
	grep_in "$out" "not carried over:" "$tool: --dry-run lists what is not carried over"
	absent "$out" "he-key" "$tool: --dry-run shows no secret"
	cmp -s "$d/before" "$d/homeexpose.conf" && [ ! -e "$d/secrets" ] &&
		{ pass=$((pass + 1)) && echo "ok - $tool: --dry-run wrote nothing"; } ||
		{ fail=$((fail + 1)) && echo "not ok - $tool: --dry-run wrote something"; }
	expect 0 "$tool: import" -- "$HE" -c "$d/homeexpose.conf" ddns import "$fix/$tool.conf"
	grep_in "$out" "config check ok" "$tool: the result passes config check"
	grep_in "$d/homeexpose.conf" "^# mine" "$tool: the user's lines stay"
	grep_in "$d/homeexpose.conf" "password-file = $d/secrets/he.example.net.password" \
		"$tool: the secret file is beside the configuration (-c relocates it)"
	absent "$d/homeexpose.conf" "he-key" "$tool: no secret in the configuration"
	perm "$d/secrets" 700 "$tool: secrets/ is 0700"
	perm "$d/secrets/he.example.net.password" 600 "$tool: a secret file is 0600"
	grep_in "$d/secrets/he.example.net.password" "^he-key" "$tool: the secret moved"
	expect 0 "$tool: config check on the result" -- "$HE" -c "$d/homeexpose.conf" config check
	expect 0 "$tool: import again" -- "$HE" -c "$d/homeexpose.conf" ddns import "$fix/$tool.conf"
	grep_in "$out" "already has this section" "$tool: a second import adds nothing"
	expect 0 "$tool: import --json" -- "$HE" -c "$d/homeexpose.conf" --json ddns import \
		"$fix/$tool.conf" --dry-run
	json_ok "$tool: import --json"
done
grep_in "$tmp/imp-ddclient/homeexpose.conf" "preset = noip" "ddclient: protocol=noip is preset noip"
grep_in "$out" '"why"' "import --json lists the reasons"
grep_in "$tmp/imp-inadyn/homeexpose.conf" "families = AAAA" "inadyn: ipv6@spdyn.de is AAAA only"
"$HE" -c "$tmp/imp-ddclient/homeexpose.conf" ddns import "$fix/ddclient.conf" --dry-run >"$out" 2>&1
grep_in "$out" "ddclient.conf:32: use=cmd" "use=cmd is reported with its line"
grep_in "$out" "unknown protocol 'dnsexit2'" "an unknown protocol is reported"
expect 1 "import of a file with no host in it fails" -- "$HE" -c "$tmp/x.conf" ddns import "$conf"
grep_in "$err" "nothing to import" "and says so"
expect 2 "import of a missing file" -- "$HE" -c "$conf" ddns import "$tmp/nope.conf"
printf 'provider x {\n' >"$tmp/broken.conf"
expect 2 "import of a broken inadyn.conf" -- "$HE" -c "$conf" ddns import "$tmp/broken.conf"
grep_in "$err" "syntax error" "the syntax error is named"

# --- ddns add
a=$tmp/add/homeexpose.conf
mkdir -p "$tmp/add"
expect 0 "ddns add, secret on stdin" -- bash -c 'printf "s3cret\n" | "$0" -c "$1" ddns add home \
	--provider ovh --hostname home.example.org --username example.org-home' "$HE" "$a"
grep_in "$a" "preset = ovh" "ddns add: a preset given as provider"
perm "$tmp/add/secrets/home.password" 600 "ddns add: secret file 0600"
grep_in "$tmp/add/secrets/home.password" "^s3cret$" "ddns add: the secret is in its file"
absent "$a" "s3cret" "ddns add: no secret in the configuration"
expect 0 "config check after ddns add" -- "$HE" -c "$a" config check
expect 2 "ddns add refuses an existing section" -- bash -c 'echo x | "$0" -c "$1" ddns add home \
	--provider ovh --hostname other.example.org' "$HE" "$a"
grep_in "$err" "already has a \[ddns home\]" "ddns add says why"
expect 2 "ddns add refuses a secret on the command line" -- "$HE" -c "$a" ddns add h2 \
	--provider dyndns2 --hostname h2.example.org --password hunter2
expect 2 "ddns add: rfc2136 needs --server" -- "$HE" -c "$a" ddns add h3 --provider rfc2136 \
	--hostname h3.example.org --zone example.org
expect 2 "ddns add: an IPv4-only preset with AAAA" -- bash -c 'echo x | "$0" -c "$1" ddns add \
	h4 --provider inwx --hostname h4.example.org --families "A AAAA"' "$HE" "$a"
grep_in "$err" "takes IPv4 only" "ddns add says the preset is IPv4 only"
expect 2 "ddns add: empty standard input" -- "$HE" -c "$a" ddns add h5 --provider duckdns \
	--hostname h5.duckdns.org </dev/null
[ ! -e "$tmp/add/secrets/h5.token" ] && ! grep -q "h5" "$a" &&
	{ pass=$((pass + 1)) && echo "ok - a refused ddns add leaves nothing"; } ||
	{ fail=$((fail + 1)) && echo "not ok - a refused ddns add left something"; }
expect 2 "ddns add: a name the configuration would cut" -- bash -c 'echo x | "$0" -c "$1" ddns add \
	n123456789n123456789n123456789n123456789n12345 --provider he --hostname n.example.org' "$HE" "$a"
grep_in "$err" "name is too long" "ddns add says the name is too long"
expect 0 "ddns add --help lists the providers' keys" -- "$HE" ddns add --help
grep_in "$out" "tsig-key-file" "ddns add --help shows rfc2136's keys"
# the secret from a terminal: prompted, read without echo
python3 - "$HE" "$a" >"$out" 2>&1 <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1], "-c", sys.argv[2], "ddns", "add", "tty",
                           "--provider", "duckdns", "--hostname", "tty.duckdns.org"])
seen, sent, end = b"", False, time.time() + 10
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    if not sent and b"token-file for [ddns tty]" in seen:
        time.sleep(0.2)  # the prompt is out; echo is off by now
        os.write(fd, b"tty-secret\n")
        sent = True
_, status = os.waitpid(pid, 0)
print(seen.decode(errors="replace"))
print("prompted" if sent else "no prompt")
print("ECHOED" if b"tty-secret" in seen else "not echoed")
sys.exit(os.WEXITSTATUS(status))
PY
rc=$?
grep_in "$out" "^prompted" "ddns add on a terminal prompts for the secret"
grep_in "$out" "^not echoed" "the secret typed on the terminal is not echoed"
[ "$rc" -eq 0 ] && grep -qx "tty-secret" "$tmp/add/secrets/tty.token" &&
	{ pass=$((pass + 1)) && echo "ok - the typed secret is in its file"; } ||
	{ fail=$((fail + 1)) && echo "not ok - the typed secret is not in its file (exit $rc)" && sed 's/^/#   /' "$out"; }
