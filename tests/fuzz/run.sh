#!/bin/bash
# run.sh BUILD SECONDS TARGET... - runs each libFuzzer target of make fuzz
# for SECONDS on a scratch copy of its seeds (tests/fuzz/corpus/TARGET/,
# which runs never grow), one after the other. A crash, leak, hang or
# sanitizer report keeps the input in BUILD/fuzz/artifacts/ and fails the
# run, after every target has had its turn. Each target's output is in
# BUILD/fuzz/TARGET.log.
set -u
build=$1 seconds=$2
shift 2
dir=$build/fuzz
mkdir -p "$dir/artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tenantry-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=()
for t in "$@"; do
	corpus=tests/fuzz/corpus/$t
	if [ ! -d "$corpus" ]; then
		echo "fuzz: no seed corpus $corpus" >&2
		failed+=("$t")
		continue
	fi
	mkdir -p "$scratch/$t"
	cp "$corpus"/* "$scratch/$t/"
	start=$SECONDS
	"$dir/fuzz_$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
		-max_len=16384 -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/$t-" "$scratch/$t" >"$dir/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$t.log")
	if [ $rc -eq 0 ]; then
		printf 'fuzz %-10s ok    %3ds  %s runs\n' "$t" $((SECONDS - start)) "${runs:-?}"
	else
		printf 'fuzz %-10s FAIL  %3ds  (exit %d), %s:\n' "$t" $((SECONDS - start)) $rc "$dir/$t.log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|fuzz_)' "$dir/$t.log" | head -20
		failed+=("$t")
	fi
done
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: failed: ${failed[*]} (inputs in $dir/artifacts/)" >&2
	exit 1
fi
