#!/bin/sh
# `make demo`: morel's main jobs on the data bundled in the repository.
#   1. a classifier (examples/demo): inspect it, classify one picture, then a
#      whole folder as a batch;
#   2. the Swish custom layer walk-through (examples/swish): the layer linked
#      into a program, then loaded by the CLI from a plugin;
#   3. weight quantization and comparison (scripts/demo_quantize.sh);
#   4. an ONNX model from the shared data converted to Core ML and timed.
# Any step that fails stops the demo with a non-zero status.
set -e
cd "$(dirname "$0")/.."
BUILD=${1:-build}
MOREL="$BUILD/bin/morel"
OUT="$BUILD/demo"
mkdir -p "$OUT"

CLASSIFIER=examples/demo/shapes_classifier.mlmodel
IMAGES=examples/demo/images

echo "== 1. A classifier: what the file holds (morel inspect)"
"$MOREL" inspect "$CLASSIFIER"

echo
echo "== ...one picture (morel predict)"
"$MOREL" predict "$CLASSIFIER" --input "image=$IMAGES/ring_0.png" --top-k 3

echo
echo "== ...a folder of $(ls "$IMAGES" | wc -l) pictures as one batch, JSON lines (first 3 shown)"
"$MOREL" predict "$CLASSIFIER" --input "image=$IMAGES" --json --top-k 1 >"$OUT/predictions.jsonl"
head -n 3 "$OUT/predictions.jsonl"

SWISH_MODEL="$OUT/swish.mlmodel"
SWISH_IMAGE=examples/swish/data/swish_input.png
echo
echo "== 2. Swish custom layer, linked into the program (examples/swish/main.cpp)"
"$BUILD/bin/swish_example" --image "$SWISH_IMAGE" --save "$SWISH_MODEL"

echo
echo "== ...the same model through the CLI, Swish from the plugin $BUILD/lib/libmorel_swish.so"
"$MOREL" predict "$SWISH_MODEL" --input "image=$SWISH_IMAGE" --plugin "$BUILD/lib/libmorel_swish.so"

echo
echo "== ...and without the plugin: the error says how to provide the class"
if "$MOREL" predict "$SWISH_MODEL" --input "image=$SWISH_IMAGE"; then
  echo "demo: expected the missing-class error" >&2
  exit 1
fi

echo
echo "== 3. Quantize the classifier's weights and judge the loss"
scripts/demo_quantize.sh "$BUILD" "$OUT"

# The ONNX step reads a real model from the team's shared data, in place.
SHARED=${MOREL_SHARED_DIR:-$(sed -n 's/^MOREL_SHARED_DIR:PATH=//p' "$BUILD/CMakeCache.txt" 2>/dev/null)}
SHARED=${SHARED:-../shared}
ONNX="$SHARED/testdata/onnx-backend/light/light_squeezenet.onnx"
echo
if [ -f "$ONNX" ]; then
  echo "== 4. ONNX -> Core ML: convert squeezenet (ONNX model zoo), then time it (morel bench)"
  "$MOREL" convert "$ONNX" -o "$OUT/squeezenet.mlmodel"
  "$MOREL" bench "$OUT/squeezenet.mlmodel" --threads 1 --iters 10 --warmup 2
else
  echo "== 4. ONNX -> Core ML: skipped, $ONNX is not there (the shared data belongs beside the clone)"
fi
