#!/bin/sh
# Run libFuzzer targets.  usage: run.sh SECONDS|smoke FUZZER...
#   smoke: the seed corpus plus a bounded number of mutations (used by make check)
#   SECONDS: a time-boxed run of each fuzzer, corpus kept in build/fuzz/corpus/NAME
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
		echo "  $name: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' \
			"build/fuzz/$name.log" | awk '{print $2}') runs)"
		pass=$((pass + 1))
	else
		echo "  $name: FAILED (see build/fuzz/$name.log)"
		tail -30 "build/fuzz/$name.log"
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
