#!/bin/bash
# verify = yes: after an accepted rfc2136 update, homeexpose asks the zone's
# authoritative server (verify-server, as the lab has no resolver) for the
# record. Against the real Knot DNS that took the update: "verified". Against a
# second Knot with a stale copy of the zone (a secondary that did not get the
# change): `ddns status` shows the MISMATCH and exits 1.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/knot.sh"
. "$(dirname "$0")/ddns_common.sh"

ZONE=home.example
NAME=nas.home.example

# stale_knot_up: a second knotd on $LAB_INET_IP:5353 serving the zone as it
# was before any update (its own copy, no update ACL in use)
stale_knot_up() {
	local k=$LAB_KNOT_DIR k2=$LAB_DIR/knot2
	mkdir -p "$k2/db" "$k2/zones" "$k2/run" || return 1
	cp "$k/zones/$ZONE.zone" "$k2/zones/" || return 1
	sed -e "s|$k/run|$k2/run|; s|$k/db|$k2/db|; s|$k/zones|$k2/zones|" \
		-e "s|listen: .*|listen: [ $LAB_INET_IP@5353 ]|" "$k/knot.conf" >"$k2/knot.conf" || return 1
	lab_spawn "$LAB_INET" "$k2/knotd.log" knotd -c "$k2/knot.conf"
	_lab_wait_listen "$LAB_INET" -u 5353
}

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "Knot DNS on the internet host, zone $ZONE" lab_knot_up "$ZONE"
lab_check "a second Knot with a stale copy of the zone on port 5353" stale_knot_up
ddns_conf "[ddns nas]
provider = rfc2136
server = $LAB_INET_IP
zone = $ZONE
hostname = $NAME
tsig-key-file = $LAB_KNOT_KEY
families = A
verify = yes
verify-server = $LAB_INET_IP
verify-tries = 2"
T=$(date +%s)

lab_check "ddns update: A accepted" expect_out "nas A: $LAB_WAN_IP (good)" -- he_at "$T" ddns update
lab_check "status: verified by $LAB_INET_IP" \
	expect_out "verify: verified by $LAB_INET_IP" -- he_at "$T" ddns status
lab_check "status --json: verify field" field_is nas A verify "verified by $LAB_INET_IP"

sed -i "s|^verify-server = .*|verify-server = $LAB_INET_IP:5353|" "$LAB_DIR/etc/homeexpose.conf"
lab_check "ddns update --force: accepted by the primary" \
	expect_out "nas A: $LAB_WAN_IP (good)" -- he_at $((T + 60)) ddns update --force
lab_check "status: MISMATCH, the stale server and what it answers" \
	expect_out "VERIFY: MISMATCH: server $LAB_INET_IP:5353 answers no record (expected $LAB_WAN_IP)" -- \
	eval 'he_at $((T + 60)) ddns status; true'
lab_check_fails "status exits 1 on a mismatch" he_at $((T + 60)) ddns status
lab_down
lab_done
