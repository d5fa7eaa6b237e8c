#include "kernels/reference/layout.h"

#include <algorithm>
#include <cstring>

#include "kernels/parallel.h"

namespace morel::kernels::reference {
namespace {

constexpr int64_t kTile = 32;

}  // namespace

// Tiles of kTile x kTile, one task per (item, row tile).
void transpose_matrices(const float* in, float* out, int64_t outer, int64_t rows, int64_t cols,
                        int threads) {
  if (rows == 1 || cols == 1) {
    if (in != out) std::memcpy(out, in, static_cast<size_t>(outer * rows * cols) * sizeof(float));
    return;
  }
  const int64_t row_tiles = (rows + kTile - 1) / kTile;
  parallel_for(threads, outer * row_tiles, [&](int64_t task) {
    const int64_t n = task / row_tiles, r0 = (task % row_tiles) * kTile;
    const int64_t r1 = std::min(rows, r0 + kTile);
    const float* src = in + n * rows * cols;
    float* dst = out + n * rows * cols;
    for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
      const int64_t c1 = std::min(cols, c0 + kTile);
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t c = c0; c < c1; ++c) dst[c * rows + r] = src[r * cols + c];
    }
  });
}

void to_channels_last(const float* in, float* out, int64_t outer, int64_t channels, int64_t spatial,
                      int threads) {
  transpose_matrices(in, out, outer, channels, spatial, threads);
}

void to_plain(const float* in, float* out, int64_t outer, int64_t channels, int64_t spatial,
              int threads) {
  transpose_matrices(in, out, outer, spatial, channels, threads);
}

}  // namespace morel::kernels::reference
