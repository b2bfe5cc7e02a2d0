#!/usr/bin/env bash
# run.sh - run the test binary against a throwaway PostgreSQL cluster.
#
#   tests/run.sh BUILD_DIR [suite]
#
# Starts a private cluster in a temporary directory, migrates a template
# database the suites copy from, runs every Check suite (or the one named,
# as CK_RUN_SUITE), and always stops the cluster and removes its files, also
# when a test fails or the run is interrupted.
set -euo pipefail

build=${1:?usage: run.sh BUILD_DIR [suite]}
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
[ -n "${2:-}" ] && export CK_RUN_SUITE="$2"

tmp=$(mktemp -d /tmp/tenantry-test.XXXXXX)
chmod 755 "$tmp"
cleanup() {
	# consoles the console suite left behind (a failed test skips its teardown)
	for s in /tmp/tmux-"$(id -u)"/"${tmp##*/}"-*; do
		[ -S "$s" ] && tmux -L "${s##*/}" kill-server 2>/dev/null || true
	done
	# and any of its consoles that did not go with their terminal
	pkill -KILL -f -- "$build/tenantry .*$tmp/" 2>/dev/null || true
	"$here/pg.sh" stop "$tmp/pg" || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Durability is not under test: fsync off makes the suites several times faster.
port=$(PG_FSYNC=off "$here/pg.sh" start "$tmp/pg")
export TENANTRY_TEST_HOST="$tmp/pg/run"
export TENANTRY_TEST_PORT="$port"
export TENANTRY_TEST_TMP="$tmp"
export TENANTRY_BIN="$build/tenantry"
export TENANTRY_SERVER_BIN="$build/tenantryd"
export TENANTRY_MASTER_KEY_FILE="$tmp/master.key"
head -c 32 /dev/urandom >"$TENANTRY_MASTER_KEY_FILE"
chmod 600 "$TENANTRY_MASTER_KEY_FILE"

admin="host=$TENANTRY_TEST_HOST port=$port user=postgres"
psql -X -q -v ON_ERROR_STOP=1 -d "$admin dbname=postgres" \
	-c "CREATE DATABASE tenantry_template" >/dev/null
"$build/tenantry" --db "$admin dbname=tenantry_template" migrate >/dev/null

cd "$here/.."  # suites read themes/, keymaps/ and docs/ relative to the tree
rc=0
${TEST_WRAPPER:-} "$build/tenantry-tests" || rc=$?
# The servers the suites started log to $tmp: a sanitizer report there is a
# failure as much as a failed check.
if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp"/tenantryd-*.log \
	2>/dev/null; then
	echo "tenantryd reported sanitizer errors (above: the logs):" >&2
	grep -h -A30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$tmp"/tenantryd-*.log >&2
	[ "$rc" -ne 0 ] || rc=1
fi
exit "$rc"
