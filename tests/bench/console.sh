#!/usr/bin/env bash
# console.sh - the console's figures for make bench, from its own trace.
#
#   tests/bench/console.sh BUILD_DIR CONNINFO OUT SECONDS
#
# Runs the real console in a private tmux session (120x40) on CONNINFO with
# TENANTRY_TRACE, waits for the first screen, types a filter a key at a
# time, then lets `tenantry demo --live` write activity for SECONDS while
# sampling the console's resident memory. Writes key=value figures to OUT:
#   start_ms       start of the process to the first frame with tenants
#   filter_p95_ms  filter keystroke to the frame showing its list (p95)
#   filter_n       keystrokes measured
#   audit_p95_ms   audit entry committed to entry in the console (p95;
#                  wall clock from the entry's transaction time)
#   audit_n        entries measured
#   rss_mb         resident memory at the end
#   rss_growth_pct from the sample after the first minute to the last (from
#                  the first sample in runs under two minutes)
#   rss_start_mb   resident memory at the first sample
#   seconds        how long the activity ran
# Always stops what it started.
set -euo pipefail

build=${1:?usage: console.sh BUILD_DIR CONNINFO OUT SECONDS}
conninfo=${2:?}
out=${3:?}
seconds=${4:-60}

work=$(mktemp -d /tmp/tenantry-console-bench.XXXXXX)
sock="tenantry-bench-$$"
trace="$work/trace"
live_pid=
writer_pid=
cleanup() {
	[ -n "$live_pid" ] && kill "$live_pid" 2>/dev/null || true
	[ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null || true
	tmux -L "$sock" kill-server 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# Waits up to 20 s for a trace line matching the awk condition.
wait_trace() {
	for _ in $(seq 200); do
		[ -f "$trace" ] && awk "$1 { found = 1 } END { exit !found }" "$trace" && return 0
		sleep 0.1
	done
	echo "console.sh: the console did not get to '$1'" >&2
	return 1
}

tmux -L "$sock" -f /dev/null new-session -d -x 120 -y 40 \
	"env LANG=C.UTF-8 TENANTRY_TRACE=$trace HOME=$work XDG_CONFIG_HOME=$work \
	 $build/tenantry --db '$conninfo' --as platform --no-mouse; sleep 600"
wait_trace '$2 == "first-data"'
sleep 1
pane=$(tmux -L "$sock" display-message -p '#{pane_pid}')
console=$(pgrep -P "$pane" -f "$build/tenantry" | head -1)

# The filter: one key at a time, as someone types.
tmux -L "$sock" send-keys /
sleep 0.3
for k in M e r i d i a n " " L a b; do
	tmux -L "$sock" send-keys -l "$k"
	sleep 0.2
done
tmux -L "$sock" send-keys Enter
sleep 0.5

# Activity: demo --live, and five audit entries a second on random bench
# tenants (demo --live alone writes about one); memory samples meanwhile.
"$build/tenantry" --db "$conninfo" demo --live >/dev/null 2>&1 &
live_pid=$!
(
	while :; do
		id=$(printf '00000000-0000-4000-8000-%012x' $((RANDOM % 1000 + 1)))
		psql -X -q -d "$conninfo" -c "SET role tenantry_platform" \
			-c "SELECT tenantry.audit_event('$id', 'bench.tick', 'bench', 'console', NULL)" \
			>/dev/null 2>&1 || true
		sleep 0.2
	done
) &
writer_pid=$!
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$console/status"; }
# Growth is counted from the first minute's end (caches and the audit
# ring filled), or from the start in a run shorter than two minutes.
first=$(rss)
begin=$SECONDS
end=$((SECONDS + seconds))
settled=
while [ $SECONDS -lt $end ]; do
	sleep 2
	last=$(rss)
	if [ -z "$settled" ] && [ $seconds -ge 120 ] && [ $((SECONDS - begin)) -ge 60 ]; then
		settled=$last
	fi
done
start_rss=$first
[ -n "$settled" ] && first=$settled
kill "$live_pid" "$writer_pid" 2>/dev/null || true
wait "$live_pid" "$writer_pid" 2>/dev/null || true
live_pid= writer_pid=
tmux -L "$sock" send-keys q

awk -v first="$first" -v last="$last" -v start_rss="$start_rss" -v seconds="$seconds" '
function p95(a, n,   i, j, t) {
	for (i = 2; i <= n; i++)        # insertion sort: n is small
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return n ? a[int((n - 1) * 0.95) + 1] : -1
}
$2 == "start" && !t_start { t_start = $1 }
$2 == "first-data" && !t_data { t_data = $1 }
$2 == "draw" && t_data && !t_first { t_first = $1 }
# a key typed into the filter waits for the list of that text, then a frame
$2 == "filter-key" { text = substr($0, index($0, "filter-key") + 11); key_t = $1; key_text = text; waiting = 1; listed = 0 }
$2 == "list" && waiting {
	rest = substr($0, index($0, " list ") + 6)
	sub(/ [0-9]+$/, "", rest)
	if (rest == key_text) listed = 1
}
$2 == "draw" && waiting && listed { nf++; fl[nf] = ($1 - key_t) * 1000; waiting = 0 }
$2 == "audit-line" && split($0, parts, "lag_us=") == 2 { na++; al[na] = parts[2] / 1000 }
END {
	printf "start_ms=%.1f\n", (t_first - t_start) * 1000
	printf "filter_p95_ms=%.1f\nfilter_n=%d\n", p95(fl, nf), nf
	printf "audit_p95_ms=%.1f\naudit_n=%d\n", p95(al, na), na
	printf "rss_mb=%.1f\nrss_growth_pct=%.1f\nrss_start_mb=%.1f\nseconds=%d\n", last / 1024,
		first ? (last - first) * 100 / first : 0, start_rss / 1024, seconds
}' "$trace" >"$out"
cat "$out" >&2
