#!/bin/bash
# ddns with a dyndns2 server on the internet host (HTTPS, a test CA made here):
# one request per address change and none when unchanged (the server's request
# log proves it); badauth disables the record until its config changes; 911
# means nothing for 30 minutes (the clock is moved with HOMEEXPOSE_TEST_NOW,
# not waited for); 5xx backs off, visible in `ddns status`.
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/ddns_common.sh"

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
lab_check "test CA and server certificate (openssl)" ddns_pki
lab_check "dyndns2 server on the internet host" ddns_serve dyndns2 --user alice --password s3cret
secret "$LAB_DIR/pw" s3cret
ddns_conf "[ddns home]
provider = dyndns2
server = $LAB_INET_IP:8443
hostname = home.example.org
username = alice
password-file = $LAB_DIR/pw
ca-file = $LAB_DIR/pki/ca.pem
families = A"
T=$(date +%s)

lab_check "first update sends the router's address" \
	expect_out "home A: $LAB_WAN_IP (good)" -- he_at "$T" ddns update
lab_check "one request, myip=$LAB_WAN_IP, basic auth, User-Agent homeexpose/" \
	eval 'nreq_is 1 && grep -q "\"myip\": \"$LAB_WAN_IP\".*\"auth_ok\": true, \"agent\": \"homeexpose/" "$LAB_DIR/srv/requests.log"'
lab_check "unchanged: update succeeds" he_at $((T + 60)) ddns update
lab_check "unchanged: no request" nreq_is 1
lab_check "status shows the accepted address" field_is home A address "$LAB_WAN_IP"
lab_check "the password is in no server log and not in the state" \
	eval '! grep -rq s3cret "$LAB_DIR/srv/requests.log" "$LAB_DIR/state"'

lab_check "the WAN address changes to 11.77.0.3" lab_set_wan_ip 11.77.0.3
lab_check "update sends the new address" expect_out "home A: 11.77.0.3 (good)" -- he_at $((T + 120)) ddns update
lab_check "exactly one more request" nreq_is 2
lab_check "unchanged again: no request" eval 'he_at $((T + 180)) ddns update && nreq_is 2'

# --- badauth: disabled, no further request until the config changes
secret "$LAB_DIR/pw" wrong
lab_check "the WAN address changes to 11.77.0.4" lab_set_wan_ip 11.77.0.4
lab_check_fails "wrong password: update fails" he_at $((T + 240)) ddns update
lab_check "badauth: one request" nreq_is 3
lab_check "status says disabled: badauth" expect_out "disabled: badauth" -- eval 'he_at $((T + 240)) ddns status; true'
lab_check_fails "status exits 1 while disabled" he_at $((T + 240)) ddns status
lab_check "the WAN address changes to 11.77.0.5" lab_set_wan_ip 11.77.0.5
lab_check_fails "disabled: update fails without asking" he_at $((T + 86400)) ddns update
lab_check "disabled: no further request, a day later, new address" nreq_is 3
secret "$LAB_DIR/pw" s3cret
lab_check "fixed password file (a config change): update asks again" \
	expect_out "home A: 11.77.0.5 (good)" -- he_at $((T + 86460)) ddns update
lab_check "one request after the fix" nreq_is 4

# --- 911: nothing for 30 minutes
T2=$((T + 90000))
echo "200 911" >"$LAB_DIR/srv/reply"
lab_check "the WAN address changes to 11.77.0.6" lab_set_wan_ip 11.77.0.6
lab_check_fails "911: update fails" he_at "$T2" ddns update
lab_check "911: one request" nreq_is 5
rm -f "$LAB_DIR/srv/reply"
lab_check_fails "911: 29 min 59 s later the update still waits" he_at $((T2 + 1799)) ddns update
lab_check "911: no request within 30 minutes" nreq_is 5
T=$((T2 + 1799))
lab_check "status shows the next attempt 30 minutes on" field_is home A next_attempt $((T2 + 1800))
lab_check "30 minutes later: update goes out" expect_out "home A: 11.77.0.6 (good)" -- he_at $((T2 + 1800)) ddns update
lab_check "30 minutes later: one request" nreq_is 6

# --- 5xx: exponential back-off with jitter, visible in status
T3=$((T2 + 3600))
echo "503 down for maintenance" >"$LAB_DIR/srv/reply"
lab_check "the WAN address changes to 11.77.0.7" lab_set_wan_ip 11.77.0.7
lab_check_fails "503: update fails" he_at "$T3" ddns update
T=$T3
lab_check "503: status shows http 503 and 1 failure" \
	eval 'field_is home A answer "http 503" && field_is home A failures 1'
n1=$(status_field home A next_attempt)
lab_check "503: next attempt 30-60 s later" eval '[ $((n1 - T3)) -ge 30 ] && [ $((n1 - T3)) -le 60 ]'
lab_check "503: status shows waiting" expect_out "waiting (1 failure)" -- eval 'he_at "$T3" ddns status; true'
lab_check_fails "503: before the next attempt, no request" he_at $((n1 - 1)) ddns update
lab_check "503: still one request for this address" nreq_is 7
lab_check_fails "503 again at the next attempt" he_at "$n1" ddns update
T=$n1
n2=$(status_field home A next_attempt)
lab_check "503 twice: 2 failures, next attempt 60-120 s later" \
	eval 'field_is home A failures 2 && [ $((n2 - n1)) -ge 60 ] && [ $((n2 - n1)) -le 120 ]'
rm -f "$LAB_DIR/srv/reply"
lab_check "recovered: update succeeds at the next attempt" \
	expect_out "home A: 11.77.0.7 (good)" -- he_at "$n2" ddns update
T=$n2
lab_check "recovered: failures cleared" field_is home A failures 0
lab_check "9 requests in all" nreq_is 9

# --- TLS verification: without the test CA the server is refused
sed -i "/^ca-file/d" "$LAB_DIR/etc/homeexpose.conf"
lab_check "without ca-file the lab CA is not trusted (no request served)" \
	expect_out "certificate" -- eval 'he_at $((n2 + 10)) ddns update --force; true'
lab_check "no request got through" nreq_is 9

lab_down
lab_done
