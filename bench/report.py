"""Prints the benchmark summary from `orchestrator export --format json` on stdin.

Usage: report.py stages | report.py rss | report.py per FIELD STAGE
  per: mean and max seconds of STAGE for each value of FIELD (e.g. `per quantizer quantization`,
  `per generator synthesis`), counting only trials that computed the stage (not a cached result).
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
elif mode == "per" and len(sys.argv) == 4:
    field, stage = sys.argv[2], sys.argv[3]
    groups = {}
    for r in rows:
        if r["metrics"].get(stage + "_cached", 0.0) == 0.0 and r.get("seconds_" + stage) is not None:
            groups.setdefault(r[field], []).append(r["seconds_" + stage])
    print("seconds of %s per %s (trials that computed it)" % (stage, field))
    for k in sorted(groups):
        v = groups[k]
        print("%-12s n %3d   mean %8.1f s   max %8.1f s" % (k, len(v), statistics.mean(v), max(v)))
else:
    sys.exit("usage: report.py stages|rss|per FIELD STAGE")
