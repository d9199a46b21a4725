#!/usr/bin/env python3
"""The table of tests/lab/soak.sh: soak_report.py DIR.

DIR/results: "KIND MS ok|fail" per fault (and the final check);
DIR/samples: "T PID RSS_KB FDS TICKS QUIET" (the agent every second of quiet);
DIR/quiet_cpu: the agent's CPU per quiet period, hundredths of a percent of a core.

Trend: over the longest run of samples of one agent process (a SIGKILL fault
starts a new one), the median of the last third against the first third; an
increase of more than 20 % and more than 512 kB of RSS (4 descriptors for the
fds) is an upward trend. Exit 1 on any failure or an upward trend.
"""
import os
import statistics
import sys

d = sys.argv[1]


def lines(name):
    try:
        with open(os.path.join(d, name)) as f:
            return [l.split() for l in f if l.strip()]
    except OSError:
        return []


res = lines("results")
kinds = {}
for kind, ms, verdict in res:
    kinds.setdefault(kind, []).append((int(ms), verdict))
failures = 0
print("%-30s %5s %12s %10s %8s" % ("fault", "count", "median (ms)", "max (ms)", "failures"))
for kind in sorted(kinds):
    v = kinds[kind]
    ok = [ms for ms, verdict in v if verdict == "ok"]
    nf = sum(1 for _, verdict in v if verdict != "ok")
    failures += nf
    print("%-30s %5d %12s %10s %8d" % (
        kind, len(v), "%d" % statistics.median(ok) if ok else "-",
        "%d" % max(ok) if ok else "-", nf))
print("%-30s %5d %12s %10s %8d" % ("total", len(res), "", "", failures))

samples = [(int(t), p, int(r), int(f)) for t, p, r, f, _, _ in lines("samples")]
trend_bad = False
if samples:
    print("agent RSS: %d kB at start, %d kB at end; open fds: %d at start, %d at end" % (
        samples[0][2], samples[-1][2], samples[0][3], samples[-1][3]))
    runs = {}
    for s in samples:
        runs.setdefault(s[1], []).append(s)
    run = max(runs.values(), key=len)
    third = len(run) // 3
    if third >= 3:
        for label, idx, tol in (("RSS (kB)", 2, 512), ("open fds", 3, 4)):
            a = statistics.median(s[idx] for s in run[:third])
            b = statistics.median(s[idx] for s in run[-third:])
            up = b > a * 1.2 and b - a > tol
            trend_bad |= up
            print("trend %-8s over %d s of agent pid %s: first third median %g, last third %g: %s"
                  % (label, run[-1][0] - run[0][0], run[0][1], a, b,
                     "UPWARD TREND" if up else "no upward trend"))
    else:
        print("trend: too few samples of one agent process (%d) to judge" % len(run))
else:
    print("agent RSS/fds: no samples")
    trend_bad = True
cpu = [int(c[0]) / 100 for c in lines("quiet_cpu")]
if cpu:
    print("agent CPU in quiet periods: median %.2f %%, max %.2f %% of a core (%d periods)"
          % (statistics.median(cpu), max(cpu), len(cpu)))
if not res:
    print("no fault ran")
sys.exit(1 if failures or trend_bad or not res else 0)
