#!/bin/bash
# Remove a lab kept up with LAB_KEEP=1: kill its processes, delete its namespaces.
# usage: tests/lab/lab-down.sh LAB_DIR     (the directory lab_down printed)
. "$(dirname "$0")/lab.sh"
if [ "$#" -ne 1 ] || [ ! -f "$1/netns" ]; then
	echo "usage: $0 LAB_DIR   (a /tmp/helab.* directory with a netns file)" >&2
	exit 2
fi
_lab_teardown "$1"
