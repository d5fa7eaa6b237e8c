#!/usr/bin/env bash
# The quantize-and-compare walk-through: shrink the bundled demo classifier
# at 8-bit linear and at 4-bit k-means, compare each with the original on the
# bundled images, and sum up sizes and agreement.
#
#   scripts/demo_quantize.sh [BUILD_DIR]     (default: build)
set -euo pipefail

cd "$(dirname "$0")/.."
BUILD=${1:-build}
MOREL="$BUILD/bin/morel"
DEMO=examples/demo
MODEL="$DEMO/shapes_classifier.mlmodel"
IMAGES="$DEMO/images"
OUT="$BUILD/demo"
mkdir -p "$OUT"

step() { printf '\n== %s\n' "$*"; }

step "morel quantize $MODEL $OUT/shapes_q8.mlmodel --bits 8 --mode linear"
"$MOREL" quantize "$MODEL" "$OUT/shapes_q8.mlmodel" --bits 8 --mode linear

step "morel quantize $MODEL $OUT/shapes_q4.mlmodel --bits 4 --mode kmeans"
"$MOREL" quantize "$MODEL" "$OUT/shapes_q4.mlmodel" --bits 4 --mode kmeans

for q in q8 q4; do
  step "morel compare $MODEL $OUT/shapes_$q.mlmodel --data $IMAGES"
  "$MOREL" compare "$MODEL" "$OUT/shapes_$q.mlmodel" --data "$IMAGES" | tee "$OUT/compare_$q.txt"
done

# Sizes from the files, agreement from the label row of each comparison.
step "summary"
printf '%-28s %10s  %s\n' "model" "bytes" "top-1 agreement with the original"
printf '%-28s %10s  %s\n' "shapes_classifier (float32)" "$(stat -c %s "$MODEL")" "-"
for q in q8 q4; do
  agree=$(awk '$1 == "label" { print $3 }' "$OUT/compare_$q.txt")
  printf '%-28s %10s  %s\n' "shapes_$q" "$(stat -c %s "$OUT/shapes_$q.mlmodel")" "$agree"
done
