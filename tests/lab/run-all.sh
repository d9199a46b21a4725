#!/bin/bash
# Run every tests/lab/test_*.sh in turn (they build network namespaces: root only).
# Prints each test's checks and result, then a last line "N passed, N failed"
# counting test scripts; exits non-zero if any failed. A test that leaves one of
# its namespaces behind, or exits 0 without its "# N passed, 0 failed" line, counts
# as failed. Not being root is a failure too (nothing is ever reported as skipped).
# usage: tests/lab/run-all.sh [TEST...]   (default: all)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
HE_BIN=${HE_BIN:-$root/build/homeexpose}
export HE_BIN

if [ "$(id -u)" != 0 ]; then
	echo "run-all.sh: the lab tests need root (network namespaces, nftables inside them)." >&2
	echo "run-all.sh: nothing was run; rerun as root (sudo $0)." >&2
	echo "0 passed, 1 failed"
	exit 1
fi
missing=""
for tool in ip nft python3 ss "${LAB_MINIUPNPD:-/usr/sbin/miniupnpd}" upnpc natpmpc; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "run-all.sh: missing tools:$missing (install: tools/deps.sh test)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

if [ "$#" -gt 0 ]; then
	tests=("$@")
else
	tests=("$here"/test_*.sh)
fi

pass=0
fail=0
failed=""
t_all=$(date +%s.%N)
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	echo "=== $name"
	t0=$(date +%s.%N)
	log=$(mktemp /tmp/helab.run.XXXXXX)
	# the test's pid names its namespaces (he<pid>x<n>-*): keep it for the leak check
	(
		bash "$t" &
		echo $! >"$log.pid"
		wait $!
	) 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	pid=$(cat "$log.pid")
	# a test that exits 0 without its summary line did not really run its checks
	summary=$(grep -E '^# [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	rm -f "$log" "$log.pid"
	if [ "$rc" -eq 0 ] && ! printf '%s\n' "$summary" | grep -qE '^# [1-9][0-9]* passed, 0 failed$'; then
		echo "run-all.sh: $name exited 0 without a '# N passed, 0 failed' summary"
		rc=98
	fi
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	# namespaces are named he<test pid>x<n>-<host>: none may survive the test
	leaked=$(ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^he${pid}x" || true)
	if [ -n "$leaked" ] && [ "${LAB_KEEP:-0}" = 1 ]; then
		echo "run-all.sh: LAB_KEEP=1, kept:" $leaked
	elif [ -n "$leaked" ]; then
		echo "run-all.sh: $name left namespaces behind (removing them):" $leaked
		for ns in $leaked; do
			for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
			ip netns del "$ns" 2>/dev/null
		done
		rc=99
	fi
	if [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
		echo "=== PASS $name (${secs}s)"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "=== FAIL $name (exit $rc, ${secs}s)"
	fi
done
total=$(awk -v a="$t_all" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "lab: ${total}s$( [ -n "$failed" ] && echo "; failing:$failed")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
