#!/usr/bin/env bash
# bench.sh - make bench: a private PostgreSQL under var/bench, the datasets,
# the run, the report.
#
#   tests/bench/bench.sh BUILD_DIR [full|small]
#
# full:  100,000 tenants (and 1,000 for the growth rows), 5 s x 5 repetitions
# small:  10,000 tenants (and 1,000), 2 s x 3 repetitions, a few minutes
#
# BENCH_ONLY=KEY measures one row only (an operation's key, http for the
# tenantryd rows, signin for the sign-in row, webhooks for the webhook row)
# and skips the console.
#
# A dataset is kept between runs and reused while its database says it
# holds the same number of tenants. The cluster is stopped at the end.
# The table goes to stdout and var/bench.txt, the JSON to var/bench.json
# (var/bench-small.txt and .json for SCALE=small, so a quick run leaves
# the full run's report alone).
set -euo pipefail

build=$(cd "${1:?usage: bench.sh BUILD_DIR [full|small]}" && pwd)
scale=${2:-full}
root=$(cd "$(dirname "$0")/../.." && pwd)
var="$root/var"
bench="$build/tenantry-bench"

case "$scale" in
full)  big=100000 small=1000 seconds=${BENCH_SECONDS:-5} reps=${BENCH_REPS:-5} report=bench ;;
small) big=10000 small=1000 seconds=${BENCH_SECONDS:-2} reps=${BENCH_REPS:-3} report=bench-small ;;
*) echo "bench.sh: SCALE is full or small, not '$scale'" >&2; exit 64 ;;
esac

mkdir -p "$var/bench"
port=$("$root/tests/pg.sh" start "$var/bench/pg")
trap '"$root/tests/pg.sh" stop "$var/bench/pg"' EXIT
sock="$var/bench/pg/run"
admin="host=$sock port=$port user=postgres"

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -tA -d "$admin dbname=$1" -c "$2"; }

# The database for N tenants, loaded unless it already holds them.
dataset() {
	local db="bench_$1" n="$1" have
	have=$(psql_admin "$db" "SELECT tenants FROM public.bench_dataset" 2>/dev/null || true)
	if [ "$have" = "$n" ]; then
		echo "bench: reusing $db ($n tenants, loaded in" \
			"$(psql_admin "$db" "SELECT load_seconds FROM public.bench_dataset") s)" >&2
		"$bench" migrate "$admin dbname=$db"
		return 0
	fi
	psql_admin postgres "DROP DATABASE IF EXISTS $db" >/dev/null
	psql_admin postgres "CREATE DATABASE $db" >/dev/null
	"$bench" load "$admin dbname=$db" "$n"
}

dataset "$big"
dataset "$small"
load_big=$(psql_admin "bench_$big" "SELECT load_seconds FROM public.bench_dataset")

sizes=$(psql_admin "bench_$big" "SELECT format('%s tenants, %s users, %s memberships, %s quotas, %s audit entries; database %s',
	(SELECT count(*) FROM tenantry.tenants), (SELECT count(*) FROM tenantry.users),
	(SELECT count(*) FROM tenantry.tenant_users), (SELECT count(*) FROM tenantry.quotas),
	(SELECT count(*) FROM tenantry.audit_log), pg_size_pretty(pg_database_size(current_database())))")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)
pgv=$(psql_admin postgres "SHOW server_version")
machine="$(nproc) cores ($cpu), $mem RAM, $(uname -sr), PostgreSQL $pgv (fsync on, shared_buffers 256MB)"

server=()
server_note="needs tenantryd"
[ -x "$build/tenantryd" ] && server=(--tenantryd "$build/tenantryd")
console_note="needs the console and tmux"

work=$(mktemp -d /tmp/tenantry-bench.XXXXXX)
trap '"$root/tests/pg.sh" stop "$var/bench/pg"; rm -rf "$work"' EXIT

# The console first, on the big dataset, while nothing else runs.
console=()
if [ -z "${BENCH_ONLY:-}" ] && command -v tmux >/dev/null && [ -x "$build/tenantry" ]; then
	if "$root/tests/bench/console.sh" "$build" \
		"host=$sock port=$port user=bench_operator dbname=bench_$big" \
		"$work/console.txt" "${BENCH_CONSOLE_SECONDS:-$([ "$scale" = full ] && echo 600 || echo 10)}"; then
		console=(--console-figures "$work/console.txt")
	else
		console=(--console-figures /nonexistent)
	fi
fi
"$bench" run --host "$sock" --port "$port" --db "bench_$big" --tenants "$big" \
	--small-db "bench_$small" --small-tenants "$small" \
	--seconds "$seconds" --reps "$reps" --workdir "$work" \
	--json "$var/$report.json" --machine "$machine" \
	--dataset "$sizes (loaded in ${load_big} s); median of $reps runs of ${seconds} s" \
	--server-note "$server_note" --console-note "$console_note" "${server[@]}" "${console[@]}" \
	${BENCH_ONLY:+--only "$BENCH_ONLY"} |
	tee "$var/$report.txt"
mkdir -p "$var/bench/scripts"
cp "$work"/*.pgbench "$work"/*.vars "$var/bench/scripts/"
echo "bench: report in var/$report.json, pgbench scripts in var/bench/scripts/" >&2
