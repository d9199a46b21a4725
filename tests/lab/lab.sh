# shellcheck shell=bash
# tests/lab/lab.sh: the network lab, sourced by tests/lab/test_*.sh (bash, root).
#
# Builds hosts in network namespaces joined by veth pairs, all created inside the
# namespaces (nothing is added to, or sent from, the root namespace):
#
#   home (LAN) --- router (miniupnpd + nftables NAT) --- inet (internet host)
#   home (LAN) --- router --- isp (CGNAT, masquerade) --- inet       [variant cgnat]
#   home (LAN) --- router =IPv4-in-IPv6=> isp (AFTR, masquerade) --- inet [variant dslite]
#
# API (see tests/lab/README.md for the full description):
#   lab_up VARIANT        full | upnp | natpmp | none | cgnat | dslite
#   lab_down              stop everything, delete the namespaces (also run by a trap)
#   in_home/in_rtr/in_inet/in_isp CMD...   run CMD in that host (dslite: in_aftr = in_isp)
#   lab_spawn NS LOG CMD...                background CMD in NS, killed by lab_down
#   lab_serve_tcp NS ADDR PORT BANNER      lab_serve_udp NS ADDR PORT REPLY
#   lab_probe_tcp NS ADDR PORT             lab_probe_udp NS ADDR PORT
#   lab_unreachable_tcp NS ADDR PORT       lab_unreachable_udp NS ADDR PORT
#   lab_restart_router    lab_set_wan_ip NEWIP    lab_log
#   lab_check DESC CMD... / lab_check_fails DESC CMD... / lab_done   (TAP-like output)
#
# Each namespace name is unique per run: he<PID>x<N>-home, -rtr, -inet, -isp.
#
# Options (environment, before lab_up; the defaults keep the lab as it was):
#   LAB_LAN2=1          a second LAN host `lan2` (192.168.77.3, 2e77:77:1::3): the
#                       router's LAN side becomes a bridge named lan0 with home
#                       and lan2 on it; in_lan2 CMD... runs in it
#   LAB_SECURE_MODE=no  miniupnpd secure_mode=no and pcp_allow_thirdparty=yes
#                       (mappings for another LAN host); default yes
#   LAB_MIN_LIFETIME=N  miniupnpd's shortest PCP lease (default 120 s), so a test
#                       can see renewals in seconds

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_ROOT=$(cd "$LAB_SRC/../.." && pwd)
: "${HE_BIN:=$LAB_ROOT/build/homeexpose}"
export HE_BIN LAB_SRC LAB_ROOT

LAB_SEQ=${LAB_SEQ:-0}
LAB_PASS=${LAB_PASS:-0}
LAB_FAIL=${LAB_FAIL:-0}
: "${LAB_PROBE_TIMEOUT:=2}"
LAB_MINIUPNPD=${LAB_MINIUPNPD:-/usr/sbin/miniupnpd}

# Fixed addresses. The router's WAN block 11.77.0.0/24 is not reserved (miniupnpd
# refuses RFC 1918, 100.64/10 and the documentation blocks) and exists only inside
# the namespaces. The IPv6 prefix 2e77::/16 lies in 2000::/3 (global unicast) but
# is not allocated to any registry, so it looks global and routes nowhere real.
LAB_LAN_NET=192.168.77.0/24
LAB_HOME_IP=192.168.77.2
LAB_RTR_LAN_IP=192.168.77.1
LAB_INET_IP=11.77.0.1
LAB_LAN_NET6=2e77:77:1::/64
LAB_HOME_IP6=2e77:77:1::2
LAB_RTR_LAN_IP6=2e77:77:1::1
LAB_INET_IP6=2e77:77:ff::1
LAB_LAN2_IP=192.168.77.3
LAB_LAN2_IP6=2e77:77:1::3
# interface names (the same in every run: each lives in its own namespace)
LAB_HOME_IF=eth0
LAB_LAN_IF=lan0
LAB_WAN_IF=wan0
LAB_INET_IF=eth0
LAB_HTTP_PORT=5000
export LAB_LAN2_IP LAB_LAN2_IP6
export LAB_LAN_NET LAB_HOME_IP LAB_RTR_LAN_IP LAB_INET_IP LAB_LAN_NET6 LAB_HOME_IP6 \
	LAB_RTR_LAN_IP6 LAB_INET_IP6 LAB_HOME_IF LAB_LAN_IF LAB_WAN_IF LAB_INET_IF LAB_HTTP_PORT

in_home() { ip netns exec "$LAB_HOME" "$@"; }
in_rtr() { ip netns exec "$LAB_RTR" "$@"; }
in_inet() { ip netns exec "$LAB_INET" "$@"; }
in_lan2() {
	if [ -z "${LAB_LAN2_NS:-}" ]; then
		echo "lab: no lan2 host (set LAB_LAN2=1 before lab_up)" >&2
		return 1
	fi
	ip netns exec "$LAB_LAN2_NS" "$@"
}
in_aftr() { in_isp "$@"; }
in_isp() {
	if [ -z "${LAB_ISP:-}" ]; then
		echo "lab: no isp host in variant '$LAB_VARIANT'" >&2
		return 1
	fi
	ip netns exec "$LAB_ISP" "$@"
}

_lab_err() { echo "lab: $*" >&2; }

# Run a command in a namespace, quietly unless it fails.
_lab_ns() {
	local ns=$1 out
	shift
	if ! out=$(ip netns exec "$ns" "$@" 2>&1); then
		_lab_err "in $ns: $* failed: $out"
		return 1
	fi
}

# _lab_teardown DIR: kill the processes in, and delete, the namespaces recorded in
# DIR (DIR/netns), reap our children (DIR/pids), remove DIR.
_lab_teardown() {
	local dir=$1 pid ns left _
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	if [ -f "$dir/netns" ]; then
		# every process lab_spawn started runs inside one of our namespaces: end
		# them by the ids the kernel lists there (never by name)
		while read -r ns; do
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill -TERM "$pid" 2>/dev/null
			done
		done <"$dir/netns"
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			left=0
			while read -r ns; do
				[ -n "$(ip netns pids "$ns" 2>/dev/null)" ] && left=1
			done <"$dir/netns"
			[ "$left" = 0 ] && break
			sleep 0.05
		done
		while read -r ns; do
			for pid in $(ip netns pids "$ns" 2>/dev/null); do
				kill -KILL "$pid" 2>/dev/null
			done
			ip netns del "$ns" 2>/dev/null
		done <"$dir/netns"
	fi
	if [ -f "$dir/pids" ]; then
		while read -r pid; do
			{ wait "$pid"; } 2>/dev/null
		done <"$dir/pids"
	fi
	rm -rf "$dir"
}

lab_down() {
	local dir=${LAB_DIR:-}
	[ -n "$dir" ] || return 0
	if declare -F lab_cleanup_hook >/dev/null; then
		lab_cleanup_hook
	fi
	if [ "${LAB_KEEP:-0}" = 1 ]; then
		echo "# LAB_KEEP=1: lab '$LAB_VARIANT' left up; namespaces:" >&2
		sed 's/^/#   /' "$dir/netns" >&2
		echo "#   enter one: ip netns exec $LAB_RTR bash" >&2
		echo "#   or: . $LAB_SRC/lab.sh; . $dir/env; in_rtr nft list ruleset" >&2
		echo "#   miniupnpd log: $dir/miniupnpd.log" >&2
		echo "#   remove it:  $LAB_SRC/lab-down.sh $dir" >&2
	else
		_lab_teardown "$dir"
	fi
	LAB_DIR=
	LAB_HOME='' LAB_RTR='' LAB_INET='' LAB_ISP='' LAB_LAN2_NS=''
}

_lab_on_exit() {
	local rc=$?
	lab_down
	return $rc
}

_lab_on_signal() {
	trap - EXIT INT TERM
	lab_down
	exit "$1"
}

_lab_netns_add() {
	ip netns add "$1" || return 1
	echo "$1" >>"$LAB_DIR/netns"
	# loopback up; no DAD (addresses usable at once); no router advertisements
	_lab_ns "$1" ip link set lo up &&
		_lab_ns "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_ra=0 \
			net.ipv6.conf.default.accept_ra=0
}

# _lab_link NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up.
_lab_link() {
	_lab_ns "$1" ip link add name "$2" type veth peer name "$4" netns "$3" &&
		_lab_ns "$1" ip link set "$2" up &&
		_lab_ns "$3" ip link set "$4" up
}

# Traffic between two LAN hosts is bridged, not routed: keep it out of the
# router's forward chain when br_netfilter is loaded (per namespace).
_lab_bridge_no_netfilter() {
	local k
	for k in iptables ip6tables arptables; do
		if ip netns exec "$LAB_RTR" test -e "/proc/sys/net/bridge/bridge-nf-call-$k"; then
			_lab_ns "$LAB_RTR" sysctl -qw "net.bridge.bridge-nf-call-$k=0" || return 1
		fi
	done
}

_lab_router_ruleset() {
	local wan_if=$1 wan4_if=${2:-$1} fwd4=''
	# dslite: IPv4 leaves through the tunnel, IPv6 through the WAN link
	[ "$wan4_if" != "$wan_if" ] && fwd4="iifname \"$LAB_LAN_IF\" oifname \"$wan4_if\" accept"
	cat <<EOF
# router: filter + NAT in one inet table, laid out like /etc/miniupnpd/nft_init.sh
table inet miniupnpd {}
delete table inet miniupnpd
table inet miniupnpd {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		ct state invalid drop
		iifname "$LAB_LAN_IF" oifname "$wan_if" accept
		$fwd4
		# mappings and IPv6 pinholes made by miniupnpd land here
		jump miniupnpd
	}
	chain miniupnpd {
	}
	chain prerouting {
		type nat hook prerouting priority -100; policy accept;
		jump prerouting_miniupnpd
	}
	chain postrouting {
		type nat hook postrouting priority 100; policy accept;
		jump postrouting_miniupnpd
		oifname "$wan4_if" ip saddr $LAB_LAN_NET masquerade
	}
	chain prerouting_miniupnpd {
	}
	chain postrouting_miniupnpd {
	}
}
EOF
}

_lab_miniupnpd_conf() {
	local upnp=$1 natpmp=$2
	cat <<EOF
# generated by tests/lab/lab.sh for variant $LAB_VARIANT
ext_ifname=$LAB_WAN4_IF
ext_ifname6=$LAB_WAN_IF
listening_ip=$LAB_LAN_IF
http_port=$LAB_HTTP_PORT
enable_upnp=$upnp
enable_natpmp=$natpmp
secure_mode=${LAB_SECURE_MODE:-yes}
pcp_allow_thirdparty=$([ "${LAB_SECURE_MODE:-yes}" = no ] && echo yes || echo no)
system_uptime=no
notify_interval=60
clean_ruleset_interval=600
min_lifetime=${LAB_MIN_LIFETIME:-120}
max_lifetime=86400
uuid=$(cat /proc/sys/kernel/random/uuid)
friendly_name=homeexpose lab router
lease_file=$LAB_DIR/upnp.leases
lease_file6=$LAB_DIR/upnp.leases6
upnp_table_name=miniupnpd
upnp_nat_table_name=miniupnpd
upnp_forward_chain=miniupnpd
upnp_nat_chain=prerouting_miniupnpd
upnp_nat_postrouting_chain=postrouting_miniupnpd
allow 1-65535 $LAB_LAN_NET 1-65535
deny 0-65535 0.0.0.0/0 0-65535
EOF
}

# lab_spawn NS LOGFILE CMD...: run CMD in the background inside NS; lab_down kills
# it. Sets LAB_LAST_PID.
lab_spawn() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" </dev/null >>"$log" 2>&1 &
	LAB_LAST_PID=$!
	echo "$LAB_LAST_PID" >>"$LAB_DIR/pids"
}

_lab_wait_listen() {
	# _lab_wait_listen NS -t|-u PORT: wait (<= 5 s) for a socket listening on PORT
	local ns=$1 kind=$2 port=$3 _
	for _ in $(seq 1 100); do
		if [ -n "$(ip netns exec "$ns" ss -Hn "$kind" -l "sport = :$port" 2>/dev/null)" ]; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

LAB_DSLITE_IF=dslite0
# The DS-Lite softwire for the dslite variant: router wan0 (2e77:77:fe::2) ---
# isp cgn0 (2e77:77:fe::1, the AFTR) --- inet, IPv6 only on the first link;
# IPv4 rides in a tunnel over it: ip6tnl mode ipip6 (RFC 2473, as DS-Lite
# routers do) where the kernel has it, else a VXLAN over IPv6 (same addresses,
# IPv4 still only inside IPv6). LAB_DSLITE_TUNNEL says which.
_lab_dslite_tunnel() {
	local ns=$1 ifname=$2 local6=$3 remote6=$4 dev=$5
	if ip netns exec "$ns" ip link add "$ifname" type ip6tnl mode ipip6 \
		local "$local6" remote "$remote6" encaplimit none dev "$dev" 2>/dev/null; then
		LAB_DSLITE_TUNNEL=ipip6
	else
		_lab_ns "$ns" ip link add "$ifname" type vxlan id 64 local "$local6" \
			remote "$remote6" dstport 4789 dev "$dev" || return 1
		LAB_DSLITE_TUNNEL=vxlan6
	fi
	_lab_ns "$ns" ip link set "$ifname" up
}

_lab_dslite_links() {
	_lab_ns "$LAB_ISP" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 &&
		_lab_link "$LAB_RTR" "$LAB_WAN_IF" "$LAB_ISP" cgn0 &&
		_lab_link "$LAB_ISP" wan0 "$LAB_INET" "$LAB_INET_IF" &&
		_lab_ns "$LAB_ISP" ip addr add "$LAB_WAN_GW6/64" dev cgn0 nodad &&
		_lab_ns "$LAB_RTR" ip addr add "$LAB_WAN_IP6/64" dev "$LAB_WAN_IF" nodad &&
		_lab_dslite_tunnel "$LAB_RTR" "$LAB_DSLITE_IF" "$LAB_WAN_IP6" "$LAB_WAN_GW6" \
			"$LAB_WAN_IF" &&
		_lab_dslite_tunnel "$LAB_ISP" b4t0 "$LAB_WAN_GW6" "$LAB_WAN_IP6" cgn0 &&
		_lab_ns "$LAB_RTR" ip addr add "$LAB_WAN_IP/29" dev "$LAB_DSLITE_IF" &&
		_lab_ns "$LAB_RTR" ip route add default via "$LAB_WAN_GW" dev "$LAB_DSLITE_IF" &&
		_lab_ns "$LAB_ISP" ip addr add "$LAB_ISP_IP/29" dev b4t0 &&
		_lab_ns "$LAB_ISP" ip addr add "$LAB_PUBLIC_IP/24" dev wan0 &&
		_lab_ns "$LAB_ISP" ip addr add "$LAB_ISP_PUBLIC_IP6/64" dev wan0 nodad &&
		_lab_ns "$LAB_ISP" ip route add default via "$LAB_INET_IP" &&
		_lab_ns "$LAB_ISP" ip -6 route add default via "$LAB_INET_IP6" &&
		_lab_ns "$LAB_ISP" ip -6 route add "$LAB_LAN_NET6" via "$LAB_WAN_IP6" || return 1
	# the AFTR's NAT44 for every B4 behind it
	_lab_ns "$LAB_ISP" nft -f - <<EOF
table ip aftr {
	chain postrouting {
		type nat hook postrouting priority 100; policy accept;
		oifname "wan0" ip saddr 192.0.0.0/29 masquerade
	}
}
EOF
}

_lab_start_miniupnpd() {
	local want_tcp=0 want_udp=0
	[ "$LAB_UPNP" = yes ] && want_tcp=1
	[ "$LAB_NATPMP" = yes ] && want_udp=1
	: >"$LAB_DIR/miniupnpd.log"
	lab_spawn "$LAB_RTR" "$LAB_DIR/miniupnpd.log" "$LAB_MINIUPNPD" -d \
		-f "$LAB_MINIUPNPD_CONF" -P "$LAB_DIR/miniupnpd.pid"
	LAB_MINIUPNPD_PID=$LAB_LAST_PID
	export LAB_MINIUPNPD_PID
	if [ "$want_tcp" = 1 ] && ! _lab_wait_listen "$LAB_RTR" -t "$LAB_HTTP_PORT"; then
		_lab_err "miniupnpd did not open its HTTP port; its log:"
		lab_log >&2
		return 1
	fi
	if [ "$want_udp" = 1 ] && ! _lab_wait_listen "$LAB_RTR" -u 5351; then
		_lab_err "miniupnpd did not open NAT-PMP/PCP port 5351; its log:"
		lab_log >&2
		return 1
	fi
	if ! kill -0 "$LAB_MINIUPNPD_PID" 2>/dev/null; then
		_lab_err "miniupnpd exited; its log:"
		lab_log >&2
		return 1
	fi
}

lab_log() {
	if [ -n "${LAB_DIR:-}" ] && [ -f "$LAB_DIR/miniupnpd.log" ]; then
		cat "$LAB_DIR/miniupnpd.log"
	else
		echo "(no miniupnpd log)"
	fi
}

lab_up() {
	local variant=${1:-}
	case "$variant" in
	full) LAB_UPNP=yes LAB_NATPMP=yes ;;
	upnp) LAB_UPNP=yes LAB_NATPMP=no ;;
	natpmp) LAB_UPNP=no LAB_NATPMP=yes ;;
	none) LAB_UPNP=no LAB_NATPMP=no ;;
	cgnat | dslite) LAB_UPNP=yes LAB_NATPMP=yes ;;
	*)
		_lab_err "lab_up: unknown variant '$variant' (full upnp natpmp none cgnat dslite)"
		return 2
		;;
	esac
	if [ "$(id -u)" != 0 ]; then
		_lab_err "lab_up: must run as root (network namespaces)"
		return 1
	fi
	if [ -n "${LAB_DIR:-}" ]; then
		_lab_err "lab_up: a lab is already up ($LAB_DIR); call lab_down first"
		return 1
	fi
	LAB_SEQ=$((LAB_SEQ + 1))
	local id="he$$x$LAB_SEQ"
	LAB_VARIANT=$variant
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/helab.$id.XXXXXX") || return 1
	: >"$LAB_DIR/netns"
	: >"$LAB_DIR/pids"
	trap _lab_on_exit EXIT
	trap '_lab_on_signal 130' INT
	trap '_lab_on_signal 143' TERM

	LAB_HOME=$id-home LAB_RTR=$id-rtr LAB_INET=$id-inet LAB_ISP='' LAB_LAN2_NS=''
	[ "${LAB_LAN2:-0}" = 1 ] && LAB_LAN2_NS=$id-lan2
	LAB_WAN4_IF=$LAB_WAN_IF LAB_DSLITE_TUNNEL=''
	if [ "$variant" = cgnat ]; then
		LAB_ISP=$id-isp
		LAB_WAN_IP=100.64.77.2 LAB_WAN_GW=100.64.77.1
		LAB_WAN_IP6=2e77:77:fe::2 LAB_WAN_GW6=2e77:77:fe::1
		LAB_PUBLIC_IP=11.77.0.2 LAB_ISP_IP=100.64.77.1
		LAB_ISP_PUBLIC_IP6=2e77:77:ff::2
	elif [ "$variant" = dslite ]; then
		# DS-Lite (RFC 6333): the router (B4) has only IPv6 on its WAN link; its
		# IPv4 192.0.0.2/29 lives on a tunnel to the ISP's AFTR (192.0.0.1), which
		# NATs it to 11.77.0.2
		LAB_ISP=$id-isp LAB_WAN4_IF=$LAB_DSLITE_IF
		LAB_WAN_IP=192.0.0.2 LAB_WAN_GW=192.0.0.1
		LAB_WAN_IP6=2e77:77:fe::2 LAB_WAN_GW6=2e77:77:fe::1
		LAB_PUBLIC_IP=11.77.0.2 LAB_ISP_IP=192.0.0.1
		LAB_ISP_PUBLIC_IP6=2e77:77:ff::2
	else
		LAB_WAN_IP=11.77.0.2 LAB_WAN_GW=$LAB_INET_IP
		LAB_WAN_IP6=2e77:77:ff::2 LAB_WAN_GW6=$LAB_INET_IP6
		LAB_PUBLIC_IP=$LAB_WAN_IP LAB_ISP_IP='' LAB_ISP_PUBLIC_IP6=''
	fi
	LAB_UPNP_URL=
	[ "$LAB_UPNP" = yes ] && LAB_UPNP_URL="http://$LAB_RTR_LAN_IP:$LAB_HTTP_PORT/rootDesc.xml"
	LAB_MINIUPNPD_CONF=$LAB_DIR/miniupnpd.conf
	LAB_MINIUPNPD_PID=
	export LAB_WAN4_IF LAB_DSLITE_TUNNEL
	export LAB_VARIANT LAB_DIR LAB_HOME LAB_RTR LAB_INET LAB_ISP LAB_LAN2_NS LAB_WAN_IP LAB_WAN_GW \
		LAB_WAN_IP6 LAB_WAN_GW6 LAB_PUBLIC_IP LAB_ISP_IP LAB_ISP_PUBLIC_IP6 LAB_UPNP \
		LAB_NATPMP LAB_UPNP_URL LAB_MINIUPNPD_CONF LAB_MINIUPNPD_PID

	local ns
	for ns in $LAB_HOME $LAB_RTR $LAB_INET $LAB_ISP $LAB_LAN2_NS; do
		_lab_netns_add "$ns" || return 1
	done
	# forwarding only inside the router (and the ISP's CGNAT box)
	_lab_ns "$LAB_RTR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 ||
		return 1

	# home <-> router LAN (with LAB_LAN2=1: a bridge lan0 holding home and lan2)
	if [ -n "$LAB_LAN2_NS" ]; then
		_lab_ns "$LAB_RTR" ip link add "$LAB_LAN_IF" type bridge &&
			_lab_ns "$LAB_RTR" ip link set "$LAB_LAN_IF" up &&
			_lab_link "$LAB_RTR" lanp0 "$LAB_HOME" "$LAB_HOME_IF" &&
			_lab_link "$LAB_RTR" lanp2 "$LAB_LAN2_NS" eth0 &&
			_lab_ns "$LAB_RTR" ip link set lanp0 master "$LAB_LAN_IF" &&
			_lab_ns "$LAB_RTR" ip link set lanp2 master "$LAB_LAN_IF" &&
			_lab_bridge_no_netfilter &&
			_lab_ns "$LAB_LAN2_NS" ip addr add "$LAB_LAN2_IP/24" dev eth0 &&
			_lab_ns "$LAB_LAN2_NS" ip addr add "$LAB_LAN2_IP6/64" dev eth0 nodad &&
			_lab_ns "$LAB_LAN2_NS" ip route add default via "$LAB_RTR_LAN_IP" &&
			_lab_ns "$LAB_LAN2_NS" ip -6 route add default via "$LAB_RTR_LAN_IP6" ||
			return 1
	else
		_lab_link "$LAB_RTR" "$LAB_LAN_IF" "$LAB_HOME" "$LAB_HOME_IF" || return 1
	fi
	_lab_ns "$LAB_RTR" ip addr add "$LAB_RTR_LAN_IP/24" dev "$LAB_LAN_IF" &&
		_lab_ns "$LAB_RTR" ip addr add "$LAB_RTR_LAN_IP6/64" dev "$LAB_LAN_IF" nodad &&
		_lab_ns "$LAB_HOME" ip addr add "$LAB_HOME_IP/24" dev "$LAB_HOME_IF" &&
		_lab_ns "$LAB_HOME" ip addr add "$LAB_HOME_IP6/64" dev "$LAB_HOME_IF" nodad &&
		_lab_ns "$LAB_HOME" ip route add default via "$LAB_RTR_LAN_IP" &&
		_lab_ns "$LAB_HOME" ip -6 route add default via "$LAB_RTR_LAN_IP6" || return 1

	if [ "$variant" = cgnat ]; then
		# router WAN <-> ISP CGNAT box <-> internet host
		_lab_ns "$LAB_ISP" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 || return 1
		_lab_link "$LAB_RTR" "$LAB_WAN_IF" "$LAB_ISP" cgn0 || return 1
		_lab_link "$LAB_ISP" wan0 "$LAB_INET" "$LAB_INET_IF" || return 1
		_lab_ns "$LAB_ISP" ip addr add "$LAB_ISP_IP/24" dev cgn0 &&
			_lab_ns "$LAB_ISP" ip addr add "$LAB_WAN_GW6/64" dev cgn0 nodad &&
			_lab_ns "$LAB_ISP" ip addr add "$LAB_PUBLIC_IP/24" dev wan0 &&
			_lab_ns "$LAB_ISP" ip addr add "$LAB_ISP_PUBLIC_IP6/64" dev wan0 nodad &&
			_lab_ns "$LAB_ISP" ip route add default via "$LAB_INET_IP" &&
			_lab_ns "$LAB_ISP" ip -6 route add default via "$LAB_INET_IP6" &&
			_lab_ns "$LAB_ISP" ip -6 route add "$LAB_LAN_NET6" via "$LAB_WAN_IP6" ||
			return 1
		_lab_ns "$LAB_ISP" nft -f - <<EOF || return 1
table ip cgnat {
	chain postrouting {
		type nat hook postrouting priority 100; policy accept;
		oifname "wan0" ip saddr 100.64.0.0/10 masquerade
	}
}
EOF
	elif [ "$variant" = dslite ]; then
		_lab_dslite_links || return 1
	else
		_lab_link "$LAB_RTR" "$LAB_WAN_IF" "$LAB_INET" "$LAB_INET_IF" || return 1
	fi
	# the router's WAN side; the internet host knows only its own /24 (IPv4 has no
	# route into the LAN: only a port mapping on the router reaches the home host)
	if [ "$variant" != dslite ]; then
		_lab_ns "$LAB_RTR" ip addr add "$LAB_WAN_IP/24" dev "$LAB_WAN_IF" &&
			_lab_ns "$LAB_RTR" ip addr add "$LAB_WAN_IP6/64" dev "$LAB_WAN_IF" nodad &&
			_lab_ns "$LAB_RTR" ip route add default via "$LAB_WAN_GW" dev "$LAB_WAN_IF" onlink ||
			return 1
	fi
	_lab_ns "$LAB_RTR" ip -6 route add default via "$LAB_WAN_GW6" dev "$LAB_WAN_IF" &&
		_lab_ns "$LAB_INET" ip addr add "$LAB_INET_IP/24" dev "$LAB_INET_IF" &&
		_lab_ns "$LAB_INET" ip addr add "$LAB_INET_IP6/64" dev "$LAB_INET_IF" nodad ||
		return 1
	# IPv6 is routed, not NATed: the ISP routes the LAN prefix to the router (an
	# IPv6 pinhole in the router's forward chain is then all that is missing)
	if [ "$variant" = cgnat ] || [ "$variant" = dslite ]; then
		_lab_ns "$LAB_INET" ip -6 route add "$LAB_LAN_NET6" via "$LAB_ISP_PUBLIC_IP6" &&
			_lab_ns "$LAB_INET" ip -6 route add 2e77:77:fe::/64 via "$LAB_ISP_PUBLIC_IP6" ||
			return 1
	else
		_lab_ns "$LAB_INET" ip -6 route add "$LAB_LAN_NET6" via "$LAB_WAN_IP6" || return 1
	fi

	_lab_router_ruleset "$LAB_WAN_IF" "$LAB_WAN4_IF" >"$LAB_DIR/router.nft"
	_lab_ns "$LAB_RTR" nft -f "$LAB_DIR/router.nft" || return 1

	_lab_miniupnpd_conf "$LAB_UPNP" "$LAB_NATPMP" >"$LAB_MINIUPNPD_CONF"
	if [ "$variant" != none ]; then
		_lab_start_miniupnpd || return 1
	fi
	_lab_save_env
	return 0
}

# DIR/env: the lab's variables, for a shell debugging a lab kept with LAB_KEEP=1
_lab_save_env() {
	declare -px | sed -n 's/^declare -x \(LAB_[A-Z0-9_]*=\)/export \1/p' |
		grep -v -e '^export LAB_KEEP=' -e '^export LAB_PASS=' -e '^export LAB_FAIL=' >"$LAB_DIR/env"
}

# lab_restart_router: a router reboot as mapping clients see it: miniupnpd stops,
# its leases and rules are gone, a fresh one starts (new epoch).
lab_restart_router() {
	if [ -n "${LAB_MINIUPNPD_PID:-}" ]; then
		kill -TERM "$LAB_MINIUPNPD_PID" 2>/dev/null
		{ wait "$LAB_MINIUPNPD_PID"; } 2>/dev/null
		LAB_MINIUPNPD_PID=
	fi
	rm -f "$LAB_DIR/upnp.leases" "$LAB_DIR/upnp.leases6" "$LAB_DIR/miniupnpd.pid"
	# reload the whole table: empties the miniupnpd chains, keeps LAN->WAN NAT
	_lab_ns "$LAB_RTR" nft -f "$LAB_DIR/router.nft" || return 1
	in_rtr conntrack -F >/dev/null 2>&1 || true
	cat "$LAB_DIR/miniupnpd.log" >>"$LAB_DIR/miniupnpd.log.old" 2>/dev/null
	if [ "$LAB_VARIANT" != none ]; then
		_lab_start_miniupnpd || return 1
	fi
}

_lab_same24() { [ "${1%.*}" = "${2%.*}" ]; }

# lab_set_wan_ip NEWIP: the ISP hands the router a new WAN address.
lab_set_wan_ip() {
	local new=$1 old=$LAB_WAN_IP peer peer_if
	if [ "$LAB_VARIANT" = cgnat ]; then
		peer=$LAB_ISP peer_if=cgn0
	else
		peer=$LAB_INET peer_if=$LAB_INET_IF
	fi
	[ "$new" = "$old" ] && return 0
	# Remove first, then add: with both present miniupnpd (which reads the first
	# address of ext_ifname) would announce the old one; and deleting a primary
	# address deletes its secondaries. The default route goes with the last
	# address, so put it back.
	_lab_ns "$LAB_RTR" ip addr del "$old/24" dev "$LAB_WAN_IF" &&
		_lab_ns "$LAB_RTR" ip addr add "$new/24" dev "$LAB_WAN_IF" &&
		_lab_ns "$LAB_RTR" ip route replace default via "$LAB_WAN_GW" dev "$LAB_WAN_IF" onlink ||
		return 1
	if ! _lab_same24 "$old" "$LAB_WAN_GW"; then
		ip netns exec "$peer" ip route del "$old/32" dev "$peer_if" 2>/dev/null
	fi
	# forget the old address's MAC: miniupnpd's DNAT rules match only the WAN
	# interface and port, so a stale neighbour entry would keep the old address
	# "working"
	ip netns exec "$peer" ip neigh del "$old" dev "$peer_if" 2>/dev/null
	if ! _lab_same24 "$new" "$LAB_WAN_GW"; then
		_lab_ns "$peer" ip route replace "$new/32" dev "$peer_if" || return 1
	fi
	LAB_WAN_IP=$new
	[ "$LAB_VARIANT" = cgnat ] || LAB_PUBLIC_IP=$new
	export LAB_WAN_IP LAB_PUBLIC_IP
	_lab_save_env
}

_lab_wait_file() {
	local _
	for _ in $(seq 1 100); do
		[ -e "$1" ] && return 0
		sleep 0.03
	done
	return 1
}

_lab_serve() {
	local kind=$1 ns=$2 addr=$3 port=$4 text=$5
	local ready="$LAB_DIR/serve.$kind.$ns.$port.$RANDOM.ready"
	lab_spawn "$ns" "$LAB_DIR/serve.$kind.$ns.$port.log" \
		python3 "$LAB_SRC/labnet.py" "serve-$kind" "$addr" "$port" "$text" "$ready"
	if ! _lab_wait_file "$ready"; then
		_lab_err "serve-$kind $addr:$port in $ns did not start:"
		cat "$LAB_DIR/serve.$kind.$ns.$port.log" >&2
		return 1
	fi
}

# lab_serve_tcp NS ADDR PORT BANNER: a TCP service sending BANNER to every client
lab_serve_tcp() { _lab_serve tcp "$@"; }
# lab_serve_udp NS ADDR PORT REPLY: a UDP service answering every datagram with REPLY
lab_serve_udp() { _lab_serve udp "$@"; }

# lab_probe_tcp NS ADDR PORT: print what a TCP service sends; non-zero if nothing
lab_probe_tcp() {
	ip netns exec "$1" python3 "$LAB_SRC/labnet.py" probe-tcp "$2" "$3" "$LAB_PROBE_TIMEOUT"
}
# lab_probe_udp NS ADDR PORT: send a datagram, print the reply; non-zero if none
lab_probe_udp() {
	ip netns exec "$1" python3 "$LAB_SRC/labnet.py" probe-udp "$2" "$3" "$LAB_PROBE_TIMEOUT"
}

# lab_wait_until MS CMD...: poll CMD (every 20 ms) until it succeeds; non-zero
# after MS milliseconds. For readiness: a bounded poll, never a bare sleep.
lab_wait_until() {
	local end=$((${EPOCHREALTIME/./} / 1000 + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $((${EPOCHREALTIME/./} / 1000)) -ge "$end" ] && return 1
		sleep 0.02
	done
}

# lab_unreachable_tcp NS ADDR PORT / lab_unreachable_udp NS ADDR PORT: succeed
# only when the probe ran and nothing answered. A probe that could not run (no
# such namespace, a broken helper) fails: it proves nothing about the port.
lab_unreachable_tcp() { _lab_unreachable probe-tcp "$@"; }
lab_unreachable_udp() { _lab_unreachable probe-udp "$@"; }
_lab_unreachable() {
	local kind=$1 ns=$2 rc=0
	if ! ip netns exec "$ns" true 2>/dev/null; then
		echo "(the probe could not run: no namespace '$ns')"
		return 2
	fi
	ip netns exec "$ns" python3 "$LAB_SRC/labnet.py" "$kind" "$3" "$4" "$LAB_PROBE_TIMEOUT" || rc=$?
	case $rc in
	0)
		echo "(it answered; expected nothing)"
		return 1
		;;
	1) return 0 ;;
	*)
		echo "(the probe could not run: exit status $rc)"
		return 2
		;;
	esac
}

# ---- TAP-like checks -------------------------------------------------------
# LAB_TIMING=1 appends each check's duration to its line.

_lab_elapsed() {
	local now=${EPOCHREALTIME/./}
	printf '%d.%02d' $(((now - LAB_T0) / 1000000)) $(((now - LAB_T0) / 10000 % 100))
}

_lab_report() {
	local good=$1 desc=$2 out=$3
	if [ "${LAB_TIMING:-0}" = 1 ]; then
		desc="$desc ($(_lab_elapsed)s)"
	fi
	if [ "$good" = 1 ]; then
		LAB_PASS=$((LAB_PASS + 1))
		echo "ok - $desc"
	else
		LAB_FAIL=$((LAB_FAIL + 1))
		echo "not ok - $desc"
		sed 's/^/#   /' "$out"
		if [ -n "${LAB_DIR:-}" ] && [ -s "$LAB_DIR/miniupnpd.log" ]; then
			echo "#   --- miniupnpd log (last 15 lines) ---"
			tail -n 15 "$LAB_DIR/miniupnpd.log" | sed 's/^/#   /'
		fi
	fi
}

# lab_check DESC CMD...: ok if CMD succeeds. CMD runs in this shell (lab_up works).
# Its output is kept in LAB_OUT (a file) and shown on failure. Returns CMD's
# status, so `lab_check "lab_up full" lab_up full || ...` guards really fire.
lab_check() {
	# (names a checked command is unlikely to use: `eval '...; rc=$?; ...'` is common)
	local _lab_desc=$1 _lab_rc=0
	shift
	LAB_OUT=$(mktemp "${TMPDIR:-/tmp}/helab.out.XXXXXX")
	LAB_T0=${EPOCHREALTIME/./}
	"$@" >"$LAB_OUT" 2>&1 || _lab_rc=$?
	_lab_report "$((_lab_rc == 0))" "$_lab_desc" "$LAB_OUT"
	# shellcheck disable=SC2034 # read by the tests
	LAB_LAST_OUTPUT=$(cat "$LAB_OUT")
	rm -f "$LAB_OUT"
	return "$_lab_rc"
}

# lab_check_fails DESC CMD...: ok if CMD fails
lab_check_fails() {
	local _lab_desc=$1 _lab_good=0
	shift
	LAB_OUT=$(mktemp "${TMPDIR:-/tmp}/helab.out.XXXXXX")
	LAB_T0=${EPOCHREALTIME/./}
	if "$@" >"$LAB_OUT" 2>&1; then
		echo "(command succeeded, failure expected)" >>"$LAB_OUT"
	else
		_lab_good=1
	fi
	_lab_report "$_lab_good" "$_lab_desc" "$LAB_OUT"
	# shellcheck disable=SC2034 # read by the tests
	LAB_LAST_OUTPUT=$(cat "$LAB_OUT")
	rm -f "$LAB_OUT"
	[ "$_lab_good" = 1 ]
}

# _lab_expect_out ok|fail WANT... -- CMD...: CMD succeeds (ok) or fails (fail),
# and its output contains every WANT
_lab_expect_out() {
	local mode=$1 want=() w out rc=0
	shift
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		want+=("$1")
		shift
	done
	shift
	out=$("$@" 2>&1) || rc=$?
	printf '%s\n' "$out"
	if [ "$mode" = ok ] && [ "$rc" -ne 0 ]; then
		echo "(exit status $rc)"
		return 1
	fi
	if [ "$mode" = fail ] && [ "$rc" -eq 0 ]; then
		echo "(succeeded; failure expected)"
		return 1
	fi
	for w in "${want[@]}"; do
		case "$out" in
		*"$w"*) ;;
		*)
			echo "(expected '$w' in the output)"
			return 1
			;;
		esac
	done
}

# expect_out WANT... -- CMD...: CMD succeeds and its output contains every WANT
expect_out() { _lab_expect_out ok "$@"; }
# lab_json_valid DEF FILE: FILE (a --json document) is valid against definition
# DEF of docs/schema/homeexpose.schema.json (tests/cli/json_check.py); fails,
# naming why, when it is not or when the validator cannot run.
lab_json_valid() {
	python3 "$LAB_SRC/../cli/json_check.py" "$1" "$2"
}
# fails_with WANT... -- CMD...: CMD fails and its output contains every WANT
fails_with() { _lab_expect_out fail "$@"; }

# lab_done: summary line; returns non-zero if any check failed (or none ran)
lab_done() {
	echo "# $LAB_PASS passed, $LAB_FAIL failed"
	[ "$LAB_FAIL" -eq 0 ] && [ "$LAB_PASS" -gt 0 ]
}
