// Reference kernels of the inner_product family: fully connected layers,
// embedding lookups and batched matrix products. Plain loops over contiguous
// float32 data; the oracle that optimized kernels are checked against.
#pragma once

#include <cstdint>

#include "morel/shape.h"

namespace morel::kernels::reference {

// y[r, o] = sum_i x[r, i] * w[o, i] + bias[o], for r < rows.
// x: [rows, in], w: [out, in] row-major, bias: [out] or nullptr, y: [rows, out].
struct InnerProductParams {
  int64_t rows = 0;
  int64_t in = 0;
  int64_t out = 0;
};
void inner_product(const InnerProductParams& p, const float* x, const float* w, const float* bias,
                   float* y, int threads);

// y[r, o] = table[o, index[r]] + bias[o], for r < rows. The indices are the
// float values of `x`, truncated toward zero; the caller has checked that
// every one lies in [0, vocab). table: [out, vocab], bias: [out] or nullptr,
// y: [rows, out].
struct EmbeddingParams {
  int64_t rows = 0;
  int64_t vocab = 0;
  int64_t out = 0;
};
void embedding(const EmbeddingParams& p, const float* x, const float* table, const float* bias,
               float* y, int threads);

// Matrix products over the last two axes of `a` and `b` with NumPy
// broadcasting of the leading (batch) axes.
// a: rank >= 2, [..., M, K] ([..., K, M] when transpose_a);
// b: rank >= 2, [..., K, N] ([..., N, K] when transpose_b);
// out: broadcast batch axes followed by [M, N].
struct BatchedMatMulParams {
  Shape a;
  Shape b;
  Shape out;
  bool transpose_a = false;
  bool transpose_b = false;
};
void batched_matmul(const BatchedMatMulParams& p, const float* a, const float* b, float* y,
                    int threads);

}  // namespace morel::kernels::reference
