#!/usr/bin/env bash
# The quantize-and-compare walk-through (docs/quantize.md): shrink the bundled
# demo classifier at several bit widths and modes, compare each copy with the
# original on the bundled images, and sum up sizes and agreement. When the
# team's shared test data is there, do the same for a real coremltools model
# (squeezenet1_1) and set morel's 4-bit k-means beside coremltools' own.
#
#   scripts/demo_quantize.sh [BUILD_DIR [OUT_DIR]]   (defaults: build, BUILD_DIR/demo)
#   MOREL_SHARED_DIR=...   where the shared data lives (default: the build's
#                          MOREL_SHARED_DIR, else ../shared)
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-build}
OUT=${2:-$BUILD/demo}
MOREL="$BUILD/bin/morel"
# The shared data: $MOREL_SHARED_DIR, else the build's setting, else ../shared.
SHARED=${MOREL_SHARED_DIR:-$(sed -n 's/^MOREL_SHARED_DIR:PATH=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)}
SHARED=${SHARED:-../shared}
MODEL=examples/demo/shapes_classifier.mlmodel
IMAGES=examples/demo/images
mkdir -p "$OUT"

step() { printf '\n== %s\n' "$*"; }
# The value of a key in a one-line-per-key JSON report: json_value KEY FILE.
json_value() { sed -n "s/^ *\"$1\": \\([^,]*\\),\\{0,1\\}\$/\\1/p" "$2" | head -n 1; }

step "morel quantize $MODEL $OUT/shapes_q8.mlmodel --bits 8 --mode linear"
"$MOREL" quantize "$MODEL" "$OUT/shapes_q8.mlmodel" --bits 8 --mode linear

# The other copies: only the size line of each report.
for q in "q4 --bits 4 --mode kmeans" "q2 --bits 2 --mode kmeans" \
         "q6lut --bits 6 --mode linear_lut" "fp16 --mode fp16"; do
  set -- $q
  name=$1
  shift
  step "morel quantize $MODEL $OUT/shapes_$name.mlmodel $*"
  "$MOREL" quantize "$MODEL" "$OUT/shapes_$name.mlmodel" "$@" | grep '^size:'
done

step "morel compare $MODEL $OUT/shapes_q4.mlmodel --data $IMAGES"
"$MOREL" compare "$MODEL" "$OUT/shapes_q4.mlmodel" --data "$IMAGES"

step "summary: each copy against the original on the $(ls "$IMAGES" | wc -l) images in $IMAGES"
printf '%-22s %9s  %8s  %17s\n' "model" "bytes" "top-1" "SNR of probs (dB)"
printf '%-22s %9s  %8s  %17s\n' "float32 (original)" "$(stat -c %s "$MODEL")" "-" "-"
for name in fp16 q8 q6lut q4 q2; do
  "$MOREL" compare "$MODEL" "$OUT/shapes_$name.mlmodel" --data "$IMAGES" --output probabilities \
    --json >"$OUT/compare_$name.json"
  printf '%-22s %9s  %7.1f%%  %17s\n' "shapes_$name" "$(stat -c %s "$OUT/shapes_$name.mlmodel")" \
    "$(json_value top1_agreement_percent "$OUT/compare_$name.json")" \
    "$(json_value snr_db "$OUT/compare_$name.json" | sed 's/null/inf/; s/\(\.[0-9][0-9]\)[0-9]*/\1/')"
done

# A real model written by coremltools: squeezenet1_1 (random weights, 10
# outputs, one 1x3x112x112 input from the shared data).
Q="$SHARED/testdata/coreml/quantized"
SQ="$SHARED/testdata/coreml/torch/squeezenet1_1"
if [ -f "$SQ.mlmodel" ] && [ -f "$Q/squeezenet1_1_q4_kmeans.mlmodel" ]; then
  step "squeezenet1_1 (coremltools) quantized by morel, and by coremltools, against the float model"
  "$MOREL" quantize "$SQ.mlmodel" "$OUT/squeezenet_q8.mlmodel" --bits 8 --mode linear >/dev/null
  "$MOREL" quantize "$SQ.mlmodel" "$OUT/squeezenet_q4.mlmodel" --bits 4 --mode kmeans >/dev/null
  printf '%-46s %9s  %8s\n' "model (who quantized it)" "bytes" "SNR (dB)"
  for m in "$SQ.mlmodel" "$OUT/squeezenet_q8.mlmodel" "$OUT/squeezenet_q4.mlmodel" \
           "$Q/squeezenet1_1_q8_linear.mlmodel" "$Q/squeezenet1_1_q4_kmeans.mlmodel"; do
    "$MOREL" compare "$SQ.mlmodel" "$m" --input "input=$SQ.input.npy" --json >"$OUT/compare_sq.json"
    case $m in
      "$SQ.mlmodel") who="squeezenet1_1.mlmodel (float32 original)" ;;
      "$OUT"/*) who="$(basename "$m") (morel)" ;;
      *) who="$(basename "$m") (coremltools)" ;;
    esac
    printf '%-46s %9s  %8s\n' "$who" "$(stat -c %s "$m")" \
      "$(json_value snr_db "$OUT/compare_sq.json" | sed 's/null/inf/; s/\(\.[0-9][0-9]\)[0-9]*/\1/')"
  done
fi
