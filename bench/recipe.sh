#!/usr/bin/env bash
# Runs one benchmark recipe to completion (re-running resumes: finished trials and cached teachers
# and synthetic sets are reused), then prints the teachers, the leaderboard, seconds per stage,
# seconds per synthetic set per generator and per quantization per quantizer, and the peak RSS.
# Usage: bench/recipe.sh RECIPE_FILE RECIPE_NAME [HOME_DIR [RUN_OPTION...]]   (default home runs/bench;
# run options such as --threads 1 go to `orchestrator run`: with another job on the machine, engine
# threads beyond the free cores slow PyTorch down many times over)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
recipe="$1"
name="$2"
home="${3:-$root/runs/bench}"
shift $(($# < 3 ? $# : 3))
orch="$root/bin/orchestrator"

/usr/bin/time -f 'wall %e s, peak RSS %M KiB' "$orch" run "$recipe" --home "$home" --quiet "$@" || true
echo
echo "== teachers =="
python3 "$root/bench/teacher.py" "$home"/artifacts/teacher/*/meta.json
echo
echo "== leaderboard (mean ± std over seeds) =="
"$orch" leaderboard --home "$home" --recipe "$name" --sort top1
echo
echo "== seconds per stage (mean and max over trials; teacher and synthesis max = computed, others cached) =="
json="$("$orch" export --home "$home" --recipe "$name" --format json)"
python3 "$root/bench/report.py" stages <<<"$json"
python3 "$root/bench/report.py" per generator synthesis <<<"$json"
python3 "$root/bench/report.py" per quantizer quantization <<<"$json"
