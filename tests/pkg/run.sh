#!/bin/bash
# The Debian packages on this machine (root; run by `make check` as `make pkg-test`):
# debian/ agrees with tools/deps.sh and the Makefile; `make deb` builds both
# packages (lintian: no errors, no warnings); apt installs them; the program
# runs, the installed units pass `systemd-analyze verify`, the agent's unit
# waits for a configuration, the shipped example passes `config check`; apt
# purges them and nothing they installed is left (dpkg -L before, files after).
# Package scripts are kept from starting services (policy-rc.d), so nothing
# listens or sends on the host's network.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
notok() { echo "not ok - $*"; fail=$((fail + 1)); }
# check DESC CMD...: CMD's output indented, then ok/not ok by its exit status
check() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/#   /'
	if [ "$rc" = 0 ]; then ok "$desc"; else notok "$desc (exit $rc)"; fi
	return "$rc"
}
finish() {
	echo "# $pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit $?
}

if [ "$(id -u)" != 0 ]; then
	notok "needs root (apt installs the packages): sudo make pkg-test"
	finish
fi
pkgs=(homeexpose homeexpose-reflector)
for p in "${pkgs[@]}"; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		notok "$p is already installed here: the test would purge it; remove it first"
		finish
	fi
done

check "debian/control and changelog agree with tools/deps.sh and the Makefile" \
	"$root/tests/pkg/check-control.sh"
t0=$SECONDS
check "make deb: both packages built, lintian clean" "$root/tools/mkdeb.sh" || finish
echo "# (built in $((SECONDS - t0)) s)"
version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
debs=("$root"/build/deb/homeexpose_"$version"_*.deb "$root"/build/deb/homeexpose-reflector_"$version"_all.deb)

# keep package scripts from starting services while the test runs
policy=/usr/sbin/policy-rc.d
made_policy=0 made_conf=0
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	made_policy=1
fi
cleanup() {
	[ "$made_conf" = 1 ] && rm -f /etc/homeexpose/homeexpose.conf
	# a step failed between install and purge: purge now
	for p in "${pkgs[@]}"; do
		case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
		'' | *not-installed) ;;
		*)
			apt-get -o DPkg::Lock::Timeout=600 purge -y -q "${pkgs[@]}" >/dev/null 2>&1
			break
			;;
		esac
	done
	[ "$made_policy" = 1 ] && rm -f "$policy"
	[ -n "${tmp:-}" ] && rm -rf "$tmp"
	return 0
}
trap cleanup EXIT
tmp=$(mktemp -d)
export DEBIAN_FRONTEND=noninteractive
apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends)

check "the package depends on the libraries loaded on first use (libcurl, OpenSSL, ldns)" \
	sh -c "dpkg-deb -f ${debs[0]} Depends | tee /dev/stderr | grep -q 'libcurl4.*libssl3.*libldns3'"
check "apt-get install ./homeexpose*.deb" "${apt[@]}" install "${debs[@]}" || finish
dpkg -L "${pkgs[@]}" | sort -u >"$tmp/files"
echo "# dpkg -L: $(wc -l <"$tmp/files") paths"
check "homeexpose --version is $version" \
	bash -c '/usr/sbin/homeexpose --version | tee /dev/stderr | grep -qx "homeexpose $1"' _ "$version"
check "the man pages and completion are in place" \
	test -s /usr/share/man/man8/homeexpose.8.gz -a -s /usr/share/man/man5/homeexpose.conf.5.gz \
	-a -s /usr/share/bash-completion/completions/homeexpose
check "the example configuration is a conffile" \
	grep -qx /etc/homeexpose/homeexpose.conf.example /var/lib/dpkg/info/homeexpose.conffiles
check "the catalog: services nextcloud reads /usr/share/homeexpose/services" \
	bash -c '/usr/sbin/homeexpose services nextcloud | grep "443/tcp"'
check "systemd-analyze verify of the installed units" systemd-analyze verify \
	/lib/systemd/system/homeexpose.service /lib/systemd/system/homeexpose-reflector.service
check "the agent's unit is enabled (the package default)" \
	test -L /etc/systemd/system/multi-user.target.wants/homeexpose.service
# the Condition lines of the installed unit, evaluated by systemd itself
conds() {
	local c=()
	mapfile -t c < <(grep '^Condition' /lib/systemd/system/homeexpose.service)
	[ "${#c[@]}" -gt 0 ] || { echo "the unit has no Condition line"; return 2; }
	systemd-analyze condition "${c[@]}"
}
cond_false() { ! conds; }
check "without a configuration the agent's unit would not start (conditions fail)" cond_false
check "homeexpose config check on the shipped example" \
	/usr/sbin/homeexpose -c /etc/homeexpose/homeexpose.conf.example config check
if [ -e /etc/homeexpose/homeexpose.conf ]; then
	notok "/etc/homeexpose/homeexpose.conf exists before the test made one"
else
	cp /etc/homeexpose/homeexpose.conf.example /etc/homeexpose/homeexpose.conf
	made_conf=1
	check "with /etc/homeexpose/homeexpose.conf copied from the example the unit would start" conds
	check "and config check passes on it" /usr/sbin/homeexpose config check
	rm -f /etc/homeexpose/homeexpose.conf
	made_conf=0
fi

check "apt-get purge" "${apt[@]}" purge "${pkgs[@]}"
left() {
	local p n=0
	while read -r p; do
		[ "$p" = /. ] && continue
		[ -e "$p" ] || [ -L "$p" ] || continue
		# a directory another package also owns (/usr, /etc, ...) stays; so
		# does one that is a symlink on a merged-/usr system (/lib)
		if [ -d "$p" ] && { dpkg-query -S "$p" >/dev/null 2>&1 ||
			dpkg-query -S "$(readlink -f "$p")" >/dev/null 2>&1; }; then
			continue
		fi
		echo "left behind: $p"
		n=$((n + 1))
	done <"$tmp/files"
	for p in /etc/homeexpose /var/lib/homeexpose /run/homeexpose \
		/etc/systemd/system/multi-user.target.wants/homeexpose.service \
		/etc/systemd/system/multi-user.target.wants/homeexpose-reflector.service \
		/var/lib/systemd/deb-systemd-helper-enabled/homeexpose.service.dsh-also \
		/var/lib/systemd/deb-systemd-helper-enabled/homeexpose-reflector.service.dsh-also; do
		if [ -e "$p" ] || [ -L "$p" ]; then
			echo "left behind: $p"
			n=$((n + 1))
		fi
	done
	echo "$(wc -l <"$tmp/files") paths checked, $n left"
	[ "$n" = 0 ]
}
check "after purge nothing the packages installed is left" left
check "dpkg knows neither package any more" \
	bash -c '! dpkg-query -W -f="\${Status}\n" homeexpose homeexpose-reflector 2>/dev/null | grep -q .'
finish
