#!/bin/sh
# tools/lazy-depends.sh: the Debian packages of the libraries homeexpose loads
# on first use (lib/core/lazy.h: libcurl, OpenSSL, ldns), as a Depends list.
# dpkg-shlibdeps cannot see them (the binary is not linked against them), so
# debian/rules puts this in ${lazy:Depends}. The libraries are the ones the
# build found (the same lookup as the Makefile's HE_SONAME_*).
set -eu
cc=${CC:-cc}
deps=
for lib in curl ssl crypto ldns systemd; do
	dev=$($cc -print-file-name=lib$lib.so)
	soname=$(objdump -p "$dev" | awk '$1 == "SONAME" { print $2 }')
	[ -n "$soname" ] || { echo "lazy-depends: no soname for lib$lib.so ($dev)" >&2; exit 1; }
	file=$(dirname "$(readlink -f "$dev")")/$soname
	pkg=$(dpkg-query -S "$file" | head -1 | cut -d: -f1)
	[ -n "$pkg" ] || { echo "lazy-depends: no package holds $file" >&2; exit 1; }
	case ", $deps, " in *", $pkg, "*) ;; *) deps=${deps:+$deps, }$pkg ;; esac
done
echo "$deps"
