#include "kernels/reference/softmax.h"

#include <algorithm>
#include <cmath>

#include "kernels/parallel.h"

namespace morel::kernels::reference {

void softmax(const float* x, float* y, int64_t outer, int64_t n, int64_t inner, int threads) {
  if (n == 0) return;
  // One line per (o, i); its n values lie `inner` apart.
  parallel_for(threads, outer * inner, [&](int64_t line) {
    const int64_t o = line / inner, i = line % inner;
    const float* xl = x + o * n * inner + i;
    float* yl = y + o * n * inner + i;
    // Subtracting the largest value keeps exp() from overflowing; it cancels out.
    float largest = xl[0];
    for (int64_t k = 1; k < n; ++k) largest = std::max(largest, xl[k * inner]);
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) {
      yl[k * inner] = std::exp(xl[k * inner] - largest);
      sum += yl[k * inner];
    }
    for (int64_t k = 0; k < n; ++k) yl[k * inner] = static_cast<float>(yl[k * inner] / sum);
  });
}

}  // namespace morel::kernels::reference
