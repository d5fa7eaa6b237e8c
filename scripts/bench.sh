#!/usr/bin/env bash
# make bench: morel against ONNX Runtime (CPU) on the six benchmark models.
# Usage: scripts/bench.sh [BUILD_DIR]   (see docs/performance.md)
# Environment: MOREL_SHARED_DIR (../shared), MOREL_BENCH_CACHE
# (~/.cache/morel-bench), MODELS, THREADS (1,2), ITERS (30), WARMUP (5), ROUNDS (3).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
morel="$build/bin/morel"
# The shared folder: MOREL_SHARED_DIR, else the one the build was configured
# with (tests use the same), else beside the clone.
configured="$(sed -n 's/^MOREL_SHARED_DIR:PATH=//p' "$build/CMakeCache.txt" 2>/dev/null || true)"
shared="${MOREL_SHARED_DIR:-${configured:-$root/../shared}}"
cache="${MOREL_BENCH_CACHE:-${HOME:-/root}/.cache/morel-bench}"
models="${MODELS:-squeezenet1_1,mobilenet_v2,resnet18,resnet50,shufflenet_v2_x1_0,efficientnet_b0}"

[ -x "$morel" ] || { echo "bench: $morel is missing; build first (make build)" >&2; exit 1; }
[ -d "$shared/bench" ] || { echo "bench: $shared/bench is missing (set MOREL_SHARED_DIR)" >&2; exit 1; }

bash "$shared/bench/setup_peers.sh"
/usr/bin/python3 "$shared/bench/make_models.py" "$cache/models"

# Convert once per model (again when the .onnx or morel is newer).
for name in ${models//,/ }; do
  onnx="$cache/models/$name.onnx"
  ml="$cache/models/$name.mlmodel"
  if [ ! -f "$ml" ] || [ "$onnx" -nt "$ml" ] || [ "$morel" -nt "$ml" ]; then
    echo "converting $name"
    "$morel" convert "$onnx" -o "$ml" >/dev/null
  fi
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$root/bench/compare.py" --morel "$morel" --models "$cache/models" \
  --ort-bench "$shared/bench/ort_bench.js" --out "$root/bench/results.md" \
  --names "$models" --threads "${THREADS:-1,2}" --iters "${ITERS:-30}" \
  --warmup "${WARMUP:-5}" --rounds "${ROUNDS:-3}"
