#!/bin/sh
# `make demo`: the seed walk-through on bundled data — a model with a Swish
# custom layer built, saved, loaded and run, first with the layer linked into
# the program, then (once the CLI has `predict`) through the plugin.
set -e
BUILD=${1:-build}
MODEL="$BUILD/swish.mlmodel"
IMAGE=examples/swish/data/swish_input.png

echo "== Swish custom layer, linked into the program (examples/swish/main.cpp)"
"$BUILD/bin/swish_example" --image "$IMAGE" --save "$MODEL"

if "$BUILD/bin/morel" predict --help >/dev/null 2>&1; then
  echo
  echo "== The same model through the CLI, Swish from the plugin $BUILD/lib/libmorel_swish.so"
  "$BUILD/bin/morel" predict "$MODEL" --input "image=$IMAGE" --plugin "$BUILD/lib/libmorel_swish.so"
  echo
  echo "== ...and without the plugin: the error says how to provide the class"
  "$BUILD/bin/morel" predict "$MODEL" --input "image=$IMAGE" || true
fi
