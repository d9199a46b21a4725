# shellcheck shell=bash
# tests/lab/ddns_common.sh: shared by test_ddns_*.sh (sourced after lab.sh).
# A test CA and a server certificate for the inet host made with openssl in the
# lab's temp dir, the contract server (ddns_server.py) on the inet host, and a
# homeexpose config whose only address source is the router.

# ddns_pki: $LAB_DIR/pki/{ca.pem,srv.pem,srv.key}; the server cert names 11.77.0.1
ddns_pki() {
	local d=$LAB_DIR/pki
	mkdir -p "$d" &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=homeexpose lab CA" \
			-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=$LAB_INET_IP" \
			-keyout "$d/srv.key" -out "$d/srv.csr" 2>/dev/null &&
		printf 'subjectAltName=IP:%s,IP:%s\n' "$LAB_INET_IP" "$LAB_INET_IP6" >"$d/ext" &&
		openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-CAcreateserial -days 2 -extfile "$d/ext" -out "$d/srv.pem" 2>/dev/null
}

# ddns_serve MODE ARGS...: the contract server on the inet host, port 8443
ddns_serve() {
	local mode=$1
	shift
	mkdir -p "$LAB_DIR/srv"
	lab_spawn "$LAB_INET" "$LAB_DIR/srv.log" python3 "$LAB_SRC/ddns_server.py" "$mode" \
		--cert "$LAB_DIR/pki/srv.pem" --key "$LAB_DIR/pki/srv.key" --port 8443 \
		--dir "$LAB_DIR/srv" "$@" &&
		_lab_wait_listen "$LAB_INET" -t 8443
}

# ddns_conf RECORD-LINES: the config with the router as the only address source
ddns_conf() {
	mkdir -p "$LAB_DIR/etc"
	{
		printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR"
		# sources-required = 1: the router (11.77.0.2) and the home's interface
		# address for IPv6 are the only sources; no STUN or HTTP check service
		printf '[publicip]\nstun-servers = none\nhttp-urls = none\nsources-required = 1\n'
		printf '%s\n' "$1"
	} >"$LAB_DIR/etc/homeexpose.conf"
}

# ddns_whatismyip PORT: the "what is my IP" service (whatismyip.py) on the inet host
ddns_whatismyip() {
	lab_spawn "$LAB_INET" "$LAB_DIR/http.log" python3 "$LAB_SRC/whatismyip.py" "$1" \
		"$LAB_DIR/http.ready" && _lab_wait_file "$LAB_DIR/http.ready" &&
		_lab_wait_listen "$LAB_INET" -t "$1"
}

# ddns_conf_outside PORT BODY: as ddns_conf, but the sources are the router, the
# interface and ddns_whatismyip on PORT (both families): behind CGNAT or DS-Lite
# the router's address is not public, so only an outside source sees the NAT's
ddns_conf_outside() {
	mkdir -p "$LAB_DIR/etc"
	{
		printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR"
		printf '[publicip]\nstun-servers = none\nsources-required = 1\n'
		printf 'http-urls = http://%s:%s/ http://[%s]:%s/\n' "$LAB_INET_IP" "$1" "$LAB_INET_IP6" "$1"
		printf '%s\n' "$2"
	} >"$LAB_DIR/etc/homeexpose.conf"
}

# secret FILE TEXT: a 0600 secret file
secret() { (umask 077 && printf '%s\n' "$2" >"$1"); }

# he_at T ARGS...: homeexpose on the home host with the clock at T (epoch seconds)
he_at() {
	local t=$1
	shift
	in_home env HOMEEXPOSE_TEST_NOW="$t" "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"
}

# nreq: how many requests the contract server has seen
nreq() { if [ -f "$LAB_DIR/srv/requests.log" ]; then wc -l <"$LAB_DIR/srv/requests.log"; else echo 0; fi; }
# nreq_is N: exactly N requests so far
nreq_is() {
	local n
	n=$(nreq)
	echo "(the server saw $n requests, want $1)"
	[ "$n" -eq "$1" ]
}
# status_field RECORD FAMILY KEY: one field of `ddns status --json` at time T ($T)
status_field() {
	he_at "$T" ddns status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
for r in d["records"]:
    if r["record"] == sys.argv[1] and r["type"] == sys.argv[2]:
        v = r[sys.argv[3]]
        print("" if v is None else v)' "$@"
}
# field_is RECORD FAMILY KEY WANT
field_is() {
	local v
	v=$(status_field "$1" "$2" "$3")
	echo "($3 = '$v', want '$4')"
	[ "$v" = "$4" ]
}

# until_myip MS ADDR: wait until the dyndns2 server got myip=ADDR; prints the time
until_myip() {
	local max=$1 want=$2 t0 now
	t0=${EPOCHREALTIME/./}
	while :; do
		now=${EPOCHREALTIME/./}
		if grep -q "\"myip\": \"$want\"" "$LAB_DIR/srv/requests.log" 2>/dev/null; then
			echo "(the server had myip=$want after $(((now - t0) / 1000)) ms)"
			return 0
		fi
		if [ $(((now - t0) / 1000)) -gt "$max" ]; then
			echo "(no update to $want within $max ms)"
			return 1
		fi
		sleep 0.01
	done
}
