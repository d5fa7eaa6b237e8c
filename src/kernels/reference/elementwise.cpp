#include "kernels/reference/elementwise.h"

#include <array>
#include <cmath>
#include <limits>

#include "kernels/parallel.h"

namespace morel::kernels::reference {
namespace {

using Strides = std::array<int64_t, kMaxRank>;

// Element strides of `in` laid against `out`, the two aligned at their last
// axis: in's row-major stride on axes where it has out's size, 0 on axes
// where it is broadcast (size 1, or an axis `in` does not have).
Strides strides_against(const Shape& in, const Shape& out) {
  Strides s{};
  int64_t stride = 1;
  for (int i = out.rank() - 1, j = in.rank() - 1; i >= 0; --i, --j) {
    if (j < 0) continue;  // a leading axis `in` lacks: stays 0
    s[i] = in[j] == 1 ? 0 : stride;
    stride *= in[j];
  }
  return s;
}

// Walks `out` one row (its last axis) at a time, in parallel over rows.
// For each row, body(out_offset, in_offsets, row_length) gets where the row
// starts in `out` and in each of the N inputs (given their strides against
// out); along the row, input k advances by strides[k][last axis].
template <size_t N, class Body>
void for_each_row(int threads, const Shape& out, const std::array<Strides, N>& strides,
                  Body&& body) {
  const int rank = out.rank();
  const int64_t count = out.count();
  if (count == 0) return;
  const int64_t row_length = rank > 0 ? out[rank - 1] : 1;
  const int64_t rows = count / row_length;
  parallel_for(threads, rows, [&](int64_t row) {
    std::array<int64_t, N> offsets{};
    int64_t rest = row;
    for (int axis = rank - 2; axis >= 0; --axis) {
      int64_t index = rest % out[axis];
      rest /= out[axis];
      for (size_t k = 0; k < N; ++k) offsets[k] += index * strides[k][axis];
    }
    body(row * row_length, offsets, row_length);
  });
}

// Stride along the last axis of `out` (0 for a rank-0 output).
int64_t last_stride(const Strides& s, const Shape& out) {
  return out.rank() > 0 ? s[out.rank() - 1] : 0;
}

}  // namespace

float apply_binary(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::kAdd: return a + b;
    case BinaryOp::kSubtract: return a - b;
    case BinaryOp::kMultiply: return a * b;
    case BinaryOp::kDivide: return a / b;
    case BinaryOp::kMax:  // NaN in either operand gives NaN (like NumPy's maximum)
      return (a > b || std::isnan(a)) ? a : b;
    case BinaryOp::kMin: return (a < b || std::isnan(a)) ? a : b;
    case BinaryOp::kPow: return std::pow(a, b);
    case BinaryOp::kMod: {
      // Floored modulo: fmod truncates toward zero, so move a nonzero
      // remainder whose sign differs from b's by one b.
      float r = std::fmod(a, b);
      if (r != 0 && ((r < 0) != (b < 0))) r += b;
      return r;
    }
    case BinaryOp::kFloorDiv: return std::floor(a / b);
    case BinaryOp::kEqual: return a == b ? 1.f : 0.f;
    case BinaryOp::kNotEqual: return a != b ? 1.f : 0.f;
    case BinaryOp::kLess: return a < b ? 1.f : 0.f;
    case BinaryOp::kLessEqual: return a <= b ? 1.f : 0.f;
    case BinaryOp::kGreater: return a > b ? 1.f : 0.f;
    case BinaryOp::kGreaterEqual: return a >= b ? 1.f : 0.f;
    case BinaryOp::kAnd: return (a != 0 && b != 0) ? 1.f : 0.f;
    case BinaryOp::kOr: return (a != 0 || b != 0) ? 1.f : 0.f;
    case BinaryOp::kXor: return ((a != 0) != (b != 0)) ? 1.f : 0.f;
  }
  return std::numeric_limits<float>::quiet_NaN();
}

void binary_broadcast(int threads, BinaryOp op, const float* a, const Shape& a_shape,
                      const float* b, const Shape& b_shape, float* out, const Shape& out_shape) {
  const std::array<Strides, 2> strides = {strides_against(a_shape, out_shape),
                                          strides_against(b_shape, out_shape)};
  const int64_t step_a = last_stride(strides[0], out_shape);
  const int64_t step_b = last_stride(strides[1], out_shape);
  for_each_row(threads, out_shape, strides,
               [&](int64_t o, const std::array<int64_t, 2>& in, int64_t n) {
                 for (int64_t j = 0; j < n; ++j)
                   out[o + j] = apply_binary(op, a[in[0] + j * step_a], b[in[1] + j * step_b]);
               });
}

void binary_scalar(int threads, BinaryOp op, const float* a, float b, float* out, int64_t count) {
  parallel_for(threads, count, [&](int64_t i) { out[i] = apply_binary(op, a[i], b); });
}

void logical_not(int threads, const float* a, float* out, int64_t count) {
  parallel_for(threads, count, [&](int64_t i) { out[i] = a[i] == 0 ? 1.f : 0.f; });
}

void broadcast_copy(int threads, const float* a, const Shape& a_shape, float* out,
                    const Shape& out_shape) {
  const std::array<Strides, 1> strides = {strides_against(a_shape, out_shape)};
  const int64_t step = last_stride(strides[0], out_shape);
  for_each_row(threads, out_shape, strides,
               [&](int64_t o, const std::array<int64_t, 1>& in, int64_t n) {
                 for (int64_t j = 0; j < n; ++j) out[o + j] = a[in[0] + j * step];
               });
}

void where_broadcast(int threads, const float* cond, const Shape& cond_shape, const float* x,
                     const Shape& x_shape, const float* y, const Shape& y_shape, float* out,
                     const Shape& out_shape) {
  const std::array<Strides, 3> strides = {strides_against(cond_shape, out_shape),
                                          strides_against(x_shape, out_shape),
                                          strides_against(y_shape, out_shape)};
  const int64_t step_c = last_stride(strides[0], out_shape);
  const int64_t step_x = last_stride(strides[1], out_shape);
  const int64_t step_y = last_stride(strides[2], out_shape);
  for_each_row(
      threads, out_shape, strides, [&](int64_t o, const std::array<int64_t, 3>& in, int64_t n) {
        for (int64_t j = 0; j < n; ++j)
          out[o + j] =
              cond[in[0] + j * step_c] != 0 ? x[in[1] + j * step_x] : y[in[2] + j * step_y];
      });
}

void scale_bias(int threads, const ScaleBiasParams& p, const float* in, float* out) {
  // Index of element (c, s) of an item in a scale or bias array of the given layout.
  auto index = [&](const ChannelBroadcast& layout, int64_t c, int64_t s) {
    int64_t per_channel = layout.per_spatial ? p.spatial : 1;
    return (layout.per_channel ? c * per_channel : 0) + (layout.per_spatial ? s : 0);
  };
  // One task per (item, channel) plane.
  parallel_for(threads, p.items * p.channels, [&](int64_t plane) {
    const int64_t c = plane % p.channels;
    const float* x = in + plane * p.spatial;
    float* y = out + plane * p.spatial;
    for (int64_t s = 0; s < p.spatial; ++s) {
      float v = x[s];
      if (p.scale) v *= p.scale[index(p.scale_layout, c, s)];
      if (p.bias) v += p.bias[index(p.bias_layout, c, s)];
      y[s] = v;
    }
  });
}

void dot(int threads, bool cosine, int64_t length, const float* a, const Shape& a_lead,
         const float* b, const Shape& b_lead, float* out, const Shape& out_lead) {
  // Treat each vector as one element of its leading shape: broadcast over
  // the leading axes with element strides scaled by the vector length.
  const Strides sa = strides_against(a_lead, out_lead);
  const Strides sb = strides_against(b_lead, out_lead);
  const int rank = out_lead.rank();
  parallel_for(threads, out_lead.count(), [&](int64_t o) {
    int64_t ia = 0, ib = 0, rest = o;
    for (int axis = rank - 1; axis >= 0; --axis) {
      int64_t index = rest % out_lead[axis];
      rest /= out_lead[axis];
      ia += index * sa[axis];
      ib += index * sb[axis];
    }
    const float* x = a + ia * length;
    const float* y = b + ib * length;
    double xy = 0, xx = 0, yy = 0;
    for (int64_t i = 0; i < length; ++i) {
      xy += double(x[i]) * y[i];
      xx += double(x[i]) * x[i];
      yy += double(y[i]) * y[i];
    }
    if (cosine) {
      // The format says the inputs are normalized first; a zero vector has
      // no direction, and we give 0 rather than NaN for it.
      double norms = std::sqrt(xx) * std::sqrt(yy);
      xy = norms > 0 ? xy / norms : 0.0;
    }
    out[o] = static_cast<float>(xy);
  });
}

}  // namespace morel::kernels::reference
