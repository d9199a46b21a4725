# tests/lab/knot.sh - a real Knot DNS on the lab's internet host (sourced after lab.sh).
#
# lab_knot_up ZONE: starts knotd in the inet namespace on $LAB_INET_IP:53 and
# [$LAB_INET_IP6]:53, authoritative for ZONE, with one TSIG key (hmac-sha256,
# made by keymgr) that may update any A/AAAA record in it. Sets
#   LAB_KNOT_DIR  its config/zone/key directory (inside $LAB_DIR)
#   LAB_KNOT_KEY  the key file (Knot's YAML form, mode 0600), which homeexpose reads
# lab_knot_query NAME TYPE: the records kdig sees, one per line.
# knotd is stopped by lab_down with the lab's other processes.

lab_knot_up() {
	local zone=$1 k=$LAB_DIR/knot
	LAB_KNOT_DIR=$k
	mkdir -p "$k/db" "$k/zones" "$k/run" "$k/keys" || return 1
	chmod 0700 "$k/keys"
	LAB_KNOT_KEY=$k/keys/ddns-key.yaml
	(umask 077 && keymgr -t ddns-key hmac-sha256 >"$LAB_KNOT_KEY") || return 1
	cat >"$k/knot.conf" <<EOF
server:
    rundir: "$k/run"
    listen: [ $LAB_INET_IP@53, $LAB_INET_IP6@53 ]
log:
  - target: stderr
    any: info
database:
    storage: "$k/db"
include: "$LAB_KNOT_KEY"
acl:
  - id: ddns-update
    key: ddns-key
    action: update
    update-type: [A, AAAA]
template:
  - id: default
    storage: "$k/zones"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: changes
zone:
  - domain: $zone
    acl: [ddns-update]
EOF
	cat >"$k/zones/$zone.zone" <<EOF
\$ORIGIN $zone.
\$TTL 300
@   SOA ns.$zone. hostmaster.$zone. 1 3600 600 86400 60
@   NS  ns.$zone.
ns  A   $LAB_INET_IP
EOF
	knotc -c "$k/knot.conf" conf-check >/dev/null || return 1
	lab_spawn "$LAB_INET" "$k/knotd.log" knotd -c "$k/knot.conf"
	_lab_wait_listen "$LAB_INET" -u 53
}

# lab_knot_records_are NAME TYPE WANT: kdig's records (sorted, one line) are WANT
lab_knot_records_are() {
	local got
	got=$(lab_knot_query "$1" "$2" | sort | tr '\n' ' ' | sed 's/ $//')
	echo "kdig $1 $2: '$got' (want '$3')"
	[ "$got" = "$3" ]
}

lab_knot_query() {
	in_inet kdig +short +norecurse +timeout=2 +retry=0 @"$LAB_INET_IP" "$1" "$2"
}
