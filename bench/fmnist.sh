#!/usr/bin/env bash
# Benchmark of issue 2: runs recipes/sweep.yaml (ResNet-20 teacher on Fashion-MNIST, noise / real /
# ZeroQ calibration x min-max / percentile / MSE x W8A8, W4A8, W4A4 x both protocols x 3 seeds),
# then prints the leaderboard, mean seconds per stage and the peak RSS of the run.
# Usage: bench/fmnist.sh [HOME_DIR]   (default runs/bench; re-running resumes)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
home="${1:-$root/runs/bench}"
orch="$root/bin/orchestrator"

/usr/bin/time -f 'wall %e s, peak RSS %M KiB' "$orch" run "$root/recipes/sweep.yaml" --home "$home" --quiet || true
echo
echo "== teacher =="
python3 "$root/bench/teacher.py" "$home"/artifacts/teacher/*/meta.json
echo
echo "== leaderboard (mean ± std over seeds) =="
"$orch" leaderboard --home "$home" --recipe fmnist-sweep --sort top1
echo
echo "== seconds per stage (mean and max over trials; teacher and synthesis max = computed, others cached) =="
"$orch" export --home "$home" --recipe fmnist-sweep --format json | python3 "$root/bench/report.py" stages
