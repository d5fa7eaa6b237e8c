// What the fusion passes move from one op into another: a per-channel affine
// map (batchnorm with given statistics, scale, bias) folded into a producer's
// weights, and an epilogue — activations and a residual add applied to the
// producer's output as it is written.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/reference/activation.h"
#include "morel/shape.h"

namespace morel::graph {

// y = f(x) element-wise, with scalar parameters only (the per-channel kinds,
// PReLU and parametricSoftplus, are never fused).
struct ActivationFn {
  kernels::reference::Activation kind = kernels::reference::Activation::kReLU;
  float alpha = 0.f;
  float beta = 0.f;
};

// True for the activations the optimized kernels apply as they write their
// output (kernels/cpu: oneDNN post-ops); producers fuse only these, so that a
// fused activation never runs slower than a separate one.
bool fusable_activation(const ActivationFn& fn);

// y[c] = x[c] * scale[c] + shift[c] along axis -3; each vector holds one value
// per channel, or one value for every channel (never none).
struct ChannelAffine {
  std::vector<float> scale;
  std::vector<float> shift;
  // Value for channel c (either vector may hold a single shared value).
  float scale_at(int64_t c) const { return scale.size() == 1 ? scale[0] : scale[c]; }
  float shift_at(int64_t c) const { return shift.size() == 1 ? shift[0] : shift[c]; }
};

// A two-input map with broadcasting, as the passes see it.
enum class BinaryKind { kNone, kAdd, kMultiply };

// Steps applied, in order, to an op's output after its own computation.
struct EpilogueStep {
  enum class Kind { kActivation, kAdd } kind = Kind::kActivation;
  ActivationFn fn;  // kActivation
};
struct Epilogue {
  std::vector<EpilogueStep> steps;
  int add_input = -1;  // the input index holding the addend of the kAdd step, if any

  bool empty() const { return steps.empty(); }
  bool has_add() const { return add_input >= 0; }
};

// y = fn(x) over `count` values; y may be x.
void apply_activation(const ActivationFn& fn, const float* x, float* y, int64_t count, int threads);

// Runs an epilogue the plain way. `data` holds the op's own result, of shape
// `shape` (already in the output's layout); the steps are applied in place
// except the add, which writes broadcast(shape, addend_shape) values into
// `out` (which may be `data` when that shape is `shape`). Shapes are the
// ones the data is stored in (channels-last ones permuted, see layout.h).
// Returns where the result is: `out` once an add ran, else `data`.
float* run_epilogue(const Epilogue& e, int threads, float* data, const Shape& shape,
                    const float* addend, const Shape& addend_shape, float* out,
                    const Shape& out_shape);

}  // namespace morel::graph
