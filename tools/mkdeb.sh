#!/bin/sh
# make deb: build the Debian packages from a copy of this tree in build/deb/
# (dpkg-buildpackage writes its results beside the source directory, so the
# copy keeps them out of the tree's parent). Results:
#   build/deb/homeexpose_VERSION_ARCH.deb  build/deb/homeexpose-reflector_VERSION_all.deb
# then lintian over them (errors fail; warnings need an override with a reason).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/deb
version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
src=$out/homeexpose-$version

rm -rf "$out"
mkdir -p "$src"
# the source: everything but build output and version control
(cd "$root" && tar --exclude=./.git --exclude=./build --exclude='./build-*' -cf - .) |
	tar -C "$src" -xf -
(cd "$src" && dpkg-buildpackage -us -uc -b -J"${DEB_JOBS:-2}")
rm -rf "$src"
ls -l "$out"/*.deb
if command -v lintian >/dev/null; then
	lintian --fail-on error,warning --display-info --show-overrides "$out"/homeexpose_"${version}"_*.changes
fi
