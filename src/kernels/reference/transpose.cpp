#include "kernels/reference/transpose.h"

#include <array>
#include <cstring>

#include "kernels/parallel.h"
#include "kernels/reference/layout.h"

namespace morel::kernels::reference {

void transpose(const float* in, const Shape& in_shape, std::span<const int> perm, float* out,
               int threads) {
  const int rank = in_shape.rank();
  if (rank == 0) {
    out[0] = in[0];
    return;
  }
  // Output shape, and how far one step along each output axis moves in the input.
  Shape out_shape;
  out_shape.resize(rank);
  const std::array<int64_t, kMaxRank> in_strides = strides_of(in_shape);
  std::array<int64_t, kMaxRank> step{};
  for (int a = 0; a < rank; ++a) {
    out_shape[a] = in_shape[perm[a]];
    step[a] = in_strides[perm[a]];
  }

  // Each thread takes whole slices along output axis 0 and walks them in
  // output order, keeping the multi-index of axes 1.. and the input offset.
  const int64_t slices = out_shape[0];
  const int64_t slice_size = out_shape.count(1, rank);
  parallel_for(threads, slices, [&](int64_t s) {
    std::array<int64_t, kMaxRank> index{};
    int64_t src = s * step[0];
    float* dst = out + s * slice_size;
    for (int64_t k = 0; k < slice_size; ++k) {
      dst[k] = in[src];
      for (int a = rank - 1; a >= 1; --a) {  // advance to the next output element
        if (++index[a] < out_shape[a]) {
          src += step[a];
          break;
        }
        src -= (out_shape[a] - 1) * step[a];
        index[a] = 0;
      }
    }
  });
}

void channel_shuffle(const float* in, float* out, int64_t outer, int64_t groups, int64_t channels,
                     int64_t spatial, int threads) {
  const int64_t k = channels / groups;
  const size_t plane = static_cast<size_t>(spatial) * sizeof(float);
  parallel_for(threads, outer * channels, [&](int64_t task) {
    const int64_t n = task / channels, c = task % channels;  // output channel c = j * groups + i
    const int64_t j = c / groups, i = c % groups;
    std::memcpy(out + task * spatial, in + (n * channels + i * k + j) * spatial, plane);
  });
}

void channel_shuffle_channels_last(const float* in, float* out, int64_t outer, int64_t groups,
                                   int64_t channels, int64_t spatial, int threads) {
  // Each pixel's channels, seen as a [groups, k] matrix, transposed.
  transpose_matrices(in, out, outer * spatial, groups, channels / groups, threads);
}

void reorganize_data(const ReorganizeParams& p, const float* in, float* out, int threads) {
  const int64_t b = p.block;
  const int64_t C = p.channels, H = p.height, W = p.width;
  const int64_t item_size = C * H * W;  // the same for input and output

  parallel_for(threads, p.items, [&](int64_t n) {
    const float* x = in + n * item_size;
    float* y = out + n * item_size;
    switch (p.mode) {
      case Reorganize::kSpaceToDepth: {
        const int64_t Ho = H / b, Wo = W / b;
        for (int64_t i = 0; i < b; ++i)
          for (int64_t j = 0; j < b; ++j)
            for (int64_t c = 0; c < C; ++c)
              for (int64_t h = 0; h < Ho; ++h)
                for (int64_t w = 0; w < Wo; ++w)
                  y[(((i * b + j) * C + c) * Ho + h) * Wo + w] =
                      x[(c * H + h * b + i) * W + w * b + j];
        break;
      }
      case Reorganize::kDepthToSpace:
      case Reorganize::kPixelShuffle: {
        const int64_t Co = C / (b * b), Ho = H * b, Wo = W * b;
        const bool pixel_shuffle = p.mode == Reorganize::kPixelShuffle;
        for (int64_t c = 0; c < Co; ++c)
          for (int64_t ho = 0; ho < Ho; ++ho)
            for (int64_t wo = 0; wo < Wo; ++wo) {
              const int64_t h = ho / b, i = ho % b;
              const int64_t w = wo / b, j = wo % b;
              const int64_t src_c = pixel_shuffle ? (c * b + i) * b + j : (i * b + j) * Co + c;
              y[(c * Ho + ho) * Wo + wo] = x[(src_c * H + h) * W + w];
            }
        break;
      }
    }
  });
}

}  // namespace morel::kernels::reference
