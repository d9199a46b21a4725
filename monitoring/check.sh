#!/bin/sh
# Checks of the monitoring files (run by `make check` through `make monitoring-test`):
#   promtool check rules / promtool test rules on the alerting rules;
#   the Grafana dashboard is valid JSON, every panel has a query, and every
#   query is valid PromQL (promtool checks them as recording rules, with the
#   dashboard's variables filled in).
# monitoring/check.sh --names prints the homeexpose_* metric names the rules,
# their test and the dashboard use (tests/lab/test_monitoring.sh checks them
# against a running agent).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
rules=$here/homeexpose.rules.yml
dash=$here/homeexpose.dashboard.json

if [ "${1:-}" = --names ]; then
	grep -oh 'homeexpose_[a-z0-9_]*' "$rules" "$here/homeexpose.rules.test.yml" "$dash" |
		sort -u
	exit 0
fi

promtool check rules "$rules"
(cd "$here" && promtool test rules homeexpose.rules.test.yml)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$dash" "$tmp/dashboard.rules.yml" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d.get("uid") and d.get("title"), "dashboard without uid/title"
exprs = []
for p in d["panels"]:
    if p["type"] == "row":
        continue
    assert p.get("targets"), "panel %r has no query" % p["title"]
    for t in p["targets"]:
        assert t.get("expr"), "panel %r has an empty query" % p["title"]
        exprs.append((p["title"], t["expr"]))
with open(sys.argv[2], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, (title, e) in enumerate(exprs):
        e = (e.replace("$__rate_interval", "5m").replace("$job", "homeexpose")
             .replace("$instance", ".*"))
        f.write("      - record: dashboard:query_%d\n        expr: %s\n" % (i, json.dumps(e)))
print("dashboard: %d panels, %d queries" % (
    sum(p["type"] != "row" for p in d["panels"]), len(exprs)))
PY
promtool check rules "$tmp/dashboard.rules.yml"
