"""Prints the benchmark summary from `orchestrator export --format json` on stdin.

Usage: report.py stages | report.py rss
"""
import json
import statistics
import sys

rows = [r for r in json.load(sys.stdin) if r["status"] == "DONE"]
mode = sys.argv[1]
if mode == "stages":
    print("%d trials done" % len(rows))
    for stage in ("teacher", "synthesis", "quantization", "evaluation"):
        v = [r["seconds_" + stage] for r in rows if r.get("seconds_" + stage) is not None]
        if v:
            print("%-13s mean %8.2f s   max %8.2f s" % (stage, statistics.mean(v), max(v)))
elif mode == "rss":
    rss = [r["metrics"]["rss_mb"] for r in rows]
    print("%d trials done; RSS after each trial (MiB), in order:" % len(rows))
    print(" ".join(str(int(v)) for v in rss))
    if len(rss) >= 20:
        print("trial 10: %.0f MiB, last: %.0f MiB, max: %.0f MiB, growth 10th->last: %+.0f MiB"
              % (rss[9], rss[-1], max(rss), rss[-1] - rss[9]))
else:
    sys.exit("usage: report.py stages|rss")
