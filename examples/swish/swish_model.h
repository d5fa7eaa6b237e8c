// The walk-through's model, built with morel::ModelBuilder:
//
//   image (RGB 256x256, scaled to [0, 1])
//     -> convolution 3x3, 6 filters, same padding
//     -> Swish (custom layer, beta 1.5)
//     -> global average pooling
//     -> inner product (10)
//     -> softmax -> "probabilities" [10]
//
// Its weights follow a fixed formula (example_weight), which
// tests/fixtures/generators/swish_model.py repeats to compute the expected
// output independently with NumPy.
#pragma once

#include <cstdint>

#include "morel/spec.h"

namespace swish {

inline constexpr int64_t kImageSize = 256;
inline constexpr int64_t kFilters = 6;
inline constexpr int64_t kClasses = 10;
inline constexpr double kBeta = 1.5;

// Element i of weight blob `blob`: a value in [-scale, scale] from integer
// arithmetic, so that any language reproduces it bit for bit.
float example_weight(int64_t i, int64_t blob, double scale);

struct SwishModelOptions {
  // Also output the pooled features ("features" [6]) next to the
  // probabilities: a closer look for tests.
  bool features_output = false;
};

morel::Spec build_swish_model(const SwishModelOptions& options = {});

}  // namespace swish
