#!/bin/sh
# Run unit test programs; print a summary line "N passed, N failed".
# Each program is a cmocka group; its own exit code counts failed tests.
set -u
pass=0
fail=0
failed=""
for t in "$@"; do
	out=$("$t" 2>&1)
	rc=$?
	n=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	pass=$((pass + ${n:-0}))
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out"
		fail=$((fail + ${f:-1}))
		failed="$failed $(basename "$t")"
	else
		printf '  %-28s %s passed\n' "$(basename "$t")" "${n:-0}"
	fi
done
echo "unit:$( [ -n "$failed" ] && echo " failing programs:$failed")"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
