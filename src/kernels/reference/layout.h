// Reorders between the plain [outer, C, S] and channels-last [outer, S, C]
// storage of a tensor (S = H * W; see graph/layout.h). Tiled transposes: not
// clever, but cache-friendly enough that a reorder costs about a copy.
#pragma once

#include <cstdint>

namespace morel::kernels::reference {

// out[n, s, c] = in[n, c, s]
void to_channels_last(const float* in, float* out, int64_t outer, int64_t channels, int64_t spatial,
                      int threads);
// out[n, c, s] = in[n, s, c]
void to_plain(const float* in, float* out, int64_t outer, int64_t channels, int64_t spatial,
              int threads);
// out[n, j, i] = in[n, i, j] for an [outer, rows, cols] input.
void transpose_matrices(const float* in, float* out, int64_t outer, int64_t rows, int64_t cols,
                        int threads);

}  // namespace morel::kernels::reference
