#!/usr/bin/env bash
# deb.sh - the Debian packages tenantry and tenantryd (debian/), built by
# dpkg-buildpackage from a copy of the tree (it writes next to the tree it
# builds) and checked with lintian; the .deb files and the lintian report
# go to OUT.
#
#   src/dist/deb.sh OUT            make deb runs it after installing the tools
set -euo pipefail
out=${1:?usage: deb.sh OUT}
here=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d) # a directory of its own under $TMPDIR
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/tenantry"
tar -C "$here" --exclude=./.git --exclude='./build*' --exclude=./var -cf - . |
	tar -C "$tmp/tenantry" -xf -
(cd "$tmp/tenantry" && dpkg-buildpackage -us -uc -b -j2) >"$out/build.log" 2>&1 || {
	tail -40 "$out/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed (all of it: $out/build.log)" >&2
	exit 1
}
cp "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$out"/
# lintian: errors fail the build, warnings are listed
lintian --tag-display-limit 0 "$out"/*.changes >"$out/lintian.txt" 2>&1 || true
cat "$out/lintian.txt"
if grep -q '^E: ' "$out/lintian.txt"; then
	echo "deb.sh: lintian reports errors" >&2
	exit 1
fi
ls -1 "$out"/*.deb
