// Per-tensor quantizers behind morel::quantize (include/morel/quantize.h):
// float weights in, quantized values and their parameters out.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "morel/quantize.h"
#include "morel/weights.h"

namespace morel::tools {

// w ≈ q * scale[c] + bias[c] per channel c of `layout` ({1, 1}: one channel).
struct LinearQuantized {
  std::vector<uint8_t> values;
  std::vector<float> scale, bias;
};

// Asymmetric: each channel's [min, max] in 2^bits - 1 equal steps, bias =
// min. Symmetric: [-r, r] with r = max |w|, scale = r / (2^(bits-1) - 1),
// bias = -2^(bits-1) * scale, so q = 2^(bits-1) stands for 0 (bits >= 2).
// Arithmetic in double with round-half-even, as coremltools does, so 8-bit
// output matches its files byte for byte. A channel whose values are all
// equal gets scale 0 and stores them exactly in the bias. Values must be
// finite (Error(kInvalidArgument) otherwise).
LinearQuantized quantize_linear(std::span<const float> weights, ChannelLayout layout, int bits,
                                bool symmetric);

// w ≈ table[q], a table of exactly 2^bits entries.
struct LutQuantized {
  std::vector<uint8_t> values;
  std::vector<float> table;
};

// Evenly spaced table over [min, max] (coremltools' linear_lut).
LutQuantized quantize_linear_lut(std::span<const float> weights, int bits);
// k-means centers (tools/kmeans_1d.h), ascending; padded by repeating the
// largest when the weights have fewer than 2^bits distinct values.
LutQuantized quantize_kmeans(std::span<const float> weights, int bits);
// A user function's table, checked (size, index range, finite entries) and
// padded to 2^bits entries. Throws Error(kInvalidArgument) saying what is wrong.
LutQuantized check_custom_lut(LookupTable lut, int64_t count, int bits);

}  // namespace morel::tools
