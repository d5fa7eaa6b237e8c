#include "kernels/reference/inner_product.h"

#include "kernels/parallel.h"

namespace morel::kernels::reference {

void inner_product(const InnerProductParams& p, const float* x, const float* w, const float* bias,
                   float* y, int threads) {
  parallel_for(threads, p.rows, [&](int64_t r) {
    const float* xr = x + r * p.in;
    float* yr = y + r * p.out;
    for (int64_t o = 0; o < p.out; ++o) {
      const float* wo = w + o * p.in;
      double sum = bias ? bias[o] : 0.0;
      for (int64_t i = 0; i < p.in; ++i) sum += double(xr[i]) * double(wo[i]);
      yr[o] = static_cast<float>(sum);
    }
  });
}

void embedding(const EmbeddingParams& p, const float* x, const float* table, const float* bias,
               float* y, int threads) {
  parallel_for(threads, p.rows, [&](int64_t r) {
    const int64_t index = static_cast<int64_t>(x[r]);
    float* yr = y + r * p.out;
    for (int64_t o = 0; o < p.out; ++o) yr[o] = table[o * p.vocab + index] + (bias ? bias[o] : 0.f);
  });
}

void batched_matmul(const BatchedMatMulParams& p, const float* a, const float* b, float* y,
                    int threads) {
  const int out_rank = p.out.rank();
  const int batch_rank = out_rank - 2;
  const int64_t M = p.out[out_rank - 2];
  const int64_t N = p.out[out_rank - 1];
  const int64_t K = p.transpose_a ? p.a.dim(-2) : p.a.dim(-1);
  const int64_t batches = p.out.count(0, batch_rank);

  // Offset of one matrix of `t` for output batch number `n`: the batch axes
  // of `t` are aligned with the last ones of the output's, and an axis of
  // size 1 is broadcast (always index 0).
  auto matrix_offset = [&](const Shape& t, int64_t n) {
    const int t_batch = t.rank() - 2;
    int64_t offset = 0, stride = t.dim(-2) * t.dim(-1);
    for (int axis = batch_rank - 1; axis >= 0; --axis) {
      const int64_t coord = n % p.out[axis];
      n /= p.out[axis];
      const int t_axis = axis - (batch_rank - t_batch);
      if (t_axis < 0) continue;
      if (t[t_axis] != 1) offset += coord * stride;
      stride *= t[t_axis];
    }
    return offset;
  };

  parallel_for(threads, batches * M, [&](int64_t row) {
    const int64_t n = row / M, i = row % M;
    const float* am = a + matrix_offset(p.a, n);
    const float* bm = b + matrix_offset(p.b, n);
    float* yr = y + n * M * N + i * N;
    for (int64_t j = 0; j < N; ++j) {
      double sum = 0.0;
      for (int64_t k = 0; k < K; ++k) {
        const float av = p.transpose_a ? am[k * M + i] : am[i * K + k];
        const float bv = p.transpose_b ? bm[j * K + k] : bm[k * N + j];
        sum += double(av) * double(bv);
      }
      yr[j] = static_cast<float>(sum);
    }
  });
}

}  // namespace morel::kernels::reference
