#!/usr/bin/env bash
# Memory check of issue 2: 100 trials (recipes/memory.yaml) in one worker JVM; prints the RSS each
# trial recorded when it finished, in order, and the growth from the 10th to the last trial.
# Usage: bench/memory.sh [HOME_DIR]   (default: a fresh temporary directory)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${1:-$(mktemp -d)}"
"$root/bin/orchestrator" run "$root/recipes/memory.yaml" --home "$home" --workers 1 --quiet > /dev/null || true
"$root/bin/orchestrator" export --home "$home" --recipe memory-check --format json | python3 "$root/bench/report.py" rss
