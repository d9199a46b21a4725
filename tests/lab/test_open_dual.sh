#!/bin/bash
# One exposure over both families through PCP, and an honest close.
#
# miniupnpd 2.3.1 cannot delete a PCP IPv6 pinhole that was renewed while an
# IPv4 PCP mapping shares its internal port: the delete is answered
# NOT_AUTHORIZED (neither the pinhole's nonce nor the IPv4 mapping's works) and
# the pinhole stays until its lease ends. homeexpose therefore opens IPv6
# pinholes through UPnP's WANIPv6FirewallControl when a PCP router offers it
# (deleted by unique id), and reports a refused PCP delete as a failure.
. "$(dirname "$0")/lab.sh"

conf_for_lab() {
	mkdir -p "$LAB_DIR/etc"
	printf '[general]\nstate-dir = %s/state\nruntime-dir = %s/run\n' "$LAB_DIR" "$LAB_DIR" \
		>"$LAB_DIR/etc/homeexpose.conf"
}
he() { in_home "$HE_BIN" -c "$LAB_DIR/etc/homeexpose.conf" "$@"; }
reach() { expect_out "$3" -- lab_probe_tcp "$LAB_INET" "$1" "$2"; }
unreachable() { lab_unreachable_tcp "$LAB_INET" "$1" "$2"; }
pinholes() { in_rtr nft list chain inet miniupnpd miniupnpd | grep -c 'accept'; }

lab_check "lab_up full" lab_up full || { lab_done; exit 1; }
conf_for_lab
lab_check "home service on 8080 (IPv4 and IPv6)" lab_serve_tcp "$LAB_HOME" :: 8080 banner-8080

lab_check "open 8080/tcp web: IPv4 through PCP, the IPv6 pinhole through UPnP" \
	expect_out "router: pcp $LAB_WAN_IP:8080/tcp" "router: upnp IPv6 pinhole [$LAB_HOME_IP6]:8080/tcp" \
	-- he open 8080/tcp web
lab_check "IPv4: the internet host reads the banner via $LAB_WAN_IP:8080" reach "$LAB_WAN_IP" 8080 banner-8080
lab_check "IPv6: the internet host reads the banner via [$LAB_HOME_IP6]:8080" reach "$LAB_HOME_IP6" 8080 banner-8080
lab_check "open again renews both (the case miniupnpd's PCP pinholes get wrong)" \
	expect_out "updated exposure 'web'" -- he open 8080/tcp web
lab_check "close web" expect_out "removed 8080/tcp" "removed 8080/tcp (IPv6 pinhole)" "closed exposure 'web'" -- he close web
lab_check "after close: IPv4 unreachable" unreachable "$LAB_WAN_IP" 8080
lab_check "after close: IPv6 unreachable too" unreachable "$LAB_HOME_IP6" 8080
lab_check "after close: no forward rule left on the router" test "$(pinholes)" = 0

# --protocol pcp forces PCP for the pinhole too: the refused delete is reported
lab_check "--protocol pcp: open 8080/tcp web2 (both families through PCP)" \
	expect_out "router: pcp IPv6 pinhole [$LAB_HOME_IP6]:8080/tcp" -- he open 8080/tcp web2 --protocol pcp
lab_check "--protocol pcp: open again (renewal)" he -q open 8080/tcp web2 --protocol pcp
lab_check "--protocol pcp: close exits 1 and says the pinhole was NOT removed" \
	eval 'he close web2 >"$LAB_DIR/c.out" 2>&1; rc=$?; cat "$LAB_DIR/c.out"; [ $rc -eq 1 ] &&
		grep -q "NOT_AUTHORIZED" "$LAB_DIR/c.out" && grep -q "stays open until its lease ends" "$LAB_DIR/c.out"'
lab_check "--protocol pcp: the exposure is kept (nothing claimed that was not done)" \
	test -e "$LAB_DIR/etc/exposures.d/web2.conf"
lab_check "--protocol pcp: and indeed IPv6 still reaches the service (the router kept it)" \
	reach "$LAB_HOME_IP6" 8080 banner-8080
lab_check "--protocol pcp: close --force forgets it, saying what is left" \
	expect_out "forgot exposure 'web2' because of --force" -- he close --force web2
lab_done
