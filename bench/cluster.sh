#!/usr/bin/env bash
# Cluster benchmark (not run in CI).
# 1. No-op trials through the whole path (coordinator singleton, H2 store, worker JVMs on loopback:
#    assign, run, report, record) with 1 and 4 worker JVMs: trials/s and per-trial overhead in ms.
# 2. With --real: recipes/cluster-bench.yaml (12 small real trials) in one JVM (which also makes
#    the teacher and calibration sets), then by a coordinator holding those artifacts over 1 worker
#    JVM and over 2 (one slot, one engine thread each; the workers fetch the artifacts): wall time
#    of each and seconds per stage.
# Usage: bench/cluster.sh [NOOP_TRIALS] [--real]   (default 2000 trials; 0 skips the no-op part)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
trials=2000
real=""
for arg in "$@"; do
  case "$arg" in
    --real) real=1 ;;
    *) trials="$arg" ;;
  esac
done
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$trials" -gt 0 ]; then
  echo "== no-op trials ==" >&2
  mvn -B -q -o test-compile dependency:build-classpath -pl actors -am \
    -Dmdep.outputFile="$work/cp.txt" -Dmdep.includeScope=test >&2
  cp="$root/actors/target/test-classes:$root/actors/target/classes:$(cat "$work/cp.txt")"
  for workers in 1 4; do
    java -Xmx1g -cp "$cp" io.dfq.actors.ClusterBench "$workers" "$trials" "$work/noop-$workers" | grep "^no-op"
  done
fi

[ -n "$real" ] || exit 0
echo "== recipes/cluster-bench.yaml: one JVM, then a coordinator over 1 and over 2 worker JVMs ==" >&2
mvn -B -q -o package -DskipTests -pl orchestrator -am >&2
mkdir -p "$work/app"
cp -r orchestrator/target/orchestrator.jar orchestrator/target/lib "$work/app/"
export DFQ_APP="$work/app"
# The single-JVM run computes the teacher and the calibration sets; the cluster runs start from a
# fresh database whose node holds those artifacts, so what is split is the trials' own work (the
# workers fetch the teacher and sets from the coordinator node, verified, then quantize/evaluate).
start=$(date +%s.%N)
bin/orchestrator run recipes/cluster-bench.yaml --home "$work/single" --workers 1 --threads 1 --quiet | tail -1
end=$(date +%s.%N)
python3 -c "print(f'single JVM, 1 slot: {$end - $start:.1f} s wall (teacher and calibration sets included)')"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for workers in 1 2; do
  mkdir -p "$work/real-$workers/coordinator/artifacts"
  cp -r "$work/single/artifacts/teacher" "$work/single/artifacts/synthetic" "$work/real-$workers/coordinator/artifacts/"
  for i in $(seq 1 "$workers"); do
    bin/orchestrator worker --join "127.0.0.1:$port" --home "$work/real-$workers/worker-$i" --slots cpu=1 \
      --threads 1 2>"$work/worker-$workers-$i.log" &
    pids+=($!)
  done
  start=$(date +%s.%N)
  bin/orchestrator coordinator --recipe recipes/cluster-bench.yaml --bind "127.0.0.1:$port" \
    --home "$work/real-$workers/coordinator" --quiet | tail -1
  end=$(date +%s.%N)
  python3 -c "print(f'{$workers} worker JVM(s) x 1 slot: {$end - $start:.1f} s wall, coordinator start to exit')"
  bin/orchestrator export --home "$work/real-$workers/coordinator" --recipe cluster-bench --format json \
    | python3 bench/report.py stages
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
done
