#!/usr/bin/env bash
# drill.sh - the high-availability drills of make check-ha, on a cluster of
# their own (tests/ha/cluster.sh) in a temporary directory that is always
# stopped and removed, also when a check fails.
#
#   tests/ha/drill.sh BUILD_DIR
#
# 1. pooling: 32 tenants interleaved on PgBouncer's 2 server sessions
#    (transaction mode), each transaction setting its tenant the way the
#    store does (set_config(..., true)): 0 rows of another tenant, and 0
#    rows at all in a transaction with no tenant;
# 2. failover: 4 writers append audit events through HAProxy to the two
#    tenantryd, which reach the database through PgBouncer (transaction
#    mode, unnamed statements) and LISTEN on a direct session of their
#    own, each write with its own Idempotency-Key retried until it is
#    answered 2xx; the primary's keeper and postgres are SIGKILLed; writes
#    must resume within 30 s; afterwards every acknowledged write is in the
#    database exactly once, every audit chain verifies, the chain heads
#    exported before the kill are unchanged, an audit stream open on each
#    tenantryd through it all sent each of its tenant's writes once,
#    PgBouncer reaches the new primary, and the old primary rejoins as a
#    standby; the console and `audit tail` straight to the database on
#    the multi-host conninfo follow the new primary (a write made after the
#    failover on the console's live feed; every write of tenant 0 once in
#    the tail);
#    then a rolling restart: each tenantryd stopped and started again in
#    turn under two writers, none of whose writes is lost or doubled;
# 3. backup and restore: a pgBackRest backup, a batch of writes, a target
#    time, another batch; a point-in-time restore into a new data directory
#    holds the first batch and not the second, its chains verify and its
#    heads are those exported at the target time.
set -euo pipefail

build=${1:?usage: drill.sh BUILD_DIR}
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
bindir=/usr/lib/postgresql/15/bin
T0=$(date +%s.%N)

tmp=$(mktemp -d /tmp/tenantry-ha.XXXXXX)
chmod 755 "$tmp"
cdir=$tmp/cluster
tsock=${tmp##*/}-console
cleanup() {
	local rc=$?
	# a failed drill shows what its servers said last
	if [ "$rc" -ne 0 ] && [ -d "$cdir/log" ]; then
		for f in "$cdir"/log/tenantryd*.log "$cdir"/log/pgbouncer.log; do
			[ -s "$f" ] || continue
			echo "---- the last of ${f##*/}" >&2
			tail -n 25 "$f" >&2
		done
	fi
	[ -n "${writer_pids:-}" ] && kill $writer_pids 2>/dev/null || true
	[ -n "${stream_pids:-}" ] && kill $stream_pids 2>/dev/null || true
	tmux -L "$tsock" kill-server 2>/dev/null || true
	tmux -L "$tsock-direct" kill-server 2>/dev/null || true
	[ -n "${tail_pid:-}" ] && kill "$tail_pid" 2>/dev/null || true
	bash "$here/cluster.sh" stop "$cdir" || true
	if [ -n "${KEEP_HA_DRILL:-}" ]; then echo "drill files kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '[%6.1fs] %s\n' "$(echo "$(date +%s.%N) - $T0" | bc)" "$*"; }
fail() {
	say "FAIL: $*"
	exit 1
}

bash "$here/cluster.sh" start "$cdir" "$build" >"$tmp/start.log" 2>&1 ||
	{ cat "$tmp/start.log" >&2; fail "cluster did not start"; }
# shellcheck disable=SC1091
. "$cdir/cluster.env"
say "cluster up: $(tail -1 "$tmp/start.log")"

admin() { psql -X -q -tA -v ON_ERROR_STOP=1 -d "$HA_ADMIN_DB" "$@"; }
api() { # METHOD PATH [BODY] -> body on stdout, fails unless 2xx
	curl -fsS --max-time 10 -X "$1" -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' ${3:+--data "$3"} "$HA_URL$2"
}
monitor_states() {
	psql -X -tA -h 127.0.0.1 -p "$HA_MON_PORT" -U "$HA_OWNER" -d pg_auto_failover -c \
		"SELECT string_agg(nodename || '=' || reportedstate, ',' ORDER BY nodename) FROM pgautofailover.node"
}

# ---- a staff login and 32 tenants, over REST --------------------------------
printf 'drill password 1234\n' >"$tmp/pw"
"$build/tenantry" --db "$HA_ADMIN_DB" staff add ops@ha.test --role platform_admin \
	--password-file "$tmp/pw" >/dev/null
token=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' \
	--data '{"email":"ops@ha.test","password":"drill password 1234"}' \
	"$HA_URL/api/auth/login" | jq -r .token)
[ -n "$token" ] && [ "$token" != null ] || fail "staff login over HAProxy"
tenants=()
for i in $(seq 1 32); do
	id=$(api POST /api/tenants "{\"name\":\"Drill $i\",\"admin_email\":\"boss$i@ha.test\",\"subscription_tier\":\"enterprise\"}" | jq -r .id)
	tenants+=("$id")
done
say "32 tenants created through HAProxy"

batch() { # NAME
	local i t
	for i in $(seq 0 31); do
		t=${tenants[$i]}
		api POST "/api/tenants/$t/audit-logs" \
			"{\"action\":\"drill.batch\",\"resource_type\":\"drill\",\"resource_id\":\"$1-$i\"}" >/dev/null ||
			fail "batch $1 write $i"
	done
}
batch P # an entry in every tenant's chain, for the probe to find

# PgBouncer's admin console: SHOW CLIENTS, SERVERS, ... as type|user|database|...
pgb() { psql -X -tA -h 127.0.0.1 -p "$HA_PGB_PORT" -U "$HA_OWNER" -d pgbouncer -c "SHOW $1"; }

# ---- 1. the pooling probe --------------------------------------------------
# 8 clients, 40 transactions each, tenants in a different order per client,
# through PgBouncer (default_pool_size = 2) as tenantry_app; every 5th
# transaction sets no tenant at all.
pool_probe() { # LABEL
	local c k t out
	for c in $(seq 1 8); do
		{
			for k in $(seq 1 40); do
				if [ $((k % 5)) = 0 ]; then
					printf "BEGIN;\nSELECT set_config('role', 'tenantry_tenant', true);\n"
					printf "SELECT 'none', count(*) FROM tenantry.audit_log;\nCOMMIT;\n"
					continue
				fi
				t=${tenants[$(((c * 7 + k * 13) % 32))]}
				printf "BEGIN;\nSELECT set_config('role', 'tenantry_tenant', true), set_config('tenantry.tenant_id', '%s', true);\n" "$t"
				printf "SELECT 'foreign', count(*) FILTER (WHERE tenant_id <> '%s'), 'own', count(*) FILTER (WHERE tenant_id = '%s') FROM tenantry.audit_log;\nCOMMIT;\n" "$t" "$t"
			done
		} >"$tmp/probe-$c.sql"
		psql -X -q -tA -F ' ' -h 127.0.0.1 -p "$HA_PGB_PORT" -U tenantry_app -d tenantry \
			-v ON_ERROR_STOP=1 -f "$tmp/probe-$c.sql" >"$tmp/probe-$c.out" 2>&1 &
	done
	wait
	out=$(cat "$tmp"/probe-*.out)
	local errors foreign none own servers
	errors=$(grep -cE 'ERROR|FATAL|psql:|server closed|could not' <<<"$out" || true)
	foreign=$(awk '$1 == "foreign" { s += $2 } END { print s + 0 }' <<<"$out")
	own=$(awk '$1 == "foreign" && $4 > 0 { n++ } END { print n + 0 }' <<<"$out")
	none=$(awk '$1 == "none" { s += $2 } END { print s + 0 }' <<<"$out")
	servers=$(pgb SERVERS | grep -c '^S|tenantry_app|tenantry|' || true)
	say "pool probe ($1): 320 transactions, 32 tenants, $servers server session(s) of tenantry_app: $foreign foreign rows, $none rows without a tenant, $own/256 saw their own rows, $errors errors"
	[ "$errors" = 0 ] || { grep -E 'ERROR|FATAL|psql:|server closed|could not' <<<"$out" | head -5; fail "pool probe errors"; }
	[ "$foreign" = 0 ] && [ "$none" = 0 ] || fail "tenant context leaked through PgBouncer"
	[ "$own" = 256 ] || fail "a tenant saw none of its own rows"
	[ "$servers" -le 2 ] || fail "more than 2 server sessions"
}
pool_probe "before failover"

# ---- 2. failover under 4 writers --------------------------------------------
# A writer appends audit events to the tenants in turn; each write is
# retried with the same Idempotency-Key until it is answered 2xx (as the
# REST store does), and only then written to the writer's ledger.
writer() { # N
	local w=$1 n=0 key t st start attempt
	while [ ! -e "$tmp/stop" ]; do
		key="drill-$w-$n"
		t=${tenants[$(((w * 8 + n) % 32))]}
		start=$(date +%s)
		while :; do
			attempt=$(date +%s.%N)
			st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
				-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
				-H "Idempotency-Key: $key" \
				--data "{\"action\":\"drill.write\",\"resource_type\":\"drill\",\"resource_id\":\"$key\"}" \
				"$HA_URL/api/tenants/$t/audit-logs" || true)
			case $st in 2??) break ;; esac
			echo "$key $st" >>"$tmp/retries-$w"
			if [ $(($(date +%s) - start)) -gt 60 ]; then
				echo "$key" >>"$tmp/gaveup-$w"
				break
			fi
			sleep 0.2
		done
		# key, tenant, when it was acknowledged, when its last attempt began
		case $st in 2??) echo "$key $t $(date +%s.%N) $attempt" >>"$tmp/ledger-$w" ;; esac
		n=$((n + 1))
	done
}
acks() { cat "$tmp"/ledger-* 2>/dev/null | wc -l || true; }

# A fifth client, the command line over REST (its store retries a write
# whose outcome is unknown with the same key): settings, each acknowledged
# when the command exits 0; a failed command is run again.
cli_writer() {
	local n=0 t start
	while [ ! -e "$tmp/stop" ]; do
		t=${tenants[$((n % 32))]}
		start=$(date +%s)
		until TENANTRY_TOKEN=$token "$build/tenantry" --url "$HA_URL" \
			settings set "$t" "cli-$n" "value-$n" >/dev/null 2>>"$tmp/cli-errors"; do
			if [ $(($(date +%s) - start)) -gt 60 ]; then
				echo "cli-$n" >>"$tmp/gaveup-cli"
				break
			fi
			sleep 0.2
		done
		[ -e "$tmp/gaveup-cli" ] && grep -qx "cli-$n" "$tmp/gaveup-cli" ||
			printf '%s\t%s\n' "cli-$n" "$t" >>"$tmp/cli-ledger"
		n=$((n + 1))
	done
}

# An audit stream of tenant 0 on each tenantryd, directly (HAProxy's
# client timeout would end it), open from before the writers start to
# after they stop: the live feed on its direct session.
stream_pids=
for port in "$HA_T1_PORT" "$HA_T2_PORT"; do
	curl -sN --max-time 900 -H "Authorization: Bearer $token" \
		"http://127.0.0.1:$port/api/tenants/${tenants[0]}/audit-logs/stream" >"$tmp/stream-$port" &
	stream_pids="$stream_pids $!"
done
for port in "$HA_T1_PORT" "$HA_T2_PORT"; do
	for _ in $(seq 50); do grep -q 'stream open' "$tmp/stream-$port" && break; sleep 0.1; done
	grep -q 'stream open' "$tmp/stream-$port" || fail "the audit stream on $port did not open"
done

# The console and the command line straight to the database on the
# multi-host conninfo (target_session_attrs=read-write): the console's
# live feed and `audit tail` of tenant 0 must follow the primary.
direct_screen() { tmux -L "$tsock-direct" capture-pane -p 2>/dev/null || true; }
tmux -L "$tsock-direct" -f /dev/null new-session -d -x 140 -y 60 \
	"cd / && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color HOME=$tmp \
	 XDG_CONFIG_HOME=$tmp/none $build/tenantry --db '$HA_ADMIN_DB'; echo console exited \$?; sleep 600"
for _ in $(seq 100); do grep -q 'Drill 1' <<<"$(direct_screen)" && break; sleep 0.1; done
grep -q 'Drill 1' <<<"$(direct_screen)" || { direct_screen; fail "the console on the multi-host conninfo shows no tenant"; }
"$build/tenantry" --db "$HA_ADMIN_DB" --json audit tail "${tenants[0]}" \
	--since "$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)" \
	>"$tmp/tail-direct" 2>"$tmp/tail-direct.err" &
tail_pid=$!
writer_pids=
for w in 1 2 3 4; do
	writer $w &
	writer_pids="$writer_pids $!"
done
cli_writer &
writer_pids="$writer_pids $!"

# And the console over REST, through HAProxy, for the whole failover.
console_screen() { tmux -L "$tsock" capture-pane -p 2>/dev/null || true; }
tmux -L "$tsock" -f /dev/null new-session -d -x 140 -y 60 \
	"cd / && env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color HOME=$tmp \
	 XDG_CONFIG_HOME=$tmp/none TENANTRY_TOKEN=$token \
	 $build/tenantry --url $HA_URL; echo console exited \$?; sleep 600"
for _ in $(seq 100); do grep -q 'Drill 1' <<<"$(console_screen)" && break; sleep 0.1; done
grep -q 'Drill 1' <<<"$(console_screen)" || { console_screen; fail "the console over REST shows no tenant"; }
until [ "$(acks)" -ge 100 ]; do sleep 0.2; done
say "4 writers and the command line running: $(acks) writes acknowledged; states $(monitor_states)"
# tenantryd's sessions are PgBouncer's clients (each instance's pool, jobs
# and flusher), multiplexed on at most 3 server sessions; its LISTEN
# sessions (one each) go straight to node1.
api_clients=$(pgb CLIENTS | grep -c '^C|tenantry_app|tenantry_api|' || true)
api_servers=$(pgb SERVERS | grep -c '^S|tenantry_app|tenantry_api|' || true)
feeds=$(admin -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tenantry-feed' AND usename = 'tenantry_app' AND query = 'LISTEN tenantry_audit'")
say "tenantryd through PgBouncer: $api_clients client sessions on $api_servers server sessions; $feeds direct LISTEN sessions"
[ "$api_clients" -gt "$api_servers" ] && [ "$api_servers" -le 3 ] ||
	fail "tenantryd's sessions are not multiplexed by PgBouncer"
[ "$feeds" = 2 ] || fail "want 2 direct LISTEN sessions (one per tenantryd), found $feeds"

# The chain heads before the failover, and the standby holding them.
admin -c "SELECT tenant_id, seq, encode(hash, 'hex') FROM tenantry.audit_heads ORDER BY 1" \
	>"$tmp/heads-before"
lsn=$(admin -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 1 50); do
	ok=$(admin -c "SELECT count(*) FROM pg_stat_replication WHERE flush_lsn >= '$lsn' AND sync_state IN ('sync', 'quorum')")
	[ "$ok" = 1 ] && break
	sleep 0.2
done
[ "$ok" = 1 ] || fail "the synchronous standby did not confirm $lsn"
primary_port=$(admin -c "SELECT inet_server_port()")
[ "$primary_port" = "$HA_N1_PORT" ] || fail "node1 is not the primary"
say "exported $(wc -l <"$tmp/heads-before") chain heads; the synchronous standby has flushed $lsn"

acked_before=$(acks)
kill_at=$(date +%s.%N)
bash "$here/cluster.sh" node-kill "$cdir" 1
killed_at=$(date +%s.%N)
say "SIGKILL node1 (keeper and postgres) with $acked_before writes acknowledged"

resumed_at=
while :; do
	now=$(date +%s.%N)
	if [ "$(echo "$now - $kill_at > 30" | bc)" = 1 ]; then break; fi
	last=$(cat "$tmp"/ledger-* | awk -v k="$killed_at" '$4 > k + 0 && (m == "" || $3 < m) { m = $3 } END { print m }')
	if [ -n "$last" ]; then
		resumed_at=$last
		break
	fi
	sleep 0.2
done
[ -n "$resumed_at" ] || fail "no write acknowledged within 30 s of the kill (states $(monitor_states))"
outage=$(echo "$resumed_at - $kill_at" | bc)
say "writes resumed $(printf '%.1f' "$outage") s after the kill (the first write attempted after it was acknowledged); states $(monitor_states)"

sleep 3
bash "$here/cluster.sh" node-run "$cdir" 1
for _ in $(seq 1 300); do
	[ "$(monitor_states)" = "node1=secondary,node2=primary" ] && break
	sleep 0.2
done
[ "$(monitor_states)" = "node1=secondary,node2=primary" ] ||
	fail "node1 did not rejoin as a standby: $(monitor_states)"
say "node1 rejoined as a standby of node2; states $(monitor_states)"
sleep 2
touch "$tmp/stop"
wait $writer_pids
writer_pids=

# The console lived through it: a tenant created now appears on refresh.
api POST /api/tenants '{"name":"After Failover","admin_email":"after@ha.test","subscription_tier":"enterprise"}' >/dev/null
for _ in $(seq 20); do
	tmux -L "$tsock" send-keys R
	sleep 0.5
	grep -q 'After Failover' <<<"$(console_screen)" && break
done
screen=$(console_screen)
grep -q 'console exited' <<<"$screen" && { echo "$screen"; fail "the console exited during the failover"; }
grep -q 'After Failover' <<<"$screen" || { echo "$screen"; fail "the console does not show a tenant created after the failover"; }
say "the console over REST stayed up and shows a tenant created after the failover"

# The console on the multi-host conninfo reconnected to node2: a write
# made now reaches its live feed without a key pressed.
api POST "/api/tenants/${tenants[0]}/audit-logs" \
	'{"action":"drill.live","resource_type":"drill","resource_id":"after-failover-live"}' >/dev/null
for _ in $(seq 60); do grep -q 'after-failover-live' <<<"$(direct_screen)" && break; sleep 0.5; done
screen=$(direct_screen)
grep -q 'console exited' <<<"$screen" && { echo "$screen"; fail "the direct console exited during the failover"; }
grep -q 'after-failover-live' <<<"$screen" ||
	{ echo "$screen"; fail "the direct console's live feed did not resume on the new primary"; }
say "the console on the multi-host conninfo reconnected to node2; its live feed shows a write made after the failover"

acked=$(acks)
retries=$(cat "$tmp"/retries-* 2>/dev/null | wc -l || true)
gaveup=$(cat "$tmp"/gaveup-* 2>/dev/null | wc -l || true)
say "writers stopped: $acked acknowledged, $retries retried attempts, $gaveup given up"
[ "$gaveup" = 0 ] || fail "writes never acknowledged: $(cat "$tmp"/gaveup-* | head -5)"

# Every acknowledged write exactly once.
cat "$tmp"/ledger-* | awk '{ print $1 "\t" $2 }' >"$tmp/ledger.tsv"
read -r missing dupes stored < <(admin -F ' ' <<-EOF
	CREATE TEMP TABLE ledger (key text PRIMARY KEY, tenant uuid);
	\copy ledger FROM '$tmp/ledger.tsv'
	SELECT (SELECT count(*) FROM ledger l WHERE NOT EXISTS (
	            SELECT 1 FROM tenantry.audit_log a WHERE a.tenant_id = l.tenant
	            AND a.action = 'drill.write' AND a.resource_id = l.key)),
	       (SELECT count(*) FROM (SELECT 1 FROM tenantry.audit_log WHERE action = 'drill.write'
	            GROUP BY tenant_id, resource_id HAVING count(*) > 1) d),
	       (SELECT count(*) FROM tenantry.audit_log WHERE action = 'drill.write');
	EOF
)
say "ledger: $acked acknowledged, $missing missing, $dupes duplicated ($stored drill entries stored)"
[ "$missing" = 0 ] || fail "$missing acknowledged writes lost"
[ "$dupes" = 0 ] || fail "$dupes writes stored twice"
cli_acked=$(wc -l <"$tmp/cli-ledger")
cli_missing=$(admin <<-EOF
	CREATE TEMP TABLE cli (key text PRIMARY KEY, tenant uuid);
	\copy cli FROM '$tmp/cli-ledger'
	SELECT count(*) FROM cli c WHERE NOT EXISTS (SELECT 1 FROM tenantry.tenant_settings s
	    WHERE s.tenant_id = c.tenant AND s.key = c.key AND s.value = 'value-' || substr(c.key, 5));
	EOF
)
say "command line over REST: $cli_acked settings acknowledged, $cli_missing missing, $(grep -c . "$tmp/cli-errors" || true) error lines on the way"
[ "$cli_missing" = 0 ] || fail "$cli_missing settings acknowledged by the command line lost"

# The chains: all verify, and the heads exported before the kill are
# still the entries at those places.
verify=$("$build/tenantry" --db "$HA_ADMIN_DB" audit verify) || fail "audit verify: $verify"
changed=$(admin <<-EOF
	CREATE TEMP TABLE heads (tenant_id uuid, seq bigint, hash text);
	\copy heads FROM '$tmp/heads-before' WITH (FORMAT csv, DELIMITER '|')
	SELECT count(*) FROM heads h LEFT JOIN tenantry.audit_log a USING (tenant_id, seq)
	 WHERE a.hash IS NULL OR encode(a.hash, 'hex') <> h.hash;
	EOF
)
say "audit verify: $verify; $changed of $(wc -l <"$tmp/heads-before") pre-failover heads changed"
[ "$changed" = 0 ] || fail "chain heads from before the failover changed"

# The audit streams: each sent every write of tenant 0, once, in order,
# across the failover (the feed's LISTEN session reconnected to node2).
admin -c "SELECT resource_id FROM tenantry.audit_log WHERE tenant_id = '${tenants[0]}'
	AND action = 'drill.write' ORDER BY seq" >"$tmp/stream-want"
sleep 2
kill $stream_pids 2>/dev/null || true
wait $stream_pids 2>/dev/null || true
stream_pids=
for port in "$HA_T1_PORT" "$HA_T2_PORT"; do
	grep -o '"resource_id":"drill-[0-9]*-[0-9]*"' "$tmp/stream-$port" | cut -d'"' -f4 \
		>"$tmp/stream-got-$port" || true
	ids=$(grep -c '^id: ' "$tmp/stream-$port" || true)
	uniq_ids=$(grep '^id: ' "$tmp/stream-$port" | sort -u | wc -l || true)
	say "audit stream on $port: $(wc -l <"$tmp/stream-got-$port") of $(wc -l <"$tmp/stream-want") writes of tenant 0 ($ids events, $uniq_ids distinct ids)"
	cmp -s "$tmp/stream-want" "$tmp/stream-got-$port" ||
		{ diff "$tmp/stream-want" "$tmp/stream-got-$port" | head -5; fail "the audit stream on $port missed or repeated writes"; }
	[ "$ids" = "$uniq_ids" ] || fail "the audit stream on $port repeated an event"
done
[ -s "$tmp/stream-want" ] || fail "no write of tenant 0 to follow"
# audit tail on the multi-host conninfo: each write of tenant 0, once, in order
kill "$tail_pid" 2>/dev/null || true
wait "$tail_pid" 2>/dev/null || true
tail_pid=
grep -o '"resource_id":"drill-[0-9]*-[0-9]*"' "$tmp/tail-direct" | cut -d'"' -f4 >"$tmp/tail-got" || true
say "audit tail on the multi-host conninfo: $(wc -l <"$tmp/tail-got") of $(wc -l <"$tmp/stream-want") writes of tenant 0, $(grep -c retrying "$tmp/tail-direct.err" || true) retries on the way"
cmp -s "$tmp/stream-want" "$tmp/tail-got" ||
	{ diff "$tmp/stream-want" "$tmp/tail-got" | head -5; fail "audit tail on the multi-host conninfo missed or repeated writes"; }

# Both tenantryd reconnected to the new primary: a write to each directly.
for port in "$HA_T1_PORT" "$HA_T2_PORT"; do
	st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST \
		-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		--data '{"action":"drill.direct","resource_type":"drill"}' \
		"http://127.0.0.1:$port/api/tenants/${tenants[0]}/audit-logs")
	case $st in 2??) ;; *) fail "tenantryd on $port answers $st after the failover" ;; esac
done
say "both tenantryd write to the new primary"

# PgBouncer follows the primary through HAProxy.
via=$(psql -X -tA -h 127.0.0.1 -p "$HA_PGB_PORT" -U tenantry_app -d tenantry \
	-c "SELECT inet_server_port(), pg_is_in_recovery()")
[ "$via" = "$HA_N2_PORT|f" ] || fail "PgBouncer reaches $via, not the new primary $HA_N2_PORT"
say "PgBouncer -> HAProxy -> node2 (the new primary)"
pool_probe "after failover"

# ---- a rolling upgrade: each tenantryd restarted in turn under writers ------
# As an upgrade replaces the binary of one instance at a time behind the
# balancer: two writers through HAProxy; tenantryd 1 is stopped (SIGTERM)
# and started again, then tenantryd 2. Writes go on being acknowledged
# through the roll, and each is stored once.
rm -f "$tmp/stop"
writer_pids=
for w in 5 6; do
	writer $w &
	writer_pids="$writer_pids $!"
done
roll_acks() { cat "$tmp"/ledger-5 "$tmp"/ledger-6 2>/dev/null | wc -l || true; }
until [ "$(roll_acks)" -ge 20 ]; do sleep 0.2; done
for t in 1 2; do
	before=$(roll_acks)
	bash "$here/cluster.sh" tenantryd-restart "$cdir" "$t" "$build"
	for _ in $(seq 100); do [ "$(roll_acks)" -gt $((before + 10)) ] && break; sleep 0.1; done
	[ "$(roll_acks)" -gt $((before + 10)) ] || fail "writes stopped while tenantryd $t restarted"
	say "tenantryd $t restarted: $(($(roll_acks) - before)) writes acknowledged meanwhile"
done
touch "$tmp/stop"
wait $writer_pids
writer_pids=
[ ! -s "$tmp/gaveup-5" ] && [ ! -s "$tmp/gaveup-6" ] || fail "writes given up during the roll"
cat "$tmp"/ledger-5 "$tmp"/ledger-6 | awk '{ print $1 "\t" $2 }' >"$tmp/roll.tsv"
read -r missing dupes < <(admin -F ' ' <<-EOF
	CREATE TEMP TABLE roll (key text PRIMARY KEY, tenant uuid);
	\copy roll FROM '$tmp/roll.tsv'
	SELECT (SELECT count(*) FROM roll l WHERE NOT EXISTS (
	            SELECT 1 FROM tenantry.audit_log a WHERE a.tenant_id = l.tenant
	            AND a.action = 'drill.write' AND a.resource_id = l.key)),
	       (SELECT count(*) FROM (SELECT 1 FROM tenantry.audit_log a JOIN roll l
	            ON a.resource_id = l.key AND a.action = 'drill.write'
	            GROUP BY a.tenant_id, a.resource_id HAVING count(*) > 1) d);
	EOF
)
say "rolling restart: $(roll_acks) writes acknowledged, $(cat "$tmp"/retries-5 "$tmp"/retries-6 2>/dev/null | wc -l) retried attempts, $missing missing, $dupes duplicated"
[ "$missing" = 0 ] && [ "$dupes" = 0 ] || fail "the rolling restart lost or doubled writes"

# ---- 3. backup, point-in-time restore --------------------------------------
backrest() { bash "$here/cluster.sh" as-owner "$cdir" pgbackrest --config="$cdir/pgbackrest.conf" --stanza=tenantry "$@"; }
backrest backup --type=full >"$tmp/backup.log" 2>&1 || { cat "$tmp/backup.log"; fail "pgbackrest backup"; }
say "pgBackRest full backup from the primary: $(backrest info --output=json | jq -r '.[0].backup[-1].label')"

batch A
admin -c "SELECT tenant_id, seq, encode(hash, 'hex') FROM tenantry.audit_heads ORDER BY 1" >"$tmp/heads-A"
target=$(admin -c "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
sleep 1.5
batch B
backrest check >"$tmp/check.log" 2>&1 || { cat "$tmp/check.log"; fail "pgbackrest check (archiving)"; }
say "32 writes, target time $target, 32 more writes; WAL archived"

rdir=$tmp/cluster/restore
bash "$here/cluster.sh" as-owner "$cdir" mkdir -m 700 "$rdir"
backrest restore --pg1-path="$rdir" --type=time "--target=$target" --target-action=promote \
	--archive-mode=off >"$tmp/restore.log" 2>&1 || { cat "$tmp/restore.log"; fail "pgbackrest restore"; }
rport=$(
	for _ in $(seq 1 100); do
		p=$((20000 + RANDOM % 12000))
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; break; }
	done
)
bash "$here/cluster.sh" as-owner "$cdir" "$bindir/pg_ctl" -D "$rdir" -l "$tmp/cluster/log/restore.log" -w -t 120 start \
	-o "-c listen_addresses=127.0.0.1 -p $rport -k $cdir/sock -c synchronous_standby_names= -c primary_conninfo= -c primary_slot_name= -c archive_mode=off -c shared_buffers=32MB" \
	>/dev/null || { tail -20 "$tmp/cluster/log/restore.log"; fail "the restored copy did not start"; }
rdb="host=127.0.0.1 port=$rport user=$HA_OWNER dbname=tenantry"
for _ in $(seq 1 300); do
	[ "$(psql -X -tA -d "$rdb" -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && break
	sleep 0.2
done
[ "$(psql -X -tA -d "$rdb" -c 'SELECT pg_is_in_recovery()')" = f ] || fail "the restored copy did not finish recovery"
read -r a b < <(psql -X -tA -F ' ' -d "$rdb" -c "SELECT count(*) FILTER (WHERE resource_id LIKE 'A-%'), count(*) FILTER (WHERE resource_id LIKE 'B-%') FROM tenantry.audit_log WHERE action = 'drill.batch'")
rverify=$("$build/tenantry" --db "$rdb" audit verify) || fail "audit verify on the restored copy: $rverify"
psql -X -q -tA -d "$rdb" -c "SELECT tenant_id, seq, encode(hash, 'hex') FROM tenantry.audit_heads ORDER BY 1" >"$tmp/heads-restored"
say "restored to $target on a new data directory: $a/32 writes before the target, $b/32 after it; audit verify: $rverify"
[ "$a" = 32 ] && [ "$b" = 0 ] || fail "the restore does not match the target time"
cmp -s "$tmp/heads-A" "$tmp/heads-restored" || fail "restored chain heads differ from those exported at the target time"
say "restored chain heads = the $(wc -l <"$tmp/heads-A") heads exported at the target time"
bash "$here/cluster.sh" as-owner "$cdir" "$bindir/pg_ctl" -D "$rdir" -m fast -w stop >/dev/null

say "PASS: outage $(printf '%.1f' "$outage") s, $acked acknowledged writes, 0 lost, 0 duplicated"
