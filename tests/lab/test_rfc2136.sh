#!/bin/bash
# tests/lab/test_rfc2136.sh - DNS UPDATE with TSIG against a real Knot DNS.
#
# Knot runs on the internet host (11.77.0.1 and 2e77:77:ff::1, port 53) with a
# config dir made here, zone home.example. and a TSIG key made by keymgr that
# may update nas.home.example (A, AAAA); a second key may update only
# web.home.example. The home host updates nas's A and AAAA through
# lib/ddns/rfc2136 (tests/lab/rfc2136-drive.c until `homeexpose ddns update`
# is wired); kdig on the internet host shows the records. A changed address
# replaces the old one; a wrong secret, an unknown key and a key the policy
# does not allow each give a clear error and leave the record as it was.
# RFC2136_RECORD=DIR also records fixtures into DIR (tests/fixtures/rfc2136).
. "$(dirname "$0")/lab.sh"

ZONE=home.example
NAME=nas.home.example

# records_are TYPE WANT: kdig on the internet host shows exactly WANT (sorted,
# space separated; "" for none)
records_are() {
	local got
	got=$(in_inet kdig +short +norecurse +timeout=2 +retry=0 @"$LAB_INET_IP" "$NAME" "$1" |
		sort | tr '\n' ' ' | sed 's/ $//')
	echo "kdig $NAME $1: '$got' (want '$2')"
	[ "$got" = "$2" ]
}

lab_check "lab_up none" lab_up none || {
	lab_done
	exit 1
}
K=$LAB_DIR/knot
mkdir -p "$K/db" "$K/zones" "$K/run" "$K/keys"
chmod 0700 "$K/keys"

# --- the driver, built against the library like tests/lab/fw-driver.c
D=$LAB_DIR/rfc2136-drive
lab_check "build the library and the driver" eval 'make -s -C "$LAB_ROOT" build/libhomeexpose.a >/dev/null &&
	cc -std=gnu11 -Wall -Wextra -Werror -I"$LAB_ROOT/lib" -D_GNU_SOURCE "$LAB_SRC/rfc2136-drive.c" \
		"$LAB_ROOT/build/libhomeexpose.a" $(pkg-config --libs ldns libsystemd jansson) -o "$D"'

# --- keys (keymgr prints Knot's YAML form, which homeexpose reads as is)
(umask 077 &&
	keymgr -t ddns-key hmac-sha256 >"$K/keys/ddns-key.yaml" &&
	keymgr -t ddns-key hmac-sha256 >"$K/keys/wrong-secret.yaml" &&
	keymgr -t stranger-key hmac-sha256 >"$K/keys/stranger-key.yaml" &&
	keymgr -t web-key hmac-sha512 >"$K/keys/web-key.yaml" &&
	keymgr -t zone-key hmac-sha1 >"$K/keys/zone-key.yaml")
# the same ddns key in BIND's syntax (tsig-keygen's output), for the parser
secret=$(sed -n 's/^ *secret: *//p' "$K/keys/ddns-key.yaml")
(umask 077 && printf 'key "ddns-key" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' \
	"$secret" >"$K/keys/ddns-key.bind")
unset secret

cat >"$K/knot.conf" <<EOF
server:
    rundir: "$K/run"
    listen: [ $LAB_INET_IP@53, $LAB_INET_IP6@53 ]
log:
  - target: stderr
    any: info
database:
    storage: "$K/db"
include: "$K/keys/ddns-key.yaml"
include: "$K/keys/web-key.yaml"
include: "$K/keys/zone-key.yaml"
acl:
  - id: nas-update
    key: ddns-key
    action: update
    update-type: [A, AAAA]
    update-owner: name
    update-owner-match: equal
    update-owner-name: [nas]
  - id: web-update
    key: web-key
    action: update
    update-owner: name
    update-owner-match: equal
    update-owner-name: [web]
  - id: zone-update
    key: zone-key
    action: update
template:
  - id: default
    storage: "$K/zones"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: changes
zone:
  - domain: $ZONE
    acl: [nas-update, web-update, zone-update]
EOF
cat >"$K/zones/$ZONE.zone" <<EOF
\$ORIGIN $ZONE.
\$TTL 300
@   SOA ns.$ZONE. hostmaster.$ZONE. 1 3600 600 86400 60
@   NS  ns.$ZONE.
ns  A   $LAB_INET_IP
nas A   192.0.2.1
EOF

lab_check "knotc conf-check" knotc -c "$K/knot.conf" conf-check
lab_spawn "$LAB_INET" "$K/knotd.log" knotd -c "$K/knot.conf"
lab_check "knotd listens on $LAB_INET_IP:53" _lab_wait_listen "$LAB_INET" -u 53
lab_check "before: nas A is the zone file's 192.0.2.1" records_are A 192.0.2.1
lab_check "before: no AAAA" records_are AAAA ""

upd() { in_home "$D" update "$LAB_INET_IP" "$ZONE" "$NAME" "$@"; }

lab_check "update A 11.77.0.2 (Knot YAML key file)" \
	expect_out "ok rcode=0" -- upd A 11.77.0.2 "$K/keys/ddns-key.yaml"
lab_check "kdig shows A 11.77.0.2 only" records_are A 11.77.0.2
lab_check "update AAAA over IPv6 to [$LAB_INET_IP6]:53 (BIND key file)" \
	expect_out "ok rcode=0" "server=[$LAB_INET_IP6]:53" -- \
	in_home "$D" update "[$LAB_INET_IP6]:53" "$ZONE" "$NAME" AAAA 2e77:77:1::2 "$K/keys/ddns-key.bind"
lab_check "kdig shows AAAA 2e77:77:1::2" records_are AAAA 2e77:77:1::2
lab_check "the library's own query reads A back" \
	expect_out 11.77.0.2 -- in_home "$D" query "$LAB_INET_IP" "$NAME" A

lab_check "change A to 11.77.0.99" expect_out "ok rcode=0" -- upd A 11.77.0.99 "$K/keys/ddns-key.yaml"
lab_check "kdig: the new A, the old one gone" records_are A 11.77.0.99
lab_check "change AAAA to 2e77:77:1::99" \
	expect_out "ok rcode=0" -- upd AAAA 2e77:77:1::99 "$K/keys/ddns-key.yaml"
lab_check "kdig: the new AAAA, the old one gone" records_are AAAA 2e77:77:1::99
lab_check "the TTL of the record is 60" \
	eval '[ "$(in_inet kdig +noall +answer @"$LAB_INET_IP" "$NAME" A | awk "{print \$2}")" = 60 ]'

lab_check "wrong secret: BADSIG named, not final (the answer is unsigned)" \
	fails_with "BADSIG" "ddns-key" "differs from the server" "permanent=0" -- \
	upd A 11.77.0.7 "$K/keys/wrong-secret.yaml"
lab_check "wrong secret: no secret in the message" \
	eval '! upd A 11.77.0.7 "$K/keys/wrong-secret.yaml" 2>&1 |
		grep -qF "$(sed -n "s/^ *secret: *//p" "$K/keys/wrong-secret.yaml")"'
lab_check "unknown key: BADKEY named" \
	fails_with "BADKEY" "stranger-key" -- upd A 11.77.0.7 "$K/keys/stranger-key.yaml"
lab_check "a key the policy does not allow for nas: refused, named" \
	fails_with "web-key" "BADKEY" "policy does not allow" -- upd A 11.77.0.7 "$K/keys/web-key.yaml"
lab_check "after the refusals A is still 11.77.0.99" records_are A 11.77.0.99
lab_check "wrong zone: NOTAUTH named" \
	fails_with "NOTAUTH" -- in_home "$D" update "$LAB_INET_IP" other.example nas.other.example A \
	11.77.0.7 "$K/keys/ddns-key.yaml"
lab_check "name outside the zone (hmac-sha1 key): NOTZONE named" \
	fails_with "NOTZONE" "not inside zone" -- in_home "$D" update "$LAB_INET_IP" "$ZONE" \
	nas.elsewhere.example A 11.77.0.7 "$K/keys/zone-key.yaml"
lab_check "an hmac-sha1 key without name limits updates nas" \
	expect_out "ok rcode=0" -- upd A 11.77.0.98 "$K/keys/zone-key.yaml"
lab_check "an hmac-sha512 key updates web" \
	expect_out "ok rcode=0" -- in_home "$D" update "$LAB_INET_IP" "$ZONE" web.home.example A \
	11.77.0.80 "$K/keys/web-key.yaml"
lab_check "kdig shows web A 11.77.0.80" \
	expect_out 11.77.0.80 -- in_inet kdig +short @"$LAB_INET_IP" web.home.example A
lab_check "no DNS server on the port: refused quickly, named" \
	fails_with "connection refused" -- in_home "$D" update "$LAB_INET_IP:5353" "$ZONE" "$NAME" A \
	11.77.0.7 "$K/keys/ddns-key.yaml"
lab_check "A still 11.77.0.98" records_are A 11.77.0.98

if [ -n "${RFC2136_RECORD:-}" ]; then
	mkdir -p "$RFC2136_RECORD"
	cp "$K/keys/ddns-key.yaml" "$RFC2136_RECORD/ddns-key.yaml"
	rec() { in_home "$D" record "$LAB_INET_IP" "$ZONE" "$@" 2>&1 | sed "s/^/# /"; }
	rec "$NAME" A 11.77.0.2 "$K/keys/ddns-key.yaml" "$RFC2136_RECORD/success"
	rec "$NAME" AAAA 2e77:77:1::2 "$K/keys/ddns-key.yaml" "$RFC2136_RECORD/success_aaaa"
	rec "$NAME" A 11.77.0.2 "$K/keys/wrong-secret.yaml" "$RFC2136_RECORD/badsig"
	rec "$NAME" A 11.77.0.2 "$K/keys/stranger-key.yaml" "$RFC2136_RECORD/badkey"
	rec "$NAME" A 11.77.0.2 "$K/keys/web-key.yaml" "$RFC2136_RECORD/denied"
	rec nas.elsewhere.example A 11.77.0.2 "$K/keys/zone-key.yaml" "$RFC2136_RECORD/notzone"
	in_home "$D" record "$LAB_INET_IP" other.example nas.other.example A 11.77.0.2 \
		"$K/keys/ddns-key.yaml" "$RFC2136_RECORD/notauth" 2>&1 | sed "s/^/# /"
	cp "$K/keys/wrong-secret.yaml" "$RFC2136_RECORD/wrong-secret.yaml"
	cp "$K/keys/web-key.yaml" "$RFC2136_RECORD/web-key.yaml"
	cp "$K/keys/stranger-key.yaml" "$RFC2136_RECORD/stranger-key.yaml"
	cp "$K/keys/zone-key.yaml" "$RFC2136_RECORD/zone-key.yaml"
fi

lab_down
lab_done
