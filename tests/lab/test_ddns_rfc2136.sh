#!/bin/bash
# `homeexpose ddns update` with provider rfc2136 against a real Knot DNS on the
# internet host (TSIG hmac-sha256): after the update kdig shows the router's
# WAN address as A and the home host's global IPv6 address as AAAA; a changed
# WAN address replaces the A record; unchanged, nothing is sent (Knot's zone
# serial stays); a wrong key gives a clear error, disables the record, and the
# records stay as they were.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/knot.sh"
. "$(dirname "$0")/ddns_common.sh"

ZONE=home.example
NAME=nas.home.example

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "Knot DNS on the internet host, zone $ZONE" lab_knot_up "$ZONE"
ddns_conf "[ddns nas]
provider = rfc2136
server = $LAB_INET_IP
zone = $ZONE
hostname = $NAME
tsig-key-file = $LAB_KNOT_KEY
families = A AAAA"

records_are() { # TYPE WANT
	local got
	got=$(lab_knot_query "$NAME" "$1" | sort | tr '\n' ' ' | sed 's/ $//')
	echo "kdig $NAME $1: '$got' (want '$2')"
	[ "$got" = "$2" ]
}
serial() { lab_knot_query "$ZONE" SOA | awk '{print $3}'; }
T=$(date +%s)

lab_check "before: no A record" records_are A ""
lab_check "ddns update: A and AAAA accepted" \
	expect_out "nas A: $LAB_WAN_IP (good)" "nas AAAA: $LAB_HOME_IP6 (good)" -- he_at "$T" ddns update
lab_check "kdig shows A $LAB_WAN_IP" records_are A "$LAB_WAN_IP"
lab_check "kdig shows AAAA $LAB_HOME_IP6" records_are AAAA "$LAB_HOME_IP6"
s1=$(serial)
lab_check "unchanged: update succeeds" he_at $((T + 60)) ddns update
lab_check "unchanged: nothing sent (zone serial still $s1)" eval '[ "$(serial)" = "$s1" ]'

lab_check "the WAN address changes to 11.77.0.3" lab_set_wan_ip 11.77.0.3
lab_check "ddns update sends the new A" expect_out "nas A: 11.77.0.3 (good)" -- he_at $((T + 120)) ddns update
lab_check "kdig: the new A only, the old one gone" records_are A 11.77.0.3
lab_check "AAAA unchanged" records_are AAAA "$LAB_HOME_IP6"

# a wrong key: same name, another secret
(umask 077 && keymgr -t ddns-key hmac-sha256 >"$LAB_DIR/wrong.yaml")
sed -i "s|^tsig-key-file = .*|tsig-key-file = $LAB_DIR/wrong.yaml|" "$LAB_DIR/etc/homeexpose.conf"
lab_check "the WAN address changes to 11.77.0.4" lab_set_wan_ip 11.77.0.4
lab_check_fails "wrong key: update fails" he_at $((T + 180)) ddns update
lab_check "wrong key: the error names BADSIG and the key" \
	expect_out "BADSIG" "ddns-key" -- eval 'he_at $((T + 240)) ddns update --force 2>&1; true'
lab_check "wrong key: the secret is not in the output" \
	eval '! he_at $((T + 300)) ddns update --force 2>&1 | grep -qF "$(sed -n "s/^ *secret: *//p" "$LAB_DIR/wrong.yaml")"'
# Knot's BADSIG answer is unsigned (it has no MAC): not final, the record waits and retries
lab_check "wrong key: status says waiting (unsigned answer, retried)" \
	expect_out "waiting" "not TSIG-verified" -- eval 'he_at $((T + 300)) ddns status; true'
lab_check "wrong key: the record is not disabled" \
	eval '! he_at $((T + 300)) ddns status 2>&1 | grep -q "disabled:"'
lab_check "wrong key: A still 11.77.0.3" records_are A 11.77.0.3

lab_done
