#!/bin/bash
# ddns against contract servers of the multi-step provider APIs (Porkbun,
# Hetzner DNS, Gandi LiveDNS, GoDaddy, Route 53 with its Signature V4 checked
# by the server, netcup's CCP session API), all on the internet host over HTTPS
# with a test CA made here (tests/lab/ddns_api_server.py): for each, only the
# record's address changes (TTL and the rest stay, the zone's other records
# too), a missing record is created, nothing is sent when nothing changed, a
# refused credential disables the record with a clear message, and no secret
# shows in output, status or state.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/ddns_common.sh"

PROVS="pb hz ga gd r53 nc"
declare -A PROV=([pb]=porkbun [hz]=hetzner [ga]=gandi [gd]=godaddy [r53]=route53 [nc]=netcup)
declare -A TITLE=([pb]=Porkbun [hz]="Hetzner DNS" [ga]="Gandi LiveDNS" [gd]=GoDaddy [r53]="Route 53" [nc]=netcup)
SECRETS="sk1_lab hz-lab-token gandi-lab-pat gdsecret r53-lab-secret ncpass"

# rec P NAME TYPE KEY: a field of provider P's stored record NAME TYPE ("null" if none)
rec() {
	python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["name"] == sys.argv[2] and r["type"] == sys.argv[3]:
        print(json.dumps(r.get(sys.argv[4])))
        break
else:
    print("null")' "$LAB_DIR/srv/${PROV[$1]}.json" "$2" "$3" "$4"
}
# rec_is P NAME TYPE KEY WANT
rec_is() {
	local v
	v=$(rec "$1" "$2" "$3" "$4")
	echo "(${PROV[$1]} $2 $3 $4 = $v, want $5)"
	[ "$v" = "$5" ]
}
# every_rec_is NAME TYPE KEY WANT: rec_is for every provider
every_rec_is() {
	local p rc=0
	for p in $PROVS; do rec_is "$p" "$@" || rc=1; done
	return $rc
}
# nreq_of PROVIDER [WHAT]: requests the server saw for PROVIDER (WHAT: body/path substring)
nreq_of() {
	python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["provider"] == sys.argv[2] and (len(sys.argv) < 4 or sys.argv[3] in e["body"] + e["path"]):
        n += 1
print(n)' "$LAB_DIR/srv/requests.log" "$@"
}
# no_secret FILE...: none of the providers' secrets is in FILE
no_secret() {
	local s
	for s in $SECRETS; do
		if grep -rqF -- "$s" "$@"; then
			echo "(secret '$s' found in $*)"
			return 1
		fi
	done
}

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "test CA and server certificate (openssl)" ddns_pki
mkdir -p "$LAB_DIR/srv"
for p in $PROVS; do
	cat >"$LAB_DIR/srv/${PROV[$p]}.json" <<JSON
[{"id": "1001", "type": "A", "name": "home.example.com", "content": "198.51.100.4",
  "ttl": 3600, "note": "set by hand"},
 {"id": "1002", "type": "A", "name": "www.example.com", "content": "198.51.100.9", "ttl": 300}]
JSON
done
lab_spawn "$LAB_INET" "$LAB_DIR/srv.log" python3 "$LAB_SRC/ddns_api_server.py" \
	--cert "$LAB_DIR/pki/srv.pem" --key "$LAB_DIR/pki/srv.key" --port 8443 --dir "$LAB_DIR/srv"
lab_check "the API contract server on the internet host" _lab_wait_listen "$LAB_INET" -t 8443

good_secrets() {
	secret "$LAB_DIR/pb.key" "pk1_lab:sk1_lab"
	secret "$LAB_DIR/hz.key" hz-lab-token
	secret "$LAB_DIR/ga.key" gandi-lab-pat
	secret "$LAB_DIR/gd.key" "gdkey:gdsecret"
	secret "$LAB_DIR/r53.key" r53-lab-secret
	secret "$LAB_DIR/nc.key" "nckey:ncpass"
}
good_secrets
S=https://$LAB_INET_IP:8443
common="hostname = home.example.com
ca-file = $LAB_DIR/pki/ca.pem
families = A AAAA"
ddns_conf "[ddns pb]
provider = porkbun
server = $S/porkbun/api/json/v3
token-file = $LAB_DIR/pb.key
$common
[ddns hz]
provider = hetzner
server = $S/hetzner/api/v1
token-file = $LAB_DIR/hz.key
$common
[ddns ga]
provider = gandi
server = $S/gandi/v5/livedns
token-file = $LAB_DIR/ga.key
$common
[ddns gd]
provider = godaddy
server = $S/godaddy
token-file = $LAB_DIR/gd.key
$common
[ddns r53]
provider = route53
server = $S/route53
username = AKIDLAB
password-file = $LAB_DIR/r53.key
$common
[ddns nc]
provider = netcup
server = $S/netcup/endpoint.php?JSON
username = 12345
password-file = $LAB_DIR/nc.key
$common"
lab_check "config check accepts the six records" he_at 0 config check
T=$(date +%s)

want_a=() want_aaaa=()
for p in $PROVS; do
	want_a+=("$p A: $LAB_WAN_IP (good)")
	want_aaaa+=("$p AAAA: $LAB_HOME_IP6 (created)")
done
lab_check "update: every A updated, every AAAA created" \
	expect_out "${want_a[@]}" "${want_aaaa[@]}" -- he_at "$T" ddns update
lab_check "no secret in the update's output" eval 'printf "%s" "$LAB_LAST_OUTPUT" | { ! grep -qF -e sk1_lab -e hz-lab-token -e gandi-lab-pat -e gdsecret -e r53-lab-secret -e ncpass; }'
lab_check "A holds the router's address (all six)" every_rec_is home.example.com A content "\"$LAB_WAN_IP\""
lab_check "A's TTL untouched (all but netcup, which has none per record)" \
	eval 'for p in pb hz ga gd r53; do rec_is $p home.example.com A ttl 3600 || exit 1; done'
lab_check "A's other fields untouched (all six)" every_rec_is home.example.com A note '"set by hand"'
lab_check "the zone's other record untouched (all six)" every_rec_is www.example.com A content '"198.51.100.9"'
lab_check "AAAA created with the home's global address (all six)" \
	every_rec_is home.example.com AAAA content "\"$LAB_HOME_IP6\""
lab_check "every request was authenticated (Route 53: the server checked each SigV4)" \
	eval '! grep -q "\"auth_ok\": false" "$LAB_DIR/srv/requests.log"'
lab_check "Route 53: 6 signed requests (zone, record set, change per family)" \
	eval '[ "$(nreq_of route53)" -eq 6 ]'
lab_check "netcup: one login and one logout per family" \
	eval '[ "$(nreq_of netcup "\"login\"")" -eq 2 ] && [ "$(nreq_of netcup "\"logout\"")" -eq 2 ]'
lab_check "netcup: the API password only in the login requests" \
	eval '[ "$(nreq_of netcup ncpass)" -eq 2 ]'
n=$(nreq)
lab_check "unchanged: update succeeds without a request" eval 'he_at $((T + 60)) ddns update && nreq_is $n'

lab_check "the WAN address changes to 11.77.0.3" lab_set_wan_ip 11.77.0.3
want_a=()
for p in $PROVS; do want_a+=("$p A: 11.77.0.3 (good)"); done
lab_check "update: every A updated again" expect_out "${want_a[@]}" -- he_at $((T + 120)) ddns update
lab_check "A holds 11.77.0.3, TTL and note still as set" \
	eval 'every_rec_is home.example.com A content "\"11.77.0.3\"" && every_rec_is home.example.com A note "\"set by hand\"" && rec_is hz home.example.com A ttl 3600 && rec_is ga home.example.com A ttl 3600'
lab_check "three records each, no duplicates" eval 'for p in $PROVS; do
	[ "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$LAB_DIR/srv/${PROV[$p]}.json")" -eq 3 ] || exit 1; done'

# --- refused credentials: disabled with a clear message, no further request
secret "$LAB_DIR/pb.key" "pk1_lab:sk1_wrong-pb"
secret "$LAB_DIR/hz.key" wrong-hz-token
secret "$LAB_DIR/ga.key" wrong-gandi-pat
secret "$LAB_DIR/gd.key" "gdkey:wrong-gdsecret"
secret "$LAB_DIR/r53.key" wrong-r53-secret
secret "$LAB_DIR/nc.key" "nckey:wrong-ncpass"
SECRETS="$SECRETS sk1_wrong-pb wrong-hz-token wrong-gandi-pat wrong-gdsecret wrong-r53-secret wrong-ncpass"
lab_check "the WAN address changes to 11.77.0.4" lab_set_wan_ip 11.77.0.4
want_a=()
for p in $PROVS; do want_a+=("[ddns $p] A: A 11.77.0.4: badauth: ${TITLE[$p]} refused the credentials"); done
lab_check "wrong credentials: update fails, badauth for every provider" \
	fails_with "${want_a[@]}" -- he_at $((T + 180)) ddns update
printf '%s\n' "$LAB_LAST_OUTPUT" >"$LAB_DIR/badauth.out"
lab_check "no secret in the failed update's output" no_secret "$LAB_DIR/badauth.out"
lab_check "A still holds 11.77.0.3 everywhere" every_rec_is home.example.com A content '"11.77.0.3"'
he_at $((T + 180)) ddns status --json >"$LAB_DIR/status.json" 2>&1
lab_check "status: every record disabled with the reason" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
rs = [r for r in d["records"] if r["type"] == "A"]
assert len(rs) == 6, rs
for r in rs:
    assert r["disabled"] and "refused the credentials" in r["disabled"], r' "$LAB_DIR/status.json"
lab_check "no secret in status or in the state directory" no_secret "$LAB_DIR/status.json" "$LAB_DIR/state"
c=$(nreq)
lab_check_fails "disabled: update fails" he_at $((T + 240)) ddns update
lab_check "disabled: no further request" nreq_is "$c"
good_secrets
lab_check "fixed secrets (a config change): every A updated to 11.77.0.4" \
	expect_out "pb A: 11.77.0.4 (good)" "r53 A: 11.77.0.4 (good)" "nc A: 11.77.0.4 (good)" -- he_at $((T + 300)) ddns update
lab_check "A holds 11.77.0.4 everywhere" every_rec_is home.example.com A content '"11.77.0.4"'

lab_down
lab_done
