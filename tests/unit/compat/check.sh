#!/bin/sh
# tests/unit/compat/check.sh - lib/portmap/upnp.c against miniupnpc's newer API.
#
# Debian 12 ships miniupnpc 2.2.4 (API 17), which the normal build uses. Here
# upnp.c is compiled (syntax only) against the stand-in headers in this
# directory, which carry the API 18+ prototypes (2.2.8 and 2.3.x: the WAN
# address arguments of UPNP_GetValidIGD): it must compile with API 18 and 20,
# and it must NOT compile when those headers claim API 17 - which proves the
# MINIUPNPC_API_VERSION guard is what selects the call. Run by `make unit`.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
cc=${CC:-cc}
flags="-std=gnu11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
 -Wno-unused-parameter -D_GNU_SOURCE -I$here -I$root/lib -fsyntax-only"
fail=0
for api in 18 20; do
	# shellcheck disable=SC2086
	if $cc $flags -DMINIUPNPC_API_VERSION=$api "$root/lib/portmap/upnp.c"; then
		echo "  compat: upnp.c builds against miniupnpc API $api prototypes"
	else
		echo "compat: upnp.c does not build against miniupnpc API $api" >&2
		fail=1
	fi
done
# shellcheck disable=SC2086
if $cc $flags -DMINIUPNPC_API_VERSION=17 "$root/lib/portmap/upnp.c" 2>/dev/null; then
	echo "compat: upnp.c built with API 17 against API 18 prototypes: the guard is not used" >&2
	fail=1
else
	echo "  compat: API 17 with the new prototypes is refused (the guard selects the call)"
fi
exit "$fail"
