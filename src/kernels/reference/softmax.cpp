#include "kernels/reference/softmax.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace morel::kernels::reference {
namespace {

// Positions along `inner` handled together, so that each pass over the
// softmax axis reads a contiguous run instead of one value every `inner`.
constexpr int64_t kBlock = 256;

}  // namespace

void softmax(const float* x, float* y, int64_t outer, int64_t n, int64_t inner, int threads) {
  if (n == 0 || inner == 0) return;
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  parallel_for(threads, outer * blocks, [&](int64_t job) {
    const int64_t o = job / blocks, first = (job % blocks) * kBlock;
    const int64_t width = std::min(kBlock, inner - first);
    const float* xo = x + o * n * inner + first;  // value k of position w: xo[k * inner + w]
    float* yo = y + o * n * inner + first;
    // Subtracting each position's largest value keeps exp() from
    // overflowing; it cancels out in the quotient.
    float largest[kBlock];
    double sum[kBlock];
    for (int64_t w = 0; w < width; ++w) largest[w] = xo[w];
    for (int64_t k = 1; k < n; ++k)
      for (int64_t w = 0; w < width; ++w) largest[w] = std::max(largest[w], xo[k * inner + w]);
    for (int64_t w = 0; w < width; ++w) sum[w] = 0;
    for (int64_t k = 0; k < n; ++k)
      for (int64_t w = 0; w < width; ++w) {
        const float e = std::exp(xo[k * inner + w] - largest[w]);
        yo[k * inner + w] = e;
        sum[w] += e;
      }
    for (int64_t k = 0; k < n; ++k)
      for (int64_t w = 0; w < width; ++w)
        yo[k * inner + w] = static_cast<float>(yo[k * inner + w] / sum[w]);
  });
}

}  // namespace morel::kernels::reference
