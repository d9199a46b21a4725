#!/bin/sh
# Run libFuzzer targets.  usage: run.sh SECONDS|smoke FUZZER...
#   smoke: the seed corpus plus a bounded number of mutations (used by make check)
#   SECONDS: a time-boxed run of each fuzzer, corpus kept in build/fuzz/corpus/NAME
# Prints per fuzzer: executions of this run, crash inputs in build/fuzz/crashes
# (this run and earlier ones), corpus size.
set -eu
mode=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
fail=0
pass=0
for f in "$@"; do
	name=$(basename "$f")
	seeds="$here/corpus/$name"
	work="build/fuzz/corpus/$name"
	mkdir -p "$work" "build/fuzz/crashes"
	if [ "$mode" = smoke ]; then
		args="-runs=20000 -seed=1 -print_final_stats=1"
	else
		args="-max_total_time=$mode -print_final_stats=1"
	fi
	# shellcheck disable=SC2086
	if "$f" $args -max_len=4096 -artifact_prefix=build/fuzz/crashes/"$name"- \
		"$work" "$seeds" >"build/fuzz/$name.log" 2>&1; then
		rc=0
	else
		rc=1
	fi
	# executions of this run, crash inputs saved (this run and earlier), corpus kept
	execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "build/fuzz/$name.log" |
		awk '{print $2}')
	crashes=$(find build/fuzz/crashes -name "$name-*" -type f | wc -l)
	units=$(find "$work" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "  $name: ok, ${execs:-0} executions, $crashes crashes, corpus $units"
		pass=$((pass + 1))
	else
		echo "  $name: FAILED, ${execs:-0} executions, $crashes crashes, corpus $units" \
			"(see build/fuzz/$name.log)"
		tail -30 "build/fuzz/$name.log"
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
