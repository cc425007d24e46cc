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
for meta in "$home"/artifacts/teacher/*/meta.json; do
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); c=m["config"]; print(f"{c[\"model\"]} width {c[\"width\"]} {c[\"epochs\"]} epochs: FP32 top1 {m[\"fp32_top1\"]:.2f}% in {m[\"train_seconds\"]:.0f} s")' "$meta"
done
echo
echo "== leaderboard (mean ± std over seeds) =="
"$orch" leaderboard --home "$home" --recipe fmnist-sweep --sort top1
echo
echo "== mean seconds per stage (computed stages only) =="
"$orch" export --home "$home" --recipe fmnist-sweep --format json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
print(f"{len(rows)} trials, {sum(r[\"status\"] == \"DONE\" for r in rows)} done")'
"$orch" export --home "$home" --recipe fmnist-sweep --format json --stages | python3 "$root/bench/stage_seconds.py"
