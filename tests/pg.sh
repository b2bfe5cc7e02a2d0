#!/usr/bin/env bash
# pg.sh - a private PostgreSQL 15 cluster for make run and the test suites.
#
#   tests/pg.sh start DIR   init DIR (first time), start it on a private socket
#                           directory and a free loopback port; prints the port
#   tests/pg.sh stop DIR    stop the cluster in DIR (no error if not running);
#                           PG_STOP_MODE=immediate for a crash-like stop
#   tests/pg.sh port DIR    the port of the running cluster in DIR
#
# PostgreSQL refuses to run as root: when run as root, the cluster belongs to
# the unprivileged system user "tenantry" (created when missing). The socket
# lives in DIR/run, the server listens on 127.0.0.1 only, and the cluster's
# superuser is "postgres" (trusted on the socket only).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|port DIR" >&2; exit 64; }

bindir=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
[ -x "$bindir/pg_ctl" ] || { echo "pg.sh: PostgreSQL 15 server not installed (postgresql-15)" >&2; exit 69; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u tenantry -- "$@"
	else
		"$@"
	fi
}

ensure_user() {
	[ "$(id -u)" = 0 ] || return 0
	id tenantry >/dev/null 2>&1 ||
		useradd --system --no-create-home --shell /usr/sbin/nologin tenantry
}

free_port() {
	local p tries=0
	while [ $tries -lt 200 ]; do
		# below the kernel's ephemeral range (32768 and up), so that a
		# client's own end of a connection never holds the port of a
		# cluster that is restarting
		p=$(( 20000 + (RANDOM % 12000) ))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
		tries=$((tries + 1))
	done
	echo "pg.sh: no free port found" >&2
	return 1
}

case "$cmd" in
start)
	ensure_user
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	data="$dir/data"
	if [ "$(id -u)" = 0 ]; then chown tenantry: "$dir"; fi
	if [ ! -s "$data/PG_VERSION" ]; then
		as_owner mkdir -p "$data" "$dir/run"
		chmod 700 "$data"
		as_owner "$bindir/initdb" -D "$data" -U postgres -A trust \
			--locale=C.UTF-8 -E UTF8 >"$dir/initdb.log" 2>&1 ||
			{ cat "$dir/initdb.log" >&2; exit 70; }
		# Local socket trusted (the socket directory is private);
		# TCP on loopback needs a password.
		cat >"$data/pg_hba.conf" <<-EOF
		local all all trust
		host all all 127.0.0.1/32 scram-sha-256
		EOF
	fi
	as_owner mkdir -p "$dir/run"
	chmod 755 "$dir/run"
	if as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
		cat "$dir/port"
		exit 0
	fi
	# A restarted cluster keeps its port when it is free, so clients
	# configured with it reconnect.
	port=
	if [ -s "$dir/port" ] && ! (exec 3<>"/dev/tcp/127.0.0.1/$(cat "$dir/port")") 2>/dev/null; then
		port=$(cat "$dir/port")
	fi
	[ -n "$port" ] || port=$(free_port)
	echo "$port" >"$dir/port"
	as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $dir/run \
		    -c fsync=${PG_FSYNC:-on} -c max_connections=200 \
		    -c shared_buffers=256MB" >/dev/null ||
		{ tail -20 "$dir/server.log" >&2; exit 70; }
	echo "$port"
	;;
stop)
	[ -d "$dir/data" ] || exit 0
	as_owner "$bindir/pg_ctl" -D "$dir/data" -m "${PG_STOP_MODE:-fast}" -w stop >/dev/null 2>&1 || true
	;;
port)
	cat "$dir/port"
	;;
*)
	echo "usage: $0 start|stop|port DIR" >&2
	exit 64
	;;
esac
