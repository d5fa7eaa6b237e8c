#!/usr/bin/env bash
# Build the model-loader fuzz target (clang, libFuzzer, ASan, UBSan) in
# build-fuzz and run it for a bounded time, seeded with the shared real
# models (copied at run time, never committed).
#
#   scripts/fuzz.sh [SECONDS] [extra libFuzzer arguments...]
#
# SECONDS defaults to 60. Exits non-zero when the fuzzer finds a crash, a
# leak, a timeout or a broken invariant; the input is left in
# build-fuzz/fuzz-artifacts/. MOREL_SHARED_DIR overrides ../shared.
set -euo pipefail

seconds="${1:-60}"
[ $# -gt 0 ] && shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"
shared="${MOREL_SHARED_DIR:-$root/../shared}"

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMOREL_FUZZ=ON -DMOREL_BUILD_TESTS=OFF -DMOREL_BUILD_BENCH=OFF -DMOREL_WITH_DNNL=OFF \
  -DMOREL_LIBRARY_SCOPE=format \
  >/dev/null
cmake --build "$build" -j"${MOREL_FUZZ_BUILD_JOBS:-2}" --target fuzz_load_model

seeds="$build/fuzz-seeds"
corpus="$build/fuzz-corpus"
artifacts="$build/fuzz-artifacts"
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$artifacts"
if [ -d "$shared/testdata/coreml" ]; then
  # The small models; the multi-megabyte ones only slow each run down.
  while IFS= read -r -d '' model; do
    rel="${model#"$shared/testdata/coreml/"}"
    cp "$model" "$seeds/${rel//\//_}"
  done < <(find "$shared/testdata/coreml" -name '*.mlmodel' -size -64k -print0)
else
  echo "fuzz.sh: no $shared/testdata/coreml; starting from an empty corpus" >&2
fi

echo "fuzz.sh: fuzzing for ${seconds}s with $(ls "$seeds" | wc -l) seed models" >&2
exec "$build/bin/fuzz_load_model" "$corpus" "$seeds" \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$@"
