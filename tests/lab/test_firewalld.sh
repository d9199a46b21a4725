#!/bin/bash
# The firewalld backend reads firewalld's state over D-Bus and runs
# firewall-cmd only to change something (issue 13). firewalld itself is not
# installed here (it would take over the machine's firewall): a private
# D-Bus daemon (its socket in a temporary directory, never the machine's
# system bus) carries tests/lab/fake_firewalld.py, which answers the read
# methods of firewalld.dbus(5) with firewalld's own names and signatures, and
# a fake firewall-cmd first in PATH changes the fake's state as firewall-cmd
# would. lib/firewall is driven through tests/lab/fw-driver.c in a network
# namespace of its own (an empty ruleset for the shadow analysis).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
H="hefwd$$$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$H" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
pass=0 fail=0
t() {
	local d=$1
	shift
	if "$@" >"$tmp/o" 2>&1; then
		pass=$((pass + 1))
		echo "ok - $d"
	else
		fail=$((fail + 1))
		echo "not ok - $d"
		sed 's/^/#   /' "$tmp/o"
	fi
}
finish() {
	echo "# $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}
[ "$(id -u)" = 0 ] || { echo "not ok - needs root"; exit 1; }
for c in dbus-daemon /usr/bin/python3; do
	command -v "$c" >/dev/null || { echo "not ok - $c missing (apt-get install dbus-daemon python3-dbus python3-gi)"; exit 1; }
done
/usr/bin/python3 -c 'import dbus, gi' 2>/dev/null ||
	{ echo "not ok - python3-dbus / python3-gi missing"; exit 1; }
make -s -C "$root" build/libhomeexpose.a >/dev/null || { echo "not ok - build"; exit 1; }
D="$tmp/fw-driver"
cc -std=gnu11 -Wall -Wextra -Werror -I"$root/lib" -D_GNU_SOURCE "$here/fw-driver.c" \
	"$root/build/libhomeexpose.a" $(pkg-config --libs libnftables jansson libmnl libnftnl) -ldl -o "$D" ||
	{ echo "not ok - build fw-driver"; exit 1; }

# --- the private bus, the fake daemon, the fake firewall-cmd ---
cat >"$tmp/bus.conf" <<EOF2
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$tmp/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF2
dbus-daemon --config-file="$tmp/bus.conf" --nofork --nopidfile >"$tmp/bus.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$tmp/bus" ] && break; sleep 0.05; done
t "the private bus is up" test -S "$tmp/bus" || finish
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/bus"
echo '{"services": {}, "zone": ["ssh"], "runtime": ["ssh"]}' >"$tmp/state.json"
/usr/bin/python3 "$here/fake_firewalld.py" daemon "$tmp/state.json" >"$tmp/fake.log" 2>&1 &
pids+=($!)
for _ in $(seq 200); do grep -q ready "$tmp/fake.log" && break; sleep 0.05; done
t "the fake firewalld owns its name on the bus" grep -q ready "$tmp/fake.log" || finish
mkdir -p "$tmp/bin"
printf '#!/bin/sh\nexec /usr/bin/python3 %s cmd %s %s "$@"\n' "$here/fake_firewalld.py" \
	"$tmp/state.json" "$tmp/cmd.log" >"$tmp/bin/firewall-cmd"
chmod +x "$tmp/bin/firewall-cmd"
: >"$tmp/cmd.log"
export PATH="$tmp/bin:$PATH"
ip netns add "$H"
drv() { ip netns exec "$H" env PATH="$PATH" DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SYSTEM_BUS_ADDRESS" "$D" "$@"; }
svc() { /usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["services"].get(sys.argv[2], {}).get("ports"), sys.argv[2] in s["zone"], sys.argv[2] in s["runtime"])' "$tmp/state.json" "$1"; }
want=(web:8443 mosh:60000/udp mosh:60001/udp mosh:60002/udp)

t "auto picks firewalld: its name is owned on the system bus" sh -c "$(declare -f drv); D=$D H=$H; drv verify | grep -qx 'backend firewalld'"
t "verify of nothing runs no firewall-cmd" test ! -s "$tmp/cmd.log"
t "apply web 8443/tcp and mosh 60000-60002/udp" drv -b firewalld apply "${want[@]}"
t "firewall-cmd was run to change: the range is one port entry, then one reload" \
	sh -c "grep -qx 'firewall-cmd --permanent --service=homeexpose-mosh --add-port=60000-60002/udp' '$tmp/cmd.log' &&
	[ \"\$(grep -c -- '--reload' '$tmp/cmd.log')\" = 1 ]"
t "the fake's state: both services with their ports, in the zone, at runtime" \
	sh -c "[ \"\$($(declare -f svc); tmp=$tmp svc homeexpose-web)\" = \"[['8443', 'tcp']] True True\" ] &&
	[ \"\$($(declare -f svc); tmp=$tmp svc homeexpose-mosh)\" = \"[['60000-60002', 'udp']] True True\" ]"
lines=$(wc -l <"$tmp/cmd.log")
t "verify: in sync, read over D-Bus" sh -c "$(declare -f drv); D=$D H=$H; drv -b firewalld verify ${want[*]} | grep -qx 'in_sync 1'"
t "apply again: nothing to do (dry run empty)" sh -c "$(declare -f drv); D=$D H=$H; [ -z \"\$(drv -b firewalld -n apply ${want[*]})\" ]"
t "verify and the dry run ran no firewall-cmd" test "$(wc -l <"$tmp/cmd.log")" = "$lines"
# runtime lost the services (a firewalld reload from elsewhere): verify sees it, apply reloads
/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); s["runtime"]=["ssh"]; json.dump(s, open(sys.argv[1],"w"))' "$tmp/state.json"
t "runtime lost them: verify says missing" sh -c "$(declare -f drv); D=$D H=$H; drv -b firewalld verify ${want[*]} | grep -q '^missing 8443/tcp'"
t "apply restores them with one reload" sh -c "$(declare -f drv); D=$D H=$H; [ \"\$(drv -b firewalld -n apply ${want[*]})\" = 'firewall-cmd --reload' ] && drv -b firewalld apply ${want[*]} && drv -b firewalld verify ${want[*]} | grep -qx 'in_sync 1'"
t "one port of the range less: the entry becomes 60000-60001" \
	sh -c "$(declare -f drv); D=$D H=$H; drv -b firewalld apply web:8443 mosh:60000/udp mosh:60001/udp &&
	[ \"\$($(declare -f svc); tmp=$tmp svc homeexpose-mosh)\" = \"[['60000-60001', 'udp']] True True\" ]"
t "remove: our services are gone, ssh is left" \
	sh -c "$(declare -f drv); D=$D H=$H; drv -b firewalld remove && grep -q '\"zone\": \[\"ssh\"\]' '$tmp/state.json' && grep -q '\"services\": {}' '$tmp/state.json'"
finish
