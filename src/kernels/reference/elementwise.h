// Reference kernels for the elementwise layer family: binary maps with NumPy
// broadcasting, the three-way select, the legacy scale / bias, and the
// legacy dot product. Plain loops over contiguous float32; the oracle the
// optimized kernels are checked against.
#pragma once

#include <cstdint>

#include "morel/shape.h"

namespace morel::kernels::reference {

// One binary map f(a, b). Comparisons and logical maps give 1.0f / 0.0f;
// the logical maps take zero as false and anything else (NaN too) as true.
enum class BinaryOp {
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kMax,
  kMin,
  kPow,       // a ^ b (std::pow)
  kMod,       // floored modulo: the result has the sign of b (NumPy's mod)
  kFloorDiv,  // floor(a / b)
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
  kXor,
};

float apply_binary(BinaryOp op, float a, float b);

// out = op(a, b) with NumPy broadcasting: a_shape and b_shape are aligned
// at their last axis against out_shape, and each of their dimensions is
// either out_shape's or 1 (missing leading axes count as 1). `out` may be
// `a` when a_shape == out_shape (each element is read before it is written).
void binary_broadcast(int threads, BinaryOp op, const float* a, const Shape& a_shape,
                      const float* b, const Shape& b_shape, float* out, const Shape& out_shape);

// out[i] = op(a[i], b) for i < count. `out` may be `a`.
void binary_scalar(int threads, BinaryOp op, const float* a, float b, float* out, int64_t count);

// out[i] = 1 where a[i] == 0, else 0. `out` may be `a`.
void logical_not(int threads, const float* a, float* out, int64_t count);

// Broadcast copy: out = a, with a's shape broadcast to out_shape as above.
void broadcast_copy(int threads, const float* a, const Shape& a_shape, float* out,
                    const Shape& out_shape);

// out = cond != 0 ? x : y, the three broadcast together to out_shape.
void where_broadcast(int threads, const float* cond, const Shape& cond_shape, const float* x,
                     const Shape& x_shape, const float* y, const Shape& y_shape, float* out,
                     const Shape& out_shape);

// How a legacy scale or bias array of shape [1], [C], [1, H, W] or [C, H, W]
// lines up with the [C, H, W] of each item.
struct ChannelBroadcast {
  bool per_channel = false;  // varies along C
  bool per_spatial = false;  // varies along H and W
};

// Legacy scale / bias over `items` items of [channels, spatial] values
// (spatial = H * W): out = in * scale + bias, where a null scale means 1 and
// a null bias means 0. `out` may be `in`.
struct ScaleBiasParams {
  int64_t items = 1;
  int64_t channels = 1;
  int64_t spatial = 1;
  const float* scale = nullptr;
  ChannelBroadcast scale_layout;
  const float* bias = nullptr;
  ChannelBroadcast bias_layout;
};
void scale_bias(int threads, const ScaleBiasParams& p, const float* in, float* out);

// Legacy dot product of `length`-vectors. Vectors are the rows of a and b
// ([.., length], the trailing 1 x 1 dropped); their leading axes a_lead and
// b_lead broadcast to out_lead, which holds one output value per pair.
// cosine: divide by both vectors' L2 norms (0 when either norm is 0).
void dot(int threads, bool cosine, int64_t length, const float* a, const Shape& a_lead,
         const float* b, const Shape& b_lead, float* out, const Shape& out_lead);

}  // namespace morel::kernels::reference
