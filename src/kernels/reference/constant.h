// Reference kernels for the constant family: fills, ranges, broadcasting and
// one-hot encoding.
#pragma once

#include <cstdint>

#include "morel/shape.h"

namespace morel::kernels::reference {

// out[i] = value for i in [0, n).
void fill(float value, int64_t n, float* out, int threads);

// out[i] = start + i * step for i in [0, n), computed in double precision.
void arange(double start, double step, int64_t n, float* out, int threads);

// NumPy broadcasting of `in` to `out_shape`: the input shape is aligned with
// the output's last axes (missing leading axes count as 1), and each input
// dimension is 1 or equal to the output's (the caller checks).
void broadcast_to(const float* in, const Shape& in_shape, const Shape& out_shape, float* out,
                  int threads);

// One-hot encoding. `indices` is viewed as [outer, inner] and the output as
// [outer, depth, inner]: out[o, k, i] = indices[o, i] == k ? on : off.
// Indices hold integral values (the caller checks); one outside [0, depth)
// gives an all-`off` vector.
struct OneHot {
  int64_t outer = 1;
  int64_t depth = 1;
  int64_t inner = 1;
  float on = 1.f;
  float off = 0.f;
};

void one_hot(const OneHot& p, const float* indices, float* out, int threads);

}  // namespace morel::kernels::reference
