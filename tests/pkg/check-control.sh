#!/bin/sh
# debian/ agrees with the build: Build-Depends is debhelper-compat plus the
# build group of tools/deps.sh (less build-essential, implicit by policy), and
# debian/changelog's version is the Makefile's VERSION.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
fail=0

want=$("$root/tools/deps.sh" --list build | grep -vx build-essential | sort)
# the Build-Depends field, folded, one package name a line (no versions)
have=$(awk '/^Build-Depends:/ {on=1; sub(/^Build-Depends:/, ""); print; next}
	on && /^[ \t]/ {print; next} {on=0}' "$root/debian/control" |
	tr ',' '\n' | sed 's/([^)]*)//; s/[[:space:]]//g' | grep -v '^$' |
	grep -vx debhelper-compat | sort)
if [ "$want" = "$have" ]; then
	echo "ok - debian/control Build-Depends = tools/deps.sh build ($(echo "$want" | wc -l) packages)"
else
	echo "not ok - debian/control Build-Depends differs from tools/deps.sh --list build:"
	tmp=$(mktemp -d)
	printf '%s\n' "$want" >"$tmp/want"
	printf '%s\n' "$have" >"$tmp/have"
	diff -u --label deps.sh --label debian/control "$tmp/want" "$tmp/have" || true
	rm -rf "$tmp"
	fail=1
fi

mk=$(sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' "$root/Makefile")
ch=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
if [ "$mk" = "$ch" ]; then
	echo "ok - debian/changelog version $ch = Makefile VERSION"
else
	echo "not ok - debian/changelog version $ch, Makefile VERSION $mk"
	fail=1
fi
exit "$fail"
