#!/bin/sh
# Install the Debian packages a set of jobs needs, only those missing.
# usage: tools/deps.sh GROUP...   (groups: build test bench)
#        tools/deps.sh --list GROUP...  print the groups' packages, one a line
#        (debian/control's Build-Depends is checked against `--list build`)
# A no-op (and no root needed) when everything is present.
set -eu

build="build-essential pkg-config libminiupnpc-dev libnatpmp-dev libnftables-dev libnftnl-dev
 libmnl-dev libinih-dev libldns-dev libsystemd-dev libjansson-dev libcurl4-openssl-dev
 libssl-dev"
# test: cmocka, clang for libFuzzer and the clang build, and the lab's real parts.
test="libcmocka-dev clang python3 python3-jsonschema netbase iproute2 nftables miniupnpd-nftables miniupnpc natpmpc
 socat procps iptables ufw knot knot-dnsutils coturn openssl dante-server microsocks
 debhelper lintian systemd prometheus dbus-daemon python3-dbus python3-gi"
bench="time inadyn ddclient"

list=0
if [ "${1:-}" = --list ]; then
	list=1
	shift
fi
want=""
for g in "$@"; do
	case "$g" in
	build) want="$want $build" ;;
	test) want="$want $test" ;;
	bench) want="$want $bench" ;;
	*) echo "deps.sh: unknown group '$g'" >&2; exit 2 ;;
	esac
done

if [ "$list" = 1 ]; then
	for p in $want; do echo "$p"; done
	exit 0
fi

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing; run as root (sudo make ...) to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# miniupnpd's package would start a daemon on the host's own interfaces: keep
# package scripts from starting services (the lab starts its own copies).
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 0755 "$policy"
	made_policy=1
fi
cleanup() { [ "$made_policy" = 1 ] && rm -f "$policy"; return 0; }
trap cleanup EXIT
# An old package list can miss packages: refresh once when apt has never been updated.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
	apt-get update -q
fi
lock="-o DPkg::Lock::Timeout=600"
if ! apt-get $lock install -y -q --no-install-recommends $missing; then
	apt-get $lock update -q
	apt-get $lock install -y -q --no-install-recommends $missing
fi
# coturn's and knot's packages enable their servers at boot; the lab runs its own
# copies in namespaces, so keep the host's copies off (prometheus: only promtool is used).
for svc in coturn knot prometheus; do
	case " $missing " in
	*" $svc "*) if command -v systemctl >/dev/null; then systemctl disable "$svc" >/dev/null 2>&1 || true; fi ;;
	esac
done
# dante-server enables danted at boot too (its service is named danted); the lab
# starts its own sockd in a namespace. microsocks ships no service.
case " $missing " in
*" dante-server "*) if command -v systemctl >/dev/null; then systemctl disable danted >/dev/null 2>&1 || true; fi ;;
esac
exit 0
