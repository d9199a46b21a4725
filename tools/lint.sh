#!/bin/sh
# make lint: clang-format check with the project's .clang-format, and cppcheck.
set -eu
files=$(find cmd lib tests/unit tests/fuzz -name '*.[ch]' | sort)
rc=0
if ! clang-format --dry-run --Werror $files; then
	echo "lint: clang-format differences (run 'make format')" >&2
	rc=1
fi
if ! cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--inline-suppr --std=c11 -D__GNUC__ -DHE_VERSION='"lint"' -Ilib -Icmd \
	--suppress=missingIncludeSystem $files; then
	echo "lint: cppcheck found problems" >&2
	rc=1
fi
[ "$rc" -eq 0 ] && echo "lint: clean"
exit "$rc"
