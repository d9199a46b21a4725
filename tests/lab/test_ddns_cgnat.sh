#!/bin/bash
# Dynamic DNS behind carrier-grade NAT (lab variant cgnat: router WAN
# 100.64.77.2, the ISP's NAT 11.77.0.2), against a real Knot DNS:
#   - by default only the AAAA is published; the A is withheld and
#     `ddns status` says why
#   - publish-behind-nat = yes publishes the NAT's address as A
#   - back to the default, that A record is deleted again
# and netcheck says what works (IPv6 pinholes yes, IPv4 forwarding no).
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/knot.sh"
. "$(dirname "$0")/ddns_common.sh"

ZONE=home.example
NAME=nas.home.example
HTTP_PORT=8000

he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
records_are() { lab_knot_records_are "$NAME" "$@"; }
# conf [EXTRA RECORD LINES]
conf() {
	ddns_conf_outside "$HTTP_PORT" "[ddns nas]
provider = rfc2136
server = $LAB_INET_IP
zone = $ZONE
hostname = $NAME
tsig-key-file = $LAB_KNOT_KEY
families = A AAAA
$1"
}

lab_check "lab_up cgnat" lab_up cgnat || { lab_done; exit 1; }
lab_check "what-is-my-IP service on the internet host" ddns_whatismyip "$HTTP_PORT"
lab_check "Knot DNS on the internet host, zone $ZONE" lab_knot_up "$ZONE"
conf
lab_check "netcheck names CGNAT and what works" \
	expect_out "CGNAT:" "$LAB_WAN_IP" "IPv6 pinholes: yes" "IPv4 forwarding: no" -- \
	eval 'he netcheck; true'

T=$(date +%s)
lab_check "ddns update: AAAA published, the A withheld (CGNAT), exit 0" \
	expect_out "nas AAAA: $LAB_HOME_IP6 (good)" "nas A: not published" "CGNAT" -- he_at "$T" ddns update
lab_check "kdig: AAAA $LAB_HOME_IP6" records_are AAAA "$LAB_HOME_IP6"
lab_check "kdig: no A record" records_are A ""
lab_check "ddns status says why there is no A" \
	expect_out "not published" "CGNAT" "$LAB_PUBLIC_IP is the ISP's address" "publish-behind-nat = yes" -- \
	he_at "$T" ddns status

conf "publish-behind-nat = yes"
lab_check "publish-behind-nat = yes: the NAT's address is published as A" \
	expect_out "nas A: $LAB_PUBLIC_IP (good)" -- he_at $((T + 60)) ddns update
lab_check "kdig: A $LAB_PUBLIC_IP" records_are A "$LAB_PUBLIC_IP"
lab_check "ddns status: A $LAB_PUBLIC_IP, no 'not published' line" \
	eval 'out=$(he_at $((T + 60)) ddns status); echo "$out";
		echo "$out" | grep -q "nas  *A  *$NAME  *$LAB_PUBLIC_IP" && ! echo "$out" | grep -q "not published"'

conf
lab_check "back to the default: the A record published before is deleted" \
	expect_out "nas A: not published" "deleted every A record" -- he_at $((T + 120)) ddns update
lab_check "kdig: no A record again" records_are A ""
lab_check "kdig: AAAA untouched" records_are AAAA "$LAB_HOME_IP6"
lab_check "ddns status: the old A record was deleted" \
	expect_out "old A record was deleted" -- he_at $((T + 120)) ddns status

lab_done
