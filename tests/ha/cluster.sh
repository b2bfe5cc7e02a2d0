#!/usr/bin/env bash
# cluster.sh - a high-availability tenantry stack on loopback, for make
# cluster and the failover drill (tests/ha/drill.sh).
#
#   tests/ha/cluster.sh start DIR BUILD   bring everything up under DIR
#   tests/ha/cluster.sh stop DIR          stop everything it started
#   tests/ha/cluster.sh node-run DIR N    (re)start the pg_autoctl keeper of nodeN
#   tests/ha/cluster.sh node-kill DIR N   SIGKILL nodeN's keeper and postgres
#   tests/ha/cluster.sh as-owner DIR CMD  run CMD as the cluster's user, with
#                                         pg_autoctl's XDG directories
#
# What runs (all on 127.0.0.1, free ports, as the unprivileged user
# "tenantry" when started as root, the same one tests/pg.sh uses):
#
#   pg_auto_failover monitor        DIR/monitor
#   node1, node2 (pg_autoctl)       DIR/node1, DIR/node2: a primary and a
#                                   synchronous standby of database tenantry
#   HAProxy                         :$HA_PG_PORT  -> whichever node answers
#                                   pg_is_in_recovery() = f (a tcp-check
#                                   speaking the PostgreSQL protocol)
#                                   :$HA_HTTP_PORT -> the two tenantryd
#   PgBouncer (transaction mode)    :$HA_PGB_PORT -> HAProxy's primary port;
#                                   database tenantry (2 server sessions a
#                                   login: scripts, the drill's probe) and
#                                   tenantry_api (3: the two tenantryd)
#   tenantryd x2                    :$HA_T1_PORT, :$HA_T2_PORT, one signing
#                                   secret; --db through PgBouncer with
#                                   --db-unnamed-statements 1, --db-direct
#                                   (the live feed's LISTEN) a multi-host
#                                   conninfo with target_session_attrs=read-write
#   pgBackRest                      DIR/pgbackrest.conf, repository DIR/backrest
#
# Authentication is "trust" on loopback: a local drill, not a deployment
# (docs/operations.md says what changes for one). DIR/cluster.env holds
# the ports and connection strings once it is up.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start DIR BUILD | stop DIR" >&2; exit 64; }
here=$(cd "$(dirname "$0")" && pwd)
bindir=/usr/lib/postgresql/15/bin
PATH=$PATH:/usr/sbin:/sbin # pgbouncer and haproxy, for a user without them on PATH

for tool in pg_autoctl pgbouncer haproxy pgbackrest; do
	command -v $tool >/dev/null || {
		echo "cluster.sh: $tool is not installed (make ha-deps)" >&2
		exit 69
	}
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
owner=$(id -un)
if [ "$(id -u)" = 0 ]; then
	owner=tenantry
	id tenantry >/dev/null 2>&1 ||
		useradd --system --no-create-home --shell /usr/sbin/nologin tenantry
fi

# pg_autoctl keeps its configuration and state under the XDG directories:
# ours, inside DIR, so nothing is written to a home directory.
as_owner() {
	local envs=(XDG_CONFIG_HOME="$dir/xdg/config" XDG_DATA_HOME="$dir/xdg/data"
		XDG_RUNTIME_DIR="$dir/xdg/run" HOME="$dir" PGHOST="$dir/sock"
		PATH="$bindir:/usr/sbin:/usr/bin:/sbin:/bin")
	if [ "$(id -u)" = 0 ]; then
		runuser -u tenantry -- env "${envs[@]}" "$@"
	else
		env "${envs[@]}" "$@"
	fi
}

# A command started in the background in a session of its own (so the
# whole process group can be signalled), its pid in DIR/pids/NAME.
spawn() {
	local name=$1
	shift
	setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/pids/$name" \
		bash "$here/cluster.sh" as-owner "$dir" "$@" >"$dir/log/$name.log" 2>&1 </dev/null &
	wait_for 5 "$name to start" test -s "$dir/pids/$name"
}

free_port() {
	local p tries=0
	while [ $tries -lt 200 ]; do
		p=$((20000 + (RANDOM % 12000)))
		if ! grep -qx "$p" "$dir/ports.used" 2>/dev/null &&
			! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p" >>"$dir/ports.used"
			echo "$p"
			return 0
		fi
		tries=$((tries + 1))
	done
	echo "cluster.sh: no free port found" >&2
	return 1
}

wait_for() { # SECONDS DESCRIPTION COMMAND...
	local limit=$1 what=$2 t=0
	shift 2
	until "$@" >/dev/null 2>&1; do
		t=$((t + 1))
		if [ $t -gt $((limit * 5)) ]; then
			echo "cluster.sh: timed out waiting for $what" >&2
			return 1
		fi
		sleep 0.2
	done
}

psql_at() { # PORT DB SQL
	psql -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U "$owner" -d "$2" -c "$3"
}

node_state() { # NAME -> its reported state on the monitor
	psql_at "$HA_MON_PORT" pg_auto_failover \
		"SELECT reportedstate FROM pgautofailover.node WHERE nodename = '$1'"
}

# The stanza's archive command, written into the nodes' configuration.
backrest() { as_owner pgbackrest --config="$dir/pgbackrest.conf" --stanza=tenantry "$@"; }

start_node_keeper() { # N
	spawn "node$1" pg_autoctl run --pgdata "$dir/node$1"
}

# HAProxy's check of the primary, in the PostgreSQL protocol: a startup
# message for user haproxy_check (a role with no rights) on database
# postgres, AuthenticationOk, the query "select pg_is_in_recovery()",
# and its one DataRow must be 'f'; then Terminate. A standby answers 't'
# and is marked down.
CHECK_STARTUP=0000002e000300007573657200686170726f78795f636865636b00646174616261736500706f7374677265730000
CHECK_QUERY=510000001f73656c6563742070675f69735f696e5f7265636f76657279282900
CHECK_PRIMARY=440000000b000100000001 # DataRow, one column of 1 byte, then 'f' (66)

start() {
	local build=${1:?usage: $0 start DIR BUILD}
	build=$(cd "$build" && pwd)
	[ -x "$build/tenantry" ] && [ -x "$build/tenantryd" ] ||
		{ echo "cluster.sh: build $build/tenantry and tenantryd first" >&2; exit 66; }
	if [ -s "$dir/cluster.env" ]; then
		if [ -s "$dir/pids/tenantryd1" ] && kill -0 "$(cat "$dir/pids/tenantryd1")" 2>/dev/null; then
			echo "cluster already up in $dir ($dir/cluster.env; make cluster-stop stops it)"
			exit 0
		fi
		echo "cluster.sh: $dir holds a cluster that is not running: make cluster-stop," \
			"then make cluster creates a new one" >&2
		exit 75
	fi
	rm -rf "$dir"/{monitor,node1,node2,xdg,sock,log,pids,backrest,pgbouncer,haproxy,secrets}
	rm -f "$dir/ports.used"
	mkdir -p "$dir"/{log,pids,secrets}
	[ "$(id -u)" = 0 ] && chown -R tenantry: "$dir"
	as_owner mkdir -p "$dir/sock" "$dir/xdg/run" "$dir/backrest/repo" "$dir/backrest/lock" \
		"$dir/backrest/log" "$dir/pgbouncer" "$dir/haproxy"
	chmod 700 "$dir/xdg/run"

	HA_MON_PORT=$(free_port)
	HA_N1_PORT=$(free_port)
	HA_N2_PORT=$(free_port)
	HA_PG_PORT=$(free_port)
	HA_PGB_PORT=$(free_port)
	HA_HTTP_PORT=$(free_port)
	HA_T1_PORT=$(free_port)
	HA_T2_PORT=$(free_port)

	# ---- pgBackRest: one repository, both nodes (it backs up whichever
	# is the primary; archive_command runs on the primary only).
	cat >"$dir/pgbackrest.conf" <<-EOF
	[global]
	repo1-path=$dir/backrest/repo
	repo1-retention-full=2
	lock-path=$dir/backrest/lock
	log-path=$dir/backrest/log
	log-level-file=detail
	log-level-console=warn
	spool-path=$dir/backrest/spool
	start-fast=y
	archive-timeout=30
	compress-type=lz4

	[tenantry]
	pg1-path=$dir/node1
	pg1-port=$HA_N1_PORT
	pg1-socket-path=$dir/sock
	pg1-user=$owner
	pg2-path=$dir/node2
	pg2-port=$HA_N2_PORT
	pg2-socket-path=$dir/sock
	pg2-user=$owner
	EOF

	# ---- the monitor: our own initdb first, so that the server is small
	# and on loopback from its first start (postgresql.auto.conf wins over
	# the settings pg_autoctl writes; --listen over its default of '*').
	as_owner "$bindir/initdb" -D "$dir/monitor" --locale=C.UTF-8 -E UTF8 -A trust \
		>"$dir/log/initdb-monitor.log" 2>&1
	as_owner tee "$dir/monitor/postgresql.auto.conf" >/dev/null <<-EOF
	listen_addresses = '127.0.0.1'
	unix_socket_directories = '$dir/sock'
	shared_buffers = '16MB'
	max_connections = 40
	EOF
	as_owner pg_autoctl create monitor --pgdata "$dir/monitor" --pgport "$HA_MON_PORT" \
		--hostname 127.0.0.1 --listen 127.0.0.1 --auth trust --no-ssl \
		>"$dir/log/create-monitor.log" 2>&1 ||
		{ tail -20 "$dir/log/create-monitor.log" >&2; exit 70; }
	spawn monitor pg_autoctl run --pgdata "$dir/monitor"
	wait_for 60 "the monitor" psql_at "$HA_MON_PORT" pg_auto_failover "SELECT 1"
	# Failure detection within seconds, not the defaults' half minute:
	# a check a second, unhealthy after 3 s without a report, demotion
	# timeout of 5 s (the standby waits that long before it is promoted
	# when the old primary cannot be told to step down).
	for setting in health_check_period=1000 health_check_timeout=1000 \
		health_check_max_retries=1 health_check_retry_delay=500 \
		node_considered_unhealthy_timeout=3000 primary_demote_timeout=5000; do
		psql_at "$HA_MON_PORT" pg_auto_failover \
			"ALTER SYSTEM SET pgautofailover.${setting%%=*} = ${setting#*=}"
	done
	psql_at "$HA_MON_PORT" pg_auto_failover "SELECT pg_reload_conf()" >/dev/null
	mon="postgres://autoctl_node@127.0.0.1:$HA_MON_PORT/pg_auto_failover?sslmode=disable"

	# ---- node1, the first primary; archiving to pgBackRest is in its
	# postgresql.auto.conf, which node2's base backup copies.
	as_owner "$bindir/initdb" -D "$dir/node1" --locale=C.UTF-8 -E UTF8 -A trust \
		--data-checksums >"$dir/log/initdb-node1.log" 2>&1
	as_owner tee "$dir/node1/postgresql.auto.conf" >/dev/null <<-EOF
	listen_addresses = '127.0.0.1'
	unix_socket_directories = '$dir/sock'
	shared_buffers = '32MB'
	max_connections = 100
	wal_keep_size = '256MB'
	archive_mode = on
	archive_command = 'pgbackrest --config=$dir/pgbackrest.conf --stanza=tenantry --pg1-path=$dir/node1 archive-push %p'
	archive_timeout = 10
	EOF
	for n in 1 2; do
		port_var=HA_N${n}_PORT
		if [ $n = 2 ]; then rm -rf "$dir/node2"; fi
		as_owner pg_autoctl create postgres --pgdata "$dir/node$n" --pgport "${!port_var}" \
			--pghost "$dir/sock" --hostname 127.0.0.1 --listen 127.0.0.1 --name "node$n" \
			--monitor "$mon" --auth trust --no-ssl --dbname tenantry \
			>"$dir/log/create-node$n.log" 2>&1 ||
			{ tail -20 "$dir/log/create-node$n.log" >&2; exit 70; }
		# %p is relative to the data directory: each node's archive
		# command names its own (node2's was copied from node1)
		as_owner sed -i "s|--pg1-path=$dir/node1 |--pg1-path=$dir/node$n |" \
			"$dir/node$n/postgresql.auto.conf"
		start_node_keeper $n
		if [ $n = 1 ]; then
			wait_for 60 "node1 as primary" sh -c "[ \"\$(psql -X -tA -h 127.0.0.1 -p $HA_MON_PORT -U $owner -d pg_auto_failover -c \"SELECT reportedstate FROM pgautofailover.node WHERE nodename = 'node1'\")\" = single ]"
			wait_for 60 "node1's database" psql_at "$HA_N1_PORT" tenantry "SELECT 1"
			# the schema, the roles, the check's login, the stanza
			"$build/tenantry" --db "host=127.0.0.1 port=$HA_N1_PORT user=$owner dbname=tenantry" \
				migrate >"$dir/log/migrate.log"
			psql_at "$HA_N1_PORT" postgres "DO \$\$ BEGIN
				IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'haproxy_check') THEN
					CREATE ROLE haproxy_check LOGIN;
				END IF; END \$\$"
			backrest stanza-create >"$dir/log/stanza.log" 2>&1 ||
				{ cat "$dir/log/stanza.log" >&2; exit 70; }
		fi
	done
	wait_for 120 "node2 as a synchronous standby" sh -c "[ \"\$(psql -X -tA -h 127.0.0.1 -p $HA_MON_PORT -U $owner -d pg_auto_failover -c \"SELECT string_agg(reportedstate::text, ',' ORDER BY nodename) FROM pgautofailover.node\")\" = primary,secondary ]"
	backrest check >"$dir/log/backrest-check.log" 2>&1 ||
		{ cat "$dir/log/backrest-check.log" >&2; exit 70; }

	# ---- HAProxy: the primary for PgBouncer, round robin for HTTP.
	as_owner tee "$dir/haproxy/haproxy.cfg" >/dev/null <<-EOF
	global
	    maxconn 1000
	    pidfile $dir/haproxy/haproxy.pid
	    stats socket $dir/haproxy/admin.sock mode 600 level admin

	defaults
	    timeout connect 2s
	    timeout check 2s
	    log stdout format raw local0 info

	listen postgres_primary
	    bind 127.0.0.1:$HA_PG_PORT
	    mode tcp
	    timeout client 1h
	    timeout server 1h
	    option tcp-check
	    tcp-check connect
	    tcp-check send-binary $CHECK_STARTUP
	    tcp-check expect binary 5200000008
	    tcp-check send-binary $CHECK_QUERY
	    tcp-check expect binary ${CHECK_PRIMARY}66
	    tcp-check send-binary 5800000004
	    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
	    server node1 127.0.0.1:$HA_N1_PORT check
	    server node2 127.0.0.1:$HA_N2_PORT check

	listen tenantryd
	    bind 127.0.0.1:$HA_HTTP_PORT
	    mode http
	    timeout client 30s
	    timeout server 30s
	    balance roundrobin
	    option httpchk GET /readyz
	    default-server inter 1s fall 2 rise 1
	    server t1 127.0.0.1:$HA_T1_PORT check
	    server t2 127.0.0.1:$HA_T2_PORT check
	EOF
	spawn haproxy haproxy -db -f "$dir/haproxy/haproxy.cfg"

	# ---- PgBouncer, transaction pooling, two server sessions a pool;
	# tenantryd's own pool (its sessions, jobs and flushers) has three.
	as_owner tee "$dir/pgbouncer/userlist.txt" >/dev/null <<-EOF
	"tenantry_app" ""
	"$owner" ""
	EOF
	as_owner tee "$dir/pgbouncer/pgbouncer.ini" >/dev/null <<-EOF
	[databases]
	tenantry = host=127.0.0.1 port=$HA_PG_PORT dbname=tenantry
	tenantry_api = host=127.0.0.1 port=$HA_PG_PORT dbname=tenantry pool_size=3

	[pgbouncer]
	listen_addr = 127.0.0.1
	listen_port = $HA_PGB_PORT
	unix_socket_dir =
	auth_type = trust
	auth_file = $dir/pgbouncer/userlist.txt
	admin_users = $owner
	pool_mode = transaction
	default_pool_size = 2
	max_client_conn = 200
	server_connect_timeout = 3
	server_login_retry = 1
	server_check_delay = 0
	query_wait_timeout = 10
	logfile = $dir/pgbouncer/pgbouncer.log
	EOF
	spawn pgbouncer pgbouncer "$dir/pgbouncer/pgbouncer.ini"

	# ---- two tenantryd on one database, one signing secret
	(umask 077
	 head -c 48 /dev/urandom | base64 -w0 >"$dir/secrets/jwt.secret"
	 head -c 32 /dev/urandom >"$dir/secrets/master.key")
	[ "$(id -u)" = 0 ] && chown -R tenantry: "$dir/secrets"
	# Requests, jobs and flushers through PgBouncer, which keeps no
	# prepared statement of a client in transaction mode (1.18): unnamed
	# statements. The live feed LISTENs, which needs a session of its
	# own: straight to the nodes, following the primary.
	app_db="host=127.0.0.1 port=$HA_PGB_PORT user=tenantry_app dbname=tenantry_api connect_timeout=2 keepalives_idle=5 keepalives_interval=2 keepalives_count=2"
	direct_db="host=127.0.0.1,127.0.0.1 port=$HA_N1_PORT,$HA_N2_PORT user=tenantry_app dbname=tenantry target_session_attrs=read-write connect_timeout=2 keepalives_idle=5 keepalives_interval=2 keepalives_count=2"
	for t in 1 2; do
		start_tenantryd "$build" "$t" "$app_db" "$direct_db" "${HA_T1_PORT}" "${HA_T2_PORT}"
	done
	for t in 1 2; do
		port_var=HA_T${t}_PORT
		wait_for 30 "tenantryd$t" curl -fsS "http://127.0.0.1:${!port_var}/readyz"
	done
	wait_for 30 "HAProxy to the primary" psql_at "$HA_PG_PORT" tenantry "SELECT 1"
	wait_for 30 "PgBouncer" psql -X -tA -h 127.0.0.1 -p "$HA_PGB_PORT" -U "$owner" -d tenantry -c "SELECT 1"
	wait_for 30 "HAProxy to tenantryd" curl -fsS "http://127.0.0.1:$HA_HTTP_PORT/readyz"

	cat >"$dir/cluster.env" <<-EOF
	HA_OWNER=$owner
	HA_MON_PORT=$HA_MON_PORT
	HA_N1_PORT=$HA_N1_PORT
	HA_N2_PORT=$HA_N2_PORT
	HA_PG_PORT=$HA_PG_PORT
	HA_PGB_PORT=$HA_PGB_PORT
	HA_HTTP_PORT=$HA_HTTP_PORT
	HA_T1_PORT=$HA_T1_PORT
	HA_T2_PORT=$HA_T2_PORT
	HA_URL=http://127.0.0.1:$HA_HTTP_PORT
	HA_ADMIN_DB="host=127.0.0.1,127.0.0.1 port=$HA_N1_PORT,$HA_N2_PORT user=$owner dbname=tenantry target_session_attrs=read-write connect_timeout=2"
	HA_APP_DB="$app_db"
	HA_APP_DIRECT_DB="$direct_db"
	HA_MASTER_KEY=$dir/secrets/master.key
	EOF
	echo "cluster up in $dir: REST http://127.0.0.1:$HA_HTTP_PORT (HAProxy), PgBouncer 127.0.0.1:$HA_PGB_PORT, nodes $HA_N1_PORT/$HA_N2_PORT, monitor $HA_MON_PORT"
}

# tenantryd number N of the cluster: its requests, jobs and flushers
# through PgBouncer (unnamed statements), its live feed straight to the
# primary.
start_tenantryd() { # BUILD N APP_DB DIRECT_DB T1_PORT T2_PORT
	local port
	[ "$2" = 1 ] && port=$5 || port=$6
	spawn "tenantryd$2" "$1/tenantryd" --db "$3" --db-unnamed-statements 1 \
		--db-direct "$4" --listen "127.0.0.1:$port" \
		--jwt-secret-file "$dir/secrets/jwt.secret" \
		--master-key-file "$dir/secrets/master.key" --db-pool 6 --threads 2
}

kill_pidfile() { # FILE [SIGNAL]
	local pid
	[ -s "$1" ] || return 0
	pid=$(cat "$1")
	kill -"${2:-TERM}" -- "-$pid" 2>/dev/null || kill -"${2:-TERM}" "$pid" 2>/dev/null || true
}

stop() {
	local t
	for p in tenantryd1 tenantryd2 pgbouncer haproxy; do
		kill_pidfile "$dir/pids/$p"
	done
	# keepers first (they would restart postgres), each stops its postgres
	for n in node2 node1 monitor; do
		[ -d "$dir/$n" ] && as_owner pg_autoctl stop --pgdata "$dir/$n" >/dev/null 2>&1 || true
	done
	for n in node2 node1 monitor; do
		t=0
		while [ -s "$dir/pids/$n" ] && kill -0 "$(cat "$dir/pids/$n")" 2>/dev/null && [ $t -lt 100 ]; do
			sleep 0.2
			t=$((t + 1))
		done
		kill_pidfile "$dir/pids/$n" KILL
		# a postgres left without its keeper
		[ -f "$dir/$n/postmaster.pid" ] &&
			as_owner "$bindir/pg_ctl" -D "$dir/$n" -m immediate -w stop >/dev/null 2>&1 || true
	done
	# a restored copy the drill started
	for d in "$dir"/restore*; do
		[ -f "$d/postmaster.pid" ] && as_owner "$bindir/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1 || true
	done
	for p in tenantryd1 tenantryd2 pgbouncer haproxy; do
		kill_pidfile "$dir/pids/$p" KILL
	done
	rm -f "$dir/cluster.env" "$dir"/pids/*
}

case "$cmd" in
start) start "${3:-}" ;;
as-owner)
	shift 2
	as_owner "$@"
	;;
stop) stop ;;
node-run)
	# shellcheck disable=SC1091
	. "$dir/cluster.env"
	start_node_keeper "${3:?node number}"
	;;
tenantryd-restart)
	# A rolling upgrade's step: stop instance N (SIGTERM: it finishes what
	# it serves), start it again from BUILD, wait until it is ready.
	# shellcheck disable=SC1091
	. "$dir/cluster.env"
	n=${3:?instance number}
	build=$(cd "${4:?build dir}" && pwd)
	pid=$(cat "$dir/pids/tenantryd$n")
	kill_pidfile "$dir/pids/tenantryd$n"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	start_tenantryd "$build" "$n" "$HA_APP_DB" "$HA_APP_DIRECT_DB" "$HA_T1_PORT" "$HA_T2_PORT"
	port_var=HA_T${n}_PORT
	wait_for 30 "tenantryd$n" curl -fsS "http://127.0.0.1:${!port_var}/readyz"
	;;
node-kill)
	n=${3:?node number}
	kill_pidfile "$dir/pids/node$n" KILL
	if [ -f "$dir/node$n/postmaster.pid" ]; then
		kill -KILL "$(head -1 "$dir/node$n/postmaster.pid")" 2>/dev/null || true
	fi
	;;
*)
	echo "usage: $0 start DIR BUILD | stop DIR | node-run DIR N | node-kill DIR N | tenantryd-restart DIR N BUILD" >&2
	exit 64
	;;
esac
