#!/usr/bin/env bash
# `make demo`: the walk-throughs on bundled data. Each feature's steps live
# in their own script; this runs them in order.
#
#   scripts/demo.sh [BUILD_DIR]     (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
scripts/demo_quantize.sh "$BUILD"
