#!/bin/bash
# ddns against a Cloudflare API v4 contract server on the internet host (HTTPS,
# a test CA made here): only `content` changes (proxied, TTL and comment stay as
# the user set them), a missing record is created, A and AAAA; nothing is sent
# when nothing changed; a refused token disables the record.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/ddns_common.sh"

# cf_rec TYPE KEY: a field of the server's stored record home.example.com TYPE
cf_rec() {
	python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    if r["name"] == "home.example.com" and r["type"] == sys.argv[2]:
        print(json.dumps(r.get(sys.argv[3])))' "$LAB_DIR/srv/records.json" "$1" "$2"
}
cf_is() {
	local v
	v=$(cf_rec "$1" "$2")
	echo "($1 $2 = $v, want $3)"
	[ "$v" = "$3" ]
}

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "test CA and server certificate (openssl)" ddns_pki
mkdir -p "$LAB_DIR/srv"
cat >"$LAB_DIR/srv/records.json" <<JSON
[{"id": "372e67954025e0ba6aaa6d586b9e0b59", "type": "A", "name": "home.example.com",
  "content": "198.51.100.4", "proxied": true, "ttl": 3600, "comment": "set by hand"}]
JSON
lab_check "Cloudflare API server on the internet host" ddns_serve cloudflare --token cf-test-token
secret "$LAB_DIR/token" cf-test-token
ddns_conf "[ddns cf]
provider = cloudflare
server = https://$LAB_INET_IP:8443/client/v4
zone = example.com
hostname = home.example.com
token-file = $LAB_DIR/token
ca-file = $LAB_DIR/pki/ca.pem
families = A AAAA"
T=$(date +%s)

lab_check "update: A patched, AAAA created" \
	expect_out "cf A: $LAB_WAN_IP (good)" "cf AAAA: $LAB_HOME_IP6 (created)" -- he_at "$T" ddns update
lab_check "A content is the router's address" cf_is A content "\"$LAB_WAN_IP\""
lab_check "A proxied untouched" cf_is A proxied true
lab_check "A ttl untouched" cf_is A ttl 3600
lab_check "A comment untouched" cf_is A comment '"set by hand"'
# patch_bodies: every PATCH body's keys, one line each
patch_bodies() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["method"] == "PATCH":
        print(" ".join(sorted(json.loads(e["body"]))))' "$LAB_DIR/srv/requests.log"
}
lab_check "the PATCH body holds only content" eval '[ "$(patch_bodies)" = content ]'
lab_check "AAAA was created with the home's global address" cf_is AAAA content "\"$LAB_HOME_IP6\""
lab_check "every request carried the bearer token" \
	eval '! grep -q "\"auth_ok\": false" "$LAB_DIR/srv/requests.log"'
n=$(nreq)
lab_check "6 requests (zone, record, write for each family)" eval '[ "$n" -eq 6 ]'
lab_check "unchanged: update succeeds without a request" eval 'he_at $((T + 60)) ddns update && nreq_is 6'

lab_check "the WAN address changes to 11.77.0.3" lab_set_wan_ip 11.77.0.3
lab_check "update patches A only" expect_out "cf A: 11.77.0.3 (good)" -- he_at $((T + 120)) ddns update
lab_check "3 more requests (AAAA unchanged: none)" nreq_is 9
lab_check "both PATCH bodies held only content" eval '[ "$(patch_bodies | sort -u)" = content ] && [ "$(patch_bodies | wc -l)" -eq 2 ]'
lab_check "A content changed, proxied and ttl still as set" \
	eval 'cf_is A content "\"11.77.0.3\"" && cf_is A proxied true && cf_is A ttl 3600'
lab_check "one A and one AAAA record, no duplicates" \
	eval '[ "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$LAB_DIR/srv/records.json")" -eq 2 ]'

# --- a refused token: disabled, says so, no further request
secret "$LAB_DIR/token" wrong-token
lab_check "the WAN address changes to 11.77.0.4" lab_set_wan_ip 11.77.0.4
lab_check "wrong token: update fails with badauth" \
	expect_out "badauth" -- eval 'he_at $((T + 180)) ddns update; [ $? -eq 1 ]'
lab_check "the token is in no message" \
	eval '! he_at $((T + 180)) ddns status --json | grep -q wrong-token'
c=$(nreq)
lab_check_fails "disabled: update fails" he_at $((T + 240)) ddns update
lab_check "disabled: no further request" nreq_is "$c"
lab_check "--force asks again" eval 'he_at $((T + 300)) ddns update --force; nreq_is $((c + 1))'

lab_down
lab_done
