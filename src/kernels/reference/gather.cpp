#include "kernels/reference/gather.h"

#include <algorithm>
#include <array>

#include "kernels/parallel.h"

namespace morel::kernels::reference {

namespace {

// A checked float index made non-negative.
int64_t index_at(const float* indices, int64_t pos, int64_t dim) {
  const auto k = static_cast<int64_t>(indices[pos]);
  return k < 0 ? k + dim : k;
}

void combine(ScatterMode mode, float& dst, float v) {
  switch (mode) {
    case ScatterMode::kUpdate: dst = v; break;
    case ScatterMode::kAdd: dst += v; break;
    case ScatterMode::kSub: dst -= v; break;
    case ScatterMode::kMul: dst *= v; break;
    case ScatterMode::kDiv: dst /= v; break;
    case ScatterMode::kMax: dst = std::max(dst, v); break;
    case ScatterMode::kMin: dst = std::min(dst, v); break;
  }
}

void copy(const float* src, int64_t n, float* dst, int threads) {
  constexpr int64_t kBlock = 4096;
  parallel_for(threads, (n + kBlock - 1) / kBlock, [&](int64_t b) {
    const int64_t end = std::min(n, (b + 1) * kBlock);
    std::copy(src + b * kBlock, src + end, dst + b * kBlock);
  });
}

// Flat offset of the slice addressed by index row `t` (depth coordinates).
int64_t slice_offset(const Shape& shape, const std::array<int64_t, kMaxRank>& strides,
                     const float* indices, int64_t t, int depth) {
  int64_t offset = 0;
  for (int c = 0; c < depth; ++c) offset += index_at(indices, t * depth + c, shape[c]) * strides[c];
  return offset;
}

}  // namespace

void gather(const float* data, const AxisSplit& d, const float* indices, int64_t n, float* out,
            int threads) {
  parallel_for(threads, d.outer * n, [&](int64_t r) {
    const int64_t o = r / n, j = r % n;
    const float* src = data + (o * d.dim + index_at(indices, j, d.dim)) * d.inner;
    std::copy(src, src + d.inner, out + r * d.inner);
  });
}

void scatter(ScatterMode mode, const float* data, const AxisSplit& d, const float* indices,
             int64_t n, const float* updates, float* out, int threads) {
  copy(data, d.outer * d.dim * d.inner, out, threads);
  // Different `o` never touch the same element; within one, updates apply in order.
  parallel_for(threads, d.outer, [&](int64_t o) {
    for (int64_t j = 0; j < n; ++j) {
      float* dst = out + (o * d.dim + index_at(indices, j, d.dim)) * d.inner;
      const float* src = updates + (o * n + j) * d.inner;
      for (int64_t i = 0; i < d.inner; ++i) combine(mode, dst[i], src[i]);
    }
  });
}

void gather_nd(const float* data, const Shape& data_shape, const float* indices, int64_t tuples,
               int depth, float* out, int threads) {
  const std::array<int64_t, kMaxRank> strides = strides_of(data_shape);
  const int64_t slice = data_shape.count(depth, data_shape.rank());
  parallel_for(threads, tuples, [&](int64_t t) {
    const float* src = data + slice_offset(data_shape, strides, indices, t, depth);
    std::copy(src, src + slice, out + t * slice);
  });
}

void scatter_nd(ScatterMode mode, const float* data, const Shape& data_shape, const float* indices,
                int64_t tuples, int depth, const float* updates, float* out, int threads) {
  copy(data, data_shape.count(), out, threads);
  const std::array<int64_t, kMaxRank> strides = strides_of(data_shape);
  const int64_t slice = data_shape.count(depth, data_shape.rank());
  // Rows may address the same slice, so they apply one after another.
  for (int64_t t = 0; t < tuples; ++t) {
    float* dst = out + slice_offset(data_shape, strides, indices, t, depth);
    const float* src = updates + t * slice;
    for (int64_t i = 0; i < slice; ++i) combine(mode, dst[i], src[i]);
  }
}

void gather_along_axis(const float* data, const AxisSplit& d, const float* indices, int64_t n,
                       float* out, int threads) {
  parallel_for(threads, d.outer * n, [&](int64_t r) {
    const int64_t o = r / n;
    const float* idx = indices + r * d.inner;
    float* dst = out + r * d.inner;
    for (int64_t i = 0; i < d.inner; ++i)
      dst[i] = data[(o * d.dim + index_at(idx, i, d.dim)) * d.inner + i];
  });
}

void scatter_along_axis(ScatterMode mode, const float* data, const AxisSplit& d,
                        const float* indices, int64_t n, const float* updates, float* out,
                        int threads) {
  copy(data, d.outer * d.dim * d.inner, out, threads);
  // Different `o` never touch the same element; within one, updates apply in order.
  parallel_for(threads, d.outer, [&](int64_t o) {
    for (int64_t j = 0; j < n; ++j) {
      const int64_t r = o * n + j;
      for (int64_t i = 0; i < d.inner; ++i) {
        const int64_t k = index_at(indices, r * d.inner + i, d.dim);
        combine(mode, out[(o * d.dim + k) * d.inner + i], updates[r * d.inner + i]);
      }
    }
  });
}

}  // namespace morel::kernels::reference
