// Small helpers shared by the layer families: parameter checks with clear
// messages, axis arithmetic, weight decoding, and shape broadcasting.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "morel/error.h"
#include "morel/shape.h"
#include "morel/weights.h"

namespace morel::graph {

// Throw Error(kInvalidModel, message) unless `ok`.
inline void require(bool ok, const std::string& message) {
  if (!ok) throw Error(ErrorCode::kInvalidModel, message);
}
// Throw Error(kInvalidInput, message) unless `ok`: for shapes that do not fit
// at plan time (they come from the inputs a user passed).
inline void require_shape(bool ok, const std::string& message) {
  if (!ok) throw Error(ErrorCode::kInvalidInput, message);
}
[[noreturn]] inline void unsupported(const std::string& message) {
  throw Error(ErrorCode::kUnsupported, message);
}

// Largest size or offset a parameter may name: far beyond any real tensor,
// small enough that sums and products of a few never overflow int64.
constexpr int64_t kMaxParam = int64_t{1} << 40;
// Largest tensor we agree to plan (elements): hostile shapes fail here
// instead of overflowing a size computation or exhausting memory.
constexpr int64_t kMaxElements = int64_t{1} << 32;

// "expects 1 output, got 2".
void require_one_output(const spec::NeuralNetworkLayer& layer);
// "expects 2 inputs, got 1", counting the layer's input names.
void require_input_count(const spec::NeuralNetworkLayer& layer, int count);
// An unsigned size parameter as int64, at most kMaxParam; `field` names it.
int64_t param_size(uint64_t value, const std::string& field);
// Throws Error(kInvalidInput) unless every dimension is >= 1 and the shape
// holds at most kMaxElements elements.
void require_plannable(const Shape& shape);

// Input count check: "expects 2 inputs, got 1".
void require_inputs(std::span<const Shape> inputs, size_t min, size_t max);

// An axis in [-rank, rank) made non-negative; throws naming `field` otherwise.
int normalize_axis(int64_t axis, int rank, const std::string& field);

// NumPy-style broadcast of two shapes (aligned at the last axis); throws
// Error(kInvalidInput) when a pair of dimensions is neither equal nor 1.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Decode a layer's WeightParams to `count` floats; `field` names it in errors.
std::vector<float> weights(const spec::WeightParams& w, int64_t count, const std::string& field,
                           ChannelLayout layout = {});

std::string str(int64_t v);

// `in` with its axes permuted: output axis i is input axis perm[i].
Shape permuted(const Shape& in, std::span<const int> perm);

// The shape of `inputs` joined along `axis` (non-negative): all have the same
// rank and agree on every other axis; throws Error(kInvalidInput) otherwise.
Shape concat_shape(std::span<const Shape> inputs, int axis);
// Joins `inputs` along logical `axis` into `out` (concat_shape of theirs).
// Channels-last data (graph/layout.h) is joined along the axis's stored position.
void concat_values(std::span<const ConstTensorView> inputs, int axis, bool channels_last,
                   float* out, int threads);

}  // namespace morel::graph
