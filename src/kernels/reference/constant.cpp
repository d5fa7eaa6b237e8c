#include "kernels/reference/constant.h"

#include <algorithm>
#include <array>

#include "kernels/parallel.h"

namespace morel::kernels::reference {

namespace {
// Splits [0, n) into blocks so that parallel_for has a coarse grain.
constexpr int64_t kBlock = 4096;
}  // namespace

void fill(float value, int64_t n, float* out, int threads) {
  parallel_for(threads, (n + kBlock - 1) / kBlock, [&](int64_t b) {
    const int64_t end = std::min(n, (b + 1) * kBlock);
    for (int64_t i = b * kBlock; i < end; ++i) out[i] = value;
  });
}

void arange(double start, double step, int64_t n, float* out, int threads) {
  parallel_for(threads, (n + kBlock - 1) / kBlock, [&](int64_t b) {
    const int64_t end = std::min(n, (b + 1) * kBlock);
    for (int64_t i = b * kBlock; i < end; ++i)
      out[i] = static_cast<float>(start + static_cast<double>(i) * step);
  });
}

void broadcast_to(const float* in, const Shape& in_shape, const Shape& out_shape, float* out,
                  int threads) {
  const int rank = out_shape.rank();
  // Input strides per output axis; 0 where the input is broadcast (size 1 or missing).
  std::array<int64_t, kMaxRank> src_strides{};
  const std::array<int64_t, kMaxRank> in_strides = strides_of(in_shape);
  const int lead = rank - in_shape.rank();
  for (int axis = lead; axis < rank; ++axis)
    src_strides[axis] = in_shape[axis - lead] == 1 ? 0 : in_strides[axis - lead];

  const int64_t row_len = out_shape[rank - 1];
  const int64_t rows = out_shape.count(0, rank - 1);
  parallel_for(threads, rows, [&](int64_t row) {
    int64_t offset = 0;
    int64_t rest = row;
    for (int axis = rank - 2; axis >= 0; --axis) {
      offset += (rest % out_shape[axis]) * src_strides[axis];
      rest /= out_shape[axis];
    }
    float* dst = out + row * row_len;
    for (int64_t x = 0; x < row_len; ++x) dst[x] = in[offset + x * src_strides[rank - 1]];
  });
}

void one_hot(const OneHot& p, const float* indices, float* out, int threads) {
  parallel_for(threads, p.outer, [&](int64_t o) {
    for (int64_t k = 0; k < p.depth; ++k) {
      float* dst = out + (o * p.depth + k) * p.inner;
      const float* idx = indices + o * p.inner;
      for (int64_t i = 0; i < p.inner; ++i) dst[i] = idx[i] == static_cast<float>(k) ? p.on : p.off;
    }
  });
}

}  // namespace morel::kernels::reference
