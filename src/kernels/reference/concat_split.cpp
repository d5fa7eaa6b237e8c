#include "kernels/reference/concat_split.h"

#include <algorithm>

#include "kernels/parallel.h"

namespace morel::kernels::reference {

namespace {
int64_t total(std::span<const int64_t> sizes) {
  int64_t t = 0;
  for (int64_t s : sizes) t += s;
  return t;
}
}  // namespace

void concat(const AxisSplit& p, std::span<const float* const> inputs,
            std::span<const int64_t> sizes, float* out, int threads) {
  const int64_t out_rows = total(sizes);
  parallel_for(threads, p.outer, [&](int64_t o) {
    float* dst = out + o * out_rows * p.inner;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const int64_t n = sizes[i] * p.inner;  // this input's block within outer index o
      std::copy(inputs[i] + o * n, inputs[i] + (o + 1) * n, dst);
      dst += n;
    }
  });
}

void concat_interleave(const AxisSplit& p, std::span<const float* const> inputs, int64_t size,
                       float* out, int threads) {
  const int64_t n = static_cast<int64_t>(inputs.size());
  parallel_for(threads, p.outer, [&](int64_t o) {
    for (int64_t k = 0; k < size; ++k)
      for (int64_t i = 0; i < n; ++i) {
        const float* src = inputs[i] + (o * size + k) * p.inner;
        std::copy(src, src + p.inner, out + ((o * size + k) * n + i) * p.inner);
      }
  });
}

void split(const AxisSplit& p, const float* in, std::span<const int64_t> sizes,
           std::span<float* const> outputs, int threads) {
  const int64_t in_rows = total(sizes);
  parallel_for(threads, p.outer, [&](int64_t o) {
    const float* src = in + o * in_rows * p.inner;
    for (size_t i = 0; i < outputs.size(); ++i) {
      const int64_t n = sizes[i] * p.inner;
      std::copy(src, src + n, outputs[i] + o * n);
      src += n;
    }
  });
}

}  // namespace morel::kernels::reference
