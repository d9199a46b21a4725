#!/bin/bash
# The trap removes every namespace and process, whether a test exits normally,
# fails, or is killed.
. "$(dirname "$0")/lab.sh"

out=$(mktemp -d /tmp/helab.cleanup.XXXXXX)
trap 'rm -rf "$out"' EXIT

# the child test: brings a lab up (variant $2), writes its namespaces, its
# miniupnpd pid and its temp dir into $3, then ends as $4 says
child_script='
	. "$1/lab.sh"
	lab_up "$2" >/dev/null 2>&1 || exit 50
	echo "$LAB_HOME $LAB_RTR $LAB_INET $LAB_ISP" >"$3/ns"
	echo "$LAB_MINIUPNPD_PID" >"$3/pid"
	echo "$LAB_DIR" >"$3/dir"
	case "$4" in
	exit) exit 0 ;;
	fail) false; exit 3 ;;
	# bash runs a trap only once a foreground command ends: wait instead
	term) sleep 30 & echo $! >"$3/sleep"; touch "$3/ready"; wait $! ;;
	esac
'
child() { bash -c "$child_script" child "$LAB_SRC" "$2" "$out" "$1"; }

# gone: none of the child's namespaces, its miniupnpd, or its temp dir remain
gone() {
	local ns left=""
	for ns in $(cat "$out/ns"); do
		[ -e "/run/netns/$ns" ] && left="$left $ns"
	done
	if [ -n "$left" ]; then
		echo "namespaces left:$left"
		return 1
	fi
	if [ -s "$out/pid" ] && kill -0 "$(cat "$out/pid")" 2>/dev/null; then
		echo "miniupnpd $(cat "$out/pid") still runs"
		return 1
	fi
	if [ -d "$(cat "$out/dir")" ]; then
		echo "temp dir $(cat "$out/dir") left"
		return 1
	fi
	echo "removed: $(cat "$out/ns")"
}

for mode in exit fail; do
	rm -f "$out"/*
	child "$mode" full
	rc=$?
	lab_check "a test that ends with '$mode' (exit $rc) was really up" test -s "$out/ns"
	lab_check "after '$mode' everything is removed" gone
done

rm -f "$out"/*
# started directly (not through a function) so that $! is the child bash itself
bash -c "$child_script" child "$LAB_SRC" cgnat "$out" term &
cpid=$!
for _ in $(seq 1 100); do
	[ -e "$out/ready" ] && break
	sleep 0.05
done
lab_check "a cgnat lab was up (with an isp host)" eval 'test "$(wc -w <"$out/ns")" -eq 4'
kill -TERM "$cpid"
wait "$cpid"
rc=$?
kill "$(cat "$out/sleep")" 2>/dev/null # the child's own sleep, not a lab process
lab_check "SIGTERM ends the test with status 143 (got $rc)" test "$rc" -eq 143
lab_check "after SIGTERM everything is removed" gone
lab_done
