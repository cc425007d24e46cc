#!/usr/bin/env bash
# Dashboard speed: seeds N trials (default 10,000; 3 seeds per configuration, realistic metric rows)
# into a results home, serves it read-only like `bin/orchestrator serve` and prints the latency of
# the leaderboard API (first request and median / max of repeated ones) for a few typical queries.
# Usage: bench/dashboard.sh [HOME_DIR] [N]   (default: a fresh temporary directory; an existing
# home with trials is not seeded again)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${1:-$(mktemp -d)}"
trials="${2:-10000}"
jar="$root/orchestrator/target/orchestrator.jar"
newer="$(find "$root/results/src/main" "$root/dashboard/src/main" -newer "$jar" -print -quit 2>/dev/null || true)"
if [ ! -f "$jar" ] || [ -n "$newer" ]; then
  (cd "$root" && mvn -q -B -DskipTests -pl orchestrator -am package) >&2
fi
exec java -cp "$jar:$root/orchestrator/target/lib/*" "$root/bench/DashboardBench.java" "$home" "$trials"
